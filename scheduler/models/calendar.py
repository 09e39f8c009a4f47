"""Interviewers' calendar sources and the busy blocks expanded from them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.models.types import EncryptedText, UTCDateTime

SOURCE_KINDS = ("file", "url", "caldav", "manual")


class CalendarSource(db.Model):
    """Where busy time comes from; keeps what is needed to re-read it and how the last read went."""

    id: Mapped[int] = mapped_column(primary_key=True)
    interviewer_id: Mapped[int] = mapped_column(
        ForeignKey("interviewer_profile.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    # A subscription address is a secret (whoever has it reads the calendar), and so is a CalDAV
    # password: both are stored encrypted and never rendered back in full to anyone.
    url: Mapped[str] = mapped_column(EncryptedText, default="")
    username: Mapped[str] = mapped_column(String(200), default="")
    password: Mapped[str] = mapped_column(EncryptedText, default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    busy_blocks: Mapped[list[BusyBlock]] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (CheckConstraint(f"kind IN {SOURCE_KINDS}", name="kind"),)


class BusyBlock(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    interviewer_id: Mapped[int] = mapped_column(
        ForeignKey("interviewer_profile.id", ondelete="CASCADE")
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("calendar_source.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    external_uid: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[str] = mapped_column(String(500), default="")

    source: Mapped[CalendarSource] = relationship(back_populates="busy_blocks")

    __table_args__ = (
        CheckConstraint("start_at < end_at", name="start_before_end"),
        Index("ix_busy_block_interviewer_time", "interviewer_id", "start_at"),
        Index("ix_busy_block_source", "source_id"),
    )
