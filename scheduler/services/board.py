"""The coordinators' calendar board: the chosen interviewers' time over a week or a day, grouped
by office, and the same as an ICS file.

The board covers whole local days of the coordinator's chosen zone ([start_at, end_at) of a
`BoardWindow`). Each interviewer's row holds their working time (windows on their office's
workdays, in their own zone, with extra hours and time off), their busy time merged and without
titles (busy is all the board says about a calendar event), and their interviews (scheduled,
done or missed) with what is wrong with each: a clash with busy time or another interview, or
time outside working hours (scheduler/domain/conflicts.py); plus the local days and weeks over
their caps. Each office group says what each of the office's local dates in the window is
(workday, weekend, holiday with its name, make-up working day, an admin's note).

Everything is read in a fixed number of queries whatever the number of interviewers: the
profiles, the engine's calendars (scheduler/services/slot_search.py), their interviews and the
override notes (scheduler/services/week_view.py). How it is drawn is the web layer's business.
Only coordinators and admins may see it (scheduler/services/permissions.py).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale, gettext

from scheduler import ical
from scheduler.domain import availability as av
from scheduler.domain import intervals as iv
from scheduler.domain.conflicts import CapOverrun, cap_overruns, interview_conflicts
from scheduler.domain.workdays import WorkdayCalendar, WorkdayWarning, holiday_name
from scheduler.extensions import db
from scheduler.formatting import localized
from scheduler.models import (
    Application, Candidate, Interview, InterviewerAssignment, InterviewerProfile, Office,
    Qualification, StageTemplate, User,
)
from scheduler.models.requisition import INTERVIEW_KINDS
from scheduler.services.interviewers import interviewer_query, levels_at_least, matches_text
from scheduler.services.permissions import (
    check_can_view_board, named_interviews, visible_applications,
)
from scheduler.services.slot_search import load_calendars
from scheduler.services.week_view import interviews_by_interviewer, override_notes

# Interviews the board shows: those still to come and those that took place (or were missed).
BOARD_STATUSES = (Interview.SCHEDULED, Interview.COMPLETED, Interview.NO_SHOW)
# Busy time and interviews just outside the board still clash with an interview crossing its edge.
EDGE = timedelta(days=1)


@dataclass(frozen=True)
class BoardFilters:
    """Who the board shows; empty values do not narrow it."""

    office_ids: tuple[int, ...] = ()
    # An opening: people qualified for one of its interview stages, or on one of its interviews.
    requisition_id: int | None = None
    stage_kind: str = ""
    min_level: str = ""
    # An interviewer's name or email, or the name of a candidate they interview on the board.
    text: str = ""
    interviewer_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class BoardWindow:
    """*day_count* whole local days from *first_day* in *zone*: [start_at, end_at)."""

    zone: str
    first_day: date
    day_count: int
    start_at: datetime
    end_at: datetime

    @property
    def last_day(self) -> date:
        """Return the window's last local date."""
        return self.first_day + timedelta(days=self.day_count - 1)


def board_window(zone: str, first_day: date, day_count: int) -> BoardWindow:
    """Return the window of *day_count* local days of *zone* from *first_day* (a week or a day)."""
    start = av.wall_clock_epoch(zone, first_day, 0)
    end = av.wall_clock_epoch(zone, first_day + timedelta(days=day_count), 0)
    return BoardWindow(zone, first_day, day_count, iv.from_epoch(start), iv.from_epoch(end))


@dataclass(frozen=True)
class BoardInterview:
    """One interview on a row, with what is wrong with it for this interviewer."""

    interview: Interview
    conflicts: tuple[str, ...]
    # It is of the chosen opening and stage kind (others are still shown: they take time).
    is_match: bool
    # The viewer may see its candidate; another opening's interview is shown without them
    # (least access, permissions.named_interviews).
    is_named: bool = True


@dataclass
class BoardRow:
    """One interviewer: working time, busy time and interviews in the window, and cap overruns."""

    profile: InterviewerProfile
    zone: str
    working: list[tuple[datetime, datetime]]
    busy: list[tuple[datetime, datetime]]
    interviews: list[BoardInterview]
    overruns: list[CapOverrun]

    @property
    def conflict_count(self) -> int:
        """Return how many of the row's interviews have something wrong with them."""
        return sum(1 for item in self.interviews if item.conflicts)


@dataclass(frozen=True)
class OfficeDay:
    """One local date of an office within the window (clipped to it) and what kind of day it is."""

    day: date
    start_at: datetime
    end_at: datetime
    kind: str
    is_workday: bool
    holiday_name: str | None
    note: str


@dataclass
class OfficeGroup:
    """An office's local days in the window and its interviewers' rows."""

    office: Office
    days: list[OfficeDay]
    rows: list[BoardRow]


@dataclass
class Board:
    """The board's window, its `now`, the office groups (east to west) and holiday-data warnings."""

    window: BoardWindow
    now: datetime
    groups: list[OfficeGroup]
    warnings: list[WorkdayWarning]

    @property
    def rows(self) -> list[BoardRow]:
        """Return every row, group by group."""
        return [row for group in self.groups for row in group.rows]


def board_view(actor: User, filters: BoardFilters, window: BoardWindow, now: datetime,
               language: str) -> Board:
    """Return the board of the interviewers *filters* select over *window*, in a fixed number of
    queries; *language* ("zh" or "en") names the holidays. Raise NotAllowed for others than
    coordinators and admins."""
    check_can_view_board(actor)
    profiles = list(db.session.scalars(_profiles_query(actor, filters, window)))
    ids = [profile.id for profile in profiles]
    reach_start_at, reach_end_at = window.start_at - EDGE, window.end_at + EDGE
    calendars = load_calendars(ids, reach_start_at, reach_end_at, now=now, profiles=profiles)
    seats = interviews_by_interviewer(ids, reach_start_at, reach_end_at, statuses=BOARD_STATUSES)
    named = named_interviews(actor, {interview.id: interview for found in seats.values()
                                     for _start, _end, interview in found}.values())
    keys = {profile.office.calendar_key for profile in profiles}
    notes = override_notes(keys, window.first_day - EDGE, window.last_day + EDGE)

    shared: dict = {}
    rows: dict[int, list[BoardRow]] = defaultdict(list)
    offices: dict[int, Office] = {}
    workdays: dict[str, WorkdayCalendar] = {}
    for profile in profiles:
        calendar = calendars[profile.id]
        rows[profile.office_id].append(
            _row(profile, calendar, seats[profile.id], window, filters, shared, named))
        offices[profile.office_id] = profile.office
        workdays[profile.office.calendar_key] = calendar.workdays
    groups = [OfficeGroup(office, _office_days(office, workdays[office.calendar_key],
                                               notes.get(office.calendar_key, {}), window,
                                               language), rows[office.id])
              for office in sorted(offices.values(), key=lambda o: _east_first(o, window))]
    warnings = {(w.calendar_key, w.year): w for calendar in workdays.values()
                for w in calendar.warnings(window.first_day - EDGE, window.last_day + EDGE)}
    return Board(window, now, groups, [warnings[key] for key in sorted(warnings)])


def _east_first(office: Office, window: BoardWindow) -> tuple:
    offset = window.start_at.astimezone(ZoneInfo(office.zone)).utcoffset()
    return -offset.total_seconds(), office.code


def _profiles_query(actor: User, filters: BoardFilters, window: BoardWindow) -> sa.Select:
    """Return the query of the profiles *filters* select, by office and name; a candidate's
    name finds only the interviews of applications *actor* sees."""
    query = interviewer_query(office_ids=filters.office_ids, stage_kind=filters.stage_kind,
                              min_level=filters.min_level)
    if filters.interviewer_ids:
        query = query.where(InterviewerProfile.id.in_(sorted(filters.interviewer_ids)))
    if filters.requisition_id:
        query = query.where(sa.or_(
            _qualified_for_opening(filters.requisition_id),
            _interviews_in(window, Application.requisition_id == filters.requisition_id)))
    if filters.text.strip():
        needle = filters.text.strip().lower()
        query = query.where(sa.or_(
            matches_text(needle),
            _interviews_in(window, sa.and_(
                sa.func.lower(Candidate.name).contains(needle, autoescape=True),
                visible_applications(actor)))))
    return query


def _qualified_for_opening(requisition_id: int):
    """Return the condition that a profile qualifies for one of the opening's interview stages."""
    stages = db.session.execute(
        sa.select(StageTemplate.kind, StageTemplate.required_level)
        .where(StageTemplate.requisition_id == requisition_id)).all()
    qualified = [sa.and_(Qualification.stage_kind == kind,
                         Qualification.level.in_(levels_at_least(level)))
                 for kind, level in stages if kind in INTERVIEW_KINDS]
    if not qualified:
        return sa.false()
    return (sa.select(Qualification.id)
            .where(Qualification.interviewer_id == InterviewerProfile.id, sa.or_(*qualified))
            .exists())


def _interviews_in(window: BoardWindow, condition):
    """Return the condition that a profile sits on an interview on the board that matches
    *condition*."""
    return (sa.select(InterviewerAssignment.id)
            .join(Interview, Interview.id == InterviewerAssignment.interview_id)
            .join(Application, Application.id == Interview.application_id)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(InterviewerAssignment.interviewer_id == InterviewerProfile.id,
                   InterviewerAssignment.is_active.is_(True),
                   Interview.status.in_(BOARD_STATUSES),
                   Interview.start_at < window.end_at, Interview.end_at > window.start_at,
                   condition)
            .exists())


def _row(profile: InterviewerProfile, calendar: av.InterviewerCalendar, seats: list,
         window: BoardWindow, filters: BoardFilters, shared: dict, named: set[int]) -> BoardRow:
    """Cut one interviewer's row out of their calendar and interviews."""
    lower, upper = iv.to_epoch(window.start_at), iv.to_epoch(window.end_at)

    def instants(intervals):
        return [(iv.from_epoch(start), iv.from_epoch(end)) for start, end in intervals]

    busy = av.prepared_busy(calendar)
    conflicts = interview_conflicts(calendar, [(interview.id, interview.start_at, interview.end_at)
                                               for _start, _end, interview in seats])
    interviews = [BoardInterview(interview, conflicts.get(interview.id, ()),
                                 _is_match(interview, filters), interview.id in named)
                  for start, end, interview in seats if start < upper and end > lower]
    overruns = cap_overruns(calendar, av.local_date(calendar.zone, lower),
                            av.local_date(calendar.zone, upper - 1))
    return BoardRow(profile, calendar.zone,
                    instants(av.working_intervals(calendar, lower, upper, shared)),
                    instants(iv.clip(busy, lower, upper)), interviews, overruns)


def _is_match(interview: Interview, filters: BoardFilters) -> bool:
    return ((not filters.requisition_id
             or interview.application.requisition_id == filters.requisition_id)
            and (not filters.stage_kind or interview.stage.kind == filters.stage_kind))


def window_days(window: BoardWindow, zone: str) -> list[tuple[date, datetime, datetime]]:
    """Return (date, start, end) of each local date of *zone* that reaches into *window*, clipped
    to it (a week seen from another zone touches eight of its dates)."""
    lower, upper = iv.to_epoch(window.start_at), iv.to_epoch(window.end_at)
    day, last = av.local_date(zone, lower), av.local_date(zone, upper - 1)
    days = []
    while day <= last:
        start = max(lower, av.wall_clock_epoch(zone, day, 0))
        end = min(upper, av.wall_clock_epoch(zone, day + timedelta(days=1), 0))
        days.append((day, iv.from_epoch(start), iv.from_epoch(end)))
        day += timedelta(days=1)
    return days


def _office_days(office: Office, workdays: WorkdayCalendar, notes: dict[date, str],
                 window: BoardWindow, language: str) -> list[OfficeDay]:
    """Return what each of the office's local dates in the window is."""
    days = []
    for day, start_at, end_at in window_days(window, office.zone):
        info = workdays.describe(day)
        days.append(OfficeDay(day, start_at, end_at, info.kind, info.is_workday,
                              holiday_name(info, office.calendar_key, language),
                              notes.get(day, "")))
    return days


# --- the export ------------------------------------------------------------------------------

def board_events(board: Board, language: str) -> list[ical.InviteEvent]:
    """Return the board as calendar events: each interview once (another opening's without its
    candidate, as the board shows it), each busy stretch of each row as "Busy" (in *language*,
    with no description), each with the names of its board interviewers as categories."""
    names: dict[int, list[str]] = defaultdict(list)
    interviews: dict[int, Interview] = {}
    events = []
    with force_locale(language):
        busy = gettext("Busy")
        unnamed = gettext("Interview — another opening")
    named: set[int] = set()
    for row in board.rows:
        name = row.profile.user.name
        for item in row.interviews:
            interviews[item.interview.id] = item.interview
            names[item.interview.id].append(name)
            if item.is_named:
                named.add(item.interview.id)
        events += [ical.InviteEvent(
            uid=f"busy-{row.profile.id}-{start_at:%Y%m%dT%H%M%SZ}@board", sequence=0,
            start_at=start_at, end_at=end_at, summary=busy, description="", location=None,
            organizer_email="", organizer_name="", categories=(name,))
            for start_at, end_at in row.busy]
    for interview_id, interview in sorted(interviews.items(),
                                          key=lambda item: (item[1].start_at, item[0])):
        events.append(ical.InviteEvent(
            uid=f"board-{interview.calendar_uid}", sequence=interview.sequence,
            start_at=interview.start_at, end_at=interview.end_at,
            summary=(f"{localized(interview.stage, 'name', language)} · "
                     f"{interview.application.candidate.name}"
                     if interview_id in named else unnamed),
            description="", location=None, organizer_email="", organizer_name="",
            categories=tuple(names[interview_id])))
    return events


def export_board(actor: User, filters: BoardFilters, window: BoardWindow, now: datetime,
                 language: str) -> bytes:
    """Return the board of *filters* over *window* as an ICS file of reference events (no
    reminders, transparent), times in UTC; raise NotAllowed for others than coordinators and
    admins."""
    board = board_view(actor, filters, window, now, language)
    with force_locale(language):
        name = gettext("Calendar board %(first)s – %(last)s", first=window.first_day.isoformat(),
                       last=window.last_day.isoformat())
    return ical.build_download(board_events(board, language), now, name=name, as_reference=True)

