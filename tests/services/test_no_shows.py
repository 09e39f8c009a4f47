"""Held or not: after its end an interview counts as held unless the panel or a coordinator marks
a no-show (of the candidate or of an interviewer) with a note; the stage can then be booked again.
The coding test's reviewer: a qualified interviewer, chosen by a coordinator, audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, Interview, InterviewNoShow
from scheduler.services.booking import booking_refusal
from scheduler.services.feedback import FeedbackInput, save_draft, submit_feedback
from scheduler.services.no_shows import NoShowRefused, can_book_again, mark_no_show
from scheduler.services.reviewers import ReviewerRefused, assign_reviewer, reviewer_choices
from tests import factories as f
from tests.clock import NOW
from tests.feedback_setup import feedback_world, future_interview, past_interview


@pytest.fixture
def world(db):
    world = feedback_world()
    db.session.commit()
    return world


@pytest.fixture
def coordinator(db):
    return f.make_user(roles=("coordinator",), name="Coordinator")


def test_held_is_derived_from_the_end_and_the_status(db, world):
    interview = past_interview(world, world.design, world.people[:2], hours_ago=0.5)
    # Under way: started, not ended, so not held yet; held from its end, with no job to run.
    assert interview.has_started(NOW) and not interview.is_held(NOW)
    assert interview.is_held(interview.end_at)
    interview.status = Interview.NO_SHOW
    assert not interview.is_held(interview.end_at + timedelta(days=1))
    interview.status = Interview.CANCELLED
    assert not interview.has_started(NOW)


def test_a_panel_member_marks_the_candidate_absent_and_the_stage_can_be_booked_again(
        db, world):
    member = world.people[0]
    interview = past_interview(world, world.design, world.people[:2])
    assert booking_refusal(world.application, [world.design]).code == "already_booked"
    mark = mark_no_show(member.user, interview, party="candidate", absent_interviewer_id=None,
                        note=" Waited 20 minutes; no answer by phone. ", now=NOW)
    db.session.commit()
    assert (mark.party, mark.note, mark.marked_by_id, mark.marked_at) == \
        ("candidate", "Waited 20 minutes; no answer by phone.", member.user_id, NOW)
    stored = db.session.get(Interview, interview.id)
    assert stored.status == Interview.NO_SHOW and not stored.is_held(NOW)
    # The stage is free again: the coordinator is offered a new booking of it.
    assert booking_refusal(world.application, [world.design]) is None
    assert can_book_again(stored)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "interview.no_show"))
    assert (event.actor_user_id, event.object_id, event.before, event.note) == \
        (member.user_id, interview.id, {"status": "scheduled"},
         "Waited 20 minutes; no answer by phone.")
    # The form is closed for a no-show.
    with pytest.raises(Exception) as refused:
        save_draft(member.user, stored, FeedbackInput(), NOW)
    assert refused.value.code == "not_taking_place"


def test_a_coordinator_marks_an_interviewer_absent(db, world, coordinator):
    absent = world.people[1]
    interview = past_interview(world, world.design, world.people[:2])
    mark = mark_no_show(coordinator, interview, party="interviewer",
                        absent_interviewer_id=absent.id, note="Ill, did not join.", now=NOW)
    assert mark.absent_interviewer_id == absent.id and interview.status == Interview.NO_SHOW


def test_a_no_show_mark_is_refused_field_by_field(db, world, coordinator):
    interview = past_interview(world, world.design, world.people[:2])
    with pytest.raises(NoShowRefused) as refused:
        mark_no_show(coordinator, interview, party="interviewer",
                     absent_interviewer_id=world.people[3].id, note="  ", now=NOW)
    assert {(r.code, r.field) for r in refused.value.refusals} == {
        ("interviewer_required", "absent_interviewer_id"), ("note_required", "note")}
    with pytest.raises(NoShowRefused) as refused:
        mark_no_show(coordinator, interview, party="", absent_interviewer_id=None, note="x",
                     now=NOW)
    assert refused.value.code == "party_required"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InterviewNoShow)) == 0


@pytest.mark.parametrize("case, code", [
    ("outsider", "not_allowed"), ("not_started", "not_started"),
    ("cancelled", "not_taking_place"), ("twice", "not_taking_place"),
    ("submitted", "feedback_submitted"),
])
def test_who_and_when_a_no_show_may_be_marked(db, world, case, code):
    member, outsider = world.people[0], world.people[4]
    interview = (future_interview(world, world.design, world.people[:2])
                 if case == "not_started" else
                 past_interview(world, world.design, world.people[:2]))
    actor = outsider if case == "outsider" else member
    if case == "cancelled":
        interview.status = Interview.CANCELLED
    if case == "twice":
        mark_no_show(member.user, interview, party="candidate", absent_interviewer_id=None,
                     note="absent", now=NOW)
    if case == "submitted":
        submit_feedback(member.user, interview, FeedbackInput(
            scores={c: 3 for c in ("framing", "modelling", "serving")}, recommendation="yes",
            hire_level="mid"), NOW)
    with pytest.raises(NoShowRefused) as refused:
        mark_no_show(actor.user, interview, party="candidate", absent_interviewer_id=None,
                     note="absent", now=NOW)
    assert refused.value.code == code


def test_the_stage_is_not_offered_again_once_the_application_moved_on(db, world, coordinator):
    interview = past_interview(world, world.design, world.people[:2])
    mark_no_show(coordinator, interview, party="candidate", absent_interviewer_id=None,
                 note="absent", now=NOW)
    world.application.current_stage = world.deep_dive
    assert not can_book_again(interview)


def test_a_coordinator_chooses_a_qualified_reviewer_and_it_is_audited(db, world, coordinator):
    unqualified = f.make_interviewer(qualifications={"system_design": "qualified"})
    shadow = f.make_interviewer(qualifications={"coding_test": "shadow"})
    test = future_interview(world, world.coding, [])
    choices = {p.id for p in reviewer_choices(world.coding)}
    assert choices == {p.id for p in world.people}
    assert unqualified.id not in choices and shadow.id not in choices
    for refused_id in (unqualified.id, shadow.id):
        with pytest.raises(ReviewerRefused) as refused:
            assign_reviewer(coordinator, test, refused_id, NOW)
        assert (refused.value.code, refused.value.field) == ("not_qualified", "reviewer_id")

    assign_reviewer(coordinator, test, world.people[2].id, NOW)
    assign_reviewer(coordinator, test, world.people[3].id, NOW)
    db.session.commit()
    assert db.session.get(Interview, test.id).reviewer_id == world.people[3].id
    events = list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "interview.reviewer_assigned").order_by(AuditEvent.id)))
    assert [(e.before, e.after) for e in events] == [
        ({"reviewer_id": None}, {"reviewer_id": world.people[2].id}),
        ({"reviewer_id": world.people[2].id}, {"reviewer_id": world.people[3].id})]


def test_only_coordinators_choose_reviewers_and_only_for_coding_tests(db, world, coordinator):
    test = future_interview(world, world.coding, [])
    design = future_interview(world, world.design, world.people[:2], days=4)
    with pytest.raises(ReviewerRefused) as refused:
        assign_reviewer(world.people[0].user, test, world.people[0].id, NOW)
    assert refused.value.code == "not_allowed"
    with pytest.raises(ReviewerRefused) as refused:
        assign_reviewer(coordinator, design, world.people[0].id, NOW)
    assert refused.value.code == "not_reviewed"
    assert reviewer_choices(world.design) == []


def test_the_reviewer_stays_once_their_feedback_is_submitted(db, world, coordinator):
    test = past_interview(world, world.coding, [])
    assign_reviewer(coordinator, test, world.people[0].id, NOW)
    submit_feedback(world.people[0].user, test, FeedbackInput(
        scores={c: 3 for c in ("framing", "modelling", "serving")}, recommendation="yes",
        hire_level="mid"), NOW)
    with pytest.raises(ReviewerRefused) as refused:
        assign_reviewer(coordinator, test, world.people[1].id, NOW)
    assert refused.value.code == "feedback_submitted"
