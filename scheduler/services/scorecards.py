"""An application's scorecard for the hiring team (DESIGN.md §9): the submitted feedback on its
interviews, criteria × interviewers, with the maths of scheduler/domain/scorecard.py beside it.

What is read passes through `permissions.visible_feedback` (via `feedback_visible_to`), and only
submitted feedback is scored: a draft never reaches the scorecard, not even its author's own.
Criteria are grouped by rubric (one table per rubric: the interviewers who scored it are its
columns); their names and questions come from the rubric definitions, in the reader's language,
which the page picks.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scheduler.domain.rubric import LEVELS, Criterion, RubricDefinition
from scheduler.domain.scorecard import CriterionSummary, Scorecard, ScoreSheet, build_scorecard
from scheduler.extensions import db
from scheduler.models import (
    Application, FeedbackScore, Interview, InterviewerAssignment, InterviewerProfile, User,
)
from scheduler.services.feedback import FeedbackView, feedback_visible_to


@dataclass
class ScorecardRow:
    """One criterion: its rubric text (None if no version given names it), its summary, and
    each column's score row (None where that column did not score it)."""

    criterion: Criterion | None
    summary: CriterionSummary
    cells: list[FeedbackScore | None]


@dataclass
class RubricTable:
    """The criteria of one rubric × the feedback written on it."""

    definition: RubricDefinition        # its latest version among the feedback
    columns: list[FeedbackView]         # one submitted feedback each, in submission order
    rows: list[ScorecardRow]


@dataclass
class ApplicationScorecard:
    """Everything the scorecard page shows about the feedback on one application."""

    card: Scorecard
    tables: list[RubricTable]
    feedback: list[FeedbackView]        # every submitted feedback the reader may read
    interviews: list[Interview]         # not cancelled, in time order


def application_interviews(application: Application) -> list[Interview]:
    """Return the application's interviews that were not cancelled, in time order."""
    return list(db.session.scalars(
        sa.select(Interview).where(Interview.application_id == application.id,
                                   Interview.status != Interview.CANCELLED)
        .options(selectinload(Interview.stage), selectinload(Interview.no_show),
                 selectinload(Interview.assignments).selectinload(InterviewerAssignment.interviewer)
                 .selectinload(InterviewerProfile.user))
        .order_by(Interview.start_at, Interview.id)))


def _sheet(view: FeedbackView, application_id: int) -> ScoreSheet:
    feedback = view.feedback
    return ScoreSheet(
        interviewer_id=feedback.interviewer_id, interview_id=feedback.interview_id,
        application_id=application_id, rubric_code=view.definition.code,
        scores={row.criterion_code: row.score for row in feedback.scores
                if row.score is not None},
        recommendation=feedback.recommendation,
        # An opening may name its own levels; only the standard ones are tallied.
        level=feedback.hire_level if feedback.hire_level in LEVELS else None,
        submitted_at=feedback.submitted_at)


def application_scorecard(actor: User, application: Application) -> ApplicationScorecard:
    """Build the scorecard of *application* from the submitted feedback *actor* may read."""
    interviews = application_interviews(application)
    views = [view for view in feedback_visible_to(actor, interviews)
             if view.feedback.is_submitted]
    views.sort(key=lambda v: (v.feedback.interview.start_at, v.feedback.submitted_at,
                              v.feedback.id))
    # Every version used, oldest first per rubric, rubrics in the order they were first used.
    versions: dict[tuple[str, int], RubricDefinition] = {}
    for view in sorted(views, key=lambda v: v.definition.version):
        versions.setdefault((view.definition.code, view.definition.version), view.definition)
    order = list(dict.fromkeys(view.definition.code for view in views))
    definitions = sorted(versions.values(), key=lambda d: (order.index(d.code), d.version))
    card = build_scorecard(application.id, [_sheet(v, application.id) for v in views],
                           definitions)
    tables = []
    for code in order:
        latest = [d for d in definitions if d.code == code][-1]
        columns = [view for view in views if view.definition.code == code]
        rows = []
        for summary in card.criteria:
            if summary.rubric_code != code:
                continue
            named = [d for d in definitions if d.code == code
                     and summary.criterion_code in d.criterion_codes]
            criterion = named[-1].criterion(summary.criterion_code) if named else None
            cells = [next((row for row in view.feedback.scores
                           if row.criterion_code == summary.criterion_code
                           and row.score is not None), None) for view in columns]
            rows.append(ScorecardRow(criterion, summary, cells))
        tables.append(RubricTable(latest, columns, rows))
    return ApplicationScorecard(card, tables, views, interviews)
