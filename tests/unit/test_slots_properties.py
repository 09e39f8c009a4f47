"""Property tests: the engine against a brute-force, minute-by-minute reference.

The reference shares no code with the engine beyond the input dataclasses and the office
workday calendars. It turns wall times into instants by scanning every minute and reading
its local time with ``datetime.fromtimestamp`` (a wall time starts at the first minute whose
local time reaches it: the first occurrence of a repeated time, the transition for a time in a
gap), treats availability as sets of minutes, and picks panels by enumerating every
combination.
"""
from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, time, timedelta, timezone
from itertools import combinations
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.domain.availability import DateOverride, InterviewerCalendar
from scheduler.domain.slots import StageRequest, check_slot, find_loop_slots, find_slots
from scheduler.domain.workdays import MAKEUP_WORKDAY, WorkdayCalendar

UTC = timezone.utc
MINUTE = 60
DAY = 86_400
ZONES = ["UTC", "Europe/London", "America/Los_Angeles", "Asia/Shanghai", "Asia/Kathmandu",
         "Australia/Lord_Howe"]
OFFICES = ["CN", "GB-ENG", "US-CA", "SG"]
# Half a day to a day before a clock change (Los Angeles, London, Lord Howe's half-hour
# shifts; spring and autumn), around 调休, and an ordinary week.
NOWS = [datetime(2027, 3, 13, 20, tzinfo=UTC), datetime(2027, 3, 27, 13, tzinfo=UTC),
        datetime(2027, 10, 2, 3, tzinfo=UTC), datetime(2027, 10, 30, 13, tzinfo=UTC),
        datetime(2027, 11, 6, 21, tzinfo=UTC), datetime(2027, 4, 3, 3, tzinfo=UTC),
        datetime(2026, 9, 29, 10, tzinfo=UTC), datetime(2026, 10, 8, 10, tzinfo=UTC),
        datetime(2027, 6, 14, 0, tzinfo=UTC)]
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def window_seconds(start: time, end: time) -> tuple[int, int]:
    start_s = start.hour * 3600 + start.minute * 60
    end_s = end.hour * 3600 + end.minute * 60
    return start_s, end_s + DAY if end_s <= start_s else end_s


class Reference:
    """Minute-by-minute model of the rules, over a scan from *first* to *last* (epoch seconds)."""

    def __init__(self, first: int, last: int):
        self.first = first - first % MINUTE
        self.minutes = range(self.first, last, MINUTE)
        self.zones: dict[str, tuple[list[int], list[datetime]]] = {}

    def _zone(self, zone: str):
        if zone not in self.zones:
            tz = ZoneInfo(zone)
            walls = [datetime.fromtimestamp(m, tz) for m in self.minutes]
            running, highest = [], None
            for wall in walls:
                naive = wall.replace(tzinfo=None, fold=0)
                highest = naive if highest is None or naive > highest else highest
                running.append(highest)
            self.zones[zone] = (running, walls)
        return self.zones[zone]

    def local(self, zone: str, minute: int) -> datetime:
        return self._zone(zone)[1][(minute - self.first) // MINUTE]

    def edge(self, zone: str, day: date, seconds: int) -> int:
        """The first minute whose local wall time reaches *seconds* after *day*'s midnight."""
        running, _ = self._zone(zone)
        target = datetime.combine(day, time(0)) + timedelta(seconds=seconds)
        return self.first + bisect_left(running, target) * MINUTE

    def dates(self, zone: str) -> list[date]:
        _, walls = self._zone(zone)
        first, last = walls[0].date(), walls[-1].date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def window_minutes(self, zone: str, windows_for_day) -> set[int]:
        minutes: set[int] = set()
        for day in self.dates(zone):
            for start, end in windows_for_day(day):
                start_s, end_s = window_seconds(start, end)
                minutes.update(range(self.edge(zone, day, start_s), self.edge(zone, day, end_s), MINUTE))
        return minutes

    def working(self, cal: InterviewerCalendar) -> set[int]:
        weekly = {d: list(w) for d, w in cal.weekly_windows.items() if w}
        makeup = next((weekly[d] for d in range(5) if d in weekly), [])

        def regular(day):
            info = cal.workdays.describe(day)
            if not info.is_workday:
                windows = []
            else:
                windows = weekly.get(day.weekday()) or (makeup if info.kind == MAKEUP_WORKDAY else [])
            return windows + [(o.start, o.end) for o in cal.date_overrides
                              if o.day == day and not o.is_time_off]

        def time_off(day):
            return [(o.start, o.end) for o in cal.date_overrides if o.day == day and o.is_time_off]
        return self.window_minutes(cal.zone, regular) - self.window_minutes(cal.zone, time_off)

    def candidate_minutes(self, request: StageRequest) -> set[int]:
        return self.window_minutes(request.candidate_zone,
                                   lambda day: [(request.candidate_day_start, request.candidate_day_end)])

    def is_grid(self, request: StageRequest, minute: int) -> bool:
        local = self.local(request.candidate_zone, minute)
        return local.fold == 0 and (local.hour * 60 + local.minute) % request.step_minutes == 0

    def counts(self, cal: InterviewerCalendar):
        per_day, per_week = {}, {}
        for start_at, _ in cal.booked_interviews:
            day = datetime.fromtimestamp(epoch(start_at), ZoneInfo(cal.zone)).date()
            monday = day - timedelta(days=day.weekday())
            per_day[day] = per_day.get(day, 0) + 1
            per_week[monday] = per_week.get(monday, 0) + 1
        return per_day, per_week

    def is_free(self, cal, working: set[int], request: StageRequest, start: int, end: int) -> bool:
        if any(m not in working for m in range(start, end, MINUTE)):
            return False
        before = int(request.buffer_before.total_seconds())
        after = int(request.buffer_after.total_seconds())
        for busy_start, busy_end in list(cal.busy) + list(cal.booked_interviews):
            if start < epoch(busy_end) + before and end > epoch(busy_start) - after:
                return False
        per_day, per_week = self.counts(cal)
        for m in range(start, end, MINUTE):
            day = self.local(cal.zone, m).date()
            if cal.daily_cap is not None and per_day.get(day, 0) >= cal.daily_cap:
                return False
            monday = day - timedelta(days=day.weekday())
            if cal.weekly_cap is not None and per_week.get(monday, 0) >= cal.weekly_cap:
                return False
        return True

    def fairness(self, cal: InterviewerCalendar, start: int):
        day = self.local(cal.zone, start).date()
        monday = day - timedelta(days=day.weekday())
        count = self.counts(cal)[1].get(monday, 0)
        last = epoch(cal.last_interviewed_at) if cal.last_interviewed_at else float("-inf")
        return (count, last, cal.interviewer_id)

    def valid_panels(self, request: StageRequest, free: list[int], excluded=frozenset()):
        people = [who for who in free if who not in excluded]
        return [set(c) for c in combinations(people, request.panel_size)
                if not request.is_senior_seat_required or set(c) & set(request.senior_ids)]


def loop_reference(stages, calendars, now, break_between):
    """Return [(start, [(panel, alternatives) per stage])] by brute force."""
    by_id = {c.interviewer_id: c for c in calendars}
    now_s = epoch(now)
    gap = int(break_between.total_seconds())
    offsets, offset = [], 0
    for stage in stages:
        offsets.append(offset)
        offset += int(stage.duration.total_seconds()) + gap
    total = offsets[-1] + int(stages[-1].duration.total_seconds())
    lo = max(now_s + int(s.min_notice.total_seconds()) - o for s, o in zip(stages, offsets))
    hi = min(now_s + int(s.horizon.total_seconds()) - o for s, o in zip(stages, offsets))
    # Scan from two days before now (overnight windows, local dates) to two days past the end.
    ref = Reference(now_s - 2 * DAY, hi + total + 2 * DAY)
    first = stages[0]
    candidate = ref.candidate_minutes(first)
    working = {who: ref.working(cal) for who, cal in by_id.items()}
    found = []
    for start in range(lo + (-lo) % MINUTE, hi, MINUTE):
        if not ref.is_grid(first, start):
            continue
        if any(m not in candidate for m in range(start, start + total, MINUTE)):
            continue
        free_per_stage, options = [], []
        for stage, stage_offset in zip(stages, offsets):
            s = start + stage_offset
            e = s + int(stage.duration.total_seconds())
            free_per_stage.append([who for who in sorted(set(stage.pool))
                                   if ref.is_free(by_id[who], working[who], stage, s, e)])
        # Every assignment of disjoint valid panels; the chosen one is the smallest when each
        # stage's panel is written as its members' fairness keys in order, stage after stage.
        assignments = [[]]
        for stage, free in zip(stages, free_per_stage):
            assignments = [a + [p] for a in assignments
                           for p in ref.valid_panels(stage, free, set().union(*a) if a else set())]
        if not assignments:
            continue

        def order(assignment):
            return [sorted(ref.fairness(by_id[w], start + o) for w in panel)
                    for panel, o in zip(assignment, offsets)]
        chosen = min(assignments, key=order)
        for index, (stage, free) in enumerate(zip(stages, free_per_stage)):
            others = set().union(*(p for i, p in enumerate(chosen) if i != index))
            alternatives = len(ref.valid_panels(stage, free, others)) - 1 if stage.panel_size else 0
            options.append((tuple(sorted(chosen[index])), alternatives))
        found.append((start, options))
    return found


# --- strategies ----------------------------------------------------------------------------------

def local_time(minutes: int) -> time:
    return time((minutes // 60) % 24, minutes % 60)


@st.composite
def windows(draw):
    result = []
    for _ in range(draw(st.sampled_from((0, 1, 1, 1, 2)))):
        start = draw(st.integers(0, 47)) * 30
        length = draw(st.integers(1, 40)) * 30
        result.append((local_time(start), local_time(start + length)))
    return result


@st.composite
def interviewer(draw, who: int, now: datetime, team_zone: str, density: str, offices=OFFICES):
    zone = draw(st.sampled_from([team_zone, team_zone] + ZONES))
    office = draw(st.sampled_from(offices))
    today = now.date()
    is_dense = density != "sparse"
    if density == "full":
        # Around the clock: only busy time, caps and the panel rules decide.
        weekly = {weekday: [(time(0), time(0))] for weekday in range(7)}
    elif is_dense:
        # Long days, every day a workday: panels, caps, buffers and fairness get exercised.
        start = draw(st.integers(0, 24)) * 30
        usual = [(local_time(start), local_time(start + draw(st.integers(24, 48)) * 30))]
        weekly = {weekday: usual for weekday in range(7)}
    else:
        # Most weekdays share one pattern, as real working hours do; weekends are mostly off
        # (so make-up workdays borrow the weekday pattern).
        usual = draw(windows())
        weekly = {weekday: usual if draw(st.integers(0, 3)) else draw(windows())
                  for weekday in range(5)}
        weekly.update({weekday: [] if draw(st.integers(0, 3)) else draw(windows())
                       for weekday in (5, 6)})
    overrides = []
    for _ in range(draw(st.integers(0, 2))):
        day = today + timedelta(days=draw(st.integers(-1, 4)))
        start = draw(st.integers(0, 47)) * 30
        end = draw(st.integers(0, 47)) * 30
        overrides.append(DateOverride(day, draw(st.booleans()), local_time(start), local_time(end)))
    workday_overrides = {today + timedelta(days=draw(st.integers(-1, 4))): draw(st.booleans())
                         for _ in range(draw(st.integers(0, 2)))}
    if is_dense:
        workday_overrides = {today + timedelta(days=n): True for n in range(-2, 7)}

    def instants(count_max, lengths):
        pairs = []
        for _ in range(draw(st.integers(0, count_max))):
            start = now + timedelta(minutes=5 * draw(st.integers(-100, 900)))
            pairs.append((start, start + timedelta(minutes=draw(st.sampled_from(lengths)))))
        return tuple(pairs)
    last = draw(st.none() | st.integers(1, 5000).map(lambda m: now - timedelta(minutes=m)))
    return InterviewerCalendar(
        interviewer_id=who, zone=zone, weekly_windows=weekly,
        workdays=WorkdayCalendar(office, workday_overrides), date_overrides=tuple(overrides),
        busy=instants(4, (5, 30, 60, 95, 180)), booked_interviews=instants(3, (45, 60)),
        daily_cap=draw(st.sampled_from((None, None, 1, 2))),
        weekly_cap=draw(st.sampled_from((None, None, 1, 2, 3))),
        last_interviewed_at=last)


@st.composite
def stage_request(draw, ids, zone, step, hours, horizon_hours, sizes=(0, 1, 1, 2, 2, 3),
                  is_senior_seat_required=None):
    pool = draw(st.sampled_from((ids, ids)) | st.lists(st.sampled_from(ids), unique=True, min_size=1))
    size = min(len(pool), draw(st.sampled_from(sizes)))
    # Seniors: one or two, listed last or anywhere, so the fairest panel often lacks one.
    seniors = frozenset(draw(st.sampled_from((pool[-1:], pool[-2:])) |
                             st.lists(st.sampled_from(pool), unique=True, min_size=1)))
    return StageRequest(
        duration=timedelta(minutes=draw(st.sampled_from((30, 45, 60, 90)))), panel_size=size,
        pool=tuple(pool), senior_ids=seniors,
        is_senior_seat_required=size > 0 and (draw(st.booleans()) if is_senior_seat_required is None
                                              else is_senior_seat_required),
        buffer_before=timedelta(minutes=draw(st.sampled_from((0, 5, 15)))),
        buffer_after=timedelta(minutes=draw(st.sampled_from((0, 10)))),
        min_notice=timedelta(minutes=draw(st.sampled_from((0, 60, 150)))),
        horizon=timedelta(hours=horizon_hours), step_minutes=step, candidate_zone=zone,
        candidate_day_start=hours[0], candidate_day_end=hours[1])


@st.composite
def scenario(draw, stages: int = 1, max_people: int = 4, max_horizon_hours: int = 60,
             density=None, nows=NOWS, offices=OFFICES, **request_options):
    now = draw(st.sampled_from(nows)) + timedelta(minutes=15 * draw(st.integers(0, 48)))
    team_zone = draw(st.sampled_from(ZONES))
    density = density or draw(st.sampled_from(("sparse", "dense")))
    people = [draw(interviewer(who, now, team_zone, density, offices))
              for who in range(1, draw(st.integers(1, max_people)) + 1)]
    ids = [c.interviewer_id for c in people]
    zone = draw(st.sampled_from(ZONES))
    step = draw(st.sampled_from((15, 30, 45, 60)))
    hours = draw(st.sampled_from([(time(8), time(21)), (time(0), time(0)), (time(0), time(0)),
                                  (time(20), time(3)), (time(1, 30), time(9))]))
    horizon_hours = draw(st.integers(4, max_horizon_hours))
    requests = [draw(stage_request(ids, zone, step, hours, horizon_hours, **request_options))
                for _ in range(stages)]
    return now, people, requests


# Clock changes: zone, local date, and the wall times that are skipped or repeated.
CHANGES = [("America/Los_Angeles", date(2027, 3, 14), time(2), time(3)),
           ("Europe/London", date(2027, 3, 28), time(1), time(2)),
           ("Australia/Lord_Howe", date(2027, 10, 3), time(2), time(2, 30)),
           ("Europe/London", date(2027, 10, 31), time(1), time(2)),
           ("America/Los_Angeles", date(2027, 11, 7), time(1), time(2)),
           ("Australia/Lord_Howe", date(2027, 4, 4), time(1, 30), time(2))]
NEAR_CHANGE = [local_time(15 * n) for n in range(17)]  # 00:00 … 04:00 local


@st.composite
def clock_change_scenario(draw):
    """People working and taking time off with edges in (or next to) a skipped or repeated hour."""
    zone, day, first, last = draw(st.sampled_from(CHANGES))
    inside = [t for t in NEAR_CHANGE if first <= t <= last]
    edge = st.sampled_from(inside) | st.sampled_from(NEAR_CHANGE)
    now = datetime.combine(day - timedelta(days=1), time(20), ZoneInfo(zone)).astimezone(UTC)
    every_day = {day + timedelta(days=n): True for n in range(-2, 3)}
    people = []
    for who in range(1, draw(st.integers(1, 3)) + 1):
        usual = [(draw(edge), draw(st.sampled_from(inside + [time(9), time(17)])))]
        off = [DateOverride(day, True, draw(edge), draw(edge)) for _ in range(draw(st.integers(0, 1)))]
        extra = [DateOverride(day, False, draw(edge), draw(edge)) for _ in range(draw(st.integers(0, 1)))]
        people.append(InterviewerCalendar(
            interviewer_id=who, zone=zone, weekly_windows={d: usual for d in range(7)},
            workdays=WorkdayCalendar("GB-ENG", every_day), date_overrides=tuple(off + extra)))
    ids = [c.interviewer_id for c in people]
    hours = draw(st.sampled_from([(time(0), time(0)), (time(0), time(0)), (first, last),
                                  (time(0, 30), last), (last, first)]))
    request = StageRequest(
        duration=timedelta(minutes=draw(st.sampled_from((15, 30, 60)))),
        panel_size=draw(st.integers(1, len(ids))), pool=tuple(ids),
        horizon=timedelta(hours=30), step_minutes=draw(st.sampled_from((15, 30))),
        candidate_zone=draw(st.sampled_from((zone, zone, "UTC"))),
        candidate_day_start=hours[0], candidate_day_end=hours[1])
    return now, people, [request]


# --- properties ----------------------------------------------------------------------------------

@SETTINGS
@given(scenario())
def test_engine_equals_brute_force(case):
    assert_engine_equals_brute_force(case)


@settings(SETTINGS, max_examples=30)
@given(scenario(max_people=5, max_horizon_hours=30, density="full", sizes=(2, 3),
                is_senior_seat_required=True))
def test_senior_panels_equal_brute_force(case):
    assert_engine_equals_brute_force(case)


@settings(SETTINGS, max_examples=30)
@given(scenario(density="sparse", offices=["CN"], max_horizon_hours=72,
                nows=[datetime(2026, 9, 18, 12, tzinfo=UTC), datetime(2026, 10, 8, 0, tzinfo=UTC)]))
def test_engine_equals_brute_force_around_makeup_days(case):
    assert_engine_equals_brute_force(case)


@settings(SETTINGS, max_examples=60)
@given(clock_change_scenario())
def test_engine_equals_brute_force_around_clock_changes(case):
    assert_engine_equals_brute_force(case)


def assert_engine_equals_brute_force(case):
    now, people, [request] = case
    engine = [(epoch(s.start_at), s.panel, s.alternatives) for s in find_slots(request, people, now).slots]
    reference = [(start, panel, alternatives)
                 for start, [(panel, alternatives)] in loop_reference([request], people, now, timedelta(0))]
    assert engine == reference


@settings(SETTINGS, max_examples=40)
@given(scenario(stages=2, max_people=4, max_horizon_hours=40), st.sampled_from((0, 15, 30)))
def test_loops_equal_brute_force(case, break_minutes):
    now, people, stages = case
    gap = timedelta(minutes=break_minutes)
    engine = [(epoch(option.start_at), [(s.panel, s.alternatives) for s in option.stages])
              for option in find_loop_slots(stages, people, now, gap).slots]
    assert engine == loop_reference(stages, people, now, gap)


@settings(SETTINGS, max_examples=40)
@given(scenario(max_people=6, max_horizon_hours=100))
def test_no_slot_breaks_a_rule(case):
    now, people, [request] = case
    by_id = {c.interviewer_id: c for c in people}
    ref = Reference(epoch(now) - 2 * DAY, epoch(now + request.horizon + request.duration) + 2 * DAY)
    working = {who: ref.working(cal) for who, cal in by_id.items()}
    previous = None
    for slot in find_slots(request, people, now).slots:
        start, end = epoch(slot.start_at), epoch(slot.end_at)
        assert previous is None or start > previous     # ordered by start, no repeats
        previous = start
        assert len(slot.panel) == request.panel_size and set(slot.panel) <= set(request.pool)
        for who in slot.panel:
            cal = by_id[who]
            # Inside working time on a workday, clear of busy time with buffers, under the caps.
            assert all(m in working[who] for m in range(start, end, MINUTE))
            assert ref.is_free(cal, working[who], request, start, end)
            per_day, per_week = ref.counts(cal)
            day = ref.local(cal.zone, start).date()
            assert cal.daily_cap is None or per_day.get(day, 0) < cal.daily_cap
            monday = day - timedelta(days=day.weekday())
            assert cal.weekly_cap is None or per_week.get(monday, 0) < cal.weekly_cap
        assert check_slot(request, people, slot.start_at, slot.panel, now) == []


@settings(SETTINGS, max_examples=60)
@given(scenario(max_people=4, max_horizon_hours=40), st.data())
def test_check_slot_agrees_with_brute_force(case, data):
    now, people, [request] = case
    start_at = now + timedelta(minutes=15 * data.draw(st.integers(-4, 4 * 40)))
    ids = [c.interviewer_id for c in people]
    panel = tuple(data.draw(st.lists(st.sampled_from(ids), max_size=3)))
    expected = any(start == epoch(start_at) and set(panel) in [set(p) for p in valid]
                   for start, valid in _all_valid_panels(request, people, now))
    assert (check_slot(request, people, start_at, panel, now) == []) is (
        expected and len(set(panel)) == len(panel))


def _all_valid_panels(request, people, now):
    """Yield (start, every valid panel) for each bookable start, by brute force."""
    by_id = {c.interviewer_id: c for c in people}
    now_s = epoch(now)
    ref = Reference(now_s - 2 * DAY, now_s + int(request.horizon.total_seconds()) + 3 * DAY)
    candidate = ref.candidate_minutes(request)
    working = {who: ref.working(cal) for who, cal in by_id.items()}
    duration = int(request.duration.total_seconds())
    lo = now_s + int(request.min_notice.total_seconds())
    hi = now_s + int(request.horizon.total_seconds())
    for start in range(lo + (-lo) % MINUTE, hi, MINUTE):
        if not ref.is_grid(request, start):
            continue
        if any(m not in candidate for m in range(start, start + duration, MINUTE)):
            continue
        free = [who for who in sorted(set(request.pool))
                if ref.is_free(by_id[who], working[who], request, start, start + duration)]
        yield start, ref.valid_panels(request, free)
