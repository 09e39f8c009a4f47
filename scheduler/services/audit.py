"""The audit log: the writer every service uses for bookings, changes, feedback and links, and
the reader of one object's history."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import AuditEvent, User


def record_event(actor: User | str | None, action: str, obj, *, now: datetime,
                 before: dict | None = None, after: dict | None = None,
                 note: str = "") -> AuditEvent:
    """Add an audit event: *actor* is a staff user, or a label such as "candidate link 12"."""
    event = AuditEvent(
        occurred_at=now,
        actor_user_id=actor.id if isinstance(actor, User) else None,
        actor_label=actor if isinstance(actor, str) else "",
        action=action,
        object_type=obj.__tablename__,
        object_id=obj.id,
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
