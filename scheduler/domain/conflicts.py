"""What is wrong with an interviewer's booked time: clashes, hours and caps (pure).

The slot engine never books a clash, but calendars change after a booking: a meeting is added
over an interview, working hours shrink, a holiday is declared, a cap is lowered, or two
interviews were booked by hand. The coordinators' board shows those, in words:

* an interview that overlaps the interviewer's busy time (imported events, manual blocks);
* an interview that overlaps another of the same interviewer's interviews;
* an interview that is not wholly inside their working time (windows on the office's workdays,
  with their extra hours and time off, as the engine expands them);
* a local day or a local Monday–Sunday week with more interviews than the cap allows, counted as
  the caps count them (by the local day each interview starts, in the interviewer's zone).

Intervals are half-open, so back-to-back is not a clash. Times are aware UTC datetimes in, as
in :class:`scheduler.domain.availability.InterviewerCalendar`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Hashable, Sequence

from scheduler.domain import availability as av
from scheduler.domain import intervals as iv

OVERLAPS_BUSY = "overlaps_busy"
OVERLAPS_INTERVIEW = "overlaps_interview"
OUTSIDE_HOURS = "outside_hours"
CONFLICT_KINDS = (OVERLAPS_BUSY, OVERLAPS_INTERVIEW, OUTSIDE_HOURS)

DAY, WEEK = "day", "week"


@dataclass(frozen=True)
class CapOverrun:
    """More interviews in a local day (or a local week, from its Monday) than the cap allows."""

    period: str
    first_day: date
    count: int
    cap: int


def interview_conflicts(calendar: av.InterviewerCalendar,
                        interviews: Sequence[tuple[Hashable, datetime, datetime]]
                        ) -> dict[Hashable, tuple[str, ...]]:
    """Return, for each of one interviewer's *interviews* (key, start, end), what is wrong with
    it, in CONFLICT_KINDS order; an interview with nothing wrong is left out.

    The calendar's busy time (*calendar.busy*, or its prepared *busy_seconds*) must hold the
    busy time around the interviews (not the interviews themselves); the interviews are
    compared with each other.
    """
    found: dict[Hashable, tuple[str, ...]] = {}
    busy = av.prepared_busy(calendar)
    for key, start_at, end_at in interviews:
        kinds = []
        start, end = iv.to_epoch(start_at), iv.to_epoch(end_at)
        if iv.overlaps(busy, start, end):
            kinds.append(OVERLAPS_BUSY)
        if any(other != key and other_start_at < end_at and start_at < other_end_at
               for other, other_start_at, other_end_at in interviews):
            kinds.append(OVERLAPS_INTERVIEW)
        if not iv.covers(av.working_intervals(calendar, start, end), start, end):
            kinds.append(OUTSIDE_HOURS)
        if kinds:
            found[key] = tuple(kinds)
    return found


def cap_overruns(calendar: av.InterviewerCalendar, first_day: date, last_day: date
                 ) -> list[CapOverrun]:
    """Return the local days from *first_day* to *last_day* (inclusive) with more interviews
    than the daily cap, and the local weeks touching them with more than the weekly cap, by date.

    *calendar.booked_interviews* must hold every interview of those weeks.
    """
    overruns = []
    if calendar.daily_cap is not None:
        overruns += [CapOverrun(DAY, day, count, calendar.daily_cap)
                     for day, count in av.interviews_per_day(calendar).items()
                     if first_day <= day <= last_day and count > calendar.daily_cap]
    if calendar.weekly_cap is not None:
        first_monday = av.week_start(first_day)
        overruns += [CapOverrun(WEEK, monday, count, calendar.weekly_cap)
                     for monday, count in av.interviews_per_week(calendar).items()
                     if first_monday <= monday <= last_day and count > calendar.weekly_cap]
    return sorted(overruns, key=lambda overrun: (overrun.first_day, overrun.period))
