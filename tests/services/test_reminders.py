"""Reminders: created with a booking, moved by a reschedule, dropped by a cancellation, and
turned into outbox mail exactly once even with two job processes."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from scheduler.jobs import enqueue_reminders
from scheduler.models import OutboxMessage, Reminder
from scheduler.services.booking import book_interview, cancel_interview, reschedule_interview
from tests.dbutil import subprocess_environment
from tests.services.booking_setup import WORKDAY_10, booking_world, first_workday_at

HOUR = timedelta(hours=1)


def _reminders(db, interview):
    return sorted((r.kind, r.recipient, r.due_at) for r in db.session.scalars(
        sa.select(Reminder).where(Reminder.interview_id == interview.id)))


def test_booked_three_hours_ahead_gets_only_the_one_hour_reminder(db):
    (alice, *_), requisition, [application] = booking_world()
    booked_at = WORKDAY_10 - 3 * HOUR
    interview = book_interview("test", application, requisition.stages[0], WORKDAY_10,
                               [alice.id], booked_at)
    db.session.commit()
    assert {kind for kind, *_ in _reminders(db, interview)} == {"1h"}


def test_reschedule_moves_and_cancel_drops(db, now):
    # 10:00 on a workday more than 24 hours away whose next day is a workday too.
    start = first_workday_at("10:00", next_day_too=True)
    (alice, *_), requisition, [application] = booking_world()
    interview = book_interview("test", application, requisition.stages[0], start,
                               [alice.id], now)
    db.session.commit()
    # The 24-hour reminder goes out, then the interview moves a day later.
    sent_at = start - 24 * HOUR
    assert enqueue_reminders(sent_at) == {"enqueued": 2}
    reschedule_interview("test", interview, start + 24 * HOUR, sent_at)
    db.session.commit()
    moved = _reminders(db, interview)
    assert {due for *_, due in moved} == {start, start + 23 * HOUR}
    assert all(r.enqueued_at is None for r in db.session.scalars(sa.select(Reminder)))
    # Nothing is due at the old time any more.
    assert enqueue_reminders(start - HOUR) == {"enqueued": 0}
    cancel_interview("test", interview, sent_at)
    db.session.commit()
    assert _reminders(db, interview) == []
    assert enqueue_reminders(start + 23 * HOUR) == {"enqueued": 0}


def test_two_job_processes_enqueue_each_reminder_once(db, now, database_config):
    people, requisition, applications = booking_world(interviewers=3, applications=3)
    for person, application in zip(people, applications):
        book_interview("test", application, requisition.stages[0], WORKDAY_10, [person.id], now)
    db.session.commit()
    due = WORKDAY_10 - timedelta(minutes=30)  # 09:30 in Beijing: both reminders are due
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run-once",
               "enqueue_reminders", "--now", due.isoformat()]
    environment = subprocess_environment(database_config)
    runs = [subprocess.Popen(command, env=environment, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    db.session.expire_all()
    reminders = db.session.scalars(sa.select(Reminder)).all()
    assert len(reminders) == 12 and all(r.enqueued_at == due for r in reminders)
    mail = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.kind.like("reminder%"))).all()
    assert len(mail) == 12
    assert Counter((m.to_addr, m.kind) for m in mail).most_common(1)[0][1] == 1
    assert {r.outbox_message_id for r in reminders} == {m.id for m in mail}
