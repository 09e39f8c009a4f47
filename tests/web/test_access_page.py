"""The admin's "Who looked" page filters access records by person, candidate and period, in both
languages, a page at a time; a candidate's export is for coordinators and admins only, as JSON
and as a page; and a look is recorded even when the request's own writes are refused."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import AccessRecord, AuditEvent
from scheduler.services.access_log import PAGE_SIZE, record_access
from tests import factories as f
from tests.clock import NOW
from tests.web.helpers import NOT_SIGN_IN, csrf_token, sign_in

PASSWORD = "correct horse battery staple"


def _person(db, email, roles, language="en"):
    user = f.make_user(email=email, name=email.split("@")[0].title(), roles=roles,
                       password=PASSWORD, language=language, zone="Europe/London")
    db.session.commit()
    return user


@pytest.fixture
def looks(db):
    """Two people who looked at two candidates, on days either side of a London midnight."""
    wu = f.make_user(name="Wu Looker", roles=("coordinator",))
    li = f.make_user(name="Li Looker", roles=("coordinator",))
    anna = f.make_application(candidate=f.make_candidate(name="Anna Subject",
                                                         email="anna@example.org"))
    bo = f.make_application(candidate=f.make_candidate(name="Bo Subject"))
    # A day well before NOW, whatever NOW is: London midnight ten days ago, and just either side.
    midnight = NOW.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London")).replace(
        hour=0, minute=0, second=0, microsecond=0) - timedelta(days=10)
    for who, app, at in ((wu, anna, midnight - timedelta(minutes=5)),
                         (wu, bo, midnight + timedelta(minutes=5)),
                         (li, anna, midnight + timedelta(hours=23))):
        record_access(who, "application", "coordinator.application", now=at,
                      candidate_id=app.candidate_id, application_id=app.id)
    db.session.commit()
    return {"wu": wu, "li": li, "anna": anna, "bo": bo, "day": midnight.date()}


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-record="\d+">(.*?)</tr>', html, re.S)


def _who_and_whom(html: str) -> set[tuple[str, str]]:
    return {(next(n for n in ("Wu Looker", "Li Looker", "Admin") if n in row),
             next((n for n in ("Anna Subject", "Bo Subject") if n in row), "—"))
            for row in _rows(html)}


def test_admin_filters_by_person_candidate_and_period(client, db, looks):
    admin = _person(db, "admin@example.com", ("admin",))
    sign_in(client, admin.email, PASSWORD)
    everything = client.get("/admin/access")
    assert everything.status_code == 200
    assert {("Wu Looker", "Anna Subject"), ("Wu Looker", "Bo Subject"),
            ("Li Looker", "Anna Subject")} <= _who_and_whom(everything.text)
    by_person = client.get(f"/admin/access?person={looks['wu'].id}").text
    assert _who_and_whom(by_person) == {("Wu Looker", "Anna Subject"), ("Wu Looker", "Bo Subject")}
    by_candidate = client.get("/admin/access?candidate=ANNA@example").text
    assert _who_and_whom(by_candidate) == {("Wu Looker", "Anna Subject"),
                                           ("Li Looker", "Anna Subject")}
    # A wildcard is a character like any other.
    assert _rows(client.get("/admin/access?candidate=%25").text) == []
    day = looks["day"].isoformat()
    # One London day: the look five minutes before its midnight is the day before.
    by_day = client.get(f"/admin/access?start={day}&end={day}").text
    assert _who_and_whom(by_day) == {("Wu Looker", "Bo Subject"), ("Li Looker", "Anna Subject")}
    both = client.get(f"/admin/access?start={day}&end={day}&person={looks['li'].id}").text
    assert _who_and_whom(both) == {("Li Looker", "Anna Subject")}


def test_a_period_that_ends_before_it_starts_is_refused_in_words(client, db, looks):
    admin = _person(db, "admin@example.com", ("admin",), language="zh")
    sign_in(client, admin.email, PASSWORD)
    page = client.get("/admin/access?start=2026-05-02&end=2026-05-01")
    assert page.status_code == 200
    assert "时段的结束不能早于开始。" in page.text and "谁查看过" in page.text
    assert client.get("/admin/access?start=0001-01-01").status_code == 200


def test_access_records_come_a_page_at_a_time(client, db, looks):
    for n in range(PAGE_SIZE + 1):
        record_access(looks["li"], "board", "coordinator.board", now=NOW - timedelta(days=20, minutes=n))
    db.session.commit()
    admin = _person(db, "admin@example.com", ("admin",))
    sign_in(client, admin.email, PASSWORD)
    first = client.get(f"/admin/access?person={looks['li'].id}").text
    assert len(_rows(first)) == PAGE_SIZE and 'rel="next"' in first
    second = client.get(f"/admin/access?person={looks['li'].id}&page=2").text
    assert len(_rows(second)) == 2 and 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize("roles, status", [(None, 302), (("interviewer",), 403),
                                           (("coordinator",), 403)])
def test_only_admins_see_who_looked(client, db, roles, status):
    if roles:
        sign_in(client, _person(db, "x@example.com", roles).email, PASSWORD)
    response = client.get("/admin/access")
    assert response.status_code == status


@pytest.mark.parametrize("roles", [None, ("interviewer",)])
def test_interviewers_and_anonymous_cannot_export(client, db, roles):
    application = f.make_application()
    if roles:
        profile = f.make_interviewer(user=_person(db, "i@example.com", roles))
        f.make_interview(application, panel=(profile,))
        db.session.commit()
        sign_in(client, "i@example.com", PASSWORD)
    for url in (f"/coordinator/candidates/{application.candidate_id}/export",
                f"/coordinator/candidates/{application.candidate_id}/export.json"):
        response = client.get(url)
        assert response.status_code == (403 if roles else 302)
        assert application.candidate.name not in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        NOT_SIGN_IN)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessRecord)) == 0


@pytest.mark.parametrize("language, heading", [("en", "Data held about Anna Subject"),
                                               ("zh", "Anna Subject 的数据")])
def test_a_coordinator_exports_a_candidate_as_json_and_as_a_page(client, db, language, heading):
    coordinator = _person(db, "co@example.com", ("coordinator",), language=language)
    application = f.make_application(candidate=f.make_candidate(name="Anna Subject"))
    f.make_interview(application, panel=(f.make_interviewer(),))
    db.session.commit()
    sign_in(client, coordinator.email, PASSWORD)
    candidate_id = application.candidate_id
    download = client.get(f"/coordinator/candidates/{candidate_id}/export.json")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="candidate-{candidate_id}.json"')
    data = json.loads(download.data)
    assert data["candidate"]["name"] == "Anna Subject"
    assert [row["id"] for row in data["tables"]["application"]] == [application.id]
    page = client.get(f"/coordinator/candidates/{candidate_id}/export")
    assert page.status_code == 200 and heading in page.text
    assert ("Interviews" if language == "en" else "面试") in page.text
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "candidate").order_by(AuditEvent.id)).all()
    assert actions == ["export_requested", "export_completed"] * 2
    records = db.session.execute(sa.select(AccessRecord.what, AccessRecord.candidate_id)).all()
    assert records == [("export", candidate_id)] * 2
    # The application's page links to the export.
    assert (f"/coordinator/candidates/{candidate_id}/export"
            in client.get(f"/coordinator/applications/{application.id}").text)


def test_a_refused_form_still_records_the_look(client, db):
    coordinator = _person(db, "co@example.com", ("coordinator",))
    application = f.make_application()
    db.session.commit()
    sign_in(client, coordinator.email, PASSWORD)
    url = f"/coordinator/applications/{application.id}/details"
    page = client.get(url)
    response = client.post(url, data={"csrf_token": csrf_token(page.text), "name": "Changed",
                                      "email": "not an address", "phone": "",
                                      "zone": "Asia/Shanghai", "language": "zh"})
    assert response.status_code == 200
    db.session.expire_all()
    assert application.candidate.name != "Changed"
    assert db.session.execute(sa.select(AccessRecord.what, AccessRecord.application_id)).all() \
        == [("candidate_details", application.id)] * 2
