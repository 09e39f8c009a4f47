"""Candidate scheduling links: capabilities stored only as a hash."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.models.types import UTCDateTime


class SchedulingLink(db.Model):
    """A private link for one application and an ordered list of stages (a loop when several)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    stage_ids: Mapped[list] = mapped_column(JSON)
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    first_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booking_group_id: Mapped[int | None] = mapped_column(ForeignKey("booking_group.id"))
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interview.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    candidate_note: Mapped[str] = mapped_column(Text, default="")

    application = relationship("Application")
