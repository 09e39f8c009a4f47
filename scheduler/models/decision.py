"""Decisions on an application at one of its stages (DESIGN.md §9): advance, reject, hold or
offer, who took it and why, and whether it overrode feedback still missing.

A decision is a fact that is never edited: a later decision on the same stage (after a hold,
say) is a new row. The application's status and current stage are what the latest decision
made of them; the rows are the record of how it got there.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.models.types import UTCDateTime

DECISION_OUTCOMES = ("advance", "reject", "hold", "offer")
# Why a candidate was turned down: a short list, so rejections can be counted; "other" needs
# the note to say what.
REJECT_REASONS = ("skills", "experience_level", "communication", "salary_expectations",
                  "candidate_withdrew", "other")


class StageDecision(db.Model):
    """One coordinator's decision on an application at one stage."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage_template.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    reason_code: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Taken before every author had submitted feedback, and why.
    is_override: Mapped[bool] = mapped_column(default=False)
    override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Whether the candidate was written to about it (a rejection or an offer, their choice).
    is_candidate_told: Mapped[bool] = mapped_column(default=False)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)

    application = relationship("Application")
    stage = relationship("StageTemplate")
    decided_by = relationship("User")

    __table_args__ = (
        CheckConstraint(f"outcome IN {DECISION_OUTCOMES}", name="outcome"),
        CheckConstraint(f"reason_code IS NULL OR reason_code IN {REJECT_REASONS}",
                        name="reason_code"),
        # A rejection says why; nothing else carries a rejection reason.
        CheckConstraint("(outcome = 'reject') = (reason_code IS NOT NULL)", name="reject_reason"),
        CheckConstraint("NOT is_override OR override_reason <> ''", name="override_reason"),
    )
