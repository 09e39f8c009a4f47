"""Reminder kinds are declared in one registry: anchor, before or after, offset, recipients and
builder. A kind that fires after the interview's end (a feedback nudge) needs only an entry."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from scheduler.jobs import enqueue_reminders
from scheduler.models import OutboxMessage, Reminder
from scheduler.services import feedback_nudges, invites, reminders
from scheduler.services.booking import book_interview, cancel_interview
from scheduler.services.emails import StableId, compose_and_enqueue
from scheduler.services.reminders import REMINDER_KINDS, ReminderKind
from tests.services.booking_setup import WORKDAY_10, booking_world

HOUR = timedelta(hours=1)


def _panel(interview):
    return [invites.panel_recipient(a.interviewer) for a in interview.active_assignments]


def _nudge(kind, interview, recipient, now):
    return compose_and_enqueue(
        "reminder", to_addr=recipient.email, language=recipient.language, subject="Feedback due",
        context=dict(interview=interview, recipient=recipient, summary="s", when="w",
                     location="", time_lines=[]),
        stable_id=StableId(interview.calendar_uid, kind=kind.name), kind=f"reminder_{kind.name}",
        now=now, interview_id=interview.id)


AFTER_THE_END = ReminderKind("nudge", anchor="end_at", offset=2 * HOUR, is_before=False,
                             recipients=_panel, build=_nudge)


def test_the_interview_reminders_fire_before_the_start_for_everyone():
    assert {name: (k.anchor, k.offset, k.is_before, k.recipients)
            for name, k in REMINDER_KINDS.items() if k.subject == "interview"} == {
        "24h": ("start_at", 24 * HOUR, True, invites.everyone),
        "1h": ("start_at", HOUR, True, invites.everyone),
        # The feedback nudges fire after the end, by the stage's hours (feedback_nudges.py).
        "feedback_due": ("end_at", feedback_nudges.due_offset, False,
                         feedback_nudges.authors_owing),
        "feedback_overdue": ("end_at", feedback_nudges.overdue_offset, False,
                             feedback_nudges.authors_owing_and_coordinators)}


def test_a_kind_after_the_end_is_scheduled_and_sent_with_no_other_change(db, now, monkeypatch):
    monkeypatch.setitem(REMINDER_KINDS, AFTER_THE_END.name, AFTER_THE_END)
    (alice, *_), requisition, [application] = booking_world()
    interview = book_interview("test", application, requisition.stages[0], WORKDAY_10,
                               [alice.id], now)
    db.session.commit()
    nudge = db.session.scalars(sa.select(Reminder).where(Reminder.kind == "nudge")).one()
    assert (nudge.recipient, nudge.due_at) == (alice.user.email, interview.end_at + 2 * HOUR)
    # After the interview the before-start kinds are past their anchor: only the nudge goes out.
    assert reminders.due_reminder_ids(interview.end_at + 2 * HOUR) == [nudge.id]
    assert enqueue_reminders(interview.end_at + 2 * HOUR) == {"enqueued": 1}
    row = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.kind == "reminder_nudge")).one()
    assert (row.to_addr, row.subject, row.interview_id) == (alice.user.email, "Feedback due",
                                                            interview.id)


def test_a_cancelled_interview_drops_every_kind(db, now, monkeypatch):
    monkeypatch.setitem(REMINDER_KINDS, AFTER_THE_END.name, AFTER_THE_END)
    (alice, *_), requisition, [application] = booking_world()
    interview = book_interview("test", application, requisition.stages[0], WORKDAY_10,
                               [alice.id], now)
    cancel_interview("test", interview, now)
    db.session.commit()
    assert db.session.scalars(sa.select(Reminder)).all() == []
