"""FROZEN copy of scheduler/domain/slots.py at d9f30f6 (before issue 23): do not edit.

The comparison property test (tests/unit/test_engine_matches_frozen.py) checks the engine
against it. The original docstring follows.

Bookable slots for an interview stage (or a loop of stages), each with a fair panel.

Inputs are plain dataclasses: a :class:`StageRequest` per stage, an
:class:`~scheduler.domain.availability.InterviewerCalendar` per interviewer, and ``now``.

How a search works (DESIGN.md §5):

1. Per qualified interviewer, free time = working windows on workdays − busy time widened by
   the stage's buffers − local days/weeks at cap (:mod:`scheduler.domain.availability`).
   Each free interval ``[a, b)`` long enough becomes the closed range ``[a, b − duration]`` of
   starts that keep the whole interview inside it.
2. One sweep, in time order, over the edges of all those ranges keeps the set of interviewers
   who could start *now*, sorted by the fairness key; at each candidate start time on the grid
   the panel is read off the front of that set. Cost grows with the number of intervals and
   grid points, not with the minutes in the horizon.

Definitions the tests and the booking service rely on:

* **Grid.** Start times are the wall times ``00:00 + n × step`` of each local date in the
  candidate's zone; one inside a spring-forward gap is dropped, one that occurs twice is offered
  at its first occurrence only. A start must be ``>= now + min_notice`` and ``< now + horizon``,
  and the whole interview (the whole loop) must lie inside the candidate's acceptable hours and
  outside the candidate's own busy time (their other live interviews, ``candidate_busy``).
* **Fairness key** of an interviewer for a slot: (interviews booked in the interviewer's local
  Monday–Sunday week of the slot's start, last interview instant with never = earliest, id).
* **Panel.** Valid panels are sets of ``panel_size`` pool members free for the whole slot,
  including at least one senior when the stage requires a senior seat. The chosen panel is
  the valid panel whose members, listed in fairness order, come first lexicographically: the
  fairest ``panel_size`` people, or when none of them is senior, the fairest
  ``panel_size − 1`` plus the fairest senior.
* **Alternatives** = the number of *other* valid panels for the same slot (exact, by counting:
  ``C(n, k) − C(n − seniors, k) − 1``). In a loop, a stage's alternatives count the valid panels
  for that stage with the other stages' chosen panels held fixed.
* **Loop.** Stages back to back with a fixed break, panels pairwise disjoint. The chosen panels
  are the first valid assignment when stages are taken in order and each stage's panels in the
  panel order above (a backtracking search that usually takes its first try).
* **Humane score** = the smallest margin, in minutes, between the slot and the edges of a
  participant's normal day (negative when the slot sticks out). The candidate's normal day is
  the stage's ``humane_day_start``–``humane_day_end`` (default 09:00–18:00, local); an
  interviewer's is the span of their weekly windows for that weekday (the same default on a
  weekday without windows). Flags name who the slot is early or late for.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import combinations
from functools import lru_cache
from math import comb
from typing import Iterable, Mapping, Sequence

from tests.unit.frozen_engine import availability as av
from tests.unit.frozen_engine import intervals as iv
from tests.unit.frozen_engine.availability import InterviewerCalendar
from tests.unit.frozen_engine.intervals import Interval
from scheduler.domain.workdays import WorkdayWarning

EARLY = "early"
LATE = "late"

_NEVER = -(2 ** 62)  # fairness rank of "never interviewed": before any real instant


@dataclass(frozen=True)
class StageRequest:
    """What one stage needs: length, panel, who qualifies, and the candidate's constraints.

    *pool* lists the qualified interviewer ids; *senior_ids* those of them who may take the
    senior seat (required when *is_senior_seat_required*). ``panel_size`` 0 is a stage without
    interviewers (the online coding test). Candidate hours are local wall times in
    *candidate_zone*; an end at or before the start means the next day. *candidate_busy* holds
    the candidate's own busy time as aware ``(start, end)`` pairs, each ``[start, end)`` (their
    other live interviews): no slot overlaps it. In a loop the first stage's candidate fields
    apply to the whole loop, breaks included.
    """

    duration: timedelta
    panel_size: int
    pool: Sequence[int] = ()
    senior_ids: frozenset[int] = frozenset()
    is_senior_seat_required: bool = False
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    min_notice: timedelta = timedelta(0)
    horizon: timedelta = timedelta(days=14)
    step_minutes: int = 30
    candidate_zone: str = "UTC"
    candidate_day_start: time = time(8)
    candidate_day_end: time = time(21)
    humane_day_start: time = time(9)
    humane_day_end: time = time(18)
    candidate_busy: tuple[tuple[datetime, datetime], ...] = ()

    def __post_init__(self):
        if self.duration <= timedelta(0) or self.duration.total_seconds() % 1:
            raise ValueError("duration must be a positive whole number of seconds")
        if self.panel_size < 0:
            raise ValueError("panel_size must not be negative")
        if self.step_minutes < 1:
            raise ValueError("step_minutes must be at least 1")
        if self.is_senior_seat_required and self.panel_size == 0:
            raise ValueError("a stage without a panel cannot require a senior seat")


@dataclass(frozen=True)
class HumaneFlag:
    """A slot is *kind* ('early' or 'late') for an interviewer, or for the candidate (None)."""

    kind: str
    interviewer_id: int | None = None


_CANDIDATE_EARLY = HumaneFlag(EARLY)
_CANDIDATE_LATE = HumaneFlag(LATE)


@dataclass(frozen=True)
class Slot:
    """A bookable ``[start_at, end_at)`` with its assigned panel (ids ascending)."""

    start_at: datetime
    end_at: datetime
    panel: tuple[int, ...]
    alternatives: int
    humane_score: int
    flags: tuple[HumaneFlag, ...] = ()

    @property
    def stage_slots(self) -> tuple[Slot, ...]:
        """Return one slot per stage: this one (so a slot and a loop slot read alike)."""
        return (self,)

    @property
    def panels(self) -> list[list[int]]:
        """Return one panel (interviewer ids) per stage."""
        return [list(self.panel)]


@dataclass(frozen=True)
class LoopSlot:
    """One start time for a whole loop: a :class:`Slot` per stage, in stage order."""

    start_at: datetime
    end_at: datetime
    stages: tuple[Slot, ...]
    humane_score: int
    flags: tuple[HumaneFlag, ...] = ()

    @property
    def stage_slots(self) -> tuple[Slot, ...]:
        """Return one slot per stage, in stage order."""
        return self.stages

    @property
    def panels(self) -> list[list[int]]:
        """Return one panel (interviewer ids) per stage, in stage order."""
        return [list(stage.panel) for stage in self.stages]


@dataclass(frozen=True)
class SlotSearch:
    """The answer of a search: slots in start order plus warnings about the holiday data."""

    slots: tuple
    warnings: tuple[WorkdayWarning, ...] = ()


# ---------------------------------------------------------------------------------------------
# Problems reported by check_slot / check_loop: a code plus parameters, translated by the app.


def N_(text: str) -> str:
    """Mark *text* as a msgid for extraction; it is translated where it is shown."""
    return text


_PROBLEM_MESSAGES = {
    "too_soon": N_("This time is too soon: interviews need %(hours)s hours' notice."),
    "too_far": N_("This time is too far ahead to book yet."),
    "off_grid": N_("Interviews start on the %(step)s-minute grid."),
    "outside_candidate_hours": N_("This time is outside the candidate's acceptable hours."),
    "candidate_busy": N_("The candidate already has an interview at this time."),
    "wrong_panel_size": N_("This stage needs %(expected)s interviewers, not %(given)s."),
    "repeated_interviewer": N_("An interviewer is listed twice."),
    "unknown_interviewer": N_("Interviewer %(interviewer_id)s has no calendar."),
    "not_in_pool": N_("Interviewer %(interviewer_id)s is not qualified for this stage."),
    "no_senior": N_("This stage needs a senior interviewer on the panel."),
    "interviewer_in_two_stages": N_("Interviewer %(interviewer_id)s is on two stages of the loop."),
    "outside_working_hours": N_("Interviewer %(interviewer_id)s is not working at this time."),
    "busy": N_("Interviewer %(interviewer_id)s is busy at this time (buffers included)."),
    "daily_cap": N_("Interviewer %(interviewer_id)s has reached the daily interview limit."),
    "weekly_cap": N_("Interviewer %(interviewer_id)s has reached the weekly interview limit."),
}


@dataclass(frozen=True)
class SlotProblem:
    """Why a slot cannot be booked: *code*, the stage it concerns, the interviewer if any."""

    code: str
    stage_index: int = 0
    interviewer_id: int | None = None
    params: tuple[tuple[str, object], ...] = ()

    @property
    def message_id(self) -> str:
        """Return the English message template (the msgid) for this problem."""
        return _PROBLEM_MESSAGES[self.code]


def problem_message(problem: SlotProblem, translate=lambda text: text) -> str:
    """Render a problem in English, or through *translate* (e.g. gettext) when given."""
    return translate(problem.message_id) % {"interviewer_id": problem.interviewer_id,
                                            **dict(problem.params)}


# ---------------------------------------------------------------------------------------------
# Public entry points


def find_slots(request: StageRequest, calendars: Iterable[InterviewerCalendar] | Mapping,
               now: datetime) -> SlotSearch:
    """Return every bookable slot for one stage, in start order, each with a fair panel."""
    found, warnings = _search([request], _by_id(calendars), now, timedelta(0))
    return SlotSearch(tuple(slots[0] for slots in found), warnings)


def find_loop_slots(stages: Sequence[StageRequest],
                    calendars: Iterable[InterviewerCalendar] | Mapping, now: datetime,
                    break_between: timedelta = timedelta(0)) -> SlotSearch:
    """Return start times for stages back to back (with *break_between*), panels disjoint.

    The first stage's candidate zone, hours and grid step apply to the whole loop.
    """
    if not stages:
        raise ValueError("a loop needs at least one stage")
    found, warnings = _search(list(stages), _by_id(calendars), now, break_between)
    options = []
    for slots in found:
        flags = tuple(dict.fromkeys(flag for slot in slots for flag in slot.flags))
        options.append(LoopSlot(slots[0].start_at, slots[-1].end_at, slots,
                                min(slot.humane_score for slot in slots), flags))
    return SlotSearch(tuple(options), warnings)


def check_slot(request: StageRequest, calendars: Iterable[InterviewerCalendar] | Mapping,
               start_at: datetime, panel: Sequence[int], now: datetime) -> list[SlotProblem]:
    """Re-check one exact slot and panel with fresh data; an empty list means bookable."""
    return check_loop([request], calendars, start_at, [panel], now)


def check_loop(stages: Sequence[StageRequest], calendars: Iterable[InterviewerCalendar] | Mapping,
               start_at: datetime, panels: Sequence[Sequence[int]], now: datetime,
               break_between: timedelta = timedelta(0)) -> list[SlotProblem]:
    """Re-check one exact loop start and its panels (one per stage); empty means bookable."""
    if len(panels) != len(stages):
        raise ValueError("one panel per stage")
    by_id = _by_id(calendars)
    plan = _plan(list(stages), now, break_between)
    start = iv.to_epoch(start_at)
    first = stages[0]
    problems: list[SlotProblem] = []
    if start < plan.earliest_start:
        hours = round(first.min_notice.total_seconds() / 3600, 1)
        problems.append(SlotProblem("too_soon", params=(("hours", hours),)))
    if start >= plan.latest_start:
        problems.append(SlotProblem("too_far"))
    if start not in _grid_starts(first.candidate_zone, first.step_minutes * 60, [(start, start)]):
        problems.append(SlotProblem("off_grid", params=(("step", first.step_minutes),)))
    candidate_hours = _candidate_hours(first, start, start + plan.total)
    if not iv.covers(candidate_hours, start, start + plan.total):
        problems.append(SlotProblem("outside_candidate_hours"))
    if iv.overlaps(_candidate_busy(first), start, start + plan.total):
        problems.append(SlotProblem("candidate_busy"))

    seen_in_stage: dict[int, int] = {}
    for index, (stage, offset, panel) in enumerate(zip(stages, plan.offsets, panels)):
        slot_start = start + offset
        slot_end = slot_start + plan.durations[index]
        if len(panel) != stage.panel_size:
            problems.append(SlotProblem("wrong_panel_size", index, params=(
                ("expected", stage.panel_size), ("given", len(panel)))))
        if len(set(panel)) != len(panel):
            problems.append(SlotProblem("repeated_interviewer", index))
        pool = set(stage.pool)
        if stage.is_senior_seat_required and not set(panel) & set(stage.senior_ids) & pool:
            problems.append(SlotProblem("no_senior", index))
        for interviewer_id in dict.fromkeys(panel):
            if interviewer_id in seen_in_stage and seen_in_stage[interviewer_id] != index:
                problems.append(SlotProblem("interviewer_in_two_stages", index, interviewer_id))
            seen_in_stage.setdefault(interviewer_id, index)
            if interviewer_id not in pool:
                problems.append(SlotProblem("not_in_pool", index, interviewer_id))
            calendar = by_id.get(interviewer_id)
            if calendar is None:
                problems.append(SlotProblem("unknown_interviewer", index, interviewer_id))
                continue
            problems.extend(_interviewer_problems(calendar, stage, index, slot_start, slot_end))
    return problems


def humane_flags(stages: Sequence[StageRequest],
                 calendars: Iterable[InterviewerCalendar] | Mapping, start_at: datetime,
                 people: Sequence[Iterable[int]],
                 break_between: timedelta = timedelta(0)) -> tuple[HumaneFlag, ...]:
    """Return the flags a search gives a loop starting at *start_at*, for the candidate and for
    everyone in *people* (per stage: its panel, or whoever might take one of its seats), each in
    their stage's time; by the rule of the humane score (see the module's docstring)."""
    by_id = _by_id(calendars)
    first = stages[0]
    default = av.seconds_of_day(first.humane_day_start, first.humane_day_end)
    durations = [_seconds(stage.duration) for stage in stages]
    start = iv.to_epoch(start_at)
    flags: dict[HumaneFlag, None] = {}

    def mark(who: int | None, zone: str, spans, slot_start: int, slot_end: int) -> None:
        days = _NormalDays(zone, slot_start, slot_end, spans, default)
        _margin, is_early, is_late = days.margin(slot_start, slot_end)
        if is_early:
            flags[HumaneFlag(EARLY, who)] = None
        if is_late:
            flags[HumaneFlag(LATE, who)] = None

    stage_times = [(start + offset, start + offset + duration) for offset, duration
                   in zip(_offsets(durations, _seconds(break_between)), durations)]
    for slot_start, slot_end in stage_times:
        mark(None, first.candidate_zone, {}, slot_start, slot_end)
    for (slot_start, slot_end), ids in zip(stage_times, people):
        for who in dict.fromkeys(ids):
            calendar = by_id.get(who)
            if calendar is not None:
                mark(who, calendar.zone, dict(_weekly_spans(calendar)), slot_start, slot_end)
    # The candidate's first, as a search lists them.
    return tuple(sorted(flags, key=lambda flag: flag.interviewer_id is not None))


# ---------------------------------------------------------------------------------------------
# The plan of a search: offsets of the stages and the window of allowed loop starts.


@dataclass(frozen=True)
class _Plan:
    offsets: tuple[int, ...]  # seconds from the loop start to each stage's start
    durations: tuple[int, ...]
    total: int  # seconds from the loop start to the last stage's end
    earliest_start: int  # loop starts allowed in [earliest_start, latest_start)
    latest_start: int


def _offsets(durations: Sequence[int], gap: int) -> list[int]:
    """Return each stage's start, in seconds after the loop's start, stages back to back."""
    offsets, offset = [], 0
    for duration in durations:
        offsets.append(offset)
        offset += duration + gap
    return offsets


def loop_times(durations: Sequence[timedelta], start_at: datetime,
               break_between: timedelta = timedelta(0)) -> list[tuple[datetime, datetime]]:
    """Return each stage's ``[start, end)`` when a loop of *durations* starts at *start_at*."""
    seconds = [_seconds(d) for d in durations]
    return [(start_at + timedelta(seconds=offset), start_at + timedelta(seconds=offset + length))
            for offset, length in zip(_offsets(seconds, _seconds(break_between)), seconds)]


def _last_rank(calendar: InterviewerCalendar) -> int:
    """Rank of the last interview for fairness: never interviewed comes before any instant."""
    if calendar.last_interviewed_at is None:
        return _NEVER
    return iv.to_epoch(calendar.last_interviewed_at)


def fairness_key(calendar: InterviewerCalendar, start_at: datetime) -> tuple[int, int, int]:
    """Return the panel-choice rank for a slot at *start_at* (lower goes first).

    Interviews in the interviewer's local Monday–Sunday week of the slot, then the last
    interview (never first), then the id: the order the sweep uses to pick panels.
    """
    week = av.week_start(av.local_date(calendar.zone, iv.to_epoch(start_at)))
    return (av.interviews_per_week(calendar).get(week, 0), _last_rank(calendar),
            calendar.interviewer_id)


def _plan(stages: list[StageRequest], now: datetime, break_between: timedelta) -> _Plan:
    now_epoch = iv.to_epoch(now)
    durations = [_seconds(stage.duration) for stage in stages]
    offsets = _offsets(durations, _seconds(break_between))
    # Each stage's own notice and horizon apply to that stage's start.
    earliest = max(now_epoch + _seconds(s.min_notice) - o for s, o in zip(stages, offsets))
    latest = min(now_epoch + _seconds(s.horizon) - o for s, o in zip(stages, offsets))
    return _Plan(tuple(offsets), tuple(durations), offsets[-1] + durations[-1], earliest, latest)


def _seconds(delta: timedelta) -> int:
    return int(delta.total_seconds())


def _by_id(calendars) -> dict[int, InterviewerCalendar]:
    values = calendars.values() if isinstance(calendars, Mapping) else calendars
    return {calendar.interviewer_id: calendar for calendar in values}


def _candidate_hours(stage: StageRequest, start: int, end: int) -> list[Interval]:
    window = av.seconds_of_day(stage.candidate_day_start, stage.candidate_day_end)
    return av.daily_intervals(stage.candidate_zone, av.local_days(stage.candidate_zone, start, end),
                              lambda day: (window,))


def _candidate_busy(stage: StageRequest) -> list[Interval]:
    """Return the candidate's own busy time as an interval list."""
    return iv.merge((iv.to_epoch(start), iv.to_epoch(end)) for start, end in stage.candidate_busy)


def _grid_starts(zone: str, step: int, ranges: list[tuple[int, int]]) -> list[int]:
    """Return the grid start times (see module docstring) inside closed *ranges*, ascending."""
    if not ranges:
        return []
    starts: list[int] = []
    per_day = range(0, av.DAY_SECONDS, step)
    index = 0
    for day in av.local_days(zone, ranges[0][0], ranges[-1][1] + 1):
        for seconds in per_day:
            start = av.existing_wall_clock_epoch(zone, day, seconds)
            if start is None:
                continue  # a wall time inside a spring-forward gap is not offered
            while index < len(ranges) and ranges[index][1] < start:
                index += 1
            if index == len(ranges):
                return starts
            if start >= ranges[index][0]:
                starts.append(start)
    return starts


def _interviewer_problems(calendar: InterviewerCalendar, stage: StageRequest, index: int,
                          start: int, end: int) -> list[SlotProblem]:
    """Return why one interviewer cannot sit ``[start, end)``: the same layers as the search."""
    who = calendar.interviewer_id
    problems = []
    if not iv.covers(av.working_intervals(calendar, start, end), start, end):
        problems.append(SlotProblem("outside_working_hours", index, who))
    busy = av.busy_intervals(calendar, start, end, _seconds(stage.buffer_before),
                             _seconds(stage.buffer_after))
    if iv.overlaps(busy, start, end):
        problems.append(SlotProblem("busy", index, who))
    if iv.overlaps(av.day_cap_intervals(calendar), start, end):
        problems.append(SlotProblem("daily_cap", index, who))
    if iv.overlaps(av.week_cap_intervals(calendar), start, end):
        problems.append(SlotProblem("weekly_cap", index, who))
    return problems


# ---------------------------------------------------------------------------------------------
# The search


class _StageState:
    """Sweep state of one stage: who could start now, sorted by fairness key."""

    def __init__(self, stage: StageRequest, offset: int, duration: int):
        self.stage = stage
        self.offset = offset
        self.duration = duration
        self.size = stage.panel_size
        self.is_senior_required = stage.is_senior_seat_required
        self.seniors = frozenset(stage.senior_ids)
        self.keys: dict[int, tuple[int, int, int]] = {}
        self.active: list[tuple[int, int, int]] = []  # fairness keys, ascending
        self.active_seniors: list[tuple[int, int, int]] = []
        self.is_active: set[int] = set()

    def add(self, who: int) -> None:
        key = self.keys[who]
        insort(self.active, key)
        if who in self.seniors:
            insort(self.active_seniors, key)
        self.is_active.add(who)

    def remove(self, who: int) -> None:
        key = self.keys[who]
        del self.active[bisect_left(self.active, key)]
        if who in self.seniors:
            del self.active_seniors[bisect_left(self.active_seniors, key)]
        self.is_active.discard(who)

    def rekey(self, who: int, count: int) -> None:
        was_active = who in self.is_active
        if was_active:
            self.remove(who)
        old = self.keys[who]
        self.keys[who] = (count, old[1], old[2])
        if was_active:
            self.add(who)

    def is_possible(self) -> bool:
        if len(self.active) < self.size:
            return False
        return not self.is_senior_required or bool(self.active_seniors)

    def first_panel(self, excluded: set[int]) -> tuple | None:
        """Return the first valid panel in fairness order, leaving out *excluded* ids."""
        if excluded:
            candidates = [key for key in self.active if key[2] not in excluded]
        else:
            candidates = self.active
        if len(candidates) < self.size:
            return None
        panel = candidates[:self.size]
        if not self.is_senior_required or any(key[2] in self.seniors for key in panel):
            return tuple(panel)
        for key in candidates[self.size:]:
            if key[2] in self.seniors:
                return tuple(panel[:-1]) + (key,)
        return None

    def panels_in_order(self, excluded: set[int]):
        """Yield every valid panel, in fairness order, leaving out *excluded* ids."""
        candidates = [key for key in self.active if key[2] not in excluded]
        for panel in combinations(candidates, self.size):
            if not self.is_senior_required or any(key[2] in self.seniors for key in panel):
                yield panel

    def alternatives(self, excluded: set[int]) -> int:
        """Count the valid panels other than the chosen one, leaving out *excluded* ids."""
        if excluded:
            available = len(self.is_active - excluded)
            seniors = len(self.is_active & self.seniors - excluded)
        else:
            available, seniors = len(self.active), len(self.active_seniors)
        total = comb(available, self.size)
        if self.is_senior_required:
            total -= comb(available - seniors, self.size)
        return max(total - 1, 0)


def _assign(states: list[_StageState], index: int, used: set[int]) -> list[tuple] | None:
    """Choose disjoint panels for stages *index*… (see "Loop" in the module docstring)."""
    if index == len(states):
        return []
    state = states[index]
    first = state.first_panel(used)
    if first is None:
        return None
    rest = _assign(states, index + 1, used | {key[2] for key in first})
    if rest is not None:
        return [first] + rest
    if index + 1 == len(states):
        return None
    # The fairest panel starves a later stage: try the others in order (first was the smallest).
    # Later stages only see which of their own candidates a panel takes, so a panel taking the
    # same ones as a panel that already failed fails too: skip it.
    later = set().union(*(states[n].is_active for n in range(index + 1, len(states))))
    failed = {frozenset(key[2] for key in first) & later}
    for panel in state.panels_in_order(used):
        ids = {key[2] for key in panel}
        taken = frozenset(ids & later)
        if taken in failed:
            continue
        rest = _assign(states, index + 1, used | ids)
        if rest is not None:
            return [panel] + rest
        failed.add(taken)
    return None


class _NormalDays:
    """Normal-day edges per local date for one zone and one weekly pattern (humane score)."""

    def __init__(self, zone: str, start: int, end: int, spans: Mapping[int, tuple[int, int]],
                 default: tuple[int, int]):
        self.zone = zone
        self.days = av.local_days(zone, start, end)
        self.midnights = _midnights(zone, self.days)
        self.spans = spans
        self.default = default
        self.edges: dict[int, tuple[int, int]] = {}  # day index -> (normal start, normal end)

    def margin(self, start: int, end: int) -> tuple[int, bool, bool]:
        """Return (margin in minutes, is early, is late) of ``[start, end)``."""
        index = bisect_right(self.midnights, start) - 1
        edges = self.edges.get(index)
        if edges is None:
            day = self.days[index]
            span_start, span_end = self.spans.get(day.weekday(), self.default)
            edges = (av.wall_clock_epoch(self.zone, day, span_start),
                     av.wall_clock_epoch(self.zone, day, span_end))
            self.edges[index] = edges
        normal_start, normal_end = edges
        return (min(start - normal_start, normal_end - end) // 60,
                start < normal_start, end > normal_end)


@lru_cache(maxsize=1024)
def _midnights(zone: str, days: tuple) -> tuple[int, ...]:
    return tuple(av.wall_clock_epoch(zone, day, 0) for day in days)


def _weekly_spans(calendar: InterviewerCalendar) -> tuple[tuple[int, tuple[int, int]], ...]:
    """Return, per weekday with windows, the span from the first start to the last end."""
    return tuple((weekday, (min(edge[0] for edge in windows), max(edge[1] for edge in windows)))
                 for weekday, windows in av.weekly_pattern(calendar))


def _search(stages: list[StageRequest], by_id: dict[int, InterviewerCalendar], now: datetime,
            break_between: timedelta) -> tuple[list[tuple[Slot, ...]], tuple[WorkdayWarning, ...]]:
    """Return, per loop start found, the slot of each stage; and the holiday-data warnings."""
    plan = _plan(stages, now, break_between)
    first = stages[0]
    lo, hi = plan.earliest_start, plan.latest_start
    if lo >= hi:
        return [], ()

    # Loop starts allowed by the candidate's hours and own busy time, notice and horizon.
    candidate_free = iv.subtract(_candidate_hours(first, lo, hi + plan.total),
                                 _candidate_busy(first))
    candidate_ranges = [
        (max(a, lo), min(b, hi - 1))
        for a, b in iv.start_ranges(candidate_free, plan.total)
        if a < hi and b >= lo]
    grid = _grid_starts(first.candidate_zone, first.step_minutes * 60, candidate_ranges)

    states = []
    events: list[tuple[int, int, int, int, int]] = []  # (time, kind, stage, who, week count)
    warnings: dict[tuple[str, int], WorkdayWarning] = {}
    shared_windows: dict = {}
    for index, stage in enumerate(stages):
        offset, duration = plan.offsets[index], plan.durations[index]
        state = _StageState(stage, offset, duration)
        states.append(state)
        if stage.panel_size == 0:
            continue
        missing = [who for who in stage.pool if who not in by_id]
        if missing:
            raise ValueError(f"no calendar for interviewers {missing}")
        range_start, range_end = lo + offset, hi + offset + duration
        for who in sorted(set(stage.pool)):
            calendar = by_id[who]
            last = _last_rank(calendar)
            first_day = av.local_date(calendar.zone, range_start) - timedelta(days=1)
            last_day = av.local_date(calendar.zone, range_end)
            for warning in calendar.workdays.warnings(first_day, last_day):
                warnings.setdefault((warning.calendar_key, warning.year), warning)
            free = av.free_intervals(calendar, range_start, range_end,
                                     _seconds(stage.buffer_before), _seconds(stage.buffer_after),
                                     shared_windows)
            ranges = iv.start_ranges(free, duration)
            if not ranges:
                continue
            for a, b in ranges:
                events.append((a - offset, 1, index, who, 0))
                events.append((b + 1 - offset, 0, index, who, 0))
            # The fairness key changes at each of the interviewer's local Monday midnights.
            per_week = av.interviews_per_week(calendar)
            days = av.local_days(calendar.zone, range_start, range_end)
            mondays = [av.week_start(days[0]) + timedelta(weeks=n)
                       for n in range((days[-1] - av.week_start(days[0])).days // 7 + 1)]
            state.keys[who] = (per_week.get(mondays[0], 0), last, who)
            for monday in mondays[1:]:
                boundary = av.wall_clock_epoch(calendar.zone, monday, 0)
                events.append((boundary - offset, 2, index, who, per_week.get(monday, 0)))
    events.sort()

    humane_default = av.seconds_of_day(first.humane_day_start, first.humane_day_end)
    candidate_days = _NormalDays(first.candidate_zone, lo, hi + plan.total, {}, humane_default)
    by_person: dict[tuple[int, int], _NormalDays] = {}
    # Interviewers in one zone with one weekly pattern share their normal days.
    by_pattern: dict[tuple, _NormalDays] = {}

    def humane(index: int, who: int | None, start: int, end: int):
        if who is None:
            return candidate_days.margin(start, end)
        days = by_person.get((index, who))
        if days is None:
            calendar = by_id[who]
            pattern = (index, calendar.zone, _weekly_spans(calendar))
            days = by_pattern.get(pattern)
            if days is None:
                state = states[index]
                days = _NormalDays(calendar.zone, lo + state.offset,
                                   hi + state.offset + state.duration, dict(pattern[2]),
                                   humane_default)
                by_pattern[pattern] = days
            by_person[(index, who)] = days
        return days.margin(start, end)

    found = []
    position = 0
    n_events = len(events)
    for start in grid:
        while position < n_events and events[position][0] <= start:
            _time, kind, index, who, count = events[position]
            if kind == 1:
                states[index].add(who)
            elif kind == 0:
                states[index].remove(who)
            else:
                states[index].rekey(who, count)
            position += 1
        if not all(state.is_possible() for state in states):
            continue
        panels = _assign(states, 0, set())
        if panels is None:
            continue
        found.append(_stage_slots(states, panels, start, humane))
    return found, tuple(warnings[key] for key in sorted(warnings))


def _stage_slots(states: list[_StageState], panels: list[tuple], start: int,
                 humane) -> tuple[Slot, ...]:
    """Build the slot of each stage for a loop start with its chosen panels."""
    chosen = [sorted(key[2] for key in panel) for panel in panels]
    slots = []
    for index, state in enumerate(states):
        slot_start = start + state.offset
        slot_end = slot_start + state.duration
        score, is_early, is_late = humane(index, None, slot_start, slot_end)
        flags = []
        if is_early:
            flags.append(_CANDIDATE_EARLY)
        if is_late:
            flags.append(_CANDIDATE_LATE)
        for who in chosen[index]:
            margin, is_early, is_late = humane(index, who, slot_start, slot_end)
            if margin < score:
                score = margin
            if is_early:
                flags.append(HumaneFlag(EARLY, who))
            if is_late:
                flags.append(HumaneFlag(LATE, who))
        if not state.size:
            alternatives = 0
        elif len(states) == 1:
            alternatives = state.alternatives(set())
        else:
            alternatives = state.alternatives(
                {who for other, ids in enumerate(chosen) if other != index for who in ids})
        slots.append(Slot(iv.from_epoch(slot_start), iv.from_epoch(slot_end), tuple(chosen[index]),
                          alternatives, score, tuple(flags)))
    return tuple(slots)
