"""Decisions move an application: a decision waits for every author's feedback or records why it
did not; advancing sets the next stage; passing the stage before the offer stage starts the offer
clock, whose alert the job sends once and never after an offer or a closure; a rejection needs a
reason; the candidate is written to only when the coordinator chooses, in their language."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from scheduler.jobs import enqueue_reminders
from scheduler.models import Application, AuditEvent, OutboxMessage, Reminder, StageDecision
from scheduler.services.decisions import (
    DecisionRefused, offer_clock, record_decision, waiting_for,
)
from tests import factories as f
from tests.clock import NOW
from tests.feedback_setup import feedback_world, past_interview

DAY = timedelta(days=1)


@pytest.fixture
def world(db):
    world = feedback_world()
    f.make_stage(requisition_id=world.requisition.id, position=5, kind="offer",
                 name_zh="发放Offer", name_en="Offer", mode="video", duration_minutes=0,
                 panel_size=0, sla_days=14)
    db.session.expire(world.requisition, ["stages"])
    world.offer = world.requisition.stages[-1]
    world.coordinators = [f.make_user(roles=("coordinator",), name=f"Coordinator {n}",
                                      language=language)
                          for n, language in ((1, "en"), (2, "zh"))]
    world.requisition.coordinators.extend(world.coordinators)
    db.session.commit()
    return world


def _text(message) -> str:
    parsed = message_from_bytes(message.raw_message, policy=policy.default)
    return parsed.get_body(("plain",)).get_content()


def _submitted(interview, profile):
    return f.make_feedback(interview, profile, submitted_at=NOW - timedelta(minutes=30))


def _decide(world, outcome="advance", stage=None, **kw):
    return record_decision(world.coordinators[0], world.application,
                           stage or world.application.current_stage, outcome=outcome, now=NOW,
                           **kw)


def _at_stage(db, world, stage):
    world.application.current_stage = stage
    db.session.commit()


def _codes(error) -> set[str]:
    return {refusal.code for refusal in error.refusals}


def _decisions(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(StageDecision.id)))


def test_a_decision_waits_for_every_panel_member_and_names_who_has_not_submitted(db, world):
    first, second = world.people[:2]
    interview = past_interview(world, world.design, [first, second])
    _submitted(interview, first)
    db.session.commit()
    with pytest.raises(DecisionRefused) as refused:
        _decide(world)
    assert refused.value.code == "feedback_missing"
    assert refused.value.params["names"] == "Interviewer 2"
    assert "Interviewer 2" in refused.value.message
    db.session.rollback()
    assert _decisions(db) == 0 and world.application.current_stage == world.design

    _submitted(interview, second)
    db.session.commit()
    decision = _decide(world)
    db.session.commit()
    assert not decision.is_override and decision.override_reason == ""
    assert world.application.current_stage == world.deep_dive
    assert world.application.status == Application.ACTIVE


def test_an_override_needs_a_reason_and_records_it(db, world):
    interview = past_interview(world, world.design, world.people[:2])
    _submitted(interview, world.people[0])
    db.session.commit()
    with pytest.raises(DecisionRefused) as refused:
        _decide(world, is_override=True, override_reason="  ")
    assert _codes(refused.value) == {"override_reason_required"}
    db.session.rollback()
    decision = _decide(world, is_override=True,
                       override_reason="Interviewer 2 is on leave for two weeks.")
    db.session.commit()
    assert decision.is_override
    assert decision.override_reason == "Interviewer 2 is on leave for two weeks."
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "application.decided"))
    assert event.object_id == world.application.id
    assert event.actor_user_id == world.coordinators[0].id
    assert event.before == {"status": "active", "stage_id": world.design.id}
    assert event.after["is_override"] is True and event.after["outcome"] == "advance"
    assert event.after["current_stage_id"] == world.deep_dive.id
    assert "on leave" in event.note


def test_the_coding_test_reviewer_is_waited_for(db, world):
    _at_stage(db, world, world.coding)
    reviewer = world.people[2]
    interview = past_interview(world, world.coding, [], hours_ago=4)
    interview.reviewer_id = reviewer.id
    db.session.commit()
    assert [p.id for p in waiting_for(world.application, world.coding, NOW).missing] == [
        reviewer.id]
    with pytest.raises(DecisionRefused, match="feedback_missing"):
        _decide(world, "reject", reason_code="skills")
    db.session.rollback()
    _submitted(interview, reviewer)
    db.session.commit()
    _decide(world, "reject", reason_code="skills")
    assert world.application.status == Application.REJECTED


def test_a_stage_with_no_interview_held_is_not_passed_without_an_override(db, world):
    with pytest.raises(DecisionRefused, match="not_held"):
        _decide(world)
    db.session.rollback()
    # A hold judges nothing, so it does not wait.
    decision = _decide(world, "hold")
    assert not decision.is_override and world.application.status == Application.ON_HOLD


def test_a_rejection_needs_a_reason_from_the_list_and_other_needs_a_note(db, world):
    interview = past_interview(world, world.design, [world.people[0]])
    _submitted(interview, world.people[0])
    db.session.commit()
    for kw, code in (({}, "reject_reason_required"),
                     ({"reason_code": "mood"}, "reject_reason_invalid"),
                     ({"reason_code": "other"}, "note_required")):
        with pytest.raises(DecisionRefused) as refused:
            _decide(world, "reject", **kw)
        assert _codes(refused.value) == {code}
        db.session.rollback()
    assert _decisions(db) == 0
    decision = _decide(world, "reject", reason_code="other", note="Relocation is not possible.")
    db.session.commit()
    assert (decision.reason_code, decision.note) == ("other", "Relocation is not possible.")
    assert world.application.status == Application.REJECTED
    # Closed: nothing more is decided on it.
    with pytest.raises(DecisionRefused, match="closed"):
        _decide(world, "advance")


def test_only_the_current_stage_is_decided(db, world):
    with pytest.raises(DecisionRefused, match="not_current_stage"):
        _decide(world, "hold", stage=world.hr_final)


def _pass_hr_final(db, world):
    _at_stage(db, world, world.hr_final)
    interview = past_interview(world, world.hr_final, [world.people[3]])
    _submitted(interview, world.people[3])
    db.session.commit()
    decision = _decide(world, "advance")
    db.session.commit()
    return decision


def test_passing_the_stage_before_the_offer_stage_starts_the_offer_clock(db, world):
    assert offer_clock(world.application, NOW) is None
    _pass_hr_final(db, world)
    application = world.application
    assert application.current_stage == world.offer
    assert application.offer_due_at == NOW + 14 * DAY
    clock = offer_clock(application, NOW)
    assert (clock.days_left, clock.is_overdue) == (14, False)
    assert offer_clock(application, NOW + 13 * DAY + timedelta(hours=1)).days_left == 1
    late = offer_clock(application, NOW + 16 * DAY + timedelta(hours=1))
    assert late.is_overdue and late.days_overdue == 2
    # One alert per coordinator of the opening, two days before the offer is due.
    reminders = db.session.scalars(sa.select(Reminder).where(
        Reminder.application_id == application.id)).all()
    assert sorted((r.kind, r.recipient, r.due_at) for r in reminders) == sorted(
        ("offer_sla", c.email, NOW + 12 * DAY) for c in world.coordinators)


def _alerts(db):
    return db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.kind == "reminder_offer_sla").order_by(OutboxMessage.to_addr)).all()


def test_the_offer_alert_goes_once_in_each_coordinators_language(db, world):
    _pass_hr_final(db, world)
    assert enqueue_reminders(NOW + 12 * DAY - timedelta(minutes=1)) == {"enqueued": 0}
    assert enqueue_reminders(NOW + 12 * DAY) == {"enqueued": 2}
    assert enqueue_reminders(NOW + 12 * DAY + timedelta(hours=1)) == {"enqueued": 0}
    assert enqueue_reminders(NOW + 15 * DAY) == {"enqueued": 0}
    by_address = {m.to_addr: m for m in _alerts(db)}
    english, chinese = world.coordinators
    assert set(by_address) == {english.email, chinese.email}
    assert by_address[english.email].subject.startswith("Offer due ")
    assert world.application.candidate.name in by_address[english.email].subject
    assert by_address[chinese.email].subject.startswith("Offer 截止")
    assert f"/coordinator/applications/{world.application.id}" in _text(
        by_address[english.email])
    assert "的Offer" in _text(by_address[chinese.email])


@pytest.mark.parametrize("outcome, kw", [("offer", {}),
                                         ("reject", {"reason_code": "salary_expectations"})])
def test_no_offer_alert_after_the_offer_is_made_or_the_application_closes(db, world, outcome, kw):
    _pass_hr_final(db, world)
    decision = _decide(world, outcome, **kw)
    db.session.commit()
    assert decision.stage == world.offer
    assert db.session.scalar(sa.select(sa.func.count(Reminder.id)).where(
        Reminder.application_id == world.application.id)) == 0
    assert offer_clock(world.application, NOW) is None
    assert enqueue_reminders(NOW + 12 * DAY) == {"enqueued": 0} and _alerts(db) == []


def test_no_offer_alert_for_an_application_closed_elsewhere(db, world):
    _pass_hr_final(db, world)
    world.application.status = Application.WITHDRAWN
    db.session.commit()
    assert enqueue_reminders(NOW + 12 * DAY) == {"enqueued": 0}


def test_an_offer_right_after_the_hr_final_passes_it_and_stops_the_clock(db, world):
    _at_stage(db, world, world.hr_final)
    interview = past_interview(world, world.hr_final, [world.people[3]])
    _submitted(interview, world.people[3])
    db.session.commit()
    _decide(world, "offer")
    db.session.commit()
    assert world.application.status == Application.OFFER
    assert world.application.current_stage == world.offer
    assert enqueue_reminders(NOW + 12 * DAY) == {"enqueued": 0}


def test_an_offer_is_refused_before_the_stage_before_the_offer_stage(db, world):
    interview = past_interview(world, world.design, [world.people[0]])
    _submitted(interview, world.people[0])
    db.session.commit()
    with pytest.raises(DecisionRefused, match="offer_not_yet"):
        _decide(world, "offer")


def _candidate_mail(db, world):
    return db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_addr == world.application.candidate.email)).all()


@pytest.mark.parametrize("language, subject", [("zh", "关于"), ("en", "Your application for")])
def test_the_candidate_hears_of_a_rejection_only_when_chosen_in_their_language(
        db, world, language, subject):
    world.application.candidate.language = language
    interview = past_interview(world, world.design, [world.people[0]])
    _submitted(interview, world.people[0])
    db.session.commit()
    decision = _decide(world, "reject", reason_code="skills")
    db.session.commit()
    assert not decision.is_candidate_told and _candidate_mail(db, world) == []

    other = f.make_application(requisition=world.requisition,
                               candidate=f.make_candidate(language=language))
    world.application = other
    interview = past_interview(world, world.design, [world.people[1]])
    _submitted(interview, world.people[1])
    db.session.commit()
    decision = _decide(world, "reject", reason_code="skills", tell_candidate=True)
    db.session.commit()
    [message] = _candidate_mail(db, world)
    assert decision.is_candidate_told and message.kind == "decision_reject"
    assert subject in message.subject


def test_the_candidate_hears_of_an_offer_when_chosen(db, world):
    world.application.candidate.language = "en"
    _pass_hr_final(db, world)
    _decide(world, "offer", tell_candidate=True)
    db.session.commit()
    [message] = _candidate_mail(db, world)
    assert message.subject == "An offer for Machine Learning Engineer"
    assert "would like to offer you the Machine Learning Engineer role" in _text(message)


def test_an_interviewer_may_not_decide(db, world):
    with pytest.raises(DecisionRefused, match="not_allowed"):
        record_decision(world.people[0].user, world.application, world.design,
                        outcome="hold", now=NOW)
