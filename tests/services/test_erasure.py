"""Erasure on request (issue 25 item 3): the candidate's live interview is cancelled properly
first (the interviewers receive iTIP CANCELs through a real SMTP server), the erasure waits until
that mail has gone, and then no String, Text, JSON or binary column of any table holds their name,
email or phone in any form — MIME decoded, encoded-words, base64 and quoted-printable included.
The erasure is audited without the erased values."""
from __future__ import annotations

import email
import email.policy
import json

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from scheduler.extensions import db as _db
from scheduler.jobs import finish_erasures, send_outbox
from scheduler.mail import SmtpTransport
from scheduler.models import Application, AuditEvent, Candidate, Interview
from scheduler.services.booking import book_interview
from scheduler.services.candidates import update_candidate
from scheduler.services.decisions import record_decision
from scheduler.services.erasure import ErasureRefused, request_erasure
from tests import factories as f
from tests.services.booking_setup import WORKDAY_10, booking_world
from tests.smtp_server import SmtpTestServer

NAME = "蒋兰心 Lanxin Jiang"
EMAIL = "lanxin.jiang@example.cn"
PHONE = "+86 139 1234 5678"
OLD_EMAIL = "lanxin.old@example.cn"


def _readable(value) -> str:
    """Everything a person could read in a stored value, decoded independently of the app."""
    if isinstance(value, (bytes, memoryview)):
        raw = bytes(value)
        texts = [raw.decode("utf-8", "replace")]
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for part in message.walk():
            texts += [f"{k}: {v}" for k, v in part.items()]  # encoded-words decoded
            payload = part.get_payload(decode=True)  # base64 / quoted-printable decoded
            if isinstance(payload, bytes):
                texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
        return "\n".join(texts)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _traces(db, needles) -> list[tuple[str, str, str]]:
    """Search every String, Text, JSON and LargeBinary column of every table for *needles*."""
    found = []
    for table in _db.metadata.sorted_tables:
        columns = [c for c in table.columns
                   if isinstance(c.type, (sa.String, sa.JSON, sa.LargeBinary))]
        if not columns:
            continue
        for row in db.session.execute(sa.select(*columns)).all():
            for column, value in zip(columns, row):
                if value is None:
                    continue
                text = _readable(value).casefold()
                found += [(table.name, column.name, n) for n in needles if n.casefold() in text]
    return found


@pytest.fixture
def smtp():
    with SmtpTestServer() as server:
        yield server


def _calendar(received):
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            calendar = Calendar.from_ical(part.get_payload(decode=True))
            [event] = calendar.walk("VEVENT")
            return part.get_param("method"), calendar, event
    return None, None, None


def test_erasure_cancels_first_then_leaves_no_trace_anywhere(app, db, now, smtp):
    people, requisition, [application] = booking_world(interviewers=2, panel_size=2)
    candidate = application.candidate
    coordinator = f.make_user(roles=("coordinator",))
    update_candidate(coordinator, candidate, name=NAME, email=OLD_EMAIL, phone=PHONE,
                     zone=candidate.zone, language="zh", now=now)
    update_candidate(coordinator, candidate, name=NAME, email=EMAIL, phone=PHONE,
                     zone=candidate.zone, language="en", now=now)
    interview = book_interview(coordinator, application, requisition.stages[0], WORKDAY_10,
                               [p.id for p in people], now)
    f.make_link(application, candidate_note=f"This is {NAME}, call me on {PHONE}")
    # A closed application elsewhere, rejected with a note and a letter naming them.
    other = f.make_application(candidate=candidate, requisition=f.make_requisition())
    record_decision(coordinator, other, other.current_stage, outcome="reject",
                    reason_code="other", note=f"{NAME} ({EMAIL}) chose another offer",
                    is_override=True, override_reason="told us by phone",
                    tell_candidate=True, now=now)
    assert other.closed_at == now  # a rejection starts the retention clock
    db.session.commit()
    transport = SmtpTransport.from_url(smtp.url)
    assert send_outbox(now, transport)["sent"] >= 4
    assert _traces(db, [NAME, EMAIL, PHONE])  # the search can find them while they are there
    booked = len(smtp.messages)

    cancelled = request_erasure(coordinator, candidate, now)
    db.session.commit()
    assert [i.id for i in cancelled] == [interview.id]
    with pytest.raises(ErasureRefused):
        request_erasure(coordinator, candidate, now)
    db.session.rollback()
    # The CANCELs are still in the outbox: nothing is erased yet.
    assert finish_erasures(now) == {"erased": 0, "waiting": 1}
    assert db.session.get(Candidate, candidate.id).name == NAME

    assert send_outbox(now, transport)["sent"] >= 3
    cancels = smtp.messages[booked:]
    to_panel = {p.user.email for p in people}
    panel_cancels = [m for m in cancels if set(m.rcpt_tos) & to_panel]
    assert {r for m in panel_cancels for r in m.rcpt_tos} == to_panel
    for received in panel_cancels:
        method, calendar, event = _calendar(received)
        assert method == "CANCEL" and str(calendar.get("METHOD")) == "CANCEL"
        assert str(event.get("STATUS")) == "CANCELLED"
        assert str(event.get("UID")) == interview.calendar_uid
        assert int(event.get("SEQUENCE")) == 1

    assert finish_erasures(now) == {"erased": 1, "waiting": 0}
    assert _traces(db, [NAME, EMAIL, PHONE, OLD_EMAIL, "蒋兰心", "Lanxin"]) == []
    # Scores, times and statuses stay; the interview is cancelled, the applications closed.
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).status == Interview.CANCELLED
    assert {a.status for a in db.session.scalars(sa.select(Application).where(
        Application.candidate_id == candidate.id))} == {"withdrawn", "rejected"}
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "candidate", AuditEvent.object_id == candidate.id,
        AuditEvent.action.in_(("candidate.erasure_requested", "candidate.erased")))
        .order_by(AuditEvent.id)).all()  # PostgreSQL returns rows in no set order otherwise
    assert [(e.action, e.before, e.after, e.actor_user_id) for e in events] == [
        ("candidate.erasure_requested", None, None, coordinator.id),
        ("candidate.erased", None, None, None)]
    assert finish_erasures(now) == {"erased": 0, "waiting": 0}


def test_only_staff_may_erase_and_nothing_is_written_when_refused(app, db, now):
    interviewer = f.make_user(roles=("interviewer",))
    candidate = f.make_candidate()
    f.make_application(candidate=candidate)
    db.session.commit()
    with pytest.raises(ErasureRefused) as raised:
        request_erasure(interviewer, candidate, now)
    assert raised.value.code == "not_allowed"
    db.session.rollback()
    assert db.session.get(Candidate, candidate.id).erasure_requested_at is None


def test_a_coordinator_who_does_not_see_every_application_may_not_erase(app, db, now):
    # An erasure cancels and scrubs every application: one seen through another opening is not
    # theirs to erase (least access, issue 24 item 4); an admin may.
    lin, max_ = (f.make_user(roles=("coordinator",)) for _ in range(2))
    admin = f.make_user(roles=("admin",))
    candidate = f.make_candidate(name="Bo Birch")
    theirs, others = f.make_requisition(), f.make_requisition()
    f.coordinate(lin, theirs)
    f.coordinate(max_, others)
    for requisition in (theirs, others):
        f.make_application(candidate=candidate, requisition=requisition)
    db.session.commit()
    with pytest.raises(ErasureRefused) as raised:
        request_erasure(lin, candidate, now)
    assert raised.value.code == "not_all_yours"
    assert "Bo Birch also applied to an opening you do not coordinate" in raised.value.message
    db.session.rollback()
    assert db.session.get(Candidate, candidate.id).erasure_requested_at is None
    request_erasure(admin, candidate, now)
    assert candidate.erasure_requested_at == now
