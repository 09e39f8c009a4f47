"""Interviews, the assignment rows that carry each panel member's time, booking groups, and the
no-show marks that say an interview was not held.

Whether an interview was held is derived, not stored: after its end a scheduled interview counts
as held unless someone marked it a no-show (which sets its status). No job flips rows at the end
of each interview, so there is no window in which a finished interview looks "not held yet", and
one fact (the end, the status) never has two copies that could disagree.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.models.types import UTCDateTime

ASSIGNMENT_ROLES = ("lead", "member", "shadow")
NO_SHOW_PARTIES = ("candidate", "interviewer")


class BookingGroup(db.Model):
    """Interviews booked together as one loop: booked, moved and cancelled as a unit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    application = relationship("Application")
    interviews: Mapped[list[Interview]] = relationship(
        back_populates="booking_group", order_by="Interview.start_at"
    )


class Interview(db.Model):
    """One booked stage: its time, place, calendar identity and panel seats."""

    SCHEDULED, CANCELLED, COMPLETED, NO_SHOW = "scheduled", "cancelled", "completed", "no_show"
    STATUSES = (SCHEDULED, CANCELLED, COMPLETED, NO_SHOW)
    # Statuses of an interview that takes (or took) place; held once it has ended. COMPLETED is
    # never written today (held is derived from the end) but would count the same.
    TAKING_PLACE = (SCHEDULED, COMPLETED)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage_template.id"))
    booking_group_id: Mapped[int | None] = mapped_column(ForeignKey("booking_group.id"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=SCHEDULED)
    location: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    calendar_uid: Mapped[str] = mapped_column(String(255), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Who reviews and writes the feedback of an online coding test (not a panel seat: the test
    # may have no proctor at all).
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("interviewer_profile.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    application = relationship("Application")
    stage = relationship("StageTemplate")
    booking_group: Mapped[BookingGroup | None] = relationship(back_populates="interviews")
    assignments: Mapped[list[InterviewerAssignment]] = relationship(
        back_populates="interview", cascade="all, delete-orphan",
        order_by="InterviewerAssignment.id",
    )
    reviewer = relationship("InterviewerProfile")
    no_show: Mapped[InterviewNoShow | None] = relationship(
        back_populates="interview", cascade="all, delete-orphan")

    @property
    def active_assignments(self) -> list[InterviewerAssignment]:
        return [a for a in self.assignments if a.is_active]

    def is_held(self, now: datetime) -> bool:
        """Tell whether the interview took place: it has ended and was not cancelled or marked
        a no-show."""
        return self.status in self.TAKING_PLACE and self.end_at <= now

    def has_started(self, now: datetime) -> bool:
        """Tell whether the interview is under way or over, and was not cancelled or marked a
        no-show: from its start, its feedback may be written."""
        return self.status in self.TAKING_PLACE and self.start_at <= now

    @property
    def live_group(self) -> list[Interview]:
        """Return the scheduled interviews that move and cancel with this one (its loop), or
        this one alone when it is not part of a loop."""
        if self.booking_group is None:
            return [self]
        return [i for i in self.booking_group.interviews if i.status == self.SCHEDULED]

    __table_args__ = (
        CheckConstraint("start_at < end_at", name="start_before_end"),
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint("sequence >= 0", name="sequence"),
        # A candidate holds at most one live interview per stage.
        Index(
            "uq_interview_live_stage", "application_id", "stage_id", unique=True,
            sqlite_where=text(f"status = '{SCHEDULED}'"),
            postgresql_where=text(f"status = '{SCHEDULED}'"),
        ),
    )


class InterviewerAssignment(db.Model):
    """One panel seat; start/end/is_active copy the interview so the database can see overlaps."""

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interview.id", ondelete="CASCADE"))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("interviewer_profile.id"))
    role: Mapped[str] = mapped_column(String(10), default="member")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_active: Mapped[bool] = mapped_column(default=True)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")

    interview: Mapped[Interview] = relationship(back_populates="assignments")
    interviewer = relationship("InterviewerProfile")

    __table_args__ = (
        CheckConstraint("start_at < end_at", name="start_before_end"),
        CheckConstraint(f"role IN {ASSIGNMENT_ROLES}", name="role"),
        Index("ix_assignment_interviewer_time", "interviewer_id", "start_at"),
    )


class InterviewNoShow(db.Model):
    """Why an interview was not held: the candidate, or one interviewer, did not come."""

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interview.id", ondelete="CASCADE"),
                                              unique=True)
    party: Mapped[str] = mapped_column(String(20))
    absent_interviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviewer_profile.id"))
    note: Mapped[str] = mapped_column(Text)
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)

    interview: Mapped[Interview] = relationship(back_populates="no_show")
    absent_interviewer = relationship("InterviewerProfile")
    marked_by = relationship("User")

    __table_args__ = (
        CheckConstraint(f"party IN {NO_SHOW_PARTIES}", name="party"),
        # An interviewer's no-show names the interviewer; the candidate's names nobody else.
        CheckConstraint(
            "(party = 'interviewer') = (absent_interviewer_id IS NOT NULL)",
            name="absent_interviewer",
        ),
    )
