"""Versioned rubrics and the feedback interviewers submit against them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, CheckConstraint, ForeignKey, Integer, SmallInteger, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.domain.rubric import RECOMMENDATIONS
from scheduler.extensions import db
from scheduler.models.types import UTCDateTime


class Rubric(db.Model):
    """A rubric version; its definition (criteria, descriptors per score, level expectations) is data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(Integer, default=1)
    stage_kind: Mapped[str] = mapped_column(String(30))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("code", "version"),)


class Feedback(db.Model):
    """One interviewer's feedback on one interview; locked once submitted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interview.id"))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("interviewer_profile.id"))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"))
    recommendation: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    rubric = relationship("Rubric")
    scores: Mapped[list[FeedbackScore]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("interview_id", "interviewer_id"),
        CheckConstraint(
            f"recommendation IS NULL OR recommendation IN {RECOMMENDATIONS}", name="recommendation"
        ),
    )


class FeedbackScore(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    criterion_code: Mapped[str] = mapped_column(String(50))
    score: Mapped[int] = mapped_column(SmallInteger)
    evidence: Mapped[str] = mapped_column(Text, default="")

    feedback: Mapped[Feedback] = relationship(back_populates="scores")

    __table_args__ = (
        UniqueConstraint("feedback_id", "criterion_code"),
        CheckConstraint("score BETWEEN 1 AND 4", name="score"),
    )
