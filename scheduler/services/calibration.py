"""Calibration for coordinators (issue 18): how each interviewer scores against their panels, and
how far panels agree on each criterion, from submitted feedback.

Submitted `Feedback` rows become the domain's `ScoreSheet`s (scheduler/domain/scorecard.py) in a
fixed number of queries whatever their count: the feedback, its scores, its rubric versions and
its interviews with their stages. A sheet's due time is the interview's end plus its stage's
feedback hours (`feedback.feedback_due_at`), so the on-time rate and the nudges agree. The maths
is scheduler/domain/calibration.py; this module only loads, filters and names.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scheduler.domain.calibration import (
    MIN_PAIRABLE_UNITS, CriterionAgreement, InterviewerCalibration, calibrate_interviewers,
    criterion_agreement,
)
from scheduler.domain.rubric import RubricDefinition
from scheduler.domain.scorecard import ScoreSheet
from scheduler.extensions import db
from scheduler.models import Application, Feedback, Interview, InterviewerProfile, Rubric, User
from scheduler.services.errors import N_, ServiceError
from scheduler.services.feedback import feedback_due_at
from scheduler.services.permissions import can_see_all_feedback
from scheduler.services.rubrics import rubric_definition

# The periods a coordinator may look back over (by the interview's end), in days; None is all.
PERIODS = {"90": 90, "365": 365, "all": None}


class CalibrationRefused(ServiceError):
    """Reading calibration was refused."""

    messages = {"not_allowed": N_("Only coordinators see how interviewers score.")}


@dataclass(frozen=True)
class InterviewerRow:
    """One interviewer's line: who, and their calibration."""

    profile: InterviewerProfile
    calibration: InterviewerCalibration


@dataclass(frozen=True)
class CriterionRow:
    """One criterion's line: its rubric and name in the reader's language, and its agreement."""

    rubric_name: str
    name: str
    agreement: CriterionAgreement


@dataclass(frozen=True)
class CalibrationReport:
    interviewers: list[InterviewerRow]
    criteria: list[CriterionRow]
    sheet_count: int
    min_pairable_units: int = MIN_PAIRABLE_UNITS


def submitted_feedback(*, requisition_id: int | None = None,
                       since_at: datetime | None = None) -> list[Feedback]:
    """Return the submitted feedback on interviews of *requisition_id* (any, when None) that
    ended at or after *since_at* (any time, when None), with what the sheets need loaded."""
    query = (sa.select(Feedback).join(Interview, Interview.id == Feedback.interview_id)
             .where(Feedback.submitted_at.is_not(None))
             .options(selectinload(Feedback.scores), selectinload(Feedback.rubric),
                      selectinload(Feedback.interview).selectinload(Interview.stage))
             .order_by(Feedback.interview_id, Feedback.id))
    if requisition_id is not None:
        query = query.join(Application, Application.id == Interview.application_id).where(
            Application.requisition_id == requisition_id)
    if since_at is not None:
        query = query.where(Interview.end_at >= since_at)
    return list(db.session.scalars(query))


def score_sheet(feedback: Feedback) -> ScoreSheet:
    """Reduce one submitted feedback to what the maths needs (unscored criteria left out)."""
    interview = feedback.interview
    return ScoreSheet(
        interviewer_id=feedback.interviewer_id, interview_id=feedback.interview_id,
        application_id=interview.application_id, rubric_code=feedback.rubric.code,
        scores={row.criterion_code: row.score for row in feedback.scores
                if row.score is not None},
        recommendation=feedback.recommendation, level=feedback.hire_level,
        submitted_at=feedback.submitted_at, due_at=feedback_due_at(interview))


def _rubric_versions(feedback: list[Feedback]) -> list[tuple[Rubric, RubricDefinition]]:
    """Return the rubric versions *feedback* was written on, by code, oldest version first."""
    rubrics = {row.rubric.id: row.rubric for row in feedback}
    return [(rubric, rubric_definition(rubric))
            for rubric in sorted(rubrics.values(), key=lambda r: (r.code, r.version))]


def _criterion_names(versions, language: str) -> dict[tuple[str, str], tuple[str, str]]:
    """Return {(rubric code, criterion code): (rubric name, criterion name)} in *language*, as
    the latest version naming each criterion says."""
    names = {}
    for rubric, definition in versions:  # oldest first: a later version's name wins
        for criterion in definition.criteria:
            names[(rubric.code, criterion.code)] = (definition.text("name", language),
                                                    criterion.text("name", language))
    return names


def build_calibration(actor: User, now: datetime, language: str, *,
                      requisition_id: int | None = None,
                      period: str = "all") -> CalibrationReport:
    """Return the calibration of the submitted feedback on *requisition_id*'s interviews (every
    opening's, when None) over *period* (a key of PERIODS) back from *now*."""
    if not can_see_all_feedback(actor):
        raise CalibrationRefused("not_allowed")
    days = PERIODS.get(period)
    since_at = now - timedelta(days=days) if days is not None else None
    feedback = submitted_feedback(requisition_id=requisition_id, since_at=since_at)
    sheets = [score_sheet(row) for row in feedback]
    versions = _rubric_versions(feedback)
    names = _criterion_names(versions, language)
    calibrations = calibrate_interviewers(sheets)
    profiles = {profile.id: profile for profile in db.session.scalars(
        sa.select(InterviewerProfile)
        .where(InterviewerProfile.id.in_([c.interviewer_id for c in calibrations]))
        .options(selectinload(InterviewerProfile.user)))}
    interviewers = sorted((InterviewerRow(profiles[c.interviewer_id], c) for c in calibrations),
                          key=lambda row: (row.profile.user.name, row.profile.id))
    criteria = [CriterionRow(*names.get(a.key, (a.rubric_code, a.criterion_code)), a)
                for a in criterion_agreement(sheets, [d for _r, d in versions])]
    return CalibrationReport(interviewers, criteria, len(sheets))
