"""Candidate scheduling links: capabilities stored only as a hash."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, Time
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
    # When the candidate last wrote "none of these work", and the times they proposed instead
    # (ISO 8601 UTC strings).
    candidate_note_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_times: Mapped[list | None] = mapped_column(JSON)
    # The candidate's own acceptable local hours, when they widened the stage's; NULL = the stage's.
    candidate_day_start: Mapped[time | None] = mapped_column(Time)
    candidate_day_end: Mapped[time | None] = mapped_column(Time)
    # The last time the link email went out (a resend replaces the token).
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application = relationship("Application")
    created_by = relationship("User")
