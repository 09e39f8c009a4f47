"""What the coordinator's booking pages say about time in several zones (issue 16, item 3).

A slot or an interview is read side by side in the zone the coordinator chose to read the list
in, in their own zone and in the candidate's: one column per distinct zone, each headed by whose
time it is (`scheduler.i18n.zone_columns`, which the interviewer's home uses too), so two zones
that are the same make one line, never two identical ones. The page's
header names those zones (`zone_note`) instead of the coordinator's alone. Each panel member's
time is shown in their own zone beside their name, and the humane flags (DESIGN.md §5) beside
whom they concern: the candidate's beside the candidate's time, an interviewer's beside theirs.
Every time is labelled with its zone (`zone_label`).
"""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_datetime
from flask_babel import gettext as _

from scheduler.domain.slots import EARLY
from scheduler.i18n import ZoneColumn, current_language, format_local_range, zone_label
from scheduler.timeutil import to_zone
from scheduler.web import day_label


def zone_note(columns: list[ZoneColumn], instant: datetime) -> str:
    """Say in the page's header which zones its times are in, and that interviewers' are in
    their own."""
    names = []
    for column in columns:
        label = zone_label(instant, column.zone)
        if column.is_own and column.is_candidate:
            label = _("%(zone)s (yours and the candidate's)", zone=label)
        elif column.is_own:
            label = _("%(zone)s (yours)", zone=label)
        elif column.is_candidate:
            label = _("%(zone)s (the candidate's)", zone=label)
        names.append(label)
    return _("Times are shown in %(zone)s. Each interviewer's time is beside their name, "
             "in their own zone.", zone=_(", ").join(names))


def clock_range(start_at: datetime, end_at: datetime, zone: str) -> str:
    """Render [start, end) as local clock times in *zone*, without the date."""
    language = current_language()
    start, end = to_zone(start_at, zone), to_zone(end_at, zone)
    first = format_datetime(start, "HH:mm", locale=language)
    last = format_datetime(end, "HH:mm", locale=language)
    if end.date() != start.date():
        last = _("%(time)s next day", time=last)
    return f"{first}–{last}"


def _local(start_at: datetime, end_at: datetime, zone: str, day: date | None) -> dict:
    """A time in *zone* with its label, and its local date when that is not *day*."""
    local_day = to_zone(start_at, zone).date()
    return {"time": clock_range(start_at, end_at, zone), "zone": zone_label(start_at, zone),
            "day": day_label(local_day) if day is not None and local_day != day else ""}


def candidate_flag_texts(flags) -> list[str]:
    """Word the candidate's flags among *flags* (the engine's HumaneFlag)."""
    return [_("Early in the candidate's day") if flag.kind == EARLY
            else _("Late in the candidate's day")
            for flag in flags if flag.interviewer_id is None]


def interviewer_flag_texts(flags, interviewer_id: int, name: str) -> list[str]:
    """Word the flags among *flags* that concern one interviewer, named *name*."""
    return [_("Early for %(who)s", who=name) if flag.kind == EARLY
            else _("Late for %(who)s", who=name)
            for flag in flags if flag.interviewer_id == interviewer_id]


def column_times(columns: list[ZoneColumn], start_at: datetime, end_at: datetime,
                 day: date | None = None, flags=()) -> list[dict]:
    """Describe [start, end) in each column's zone (clock times; the date when it is not *day*),
    the candidate's flags beside the candidate's time."""
    return [{"heading": column.heading, **_local(start_at, end_at, column.zone, day),
             "flags": candidate_flag_texts(flags) if column.is_candidate else []}
            for column in columns]


def column_ranges(columns: list[ZoneColumn], start_at: datetime, end_at: datetime,
                  flags=()) -> list[dict]:
    """Describe [start, end) with its dates in each column's zone, the candidate's flags beside
    the candidate's time."""
    return [{"heading": column.heading,
             "when": format_local_range(start_at, end_at, column.zone),
             "flags": candidate_flag_texts(flags) if column.is_candidate else []}
            for column in columns]


def member_time(profile, label: str, start_at: datetime, end_at: datetime, flags=(),
                day: date | None = None) -> dict:
    """Describe one interviewer (*profile*, named *label*) at [start, end): their local time in
    their own zone, and their flags among *flags*."""
    return {"who": label, **_local(start_at, end_at, profile.effective_zone, day),
            "flags": interviewer_flag_texts(flags, profile.id, profile.user.name)}
