"""Interviewer availability: working windows, workdays, busy time and caps -> free intervals.

Everything here is pure: the caller passes an :class:`InterviewerCalendar` and a range; times
inside the engine are whole epoch seconds (see :mod:`scheduler.domain.intervals`).

Wall-clock rules (DESIGN.md §4 rule 4). Working hours are local windows in the interviewer's
zone, expanded one local date at a time with ``zoneinfo``, so daylight-saving changes are
handled by construction:

* a window edge whose wall time does not exist (spring-forward gap) moves to the transition
  instant, so 01:30–05:00 in London on the spring-forward day starts at 01:00 UTC;
* a wall time that occurs twice (fall back) means its first occurrence (``fold=0``).

On a make-up workday (a weekend day worked, 调休) an interviewer without windows for that
weekday works the windows of their first weekday, Monday to Friday, that has some.

A window whose end is at or before its start ends on the next day: ``(22:00, 06:00)`` is an
overnight window and ``(00:00, 00:00)`` is the whole day.

Caps: an interviewer whose booked interviews already reach the daily cap on a local date (or
the weekly cap in a local Monday–Sunday week) is unavailable for that whole local day (week).

Busy time is prepared once, where it is loaded (:func:`prepare_busy`): sorted, merged epoch-second
intervals in :attr:`InterviewerCalendar.busy_seconds`, so no search converts or sorts it again.
A calendar built without it (a test, a one-off) is prepared on each use from its datetimes.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from scheduler.domain import intervals as iv
from scheduler.domain.intervals import Interval
from scheduler.domain.workdays import MAKEUP_WORKDAY, WorkdayCalendar

DAY_SECONDS = 86_400
_START, _END = itemgetter(0), itemgetter(1)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SECOND = timedelta(seconds=1)
Window = tuple[time, time]


@dataclass(frozen=True)
class DateOverride:
    """Extra working hours, or time off, on one local date of an interviewer.

    The default times ``00:00``–``00:00`` mean the whole day (e.g. a day off).
    """

    day: date
    is_time_off: bool
    start: time = time(0)
    end: time = time(0)


@dataclass(frozen=True)
class InterviewerCalendar:
    """Everything the engine needs to know about one interviewer.

    *weekly_windows* maps a weekday (0 = Monday … 6 = Sunday) to local ``(start, end)``
    windows, used on the office's workdays only. *busy* holds UTC ``(start_at, end_at)`` pairs
    (imported events, manual blocks); *busy_seconds*, when given, is the same busy time prepared
    by :func:`prepare_busy` (sorted, merged epoch seconds) and is what the engine reads, so a
    loader prepares it once and *busy* may then be left empty. *booked_interviews* holds the
    interviews already booked, which are busy too (no need to repeat them in *busy*) and count
    toward the caps and the fairness order. ``None`` caps mean no cap. *last_interviewed_at*
    breaks fairness ties: the least recently interviewed goes first, never-interviewed
    (``None``) first of all.
    """

    interviewer_id: int
    zone: str
    weekly_windows: Mapping[int, Sequence[Window]]
    workdays: WorkdayCalendar
    date_overrides: Sequence[DateOverride] = ()
    busy: Sequence[tuple[datetime, datetime]] = ()
    booked_interviews: Sequence[tuple[datetime, datetime]] = ()
    daily_cap: int | None = None
    weekly_cap: int | None = None
    last_interviewed_at: datetime | None = None
    busy_seconds: tuple[Interval, ...] | None = None


def prepare_busy(pairs: Iterable[tuple[datetime, datetime]]) -> tuple[Interval, ...]:
    """Return busy time as the engine takes it: aware ``(start_at, end_at)`` pairs as sorted,
    merged ``(start, end)`` epoch seconds (touching ones joined, empty ones dropped).

    Raises ValueError for a naive datetime (it would silently be read in the machine's zone).
    """
    try:
        # Whole seconds since the epoch by subtraction: the cheapest exact conversion, and one a
        # naive datetime refuses (TypeError) instead of guessing its zone.
        return tuple(iv.merge(((start_at - _EPOCH) // _SECOND, (end_at - _EPOCH) // _SECOND)
                              for start_at, end_at in pairs))
    except TypeError as error:
        raise ValueError("naive busy interval: instants must be timezone-aware") from error


def prepared_busy(calendar: InterviewerCalendar) -> tuple[Interval, ...]:
    """Return the calendar's busy time (not its booked interviews) prepared: see prepare_busy."""
    if calendar.busy_seconds is not None:
        return calendar.busy_seconds
    try:
        return prepare_busy(calendar.busy)
    except ValueError as error:
        raise ValueError(
            f"naive busy interval for interviewer {calendar.interviewer_id}") from error


# ---------------------------------------------------------------------------------------------
# Wall clock -> epoch seconds


def seconds_of_day(start: time, end: time) -> tuple[int, int]:
    """Return a local window as seconds after the start date's midnight; end may pass 86,400."""
    start_seconds = start.hour * 3600 + start.minute * 60 + start.second
    end_seconds = end.hour * 3600 + end.minute * 60 + end.second
    if end_seconds <= start_seconds:
        end_seconds += DAY_SECONDS  # ends on the next day
    return start_seconds, end_seconds


def wall_clock_epoch(zone: str, day: date, seconds: int) -> int:
    """Return the instant of wall time *seconds* after midnight of local *day* in *zone*.

    *seconds* may reach into following days. Applies the gap and repeat rules above.
    """
    if seconds >= DAY_SECONDS or seconds < 0:
        day += timedelta(days=seconds // DAY_SECONDS)
        seconds %= DAY_SECONDS
    midnight, is_regular = _day_clock(zone, day)
    if is_regular:
        return midnight + seconds
    wall = datetime.combine(day, time(0)) + timedelta(seconds=seconds)
    return _wall_to_epoch(ZoneInfo(zone), wall)


def existing_wall_clock_epoch(zone: str, day: date, seconds: int) -> int | None:
    """Return the first instant showing that wall time on *day*, or None inside a gap."""
    midnight, is_regular = _day_clock(zone, day)
    if is_regular:
        return midnight + seconds
    tz = ZoneInfo(zone)
    wall = datetime.combine(day, time(0)) + timedelta(seconds=seconds)
    return int(wall.replace(tzinfo=tz).timestamp()) if _exists(tz, wall) else None


def existing_wall_clock_epochs(zone: str, day: date, seconds: Iterable[int]) -> list[int]:
    """Return :func:`existing_wall_clock_epoch` for each of *seconds* (within *day*), leaving
    out those inside a gap: a plain day is its midnight plus each."""
    midnight, is_regular = _day_clock(zone, day)
    if is_regular:
        return [midnight + offset for offset in seconds]
    found = (existing_wall_clock_epoch(zone, day, offset) for offset in seconds)
    return [instant for instant in found if instant is not None]


def local_date(zone: str, epoch: int) -> date:
    """Return the local date of an instant in *zone*."""
    return datetime.fromtimestamp(epoch, ZoneInfo(zone)).date()


@lru_cache(maxsize=4096)
def local_days(zone: str, start: int, end: int) -> tuple[date, ...]:
    """Return the local dates whose windows can reach ``[start, end)``, including overnight ones."""
    # Cached: one search asks this for every interviewer of a zone with the same range.
    first = local_date(zone, start) - timedelta(days=1)
    last = local_date(zone, max(start, end - 1))
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


@lru_cache(maxsize=65_536)
def _day_clock(zone: str, day: date) -> tuple[int, bool]:
    """Return the epoch of local midnight and whether the day is a plain 24 hours.

    On a plain day a wall time is midnight plus its seconds; only days with a transition take
    the slow path. (No zone has two transitions that cancel out within one day.)
    """
    tz = ZoneInfo(zone)
    midnight = datetime.combine(day, time(0))
    start = _wall_to_epoch(tz, midnight)
    end = _wall_to_epoch(tz, midnight + timedelta(days=1))
    is_regular = (end - start == DAY_SECONDS and _exists(tz, midnight)
                  and _exists(tz, midnight + timedelta(days=1)))
    return start, is_regular


def _exists(tz: ZoneInfo, wall: datetime) -> bool:
    epoch = int(wall.replace(tzinfo=tz).timestamp())
    return datetime.fromtimestamp(epoch, tz).replace(tzinfo=None) == wall


def _wall_to_epoch(tz: ZoneInfo, wall: datetime) -> int:
    """Convert a naive local wall time to epoch seconds (first occurrence; gap -> transition)."""
    later = int(wall.replace(tzinfo=tz, fold=0).timestamp())
    if datetime.fromtimestamp(later, tz).replace(tzinfo=None) == wall:
        return later  # exists; fold=0 picks the first of two occurrences
    # In a gap fold=0 reads the wall time with the offset from before the change (a later
    # instant) and fold=1 with the offset from after it (an earlier one); the transition lies
    # between. zoneinfo does not expose transitions, so find it by bisection on the offset.
    earlier = int(wall.replace(tzinfo=tz, fold=1).timestamp())
    offset_after = datetime.fromtimestamp(later, tz).utcoffset()
    while later - earlier > 1:
        middle = (earlier + later) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == offset_after:
            later = middle
        else:
            earlier = middle
    return later


# ---------------------------------------------------------------------------------------------
# Calendar layers. Each returns an interval list of epoch seconds.


def daily_intervals(zone: str, days: Iterable[date], windows_for_day) -> list[Interval]:
    """Expand local windows day by day: *windows_for_day(day)* gives ``(start, end)`` seconds."""
    pieces = []
    for day in days:
        for start_seconds, end_seconds in windows_for_day(day):
            pieces.append((wall_clock_epoch(zone, day, start_seconds),
                           wall_clock_epoch(zone, day, end_seconds)))
    return iv.merge(pieces)


def weekly_pattern(calendar: InterviewerCalendar) -> tuple:
    """Return the weekly windows as ``((weekday, ((start, end) seconds, …)), …)``, hashable."""
    return tuple((weekday, tuple(seconds_of_day(*window) for window in windows))
                 for weekday, windows in sorted(calendar.weekly_windows.items()) if windows)


def makeup_day_windows(pattern: tuple) -> tuple:
    """Return the windows worked on a make-up workday that has none of its own.

    A weekend day turned into a workday (调休, or an admin override) follows the interviewer's
    first weekday, Monday to Friday, that has windows.
    """
    weekly = dict(pattern)
    return next((weekly[weekday] for weekday in range(5) if weekday in weekly), ())


def working_intervals(calendar: InterviewerCalendar, start: int, end: int,
                      shared: dict | None = None) -> list[Interval]:
    """Return the interviewer's working time in ``[start, end)``: windows on workdays + extra − off.

    *shared*, a dict the caller keeps for one search, lets interviewers with the same zone,
    weekly windows and office calendar share the expansion of their windows.
    """
    pattern = weekly_pattern(calendar)
    key = (calendar.zone, pattern, calendar.workdays, start, end)
    working = shared.get(key) if shared is not None else None
    days = local_days(calendar.zone, start, end)
    if working is None:
        weekly = dict(pattern)
        makeup = makeup_day_windows(pattern)
        describe = calendar.workdays.describe

        def windows_for_day(day: date):
            info = describe(day)
            if not info.is_workday:
                return ()
            return weekly.get(day.weekday()) or (makeup if info.kind == MAKEUP_WORKDAY else ())
        working = daily_intervals(calendar.zone, days, windows_for_day)
        if shared is not None:
            shared[key] = working
    if calendar.date_overrides:
        extra: dict[date, list[tuple[int, int]]] = {}
        time_off: dict[date, list[tuple[int, int]]] = {}
        for override in calendar.date_overrides:
            target = time_off if override.is_time_off else extra
            target.setdefault(override.day, []).append(seconds_of_day(override.start, override.end))
        # Only the dates with overrides (inside the range's dates) need expanding.
        if extra:
            working = iv.merge(chain(working, daily_intervals(
                calendar.zone, [day for day in days if day in extra], extra.__getitem__)))
        if time_off:
            working = iv.subtract(working, daily_intervals(
                calendar.zone, [day for day in days if day in time_off], time_off.__getitem__))
    return iv.clip(working, start, end)


def busy_intervals(calendar: InterviewerCalendar, start: int, end: int,
                   buffer_before: int = 0, buffer_after: int = 0) -> list[Interval]:
    """Return busy time near ``[start, end)``, widened so a slot outside it keeps its buffers.

    A slot ``[s, e)`` needs *buffer_before* free seconds before it and *buffer_after* after it,
    so busy ``[b, c)`` blocks ``[b − buffer_after, c + buffer_before)``.
    """
    busy = prepared_busy(calendar)
    # Sorted and merged, so both starts and ends ascend: cut out what can reach the range.
    first = bisect_right(busy, start - buffer_before, key=_END)
    last = bisect_left(busy, end + buffer_after, lo=first, key=_START)
    try:
        booked = [((start_at - _EPOCH) // _SECOND, (end_at - _EPOCH) // _SECOND)
                  for start_at, end_at in calendar.booked_interviews]
    except TypeError as error:
        raise ValueError(
            f"naive booked interview for interviewer {calendar.interviewer_id}") from error
    return iv.merge((busy_start - buffer_after, busy_end + buffer_before)
                    for busy_start, busy_end in chain(busy[first:last], booked)
                    if busy_end > start - buffer_before and busy_start < end + buffer_after)


def week_start(day: date) -> date:
    """Return the Monday of *day*'s Monday–Sunday week."""
    return day - timedelta(days=day.weekday())


def starts_per_local_day(zone: str, starts_at: Iterable[datetime]) -> dict[date, int]:
    """Count instants per local date in *zone* (interviews count on the local day they start)."""
    counts: dict[date, int] = {}
    tz = ZoneInfo(zone)
    for start_at in starts_at:
        day = start_at.astimezone(tz).date()
        counts[day] = counts.get(day, 0) + 1
    return counts


def interviews_per_day(calendar: InterviewerCalendar) -> dict[date, int]:
    """Count booked interviews per local date of their start."""
    return starts_per_local_day(calendar.zone, (start_at for start_at, _ in calendar.booked_interviews))


def interviews_per_week(calendar: InterviewerCalendar,
                        per_day: Mapping[date, int] | None = None) -> dict[date, int]:
    """Count booked interviews per local Monday–Sunday week (keyed by its Monday).

    *per_day*, when the caller has counted them already, is :func:`interviews_per_day`.
    """
    counts: dict[date, int] = {}
    for day, count in (interviews_per_day(calendar) if per_day is None else per_day).items():
        monday = week_start(day)
        counts[monday] = counts.get(monday, 0) + count
    return counts


@dataclass(frozen=True)
class Load:
    """Interviews counted toward the caps at one instant: on its local day and in its local week."""

    today: int
    week: int


def load_at(zone: str, starts_at: Iterable[datetime], now: datetime) -> Load:
    """Return how many of the interviews starting at *starts_at* fall on *now*'s local date and
    in its local Monday–Sunday week in *zone* (past ones included), as the caps count them."""
    today = local_date(zone, iv.to_epoch(now))
    per_day = starts_per_local_day(zone, starts_at)
    monday = week_start(today)
    return Load(today=per_day.get(today, 0),
                week=sum(count for day, count in per_day.items() if week_start(day) == monday))


def day_cap_intervals(calendar: InterviewerCalendar,
                      per_day: Mapping[date, int] | None = None) -> list[Interval]:
    """Return the local days on which the interviewer has reached the daily cap.

    *per_day*, when the caller has counted them already, is :func:`interviews_per_day`.
    """
    if calendar.daily_cap is None:
        return []
    return iv.merge(
        (wall_clock_epoch(calendar.zone, day, 0), wall_clock_epoch(calendar.zone, day, DAY_SECONDS))
        for day, count in (interviews_per_day(calendar) if per_day is None else per_day).items()
        if count >= calendar.daily_cap)


def week_cap_intervals(calendar: InterviewerCalendar,
                       per_week: Mapping[date, int] | None = None) -> list[Interval]:
    """Return the local Monday–Sunday weeks in which the interviewer has reached the weekly cap.

    *per_week*, when the caller has counted them already, is :func:`interviews_per_week`.
    """
    if calendar.weekly_cap is None:
        return []
    return iv.merge(
        (wall_clock_epoch(calendar.zone, monday, 0),
         wall_clock_epoch(calendar.zone, monday, 7 * DAY_SECONDS))
        for monday, count in (interviews_per_week(calendar) if per_week is None
                              else per_week).items()
        if count >= calendar.weekly_cap)


def free_intervals(calendar: InterviewerCalendar, start: int, end: int,
                   buffer_before: int = 0, buffer_after: int = 0,
                   shared: dict | None = None) -> list[Interval]:
    """Return free time in ``[start, end)``: working − busy (with buffers) − days/weeks at cap."""
    working = working_intervals(calendar, start, end, shared)
    if not working:
        return working
    blocked = busy_intervals(calendar, start, end, buffer_before, buffer_after)
    if calendar.daily_cap is not None or calendar.weekly_cap is not None:
        blocked = iv.merge(chain(blocked, day_cap_intervals(calendar), week_cap_intervals(calendar)))
    return iv.subtract(working, blocked)


def free_time(calendar: InterviewerCalendar, start_at: datetime, end_at: datetime,
              buffer_before: timedelta = timedelta(0),
              buffer_after: timedelta = timedelta(0)) -> list[tuple[datetime, datetime]]:
    """Return the interviewer's free time between two instants as UTC datetime pairs."""
    free = free_intervals(calendar, iv.to_epoch(start_at), iv.to_epoch(end_at),
                          int(buffer_before.total_seconds()), int(buffer_after.total_seconds()))
    return [(iv.from_epoch(start), iv.from_epoch(end)) for start, end in free]
