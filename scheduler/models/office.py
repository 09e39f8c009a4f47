"""Offices (zone and holiday calendar), the admin-editable workday overrides, and the years an
admin has marked as entered.

A holiday calendar key is a country code of the `holidays` package with the subdivision where it
has one ("CN", "SG", "GB-ENG", "US-CA"). The package, not a list here, says which keys exist:
services check keys with scheduler.domain.workdays.is_calendar_key. The database keeps a shape
CHECK only (two upper-case characters, alone or followed by "-" and a subdivision), so a new
office in a new place needs no migration.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import db
from scheduler.models.types import UTCDateTime

# Room for every key the `holidays` package has (its longest is 20 characters).
CALENDAR_KEY_LENGTH = 32
CALENDAR_KEY_SHAPE = (
    "substr(calendar_key, 1, 2) = upper(substr(calendar_key, 1, 2)) AND "
    "(length(calendar_key) = 2 OR (length(calendar_key) > 3 AND substr(calendar_key, 3, 1) = '-'))"
)


class Office(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    zone: Mapped[str] = mapped_column(String(64))
    calendar_key: Mapped[str] = mapped_column(String(CALENDAR_KEY_LENGTH))
    address_zh: Mapped[str] = mapped_column(Text, default="")
    address_en: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint(CALENDAR_KEY_SHAPE, name="calendar_key_shape"),
    )


class WorkdayOverride(db.Model):
    """A dated exception to an office calendar: a published 调休 day, a company day off."""

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_key: Mapped[str] = mapped_column(String(CALENDAR_KEY_LENGTH))
    day: Mapped[date] = mapped_column(Date)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        UniqueConstraint("calendar_key", "day"),
        CheckConstraint(CALENDAR_KEY_SHAPE, name="calendar_key_shape"),
    )


class WorkdayYearMark(db.Model):
    """An admin's word that a calendar's year is entered in full as overrides.

    For a year the official data does not cover yet (China publishes late), a mark turns the
    estimate off: the year is Monday–Friday plus the calendar's overrides, and the coordinators'
    warning stops. Removing the mark brings the estimate and the warning back.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_key: Mapped[str] = mapped_column(String(CALENDAR_KEY_LENGTH))
    year: Mapped[int] = mapped_column(Integer)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("calendar_key", "year"),
        CheckConstraint(CALENDAR_KEY_SHAPE, name="calendar_key_shape"),
    )
