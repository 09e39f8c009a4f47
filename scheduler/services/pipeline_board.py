"""The pipeline board (issue 20): one opening's applications as columns, one per stage, each
card with the application's state (services/pipeline.py `application_states`, the same state
the applications list shows).

The board reads in a fixed number of queries whatever the number of applications: the opening's
stages, the applications that match (their candidates and current stages loaded with them), and
the states of the cards it shows. A column shows at most CARDS_PER_COLUMN cards, the most
recently changed first, and says how many more there are (the list pages through all of them).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import Application, Candidate, Requisition, StageTemplate, User
from scheduler.services.permissions import check_can_list_applications
from scheduler.services.pipeline import ApplicationState, application_states

CARDS_PER_COLUMN = 50
# What the board shows unless asked otherwise: the applications still in the process.
OPEN_STATUSES = (Application.ACTIVE, Application.ON_HOLD, Application.OFFER)


@dataclass(frozen=True)
class BoardCard:
    application: Application
    state: ApplicationState


@dataclass
class BoardColumn:
    stage: StageTemplate | None         # None: applications with no stage yet
    cards: list[BoardCard] = field(default_factory=list)
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


def pipeline_board(actor: User, requisition: Requisition, now: datetime, *,
                   statuses=OPEN_STATUSES, application_ids=None) -> PipelineBoard:
    """Return *requisition*'s applications of *statuses* (only *application_ids* among them,
    when given: the list's search and filters) per stage, each card with its state at *now*."""
    check_can_list_applications(actor)
    stages = list(db.session.scalars(
        sa.select(StageTemplate).where(StageTemplate.requisition_id == requisition.id)
        .order_by(StageTemplate.position, StageTemplate.id)))
    query = (sa.select(Application)
             .join(Candidate, Candidate.id == Application.candidate_id)
             .where(Application.requisition_id == requisition.id,
                    Application.status.in_(tuple(statuses)))
             .options(selectinload(Application.candidate))
             .order_by(Application.updated_at.desc(), Application.id.desc()))
    if application_ids is not None:
        query = query.where(Application.id.in_(application_ids))
    by_stage: dict[int | None, list[Application]] = defaultdict(list)
    for application in db.session.scalars(query):
        by_stage[application.current_stage_id].append(application)
    # Live stages always have a column; a stage since archived (or none) only while it holds
    # applications.
    columns = {s.id: BoardColumn(s) for s in stages if s.archived_at is None}
    columns |= {s.id: BoardColumn(s) for s in stages if s.id in by_stage and s.id not in columns}
    if None in by_stage:
        columns[None] = BoardColumn(None)
    shown = {stage_id: apps[:CARDS_PER_COLUMN] for stage_id, apps in by_stage.items()}
    states = application_states([a for apps in shown.values() for a in apps], now)
    for stage_id, column in columns.items():
        column.total = len(by_stage.get(stage_id, ()))
        column.cards = [BoardCard(a, states[a.id]) for a in shown.get(stage_id, ())]
    return PipelineBoard(requisition, list(columns.values()))
