"""Booking services: book, loops, reschedule, cancel, swap, decline — with audit and invites."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from scheduler.models import AuditEvent, Interview, InterviewerAssignment, OutboxMessage, Reminder
from scheduler.services.booking import (
    BookingError, SlotTaken, book_interview, book_loop, cancel_interview, decline_interview,
    reschedule_interview, swap_interviewer,
)
from scheduler.services.slot_search import suggest_replacements
from tests import factories as f
from tests.services.booking_setup import WORKDAY_10, booking_world

HOUR = timedelta(hours=1)


def _audit_actions(db, interview_id):
    return [e.action for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "interview",
                                    AuditEvent.object_id == interview_id).order_by(AuditEvent.id))]


def _outbox(db):
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_book_writes_interview_seats_audit_invites_and_reminders(db, now):
    (alice, bob, _), requisition, [application] = booking_world(panel_size=2)
    coordinator = f.make_user(roles=("coordinator",))
    interview = book_interview(coordinator, application, requisition.stages[0], WORKDAY_10,
                               [alice.id, bob.id], now)
    db.session.commit()
    assert (interview.start_at, interview.end_at) == (WORKDAY_10, WORKDAY_10 + HOUR)
    assert interview.sequence == 0 and interview.calendar_uid.endswith("@example.com")
    seats = [(a.interviewer_id, a.start_at, a.end_at, a.is_active) for a in interview.assignments]
    assert seats == [(alice.id, WORKDAY_10, WORKDAY_10 + HOUR, True),
                     (bob.id, WORKDAY_10, WORKDAY_10 + HOUR, True)]
    assert _audit_actions(db, interview.id) == ["interview.booked"]
    recipients = sorted(m.to_addr for m in _outbox(db))
    assert recipients == sorted([application.candidate.email, alice.user.email, bob.user.email])
    assert {m.kind for m in _outbox(db)} == {"invite_request"}
    reminders = db.session.scalars(sa.select(Reminder)).all()
    assert {(r.kind, r.due_at) for r in reminders} == {("24h", WORKDAY_10 - 24 * HOUR),
                                                      ("1h", WORKDAY_10 - HOUR)}
    assert len(reminders) == 6


def test_busy_interviewer_gives_slot_taken_with_fresh_slots(db, now):
    (alice, *_), requisition, [first, second] = booking_world(applications=2)
    stage = requisition.stages[0]
    book_interview("test", first, stage, WORKDAY_10, [alice.id], now)
    db.session.commit()
    with pytest.raises(SlotTaken) as info:
        book_interview("test", second, stage, WORKDAY_10 + timedelta(minutes=30), [alice.id], now)
    db.session.rollback()
    assert [p.code for p in info.value.problems] == ["busy"]
    fresh = info.value.fresh.slots
    assert fresh and all(not (s.start_at < WORKDAY_10 + HOUR and s.end_at > WORKDAY_10)
                         or alice.id not in s.panel for s in fresh)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interview)) == 1


def test_touching_interviews_are_both_bookable(db, now):
    (alice, *_), requisition, [first, second] = booking_world(applications=2)
    stage = requisition.stages[0]
    book_interview("test", first, stage, WORKDAY_10, [alice.id], now)
    book_interview("test", second, stage, WORKDAY_10 + HOUR, [alice.id], now)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interview)) == 2


def test_a_candidate_holds_one_live_interview_per_stage(db, now):
    (alice, bob, _), requisition, [application] = booking_world()
    stage = requisition.stages[0]
    book_interview("test", application, stage, WORKDAY_10, [alice.id], now)
    db.session.commit()
    with pytest.raises(BookingError) as info:
        book_interview("test", application, stage, WORKDAY_10 + 3 * HOUR, [bob.id], now)
    assert info.value.code == "already_booked"


def test_working_hours_and_caps_are_rechecked(db, now):
    (alice, *_), requisition, [first, second] = booking_world(applications=2, daily_cap=1)
    stage = requisition.stages[0]
    with pytest.raises(SlotTaken) as info:
        book_interview("test", first, stage, WORKDAY_10 - timedelta(minutes=90), [alice.id],
                       now)  # 08:30: the candidate could, Alice starts at 09:00
    assert [p.code for p in info.value.problems] == ["outside_working_hours"]
    db.session.rollback()
    book_interview("test", first, stage, WORKDAY_10, [alice.id], now)
    db.session.commit()
    with pytest.raises(SlotTaken) as info:
        book_interview("test", second, stage, WORKDAY_10 + 4 * HOUR, [alice.id], now)
    assert "daily_cap" in [p.code for p in info.value.problems]


def test_reschedule_keeps_uid_raises_sequence_frees_old_time(db, now):
    (alice, *_), requisition, [first, second] = booking_world(applications=2)
    stage = requisition.stages[0]
    interview = book_interview("test", first, stage, WORKDAY_10, [alice.id], now)
    db.session.commit()
    uid = interview.calendar_uid
    later = now + timedelta(minutes=5)
    reschedule_interview("coordinator", interview, WORKDAY_10 + 4 * HOUR, later,
                         reason="candidate asked")
    db.session.commit()
    assert (interview.calendar_uid, interview.sequence) == (uid, 1)
    assert interview.assignments[0].start_at == WORKDAY_10 + 4 * HOUR
    assert _audit_actions(db, interview.id) == ["interview.booked", "interview.rescheduled"]
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "interview.rescheduled")).one()
    assert event.before["start_at"] == WORKDAY_10.isoformat() and event.note == "candidate asked"
    # The old time is free again.
    book_interview("test", second, stage, WORKDAY_10, [alice.id], later)
    db.session.commit()
    reminder = db.session.scalars(sa.select(Reminder).where(
        Reminder.interview_id == interview.id, Reminder.kind == "1h",
        Reminder.recipient == alice.user.email)).one()
    assert reminder.due_at == WORKDAY_10 + 3 * HOUR


def test_reschedule_onto_a_busy_time_changes_nothing(db, now):
    (alice, *_), requisition, [first, second] = booking_world(applications=2)
    stage = requisition.stages[0]
    moving = book_interview("test", first, stage, WORKDAY_10, [alice.id], now)
    book_interview("test", second, stage, WORKDAY_10 + 2 * HOUR, [alice.id], now)
    db.session.commit()
    with pytest.raises(SlotTaken):
        reschedule_interview("test", moving, WORKDAY_10 + 2 * HOUR, now)
    db.session.rollback()
    db.session.refresh(moving)
    assert (moving.start_at, moving.sequence) == (WORKDAY_10, 0)


def test_cancel_frees_time_raises_sequence_and_drops_reminders(db, now):
    (alice, *_), requisition, [first, second] = booking_world(applications=2)
    stage = requisition.stages[0]
    interview = book_interview("test", first, stage, WORKDAY_10, [alice.id], now)
    db.session.commit()
    uid = interview.calendar_uid
    cancel_interview("coordinator", interview, now, reason="position filled")
    db.session.commit()
    assert (interview.status, interview.sequence, interview.calendar_uid) == ("cancelled", 1, uid)
    assert [a.is_active for a in interview.assignments] == [False]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 0
    assert [m.kind for m in _outbox(db)][-2:] == ["invite_cancel", "invite_cancel"]
    assert _audit_actions(db, interview.id) == ["interview.booked", "interview.cancelled"]
    book_interview("test", second, stage, WORKDAY_10, [alice.id], now)
    db.session.commit()
    with pytest.raises(BookingError) as info:
        cancel_interview("test", interview, now)
    assert info.value.code == "interview_not_live"


def test_swap_keeps_time_and_uid_and_tells_the_right_people(db, now):
    (alice, bob, carol), requisition, [application] = booking_world(panel_size=2)
    interview = book_interview("test", application, requisition.stages[0], WORKDAY_10,
                               [alice.id, bob.id], now)
    db.session.commit()
    sent_before = len(_outbox(db))
    swap_interviewer("coordinator", interview, bob.id, carol.id, now, reason="bob is ill")
    db.session.commit()
    assert interview.sequence == 1 and interview.start_at == WORKDAY_10
    assert sorted(a.interviewer_id for a in interview.active_assignments) == sorted([alice.id, carol.id])
    new_mail = [(m.to_addr, m.kind) for m in _outbox(db)[sent_before:]]
    assert sorted(new_mail) == sorted([(bob.user.email, "invite_cancel"),
                                       (alice.user.email, "invite_request"),
                                       (carol.user.email, "invite_request")])
    assert _audit_actions(db, interview.id) == ["interview.booked", "interview.panel_swapped"]
    # Bob is free again at that time.
    assert not db.session.scalars(sa.select(InterviewerAssignment).where(
        InterviewerAssignment.interviewer_id == bob.id,
        InterviewerAssignment.is_active.is_(True))).all()


def test_swap_to_a_busy_interviewer_is_refused(db, now):
    (alice, bob, carol), requisition, [first, second] = booking_world(applications=2)
    stage = requisition.stages[0]
    interview = book_interview("test", first, stage, WORKDAY_10, [alice.id], now)
    book_interview("test", second, stage, WORKDAY_10, [bob.id], now)
    db.session.commit()
    with pytest.raises(SlotTaken):
        swap_interviewer("test", interview, alice.id, bob.id, now)
    db.session.rollback()
    db.session.refresh(interview)
    assert interview.sequence == 0


def test_decline_then_suggested_replacement(db, now):
    (alice, bob, carol), requisition, [first, second] = booking_world(applications=2)
    stage = requisition.stages[0]
    interview = book_interview("test", first, stage, WORKDAY_10, [alice.id], now)
    book_interview("test", second, stage, WORKDAY_10, [bob.id], now)
    db.session.commit()
    with pytest.raises(BookingError):
        decline_interview(alice.user, interview, "  ", now)
    decline_interview(alice.user, interview, "On leave that day", now)
    db.session.commit()
    assert interview.assignments[0].decline_reason == "On leave that day"
    assert [p.id for p in suggest_replacements(interview, alice.id, now)] == [carol.id]
    with pytest.raises(BookingError) as info:
        decline_interview(carol.user, interview, "not mine", now)
    assert info.value.code == "not_on_panel"


def _loop_world():
    stages = [dict(kind="system_design", duration_minutes=60, panel_size=1, min_notice_minutes=0,
                   horizon_days=14, step_minutes=15),
              dict(kind="project_deep_dive", name_en="Project deep dive", duration_minutes=60,
                   panel_size=1, min_notice_minutes=0, horizon_days=14, step_minutes=15)]
    return booking_world(stages=stages, applications=2)


def test_loop_books_all_stages_as_one_group(db, now):
    (alice, bob, _), requisition, [application, _] = _loop_world()
    first, second = book_loop("test", application, requisition.stages, WORKDAY_10,
                              [[alice.id], [bob.id]], now, break_minutes=15)
    db.session.commit()
    assert first.booking_group_id == second.booking_group_id is not None
    assert second.start_at == WORKDAY_10 + timedelta(minutes=75)
    reschedule_interview("test", second, WORKDAY_10 + 3 * HOUR, now)
    db.session.commit()
    assert (first.start_at, first.sequence) == (WORKDAY_10 + 3 * HOUR, 1)
    assert second.start_at == WORKDAY_10 + 3 * HOUR + timedelta(minutes=75)
    cancel_interview("test", first, now)
    db.session.commit()
    assert (first.status, second.status) == ("cancelled", "cancelled")


def test_loop_whose_second_stage_was_taken_books_nothing(db, now):
    (alice, bob, _), requisition, [application, other] = _loop_world()
    # Between display and booking, someone books Bob for the second stage's time.
    book_interview("test", other, requisition.stages[1], WORKDAY_10 + timedelta(minutes=75),
                   [bob.id], now)
    db.session.commit()
    with pytest.raises(SlotTaken) as info:
        book_loop("test", application, requisition.stages, WORKDAY_10, [[alice.id], [bob.id]],
                  now, break_minutes=15)
    db.session.rollback()
    assert [(p.code, p.stage_index) for p in info.value.problems] == [("busy", 1)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interview).where(
        Interview.application_id == application.id)) == 0


def test_exclusion_constraint_refuses_overlap_written_directly(db, db_backend, now):
    if db_backend != "postgresql":
        pytest.skip("exclusion constraints exist on PostgreSQL only")
    (alice, *_), requisition, [first, second] = booking_world(applications=2)
    book_interview("test", first, requisition.stages[0], WORKDAY_10, [alice.id], now)
    db.session.commit()
    with pytest.raises(IntegrityError, match="ex_interviewer_assignment_no_overlap"):
        f.make_interview(application=second, panel=[alice], start_at=WORKDAY_10 + timedelta(minutes=30))
    db.session.rollback()
    # Touching is fine, and an inactive overlapping row is fine.
    f.make_interview(application=second, panel=[alice], start_at=WORKDAY_10 + HOUR)
    db.session.commit()
