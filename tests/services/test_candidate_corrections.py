"""Correcting a candidate and adding them to another requisition (services/candidates.py), and
their failed mail sent again to the corrected address through a real SMTP server."""
from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from scheduler.jobs import send_outbox
from scheduler.mail import SmtpTransport
from scheduler.models import Application, AuditEvent, Candidate, OutboxMessage, Reminder
from scheduler.services.booking import book_interview
from scheduler.services.candidates import (
    CandidateInputError, add_application, candidate_failed_mail, other_applications,
    update_candidate,
)
from scheduler.services.outbox import resend_message
from tests import factories as f
from tests.services.booking_setup import WORKDAY_10, booking_world
from tests.smtp_server import SmtpTestServer

GOOD = dict(name="Mei Lin", email="mei.lin@example.org", phone="+44 20 7946 0000",
            zone="Europe/London", language="en")


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _events(db, action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_an_update_writes_the_changed_fields_and_an_audit_row(app, db, now):
    candidate = f.make_candidate(email="old@example.org", zone="Asia/Shanghai", language="zh")
    f.make_application(candidate=candidate)  # a candidate is seen through an application
    coordinator = f.make_user(roles=("coordinator",))
    db.session.commit()
    changes = update_candidate(coordinator, candidate, now=now,
                               **GOOD | {"zone": "Asia/Calcutta", "email": "Mei.Lin@Example.ORG"})
    assert (candidate.name, candidate.email, candidate.zone, candidate.language) == \
        ("Mei Lin", "Mei.Lin@example.org", "Asia/Kolkata", "en")  # zone canonicalised
    assert set(changes) == {"name", "email", "phone", "zone", "language"}
    [event] = _events(db, "candidate.updated")
    assert (event.actor_user_id, event.object_type, event.object_id) == \
        (coordinator.id, "candidate", candidate.id)
    assert event.before["email"] == "old@example.org"
    assert event.after["email"] == "Mei.Lin@example.org"
    db.session.commit()
    # The same values again change nothing and write no event.
    assert update_candidate(coordinator, candidate, now=now, **GOOD | {
        "zone": "Asia/Kolkata", "email": "Mei.Lin@example.org"}) == {}
    assert len(_events(db, "candidate.updated")) == 1


@pytest.mark.parametrize("overrides, fields", [
    ({"name": "  "}, ["name"]),
    ({"name": "x" * 101}, ["name"]),
    ({"email": "mei.lin@"}, ["email"]),
    ({"email": ""}, ["email"]),
    ({"phone": "1" * 41}, ["phone"]),
    ({"zone": "Asia/Beijing"}, ["zone"]),
    ({"language": "fr"}, ["language"]),
    ({"name": "", "zone": "Mars/Base", "language": "de"}, ["name", "zone", "language"]),
])
def test_bad_values_are_refused_per_field_and_nothing_is_written(app, db, now, overrides,
                                                                  fields):
    candidate = f.make_candidate(**GOOD)
    f.make_application(candidate=candidate)  # a candidate is seen through an application
    coordinator = f.make_user(roles=("coordinator",))
    db.session.commit()
    with pytest.raises(CandidateInputError) as raised:
        update_candidate(coordinator, candidate, now=now, **GOOD | {"name": "Changed"} | overrides)
    assert [r.field for r in raised.value.refusals] == fields
    assert all(r.message for r in raised.value.refusals)
    db.session.rollback()
    db.session.refresh(candidate)
    assert candidate.name == "Mei Lin" and _count(db, AuditEvent) == 0


def test_an_email_another_candidate_has_is_refused_but_ones_own_is_not(app, db, now):
    f.make_candidate(email="taken@example.org")
    candidate = f.make_candidate(**GOOD)
    f.make_application(candidate=candidate)  # a candidate is seen through an application
    coordinator = f.make_user(roles=("coordinator",))
    db.session.commit()
    with pytest.raises(CandidateInputError) as raised:
        update_candidate(coordinator, candidate, now=now, **GOOD | {"email": "TAKEN@example.org"})
    assert (raised.value.code, raised.value.field) == ("email_taken", "email")
    # Its own address in other letters is not "taken".
    update_candidate(coordinator, candidate, now=now, **GOOD | {"email": "MEI.LIN@example.org"})


def test_adding_a_known_candidate_to_another_requisition_and_refusing_a_second(app, db, now):
    first = f.make_application(candidate=f.make_candidate(**GOOD))
    other = f.make_requisition(title_en="Data Engineer", stages=[{}, {"name_en": "Second"}])
    closed_to = f.make_requisition(title_en="Closed later")
    f.make_application(candidate=first.candidate, requisition=closed_to, status="rejected")
    coordinator = f.make_user(roles=("coordinator",))
    db.session.commit()
    application = add_application(coordinator, first.candidate, requisition_id=other.id,
                                  level="mid", now=now)
    assert (application.candidate_id, application.status, application.current_stage_id) == \
        (first.candidate_id, "active", other.stages[0].id)
    [event] = _events(db, "application.created")
    assert (event.actor_user_id, event.object_id, event.after["existing_candidate"]) == \
        (coordinator.id, application.id, True)
    db.session.commit()
    assert {a.id for a in other_applications(application, coordinator)} == \
        {first.id} | {a.id for a in first.candidate.applications if a.requisition is closed_to}

    for requisition, code in ((other, "already_open"), (closed_to, "already_applied")):
        with pytest.raises(CandidateInputError) as raised:
            add_application(coordinator, first.candidate, requisition_id=requisition.id,
                            level="mid", now=now)
        assert (raised.value.code, raised.value.field) == (code, "requisition_id")
    with pytest.raises(CandidateInputError) as raised:
        add_application(coordinator, first.candidate, requisition_id=other.id,
                        level="principal", now=now)
    assert [r.code for r in raised.value.refusals] == ["already_open", "bad_level"] or \
        [r.code for r in raised.value.refusals] == ["bad_level", "already_open"]
    db.session.rollback()
    assert _count(db, Application) == 3 and _count(db, Candidate) == 1


@pytest.fixture
def smtp():
    with SmtpTestServer() as server:
        yield server


def _parsed(received):
    return email.message_from_bytes(received.data, policy=email.policy.default)


def _attendees(message) -> list[str]:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            calendar = Calendar.from_ical(part.get_payload(decode=True))
            [event] = calendar.walk("VEVENT")
            listed = event.get("ATTENDEE")
            return [str(a).lower() for a in (listed if isinstance(listed, list) else [listed])]
    return []


def test_failed_mail_sent_again_after_an_address_change_reaches_the_new_address(app, db, now,
                                                                                   smtp):
    people, requisition, [application] = booking_world(interviewers=1)
    candidate = application.candidate
    old = candidate.email
    coordinator = f.make_user(roles=("coordinator",))
    interview = book_interview(coordinator, application, requisition.stages[0], WORKDAY_10,
                               [people[0].id], now)
    db.session.commit()
    transport = SmtpTransport.from_url(smtp.url)
    smtp.refuse("550 5.1.1 No such user", address=old)
    counts = send_outbox(now, transport)
    assert counts["failed"] == 1 and counts["sent"] >= 1  # the interviewer's copy went
    [failed] = candidate_failed_mail(candidate)
    assert failed.to_addr == old and failed.interview_id == interview.id
    reminders_before = db.session.scalars(sa.select(Reminder).where(
        Reminder.recipient == old)).all()
    assert reminders_before

    update_candidate(coordinator, candidate, now=now, name=candidate.name,
                     email="mei.new@example.org", phone=candidate.phone, zone=candidate.zone,
                     language=candidate.language)
    db.session.commit()
    # The change sent nothing by itself; the failed mail is still this candidate's, and the
    # reminders not yet sent follow the new address.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.failed_at.is_(None), OutboxMessage.sent_at.is_(None))) == 0
    assert candidate_failed_mail(candidate) == [failed]
    assert {r.recipient for r in db.session.scalars(sa.select(Reminder).where(
        Reminder.id.in_([r.id for r in reminders_before])))} == {"mei.new@example.org"}

    later = now + timedelta(minutes=10)
    resend_message(coordinator, failed, later, to_addr=candidate.email)
    db.session.commit()
    delivered_before = len(smtp.messages)
    assert send_outbox(later, transport)["sent"] == 1
    [received] = smtp.messages[delivered_before:]
    assert list(received.rcpt_tos) == ["mei.new@example.org"]
    message = _parsed(received)
    assert message["To"] == "mei.new@example.org"
    assert "mailto:mei.new@example.org" in _attendees(message)
    assert f"mailto:{old}".lower() not in _attendees(message)
    assert failed.to_addr == "mei.new@example.org" and candidate_failed_mail(candidate) == []
    [event] = _events(db, "outbox.resend")
    assert (event.before, event.after) == ({"to": old}, {"to": "mei.new@example.org"})
