"""Interview reminders: rows with a due time that the job process turns into outbox mail once.

A reminder is unique per interview, kind and recipient. Booking creates them, a reschedule
moves them (and re-arms one already sent for the old time), a cancellation drops the ones not
yet sent. A reminder that would be due at or before the booking is not created: an interview
booked three hours ahead gets only the one-hour reminder.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import Interview, Reminder

REMINDER_OFFSETS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}


def reminder_recipients(interview: Interview) -> list[str]:
    """Return who is reminded: the candidate and every active panel member."""
    panel = [a.interviewer.user.email for a in interview.active_assignments]
    return [interview.application.candidate.email, *panel]


def schedule_reminders(interview: Interview, now: datetime) -> None:
    """Create or move this interview's reminders to match its time and panel."""
    existing = {(r.kind, r.recipient): r for r in db.session.scalars(
        sa.select(Reminder).where(Reminder.interview_id == interview.id))}
    wanted = set()
    for recipient in reminder_recipients(interview):
        for kind, offset in REMINDER_OFFSETS.items():
            due_at = interview.start_at - offset
            if due_at <= now:
                continue
            wanted.add((kind, recipient))
            row = existing.get((kind, recipient))
            if row is None:
                db.session.add(Reminder(interview_id=interview.id, kind=kind,
                                        recipient=recipient, due_at=due_at))
            elif row.due_at != due_at:
                # Moved: a reminder already sent for the old time is armed again.
                row.due_at = due_at
                row.enqueued_at = None
                row.outbox_message_id = None
    for key, row in existing.items():
        if key not in wanted and row.enqueued_at is None:
            db.session.delete(row)
    db.session.flush()


def drop_reminders(interview: Interview) -> None:
    """Delete this interview's reminders that have not been sent (it was cancelled)."""
    db.session.execute(sa.delete(Reminder).where(
        Reminder.interview_id == interview.id, Reminder.enqueued_at.is_(None)))


def due_reminder_ids(now: datetime, limit: int = 100) -> list[int]:
    """Return ids of reminders due now for interviews still scheduled."""
    return db.session.scalars(
        sa.select(Reminder.id).join(Interview, Interview.id == Reminder.interview_id)
        .where(Reminder.due_at <= now, Reminder.enqueued_at.is_(None),
               Interview.status == "scheduled", Interview.start_at > now)
        .order_by(Reminder.due_at, Reminder.id).limit(limit)
    ).all()


def enqueue_reminder(reminder_id: int, now: datetime) -> bool:
    """Claim one due reminder and write its outbox row; False when someone else claimed it."""
    from scheduler.services.invites import build_reminder_message
    from scheduler.services.outbox import enqueue_email

    # The claim comes first in the transaction: on SQLite it takes the write lock, on
    # PostgreSQL the row lock; whoever comes second matches no row.
    claimed = db.session.execute(
        sa.update(Reminder).where(Reminder.id == reminder_id, Reminder.enqueued_at.is_(None))
        .values(enqueued_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1
    if not claimed:
        return False
    reminder = db.session.get(Reminder, reminder_id)
    db.session.refresh(reminder)
    message = build_reminder_message(reminder, now)
    row = enqueue_email(message, kind=f"reminder_{reminder.kind}", now=now,
                        interview_id=reminder.interview_id)
    reminder.outbox_message_id = row.id
    db.session.flush()
    return True
