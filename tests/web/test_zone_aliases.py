"""Zone names enter the app by their current names, and a candidate's switch is on the application's
history (issue 14 item 6): every zone field, the candidate page's switch and browser offer, the CLI.
"""
from __future__ import annotations

import json
import re
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from scheduler.extensions import db as _db
from scheduler.models import AuditEvent, Candidate, User
from scheduler.services.link_booking import switch_zone
from scheduler.services.links import create_link
from tests import factories as f
from tests.clock import NOW
from tests.services.booking_setup import booking_world
from tests.web.helpers import csrf_token, post_form, sign_in

PASSWORD = "correct horse battery staple"
EN = {"Accept-Language": "en-GB,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def world(db):
    people, requisition, [application] = booking_world(interviewers=2)
    coordinator = f.make_user(roles=("coordinator",), password=PASSWORD, language="en",
                              email="coordinator@example.com", zone="Asia/Shanghai")
    db.session.commit()
    return people, requisition, application, coordinator


def _link(world):
    _, requisition, application, coordinator = world
    link, token = create_link(coordinator, application, requisition.stages[:1], 0,
                              NOW + timedelta(days=7), NOW)
    _db.session.commit()
    return link, token


def _candidate(application) -> Candidate:
    return _db.session.get(Candidate, application.candidate_id)


def test_a_candidate_added_in_a_legacy_zone_is_stored_in_its_current_name(client, world):
    _, requisition, _, _ = world
    sign_in(client, "coordinator@example.com", PASSWORD, headers=EN)
    form_page = client.get("/coordinator/candidates/new", headers=EN).text
    assert '<option value="Asia/Kolkata">' in form_page
    assert '<option value="Asia/Calcutta">' not in form_page  # the pick list has current names only
    response = post_form(client, "/coordinator/candidates/new", headers=EN, data={
        "name": "Priya Raman", "email": "priya.raman@example.org", "phone": "",
        "zone": " Asia/Calcutta ", "language": "en", "requisition_id": str(requisition.id),
        "level": requisition.levels[0]["code"]})
    assert response.status_code == 302, response.text
    candidate = _db.session.scalar(sa.select(Candidate).where(Candidate.email == "priya.raman@example.org"))
    assert candidate.zone == "Asia/Kolkata"
    created = _db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "application.created")).all()[-1]
    assert created.after["zone"] == "Asia/Kolkata"
    page = client.get(f"/coordinator/applications/{created.object_id}", headers=EN).text
    assert "<strong>Application added</strong>" in page


def test_an_interviewer_choosing_a_legacy_zone_gets_its_current_name(app, db):
    office = f.make_office(code="BLR", zone="Asia/Kolkata", calendar_key="CN")
    profile = f.make_interviewer(office=office, windows=((0, 5), time(9), time(18)),
                                 user=f.make_user(email="asha@example.com", password=PASSWORD,
                                                  language="en", zone="Asia/Shanghai"))
    db.session.commit()
    client = app.test_client()
    sign_in(client, "asha@example.com", PASSWORD)
    page = client.get(f"/availability/{profile.id}").text
    response = client.post(f"/availability/{profile.id}/zone", data={
        "zone-csrf_token": csrf_token(page), "zone-zone": "Asia/Calcutta"})
    assert response.status_code == 302
    db.session.expire_all()
    assert profile.user.zone == "Asia/Kolkata"
    assert profile.zone is None  # the office's own zone, under another name, is the office's


def test_the_cli_stores_the_current_name(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "cli@example.com", "--name", "CLI", "--role", "coordinator",
        "--zone", "Europe/Kiev", "--password", "a long password here"])
    assert result.exit_code == 0, result.output
    assert _db.session.scalars(sa.select(User).where(User.email == "cli@example.com")).one().zone \
        == "Europe/Kyiv"


def test_the_browser_offer_carries_the_alias_table_and_the_switch_stores_the_current_name(
        client, world):
    _, _, application, _ = world
    link, token = _link(world)
    page = client.get(f"/schedule/{token}", headers=EN).text
    match = re.search(r"data-zone-aliases='([^']*)'", page)
    assert match, "the offer carries no alias table"
    assert json.loads(match.group(1).replace("&#34;", '"'))["Asia/Calcutta"] == "Asia/Kolkata"
    answer = client.post(f"/schedule/{token}/zone", headers=EN, data={
        "csrf_token": csrf_token(page), "zone": "Asia/Calcutta"})
    assert answer.status_code == 302
    assert "Asia/Kolkata" in client.get(answer.headers["Location"], headers=EN).text
    assert _candidate(application).zone == "Asia/Kolkata"


def test_switching_to_an_alias_of_the_stored_zone_changes_nothing(db, world):
    _, _, application, _ = world
    link, _token = _link(world)
    switch_zone(link, "Asia/Kolkata", NOW)
    switch_zone(link, "Asia/Calcutta", NOW)
    db.session.commit()
    assert _candidate(application).zone == "Asia/Kolkata"
    changes = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "candidate.zone_changed")).all()
    assert [(e.object_type, e.object_id, e.before, e.after) for e in changes] == [
        ("application", application.id, {"zone": "Asia/Shanghai"}, {"zone": "Asia/Kolkata"})]


@pytest.mark.parametrize("headers, language, texts", [
    (EN, "en", ["The candidate changed their time zone", "The candidate", "Time zone",
                "<del>Asia/Shanghai</del> → Asia/Kolkata"]),
    (ZH, "zh", ["候选人更改了时区", "候选人", "时区：<del>Asia/Shanghai</del> → Asia/Kolkata"]),
])
def test_the_coordinator_sees_the_switch_on_the_application_page(client, db, world, headers, language,
                                                                texts):
    _, _, application, coordinator = world
    coordinator.language = language
    link, _token = _link(world)
    switch_zone(link, "Asia/Calcutta", NOW)
    db.session.commit()
    sign_in(client, "coordinator@example.com", PASSWORD, headers=headers)
    html = client.get(f"/coordinator/applications/{application.id}", headers=headers).text
    history = re.search(r'<details class="history application-history" open>.*?</details>', html, re.S)
    assert history, "the application's history is not shown open"
    for text in texts:
        assert text in history.group(0), text
    assert "candidate link" not in history.group(0)
