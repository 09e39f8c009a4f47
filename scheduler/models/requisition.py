"""Requisitions (open roles, "openings" on the pages), their coordinators and their ordered
interview stages.

A stage that past interviews or links refer to is never deleted: removing it archives it
(`archived_at`), which keeps the row for history and hides it from the process —
`Requisition.stages` lists live stages only, and only live stages need distinct positions.
Which consecutive stages may be booked back to back as one loop is data: a stage's
`is_looped_with_next` joins it to the live stage after it (services/stages.py checks that both
are interviews with a panel), and the requisition's `loop_break_minutes` is the default break.
"""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    JSON, CheckConstraint, Column, ForeignKey, Index, Integer, SmallInteger, String, Table, Text,
    Time, false, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.models.types import UTCDateTime

STAGE_KINDS = (
    "phone_screen", "coding_test", "system_design", "project_deep_dive", "hr_final", "offer",
)
# The kinds that are interviews (booked with a panel, so interviewers qualify for them).
INTERVIEW_KINDS = tuple(kind for kind in STAGE_KINDS if kind != "offer")
STAGE_MODES = ("phone", "video", "onsite", "online")

requisition_office = Table(
    "requisition_office",
    db.metadata,
    Column("requisition_id", ForeignKey("requisition.id", ondelete="CASCADE"), primary_key=True),
    Column("office_id", ForeignKey("office.id", ondelete="CASCADE"), primary_key=True),
)

# The coordinators of a requisition: those told when something happens to it (see
# services/openings.py `coordinators_to_tell`).
requisition_coordinator = Table(
    "requisition_coordinator",
    db.metadata,
    Column("requisition_id", ForeignKey("requisition.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Requisition(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    # [{"code": "junior", "name_zh": "初级", "name_en": "Junior", "years": "3-5"}, ...]
    levels: Mapped[list] = mapped_column(JSON, default=list)
    salary_min: Mapped[int | None]
    salary_max: Mapped[int | None]
    salary_currency: Mapped[str] = mapped_column(String(3), default="CNY")
    salary_period: Mapped[str] = mapped_column(String(10), default="month")
    is_open: Mapped[bool] = mapped_column(default=True)
    # The break between the stages of a loop unless the coordinator picks another.
    loop_break_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    # How long a candidate's data is kept after their application closes (the privacy notice
    # names it per opening).
    retention_days: Mapped[int] = mapped_column(Integer, default=180, server_default="180")

    offices = relationship("Office", secondary=requisition_office, order_by="Office.id")
    coordinators = relationship("User", secondary=requisition_coordinator, order_by="User.name")
    # The live stages, in order; archived ones stay in the table for history only.
    stages: Mapped[list[StageTemplate]] = relationship(
        primaryjoin="and_(Requisition.id == StageTemplate.requisition_id, "
                    "StageTemplate.archived_at.is_(None))",
        order_by="StageTemplate.position", cascade="all, delete-orphan", overlaps="requisition",
    )

    __table_args__ = (
        CheckConstraint(
            "salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max",
            name="salary_band",
        ),
        CheckConstraint("loop_break_minutes >= 0", name="loop_break"),
        CheckConstraint("retention_days > 0", name="retention_days"),
    )


class StageTemplate(db.Model):
    """One step of a requisition's process, with everything the slot engine needs to know."""

    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisition.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    mode: Mapped[str] = mapped_column(String(10))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    panel_size: Mapped[int] = mapped_column(SmallInteger, default=1)
    # The lowest qualification level that may sit on the panel for this stage's kind.
    required_level: Mapped[str] = mapped_column(String(20), default="qualified")
    is_senior_seat_required: Mapped[bool] = mapped_column(default=False)
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    min_notice_minutes: Mapped[int] = mapped_column(Integer, default=24 * 60)
    horizon_days: Mapped[int] = mapped_column(Integer, default=21)
    step_minutes: Mapped[int] = mapped_column(Integer, default=30)
    candidate_day_start: Mapped[time] = mapped_column(Time, default=time(8, 0))
    candidate_day_end: Mapped[time] = mapped_column(Time, default=time(21, 0))
    reschedule_cutoff_hours: Mapped[int] = mapped_column(Integer, default=24)
    feedback_due_hours: Mapped[int | None] = mapped_column(Integer, default=24)
    # For the offer stage: days allowed after the previous stage passes (SLA).
    sla_days: Mapped[int | None] = mapped_column(Integer)
    rubric_id: Mapped[int | None] = mapped_column(ForeignKey("rubric.id"))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    # May be booked back to back with the next live stage, as one loop.
    is_looped_with_next: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set when the stage is removed from the process but kept for the interviews that used it.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The stage's requisition, archived stage or not (Requisition.stages lists live ones only).
    requisition: Mapped[Requisition] = relationship(overlaps="stages")
    rubric = relationship("Rubric")

    @property
    def is_schedulable(self) -> bool:
        return self.kind in INTERVIEW_KINDS

    @property
    def is_loopable(self) -> bool:
        """Tell whether the stage may be part of a loop: an interview with a panel."""
        return self.is_schedulable and self.panel_size > 0

    __table_args__ = (
        # Live stages have distinct positions; an archived one keeps where it was.
        Index("uq_stage_template_live_position", "requisition_id", "position", unique=True,
              sqlite_where=text("archived_at IS NULL"),
              postgresql_where=text("archived_at IS NULL")),
        CheckConstraint(f"kind IN {STAGE_KINDS}", name="kind"),
        CheckConstraint(f"mode IN {STAGE_MODES}", name="mode"),
        CheckConstraint("duration_minutes >= 0", name="duration"),
        CheckConstraint("panel_size >= 0", name="panel_size"),
        CheckConstraint("step_minutes > 0", name="step"),
        CheckConstraint("candidate_day_start < candidate_day_end", name="candidate_hours"),
    )
