"""Staff users, their roles, and interviewer profiles with hours, caps and qualifications."""
from __future__ import annotations

import secrets
from datetime import date, datetime, time

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger, CheckConstraint, Date, ForeignKey, Integer, SmallInteger, String, Time, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import db
from scheduler.models.types import UTCDateTime

ROLES = ("admin", "coordinator", "interviewer")
QUALIFICATION_LEVELS = ("shadow", "reverse_shadow", "qualified", "senior")
LANGUAGES = ("zh", "en")


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    zone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    language: Mapped[str] = mapped_column(String(5), default="zh")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Goes up when the user signs out, changes or resets the password, is deactivated or has
    # their roles changed; a session made with an older one no longer loads the user.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    interviewer_profile: Mapped[InterviewerProfile | None] = relationship(back_populates="user")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def get_id(self) -> str:
        """Return what Flask-Login keeps in the session: the id and the session version."""
        return f"{self.id}:{self.session_version}"


class UserRole(db.Model):
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")

    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="role"),)


def new_availability_version() -> int:
    """Return a fresh availability version: random, so no value is ever reused (not after a
    rolled-back change, nor in another database that a process also reads)."""
    # `secrets`, not `random`: tests and hypothesis reseed `random`, which would repeat values.
    return secrets.randbits(62)


class InterviewerProfile(db.Model):
    """An interviewer's scheduling facts; booking locks this row (lock_version).

    *availability_version* changes (to a new random value) with everything that changes when
    the interviewer is free: services/availability_cache.py bumps it, and a search uses what it
    cached about the interviewer only while the version is the same.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    # NULL means "the office's zone"; see effective_zone.
    zone: Mapped[str | None] = mapped_column(String(64))
    daily_cap: Mapped[int | None] = mapped_column(SmallInteger)
    weekly_cap: Mapped[int | None] = mapped_column(SmallInteger)
    video_room_url: Mapped[str] = mapped_column(String(500), default="")
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    availability_version: Mapped[int] = mapped_column(
        BigInteger, default=new_availability_version, server_default="0")

    user: Mapped[User] = relationship(back_populates="interviewer_profile")
    office = relationship("Office")
    working_windows: Mapped[list[WorkingWindow]] = relationship(
        back_populates="interviewer", cascade="all, delete-orphan",
        order_by="(WorkingWindow.weekday, WorkingWindow.start_local)",
    )
    qualifications: Mapped[list[Qualification]] = relationship(
        back_populates="interviewer", cascade="all, delete-orphan"
    )

    @property
    def effective_zone(self) -> str:
        return self.zone_of(self.zone, self.office.zone)

    @staticmethod
    def zone_of(zone: str | None, office_zone: str) -> str:
        """Return the zone an interviewer works in: their own when set, else their office's."""
        return zone or office_zone

    __table_args__ = (
        CheckConstraint("daily_cap IS NULL OR daily_cap > 0", name="daily_cap_positive"),
        CheckConstraint("weekly_cap IS NULL OR weekly_cap > 0", name="weekly_cap_positive"),
    )


class WorkingWindow(db.Model):
    """A weekly working window in the interviewer's own zone (local wall-clock times)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    interviewer_id: Mapped[int] = mapped_column(
        ForeignKey("interviewer_profile.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday, as datetime.weekday()
    start_local: Mapped[time] = mapped_column(Time)
    end_local: Mapped[time] = mapped_column(Time)

    interviewer: Mapped[InterviewerProfile] = relationship(back_populates="working_windows")

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("start_local < end_local", name="start_before_end"),
    )


class AvailabilityOverride(db.Model):
    """A dated change to working hours: extra hours, or time off (whole day when no times)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    interviewer_id: Mapped[int] = mapped_column(
        ForeignKey("interviewer_profile.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    start_local: Mapped[time | None] = mapped_column(Time)
    end_local: Mapped[time | None] = mapped_column(Time)
    is_available: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        CheckConstraint(
            "(start_local IS NULL AND end_local IS NULL) OR start_local < end_local",
            name="start_before_end",
        ),
    )


class Qualification(db.Model):
    """What stage kinds an interviewer may run, and at which level."""

    id: Mapped[int] = mapped_column(primary_key=True)
    interviewer_id: Mapped[int] = mapped_column(
        ForeignKey("interviewer_profile.id", ondelete="CASCADE")
    )
    stage_kind: Mapped[str] = mapped_column(String(30))
    level: Mapped[str] = mapped_column(String(20))

    interviewer: Mapped[InterviewerProfile] = relationship(back_populates="qualifications")

    __table_args__ = (
        UniqueConstraint("interviewer_id", "stage_kind"),
        CheckConstraint(f"level IN {QUALIFICATION_LEVELS}", name="level"),
    )

