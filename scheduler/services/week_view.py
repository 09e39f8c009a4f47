"""The read model of a week for one interviewer or many: workdays, free and busy time, interviews.

A week runs Monday to Sunday in each interviewer's own zone. For every local day it says what
the office's calendar makes of it (workday, weekend, holiday, 调休), the working hours, the free
time still bookable (none before `now`), the busy blocks and the interviews, each as UTC
instants clipped to that day. How those are drawn (minutes of the day, bars) is the web layer's
business (scheduler/availability/present.py).

The database is read in a fixed number of statements whatever the number of interviewers:
`week_views()` serves the "My availability" page with one profile and the coordinators' board
with many. Who may see whose week, and whose event titles, is asked of permissions.py by the caller.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Collection, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scheduler.domain import availability as av
from scheduler.domain import intervals as iv
from scheduler.domain.workdays import HOLIDAY, MAKEUP_WORKDAY, DayInfo, WorkdayWarning, holiday_name
from scheduler.extensions import db
from scheduler.models import (
    Application, BusyBlock, CalendarSource, Interview, InterviewerAssignment, InterviewerProfile,
    WorkdayOverride,
)
from scheduler.services.slot_search import load_calendars

FREE, BUSY, INTERVIEW = "free", "busy", "interview"
# Every zone's local week lies within a day either side of the UTC one.
ZONE_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class Segment:
    """A stretch of one local day: free time, a busy block or an interview, clipped to that day."""

    kind: str
    start_at: datetime
    end_at: datetime
    label: str = ""
    interview: Interview | None = None


@dataclass
class WeekDay:
    """One local date of a week: [start_at, end_at) runs from its local midnight to the next."""

    day: date
    start_at: datetime
    end_at: datetime
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
    warnings: list[WorkdayWarning]

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
    """Return one interviewer's week (Monday to Sunday, local) holding *any_day*.

    *show_summaries* puts imported event titles on busy blocks (for their owner only).
    """
    shown = (profile.id,) if show_summaries else ()
    return week_views([profile], any_day, now, language=language, show_summaries_of=shown)[profile.id]


def week_views(profiles: Sequence[InterviewerProfile], any_day: date, now: datetime, *,
               language: str = "en", show_summaries_of: Collection[int] = ()
               ) -> dict[int, WeekView]:
    """Return each interviewer's week holding the local date *any_day*, by profile id.

    Imported event titles appear only on the busy blocks of the profiles in *show_summaries_of*
    (manual blocks always keep theirs). *language* ("en" or "zh") names the holidays.
    """
    ids = sorted({profile.id for profile in profiles})
    if not ids:
        return {}
    monday = av.week_start(any_day)
    # One window covering every zone's week, read once; each day is cut out of it below.
    utc_monday = datetime.combine(monday, time(0), timezone.utc)
    start_at, end_at = utc_monday - ZONE_MARGIN, utc_monday + timedelta(days=7) + ZONE_MARGIN
    calendars = load_calendars(ids, start_at, end_at, now=now)
    notes = override_notes({c.workdays.key for c in calendars.values()}, monday,
                           monday + timedelta(days=6))
    blocks = _busy_blocks(ids, start_at, end_at)
    interviews = interviews_by_interviewer(ids, start_at, end_at)
    shown = set(show_summaries_of)

    views = {}
    for profile in profiles:
        calendar = calendars[profile.id]
        labelled = [(a, b, (summary or source_name) if profile.id in shown or kind == "manual"
                     else "") for a, b, summary, source_name, kind in blocks[profile.id]]
        days = [_day(calendar, monday + timedelta(days=n), now, language,
                     notes[calendar.workdays.key], labelled, interviews[profile.id])
                for n in range(7)]
        warnings = calendar.workdays.warnings(monday, monday + timedelta(days=6))
        views[profile.id] = WeekView(profile, calendar.zone, monday, days, warnings)
    return views


def _day(calendar: av.InterviewerCalendar, day: date, now: datetime, language: str,
         notes: dict[date, str], blocks: list[tuple[int, int, str]],
         interviews: list[tuple[int, int, Interview]]) -> WeekDay:
    """Cut one local day out of an interviewer's calendar, busy blocks and interviews."""
    lower = av.wall_clock_epoch(calendar.zone, day, 0)
    upper = av.wall_clock_epoch(calendar.zone, day + timedelta(days=1), 0)

    def segment(kind, start, end, label="", interview=None):
        return Segment(kind, iv.from_epoch(max(start, lower)), iv.from_epoch(min(end, upper)),
                       label, interview)

    info = calendar.workdays.describe(day)
    now_epoch = iv.to_epoch(now)
    week_day = WeekDay(day, iv.from_epoch(lower), iv.from_epoch(upper), info,
                       holiday_name(info, calendar.workdays.key, language), notes.get(day, ""),
                       is_past=upper <= now_epoch)
    week_day.working = [segment(FREE, a, b) for a, b in av.working_intervals(calendar, lower, upper)]
    # Free time is what can still be booked: none before now.
    first_free = max(lower, now_epoch)
    if first_free < upper:
        week_day.free = [segment(FREE, a, b)
                         for a, b in av.free_intervals(calendar, first_free, upper)]
    week_day.busy = [segment(BUSY, a, b, label) for a, b, label in blocks
                     if a < upper and b > lower]
    week_day.interviews = [segment(INTERVIEW, a, b, interview=interview)
                           for a, b, interview in interviews if a < upper and b > lower]
    return week_day


def override_notes(calendar_keys: Collection[str], first_day: date, last_day: date
                   ) -> dict[str, dict[date, str]]:
    """Return the admins' notes on workday overrides from *first_day* to *last_day*, per
    calendar key and date, in one query."""
    notes: dict[str, dict[date, str]] = defaultdict(dict)
    for key, day, note in db.session.execute(
            sa.select(WorkdayOverride.calendar_key, WorkdayOverride.day, WorkdayOverride.note)
            .where(WorkdayOverride.calendar_key.in_(sorted(calendar_keys)),
                   WorkdayOverride.day.between(first_day, last_day))):
        notes[key][day] = note
    return notes


def _busy_blocks(ids: list[int], start_at: datetime, end_at: datetime) -> dict[int, list]:
    """Return (start, end, summary, source name, source kind) per interviewer, epochs in time order."""
    blocks: dict[int, list] = defaultdict(list)
    for interviewer_id, block_start, block_end, summary, source_name, kind in db.session.execute(
            sa.select(BusyBlock.interviewer_id, BusyBlock.start_at, BusyBlock.end_at,
                      BusyBlock.summary, CalendarSource.name, CalendarSource.kind)
            .join(CalendarSource, CalendarSource.id == BusyBlock.source_id)
            .where(BusyBlock.interviewer_id.in_(ids), BusyBlock.end_at > start_at,
                   BusyBlock.start_at < end_at)
            .order_by(BusyBlock.start_at, BusyBlock.id)):
        blocks[interviewer_id].append((iv.to_epoch(block_start), iv.to_epoch(block_end), summary,
                                       source_name, kind))
    return blocks


def interviews_by_interviewer(ids: Collection[int], start_at: datetime, end_at: datetime, *,
                              statuses: Collection[str] = (Interview.SCHEDULED,)
                              ) -> dict[int, list]:
    """Return (start, end, interview) of each interviewer's interviews in *statuses* that reach
    into [start_at, end_at), epochs in time order, with their stage and candidate, in a fixed
    number of queries."""
    interviews: dict[int, list] = defaultdict(list)
    for interviewer_id, interview in db.session.execute(
            sa.select(InterviewerAssignment.interviewer_id, Interview)
            .join(InterviewerAssignment, InterviewerAssignment.interview_id == Interview.id)
            .where(InterviewerAssignment.interviewer_id.in_(sorted(ids)),
                   InterviewerAssignment.is_active.is_(True), Interview.status.in_(statuses),
                   Interview.end_at > start_at, Interview.start_at < end_at)
            .options(selectinload(Interview.stage),
                     selectinload(Interview.application).selectinload(Application.candidate))
            .order_by(Interview.start_at, Interview.id)):
        interviews[interviewer_id].append(
            (iv.to_epoch(interview.start_at), iv.to_epoch(interview.end_at), interview))
    return interviews
