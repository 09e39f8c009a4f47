"""Bookable slots for an interview stage (or a loop of stages), each with a fair panel.

Inputs are plain dataclasses: a :class:`StageRequest` per stage, an
:class:`~scheduler.domain.availability.InterviewerCalendar` per interviewer, and ``now``.

How a search works (DESIGN.md §5):

1. The grid: the candidate's possible start times (see **Grid** below), each a bit position.
2. Per stage and qualified interviewer, one big integer over the grid
   (:mod:`scheduler.domain.grid`): bit *j* set when the interview started at the *j*-th grid
   time lies inside the interviewer's working time on a workday and clear of their busy time
   widened by the stage's buffers and of local days/weeks at cap
   (:mod:`scheduler.domain.availability`). Working time becomes a mask once per zone, weekly
   pattern and office calendar; each busy interval costs a division and a lookup.
3. The panel: interviewers in fairness order (their rank changes only at their local Monday
   midnights, so each enters the order once per stretch of weeks with one rank), reading per
   grid time the first free ones with a few integer operations per interviewer; the number of
   alternatives comes from per-bit counts kept as bit slices. A loop whose fairest panels
   collide falls back, at that start only, to the backtracking search below.

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

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import chain, combinations
from functools import lru_cache
from math import comb
from typing import Iterable, Mapping, Sequence

from scheduler.domain import availability as av
from scheduler.domain import intervals as iv
from scheduler.domain.availability import InterviewerCalendar
from scheduler.domain.grid import BitCounter, Grid, first_free, positions
from scheduler.domain.intervals import Interval
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
        if self.buffer_before < timedelta(0) or self.buffer_after < timedelta(0):
            # Busy time is prepared merged: widening it by buffers is exact only when they are >= 0.
            raise ValueError("buffers must not be negative")
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
    return SlotSearch(tuple(_loop_slot(slots) for slots in found), warnings)


def slot_at(stages: Sequence[StageRequest], calendars: Iterable[InterviewerCalendar] | Mapping,
            start_at: datetime, now: datetime, break_between: timedelta = timedelta(0)
            ) -> Slot | LoopSlot | None:
    """Return the option a search offers at exactly *start_at*, or None when it offers none.

    The option is the one ``find_slots`` (one stage: a Slot) or ``find_loop_slots`` (a LoopSlot)
    returns for that start — same panel, alternatives, humane score and flags — found by the
    same sweep over a grid of that one start, so a booking need not search the whole horizon.
    """
    if not stages:
        raise ValueError("a loop needs at least one stage")
    found, _ = _search(list(stages), _by_id(calendars), now, break_between,
                       only_start=iv.to_epoch(start_at))
    if not found:
        return None
    return found[0][0] if len(stages) == 1 else _loop_slot(found[0])


def _loop_slot(slots: tuple[Slot, ...]) -> LoopSlot:
    flags = tuple(dict.fromkeys(flag for slot in slots for flag in slot.flags))
    return LoopSlot(slots[0].start_at, slots[-1].end_at, slots,
                    min(slot.humane_score for slot in slots), flags)


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
    per_day = range(0, av.DAY_SECONDS, step)
    every: list[int] = []  # ascending: first occurrences, wall times in a gap left out
    for day in av.local_days(zone, ranges[0][0], ranges[-1][1] + 1):
        every += av.existing_wall_clock_epochs(zone, day, per_day)
    starts: list[int] = []
    for low, high in ranges:
        starts += every[bisect_left(every, low):bisect_right(every, high)]
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
    """The people free for one stage at one start, in fairness order (the slow path of a loop)."""

    def __init__(self, size: int, is_senior_required: bool, seniors: frozenset[int],
                 active: list[tuple[int, int, int]]):
        self.size = size
        self.is_senior_required = is_senior_required
        self.seniors = seniors
        self.active = active  # fairness keys, ascending
        self.active_seniors = [key for key in active if key[2] in seniors]
        self.is_active = {key[2] for key in active}

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
        available = len(self.is_active - excluded)
        seniors = len(self.is_active & self.seniors - excluded)
        return _alternatives(self.size, self.is_senior_required, available, seniors)


def _alternatives(size: int, is_senior_required: bool, available: int, seniors: int) -> int:
    """Count valid panels of *size* from *available* people (*seniors* of them), less one."""
    total = comb(available, size)
    if is_senior_required:
        total -= comb(available - seniors, size)
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


class _Lane:
    """One stage of a search over the grid: who is free at each start, and in what order.

    *masks* maps each pool member free at some start to their grid mask; *order* holds
    ``(week count, last interview rank, id, mask)`` in fairness order, one entry per stretch of
    the member's local weeks with the same count (masks cut to those weeks), so at any start
    the entries whose mask has that bit list the free people in fairness order.
    """

    def __init__(self, stage: StageRequest, offset: int, duration: int, depth: int):
        self.stage = stage
        self.offset = offset
        self.duration = duration
        self.size = stage.panel_size
        self.is_senior_required = stage.is_senior_seat_required
        self.seniors = frozenset(stage.senior_ids)
        self.depth = depth  # people read per start: the panel plus everyone earlier stages take
        self.masks: dict[int, int] = {}
        self.order: list[tuple[int, int, int, int]] = []
        self.counts = BitCounter()
        self.senior_counts = BitCounter()
        self.picks: dict[int, list[int]] = {}
        self.senior_picks: dict[int, list[int]] = {}
        self.count_at: dict[int, int] = {}
        self.senior_count_at: dict[int, int] = {}

    def add(self, who: int, mask: int, last: int, weeks: list[tuple[int, int]]) -> None:
        """Add a pool member free at *mask*, with the count of each stretch of weeks."""
        self.masks[who] = mask
        self.counts.add(mask)
        if who in self.seniors:
            self.senior_counts.add(mask)
        if len(weeks) == 1:
            self.order.append((weeks[0][0], last, who, mask))
            return
        for count, span in weeks:
            if mask & span:
                self.order.append((count, last, who, mask & span))

    def settle(self, grid: Grid) -> int:
        """Read the first people free at each start; return the starts this stage can take."""
        self.order.sort()
        union = 0
        for mask in self.masks.values():
            union |= mask
        self.picks, reached = first_free(self.order, self.depth, union)
        possible = reached[self.size - 1]
        if self.is_senior_required:
            seniors = [entry for entry in self.order if entry[2] in self.seniors]
            senior_union = 0
            for entry in seniors:
                senior_union |= entry[3]
            self.senior_picks, _ = first_free(seniors, self.depth - self.size + 1, senior_union)
            possible &= senior_union
        return possible

    def count(self, bits: list[int]) -> None:
        """Count who is free (and how many seniors) at each of *bits*, for the alternatives."""
        self.count_at = dict(zip(bits, self.counts.values(bits)))
        if self.is_senior_required:
            self.senior_count_at = dict(zip(bits, self.senior_counts.values(bits)))

    def first_panel(self, bit: int, used: set[int]) -> list[int] | None:
        """Return the first valid panel at *bit* leaving out *used* (as _StageState.first_panel).

        Exact because *depth* people were read: leaving out at most ``depth − size`` of them
        still leaves the first ``size`` of the rest, and likewise for the seniors.
        """
        people = self.picks.get(bit, ())
        if used:
            people = [who for who in people if who not in used]
        elif not self.is_senior_required:
            return people[:self.size]
        if len(people) < self.size:
            return None
        panel = list(people[:self.size])
        if self.is_senior_required:
            senior = next((who for who in self.senior_picks.get(bit, ()) if who not in used), None)
            if senior is None:
                return None
            if senior not in panel:
                panel[-1] = senior
        return panel

    def alternatives(self, bit: int, excluded: Iterable[int]) -> int:
        """Count the other valid panels at *bit*, leaving out *excluded* ids."""
        available = self.count_at[bit]
        seniors = self.senior_count_at[bit] if self.is_senior_required else 0
        for who in excluded:
            mask = self.masks.get(who)
            if mask is not None and mask >> bit & 1:
                available -= 1
                if who in self.seniors:
                    seniors -= 1
        return _alternatives(self.size, self.is_senior_required, available, seniors)

    def state(self, bit: int) -> _StageState:
        """Return who is free at *bit*, in fairness order, for the backtracking search."""
        active = [entry[:3] for entry in self.order if entry[3] >> bit & 1]
        return _StageState(self.size, self.is_senior_required, self.seniors, active)


def _search(stages: list[StageRequest], by_id: dict[int, InterviewerCalendar], now: datetime,
            break_between: timedelta, only_start: int | None = None
            ) -> tuple[list[tuple[Slot, ...]], tuple[WorkdayWarning, ...]]:
    """Return, per loop start found, the slot of each stage; and the holiday-data warnings.

    With *only_start* (epoch seconds) the range of starts is that one instant: every layer
    (grid, working time, busy, caps, fairness weeks, humane days) is computed from the days
    around it, so the slot found there is the one the whole search finds there.
    """
    plan = _plan(stages, now, break_between)
    first = stages[0]
    lo, hi = plan.earliest_start, plan.latest_start
    if only_start is not None:
        lo, hi = max(lo, only_start), min(hi, only_start + 1)
    if lo >= hi:
        return [], ()

    # Loop starts allowed by the candidate's hours and own busy time, notice and horizon.
    candidate_free = iv.subtract(_candidate_hours(first, lo, hi + plan.total),
                                 _candidate_busy(first))
    candidate_ranges = [
        (max(a, lo), min(b, hi - 1))
        for a, b in iv.start_ranges(candidate_free, plan.total)
        if a < hi and b >= lo]
    grid = Grid(_grid_starts(first.candidate_zone, first.step_minutes * 60, candidate_ranges))

    lanes = []
    warnings: dict[tuple[str, int], WorkdayWarning] = {}
    memo = _SearchMemo()
    taken_before = 0  # seats of the earlier stages: the most a stage's first panel must skip
    for index, stage in enumerate(stages):
        offset, duration = plan.offsets[index], plan.durations[index]
        lane = _Lane(stage, offset, duration, stage.panel_size + taken_before)
        lanes.append(lane)
        taken_before += stage.panel_size
        if stage.panel_size == 0:
            continue
        missing = [who for who in stage.pool if who not in by_id]
        if missing:
            raise ValueError(f"no calendar for interviewers {missing}")
        range_start, range_end = lo + offset, hi + offset + duration
        for who in sorted(set(stage.pool)):
            calendar = by_id[who]
            for warning in memo.warnings(calendar, range_start, range_end):
                warnings.setdefault((warning.calendar_key, warning.year), warning)
            if grid.size:
                _add_member(lane, calendar, grid, memo, index, range_start, range_end)
    warnings_found = tuple(warnings[key] for key in sorted(warnings))
    if not grid.size:
        return [], warnings_found

    bookable = grid.all
    for lane in lanes:
        if lane.size:
            bookable &= lane.settle(grid)
    if not bookable:
        return [], warnings_found

    humane = _Humane(first, by_id, lanes, lo, hi)
    found = []
    is_loop = len(lanes) > 1
    bits = positions(bookable)
    for lane in lanes:
        if lane.size:
            lane.count(bits)
    if not is_loop:
        lane = lanes[0]
        starts = grid.starts
        if not lane.size:
            return [_stage_slots(lanes, [[]], [0], starts[bit], humane) for bit in bits], \
                warnings_found
        for bit in bits:
            found.append(_stage_slots(lanes, [sorted(lane.first_panel(bit, ()))],
                                      [lane.alternatives(bit, ())], starts[bit], humane))
        return found, warnings_found
    for bit in bits:
        panels: list[list[int]] | None = []
        used: set[int] = set()
        for lane in lanes:
            panel = lane.first_panel(bit, used) if lane.size else []
            if panel is None:
                panels = None
                break
            panels.append(panel)
            used.update(panel)
        if panels is None:
            if not is_loop:
                continue
            # The fairest panel of a stage starves a later one: back to the full search.
            states = [lane.state(bit) for lane in lanes]
            assigned = _assign(states, 0, set())
            if assigned is None:
                continue
            chosen = [sorted(key[2] for key in panel) for panel in assigned]
            alternatives = [state.alternatives({who for other, ids in enumerate(chosen)
                                                if other != index for who in ids})
                            if state.size else 0 for index, state in enumerate(states)]
        else:
            chosen = [sorted(panel) for panel in panels]
            alternatives = [lane.alternatives(bit, [who for other, ids in enumerate(chosen)
                                                    if other != index for who in ids])
                            if lane.size else 0 for index, lane in enumerate(lanes)]
        found.append(_stage_slots(lanes, chosen, alternatives, grid.starts[bit], humane))
    return found, warnings_found


class _SearchMemo:
    """What interviewers of one search share: working-time masks per zone, weekly pattern and
    office calendar; local week boundaries per zone; holiday-data warnings per office."""

    def __init__(self):
        self.windows: dict = {}  # av.working_intervals' shared expansions
        self.working: dict = {}
        self.weeks: dict = {}
        self.days: dict = {}
        self.warned: dict = {}

    def local_range(self, zone: str, start: int, end: int) -> tuple[date, date]:
        """Return the local dates whose holiday data a range needs (as the warnings read it)."""
        key = (zone, start, end)
        days = self.days.get(key)
        if days is None:
            days = (av.local_date(zone, start) - timedelta(days=1), av.local_date(zone, end))
            self.days[key] = days
        return days

    def warnings(self, calendar: InterviewerCalendar, start: int, end: int) -> list:
        """Return the office calendar's warnings for the dates a range needs."""
        first_day, last_day = self.local_range(calendar.zone, start, end)
        key = (calendar.workdays, first_day, last_day)
        found = self.warned.get(key)
        if found is None:
            found = calendar.workdays.warnings(first_day, last_day)
            self.warned[key] = found
        return found

    def week_spans(self, zone: str, grid: Grid, index: int, offset: int, start: int,
                   end: int) -> tuple[list[date], list[int]]:
        """Return the local Mondays of a stage's range and the grid mask of each week."""
        key = (zone, index)
        weeks = self.weeks.get(key)
        if weeks is None:
            days = av.local_days(zone, start, end)
            first_monday = av.week_start(days[0])
            mondays = [first_monday + timedelta(weeks=n)
                       for n in range((days[-1] - first_monday).days // 7 + 1)]
            # A start belongs to a week from its stage's start at that local Monday's midnight.
            edges = [0] + [grid.count_before(av.wall_clock_epoch(zone, monday, 0) - offset)
                           for monday in mondays[1:]] + [grid.size]
            weeks = (mondays, [grid.span(edges[n], edges[n + 1]) for n in range(len(mondays))])
            self.weeks[key] = weeks
        return weeks


def _add_member(lane: _Lane, calendar: InterviewerCalendar, grid: Grid, memo: _SearchMemo,
                index: int, start: int, end: int) -> None:
    """Put one pool member's grid mask (working − busy with buffers − caps) into *lane*."""
    offset, duration = lane.offset, lane.duration
    if calendar.date_overrides:
        working = grid.inside(av.working_intervals(calendar, start, end, memo.windows),
                              offset, duration)
    else:
        # Same zone, office calendar and windows: the same working time.
        key = (index, calendar.zone, calendar.workdays,
               tuple(sorted((weekday, tuple(map(tuple, windows)))
                            for weekday, windows in calendar.weekly_windows.items() if windows)))
        working = memo.working.get(key)
        if working is None:
            working = grid.inside(av.working_intervals(calendar, start, end, memo.windows),
                                  offset, duration)
            memo.working[key] = working
    if not working:
        return
    stage = lane.stage
    before = _seconds(stage.buffer_before)
    after = _seconds(stage.buffer_after)
    # A start g is blocked by busy [b, c) when b − buffer_after < g + offset + duration and
    # g + offset < c + buffer_before.
    reach, lag = after + offset + duration, before - offset
    blocked = grid.meeting_sorted(av.prepared_busy(calendar), reach, lag)
    per_day: dict[date, int] = {}
    if calendar.booked_interviews:
        booked = [(iv.to_epoch(start_at), iv.to_epoch(end_at))
                  for start_at, end_at in calendar.booked_interviews]
        blocked |= grid.meeting(booked, reach, lag)
        per_day = av.interviews_per_day(calendar)
    per_week = av.interviews_per_week(calendar, per_day)
    if per_day and (calendar.daily_cap is not None or calendar.weekly_cap is not None):
        caps = chain(av.day_cap_intervals(calendar, per_day),
                     av.week_cap_intervals(calendar, per_week))
        blocked |= grid.meeting(caps, offset + duration, -offset)
    mask = working & ~blocked
    if not mask:
        return
    mondays, spans = memo.week_spans(calendar.zone, grid, index, offset, start, end)
    weeks = []
    for monday, span in zip(mondays, spans):
        count = per_week.get(monday, 0)
        if weeks and weeks[-1][0] == count:
            weeks[-1] = (count, weeks[-1][1] | span)
        else:
            weeks.append((count, span))
    lane.add(calendar.interviewer_id, mask, _last_rank(calendar), weeks)


class _Humane:
    """The humane score and flags of slots: normal days shared per zone and weekly pattern."""

    def __init__(self, first: StageRequest, by_id: dict[int, InterviewerCalendar], lanes,
                 lo: int, hi: int):
        self.by_id = by_id
        self.lanes = lanes
        self.lo, self.hi = lo, hi
        self.default = av.seconds_of_day(first.humane_day_start, first.humane_day_end)
        total = lanes[-1].offset + lanes[-1].duration
        self.candidate = _NormalDays(first.candidate_zone, lo, hi + total, {}, self.default)
        self.by_person: dict[tuple[int, int], _NormalDays] = {}
        # Interviewers in one zone with one weekly pattern share their normal days.
        self.by_pattern: dict[tuple, _NormalDays] = {}
        self.durations = [timedelta(seconds=lane.duration) for lane in lanes]
        self.flags: dict[tuple[str, int], HumaneFlag] = {}  # one (immutable) flag per person

    def flag(self, kind: str, who: int) -> HumaneFlag:
        """Return the flag saying a slot is *kind* for interviewer *who*."""
        found = self.flags.get((kind, who))
        if found is None:
            found = self.flags[(kind, who)] = HumaneFlag(kind, who)
        return found

    def margin(self, index: int, who: int | None, start: int, end: int):
        """Return (margin in minutes, is early, is late) of ``[start, end)`` for one person."""
        if who is None:
            return self.candidate.margin(start, end)
        days = self.by_person.get((index, who))
        if days is None:
            calendar = self.by_id[who]
            pattern = (index, calendar.zone, _weekly_spans(calendar))
            days = self.by_pattern.get(pattern)
            if days is None:
                lane = self.lanes[index]
                days = _NormalDays(calendar.zone, self.lo + lane.offset,
                                   self.hi + lane.offset + lane.duration, dict(pattern[2]),
                                   self.default)
                self.by_pattern[pattern] = days
            self.by_person[(index, who)] = days
        return days.margin(start, end)


def _stage_slots(lanes: list[_Lane], chosen: list[list[int]], alternatives: list[int],
                 start: int, humane: _Humane) -> tuple[Slot, ...]:
    """Build the slot of each stage for a loop start with its chosen panels (ids ascending)."""
    slots = []
    for index, lane in enumerate(lanes):
        slot_start = start + lane.offset
        slot_end = slot_start + lane.duration
        score, is_early, is_late = humane.candidate.margin(slot_start, slot_end)
        flags = []
        if is_early:
            flags.append(_CANDIDATE_EARLY)
        if is_late:
            flags.append(_CANDIDATE_LATE)
        for who in chosen[index]:
            margin, is_early, is_late = humane.margin(index, who, slot_start, slot_end)
            if margin < score:
                score = margin
            if is_early:
                flags.append(humane.flag(EARLY, who))
            if is_late:
                flags.append(humane.flag(LATE, who))
        start_at = iv.from_epoch(slot_start)
        slots.append(Slot(start_at, start_at + humane.durations[index], tuple(chosen[index]),
                          alternatives[index], score, tuple(flags)))
    return tuple(slots)
