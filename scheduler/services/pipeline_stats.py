"""The pipeline overview (issue 20): loads one opening's facts for a period and hands them to the
pure maths of scheduler/domain/pipeline_stats.py, which says what each figure counts.

Rows are read as plain columns in a fixed number of queries, whatever the number of
applications, links, interviews or interviewers: the opening's stages, its applications that
the period touches (created in it, decided on in it, or whose offer clock ran out in it), its
links sent or booked in the period, its decisions taken in it and the interviews of the
applications decided on, every interviewer and their active seats in the weeks that overlap the
period (a cap is across openings, so the load is too), and the interviews held whose feedback
may fall due in the period, with their seats and the feedback submitted on them. A feedback's
due time is `feedback.feedback_due_at` (the nudges and calibration use the same).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scheduler.domain.pipeline_stats import (
    ApplicationFact, DecisionFact, FeedbackDueFact, InterviewerFact, InterviewFact, LinkFact,
    Period, PipelineStats, SeatFact, StageFact, pipeline_stats,
)
from scheduler.extensions import db
from scheduler.models import (
    Application, Feedback, Interview, InterviewerAssignment, InterviewerProfile, Office,
    Requisition, SchedulingLink, StageDecision, StageTemplate, User,
)
from scheduler.services.errors import N_, ServiceError
from scheduler.services.feedback import DEFAULT_FEEDBACK_DUE_HOURS, feedback_due_at
from scheduler.services.permissions import (
    check_can_list_applications, check_coordinates, feedback_author_ids,
)

# The longest period the overview reads at once.
MAX_PERIOD_DAYS = 366


class PipelineStatsRefused(ServiceError):
    """The overview's period was refused (who may read it is `check_can_list_applications`)."""

    messages = {
        "period_order": N_("The last day must not be before the first."),
        "period_too_long": N_("Choose a period of at most %(days)d days."),
    }


@dataclass(frozen=True)
class InterviewerName:
    id: int
    name: str
    zone: str


@dataclass(frozen=True)
class PipelineOverview:
    """The figures, and what the page needs to name them."""

    requisition: Requisition
    stages: dict[int, StageTemplate]            # by id: the funnel's steps name their stage
    interviewers: dict[int, InterviewerName]    # by profile id: the load's rows
    stats: PipelineStats
    period: Period


def check_period(start_at: datetime, end_at: datetime) -> None:
    """Refuse a period that ends before it starts or is longer than MAX_PERIOD_DAYS."""
    if end_at <= start_at:
        raise PipelineStatsRefused("period_order", "last_day")
    if end_at - start_at > timedelta(days=MAX_PERIOD_DAYS):
        raise PipelineStatsRefused("period_too_long", "last_day", days=MAX_PERIOD_DAYS)


def build_pipeline_overview(actor: User, requisition: Requisition, *, start_at: datetime,
                            end_at: datetime, now: datetime) -> PipelineOverview:
    """Return *requisition*'s figures for [start_at, end_at) as of *now*; the weeks of the load
    are those of the actor's calendar."""
    check_can_list_applications(actor)
    check_coordinates(actor, requisition)
    check_period(start_at, end_at)
    period = Period(start_at, end_at)
    stages = {stage.id: stage for stage in db.session.scalars(
        sa.select(StageTemplate).where(StageTemplate.requisition_id == requisition.id))}
    live = [StageFact(s.id, s.position) for s in stages.values() if s.archived_at is None]
    interviewers, seats = _load(period)
    stats = pipeline_stats(
        period=period, now=now, zone=actor.zone, stages=live,
        applications=_applications(requisition, period), links=_links(requisition, period),
        decisions=_decisions(requisition, period), interviews=_decided_interviews(
            requisition, period),
        interviewers=[InterviewerFact(i.id, i.zone, cap) for i, cap in interviewers],
        seats=seats, feedback_due=_feedback_due(requisition, period, stages, now))
    return PipelineOverview(requisition, stages, {i.id: i for i, _cap in interviewers}, stats,
                            period)


def _in(column, period: Period):
    return sa.and_(column >= period.start_at, column < period.end_at)


def _decided_in(requisition: Requisition, period: Period):
    """A SELECT of the ids of *requisition*'s applications with a decision in *period*."""
    return (sa.select(StageDecision.application_id)
            .join(Application, Application.id == StageDecision.application_id)
            .where(Application.requisition_id == requisition.id,
                   _in(StageDecision.decided_at, period)))


def _applications(requisition: Requisition, period: Period) -> list[ApplicationFact]:
    rows = db.session.execute(
        sa.select(Application.id, Application.created_at, Application.status,
                  StageTemplate.position, Application.offer_due_at)
        .outerjoin(StageTemplate, StageTemplate.id == Application.current_stage_id)
        .where(Application.requisition_id == requisition.id,
               sa.or_(_in(Application.created_at, period),
                      _in(Application.offer_due_at, period),
                      Application.id.in_(_decided_in(requisition, period)))))
    return [ApplicationFact(*row) for row in rows]


def _links(requisition: Requisition, period: Period) -> list[LinkFact]:
    rows = db.session.execute(
        sa.select(SchedulingLink.created_at, SchedulingLink.booked_at)
        .join(Application, Application.id == SchedulingLink.application_id)
        .where(Application.requisition_id == requisition.id,
               sa.or_(_in(SchedulingLink.created_at, period),
                      _in(SchedulingLink.booked_at, period))))
    return [LinkFact(*row) for row in rows]


def _decisions(requisition: Requisition, period: Period) -> list[DecisionFact]:
    rows = db.session.execute(
        sa.select(StageDecision.application_id, StageDecision.stage_id, StageDecision.outcome,
                  StageDecision.decided_at)
        .join(Application, Application.id == StageDecision.application_id)
        .where(Application.requisition_id == requisition.id,
               _in(StageDecision.decided_at, period)))
    return [DecisionFact(*row) for row in rows]


def _decided_interviews(requisition: Requisition, period: Period) -> list[InterviewFact]:
    """The interviews, taking place or held, of the applications decided on in *period* that
    ended before its end (the rest cannot come before a decision in it)."""
    rows = db.session.execute(
        sa.select(Interview.application_id, Interview.stage_id, Interview.end_at)
        .where(Interview.application_id.in_(_decided_in(requisition, period)),
               Interview.status.in_(Interview.TAKING_PLACE), Interview.end_at < period.end_at))
    return [InterviewFact(*row) for row in rows]


def _load(period: Period) -> tuple[list[tuple[InterviewerName, int | None]],
                                              list[SeatFact]]:
    """Every interviewer who is active or sat near *period*, with their weekly cap, and the
    active seats of the weeks that may overlap it (the domain picks the weeks)."""
    # The weeks overlapping the period reach at most a week beyond it, and an interviewer's
    # own zone at most a day further: eight days either side hold every seat that counts.
    since_at, until_at = period.start_at - timedelta(days=8), period.end_at + timedelta(days=8)
    seats = [SeatFact(*row) for row in db.session.execute(
        sa.select(InterviewerAssignment.interviewer_id, InterviewerAssignment.start_at)
        .where(InterviewerAssignment.is_active.is_(True),
               InterviewerAssignment.start_at >= since_at,
               InterviewerAssignment.start_at < until_at))]
    seated = {seat.interviewer_id for seat in seats}
    interviewers = []
    for profile_id, name, zone_name, office_zone, cap, is_active in db.session.execute(
            sa.select(InterviewerProfile.id, User.name, InterviewerProfile.zone, Office.zone,
                      InterviewerProfile.weekly_cap, User.is_active)
            .join(User, User.id == InterviewerProfile.user_id)
            .join(Office, Office.id == InterviewerProfile.office_id)
            .order_by(User.name, InterviewerProfile.id)):
        if is_active or profile_id in seated:
            interviewers.append((InterviewerName(profile_id, name, zone_name or office_zone), cap))
    return interviewers, seats


def _feedback_due(requisition: Requisition, period: Period, stages: dict[int, StageTemplate],
                  now: datetime) -> list[FeedbackDueFact]:
    """One fact per author of each of *requisition*'s interviews held whose feedback may fall
    due in *period*: when it is due, and when it was submitted."""
    longest = max([DEFAULT_FEEDBACK_DUE_HOURS, *(s.feedback_due_hours or 0
                                                 for s in stages.values())])
    interviews = list(db.session.scalars(
        sa.select(Interview)
        .join(Application, Application.id == Interview.application_id)
        .where(Application.requisition_id == requisition.id,
               Interview.status.in_(Interview.TAKING_PLACE),
               Interview.end_at >= period.start_at - timedelta(hours=longest),
               Interview.end_at < period.end_at, Interview.end_at <= now)
        .options(selectinload(Interview.assignments))))
    submitted = {(interview_id, author): at for interview_id, author, at in db.session.execute(
        sa.select(Feedback.interview_id, Feedback.interviewer_id, Feedback.submitted_at)
        .where(Feedback.interview_id.in_([i.id for i in interviews]),
               Feedback.submitted_at.is_not(None)))} if interviews else {}
    facts = []
    for interview in interviews:
        # The stage is in the session already (loaded above): no query per interview.
        due_at = feedback_due_at(interview)
        facts += [FeedbackDueFact(due_at, submitted.get((interview.id, author)))
                  for author in sorted(feedback_author_ids(interview))]
    return facts
