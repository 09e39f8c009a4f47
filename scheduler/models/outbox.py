"""The outbox of email to send, and reminders that become outbox rows when due."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.models.types import UTCDateTime


class OutboxMessage(db.Model):
    """An email written in the same transaction as its cause; the job process sends it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(500))
    message_id: Mapped[str] = mapped_column(String(255))
    # The whole MIME message, so a retry sends exactly the same bytes.
    raw_message: Mapped[bytes] = mapped_column(LargeBinary)
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interview.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The lease: which job process holds the row (host/pid/random, see jobs.process_owner) and
    # until when, on the real clock (services/outbox.py `Lease`). Only the holder sends it.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Names the event a mail tells of, for each recipient: a retried request or a double submit
    # finds the row already there and writes none (services/outbox.py `enqueue_email`).
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)

    __table_args__ = (Index("ix_outbox_message_due", "sent_at", "failed_at", "next_attempt_at"),
                      Index("ix_outbox_message_claimed_by", "claimed_by"))


class Reminder(db.Model):
    """A due reminder; claimed once by `… WHERE enqueued_at IS NULL` and turned into outbox rows.

    It is about an interview (the 24-hour reminder) or about an application (the offer clock's
    alert), never both: services/reminders.py `ReminderKind.subject` says which.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(254))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))

    interview = relationship("Interview")
    application = relationship("Application")

    __table_args__ = (
        UniqueConstraint("interview_id", "kind", "recipient"),
        UniqueConstraint("application_id", "kind", "recipient"),
        CheckConstraint("(interview_id IS NULL) <> (application_id IS NULL)", name="subject"),
    )
