"""The audit log: the writer every service uses for bookings, changes, feedback, links, consents,
exports, erasures, sign-ins and staff changes; the reader of one object's history; and the
admins' filtered, paged search over all of it (issue 26 item 6), newest first.

What an event keeps (before, after, note) is written by the service that records it: never a
secret, password, token or a candidate's free text in before/after.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from scheduler.extensions import db
from scheduler.models import AuditEvent, User
from scheduler.services.paging import read_page
from scheduler.services.permissions import check_can_see_audit_log

PAGE_SIZE = 50
# The export reads the events this many at a time, so a long log never sits in memory at once.
EXPORT_BATCH = 500


def record_event(actor: User | str | None, action: str, obj, *, now: datetime,
                 before: dict | None = None, after: dict | None = None,
                 note: str = "") -> AuditEvent:
    """Add an audit event: *actor* is a staff user, or a label such as "candidate link 12";
    *obj* is the row acted on, or the name of its table when no row is known (a sign-in for an
    email that has no account)."""
    event = AuditEvent(
        occurred_at=now,
        actor_user_id=actor.id if isinstance(actor, User) else None,
        actor_label=actor if isinstance(actor, str) else "",
        action=action,
        object_type=obj if isinstance(obj, str) else obj.__tablename__,
        object_id=None if isinstance(obj, str) else obj.id,
        before=before,
        after=after,
        note=note,
    )
    db.session.add(event)
    return event


def history_of(obj) -> list[AuditEvent]:
    """Return the audit events recorded on *obj* itself, oldest first."""
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == obj.__tablename__,
                                    AuditEvent.object_id == obj.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)))


# --- The admins' audit log ---------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """What the admin asked for: who acted (a staff user, or anyone who is not staff: candidates
    through their links, jobs, the command line, the sign-in form), on what (a kind of object,
    and one of them by id), which kind of event, and a period [start_at, end_at)."""

    actor_user_id: int | None = None
    is_not_staff: bool = False
    object_type: str = ""
    object_id: int | None = None
    action: str = ""
    start_at: datetime | None = None
    end_at: datetime | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def _query(wanted: AuditFilter) -> sa.Select:
    query = sa.select(AuditEvent)
    if wanted.actor_user_id is not None:
        query = query.where(AuditEvent.actor_user_id == wanted.actor_user_id)
    elif wanted.is_not_staff:
        query = query.where(AuditEvent.actor_user_id.is_(None))
    if wanted.object_type:
        query = query.where(AuditEvent.object_type == wanted.object_type)
    if wanted.object_id is not None:
        query = query.where(AuditEvent.object_id == wanted.object_id)
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.start_at is not None:
        query = query.where(AuditEvent.occurred_at >= wanted.start_at)
    if wanted.end_at is not None:
        query = query.where(AuditEvent.occurred_at < wanted.end_at)
    return query


_NEWEST_FIRST = (AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def search_audit_events(actor: User, wanted: AuditFilter, page: int = 1) -> AuditPage:
    """Return one page of the audit events *wanted* selects, newest first (admins only)."""
    check_can_see_audit_log(actor)
    found = read_page(_query(wanted).options(joinedload(AuditEvent.actor)), _NEWEST_FIRST, page,
                      PAGE_SIZE)
    return AuditPage(events=found.rows, total=found.total, page=found.page, pages=found.pages)


def all_audit_events(actor: User, wanted: AuditFilter) -> Iterator[AuditEvent]:
    """Yield every audit event *wanted* selects, newest first, as the pages list them (admins
    only; the export)."""
    check_can_see_audit_log(actor)
    # Keyset paging on (occurred_at, id): stable while events are added, bounded in memory.
    last: tuple[datetime, int] | None = None
    while True:
        query = _query(wanted).options(joinedload(AuditEvent.actor))
        if last is not None:
            query = query.where(sa.or_(
                AuditEvent.occurred_at < last[0],
                sa.and_(AuditEvent.occurred_at == last[0], AuditEvent.id < last[1])))
        batch = list(db.session.scalars(query.order_by(*_NEWEST_FIRST).limit(EXPORT_BATCH)))
        yield from batch
        if len(batch) < EXPORT_BATCH:
            return
        last = (batch[-1].occurred_at, batch[-1].id)

