"""Feedback nudges run as the job runs them, at fixed instants: "feedback due" reaches each author
at the stage's hours after the end, not a second before, once; "feedback overdue" reaches the
authors still owing and the opening's coordinators a day later, once; nothing goes out after a
submission, a cancellation, a no-show, or to an author who left."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.jobs import enqueue_reminders
from scheduler.models import OutboxMessage, Reminder
from scheduler.services import reminders
from scheduler.services.booking import cancel_interview
from scheduler.services.feedback import FeedbackInput, feedback_due_at, submit_feedback
from scheduler.services.feedback_nudges import FEEDBACK_OVERDUE_AFTER
from scheduler.services.no_shows import mark_no_show
from scheduler.services.reviewers import assign_reviewer
from tests import factories as f
from tests.clock import NOW
from tests.feedback_setup import feedback_world, future_interview

SECOND = timedelta(seconds=1)
COMPLETE = FeedbackInput(scores={c: 3 for c in ("framing", "modelling", "serving")},
                         evidence={c: "Seen." for c in ("framing", "modelling", "serving")},
                         recommendation="yes", hire_level="mid")


@pytest.fixture
def world(db):
    world = feedback_world()
    # The stage's own hours count (6, not the default 24); one author reads Chinese.
    world.design.feedback_due_hours = 6
    world.people[1].user.language = "zh"
    db.session.commit()
    return world


@pytest.fixture
def coordinator(db, world):
    user = f.make_user(roles=("coordinator",), name="Coco Ordinator", language="en",
                       email="coco@example.com", zone="Europe/London")
    world.requisition.coordinators.append(user)
    db.session.commit()
    return user


def _booked(db, world, stage, panel, **kw):
    """Insert an interview three days ahead and schedule its reminders, as booking does."""
    interview = future_interview(world, stage, panel, **kw)
    reminders.schedule_reminders(interview, NOW)
    db.session.commit()
    return interview


def _nudges(db, kind):
    return sorted((m.to_addr, m.subject) for m in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == f"reminder_feedback_{kind}")))


def _body(db, to_addr, kind):
    row = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.kind == f"reminder_feedback_{kind}",
        OutboxMessage.to_addr == to_addr)).one()
    return row.raw_message.decode()


def test_due_reaches_each_author_at_the_due_time_once(db, world, coordinator):
    first, second = world.people[:2]
    interview = _booked(db, world, world.design, [first, second])
    due_at = feedback_due_at(interview)
    assert due_at == interview.end_at + timedelta(hours=6)
    assert {(r.kind, r.recipient, r.due_at) for r in db.session.scalars(
        sa.select(Reminder).where(Reminder.kind.like("feedback%")))} == {
        ("feedback_due", first.user.email, due_at),
        ("feedback_due", second.user.email, due_at),
        ("feedback_overdue", first.user.email, due_at + FEEDBACK_OVERDUE_AFTER),
        ("feedback_overdue", second.user.email, due_at + FEEDBACK_OVERDUE_AFTER),
        ("feedback_overdue", coordinator.email, due_at + FEEDBACK_OVERDUE_AFTER)}
    enqueue_reminders(due_at - SECOND)
    assert _nudges(db, "due") == []
    enqueue_reminders(due_at)
    title = "Interview: System design with Mei Candidate"
    assert _nudges(db, "due") == sorted([
        (first.user.email, f"Feedback due: {title}"),
        (second.user.email, "反馈截止：面试：系统设计 · Mei Candidate")])
    assert "/interviewer/interviews/" in _body(db, first.user.email, "due")
    enqueue_reminders(due_at)
    enqueue_reminders(due_at + timedelta(hours=1))
    assert len(_nudges(db, "due")) == 2
    assert _nudges(db, "overdue") == []


def test_overdue_reaches_the_authors_and_the_coordinators_once(db, world, coordinator):
    first, second = world.people[:2]
    interview = _booked(db, world, world.design, [first, second])
    overdue_at = feedback_due_at(interview) + FEEDBACK_OVERDUE_AFTER
    enqueue_reminders(overdue_at - SECOND)
    assert _nudges(db, "overdue") == []
    enqueue_reminders(overdue_at)
    assert [to for to, _subject in _nudges(db, "overdue")] == sorted(
        [first.user.email, second.user.email, coordinator.email])
    told = _body(db, coordinator.email, "overdue")
    assert "Still to submit: Interviewer 1, Interviewer 2" in told
    assert f"/coordinator/applications/{interview.application_id}/feedback" in told
    # The due time is shown in the coordinator's own zone, labelled.
    assert "Europe/London" in told
    enqueue_reminders(overdue_at)
    enqueue_reminders(overdue_at + timedelta(days=3))
    assert len(_nudges(db, "overdue")) == 3


def test_a_submission_stops_the_authors_nudges_and_names_only_who_is_missing(
        db, world, coordinator):
    first, second = world.people[:2]
    interview = _booked(db, world, world.design, [first, second])
    due_at = feedback_due_at(interview)
    submit_feedback(first.user, interview, COMPLETE, interview.end_at)
    db.session.commit()
    enqueue_reminders(due_at)
    assert [to for to, _ in _nudges(db, "due")] == [second.user.email]
    enqueue_reminders(due_at + FEEDBACK_OVERDUE_AFTER)
    assert [to for to, _ in _nudges(db, "overdue")] == sorted(
        [second.user.email, coordinator.email])
    told = _body(db, coordinator.email, "overdue")
    assert "Still to submit: Interviewer 2" in told and "Interviewer 1" not in told


def test_feedback_submitted_late_but_before_overdue_sends_no_overdue(db, world, coordinator):
    first, second = world.people[:2]
    interview = _booked(db, world, world.design, [first, second])
    due_at = feedback_due_at(interview)
    enqueue_reminders(due_at)
    for author in (first, second):
        submit_feedback(author.user, interview, COMPLETE, due_at + timedelta(hours=2))
    db.session.commit()
    enqueue_reminders(due_at + FEEDBACK_OVERDUE_AFTER)
    assert len(_nudges(db, "due")) == 2 and _nudges(db, "overdue") == []


def test_a_cancelled_interview_gets_no_nudges(db, world, coordinator):
    interview = _booked(db, world, world.design, world.people[:2])
    due_at = feedback_due_at(interview)
    cancel_interview(coordinator, interview, NOW, reason="Candidate withdrew")
    db.session.commit()
    enqueue_reminders(due_at)
    enqueue_reminders(due_at + FEEDBACK_OVERDUE_AFTER)
    assert _nudges(db, "due") == [] and _nudges(db, "overdue") == []


def test_a_no_show_gets_no_nudges(db, world, coordinator):
    interview = _booked(db, world, world.design, world.people[:2])
    due_at = feedback_due_at(interview)
    mark_no_show(coordinator, interview, party="candidate", absent_interviewer_id=None,
                 note="Did not join.", now=interview.start_at + timedelta(minutes=15))
    db.session.commit()
    enqueue_reminders(due_at)
    enqueue_reminders(due_at + FEEDBACK_OVERDUE_AFTER)
    assert _nudges(db, "due") == [] and _nudges(db, "overdue") == []


def test_the_coding_test_reviewer_is_nudged_and_a_replaced_one_is_not(db, world, coordinator):
    old, new = world.people[3], world.people[4]
    interview = _booked(db, world, world.coding, [], reviewer=old)
    due_at = feedback_due_at(interview)
    assert due_at == interview.end_at + timedelta(hours=24)  # the stage leaves the default
    assert {r.recipient for r in db.session.scalars(
        sa.select(Reminder).where(Reminder.kind == "feedback_due"))} == {old.user.email}
    assign_reviewer(coordinator, interview, new.id, NOW + timedelta(hours=1))
    db.session.commit()
    enqueue_reminders(due_at)
    assert [to for to, _ in _nudges(db, "due")] == [new.user.email]


def test_an_author_who_left_after_the_rows_were_written_is_skipped_when_due(db, world):
    first, second = world.people[:2]
    interview = _booked(db, world, world.design, [first, second])
    due_at = feedback_due_at(interview)
    # The seat goes without the reminders being moved (as a change that forgot to): the claim
    # still checks the recipient is an author, and skips the row without mail.
    next(a for a in interview.assignments if a.interviewer_id == second.id).is_active = False
    db.session.commit()
    assert enqueue_reminders(due_at) == {"enqueued": 1}
    assert [to for to, _ in _nudges(db, "due")] == [first.user.email]
    skipped = db.session.scalars(sa.select(Reminder).where(
        Reminder.kind == "feedback_due", Reminder.recipient == second.user.email)).one()
    assert skipped.enqueued_at == due_at and skipped.outbox_message_id is None
