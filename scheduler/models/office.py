"""Offices (zone and holiday calendar) and the admin-editable workday overrides."""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import db

CALENDAR_KEYS = ("CN", "GB", "US-CA", "SG")


class Office(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    zone: Mapped[str] = mapped_column(String(64))
    calendar_key: Mapped[str] = mapped_column(String(10))
    address_zh: Mapped[str] = mapped_column(Text, default="")
    address_en: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint(f"calendar_key IN {CALENDAR_KEYS}", name="calendar_key"),
    )


class WorkdayOverride(db.Model):
    """A dated exception to an office calendar: a published 调休 day, a company day off."""

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_key: Mapped[str] = mapped_column(String(10))
    day: Mapped[date] = mapped_column(Date)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        UniqueConstraint("calendar_key", "day"),
        CheckConstraint(f"calendar_key IN {CALENDAR_KEYS}", name="calendar_key"),
    )
