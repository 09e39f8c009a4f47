"""Office workdays as the app keeps them: admins' workday overrides and year marks, and the
holiday-data notices.

An override says that one office calendar (a `holidays` key such as CN, GB-ENG, US-CA, SG) works
or is closed on one date; it wins over the holiday data (scheduler/domain/workdays.py). Admins add
them one at a time or paste a year's published schedule, all or none. A year mark says that an
admin has entered a whole year the official data does not cover yet: that year is then
Monday–Friday plus the overrides, with no estimate and no warning. A bad entry raises
WorkdayOverrideError (a ServiceError) with a code and the form field it concerns; its message
names the calendar in the reader's language. Each change writes an audit event.

`holiday_data_notices()` is the data of the coordinators' banner: each office calendar and year
that open stages can book into while the official holiday data does not cover it and no admin
has marked it as entered. Services flush; the calling view commits.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable

import sqlalchemy as sa

from scheduler.domain.workdays import WorkdayCalendar, WorkdayWarning, is_calendar_key
from scheduler.extensions import db
from scheduler.formatting import calendar_name
from scheduler.models import (
    Office, Requisition, StageTemplate, User, WorkdayOverride, WorkdayYearMark, requisition_office,
)
from scheduler.services.audit import record_event
from scheduler.services.availability_cache import bump_calendar_versions
from scheduler.services.errors import N_, ServiceError, reader_language
from scheduler.services.working_hours import NOTE_MAX


class WorkdayOverrideError(ServiceError):
    """A workday override (one date or a pasted year) or a year mark was refused."""

    messages = {
        "unknown_calendar": N_(
            "Unknown holiday calendar %(key)s: use a country code of the holiday data, with the "
            "region where the data has regions, e.g. GB-ENG for England or US-CA for California."),
        "no_dates": N_("Enter at least one date."),
        "no_day": N_("Choose a date."),
        "override_exists": N_("%(day)s already has an override for %(key)s. Remove it first to "
                              "change it."),
        "note_too_long": N_("Use at most %(max)d characters."),
        "entry_gone": N_("That entry no longer exists."),
        "year_covered": N_("The official holiday data covers %(year)d for %(calendar)s: there is "
                           "nothing to mark."),
        "year_marked": N_("%(year)d is already marked as entered for %(calendar)s."),
        "year_not_marked": N_("%(year)d is not marked as entered for %(calendar)s."),
    }

    def render(self, params) -> str:
        """Name the calendar (a known key) in the reader's language."""
        language = reader_language()
        named = {name: calendar_name(value, language)
                 if name == "calendar" or (name == "key" and is_calendar_key(value)) else value
                 for name, value in params.items()}
        return super().render(named)


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
    if not is_calendar_key(calendar_key):
        raise WorkdayOverrideError("unknown_calendar", "calendar_key", key=calendar_key)


def calendar_keys_in_use() -> list[str]:
    """Return the calendar keys that offices, overrides or year marks use, sorted."""
    keys = db.session.scalars(sa.union(sa.select(Office.calendar_key),
                                       sa.select(WorkdayOverride.calendar_key),
                                       sa.select(WorkdayYearMark.calendar_key))).all()
    return sorted(set(keys))


def workday_calendar(calendar_key: str) -> WorkdayCalendar:
    """Return one calendar with its overrides and year marks (the admin page's view of it)."""
    return workday_calendars([calendar_key])[calendar_key]


def workday_calendars(calendar_keys: Iterable[str]) -> dict[str, WorkdayCalendar]:
    """Return a WorkdayCalendar per key with the admins' overrides and year marks: one query,
    whatever the number of keys (the slot search builds its calendars here, twice a booking)."""
    keys = sorted(set(calendar_keys))
    for key in keys:
        _check_calendar_key(key)
    overrides: dict[str, dict[date, bool]] = defaultdict(dict)
    marks: dict[str, set[int]] = defaultdict(set)
    if keys:
        # Overrides (a day) and year marks (a year) in one statement; each row has one of them.
        rows = sa.union_all(
            sa.select(WorkdayOverride.calendar_key, WorkdayOverride.day,
                      WorkdayOverride.is_workday, sa.cast(sa.null(), sa.Integer).label("year"))
            .where(WorkdayOverride.calendar_key.in_(keys)),
            sa.select(WorkdayYearMark.calendar_key, sa.cast(sa.null(), sa.Date),
                      sa.cast(sa.null(), sa.Boolean), WorkdayYearMark.year)
            .where(WorkdayYearMark.calendar_key.in_(keys)))
        for key, day, is_workday, year in db.session.execute(rows):
            if year is None:
                overrides[key][day] = is_workday
            else:
                marks[key].add(year)
    return {key: WorkdayCalendar(key, overrides.get(key), marked_years=marks.get(key, ()))
            for key in keys}


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
    bump_calendar_versions(calendar_key)
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
    bump_calendar_versions(row.calendar_key)
    return row


def _snapshot(row: WorkdayOverride) -> dict:
    return {"calendar_key": row.calendar_key, "day": row.day.isoformat(),
            "is_workday": row.is_workday, "note": row.note}


# --- year marks --------------------------------------------------------------------------------------

def workday_year_marks(calendar_key: str) -> dict[int, WorkdayYearMark]:
    """Return the year marks of one calendar, by year."""
    _check_calendar_key(calendar_key)
    return {row.year: row for row in db.session.scalars(
        sa.select(WorkdayYearMark).where(WorkdayYearMark.calendar_key == calendar_key))}


def mark_workday_year(actor: User, calendar_key: str, year: int, now: datetime
                      ) -> WorkdayYearMark:
    """Mark *year* of a calendar as entered: Monday–Friday plus overrides, no estimate, no warning.

    Only a year the official data does not cover can be marked (a covered year has its data).
    """
    _check_calendar_key(calendar_key)
    if WorkdayCalendar(calendar_key).is_year_covered(year):
        raise WorkdayOverrideError("year_covered", "year", year=year, calendar=calendar_key)
    if db.session.scalar(sa.select(WorkdayYearMark.id).where(
            WorkdayYearMark.calendar_key == calendar_key, WorkdayYearMark.year == year)):
        raise WorkdayOverrideError("year_marked", "year", year=year, calendar=calendar_key)
    row = WorkdayYearMark(calendar_key=calendar_key, year=year, marked_by_id=actor.id,
                          marked_at=now)
    db.session.add(row)
    db.session.flush()
    bump_calendar_versions(calendar_key)
    record_event(actor, "workday_year.marked", row, now=now, after=_mark_snapshot(row))
    return row


def unmark_workday_year(actor: User, calendar_key: str, year: int, now: datetime) -> None:
    """Remove a year's mark: the estimate and its warning come back."""
    _check_calendar_key(calendar_key)
    row = db.session.scalar(sa.select(WorkdayYearMark).where(
        WorkdayYearMark.calendar_key == calendar_key, WorkdayYearMark.year == year))
    if row is None:
        raise WorkdayOverrideError("year_not_marked", "year", year=year, calendar=calendar_key)
    record_event(actor, "workday_year.unmarked", row, now=now, before=_mark_snapshot(row))
    db.session.delete(row)
    db.session.flush()
    bump_calendar_versions(calendar_key)


def _mark_snapshot(row: WorkdayYearMark) -> dict:
    return {"calendar_key": row.calendar_key, "year": row.year,
            "marked_by_id": row.marked_by_id, "marked_at": row.marked_at.isoformat()}


# --- the holiday-data banner -------------------------------------------------------------------------

@dataclass(frozen=True)
class HolidayNotice:
    """A year an office's booking horizon reaches without official holiday data."""

    warning: WorkdayWarning
    override_count: int


def holiday_data_notices(now: datetime) -> list[HolidayNotice]:
    """Return a notice per office calendar and year that open stages can book into without data.

    Each office's horizon is the longest booking horizon of the open requisitions it hires for;
    a year an admin has marked as entered has no notice. *override_count* says how many
    overrides an admin has entered for that calendar and year.
    """
    horizons = db.session.execute(
        sa.select(Office.calendar_key, sa.func.max(StageTemplate.horizon_days))
        .join(requisition_office, requisition_office.c.office_id == Office.id)
        .join(Requisition, Requisition.id == requisition_office.c.requisition_id)
        .join(StageTemplate, StageTemplate.requisition_id == Requisition.id)
        .where(Requisition.is_open.is_(True), StageTemplate.kind != "offer")
        .group_by(Office.calendar_key)).all()
    calendars = workday_calendars(key for key, _days in horizons)
    notices = []
    for key, days in sorted(horizons):
        first = now.date()
        for warning in calendars[key].warnings(first, first + timedelta(days=days + 1)):
            count = sum(1 for day in calendars[key].overrides if day.year == warning.year)
            notices.append(HolidayNotice(warning, count))
    return notices
