"""Candidates (no account) and their applications to requisitions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.models.types import UTCDateTime


class Candidate(db.Model):
    """A person applying; booking an interview for them locks this row first (lock_version)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    zone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5), default="zh")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lock_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Erasure on request (services/anonymisation.py): asked for at this time; the job finishes
    # it once the cancellations it sent have gone out or failed.
    erasure_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the name, email and phone were replaced (erasure, or retention once every application
    # has expired); set by the claiming conditional update, so it happens once.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    applications: Mapped[list[Application]] = relationship(back_populates="candidate")


class Application(db.Model):
    """A candidate's application to one requisition, and where it stands."""

    ACTIVE, ON_HOLD, OFFER, HIRED, REJECTED, WITHDRAWN = (
        "active", "on_hold", "offer", "hired", "rejected", "withdrawn")
    STATUSES = (ACTIVE, ON_HOLD, OFFER, HIRED, REJECTED, WITHDRAWN)
    OPEN_STATUSES = (ACTIVE, ON_HOLD)
    # The statuses that set `closed_at`: the application is over.
    CLOSED_STATUSES = (HIRED, REJECTED, WITHDRAWN)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"))
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisition.id"))
    level: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE)
    current_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage_template.id"))
    # The offer clock: set when the stage before the offer stage is passed, to that moment plus
    # the offer stage's SLA days (services/decisions.py); the promise made then does not move.
    offer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When it became rejected, withdrawn or hired; the opening's retention period runs from here.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When its free text (notes, feedback evidence, mail bodies) was scrubbed; claimed once.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    candidate: Mapped[Candidate] = relationship(back_populates="applications")
    requisition = relationship("Requisition")
    current_stage = relationship("StageTemplate")

    @property
    def is_open_for_booking(self) -> bool:
        """Tell whether interviews may be booked for this application: it is active or on hold;
        an offer, a hire, a rejection or a withdrawal closes it."""
        return self.status in self.OPEN_STATUSES

    __table_args__ = (
        UniqueConstraint("candidate_id", "requisition_id"),
        CheckConstraint(f"status IN {STATUSES}", name="status"),
    )
