"""The candidate's link pages through the Flask test client, and the coordinator's link panel.

The app runs at the suite's frozen `NOW`; every instant here is relative to it, and slots are
chosen from the rendered page by property (e.g. more than a day ahead), never by position.
"""
from __future__ import annotations

import email
import re
from datetime import datetime, timedelta
from email import policy

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from scheduler import create_app
from scheduler.extensions import db as _db
from scheduler.models import AuditEvent, Interview, OutboxMessage
from scheduler.services.links import create_link, revoke_link
from tests.clock import NOW
from tests import factories as f
from tests.services.booking_setup import booking_world
from tests.web.helpers import consent_fields, csrf_token, sign_in, without_csrf

PASSWORD = "correct horse battery staple"
EN = {"Accept-Language": "en-GB,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
_SLOT = re.compile(r'href="(/schedule/[\w-]+/confirm\?start=([0-9T:-]+Z))"')


@pytest.fixture
def world(db):
    people, requisition, [application] = booking_world(interviewers=2)
    # The pages speak the candidate's stored language: these tests read them in English.
    application.candidate.language = "en"
    coordinator = f.make_user(roles=("coordinator",), password=PASSWORD, language="en",
                              email="coordinator@example.com")
    db.session.commit()
    return people, requisition, application, coordinator


def _link(world, *, zone=None, valid=timedelta(days=7), application=None):
    _, requisition, default_application, coordinator = world
    application = application or default_application
    if zone:
        application.candidate.zone = zone
    now = NOW
    link, token = create_link(coordinator, application, requisition.stages[:1], 0, now + valid,
                              now)
    _db.session.commit()
    return link, token


def _slots(html: str) -> list[tuple[str, str]]:
    return _SLOT.findall(html)


def _two_days_ahead(html: str) -> tuple[str, str]:
    """Return (confirm URL, start) of the first slot at least two days from now."""
    limit = NOW + timedelta(days=2)
    for url, start in _slots(html):
        if start >= limit.strftime("%Y-%m-%dT%H:%MZ"):
            return url.replace("&amp;", "&"), start
    raise AssertionError("no slot two days ahead on the page")


def _book(client, token, headers=EN):
    page = client.get(f"/schedule/{token}", headers=headers).text
    url, start = _two_days_ahead(page)
    confirm = client.get(url, headers=headers)
    response = client.post(f"/schedule/{token}/book", headers=headers, data={
        "csrf_token": csrf_token(confirm.text), "start": start, **consent_fields(confirm.text)})
    return response, start, confirm


def _outbox(kind=None):
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return [email.message_from_bytes(r.raw_message, policy=policy.default)
            for r in _db.session.scalars(query)]


def _event(message):
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    return str(calendar["METHOD"]), calendar.walk("VEVENT")[0]


def test_the_page_shows_role_stage_and_times_in_the_candidates_zone(client, world):
    people, _, application, _ = world
    link, token = _link(world, zone="Europe/London")
    response = client.get(f"/schedule/{token}", headers=EN)
    html = response.text
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Machine Learning Engineer" in html and "System design" in html
    assert "60 min · Video · 1 interviewer" in html
    assert re.search(r"Times are shown in Europe/London, GMT[+0-9:]*\.", html)
    for person in people:  # the panel is counted, never named
        assert person.user.name not in html and person.user.email not in html
    slots = _slots(html)
    # Beijing 09:00–18:00 ends at 10:00 or 11:00 in London; the candidate's day starts at 08:00.
    times = re.findall(r'class="slot-time">(\d\d:\d\d)–', html)
    assert slots and len(times) == len(slots)
    assert all("08:00" <= t <= "10:00" for t in times)
    assert len(re.findall(r'class="slot-zone">GMT\+0[01]:00<', html)) == len(slots)
    assert 'src="/static/js/candidate-zone.js"' in html and 'id="zone-offer"' in html
    assert _db.session.get(type(link), link.id).first_opened_at is not None


def test_the_page_speaks_the_candidates_language_whatever_the_browser(client, world):
    link, token = _link(world)
    english = client.get(f"/schedule/{token}", headers=ZH).text
    assert '<html lang="en">' in english and "Choose a time for your interview" in english
    # The switch on the page stores the candidate's choice and keeps them on their link.
    assert f'action="/schedule/{token}/language"' in english
    switched = client.post(f"/schedule/{token}/language", headers=EN, data={
        "csrf_token": csrf_token(english), "language": "zh", "next": f"/schedule/{token}"})
    assert switched.headers["Location"] == f"/schedule/{token}"
    assert _db.session.get(type(link), link.id).application.candidate.language == "zh"
    chinese = client.get(f"/schedule/{token}", headers=EN).text
    assert '<html lang="zh-CN">' in chinese and "选择面试时间" in chinese
    assert "时间均以 北京时间 Asia/Shanghai 显示。" in chinese


def test_dead_links_all_get_the_same_page_and_status(client, world):
    link, token = _link(world)
    expired_link, expired = _link(world, valid=timedelta(seconds=1),
                                  application=f.make_application(requisition=world[1]))
    revoked_link, revoked = _link(world, application=f.make_application(requisition=world[1]))
    revoke_link(world[3], revoked_link, NOW)
    expired_link.expires_at = NOW - timedelta(minutes=1)
    _db.session.commit()
    answers = [client.get(path, headers=EN) for path in (
        f"/schedule/{token[:-1]}!",  # malformed
        f"/schedule/{'x' * 43}",  # well-formed but unknown
        f"/schedule/{expired}", f"/schedule/{revoked}", "/schedule/a/b/c", "/schedule/")]
    assert {a.status_code for a in answers} == {404}
    bodies = {without_csrf(a.text).replace(a.request.path, "") for a in answers}
    assert len(bodies) == 1
    body = bodies.pop()
    assert "This link does not work" in body and "ml-hr@example.com" in body
    assert all(a.headers["Referrer-Policy"] == "no-referrer" for a in answers)
    assert client.get(f"/schedule/{token}", headers=EN).status_code == 200


def test_pick_confirm_book_then_the_booking_page_with_calendar_links(client, world):
    _, _, application, _ = world
    link, token = _link(world, zone="Europe/London")
    response, start, confirm = _book(client, token)
    assert "Beijing time" in confirm.text and "Europe/London" in confirm.text
    assert "By video call: the link comes with your calendar invitation by email." in confirm.text
    assert response.status_code == 302 and response.headers["Location"] == f"/schedule/{token}"
    booked = client.get(f"/schedule/{token}", headers=EN).text
    assert "Your interview is booked." in booked
    assert "calendar.google.com/calendar/render" in booked and "outlook.live.com" in booked
    [invite] = [m for m in _outbox("invite_request") if m["To"] == application.candidate.email]
    method, event = _event(invite)
    assert method == "REQUEST" and event.decoded("DTSTART").strftime("%Y-%m-%dT%H:%MZ") == start
    download = client.get(f"/schedule/{token}/interview.ics")
    assert download.mimetype == "text/calendar"
    assert "attachment" in download.headers["Content-Disposition"]
    ics = Calendar.from_ical(download.data)
    assert str(ics.walk("VEVENT")[0]["DTSTART"].params["TZID"]) == "Europe/London"
    assert ics.walk("VTIMEZONE")


def test_a_time_taken_in_between_shows_fresh_times(client, db, world):
    (alice, bob), requisition, first, _ = world
    second = f.make_application(requisition=requisition,
                                candidate=f.make_candidate(language="en"))
    bob.user.is_active = False  # one interviewer left: a slot has exactly one panel
    db.session.commit()
    _, first_token = _link(world)
    _, second_token = _link(world, application=second)
    page = client.get(f"/schedule/{second_token}", headers=EN).text
    url, start = _two_days_ahead(page)
    confirm = client.get(url, headers=EN)
    assert _book_start(client, first_token, start).status_code == 302
    taken = client.post(f"/schedule/{second_token}/book", headers=EN, data={
        "csrf_token": csrf_token(confirm.text), "start": start})
    assert taken.status_code == 409
    assert "Sorry, that time was just taken." in taken.text
    fresh = [s for _, s in _slots(taken.text)]
    assert fresh and start not in fresh
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interview)) == 1


def _book_start(client, token, start):
    page = client.get(f"/schedule/{token}/confirm?start={start}", headers=EN)
    return client.post(f"/schedule/{token}/book", headers=EN, data={
        "csrf_token": csrf_token(page.text), "start": start, **consent_fields(page.text)})


def test_reschedule_and_cancel_send_updates_with_the_same_uid(client, world):
    _, _, application, _ = world
    link, token = _link(world)
    _, start, _ = _book(client, token)
    change = client.get(f"/schedule/{token}?change=1", headers=EN).text
    assert "your current time" in change
    a_day_later = (datetime.strptime(start, "%Y-%m-%dT%H:%MZ") + timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%MZ")
    later = next(s for _, s in _slots(change) if s >= a_day_later)  # a day or more later
    page = client.get(f"/schedule/{token}/confirm?start={later}", headers=EN)
    assert "Move my interview to this time" in page.text
    moved = client.post(f"/schedule/{token}/book", headers=EN, data={
        "csrf_token": csrf_token(page.text), "start": later, "reason": "A clash at work",
        **consent_fields(page.text)})
    assert moved.status_code == 302
    cancel_page = client.get(f"/schedule/{token}/cancel", headers=EN)
    cancelled = client.post(f"/schedule/{token}/cancel", headers=EN, data={
        "csrf_token": csrf_token(cancel_page.text), "reason": "Took another offer"})
    assert cancelled.status_code == 302
    assert "Your interview is cancelled" in client.get(f"/schedule/{token}", headers=EN).text
    mine = [_event(m) for m in _outbox() if m["To"] == application.candidate.email
            and m.get_content_type() == "multipart/mixed"]
    assert [(method, int(e["SEQUENCE"])) for method, e in mine] == [
        ("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]
    assert len({str(e["UID"]) for _, e in mine}) == 1
    assert mine[1][1].decoded("DTSTART").strftime("%Y-%m-%dT%H:%MZ") == later
    notes = [e.note for e in _db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.actor_label == f"candidate link {link.id}",
        AuditEvent.object_type == "interview").order_by(AuditEvent.id))]
    assert notes == ["", "A clash at work", "Took another offer"]


def test_after_the_cutoff_changes_are_refused_and_the_contact_is_shown(client, world):
    (alice, _), requisition, application, _ = world
    link, token = _link(world)
    soon = NOW.replace(second=0, microsecond=0) + timedelta(hours=5)
    interview = f.make_interview(application=application, panel=[alice], start_at=soon)
    link.booked_at, link.interview_id = NOW, interview.id
    _db.session.commit()
    page = client.get(f"/schedule/{token}", headers=EN)
    assert page.status_code == 200
    assert "It is too late to change this interview here." in page.text
    assert "ml-hr@example.com" in page.text and "/cancel" not in page.text
    token_field = csrf_token(page.text)
    refused = client.post(f"/schedule/{token}/cancel", headers=EN,
                          data={"csrf_token": token_field})
    assert refused.status_code == 409
    assert "close 24 hours before the interview" in refused.text
    assert "ml-hr@example.com" in refused.text
    moved = client.post(f"/schedule/{token}/book", headers=EN, data={
        "csrf_token": token_field, "start": (soon + timedelta(days=2)).strftime(
            "%Y-%m-%dT%H:%MZ")})
    assert moved.status_code == 409
    assert _db.session.get(Interview, interview.id).status == "scheduled"


def test_switching_the_zone_and_widening_the_hours_are_stored(client, world):
    _, _, application, _ = world
    link, token = _link(world)
    page = client.get(f"/schedule/{token}", headers=EN).text
    answer = client.post(f"/schedule/{token}/zone", headers=EN, data={
        "csrf_token": csrf_token(page), "zone": "Europe/London"})
    assert answer.status_code == 302
    after = client.get(f"/schedule/{token}", headers=EN).text
    assert "Times are now shown in Europe/London" in after
    assert _db.session.get(type(application.candidate), application.candidate.id).zone \
        == "Europe/London"
    before = len(_slots(after))
    client.post(f"/schedule/{token}/hours", headers=EN, data={
        "csrf_token": csrf_token(after), "day_start": "06:00", "day_end": "24:00"})
    wider = client.get(f"/schedule/{token}", headers=EN).text
    assert len(_slots(wider)) > before
    assert "Showing times from 06:00 to 24:00 your time." in wider
    bad = client.post(f"/schedule/{token}/zone", headers=EN, data={
        "csrf_token": csrf_token(wider), "zone": "Atlantis/Capital"})
    assert "We do not know that time zone." in client.get(
        bad.headers["Location"], headers=EN).text
    assert _db.session.get(type(application.candidate),
                           application.candidate.id).zone == "Europe/London"


def test_every_post_needs_its_csrf_token(client, world):
    _, token = _link(world)
    for action in ("book", "zone", "hours", "none-work", "cancel"):
        answer = client.post(f"/schedule/{token}/{action}", headers=EN, data={"zone": "UTC"})
        assert answer.status_code == 400, action
        assert "This form has expired" in answer.text


def test_none_of_these_work_reaches_the_coordinator(client, world):
    _, _, application, _ = world
    link, token = _link(world, zone="Europe/London")
    form = client.get(f"/schedule/{token}/none-work", headers=EN)
    proposed = (NOW + timedelta(days=20)).strftime("%Y-%m-%dT19:00")
    sent = client.post(f"/schedule/{token}/none-work", headers=EN, data={
        "csrf_token": csrf_token(form.text), "first": proposed,
        "note": "I am travelling; evenings London time work best."})
    assert sent.status_code == 200
    assert "The recruiting team has your message" in sent.text
    # Mailed to the opening's coordinators (here the one coordinator there is), replying to the
    # candidate; no longer only to the recruiting mailbox.
    [mail] = _outbox("notice_none_work")
    assert mail["To"] == "coordinator@example.com"
    assert mail["Reply-To"] == application.candidate.email
    assert "evenings London time work best" in mail.get_body(("plain",)).get_content()
    sign_in(client, "coordinator@example.com", PASSWORD, headers=EN)
    panel = client.get(f"/coordinator/applications/{application.id}/links", headers=EN).text
    assert "None of these work" in panel
    assert "I am travelling; evenings London time work best." in panel
    assert "19:00 (Europe/London" in panel  # the proposal in the candidate's zone too
    empty = client.post(f"/schedule/{token}/none-work", headers=EN, data={
        "csrf_token": csrf_token(form.text), "note": " "})
    assert "Propose at least one time, or write a note." in empty.text


def test_the_coordinator_sends_revokes_and_resends_links(client, db, world):
    _, requisition, application, _ = world
    sign_in(client, "coordinator@example.com", PASSWORD, headers=EN)
    page = client.get(f"/coordinator/applications/{application.id}/links", headers=EN)
    assert "No scheduling link sent yet." in page.text
    sent = client.post(f"/coordinator/applications/{application.id}/links", headers=EN, data={
        "csrf_token": csrf_token(page.text), "scope": "stage", "valid_days": 5})
    assert sent.status_code == 302
    assert "Scheduling link sent to" in client.get(sent.headers["Location"], headers=EN).text
    [mail] = _outbox("scheduling_link")
    token = re.search(r"/schedule/([\w-]{43})", mail.get_body(("plain",)).get_content()).group(1)
    assert client.get(f"/schedule/{token}").status_code == 200
    panel = client.get(f"/coordinator/applications/{application.id}/links", headers=EN).text
    assert ">Opened<" in panel
    link_id = re.search(r"/coordinator/links/(\d+)/resend", panel).group(1)
    client.post(f"/coordinator/links/{link_id}/resend", headers=EN,
                data={"csrf_token": csrf_token(panel)})
    assert client.get(f"/schedule/{token}").status_code == 404  # the old token is dead
    new_mail = _outbox("scheduling_link")[-1]
    new_token = re.search(r"/schedule/([\w-]{43})",
                          new_mail.get_body(("plain",)).get_content()).group(1)
    assert client.get(f"/schedule/{new_token}").status_code == 200
    client.post(f"/coordinator/links/{link_id}/revoke", headers=EN,
                data={"csrf_token": csrf_token(panel)})
    assert client.get(f"/schedule/{new_token}").status_code == 404
    assert ">Revoked<" in client.get(f"/coordinator/applications/{application.id}/links",
                                     headers=EN).text


def test_link_actions_need_a_coordinator(client, world):
    f.make_user(email="iv@example.com", roles=("interviewer",), password=PASSWORD)
    _db.session.commit()
    application = world[2]
    assert client.get(f"/coordinator/applications/{application.id}/links").status_code == 302
    sign_in(client, "iv@example.com", PASSWORD)
    assert client.get(f"/coordinator/applications/{application.id}/links").status_code == 403


def test_link_pages_answer_429_with_a_readable_page(database_config):
    app = create_app(database_config | {"RATELIMIT_ENABLED": True,
                                        "CANDIDATE_PAGE_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    with app.app_context():
        statuses = [client.get(f"/schedule/{'y' * 43}", headers=EN).status_code
                    for _ in range(4)]
        limited = client.get(f"/schedule/{'y' * 43}", headers=EN)
        _db.session.remove()
        _db.engine.dispose()
    assert statuses == [404, 404, 404, 429]
    assert limited.status_code == 429
    assert "Too many requests" in limited.text and "Wait a minute" in limited.text
    assert "ml-hr@example.com" in limited.text
    assert limited.headers["Referrer-Policy"] == "no-referrer"
