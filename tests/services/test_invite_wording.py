"""What an invite's email says: a cancellation is not "add it to your calendar", and the
candidate is pointed to a scheduling link only when they hold one that can change the interview.
"""
from __future__ import annotations

import email
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa

from scheduler.models import OutboxMessage
from scheduler.services.booking import book_interview, cancel_interview, reschedule_interview
from scheduler.services.link_booking import book_from_link
from scheduler.services.links import create_link, revoke_link
from scheduler.services.privacy_notices import current_version
from tests import factories as f
from tests.services.booking_setup import WORKDAY_10, booking_world

NOTICE = current_version()  # the privacy notice the candidate acknowledges

HOUR = timedelta(hours=1)
ADD_EN = "Add it to your calendar with the attached invite.ics."
ADD_ZH = "请用附件 invite.ics 将其加入你的日历。"
LINK_EN = "use the link in your scheduling email"
LINK_ZH = "请使用预约邮件中的链接"


def _bodies(db, to_addr: str, kind: str) -> list[str]:
    """The text and HTML bodies of every *kind* message to *to_addr*, oldest first."""
    rows = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_addr == to_addr, OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id)).all()
    found = []
    for row in rows:
        message = email.message_from_bytes(row.raw_message, policy=policy.default)
        found.append(message.get_body(("plain",)).get_content()
                     + message.get_body(("html",)).get_content())
    return found


@pytest.fixture
def world(db):
    (alice, bob, carol), requisition, [application] = booking_world(panel_size=1)
    coordinator = f.make_user(roles=("coordinator",), language="en")
    db.session.commit()
    return alice, requisition, application, coordinator


@pytest.mark.parametrize("language, add, removes", [
    ("en", ADD_EN, "The attached invite.ics removes it from your calendar."),
    ("zh", ADD_ZH, "附件 invite.ics 会将其从你的日历中移除。")], ids=["en", "zh"])
def test_a_cancellation_does_not_ask_anyone_to_add_it_to_their_calendar(
        db, now, world, language, add, removes):
    alice, requisition, application, coordinator = world
    application.candidate.language = alice.user.language = language
    interview = book_interview(coordinator, application, requisition.stages[0], WORKDAY_10,
                               [alice.id], now)
    db.session.commit()
    cancel_interview(coordinator, interview, now)
    db.session.commit()
    for person in (application.candidate.email, alice.user.email):
        [invite] = _bodies(db, person, "invite_request")
        [cancel] = _bodies(db, person, "invite_cancel")
        assert add in invite
        assert add not in cancel and removes in cancel


@pytest.mark.parametrize("language, link_line, reply_line", [
    ("en", LINK_EN, "To change or cancel, reply to this message."),
    ("zh", LINK_ZH, "如需改期或取消，请直接回复本邮件。")], ids=["en", "zh"])
def test_an_interview_the_coordinator_booked_does_not_point_to_a_link_never_sent(
        db, now, world, language, link_line, reply_line):
    alice, requisition, application, coordinator = world
    application.candidate.language = language
    book_interview(coordinator, application, requisition.stages[0], WORKDAY_10, [alice.id], now)
    db.session.commit()
    [invite] = _bodies(db, application.candidate.email, "invite_request")
    assert link_line not in invite and reply_line in invite
    # The plain text gives it a line of its own.
    assert reply_line in [line.strip() for line in invite.splitlines()]


def test_a_link_sent_but_not_used_does_not_count_once_the_coordinator_booked(db, now, world):
    # The link can pick no time for a stage already booked, nor change that booking.
    alice, requisition, application, coordinator = world
    application.candidate.language = "en"
    create_link(coordinator, application, requisition.stages[:1], 0, now + 72 * HOUR, now)
    book_interview(coordinator, application, requisition.stages[0], WORKDAY_10, [alice.id], now)
    db.session.commit()
    [invite] = _bodies(db, application.candidate.email, "invite_request")
    assert LINK_EN not in invite


def test_an_interview_booked_through_a_link_points_to_it_while_the_link_lives(db, now, world):
    alice, requisition, application, coordinator = world
    application.candidate.language = "en"
    link, _ = create_link(coordinator, application, requisition.stages[:1], 0, now + 72 * HOUR,
                          now)
    [interview] = book_from_link(link, WORKDAY_10, now, notice_version=NOTICE)
    db.session.commit()
    # The coordinator moving it keeps the link: it can still change the booking.
    reschedule_interview(coordinator, interview, WORKDAY_10 + HOUR, now)
    db.session.commit()
    revoke_link(coordinator, link, now)
    reschedule_interview(coordinator, interview, WORKDAY_10 + 2 * HOUR, now)
    db.session.commit()
    booked, moved, moved_after_revoke = _bodies(db, application.candidate.email, "invite_request")
    assert LINK_EN in booked and LINK_EN in moved
    assert LINK_EN not in moved_after_revoke
    assert "To change or cancel, reply to this message." in moved_after_revoke


@pytest.mark.parametrize("kind, panel_reads_number", [
    ("phone_screen", True), ("hr_final", False)], ids=["phone screen", "other call"])
def test_the_panel_reads_the_candidates_number_only_on_a_phone_screen(
        db, now, kind, panel_reads_number):
    """Least access (issue 24): a call's number is in the panel's invite only on a phone screen,
    the call they make; the candidate's copy always says which number will be called."""
    (alice, *_), requisition, [application] = booking_world(stages=[dict(
        kind=kind, mode="phone", duration_minutes=30, panel_size=1, min_notice_minutes=0,
        horizon_days=14)])
    alice.qualifications[0].stage_kind = kind   # qualified for the stage, whatever its kind
    application.candidate.phone = "+86 139 5555 6666"
    application.candidate.language = alice.user.language = "en"
    db.session.commit()
    book_interview("coordinator", application, requisition.stages[0], WORKDAY_10, [alice.id],
                   now)
    db.session.commit()
    [panel] = _bodies(db, alice.user.email, "invite_request")
    [candidate] = _bodies(db, application.candidate.email, "invite_request")
    assert "+86 139 5555 6666" in candidate
    assert ("+86 139 5555 6666" in panel) is panel_reads_number
    if not panel_reads_number:
        assert "By phone: the coordinator gives you the number to call" in panel
