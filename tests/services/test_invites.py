"""Invites end to end: booking changes -> outbox -> real SMTP, parsed back by two parsers."""
from __future__ import annotations

import email
from datetime import timedelta
from email import policy

import caldav
import pytest
import sqlalchemy as sa
import vobject
from icalendar import Calendar

from scheduler.jobs import send_outbox
from scheduler.mail import SmtpTransport
from scheduler.models import OutboxMessage
from scheduler.services.booking import (
    book_interview, cancel_interview, reschedule_interview, swap_interviewer,
)
from tests.radicale_server import RadicaleServer
from tests.services.booking_setup import WORKDAY_10, booking_world
from tests.smtp_server import SmtpTestServer


def _calendar_part(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def _attendees(message) -> list[str]:
    event = Calendar.from_ical(_calendar_part(message).get_payload(decode=True)).walk("VEVENT")[0]
    found = event.get("ATTENDEE", [])
    return sorted(str(a) for a in (found if isinstance(found, list) else [found]))


def _messages_to(db, address):
    rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_addr == address)
                              .order_by(OutboxMessage.id)).all()
    return [email.message_from_bytes(r.raw_message, policy=policy.default) for r in rows]


@pytest.fixture
def lifecycle(db, now):
    """Book, reschedule, swap a panel member, cancel: one interview's whole life."""
    (alice, bob, carol), requisition, [application] = booking_world(panel_size=2)
    interview = book_interview("coordinator", application, requisition.stages[0], WORKDAY_10,
                               [alice.id, bob.id], now)
    db.session.commit()
    reschedule_interview("coordinator", interview, WORKDAY_10 + timedelta(hours=3), now)
    db.session.commit()
    swap_interviewer("coordinator", interview, bob.id, carol.id, now)
    db.session.commit()
    cancel_interview("coordinator", interview, now)
    db.session.commit()
    return interview, alice, bob, carol, application.candidate


def test_one_uid_rising_sequence_matching_methods_two_parsers(db, lifecycle, tmp_path):
    interview, alice, *_ = lifecycle
    messages = _messages_to(db, alice.user.email)
    seen = []
    for message in messages:
        part = _calendar_part(message)
        raw = part.get_payload(decode=True)
        calendar = Calendar.from_ical(raw)
        event = calendar.walk("VEVENT")[0]
        assert part.get_param("method") == str(calendar["METHOD"])
        parsed = vobject.readOne(raw.decode("utf-8"))
        assert parsed.vevent.dtstart.value == event.start == event["DTSTART"].dt
        assert parsed.vevent.dtend.value == event.end
        seen.append((str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]),
                     event.start))
    moved = WORKDAY_10 + timedelta(hours=3)
    assert seen == [("REQUEST", interview.calendar_uid, 0, WORKDAY_10),
                    ("REQUEST", interview.calendar_uid, 1, moved),
                    ("REQUEST", interview.calendar_uid, 2, moved),
                    ("CANCEL", interview.calendar_uid, 3, moved)]
    assert all(start.utcoffset() == timedelta(0) for *_, start in seen)

    # Each REQUEST, without METHOD, is a valid calendar object for a CalDAV server.
    with RadicaleServer(tmp_path / "radicale") as server:
        client = caldav.DAVClient(url=server.url, username="alice", password="x")
        store = client.principal().make_calendar(name="Interviews")
        for message in messages[:3]:
            calendar = Calendar.from_ical(_calendar_part(message).get_payload(decode=True))
            del calendar["METHOD"]
            store.add_event(calendar.to_ical().decode(), increase_seqno=False)
        [stored] = store.get_events()
        event = Calendar.from_ical(stored.data).walk("VEVENT")[0]
        assert (str(event["UID"]), int(event["SEQUENCE"]), event.start) == \
            (interview.calendar_uid, 2, moved)


def test_removed_interviewer_gets_a_cancel_the_rest_an_update(db, lifecycle):
    interview, alice, bob, carol, _ = lifecycle
    bob_methods = [str(Calendar.from_ical(_calendar_part(m).get_payload(decode=True))["METHOD"])
                   for m in _messages_to(db, bob.user.email)]
    # Bob left the panel before the cancellation, so he gets no second CANCEL.
    assert bob_methods == ["REQUEST", "REQUEST", "CANCEL"]
    carol_methods = [str(Calendar.from_ical(_calendar_part(m).get_payload(decode=True))["METHOD"])
                     for m in _messages_to(db, carol.user.email)]
    assert carol_methods == ["REQUEST", "CANCEL"]


def test_through_smtp_alternatives_attachment_language_and_no_panel_for_candidate(db, now):
    (alice, bob, _), requisition, [application] = booking_world(panel_size=2)
    application.candidate.language = "zh"
    alice.user.language = "en"
    db.session.commit()
    book_interview("coordinator", application, requisition.stages[0], WORKDAY_10,
                   [alice.id, bob.id], now)
    db.session.commit()
    with SmtpTestServer() as server:
        assert send_outbox(now, SmtpTransport.from_url(server.url))["sent"] == 3
        received = {m.rcpt_tos[0]: m.message for m in server.messages}
    candidate_copy = received[application.candidate.email]
    assert candidate_copy["To"] == application.candidate.email
    [body, attachment] = candidate_copy.get_payload()
    assert [p.get_content_type() for p in body.get_payload()] == \
        ["text/plain", "text/html", "text/calendar"]
    assert attachment.get_filename() == "invite.ics"
    text = body.get_payload()[0].get_content()
    assert "面试" in str(candidate_copy["Subject"]) and "北京时间" in text
    everything = candidate_copy.as_string() + "".join(
        p.get_payload(decode=True).decode("utf-8", "replace") for p in candidate_copy.walk()
        if not p.is_multipart())
    for member in (alice, bob):
        assert member.user.email not in everything
        assert member.user.name not in everything
    assert _attendees(candidate_copy) == [f"mailto:{application.candidate.email}"]
    # The interviewer's copy lists the panel and names the candidate (not their address), in
    # English.
    alice_copy = received[alice.user.email]
    assert _attendees(alice_copy) == sorted(
        f"mailto:{e}" for e in (alice.user.email, bob.user.email))
    assert str(alice_copy["Subject"]).startswith("Invitation")


def _everything(message) -> str:
    """Return every header and every decoded part of *message*, as text."""
    return message.as_string() + "".join(
        part.get_payload(decode=True).decode("utf-8", "replace") for part in message.walk()
        if not part.is_multipart())


def test_no_interviewers_copy_carries_the_candidates_email_address(db, lifecycle):
    """Least access (issue 24, DESIGN.md §7): every copy of every message of an interview's
    life to its panel — invitation, update, uninvite, cancellation — names the candidate in its
    summary and description, and holds their email address nowhere; the candidate's copies
    still list them."""
    interview, alice, bob, carol, candidate = lifecycle
    rows = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.interview_id == interview.id).order_by(OutboxMessage.id)).all()
    panel_copies = [r for r in rows if r.to_addr != candidate.email]
    assert {r.to_addr for r in panel_copies} == {alice.user.email, bob.user.email,
                                                  carol.user.email}
    assert len(panel_copies) >= 7    # 3 invitations, updates, 1 uninvite, 2 cancellations
    for row in panel_copies:
        message = email.message_from_bytes(row.raw_message, policy=policy.default)
        assert candidate.email.lower() not in _everything(message).lower(), row.kind
        event = Calendar.from_ical(_calendar_part(message).get_payload(decode=True)
                                   ).walk("VEVENT")[0]
        assert candidate.name in str(event["SUMMARY"])
        assert candidate.name in str(event["DESCRIPTION"])
        assert f"mailto:{candidate.email}" not in _attendees(message)
    candidate_copies = [r for r in rows if r.to_addr == candidate.email]
    assert candidate_copies
    for row in candidate_copies:
        message = email.message_from_bytes(row.raw_message, policy=policy.default)
        assert _attendees(message) == [f"mailto:{candidate.email}"]
