""""I can't make it": a panel member declines with a reason; the coordinator sees the interview
flagged with the engine's replacements and swaps one in with one click (same time, same UID)."""
from __future__ import annotations

import html as htmllib
import re
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, Interview, InterviewerAssignment
from scheduler.services.slot_search import find_slots
from scheduler.services.booking import book_interview, cancel_interview
from tests.clock import BEIJING, NOW, workday_after
from tests import factories as f
from tests.services.booking_setup import booking_world
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def booked(db):
    """Three Beijing interviewers, one booked on the first free hour of the first Monday–Friday
    workday at least a day away (their working days); their logins."""
    people, requisition, [application] = booking_world(interviewers=3, panel_size=1)
    for n, person in enumerate(people):
        person.user.email = f"iv{n}@example.com"
        person.user.language = "en"
    day = workday_after(1, weekdays_only=True)
    slot = next(s for s in find_slots(application, requisition.stages, NOW).slots
                if s.start_at.astimezone(ZoneInfo(BEIJING)).date() == day)
    interview = book_interview("test", application, requisition.stages[0], slot.start_at,
                               list(slot.panel), NOW)
    db.session.commit()
    on_panel = next(p for p in people if p.id == slot.panel[0])
    return interview, on_panel, [p for p in people if p is not on_panel]


def _sign_in_as(client, profile):
    from werkzeug.security import generate_password_hash

    profile.user.password_hash = generate_password_hash(PASSWORD)
    from scheduler.extensions import db

    db.session.commit()
    assert sign_in(client, profile.user.email, PASSWORD).status_code == 302


def test_a_panel_member_declines_with_a_reason(client, db, booked, no_csrf):
    interview, member, _others = booked
    _sign_in_as(client, member)
    home = htmllib.unescape(client.get("/interviewer/").text)
    url = f"/interviewer/interviews/{interview.id}/decline"
    assert f'href="{url}"' in home and "I can't make it" in home
    page = client.get(url)
    assert page.status_code == 200 and "Why can't you make it?" in htmllib.unescape(page.text)

    refused = client.post(url, data={"reason": "  "})
    assert refused.status_code == 200 and "Give a reason, so the coordinators can plan." in \
        refused.text
    response = client.post(url, data={"reason": "Flying to a conference"})
    assert response.status_code == 302
    seat = db.session.scalar(sa.select(InterviewerAssignment).where(
        InterviewerAssignment.interviewer_id == member.id))
    db.session.refresh(seat)
    assert seat.declined_at is not None and seat.decline_reason == "Flying to a conference"
    assert seat.is_active  # still on the panel until a coordinator swaps someone in
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "interview.declined"))
    assert (event.actor_user_id, event.object_id, event.note) == \
        (member.user_id, interview.id, "Flying to a conference")
    home = client.get(response.headers["Location"]).text
    assert "The coordinators have been told" in home
    assert "You told the coordinators: Flying to a conference" in home
    assert f'href="{url}"' not in home


def test_only_the_panel_may_decline_and_coordinators_cannot_use_the_interviewer_page(
        client, db, booked, no_csrf):
    interview, _member, others = booked
    url = f"/interviewer/interviews/{interview.id}/decline"
    assert client.get(url).headers["Location"].startswith("/login")
    _sign_in_as(client, others[0])
    assert client.get(url).status_code == 404
    assert client.post(url, data={"reason": "not mine"}).status_code == 404
    assert client.get("/interviewer/interviews/99999/decline").status_code == 404

    coordinator = client.application.test_client()
    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD)
    db.session.commit()
    sign_in(coordinator, "co@example.com", PASSWORD)
    assert coordinator.get(url).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "interview.declined")) == 0


def test_a_cancelled_interview_cannot_be_declined(client, db, booked, no_csrf):
    interview, member, _others = booked
    cancel_interview("test", interview, NOW, reason="withdrawn")
    db.session.commit()
    _sign_in_as(client, member)
    response = client.post(f"/interviewer/interviews/{interview.id}/decline",
                           data={"reason": "ill"})
    assert response.status_code == 404  # the seat is no longer active


@pytest.mark.parametrize("language, heading, button", [
    ("en", "Interviewers who can't make it", "Swap in "),
    ("zh", "无法参加的面试官", "换成 "),
])
def test_the_coordinator_sees_the_flag_and_swaps_in_one_click(
        client, db, booked, no_csrf, language, heading, button):
    interview, member, others = booked
    uid, start = interview.calendar_uid, interview.start_at
    _sign_in_as(client, member)
    client.post(f"/interviewer/interviews/{interview.id}/decline", data={"reason": "Ill"})
    client.post("/logout")

    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD,
                language=language)
    db.session.commit()
    sign_in(client, "co@example.com", PASSWORD)
    application_url = f"/coordinator/applications/{interview.application_id}"
    for url in ("/coordinator/", application_url):
        html = htmllib.unescape(client.get(url).text)
        assert heading in html and member.user.name in html
        assert button + others[0].user.name in html or button + others[1].user.name in html
    home = client.get("/coordinator/").text
    form = re.search(r'<form method="post" action="(/coordinator/interviews/\d+/swap)">'
                     r'(.*?)</form>', home, flags=re.S)
    suggested = re.findall(r'name="new" value="(\d+)"', form.group(2))
    assert sorted(map(int, suggested)) == sorted(p.id for p in others)
    response = client.post(form.group(1), data={"old": member.id, "new": suggested[0],
                                                "next": "/coordinator/"})
    assert response.headers["Location"] == "/coordinator/"
    db.session.expire_all()
    swapped = db.session.get(Interview, interview.id)
    assert [a.interviewer_id for a in swapped.active_assignments] == [int(suggested[0])]
    assert (swapped.calendar_uid, swapped.start_at, swapped.sequence) == (uid, start, 1)
    # The flag is gone once someone else sits in the seat.
    assert heading not in htmllib.unescape(client.get("/coordinator/").text)
