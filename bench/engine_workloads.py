"""Engine-only workloads: synthetic teams across zones, timed on the pure slot engine.

Every input is generated from a fixed seed around a fixed ``NOW`` (Monday 2027-03-01 UTC, so
the 28-day horizon crosses both the US and the EU daylight-saving changes and China's 2027
schedule is the estimated one). Each run rebuilds the office workday calendars, as a request
would, so per-calendar memos never carry over between runs; process-wide caches (holiday data
per year, local midnights per zone and date) stay warm, as they do in a long-running worker.

The engine's input is what the service hands it: where the domain takes busy time prepared
(``InterviewerCalendar.busy_seconds``, issue 23), :func:`engine_input` prepares it before the
timing, as ``load_calendars`` does when it loads the rows; an older domain gets the datetimes.
The same module thus times any revision (``python -m bench.compare REV``).

The floor of a workload here is converting every busy interval it reads to epoch seconds
(``bench.compare``'s floor reads them from database rows, as a request does).
"""
from __future__ import annotations

import dataclasses
import random
from functools import lru_cache
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bench.registry import Prepared, Workload, register
from scheduler.domain import availability
from scheduler.domain.availability import DateOverride, InterviewerCalendar
from scheduler.domain.intervals import to_epoch
from scheduler.domain.slots import StageRequest, find_loop_slots, find_slots
from scheduler.domain.workdays import WorkdayCalendar

NOW = datetime(2027, 3, 1, tzinfo=timezone.utc)
SEED = 20270301

# Eight zones, each with its office's holiday calendar key.
OFFICES = [
    ("Asia/Shanghai", "CN"), ("Europe/London", "GB-ENG"), ("America/Los_Angeles", "US-CA"),
    ("Asia/Singapore", "SG"), ("America/New_York", "US-NY"), ("Europe/Berlin", "DE"),
    ("Asia/Tokyo", "JP"), ("Asia/Kolkata", "IN"),
]
WINDOW_PATTERNS = [
    [(time(9, 30), time(18, 30))],
    [(time(9), time(17))],
    [(time(9), time(12)), (time(13), time(18))],
    [(time(10), time(19))],
]
DAILY_CAP = 2
WEEKLY_CAP = 6


@dataclasses.dataclass(frozen=True)
class Team:
    """Generated interviewer calendars plus how many busy intervals they hold."""

    calendars: tuple[InterviewerCalendar, ...]
    busy_intervals: int
    name: str = ""


def make_team(size: int, days: int, busy_total: int, seed: int = SEED) -> Team:
    """Generate *size* interviewers over *days* days with about *busy_total* busy intervals."""
    rng = random.Random(seed)
    calendars = []
    total = 0
    per_person = busy_total // size
    for who in range(size):
        zone_name, office = OFFICES[who % len(OFFICES)]
        zone = ZoneInfo(zone_name)
        pattern = WINDOW_PATTERNS[rng.randrange(len(WINDOW_PATTERNS))]
        weekly = {weekday: list(pattern) for weekday in range(5)}
        booked = []
        for _ in range(rng.randrange(0, 9)):
            day = NOW.date() + timedelta(days=rng.randrange(days))
            start = datetime.combine(day, time(rng.randrange(10, 17)), zone)
            booked.append((start.astimezone(timezone.utc),
                           (start + timedelta(hours=1)).astimezone(timezone.utc)))
        busy = []
        for _ in range(per_person - len(booked)):
            day = NOW.date() + timedelta(days=rng.randrange(-1, days + 1))
            start = datetime.combine(day, time(8), zone) + timedelta(minutes=15 * rng.randrange(44))
            length = timedelta(minutes=rng.choice((30, 30, 45, 60, 60, 90, 120)))
            busy.append((start.astimezone(timezone.utc), (start + length).astimezone(timezone.utc)))
        overrides = []
        if rng.random() < 0.1:
            overrides.append(DateOverride(NOW.date() + timedelta(days=rng.randrange(days)), True))
        if rng.random() < 0.1:
            saturday = NOW.date() + timedelta(days=5 + 7 * rng.randrange(days // 7))
            overrides.append(DateOverride(saturday, False, time(10), time(14)))
        last = None if rng.random() < 0.2 else NOW - timedelta(hours=rng.randrange(1, 24 * 30))
        calendars.append(InterviewerCalendar(
            interviewer_id=who, zone=zone_name, weekly_windows=weekly,
            workdays=WorkdayCalendar(office), date_overrides=tuple(overrides), busy=tuple(busy),
            booked_interviews=tuple(booked), daily_cap=DAILY_CAP, weekly_cap=WEEKLY_CAP,
            last_interviewed_at=last))
        total += len(busy) + len(booked)
    return Team(tuple(calendars), total)


@lru_cache(maxsize=1)
def takes_prepared_busy() -> bool:
    """Tell whether this revision's domain takes busy time prepared (``busy_seconds``)."""
    return any(field.name == "busy_seconds" for field in dataclasses.fields(InterviewerCalendar))


def engine_input(calendars) -> list[InterviewerCalendar]:
    """Return the calendars as this revision's service hands them to the engine (the adapter)."""
    if not takes_prepared_busy():
        return list(calendars)
    return [dataclasses.replace(calendar, busy_seconds=availability.prepare_busy(calendar.busy))
            for calendar in calendars]


def fresh_workdays(calendars) -> list[InterviewerCalendar]:
    """Return the calendars with new office workday calendars, as a new request would build."""
    offices = {key: WorkdayCalendar(key) for _zone, key in OFFICES}
    return [dataclasses.replace(calendar, workdays=offices[calendar.workdays.key])
            for calendar in calendars]


def _floor(calendars):
    def load_busy():
        return [[(to_epoch(start), to_epoch(end))
                 for start, end in calendar.busy + calendar.booked_interviews]
                for calendar in calendars]
    return load_busy


def _source(team: Team, calendars) -> tuple[str, tuple[int, ...]]:
    return team.name, tuple(calendar.interviewer_id for calendar in calendars)


def _count_busy(calendars) -> int:
    return sum(len(c.busy) + len(c.booked_interviews) for c in calendars)


def stage(panel_size: int, pool, *, seniors=(), minutes: int = 60, days: int = 28) -> StageRequest:
    """Return a stage request with the demo's defaults (Shanghai candidate, 28-day horizon)."""
    return StageRequest(
        duration=timedelta(minutes=minutes), panel_size=panel_size, pool=tuple(pool),
        senior_ids=frozenset(seniors), is_senior_seat_required=bool(seniors),
        buffer_before=timedelta(minutes=10), buffer_after=timedelta(minutes=10),
        min_notice=timedelta(hours=24), horizon=timedelta(days=days), step_minutes=30,
        candidate_zone="Asia/Shanghai")


def single_stage(team: Team, request: StageRequest) -> Prepared:
    """Prepare a one-stage search over the calendars of the request's pool."""
    calendars = [c for c in team.calendars if c.interviewer_id in set(request.pool)]
    given = engine_input(calendars)

    def run() -> int:
        return len(find_slots(request, fresh_workdays(given), NOW).slots)
    return Prepared(run, _floor(calendars), _count_busy(calendars), _source(team, calendars))


def loop(team: Team, stages, break_minutes: int = 15) -> Prepared:
    """Prepare a loop search over the union of the stages' pools."""
    wanted = set().union(*(set(s.pool) for s in stages))
    calendars = [c for c in team.calendars if c.interviewer_id in wanted]
    given = engine_input(calendars)

    def run() -> int:
        return len(find_loop_slots(stages, fresh_workdays(given), NOW,
                                   timedelta(minutes=break_minutes)).slots)
    return Prepared(run, _floor(calendars), _count_busy(calendars), _source(team, calendars))


# name: (interviewers, days, busy intervals)
TEAMS = {"S": (10, 14, 400), "M": (50, 28, 4000), "L": (200, 28, 16000), "XL": (400, 28, 32000)}
_TEAMS: dict[str, Team] = {}


def team(name: str) -> Team:
    """Return the generated team S, M, L or XL (built once per process)."""
    if name not in _TEAMS:
        size, days, busy = TEAMS[name]
        _TEAMS[name] = dataclasses.replace(make_team(size, days, busy), name=name)
    return _TEAMS[name]


def _asian(count: int, size: int = 200) -> list[int]:
    """Return the first *count* ids in zones from Kolkata to Tokyo (so panels can overlap)."""
    return [who for who in range(size) if who % len(OFFICES) in (0, 3, 6, 7)][:count]


def _s_any1():
    return single_stage(team("S"), stage(1, range(10), minutes=30, days=14))


def _m_any1():
    return single_stage(team("M"), stage(1, range(50)))


def _m_all3():
    return single_stage(team("M"), stage(3, (0, 3, 8)))


def _m_2of8():
    pool = _asian(8, 50)
    return single_stage(team("M"), stage(2, pool, seniors=pool[::2]))


def _l_any1():
    return single_stage(team("L"), stage(1, range(200)))


def _xl_any1():
    return single_stage(team("XL"), stage(1, range(400)))


def _loop(size: int):
    def prepare():
        first_pool = _asian(size)
        second_pool = _asian(size + size // 2)[size // 2:]  # overlaps half of the first pool
        stages = [stage(2, first_pool, seniors=first_pool[::3]), stage(1, second_pool)]
        return loop(team("L"), stages)
    return prepare


register(Workload("S any-1", "10 interviewers, 14 days, 1 of 10, 30 min", _s_any1))
register(Workload("M any-1", "50 interviewers in 8 zones, 28 days, 1 of 50", _m_any1, 30))
register(Workload("M all-3", "50 interviewers, 28 days, all 3 of 3", _m_all3, 30))
register(Workload("M 2-of-8 caps", "50 interviewers, 28 days, 2 of 8 with a senior seat, caps",
                  _m_2of8, 30))
register(Workload("L any-1", "200 interviewers in 8 zones, 28 days, 1 of 200", _l_any1, 120,
                  compare_to="M any-1"))
register(Workload("XL any-1", "400 interviewers in 8 zones, 28 days, 1 of 400", _xl_any1, 240,
                  compare_to="L any-1"))
register(Workload("loop 8", "200-person team; 2 of 8 (senior) then 1 of 8, 15 min break",
                  _loop(8), 500))
register(Workload("loop 20", "200-person team; 2 of 20 (senior) then 1 of 20, 15 min break",
                  _loop(20), 500))
