"""The pipeline board (issue 20): one opening's applications as columns, one per stage, each
card with the application's state.

The applications and their states are the list's (services/pipeline.py `all_applications`, with
the list's criteria: search, status, state, the candidate's zone), so the board and the list never
disagree on who matches or where each stands; the board only groups them by stage. By default it
shows the applications still in the process (active, on hold, with an offer): one run of the
list's query per status, a fixed number of statements whatever the number of applications. A
column shows at most CARDS_PER_COLUMN cards, the most recently active first, and says how many
more there are (the list pages through all of them).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import Application, Requisition, StageTemplate, User
from scheduler.services.permissions import check_coordinates
from scheduler.services.pipeline import ApplicationCriteria, ApplicationRow, all_applications

CARDS_PER_COLUMN = 50
# What the board shows unless asked for one status: the applications still in the process.
OPEN_STATUSES = (Application.ACTIVE, Application.ON_HOLD, Application.OFFER)


@dataclass
class BoardColumn:
    stage: StageTemplate | None         # None: applications with no stage yet
    cards: list[ApplicationRow] = field(default_factory=list)
    total: int = 0                      # the column's applications, shown or not

    @property
    def hidden(self) -> int:
        return self.total - len(self.cards)


@dataclass(frozen=True)
class PipelineBoard:
    requisition: Requisition
    columns: list[BoardColumn]

    @property
    def total(self) -> int:
        return sum(column.total for column in self.columns)


def pipeline_board(actor: User, requisition: Requisition, criteria: ApplicationCriteria,
                   now: datetime, *, language: str = "en") -> PipelineBoard:
    """Return *requisition*'s applications that *criteria* select (those still in the process
    when they name no status) per stage, each with its state at *now*."""
    check_coordinates(actor, requisition)
    statuses = (criteria.status,) if criteria.status else OPEN_STATUSES
    rows: list[ApplicationRow] = []
    for status in statuses:
        rows += all_applications(actor, replace(
            criteria, requisition_id=requisition.id, status=status, sort="activity",
            is_descending=True), now, language=language)
    rows.sort(key=lambda row: (row.last_activity_at, row.application.id), reverse=True)
    stages = list(db.session.scalars(
        sa.select(StageTemplate).where(StageTemplate.requisition_id == requisition.id)
        .order_by(StageTemplate.position, StageTemplate.id)))
    by_stage: dict[int | None, list[ApplicationRow]] = {}
    for row in rows:
        by_stage.setdefault(row.application.current_stage_id, []).append(row)
    # Live stages always have a column; a stage since archived (or none) only while it holds
    # applications.
    columns = {s.id: BoardColumn(s) for s in stages
               if s.archived_at is None or s.id in by_stage}
    if None in by_stage:
        columns[None] = BoardColumn(None)
    for stage_id, column in columns.items():
        found = by_stage.get(stage_id, [])
        column.total, column.cards = len(found), found[:CARDS_PER_COLUMN]
    return PipelineBoard(requisition, list(columns.values()))
