"""Who looked: one record per request that showed a candidate's personal data (issue 25)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.models.types import UTCDateTime


class AccessRecord(db.Model):
    """A person saw a candidate's data (or a list naming candidates) through one endpoint."""

    id: Mapped[int] = mapped_column(primary_key=True)
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # What was shown, a code (scheduler/i18n.py `access_label` words it), and through which route.
    what: Mapped[str] = mapped_column(String(40))
    endpoint: Mapped[str] = mapped_column(String(100))
    # The one candidate and application the page was about; both NULL for a list or a board.
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidate.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))

    user = relationship("User")
    candidate = relationship("Candidate")

    __table_args__ = (Index("ix_access_record_user_time", "user_id", "accessed_at"),)
