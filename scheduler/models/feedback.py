"""Versioned rubrics and the feedback interviewers write against them: scores with evidence,
strengths, concerns, a recommendation and a hire level; a draft until submitted, then locked,
with later amendments kept beside it (DESIGN.md §9)."""
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
    """One author's feedback on one interview: a draft until `submitted_at`, then locked.

    The rubric version is fixed when the draft is first written and never changes, so a newer
    version of the rubric never alters feedback written on an older one.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interview.id"), index=True)
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("interviewer_profile.id"))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"))
    recommendation: Mapped[str | None] = mapped_column(String(20))
    # The opening's level (its `levels` code) the author would hire the candidate at.
    hire_level: Mapped[str | None] = mapped_column(String(20))
    strengths: Mapped[str] = mapped_column(Text, default="", server_default="")
    concerns: Mapped[str] = mapped_column(Text, default="", server_default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    rubric = relationship("Rubric")
    interview = relationship("Interview")
    interviewer = relationship("InterviewerProfile")
    scores: Mapped[list[FeedbackScore]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan", order_by="FeedbackScore.id"
    )
    amendments: Mapped[list[FeedbackAmendment]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan",
        order_by="(FeedbackAmendment.created_at, FeedbackAmendment.id)",
    )

    @property
    def is_submitted(self) -> bool:
        """Tell whether the author has submitted this feedback (it is then locked)."""
        return self.submitted_at is not None

    __table_args__ = (
        UniqueConstraint("interview_id", "interviewer_id"),
        CheckConstraint(
            f"recommendation IS NULL OR recommendation IN {RECOMMENDATIONS}", name="recommendation"
        ),
        # Submitted feedback is complete; a draft may be anything in between.
        CheckConstraint(
            "submitted_at IS NULL OR (recommendation IS NOT NULL AND hire_level IS NOT NULL)",
            name="submitted_complete",
        ),
    )


class FeedbackScore(db.Model):
    """One criterion of one feedback: its score (empty while a draft) and the evidence for it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    criterion_code: Mapped[str] = mapped_column(String(50))
    score: Mapped[int | None] = mapped_column(SmallInteger)
    evidence: Mapped[str] = mapped_column(Text, default="")

    feedback: Mapped[Feedback] = relationship(back_populates="scores")

    __table_args__ = (
        UniqueConstraint("feedback_id", "criterion_code"),
        CheckConstraint("score IS NULL OR score BETWEEN 1 AND 4", name="score"),
    )


class FeedbackAmendment(db.Model):
    """A note added to submitted feedback by its author: kept beside it, never replacing it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"),
                                             index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    feedback: Mapped[Feedback] = relationship(back_populates="amendments")
    author = relationship("User")
