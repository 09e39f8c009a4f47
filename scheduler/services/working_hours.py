"""Interviewers' working hours, zone, time off and extra hours; admins' workday overrides.

Every edit is validated as a whole before anything is written: a bad entry (an end before its
start, an unknown zone, windows that overlap, a duplicate date) raises WorkingHoursError with a
translatable message and leaves the rows as they were. Each accepted change writes an audit event.
Services flush; the calling view commits.

Also here: who may manage whose availability (an interviewer their own, coordinators and admins
anyone's), and the data of the "My availability" week view, read with a fixed number of queries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from scheduler.domain import availability as av
from scheduler.domain import intervals as iv
from scheduler.domain.workdays import (
    HOLIDAY, MAKEUP_WORKDAY, SOURCE_CHINESE_CALENDAR, SOURCE_OVERRIDE, DayInfo, WorkdayCalendar,
    WorkdayWarning,
)
from scheduler.extensions import db
from scheduler.models import (
    Application, AvailabilityOverride, BusyBlock, CalendarSource, Interview,
    InterviewerAssignment, InterviewerProfile, Office, Requisition, StageTemplate, User,
    WorkdayOverride, WorkingWindow, requisition_office,
)
from scheduler.models.office import CALENDAR_KEYS
from scheduler.services.audit import record_event
from scheduler.services.slot_search import load_calendars
from scheduler.timeutil import is_valid_zone

WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                 _l("Saturday"), _l("Sunday"))
NOTE_MAX = 200
# More would be a typing mistake rather than a working day.
MAX_WINDOWS_PER_DAY = 6


class WorkingHoursError(ValueError):
    """An edit was refused; *message* says why (translatable), *field* names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotAllowed(WorkingHoursError):
    """The actor may not manage this interviewer's availability."""

    def __init__(self):
        super().__init__(_l("You may only manage your own availability."))


# --- who may do what --------------------------------------------------------------------------------

def can_manage(actor: User, profile: InterviewerProfile) -> bool:
    """Tell whether *actor* may see and edit *profile*'s availability."""
    return actor.id == profile.user_id or actor.has_role("coordinator", "admin")


def check_can_manage(actor: User, profile: InterviewerProfile) -> None:
    """Raise NotAllowed unless *actor* may manage *profile*'s availability."""
    if not can_manage(actor, profile):
        raise NotAllowed()


def can_list_interviewers(actor: User) -> bool:
    """Tell whether *actor* may open every interviewer's availability."""
    return actor.has_role("coordinator", "admin")


def interviewers_for(actor: User) -> list[InterviewerProfile]:
    """Return the active interviewers *actor* may open, by office and name."""
    if not can_list_interviewers(actor):
        raise NotAllowed()
    return list(db.session.scalars(
        sa.select(InterviewerProfile).join(User, User.id == InterviewerProfile.user_id)
        .join(Office, Office.id == InterviewerProfile.office_id)
        .where(User.is_active.is_(True))
        .options(selectinload(InterviewerProfile.user), selectinload(InterviewerProfile.office),
                 selectinload(InterviewerProfile.working_windows))
        .order_by(Office.code, User.name)))


# --- weekly windows and zone ---------------------------------------------------------------------------

Window = tuple[time, time]


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _window_text(window: Window) -> str:
    return f"{_clock(window[0])}–{_clock(window[1])}"


def check_windows(weekday: int, windows: Sequence[Window]) -> list[Window]:
    """Return one weekday's windows sorted; raise WorkingHoursError for a bad or overlapping one."""
    if weekday not in range(7):
        raise WorkingHoursError(_l("Choose a day from Monday to Sunday."))
    day = WEEKDAY_NAMES[weekday]
    if len(windows) > MAX_WINDOWS_PER_DAY:
        raise WorkingHoursError(_l("%(day)s: at most %(max)d windows a day.", day=day,
                                   max=MAX_WINDOWS_PER_DAY), f"day_{weekday}")
    for start, end in windows:
        if not start < end:
            # Windows are wall-clock times within one day; "18:00–09:00" is a typing mistake.
            raise WorkingHoursError(_l(
                "%(day)s: the window %(window)s ends before it starts. Use a start earlier "
                "than the end, within one day.", day=day, window=_window_text((start, end))),
                f"day_{weekday}")
    ordered = sorted(windows)
    for first, second in zip(ordered, ordered[1:]):
        if second[0] < first[1]:
            raise WorkingHoursError(_l(
                "%(day)s: the windows %(first)s and %(second)s overlap. Join them into one or "
                "make them separate.", day=day, first=_window_text(first),
                second=_window_text(second)), f"day_{weekday}")
    return ordered


def weekly_windows(profile: InterviewerProfile) -> dict[int, list[Window]]:
    """Return the profile's windows per weekday (0 = Monday), sorted."""
    windows: dict[int, list[Window]] = {weekday: [] for weekday in range(7)}
    for row in profile.working_windows:
        windows[row.weekday].append((row.start_local, row.end_local))
    return {weekday: sorted(items) for weekday, items in windows.items()}


def _windows_snapshot(windows: Mapping[int, Sequence[Window]]) -> dict:
    return {str(weekday): [_window_text(w) for w in items]
            for weekday, items in sorted(windows.items()) if items}


def set_weekly_windows(actor: User, profile: InterviewerProfile,
                       windows: Mapping[int, Sequence[Window]], now: datetime) -> None:
    """Replace the profile's weekly windows (local times in its zone); days not given are off."""
    check_can_manage(actor, profile)
    checked = {weekday: check_windows(weekday, items) for weekday, items in windows.items()}
    before = weekly_windows(profile)
    after = {weekday: checked.get(weekday, []) for weekday in range(7)}
    if before == after:
        return
    profile.working_windows = [
        WorkingWindow(weekday=weekday, start_local=start, end_local=end)
        for weekday, items in sorted(after.items()) for start, end in items]
    db.session.flush()
    record_event(actor, "working_hours.changed", profile, now=now,
                 before=_windows_snapshot(before), after=_windows_snapshot(after))


def set_zone(actor: User, profile: InterviewerProfile, zone: str, now: datetime) -> None:
    """Set the zone the profile's working hours are in (and the person's own display zone)."""
    check_can_manage(actor, profile)
    zone = (zone or "").strip()
    if not is_valid_zone(zone):
        raise WorkingHoursError(_l("Unknown time zone: choose one from the list, such as "
                                   "Asia/Shanghai or Europe/London."), "zone")
    before = profile.effective_zone
    if zone == before and profile.user.zone == zone:
        return
    # NULL means "the office's zone": it then follows the office if that ever moves.
    profile.zone = None if zone == profile.office.zone else zone
    profile.user.zone = zone
    db.session.flush()
    record_event(actor, "interviewer_zone.changed", profile, now=now,
                 before={"zone": before}, after={"zone": zone})


# --- time off and extra hours -------------------------------------------------------------------------------

def local_today(profile: InterviewerProfile, now: datetime) -> date:
    """Return today's date in the profile's zone."""
    return av.local_date(profile.effective_zone, iv.to_epoch(now))


def date_overrides(profile: InterviewerProfile, now: datetime) -> list[AvailabilityOverride]:
    """Return the profile's time off and extra hours from today on, by date."""
    return list(db.session.scalars(
        sa.select(AvailabilityOverride)
        .where(AvailabilityOverride.interviewer_id == profile.id,
               AvailabilityOverride.day >= local_today(profile, now))
        .order_by(AvailabilityOverride.day, AvailabilityOverride.start_local)))


def _override_span(start: time | None, end: time | None) -> tuple[int, int]:
    """Return an override's seconds of the day; no times means the whole day."""
    if start is None:
        return 0, av.DAY_SECONDS
    return av.seconds_of_day(start, end)


def add_date_override(actor: User, profile: InterviewerProfile, *, day: date, is_available: bool,
                      start: time | None, end: time | None, note: str, now: datetime,
                      ) -> AvailabilityOverride:
    """Add extra hours (*is_available*) or time off on one local date; raise WorkingHoursError."""
    check_can_manage(actor, profile)
    note = (note or "").strip()
    if day is None:
        raise WorkingHoursError(_l("Choose a date."), "day")
    if day < local_today(profile, now):
        raise WorkingHoursError(_l("%(day)s has already passed.", day=day.isoformat()), "day")
    if (start is None) != (end is None):
        raise WorkingHoursError(_l("Give both a start and an end time, or neither for the "
                                   "whole day."), "end")
    if is_available and start is None:
        raise WorkingHoursError(_l("Extra hours need a start and an end time."), "start")
    if start is not None and not start < end:
        raise WorkingHoursError(_l("The end %(end)s is not after the start %(start)s.",
                                   start=_clock(start), end=_clock(end)), "end")
    if len(note) > NOTE_MAX:
        raise WorkingHoursError(_l("Use at most %(max)d characters.", max=NOTE_MAX), "note")
    span = _override_span(start, end)
    for other in db.session.scalars(sa.select(AvailabilityOverride).where(
            AvailabilityOverride.interviewer_id == profile.id, AvailabilityOverride.day == day,
            AvailabilityOverride.is_available.is_(is_available))):
        other_span = _override_span(other.start_local, other.end_local)
        if span[0] < other_span[1] and other_span[0] < span[1]:
            raise WorkingHoursError(_l(
                "This overlaps an entry you already have on %(day)s (%(times)s). Remove that "
                "one first.", day=day.isoformat(), times=_override_times(other)), "start")
    override = AvailabilityOverride(interviewer_id=profile.id, day=day, start_local=start,
                                    end_local=end, is_available=is_available, note=note)
    db.session.add(override)
    db.session.flush()
    record_event(actor, "availability_override.added", override, now=now,
                 after=_override_snapshot(override))
    return override


def _override_times(override: AvailabilityOverride) -> str:
    if override.start_local is None:
        return str(_l("whole day"))
    return _window_text((override.start_local, override.end_local))


def _override_snapshot(override: AvailabilityOverride) -> dict:
    return {"day": override.day.isoformat(), "is_available": override.is_available,
            "start": _clock(override.start_local) if override.start_local else None,
            "end": _clock(override.end_local) if override.end_local else None,
            "note": override.note}


def remove_date_override(actor: User, profile: InterviewerProfile, override_id: int,
                         now: datetime) -> None:
    """Remove one of the profile's time-off or extra-hours entries."""
    check_can_manage(actor, profile)
    override = db.session.get(AvailabilityOverride, override_id)
    if override is None or override.interviewer_id != profile.id:
        raise WorkingHoursError(_l("That entry no longer exists."))
    record_event(actor, "availability_override.removed", override, now=now,
                 before=_override_snapshot(override))
    db.session.delete(override)
    db.session.flush()


# --- manual busy blocks and calendar sources --------------------------------------------------------------

def local_instant(zone: str, day: date, clock: time) -> datetime:
    """Return the UTC instant of a local wall time (the engine's gap and repeat rules)."""
    seconds = clock.hour * 3600 + clock.minute * 60 + clock.second
    return iv.from_epoch(av.wall_clock_epoch(zone, day, seconds))


def manual_blocks(profile: InterviewerProfile, now: datetime) -> list[BusyBlock]:
    """Return the profile's hand-made busy blocks that have not ended, soonest first."""
    return list(db.session.scalars(
        sa.select(BusyBlock).join(CalendarSource, CalendarSource.id == BusyBlock.source_id)
        .where(BusyBlock.interviewer_id == profile.id, CalendarSource.kind == "manual",
               BusyBlock.end_at > now)
        .order_by(BusyBlock.start_at)))


def remove_manual_block(actor: User, profile: InterviewerProfile, block_id: int,
                        now: datetime) -> None:
    """Remove a hand-made busy block (imported blocks change only by refreshing their source)."""
    check_can_manage(actor, profile)
    block = db.session.get(BusyBlock, block_id)
    if block is None or block.interviewer_id != profile.id or block.source.kind != "manual":
        raise WorkingHoursError(_l("That entry no longer exists."))
    record_event(actor, "busy_block.removed", block, now=now,
                 before={"start_at": block.start_at.isoformat(),
                         "end_at": block.end_at.isoformat()})
    db.session.delete(block)
    db.session.flush()


def calendar_sources(profile: InterviewerProfile) -> list[CalendarSource]:
    """Return the profile's imported calendar sources (not the manual blocks), oldest first."""
    return list(db.session.scalars(
        sa.select(CalendarSource)
        .where(CalendarSource.interviewer_id == profile.id, CalendarSource.kind != "manual")
        .order_by(CalendarSource.id)))


def owned_source(profile: InterviewerProfile, source_id: int) -> CalendarSource:
    """Return one of the profile's imported sources; raise WorkingHoursError for any other id."""
    source = db.session.get(CalendarSource, source_id)
    if source is None or source.interviewer_id != profile.id or source.kind == "manual":
        raise WorkingHoursError(_l("That calendar no longer exists."))
    return source


def remove_calendar_source(actor: User, profile: InterviewerProfile, source_id: int,
                           now: datetime) -> None:
    """Remove an imported calendar and the busy time it brought."""
    check_can_manage(actor, profile)
    source = owned_source(profile, source_id)
    record_event(actor, "calendar_source.removed", source, now=now,
                 before={"kind": source.kind, "name": source.name, "url": source.url})
    db.session.execute(sa.delete(BusyBlock).where(BusyBlock.source_id == source.id),
                       execution_options={"synchronize_session": False})
    db.session.delete(source)
    db.session.flush()


# --- workday overrides (admins) ------------------------------------------------------------------------------

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
        raise WorkingHoursError(_l("Unknown holiday calendar %(key)s: choose one of %(keys)s.",
                                   key=calendar_key, keys=", ".join(CALENDAR_KEYS)),
                                "calendar_key")


def add_workday_overrides(actor: User, calendar_key: str, entries: Iterable[WorkdayEntry],
                          now: datetime) -> list[WorkdayOverride]:
    """Add dated overrides to one calendar, all or none; raise WorkingHoursError for a bad one."""
    _check_calendar_key(calendar_key)
    entries = list(entries)
    if not entries:
        raise WorkingHoursError(_l("Enter at least one date."), "day")
    existing = {row.day for row in workday_overrides(calendar_key)}
    seen: set[date] = set()
    for entry in entries:
        if entry.day is None:
            raise WorkingHoursError(_l("Choose a date."), "day")
        if entry.day in existing or entry.day in seen:
            raise WorkingHoursError(_l(
                "%(day)s already has an override for %(key)s. Remove it first to change it.",
                day=entry.day.isoformat(), key=calendar_key), "day")
        if len(entry.note.strip()) > NOTE_MAX:
            raise WorkingHoursError(_l("Use at most %(max)d characters.", max=NOTE_MAX), "note")
        seen.add(entry.day)
    rows = [WorkdayOverride(calendar_key=calendar_key, day=entry.day,
                            is_workday=entry.is_workday, note=entry.note.strip())
            for entry in sorted(entries, key=lambda e: e.day)]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        record_event(actor, "workday_override.added", row, now=now, after=_workday_snapshot(row))
    return rows


def remove_workday_override(actor: User, override_id: int, now: datetime) -> WorkdayOverride:
    """Remove one workday override; return the removed row."""
    row = db.session.get(WorkdayOverride, override_id)
    if row is None:
        raise WorkingHoursError(_l("That entry no longer exists."))
    record_event(actor, "workday_override.removed", row, now=now, before=_workday_snapshot(row))
    db.session.delete(row)
    db.session.flush()
    return row


def _workday_snapshot(row: WorkdayOverride) -> dict:
    return {"calendar_key": row.calendar_key, "day": row.day.isoformat(),
            "is_workday": row.is_workday, "note": row.note}


# --- the week view ---------------------------------------------------------------------------------------

FREE, BUSY, INTERVIEW = "free", "busy", "interview"


@dataclass(frozen=True)
class Segment:
    """A stretch of one local day: free time, a busy block or an interview.

    *start_minute* and *end_minute* are wall-clock minutes from local midnight (0–1440), for
    drawing; *start_at*/*end_at* are the UTC instants.
    """

    kind: str
    start_at: datetime
    end_at: datetime
    start_minute: int
    end_minute: int
    label: str = ""
    interview: Interview | None = None


@dataclass
class WeekDay:
    """One local date of the week view."""

    day: date
    info: DayInfo
    holiday_name: str | None
    override_note: str
    is_past: bool
    working: list[Segment] = field(default_factory=list)
    free: list[Segment] = field(default_factory=list)
    busy: list[Segment] = field(default_factory=list)
    interviews: list[Segment] = field(default_factory=list)

    @property
    def items(self) -> list[Segment]:
        """Return free time, busy blocks and interviews together, in time order."""
        order = {FREE: 0, INTERVIEW: 1, BUSY: 2}
        return sorted(self.free + self.busy + self.interviews,
                      key=lambda s: (s.start_at, order[s.kind], s.end_at))

    @property
    def is_workday(self) -> bool:
        """Tell whether the office works on this date."""
        return self.info.is_workday

    @property
    def is_makeup_workday(self) -> bool:
        """Tell whether this is a weekend day worked in exchange for a holiday (调休)."""
        return self.info.kind == MAKEUP_WORKDAY

    @property
    def is_holiday(self) -> bool:
        """Tell whether this is a public holiday (or an override's day off)."""
        return self.info.kind == HOLIDAY


@dataclass
class WeekView:
    """Seven local days from a Monday, in the interviewer's zone."""

    profile: InterviewerProfile
    zone: str
    monday: date
    days: list[WeekDay]
    warnings: list

    @property
    def previous_monday(self) -> date:
        """Return the Monday a week earlier."""
        return self.monday - timedelta(days=7)

    @property
    def next_monday(self) -> date:
        """Return the Monday a week later."""
        return self.monday + timedelta(days=7)


def week_view(profile: InterviewerProfile, any_day: date, now: datetime, *,
              language: str = "en", show_summaries: bool = True) -> WeekView:
    """Return the week (Monday to Sunday, local) holding *any_day*: workdays, free and busy time.

    *show_summaries* puts imported event titles on busy blocks (only for their owner).
    """
    zone = profile.effective_zone
    monday = av.week_start(any_day)
    midnights = [av.wall_clock_epoch(zone, monday + timedelta(days=n), 0) for n in range(8)]
    start_at, end_at = iv.from_epoch(midnights[0]), iv.from_epoch(midnights[-1])
    calendar = load_calendars([profile.id], start_at, end_at, now=now)[profile.id]
    notes = {row.day: row.note for row in db.session.scalars(sa.select(WorkdayOverride).where(
        WorkdayOverride.calendar_key == profile.office.calendar_key,
        WorkdayOverride.day.between(monday, monday + timedelta(days=6))))}
    blocks = db.session.execute(
        sa.select(BusyBlock.start_at, BusyBlock.end_at, BusyBlock.summary, CalendarSource.name,
                  CalendarSource.kind)
        .join(CalendarSource, CalendarSource.id == BusyBlock.source_id)
        .where(BusyBlock.interviewer_id == profile.id, BusyBlock.end_at > start_at,
               BusyBlock.start_at < end_at)
        .order_by(BusyBlock.start_at)).all()
    interviews = list(db.session.scalars(
        sa.select(Interview).join(InterviewerAssignment,
                                  InterviewerAssignment.interview_id == Interview.id)
        .where(InterviewerAssignment.interviewer_id == profile.id,
               InterviewerAssignment.is_active.is_(True), Interview.status == "scheduled",
               Interview.end_at > start_at, Interview.start_at < end_at)
        .options(selectinload(Interview.stage),
                 selectinload(Interview.application).selectinload(Application.candidate))
        .order_by(Interview.start_at)))

    now_epoch = iv.to_epoch(now)
    days = []
    for n in range(7):
        day = monday + timedelta(days=n)
        lower, upper = midnights[n], midnights[n + 1]
        info = calendar.workdays.describe(day)

        def segment(kind, start, end, label="", interview=None):
            start, end = max(start, lower), min(end, upper)
            end_minute = 24 * 60 if end == upper else _minute_of_day(zone, end)
            return Segment(kind, iv.from_epoch(start), iv.from_epoch(end),
                           _minute_of_day(zone, start), end_minute, label, interview)
        week_day = WeekDay(day, info, holiday_name(info, calendar.workdays.key, language),
                           notes.get(day, ""), is_past=upper <= now_epoch)
        week_day.working = [segment(FREE, a, b)
                            for a, b in av.working_intervals(calendar, lower, upper)]
        # Free time is what can still be booked: none before now.
        first_free = max(lower, now_epoch)
        week_day.free = [segment(FREE, a, b) for a, b in
                         (av.free_intervals(calendar, first_free, upper) if first_free < upper else [])]
        for block_start, block_end, summary, source_name, kind in blocks:
            a, b = iv.to_epoch(block_start), iv.to_epoch(block_end)
            if a < upper and b > lower:
                label = (summary or source_name) if show_summaries or kind == "manual" else ""
                week_day.busy.append(segment(BUSY, a, b, label))
        for interview in interviews:
            a, b = iv.to_epoch(interview.start_at), iv.to_epoch(interview.end_at)
            if a < upper and b > lower:
                week_day.interviews.append(segment(INTERVIEW, a, b, interview=interview))
        days.append(week_day)
    warnings = calendar.workdays.warnings(monday, monday + timedelta(days=6))
    return WeekView(profile, zone, monday, days, warnings)


def _minute_of_day(zone: str, epoch: int) -> int:
    """Return the wall-clock minute of the day (0–1439) of an instant in *zone*."""
    local = iv.from_epoch(epoch).astimezone(ZoneInfo(zone))
    return local.hour * 60 + local.minute


def holiday_name(info: DayInfo, calendar_key: str, language: str) -> str | None:
    """Return the name of the holiday *info* is (or is worked for), in *language* when known."""
    if not info.name:
        return None
    if language == "zh":
        if info.source == SOURCE_CHINESE_CALENDAR or (info.source == SOURCE_OVERRIDE
                                                      and calendar_key == "CN"):
            chinese = _chinese_calendar_names().get(info.name)
            if chinese:
                return chinese
        return _holidays_names(calendar_key, info.day.year, "zh_CN").get(info.day, info.name)
    return info.name


@lru_cache(maxsize=1)
def _chinese_calendar_names() -> dict[str, str]:
    return {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}


@lru_cache(maxsize=64)
def _holidays_names(calendar_key: str, year: int, language: str) -> dict[date, str]:
    """Return the `holidays` package's names for one year in *language*, if it has them."""
    country, _, subdivision = calendar_key.partition("-")
    try:
        listed = holidays.country_holidays(country, subdiv=subdivision or None, years=year,
                                           language=language)
    except NotImplementedError:
        return {}
    if language not in (getattr(listed, "supported_languages", ()) or ()):
        return {}
    return dict(listed.items())


# --- the holiday-data banner -------------------------------------------------------------------------------

def N_(text: str) -> str:
    """Mark *text* for extraction; it is translated where it is shown."""
    return text


# The pure engine keeps its warning templates in a dict, which pybabel cannot extract; the same
# msgids are listed here so that they reach the catalogue (a test checks them against the engine's).
HOLIDAY_WARNING_MSGIDS = (
    N_("The official %(calendar)s holiday schedule for %(year)s is not available yet: working days "
       "in %(year)s are estimated as Monday to Friday minus statutory holidays. Enter the published "
       "days, including make-up working weekends, as workday overrides."),
)


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
