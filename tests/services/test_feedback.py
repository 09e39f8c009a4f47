"""The feedback service: drafts on the latest rubric version (kept for good), the form opening at
the interview's start, a submission refused field by field with nothing saved, locking, and
amendments beside the original — all audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, Feedback, FeedbackAmendment, FeedbackScore
from scheduler.services.feedback import (
    FeedbackInput, FeedbackRefused, add_amendment, save_draft, submit_feedback,
)
from scheduler.services.rubrics import rubric_for_stage
from tests import factories as f
from tests.clock import NOW
from tests.feedback_setup import (
    feedback_world, future_interview, make_rubric_version, past_interview, rubric_definition,
)

CRITERIA = ("framing", "modelling", "serving")


def _complete(score=3, **overrides) -> FeedbackInput:
    data = FeedbackInput(scores={c: score for c in CRITERIA},
                         evidence={c: f"evidence on {c}" for c in CRITERIA},
                         strengths="Clear", concerns="Serving", recommendation="yes",
                         hire_level="mid")
    for name, value in overrides.items():
        setattr(data, name, value)
    return data


def _count(model) -> int:
    from scheduler.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def world(db):
    world = feedback_world()
    db.session.commit()
    return world


def test_a_draft_takes_the_latest_rubric_and_keeps_it_when_a_new_version_arrives(db, world):
    author = world.people[0]
    interview = past_interview(world, world.design, world.people[:2])
    newer = make_rubric_version(rubric_definition("test_system_design", version=2,
                                                  criteria=("framing", "modelling", "scale")))
    # The stage names version 1; new feedback takes the newest version of that code.
    assert world.design.rubric_id == world.rubric.id and rubric_for_stage(world.design) == newer
    feedback = save_draft(author.user, interview, FeedbackInput(scores={"framing": 2}), NOW)
    assert feedback.rubric_id == newer.id
    assert {row.criterion_code: row.score for row in feedback.scores} == \
        {"framing": 2, "modelling": None, "scale": None}
    db.session.commit()

    # A third version later changes nothing for the draft already written.
    make_rubric_version(rubric_definition("test_system_design", version=3, criteria=("x_only",)))
    db.session.commit()
    again = save_draft(author.user, interview, FeedbackInput(scores={"framing": 3}), NOW)
    assert again.id == feedback.id and again.rubric_id == newer.id
    assert {row.criterion_code for row in again.scores} == {"framing", "modelling", "scale"}


def test_the_form_opens_at_the_start_and_only_for_authors_of_a_live_interview(db, world):
    author, outsider = world.people[0], world.people[4]
    upcoming = future_interview(world, world.design, world.people[:2])
    with pytest.raises(FeedbackRefused) as refused:
        save_draft(author.user, upcoming, FeedbackInput(), NOW)
    assert refused.value.code == "not_open"
    # From its start (not only its end) the form is open.
    assert save_draft(author.user, upcoming, FeedbackInput(), upcoming.start_at).id

    held = past_interview(world, world.deep_dive, [author])
    with pytest.raises(FeedbackRefused) as refused:
        save_draft(outsider.user, held, FeedbackInput(), NOW)
    assert refused.value.code == "not_author"
    held.status = "cancelled"
    with pytest.raises(FeedbackRefused) as refused:
        submit_feedback(author.user, held, _complete(), NOW)
    assert refused.value.code == "not_taking_place"


def test_a_stage_without_a_rubric_takes_no_feedback(db, world):
    world.hr_final.rubric_id = None
    interview = past_interview(world, world.hr_final, [world.people[0]])
    with pytest.raises(FeedbackRefused) as refused:
        save_draft(world.people[0].user, interview, FeedbackInput(), NOW)
    assert refused.value.code == "no_rubric"


@pytest.mark.parametrize("change, fields", [
    (dict(scores={"framing": None, "modelling": 3, "serving": 3}), {"score_framing"}),
    (dict(scores={"framing": 1, "modelling": 4, "serving": 3},
          evidence={"framing": " ", "modelling": "", "serving": ""}),
     {"evidence_framing", "evidence_modelling"}),
    (dict(recommendation=None, hire_level=None), {"recommendation", "hire_level"}),
    (dict(hire_level="principal"), {"hire_level"}),
])
def test_an_incomplete_submission_is_refused_per_field_and_nothing_is_saved(
        db, world, change, fields):
    author = world.people[0]
    interview = past_interview(world, world.design, world.people[:2])
    db.session.commit()
    with pytest.raises(FeedbackRefused) as refused:
        submit_feedback(author.user, interview, _complete(**change), NOW)
    assert {r.field for r in refused.value.refusals} == fields
    db.session.rollback()
    assert _count(Feedback) == 0 and _count(FeedbackScore) == 0


def test_a_refused_submission_leaves_the_saved_draft_as_it_was(db, world):
    author = world.people[0]
    interview = past_interview(world, world.design, world.people[:2])
    save_draft(author.user, interview, FeedbackInput(scores={"framing": 2},
                                                     strengths="draft text"), NOW)
    db.session.commit()
    with pytest.raises(FeedbackRefused):
        submit_feedback(author.user, interview,
                        _complete(scores={"framing": 4, "modelling": 3, "serving": 3},
                                  evidence={}), NOW)
    db.session.rollback()
    feedback = db.session.scalars(sa.select(Feedback)).one()
    assert feedback.submitted_at is None and feedback.strengths == "draft text"
    assert {r.criterion_code: r.score for r in feedback.scores}["framing"] == 2


def test_submitted_feedback_is_locked_and_amended_beside_the_original(db, world):
    author = world.people[0]
    interview = past_interview(world, world.design, world.people[:2])
    feedback = submit_feedback(author.user, interview, _complete(score=4), NOW)
    db.session.commit()
    assert feedback.is_submitted and feedback.submitted_at == NOW
    for attempt in (lambda: save_draft(author.user, interview, _complete(score=2), NOW),
                    lambda: submit_feedback(author.user, interview, _complete(score=2), NOW)):
        with pytest.raises(FeedbackRefused) as refused:
            attempt()
        assert refused.value.code == "locked"
        db.session.rollback()
    assert {row.score for row in db.session.get(Feedback, feedback.id).scores} == {4}

    later = NOW + timedelta(hours=2)
    amendment = add_amendment(author.user, feedback, "  On reflection: strong on serving.  ",
                              later)
    db.session.commit()
    assert (amendment.author_id, amendment.created_at, amendment.text) == \
        (author.user_id, later, "On reflection: strong on serving.")
    assert [a.text for a in db.session.get(Feedback, feedback.id).amendments] == \
        ["On reflection: strong on serving."]
    actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "feedback").order_by(AuditEvent.id)))
    assert actions == ["feedback.started", "feedback.submitted", "feedback.amended"]
    submitted = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "feedback.submitted"))
    assert submitted.actor_user_id == author.user_id
    assert submitted.after["scores"] == {c: 4 for c in CRITERIA}


def test_only_the_author_amends_and_only_submitted_feedback(db, world):
    author, other = world.people[0], world.people[1]
    interview = past_interview(world, world.design, [author, other])
    draft = save_draft(author.user, interview, FeedbackInput(), NOW)
    with pytest.raises(FeedbackRefused) as refused:
        add_amendment(author.user, draft, "too early", NOW)
    assert refused.value.code == "not_submitted"
    submit_feedback(author.user, interview, _complete(), NOW)
    with pytest.raises(FeedbackRefused) as refused:
        add_amendment(other.user, draft, "not mine", NOW)
    assert refused.value.code == "not_author"
    with pytest.raises(FeedbackRefused) as refused:
        add_amendment(author.user, draft, "   ", NOW)
    assert (refused.value.code, refused.value.field) == ("amendment_required", "text")
    assert _count(FeedbackAmendment) == 0


def test_a_draft_may_be_partial_but_never_out_of_range(db, world):
    author = world.people[0]
    interview = past_interview(world, world.design, world.people[:2])
    with pytest.raises(FeedbackRefused) as refused:
        save_draft(author.user, interview,
                   FeedbackInput(scores={"framing": 7}, recommendation="maybe",
                                 strengths="x" * 5001), NOW)
    assert {r.field for r in refused.value.refusals} == {"score_framing", "recommendation",
                                                         "strengths"}
    db.session.rollback()
    assert _count(Feedback) == 0


def test_the_coding_test_reviewer_writes_its_feedback_without_a_panel_seat(db, world):
    from scheduler.services.reviewers import assign_reviewer

    coordinator = f.make_user(roles=("coordinator",))
    reviewer = world.people[2]
    test = past_interview(world, world.coding, [])
    with pytest.raises(FeedbackRefused):
        save_draft(reviewer.user, test, FeedbackInput(), NOW)
    assign_reviewer(coordinator, test, reviewer.id, NOW)
    feedback = submit_feedback(reviewer.user, test, _complete(), NOW)
    assert feedback.interviewer_id == reviewer.id and feedback.is_submitted
