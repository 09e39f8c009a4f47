"""The candidate's own live interviews, which no slot of theirs may overlap: read over a span,
and asked about several spans of one request from that one read.

A plan of stages (services/slot_search.py) reads them over `candidate_window` as the
candidate's busy time; the booking's locked re-check (services/booking.py) reads them once,
over that window and the chosen time together, for both its clash check and its plan.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable, Sequence

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import Application, Interview, StageTemplate


def candidate_interviews(candidate_id: int, start_at: datetime, end_at: datetime, *,
                         exclude_interview_ids: Iterable[int] = (),
                         among: Sequence[Interview] | None = None) -> list[Interview]:
    """Return the candidate's live interviews (any application of theirs) that overlap
    [start_at, end_at), in start order, leaving out *exclude_interview_ids* (those being moved);
    picked from *among* (this function's answer for a span holding that one) when given."""
    if among is not None:
        excluded = set(exclude_interview_ids)
        return [i for i in among
                if i.end_at > start_at and i.start_at < end_at and i.id not in excluded]
    query = (
        sa.select(Interview)
        .join(Application, Application.id == Interview.application_id)
        .where(Application.candidate_id == candidate_id, Interview.status == Interview.SCHEDULED,
               Interview.end_at > start_at, Interview.start_at < end_at)
        .order_by(Interview.start_at, Interview.id)
    )
    excluded = list(exclude_interview_ids)
    if excluded:
        query = query.where(Interview.id.not_in(excluded))
    return list(db.session.scalars(query))


def candidate_window(stages: Sequence[StageTemplate], now: datetime) -> tuple[datetime, datetime]:
    """Return the span a plan of *stages* reads the candidate's interviews over (their busy
    time): now to the end of the longest horizon, and a day."""
    return now, now + max(timedelta(days=s.horizon_days) for s in stages) + timedelta(days=1)


def interviews_around(candidate_id: int, stages: Sequence[StageTemplate], start_at: datetime,
                      end_at: datetime, now: datetime) -> list[Interview]:
    """Return the candidate's live interviews over `candidate_window` and [start_at, end_at)
    together: one read that answers both (pass it as *among*)."""
    window_start, window_end = candidate_window(stages, now)
    return candidate_interviews(candidate_id, min(window_start, start_at), max(window_end, end_at))
