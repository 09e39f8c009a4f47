"""Office workdays as the app keeps them: admins' workday overrides, and the holiday-data notices.

An override says that one office calendar (CN, GB, US-CA, SG) works or is closed on one date; it
wins over the holiday data (scheduler/domain/workdays.py). Admins add them one at a time or paste
a year's published schedule, all or none; a bad entry raises WorkdayOverrideError (a
ServiceError) with a code and the form field it concerns. Each change writes an audit event.

`holiday_data_notices()` is the data of the coordinators' banner: each office calendar and year
that open stages can book into while the official holiday data does not cover it yet.
Services flush; the calling view commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable

import sqlalchemy as sa

from scheduler.domain.workdays import WorkdayCalendar, WorkdayWarning
from scheduler.extensions import db
from scheduler.models import (
    Office, Requisition, StageTemplate, User, WorkdayOverride, requisition_office,
)
from scheduler.models.office import CALENDAR_KEYS
from scheduler.services.audit import record_event
from scheduler.services.errors import N_, ServiceError
from scheduler.services.working_hours import NOTE_MAX


class WorkdayOverrideError(ServiceError):
    """A workday override (one date or a pasted year) was refused."""

    messages = {
        "unknown_calendar": N_("Unknown holiday calendar %(key)s: choose one of %(keys)s."),
        "no_dates": N_("Enter at least one date."),
        "no_day": N_("Choose a date."),
        "override_exists": N_("%(day)s already has an override for %(key)s. Remove it first to "
                              "change it."),
        "note_too_long": N_("Use at most %(max)d characters."),
        "entry_gone": N_("That entry no longer exists."),
    }


@dataclass(frozen=True)
class WorkdayEntry:
    """One dated override to add: a day worked or a day off for an office calendar."""

    day: date
    is_workday: bool
    note: str = ""


def workday_overrides(calendar_key: str) -> list[WorkdayOverride]:
    """Return the overrides of one calendar, by date."""
    _check_calendar_key(calendar_key)
    return list(db.session.scalars(sa.select(WorkdayOverride)
                                   .where(WorkdayOverride.calendar_key == calendar_key)
                                   .order_by(WorkdayOverride.day)))


def _check_calendar_key(calendar_key: str) -> None:
    if calendar_key not in CALENDAR_KEYS:
        raise WorkdayOverrideError("unknown_calendar", "calendar_key", key=calendar_key,
                                   keys=", ".join(CALENDAR_KEYS))


def add_workday_overrides(actor: User, calendar_key: str, entries: Iterable[WorkdayEntry],
                          now: datetime) -> list[WorkdayOverride]:
    """Add dated overrides to one calendar, all or none; raise WorkdayOverrideError for a bad one."""
    _check_calendar_key(calendar_key)
    entries = list(entries)
    if not entries:
        raise WorkdayOverrideError("no_dates", "day")
    existing = {row.day for row in workday_overrides(calendar_key)}
    seen: set[date] = set()
    for entry in entries:
        if entry.day is None:
            raise WorkdayOverrideError("no_day", "day")
        if entry.day in existing or entry.day in seen:
            raise WorkdayOverrideError("override_exists", "day", day=entry.day.isoformat(),
                                       key=calendar_key)
        if len(entry.note.strip()) > NOTE_MAX:
            raise WorkdayOverrideError("note_too_long", "note", max=NOTE_MAX)
        seen.add(entry.day)
    rows = [WorkdayOverride(calendar_key=calendar_key, day=entry.day,
                            is_workday=entry.is_workday, note=entry.note.strip())
            for entry in sorted(entries, key=lambda e: e.day)]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        record_event(actor, "workday_override.added", row, now=now, after=_snapshot(row))
    return rows


def remove_workday_override(actor: User, override_id: int, now: datetime) -> WorkdayOverride:
    """Remove one workday override; return the removed row."""
    row = db.session.get(WorkdayOverride, override_id)
    if row is None:
        raise WorkdayOverrideError("entry_gone")
    record_event(actor, "workday_override.removed", row, now=now, before=_snapshot(row))
    db.session.delete(row)
    db.session.flush()
    return row


def _snapshot(row: WorkdayOverride) -> dict:
    return {"calendar_key": row.calendar_key, "day": row.day.isoformat(),
            "is_workday": row.is_workday, "note": row.note}


# --- the holiday-data banner -------------------------------------------------------------------------

@dataclass(frozen=True)
class HolidayNotice:
    """A year an office's booking horizon reaches without official holiday data."""

    warning: WorkdayWarning
    override_count: int


def holiday_data_notices(now: datetime) -> list[HolidayNotice]:
    """Return a notice per office calendar and year that open stages can book into without data.

    Each office's horizon is the longest booking horizon of the open requisitions it hires for;
    *override_count* says how many overrides an admin has entered for that calendar and year.
    """
    horizons = db.session.execute(
        sa.select(Office.calendar_key, sa.func.max(StageTemplate.horizon_days))
        .join(requisition_office, requisition_office.c.office_id == Office.id)
        .join(Requisition, Requisition.id == requisition_office.c.requisition_id)
        .join(StageTemplate, StageTemplate.requisition_id == Requisition.id)
        .where(Requisition.is_open.is_(True), StageTemplate.kind != "offer")
        .group_by(Office.calendar_key)).all()
    notices = []
    for key, days in sorted(horizons):
        calendar = WorkdayCalendar(key)
        first = now.date()
        for warning in calendar.warnings(first, first + timedelta(days=days + 1)):
            count = db.session.scalar(sa.select(sa.func.count()).select_from(WorkdayOverride).where(
                WorkdayOverride.calendar_key == key,
                WorkdayOverride.day.between(date(warning.year, 1, 1), date(warning.year, 12, 31))))
            notices.append(HolidayNotice(warning, count or 0))
    return notices
