"""Demo decisions (issue 18): one candidate advanced past the coding test (the next step, booking
the system design, is offered on their page), one rejected after it, and one past the HR final
with the offer clock running.

Each goes through the real services: a held interview (inserted directly, as booking refuses the
past), feedback submitted on it by its author, then `record_decision` by the demo coordinator,
at instants before `now`. Idempotent: an application that already has a decision is left alone.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import (
    Application, Candidate, Interview, InterviewerAssignment, InterviewerProfile, Qualification,
    StageDecision, User,
)
from scheduler.services.decisions import record_decision
from scheduler.services.emails import mail_domain
from scheduler.services.feedback import FeedbackInput, submit_feedback
from scheduler.services.rubrics import rubric_definition, rubric_for_stage

COORDINATOR = "coordinator@example.com"


@dataclass(frozen=True)
class DemoDecision:
    candidate_email: str
    days_ago: float            # when the decision was taken, before now
    score: int                 # every criterion's score in the feedback
    recommendation: str
    outcome: str
    reason_code: str | None = None
    note: str = ""


DECISIONS = (
    # 林雨萱 passes the coding test: advanced to the system design, still to book.
    DemoDecision("yuxuan.lin@example.org", 1, 3, "yes", "advance",
                 note="代码规范，复杂度分析清楚。"),
    # Lukas Becker does not: rejected for skills (the candidate is not emailed).
    DemoDecision("lukas.becker@example.org", 2, 2, "no", "reject", reason_code="skills",
                 note="Could not finish the feature-pipeline task; shaky on complexity."),
    # 孙浩然 passes the HR final two days ago: the offer (14-day SLA) is due in twelve days.
    DemoDecision("haoran.sun@example.org", 2, 3, "strong_yes", "advance",
                 note="薪资期望在预算内，可两周内入职。"),
)


def load_demo_decisions(now: datetime) -> None:
    """Make the demo's decisions that are missing."""
    coordinator = db.session.scalar(sa.select(User).where(User.email == COORDINATOR))
    for spec in DECISIONS:
        application = db.session.scalar(
            sa.select(Application).join(Candidate)
            .where(Candidate.email == spec.candidate_email))
        if application is None or db.session.scalar(sa.select(StageDecision.id).where(
                StageDecision.application_id == application.id).limit(1)):
            continue
        decided_at = now - timedelta(days=spec.days_ago)
        stage = application.current_stage
        interview = _held_interview(application, decided_at - timedelta(days=1))
        author = interview.reviewer or interview.active_assignments[0].interviewer
        definition = rubric_definition(rubric_for_stage(stage))
        submit_feedback(author.user, interview, FeedbackInput(
            scores={code: spec.score for code in definition.criterion_codes},
            evidence={code: "Demo evidence." for code in definition.criterion_codes},
            strengths="Clear explanations.", concerns="", recommendation=spec.recommendation,
            hire_level=application.level), decided_at - timedelta(hours=20))
        record_decision(coordinator, application, stage, outcome=spec.outcome, now=decided_at,
                        reason_code=spec.reason_code, note=spec.note)
    db.session.flush()


def _held_interview(application: Application, start_at: datetime) -> Interview:
    """Insert an interview of the application's current stage at *start_at*, with one
    qualified author: a reviewer for a stage without a panel, else the panel's one seat."""
    stage = application.current_stage
    author = db.session.scalar(
        sa.select(InterviewerProfile).join(Qualification)
        .where(Qualification.stage_kind == stage.kind).order_by(InterviewerProfile.id).limit(1))
    end_at = start_at + timedelta(minutes=stage.duration_minutes or 60)
    interview = Interview(
        application=application, stage=stage, start_at=start_at, end_at=end_at,
        status=Interview.SCHEDULED, calendar_uid=f"{uuid.uuid4()}@{mail_domain()}", sequence=0,
        created_at=start_at - timedelta(days=3), updated_at=start_at - timedelta(days=3))
    if stage.panel_size:
        interview.assignments = [InterviewerAssignment(
            interviewer=author, role="lead", start_at=start_at, end_at=end_at, is_active=True)]
    else:
        interview.reviewer = author
    db.session.add(interview)
    db.session.flush()
    return interview
