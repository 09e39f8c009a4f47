"""Every invite the app writes, replayed into each recipient's calendar, matches the database.

The walk books an interview, moves it with a new panel, swaps a panel member and cancels it. After
each step it reads every message in the outbox (the rows' raw MIME), parses each calendar part with
icalendar *and* vobject (they must agree), checks each message (METHOD, ATTENDEEs, STATUS, UID,
SEQUENCE) and replays each recipient's messages the way a calendar client applies iTIP
(RFC 5546): a REQUEST puts the event in (or updates it), a CANCEL with STATUS:CANCELLED takes the
whole event out, a CANCEL without it that names the recipient takes them off it. What each person's
calendar then holds must be what the database says: the event, at its time and with its panel, for
the candidate and the active panel; nothing live for anyone else who was ever invited.
"""
from __future__ import annotations

import email
import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy

import sqlalchemy as sa
import vobject
from icalendar import Calendar

from scheduler.models import Interview, OutboxMessage
from scheduler.services.booking import (
    book_interview, cancel_interview, reschedule_interview, swap_interviewer,
)
from scheduler.services.link_booking import available_slots, book_from_link
from scheduler.services.links import create_link
from scheduler.services.privacy_notices import current_version
from tests import factories as f
from tests.services.booking_setup import WORKDAY_10, booking_world

NOTICE = current_version()  # the privacy notice the candidate acknowledges

HOUR = timedelta(hours=1)
ACTIVE, CANCELLED = "active", "cancelled"


@dataclass(frozen=True)
class Received:
    """One invite as its recipient's calendar client reads it."""

    to: str
    subject: str
    text: str
    method: str
    uid: str
    sequence: int
    status: str | None
    attendees: frozenset[str]
    start: datetime
    end: datetime


@functools.lru_cache(maxsize=256)
def _read(raw_message: bytes) -> Received:
    """Parse one outbox row's MIME (each row is read once, however often the walk replays)."""
    message = email.message_from_bytes(raw_message, policy=policy.default)
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    raw = part.get_payload(decode=True)
    # icalendar
    calendar = Calendar.from_ical(raw)
    [event] = calendar.walk("VEVENT")
    found = event.get("ATTENDEE", [])
    attendees = frozenset(str(a).lower().removeprefix("mailto:")
                          for a in (found if isinstance(found, list) else [found]))
    status = str(event["STATUS"]) if "STATUS" in event else None
    received = Received(
        to=message["To"], subject=str(message["Subject"]),
        text=message.get_body(("plain",)).get_content(), method=str(calendar["METHOD"]),
        uid=str(event["UID"]), sequence=int(event["SEQUENCE"]), status=status,
        attendees=attendees, start=event.start, end=event.end)
    # vobject reads the same bytes the same way.
    other = vobject.readOne(raw.decode("utf-8"))
    vevent = other.vevent
    assert other.method.value == received.method == part.get_param("method")
    assert vevent.uid.value == received.uid
    assert int(vevent.sequence.value) == received.sequence
    assert (vevent.status.value if "status" in vevent.contents else None) == status
    assert frozenset(a.value.lower().removeprefix("mailto:")
                     for a in vevent.contents.get("attendee", [])) == attendees
    assert (vevent.dtstart.value, vevent.dtend.value) == (received.start, received.end)
    assert received.start.utcoffset() == timedelta(0)
    return received


def _messages(db) -> list[Received]:
    """Every invite in the outbox, in the order it was written."""
    rows = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.kind.in_(("invite_request", "invite_cancel")))
        .order_by(OutboxMessage.id)).all()
    return [_read(row.raw_message) for row in rows]


@dataclass(frozen=True)
class Entry:
    state: str
    sequence: int
    start: datetime | None = None
    end: datetime | None = None
    attendees: frozenset[str] = frozenset()


def replay(messages: list[Received]) -> dict[str, dict[str, Entry]]:
    """Apply each recipient's messages in order: recipient -> UID -> what their calendar holds."""
    calendars: dict[str, dict[str, Entry]] = {}
    for m in messages:
        calendar = calendars.setdefault(m.to, {})
        held = calendar.get(m.uid)
        # Every message a recipient gets about one event supersedes the last one.
        assert held is None or m.sequence > held.sequence, (m.to, m.sequence, held)
        if m.method == "REQUEST":
            assert m.status == "CONFIRMED" and m.to.lower() in m.attendees
            calendar[m.uid] = Entry(ACTIVE, m.sequence, m.start, m.end, m.attendees)
        elif m.status == "CANCELLED":  # the whole event is cancelled
            assert held is not None, f"{m.to} is sent a CANCEL for an event they never had"
            assert m.to.lower() in m.attendees
            calendar[m.uid] = Entry(CANCELLED, m.sequence)
        else:  # RFC 5546 §3.2.5: only the attendees listed are removed; it must list the recipient
            assert m.method == "CANCEL" and m.status is None
            assert held is not None and m.attendees == {m.to.lower()}, m
            calendar[m.uid] = Entry(CANCELLED, m.sequence)
    return calendars


def expected(interview: Interview) -> dict[str, Entry]:
    """What the database says each current party's calendar must hold (sequence not compared)."""
    candidate = interview.application.candidate.email.lower()
    if interview.status != Interview.SCHEDULED:
        return {candidate: Entry(CANCELLED, 0)}
    panel = frozenset(a.interviewer.user.email.lower() for a in interview.active_assignments)
    entries = {candidate: Entry(ACTIVE, 0, interview.start_at, interview.end_at,
                                frozenset({candidate}))}
    # A panel member's copy lists the panel only: interviewers do not receive the candidate's
    # email address (least access, DESIGN.md §7).
    for person in panel:
        entries[person] = Entry(ACTIVE, 0, interview.start_at, interview.end_at, panel)
    return entries


def assert_calendars_match(db, interview: Interview) -> dict[str, dict[str, Entry]]:
    """Replay every message and compare each person's calendar with the database."""
    db.session.refresh(interview)
    calendars = replay(_messages(db))
    wanted = expected(interview)
    for person, entry in wanted.items():
        held = calendars.get(person, {}).get(interview.calendar_uid)
        assert held is not None, f"{person} was never invited"
        assert (held.state, held.start, held.end, held.attendees) == \
            (entry.state, entry.start, entry.end, entry.attendees), person
    # Everyone else who was ever invited holds nothing live: no phantom events.
    for person, events in calendars.items():
        if person not in wanted:
            assert events[interview.calendar_uid].state == CANCELLED, person
    return calendars


def _new(db, before: int) -> list[Received]:
    return _messages(db)[before:]


def _by_recipient(messages: list[Received]) -> dict[str, tuple[str, str | None, frozenset]]:
    found = {}
    for m in messages:
        assert m.to not in found, f"{m.to} got two messages for one change"
        found[m.to] = (m.method, m.status, m.attendees)
    return found


def test_book_reschedule_with_new_panel_swap_cancel_leaves_no_phantom_events(db, now):
    (alice, bob, carol, dave), requisition, [application] = booking_world(
        interviewers=4, panel_size=2)
    coordinator = f.make_user(roles=("coordinator",), language="en")
    alice.user.language = "en"
    db.session.commit()
    candidate = application.candidate.email
    a, b, c, d = (p.user.email for p in (alice, bob, carol, dave))

    interview = book_interview(coordinator, application, requisition.stages[0], WORKDAY_10,
                               [alice.id, bob.id], now)
    db.session.commit()
    uid = interview.calendar_uid
    booked = _messages(db)
    assert _by_recipient(booked) == {
        candidate: ("REQUEST", "CONFIRMED", {candidate}),
        a: ("REQUEST", "CONFIRMED", {a, b}),
        b: ("REQUEST", "CONFIRMED", {a, b})}
    assert {(m.uid, m.sequence) for m in booked} == {(uid, 0)}
    assert_calendars_match(db, interview)

    # The coordinator moves it three hours on, with Carol instead of Bob.
    mark = len(_messages(db))
    reschedule_interview(coordinator, interview, WORKDAY_10 + 3 * HOUR, now,
                         panels=[[alice.id, carol.id]])
    db.session.commit()
    moved = _new(db, mark)
    assert _by_recipient(moved) == {
        candidate: ("REQUEST", "CONFIRMED", {candidate}),
        a: ("REQUEST", "CONFIRMED", {a, c}),
        b: ("CANCEL", None, {b}),  # an uninvite: Bob only, the interview goes on
        c: ("REQUEST", "CONFIRMED", {a, c})}
    assert {(m.uid, m.sequence) for m in moved} == {(uid, 1)}
    calendars = assert_calendars_match(db, interview)
    assert calendars[b][uid].state == CANCELLED
    assert [m.start for m in moved if m.method == "REQUEST"] == [WORKDAY_10 + 3 * HOUR] * 3
    # Carol joins now: hers is an invitation, not an update of one she never had.
    [carol_mail] = [m for m in moved if m.to == c]
    assert carol_mail.subject.startswith("面试邀请：")  # "Invitation: …", not "Updated: …"

    # Alice cannot make it: Dave takes her seat.
    mark = len(_messages(db))
    swap_interviewer(coordinator, interview, alice.id, dave.id, now)
    db.session.commit()
    swapped = _by_recipient(_new(db, mark))
    assert {k: v for k, v in swapped.items() if k != candidate} == {
        a: ("CANCEL", None, {a}),
        c: ("REQUEST", "CONFIRMED", {c, d}),
        d: ("REQUEST", "CONFIRMED", {c, d})}
    assert_calendars_match(db, interview)

    # Cancelled: the current panel and the candidate each get the whole-event CANCEL, listing
    # everyone their copy listed; Alice and Bob, already off it, get nothing more.
    mark = len(_messages(db))
    cancel_interview(coordinator, interview, now, reason="position filled")
    db.session.commit()
    cancelled = _new(db, mark)
    assert _by_recipient(cancelled) == {
        candidate: ("CANCEL", "CANCELLED", {candidate}),
        c: ("CANCEL", "CANCELLED", {c, d}),
        d: ("CANCEL", "CANCELLED", {c, d})}
    assert {(m.uid, m.sequence) for m in cancelled} == {(uid, interview.sequence)}
    calendars = assert_calendars_match(db, interview)
    assert set(calendars) == {candidate, a, b, c, d}
    assert all(events[uid].state == CANCELLED for events in calendars.values())


def test_a_candidates_move_with_a_fresh_panel_uninvites_the_old_one(db, now):
    (alice, bob, carol), requisition, [application] = booking_world(interviewers=3)
    coordinator = f.make_user(roles=("coordinator",), language="en")
    db.session.commit()
    link, _ = create_link(coordinator, application, requisition.stages[:1], 0, now + 24 * 7 * HOUR,
                          now)
    [interview] = book_from_link(link, WORKDAY_10, now, notice_version=NOTICE)
    db.session.commit()
    [first] = [a.interviewer for a in interview.active_assignments]
    # The first panel member is busy at the time the candidate moves to: the search picks
    # someone else.
    later = next(s.start_at for s in available_slots(link, now).slots
                 if s.start_at >= interview.end_at + HOUR)
    f.make_busy_block(f.make_calendar_source(first), later, later + HOUR)
    db.session.commit()
    mark = len(_messages(db))
    book_from_link(link, later, now, reason="a clash", notice_version=NOTICE)
    db.session.commit()
    [second] = [a.interviewer for a in interview.active_assignments]
    assert second.id != first.id
    candidate = application.candidate.email
    old, new = first.user.email, second.user.email
    assert _by_recipient(_new(db, mark)) == {
        candidate: ("REQUEST", "CONFIRMED", {candidate}),
        old: ("CANCEL", None, {old}),
        new: ("REQUEST", "CONFIRMED", {new})}
    calendars = assert_calendars_match(db, interview)
    assert calendars[old][interview.calendar_uid].state == CANCELLED


def test_a_cancel_lists_the_panel_as_it_was_and_keeps_its_lines_in_the_email(db, now):
    (alice, bob, _), requisition, [application] = booking_world(panel_size=2)
    alice.user.language = "en"
    alice.user.name, bob.user.name = "Alice Ng", "Bob Tan"
    application.candidate.language = "en"
    db.session.commit()
    interview = book_interview("coordinator", application, requisition.stages[0], WORKDAY_10,
                               [alice.id, bob.id], now)
    db.session.commit()
    mark = len(_messages(db))
    cancel_interview("coordinator", interview, now)
    db.session.commit()
    by_person = {m.to: m for m in _new(db, mark)}
    candidate = application.candidate.email
    panel = {alice.user.email, bob.user.email}
    for person in (alice, bob):
        mail = by_person[person.user.email]
        assert (mail.method, mail.status, mail.attendees) == ("CANCEL", "CANCELLED", panel)
    # The interviewer's email still says who was on the panel, as the invite did.
    text = by_person[alice.user.email].text
    assert "Alice Ng:" in text and "Bob Tan:" in text
    mail = by_person[candidate]
    assert (mail.method, mail.status, mail.attendees) == ("CANCEL", "CANCELLED", {candidate})
    assert "Alice Ng" not in mail.text and "Bob Tan" not in mail.text
    assert_calendars_match(db, interview)


def test_a_swap_of_the_lead_updates_the_candidate_when_their_video_room_changes(db, now):
    (alice, bob, carol), requisition, [application] = booking_world(panel_size=2)
    for person in (alice, bob, carol):
        person.video_room_url = f"https://meet.example.com/{person.id}"
    db.session.commit()
    interview = book_interview("coordinator", application, requisition.stages[0], WORKDAY_10,
                               [alice.id, bob.id], now)
    db.session.commit()
    candidate = application.candidate.email
    mark = len(_messages(db))
    swap_interviewer("coordinator", interview, bob.id, carol.id, now)  # not the lead
    db.session.commit()
    assert candidate not in {m.to for m in _new(db, mark)}
    mark = len(_messages(db))
    swap_interviewer("coordinator", interview, alice.id, bob.id, now)  # the lead: a new room
    db.session.commit()
    [update] = [m for m in _new(db, mark) if m.to == candidate]
    assert update.method == "REQUEST" and update.sequence == interview.sequence
    assert_calendars_match(db, interview)


def test_the_removed_peoples_mail_says_they_are_off_the_panel_not_that_it_is_cancelled(db, now):
    (alice, bob, carol, dave), requisition, [application] = booking_world(
        interviewers=4, panel_size=2)
    alice.user.language, bob.user.language = "zh", "en"
    db.session.commit()
    interview = book_interview("coordinator", application, requisition.stages[0], WORKDAY_10,
                               [alice.id, bob.id], now)
    db.session.commit()
    mark = len(_messages(db))
    reschedule_interview("coordinator", interview, WORKDAY_10 + HOUR, now,
                         panels=[[carol.id, dave.id]])
    db.session.commit()
    mails = {m.to: m for m in _new(db, mark)}
    zh, en = mails[alice.user.email], mails[bob.user.email]
    # They had it at 10:00: their mail and their CANCEL speak of the time they had.
    for mail in (zh, en):
        assert (mail.method, mail.start, mail.end) == ("CANCEL", WORKDAY_10, WORKDAY_10 + HOUR)
    assert "no longer on the panel" in en.text and "has been cancelled" not in en.text
    assert en.subject.startswith("No longer on the panel:")
    assert "不再" in zh.text and "已取消" not in zh.text + zh.subject
