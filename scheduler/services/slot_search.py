"""Load interviewers' calendars from the database and ask the pure engine for slots.

`load_calendars` reads everything the engine needs for a set of interviewers in a fixed number
of queries (profiles with hours and qualifications, date overrides, workday overrides and year
marks, busy blocks, booked interviews, last interview), whatever the pool size: never one query per
interviewer or per slot. It prepares each interviewer's busy time once, as the engine takes it
(sorted, merged epoch seconds: `busy_seconds`), and keeps what it read per interviewer in a
per-process cache used only while the interviewer's availability version (read for all of them
in one statement) is unchanged (services/availability_cache.py); the booking's re-check reads
the database. `find_slots` and `check_booking` build the engine's requests from the
stage templates and the candidate (zone, hours, and their own live interviews, which no slot may
overlap); `suggest_replacements` and `seat_replacements` ask the engine who else could sit on a
panel seat at a given time, and `flag_hours` who a given time is early or late for.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Iterable, Sequence

import sqlalchemy as sa

from scheduler.domain.availability import DateOverride, InterviewerCalendar, prepare_busy
from scheduler.domain.slots import (
    HumaneFlag, SlotProblem, SlotSearch, StageRequest, check_loop, fairness_key, find_loop_slots,
    find_slots as engine_find_slots, humane_flags,
)
from scheduler.extensions import db
from scheduler.models import (
    Application, AvailabilityOverride, BusyBlock, Interview, InterviewerAssignment,
    InterviewerProfile, Office, Qualification, StageTemplate, User, WorkingWindow,
)
from scheduler.models.user import QUALIFICATION_LEVELS
from scheduler.services import availability_cache
from scheduler.services.candidate_time import candidate_interviews, candidate_window
from scheduler.services.workdays import workday_calendars

# Caps count whole local weeks, so interviews up to a week either side of the window matter.
CAP_MARGIN = timedelta(days=8)
# Problems about the candidate's choice of time, the same for every trial panel of one slot.
TIME_PROBLEMS = ("too_soon", "too_far", "off_grid", "outside_candidate_hours", "candidate_busy")


@dataclass(frozen=True)
class CandidateHours:
    """The candidate's zone and acceptable local hours (the stage's, possibly widened)."""

    zone: str
    day_start: time
    day_end: time


def qualifies(level: str, required_level: str) -> bool:
    """Tell whether a qualification *level* meets the stage's *required_level*."""
    return QUALIFICATION_LEVELS.index(level) >= QUALIFICATION_LEVELS.index(required_level)


def stage_pool(stage: StageTemplate) -> tuple[list[int], frozenset[int]]:
    """Return (qualified interviewer ids, senior ids) for a stage, in one query."""
    rows = db.session.execute(
        sa.select(Qualification.interviewer_id, Qualification.level)
        .join(InterviewerProfile, InterviewerProfile.id == Qualification.interviewer_id)
        .join(User, User.id == InterviewerProfile.user_id)
        .where(Qualification.stage_kind == stage.kind, User.is_active.is_(True))
    ).all()
    pool = sorted(i for i, level in rows if qualifies(level, stage.required_level))
    seniors = frozenset(i for i, level in rows if level == "senior")
    return pool, seniors


def stage_request(stage: StageTemplate, hours: CandidateHours, pool: Sequence[int],
                  senior_ids: frozenset[int],
                  candidate_busy: Sequence[tuple[datetime, datetime]] = ()) -> StageRequest:
    """Translate a stage template into the engine's request."""
    return StageRequest(
        duration=timedelta(minutes=stage.duration_minutes),
        panel_size=stage.panel_size,
        pool=tuple(pool),
        senior_ids=senior_ids,
        is_senior_seat_required=stage.is_senior_seat_required,
        buffer_before=timedelta(minutes=stage.buffer_before_minutes),
        buffer_after=timedelta(minutes=stage.buffer_after_minutes),
        min_notice=timedelta(minutes=stage.min_notice_minutes),
        horizon=timedelta(days=stage.horizon_days),
        step_minutes=stage.step_minutes,
        candidate_zone=hours.zone,
        candidate_day_start=hours.day_start,
        candidate_day_end=hours.day_end,
        candidate_busy=tuple(candidate_busy),
    )


def candidate_hours(application: Application, stage: StageTemplate, *, zone: str | None = None,
                    day_start: time | None = None, day_end: time | None = None) -> CandidateHours:
    """Return the candidate's zone and hours: stored values unless the caller widens them."""
    return CandidateHours(zone or application.candidate.zone,
                          day_start or stage.candidate_day_start,
                          day_end or stage.candidate_day_end)


def loaded_range(start_at: datetime, end_at: datetime) -> tuple[datetime, datetime]:
    """Return the range `load_calendars` reads for [start_at, end_at): whole UTC days, from the
    day before *start_at*'s to two days after *end_at*'s.

    Searches start at `now`, so every search of a day shares one range and one cache entry per
    interviewer; the day before also holds busy time that a buffer before an early slot reaches.
    """
    first = datetime.combine(start_at.astimezone(timezone.utc).date(), time(0), timezone.utc)
    last = datetime.combine(end_at.astimezone(timezone.utc).date(), time(0), timezone.utc)
    return first - timedelta(days=1), last + timedelta(days=2)


@dataclass(frozen=True)
class LoadedCalendar:
    """One interviewer's rows over a loaded range, prepared as the engine takes them; kept in
    services/availability_cache.py while the interviewer's availability version holds.

    *seats* are the active interview seats ``(interview id, start_at, end_at)`` by start that
    overlap [*seats_from*, *seats_until*); *last_before* is the latest active seat start before
    *seats_from*.
    """

    weekly_windows: dict[int, tuple[tuple[time, time], ...]]
    date_overrides: tuple[DateOverride, ...]
    busy_seconds: tuple[tuple[int, int], ...]
    seats: tuple[tuple[int, datetime, datetime], ...]
    seats_from: datetime
    seats_until: datetime
    last_before: datetime | None

    def booked(self, start_at: datetime, end_at: datetime, excluded: frozenset[int]
               ) -> tuple[tuple[datetime, datetime], ...]:
        """Return the seats within CAP_MARGIN of [start_at, end_at), except *excluded* interviews."""
        lower, upper = start_at - CAP_MARGIN, end_at + CAP_MARGIN
        return tuple((seat_start, seat_end) for interview_id, seat_start, seat_end in self.seats
                     if seat_end > lower and seat_start < upper and interview_id not in excluded)

    def last_interviewed(self, before: datetime) -> tuple[bool, datetime | None]:
        """Return (known, the latest active seat start before *before*); unknown outside the
        seats' range."""
        if not self.seats_from <= before <= self.seats_until:
            return False, None
        starts = [seat_start for _, seat_start, _ in self.seats if seat_start < before]
        if self.last_before is not None:
            starts.append(self.last_before)
        return True, max(starts, default=None)


def _load_rows(ids: list[int], first: datetime, last: datetime) -> dict[int, LoadedCalendar]:
    """Read the rows of *ids* over [first, last) in five statements, whatever their number."""
    windows = defaultdict(lambda: defaultdict(list))
    for interviewer_id, weekday, window_start, window_end in db.session.execute(
            sa.select(WorkingWindow.interviewer_id, WorkingWindow.weekday,
                      WorkingWindow.start_local, WorkingWindow.end_local)
            .where(WorkingWindow.interviewer_id.in_(ids))
            .order_by(WorkingWindow.weekday, WorkingWindow.start_local)):
        windows[interviewer_id][weekday].append((window_start, window_end))

    date_overrides = defaultdict(list)
    for row in db.session.scalars(
            sa.select(AvailabilityOverride).where(
                AvailabilityOverride.interviewer_id.in_(ids),
                AvailabilityOverride.day.between((first - timedelta(days=1)).date(),
                                                 (last + timedelta(days=1)).date()))
            .order_by(AvailabilityOverride.day, AvailabilityOverride.id)):
        date_overrides[row.interviewer_id].append(DateOverride(
            day=row.day, is_time_off=not row.is_available,
            start=row.start_local or time(0), end=row.end_local or time(0)))

    busy = defaultdict(list)
    for interviewer_id, block_start, block_end in db.session.execute(
            sa.select(BusyBlock.interviewer_id, BusyBlock.start_at, BusyBlock.end_at).where(
                BusyBlock.interviewer_id.in_(ids), BusyBlock.end_at > first,
                BusyBlock.start_at < last)):
        busy[interviewer_id].append((block_start, block_end))

    seats_from, seats_until = first - CAP_MARGIN, last + CAP_MARGIN
    seats = defaultdict(list)
    for interviewer_id, interview_id, seat_start, seat_end in db.session.execute(
            sa.select(InterviewerAssignment.interviewer_id, InterviewerAssignment.interview_id,
                      InterviewerAssignment.start_at, InterviewerAssignment.end_at)
            .where(InterviewerAssignment.interviewer_id.in_(ids),
                   InterviewerAssignment.is_active.is_(True),
                   InterviewerAssignment.end_at > seats_from,
                   InterviewerAssignment.start_at < seats_until)
            .order_by(InterviewerAssignment.start_at, InterviewerAssignment.id)):
        seats[interviewer_id].append((interview_id, seat_start, seat_end))
    last_before = _last_interviewed(ids, seats_from)

    return {interviewer_id: LoadedCalendar(
        weekly_windows={weekday: tuple(spans)
                        for weekday, spans in windows[interviewer_id].items()},
        date_overrides=tuple(date_overrides[interviewer_id]),
        # Prepared once here (sorted, merged epoch seconds) so no search converts it again.
        busy_seconds=prepare_busy(busy[interviewer_id]),
        seats=tuple(seats[interviewer_id]), seats_from=seats_from, seats_until=seats_until,
        last_before=last_before.get(interviewer_id),
    ) for interviewer_id in ids}


def _last_interviewed(ids: Iterable[int], before: datetime) -> dict[int, datetime]:
    """Return each interviewer's latest active seat start before *before* (none: absent)."""
    return dict(db.session.execute(
        sa.select(InterviewerAssignment.interviewer_id, sa.func.max(InterviewerAssignment.start_at))
        .where(InterviewerAssignment.interviewer_id.in_(list(ids)),
               InterviewerAssignment.is_active.is_(True),
               InterviewerAssignment.start_at < before)
        .group_by(InterviewerAssignment.interviewer_id)
    ).all())


def load_calendars(interviewer_ids: Iterable[int], start_at: datetime, end_at: datetime,
                   *, exclude_interview_ids: Iterable[int] = (), now: datetime | None = None,
                   profiles: Sequence[InterviewerProfile] | None = None,
                   use_cache: bool = True) -> dict[int, InterviewerCalendar]:
    """Return the engine's calendar for each interviewer over [start_at, end_at).

    Interviews in *exclude_interview_ids* are left out (a reschedule checks the new time
    without the interview being moved). *profiles*, when the caller has already loaded those
    interviewers' profiles with their office, are not read again.

    Rows are read over `loaded_range` and, with *use_cache*, kept per interviewer in
    services/availability_cache.py: the versions of all the interviewers are read in one
    statement and only those whose version has no entry are read again (DESIGN.md §5). Without
    *use_cache* (the booking's locked re-check) everything is read from the database.
    """
    ids = sorted(set(interviewer_ids))
    if not ids:
        return {}
    excluded = frozenset(exclude_interview_ids)
    first, last = loaded_range(start_at, end_at)
    versions: dict[int, int] = {}
    # (id, zone, calendar key, caps) each; columns, not entities: a search reads the whole pool.
    if profiles is None:
        rows = db.session.execute(
            sa.select(InterviewerProfile.id, InterviewerProfile.zone, Office.zone,
                      Office.calendar_key, InterviewerProfile.daily_cap,
                      InterviewerProfile.weekly_cap, InterviewerProfile.availability_version)
            .join(Office, Office.id == InterviewerProfile.office_id)
            .where(InterviewerProfile.id.in_(ids))).all()
        people = [(row[0], InterviewerProfile.zone_of(row[1], row[2]), *row[3:6]) for row in rows]
        versions = {row[0]: row[-1] for row in rows}
    else:
        people = [(p.id, p.effective_zone, p.office.calendar_key, p.daily_cap, p.weekly_cap)
                  for p in profiles]
        if use_cache:
            versions = availability_cache.availability_versions(ids)
    ids = sorted(person[0] for person in people)

    loaded: dict[int, LoadedCalendar] = {}
    # What this transaction changed itself is not committed: its version must not name it.
    changed = availability_cache.changed_in_this_transaction() if use_cache else set()
    if use_cache:
        for interviewer_id in ids:
            if interviewer_id not in changed and interviewer_id in versions:
                entry = availability_cache.CACHE.get(
                    (interviewer_id, versions[interviewer_id], first, last))
                if entry is not None:
                    loaded[interviewer_id] = entry
    missing = [interviewer_id for interviewer_id in ids if interviewer_id not in loaded]
    if missing:
        fresh = _load_rows(missing, first, last)
        if use_cache:
            for interviewer_id, entry in fresh.items():
                if interviewer_id not in changed and interviewer_id in versions:
                    availability_cache.CACHE.put(
                        (interviewer_id, versions[interviewer_id], first, last), entry)
        loaded.update(fresh)

    # One calendar per office calendar key, with its overrides and year marks: two queries.
    workdays = workday_calendars({person[2] for person in people})
    first_day = (start_at - timedelta(days=1)).date()
    last_day = (end_at + timedelta(days=1)).date()
    before = now or start_at
    last_interviewed = {}
    for interviewer_id, entry in loaded.items():
        known, value = entry.last_interviewed(before)
        if known:
            last_interviewed[interviewer_id] = value
    unknown = [interviewer_id for interviewer_id in ids if interviewer_id not in last_interviewed]
    if unknown:
        last_interviewed.update(_last_interviewed(unknown, before))

    calendars = {}
    for interviewer_id, zone, calendar_key, daily_cap, weekly_cap in people:
        entry = loaded[interviewer_id]
        calendars[interviewer_id] = InterviewerCalendar(
            interviewer_id=interviewer_id, zone=zone, weekly_windows=entry.weekly_windows,
            workdays=workdays[calendar_key],
            date_overrides=tuple(o for o in entry.date_overrides
                                 if first_day <= o.day <= last_day),
            busy_seconds=entry.busy_seconds,
            booked_interviews=entry.booked(start_at, end_at, excluded),
            daily_cap=daily_cap, weekly_cap=weekly_cap,
            last_interviewed_at=last_interviewed.get(interviewer_id),
        )
    return calendars


@dataclass(frozen=True)
class StagePlan:
    """The engine's requests for an ordered list of stages, with the pool's calendars."""

    stages: tuple[StageTemplate, ...]
    requests: tuple[StageRequest, ...]
    calendars: dict[int, InterviewerCalendar]
    break_between: timedelta


def plan_stages(application: Application, stages: Sequence[StageTemplate], now: datetime, *,
                hours: CandidateHours | None = None, break_minutes: int = 0,
                only_interviewers: Iterable[int] | None = None,
                exclude_interview_ids: Iterable[int] = (), use_cache: bool = True,
                candidate_own: Sequence[Interview] | None = None) -> StagePlan:
    """Build the engine input for *stages* (one stage, or a loop) from current rows (cached
    per interviewer while their version holds, unless *use_cache* is false).

    The candidate's own live interviews are their busy time, except *exclude_interview_ids*
    (read here, or picked from *candidate_own*: see `candidate_interviews`' *among*).
    """
    if not stages:
        raise ValueError("at least one stage")
    hours = hours or candidate_hours(application, stages[0])
    window_start, window_end = candidate_window(stages, now)
    busy = [(i.start_at, i.end_at) for i in candidate_interviews(
        application.candidate_id, window_start, window_end,
        exclude_interview_ids=exclude_interview_ids, among=candidate_own)]
    requests, everyone = [], set()
    for stage in stages:
        pool, seniors = stage_pool(stage)
        requests.append(stage_request(stage, hours, pool, seniors, busy))
        everyone.update(pool)
    if only_interviewers is not None:
        everyone = set(only_interviewers)
    calendars = load_calendars(everyone, now, window_end,
                               exclude_interview_ids=exclude_interview_ids, now=now,
                               use_cache=use_cache)
    return StagePlan(tuple(stages), tuple(requests), calendars,
                     timedelta(minutes=break_minutes))


def find_slots(application: Application, stages: Sequence[StageTemplate], now: datetime, *,
               hours: CandidateHours | None = None, break_minutes: int = 0,
               exclude_interview_ids: Iterable[int] = ()) -> SlotSearch:
    """Return bookable slots for one stage (Slot) or a loop of stages (LoopSlot)."""
    plan = plan_stages(application, stages, now, hours=hours, break_minutes=break_minutes,
                       exclude_interview_ids=exclude_interview_ids)
    if len(stages) == 1:
        return engine_find_slots(plan.requests[0], plan.calendars, now)
    return find_loop_slots(plan.requests, plan.calendars, now, plan.break_between)


def check_booking(application: Application, stages: Sequence[StageTemplate], start_at: datetime,
                  panels: Sequence[Sequence[int]], now: datetime, *,
                  hours: CandidateHours | None = None, break_minutes: int = 0,
                  exclude_interview_ids: Iterable[int] = (), use_cache: bool = False,
                  candidate_own: Sequence[Interview] | None = None) -> list[SlotProblem]:
    """Re-check one exact start and panels with fresh data; an empty list means bookable.

    The rows are read from the database, not the cache (the booking's locked re-check,
    DESIGN.md §6), unless *use_cache* says a cached answer will do (nothing is booked on it).
    *candidate_own*: see `plan_stages`.
    """
    plan = plan_stages(application, stages, now, hours=hours, break_minutes=break_minutes,
                       only_interviewers={i for panel in panels for i in panel},
                       exclude_interview_ids=exclude_interview_ids, use_cache=use_cache,
                       candidate_own=candidate_own)
    return check_loop(plan.requests, plan.calendars, start_at, panels, now, plan.break_between)


def flag_hours(application: Application, stages: Sequence[StageTemplate], start_at: datetime,
               people: Sequence[Iterable[int]], now: datetime, *,
               hours: CandidateHours | None = None, break_minutes: int = 0,
               exclude_interview_ids: Iterable[int] = ()) -> tuple[HumaneFlag, ...]:
    """Say who a start of *stages* is early or late for: the candidate, and anyone of *people*
    (per stage: a panel, or whoever might take one of its seats), as a search marks its slots."""
    plan = plan_stages(application, stages, now, hours=hours, break_minutes=break_minutes,
                       only_interviewers={i for ids in people for i in ids},
                       exclude_interview_ids=exclude_interview_ids)
    return humane_flags(plan.requests, plan.calendars, start_at, people, plan.break_between)


def _replacement_ids(plan, start_at: datetime, panels: Sequence[Sequence[int]], index: int,
                     interviewer_id: int, now: datetime, limit: int) -> list[int]:
    """Return pool members who could take *interviewer_id*'s seat in stage *index*, fairest first."""
    busy_elsewhere = {i for p in panels for i in p}
    fitting = []
    for candidate_id in plan.requests[index].pool:
        if candidate_id in busy_elsewhere:
            continue
        trial = [list(p) for p in panels]
        trial[index] = [candidate_id if i == interviewer_id else i for i in trial[index]]
        problems = check_loop(plan.requests, plan.calendars, start_at, trial, now,
                              plan.break_between)
        if not [p for p in problems if p.code not in TIME_PROBLEMS]:
            fitting.append(fairness_key(plan.calendars[candidate_id], start_at))
    fitting.sort()
    return [key[-1] for key in fitting[:limit]]


def _profiles_by_id(ids) -> dict[int, InterviewerProfile]:
    return {p.id: p for p in db.session.scalars(
        sa.select(InterviewerProfile).where(InterviewerProfile.id.in_(set(ids))))}


def suggest_replacements(interview: Interview, interviewer_id: int, now: datetime,
                         limit: int = 5) -> list[InterviewerProfile]:
    """Return interviewers who could take *interviewer_id*'s seat at the same time, fairest first."""
    others = interview.live_group
    index = next(n for n, i in enumerate(others) if i.id == interview.id)
    panels = [[a.interviewer_id for a in i.active_assignments] for i in others]
    break_minutes = interview.booking_group.break_minutes if interview.booking_group else 0
    plan = plan_stages(interview.application, [i.stage for i in others], now,
                       break_minutes=break_minutes, exclude_interview_ids=[i.id for i in others])
    ids = _replacement_ids(plan, others[0].start_at, panels, index, interviewer_id, now, limit)
    profiles = _profiles_by_id(ids)
    return [profiles[i] for i in ids]


def seat_replacements(application: Application, stages: Sequence[StageTemplate],
                      start_at: datetime, panels: Sequence[Sequence[int]], now: datetime, *,
                      hours: CandidateHours | None = None, break_minutes: int = 0,
                      exclude_interview_ids=(), limit: int = 5,
                      ) -> list[list[list[InterviewerProfile]]]:
    """Return, per stage and seat of *panels*, who else could sit there at *start_at*, fairest first."""
    plan = plan_stages(application, stages, now, hours=hours, break_minutes=break_minutes,
                       exclude_interview_ids=exclude_interview_ids)
    ids = [[_replacement_ids(plan, start_at, panels, index, member, now, limit)
            for member in panel] for index, panel in enumerate(panels)]
    profiles = _profiles_by_id(i for stage in ids for seat in stage for i in seat)
    return [[[profiles[i] for i in seat] for seat in stage] for stage in ids]
