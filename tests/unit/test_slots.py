"""Slots for a stage and for loops: grid, notice, horizon, candidate hours, k-of-n panels, the
senior seat, fairness, caps, loops with disjoint panels, the no-panel stage, and check_slot."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from scheduler.domain.availability import DateOverride, InterviewerCalendar
from scheduler.domain.slots import (
    EARLY, LATE, HumaneFlag, LoopSlot, SlotProblem, StageRequest, check_loop, check_slot,
    find_loop_slots, find_slots, problem_message,
)
from scheduler.domain.workdays import WorkdayCalendar

UTC = timezone.utc
NINE_TO_FIVE = {weekday: [(time(9), time(17))] for weekday in range(5)}
MONDAY = datetime(2027, 6, 14, tzinfo=UTC)  # an ordinary week in every office


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def person(who: int, zone="UTC", office="GB-ENG", windows=None, **fields) -> InterviewerCalendar:
    return InterviewerCalendar(interviewer_id=who, zone=zone,
                               weekly_windows=NINE_TO_FIVE if windows is None else windows,
                               workdays=fields.pop("workdays", WorkdayCalendar(office)), **fields)


def request(panel_size=1, pool=(1,), **fields) -> StageRequest:
    defaults = dict(duration=timedelta(hours=1), candidate_zone="UTC",
                    candidate_day_start=time(0), candidate_day_end=time(0),
                    horizon=timedelta(days=1))
    defaults.update(fields)
    return StageRequest(panel_size=panel_size, pool=tuple(pool), **defaults)


def starts(search) -> list[datetime]:
    return [slot.start_at for slot in search.slots]


def hours_of(search) -> list[int]:
    return [slot.start_at.hour for slot in search.slots]


# --- daylight saving across a panel ------------------------------------------------------------

# England's calendar, working Good Friday and Easter Monday so that the clock change is what shows.
LONDON_OFFICE = WorkdayCalendar("GB-ENG", {date(2027, 3, 26): True, date(2027, 3, 29): True})


@pytest.mark.parametrize("monday, expected_days", [
    (date(2027, 1, 11), []),                      # winter: London 9–17 UTC, SF 17–01 UTC
    (date(2027, 6, 14), []),                      # summer: London 8–16 UTC, SF 16–24 UTC
    (date(2027, 3, 15), [15, 16, 17, 18, 19]),    # US on summer time, UK not yet: 7 hours apart
    (date(2027, 3, 22), [22, 23, 24, 25, 26]),
    (date(2027, 3, 29), []),
])
def test_london_and_san_francisco_share_an_hour_only_in_march(monday, expected_days):
    london = person(1, "Europe/London", workdays=LONDON_OFFICE)
    san_francisco = person(2, "America/Los_Angeles", "US-CA")
    now = datetime.combine(monday, time(0), UTC)
    search = find_slots(request(2, (1, 2), horizon=timedelta(days=7)), [london, san_francisco], now)
    assert [s.start_at.day for s in search.slots] == expected_days
    assert all((s.start_at.hour, s.end_at.hour) == (16, 17) for s in search.slots)
    assert all(s.panel == (1, 2) for s in search.slots)


# --- the grid, notice, horizon and candidate hours ---------------------------------------------

def test_grid_is_aligned_in_the_candidate_zone():
    everyone = person(1, windows={d: [(time(0), time(0))] for d in range(7)})
    for zone, minutes in [("Asia/Kolkata", {0, 30}), ("Asia/Kathmandu", {15, 45}), ("UTC", {0, 30})]:
        search = find_slots(request(candidate_zone=zone), [everyone], MONDAY)
        assert {slot.start_at.minute for slot in search.slots} == minutes, zone


def test_step_of_the_stage():
    everyone = person(1, windows={d: [(time(0), time(0))] for d in range(7)})
    search = find_slots(request(step_minutes=45, horizon=timedelta(hours=4)), [everyone], MONDAY)
    assert [(s.start_at.hour, s.start_at.minute) for s in search.slots] == [
        (0, 0), (0, 45), (1, 30), (2, 15), (3, 0), (3, 45)]


def test_start_in_a_spring_forward_gap_is_dropped():
    stage = request(0, (), duration=timedelta(minutes=30), candidate_zone="Europe/London",
                    candidate_day_start=time(0), candidate_day_end=time(4), horizon=timedelta(hours=5))
    search = find_slots(stage, [], utc(2027, 3, 28))
    # 00:00 and 00:30 GMT, then 02:00–03:30 BST; 01:00 and 01:30 local never happen.
    assert starts(search) == [utc(2027, 3, 28, 0), utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1),
                              utc(2027, 3, 28, 1, 30), utc(2027, 3, 28, 2), utc(2027, 3, 28, 2, 30)]


def test_repeated_wall_time_is_offered_once():
    stage = request(0, (), duration=timedelta(minutes=30), candidate_zone="Europe/London",
                    candidate_day_start=time(0), candidate_day_end=time(3))
    search = find_slots(stage, [], utc(2027, 10, 30, 12))
    # 00:00, 00:30, 01:00, 01:30 BST (first pass), then 02:00, 02:30 GMT; not 01:00/01:30 GMT.
    assert starts(search) == [utc(2027, 10, 30, 23), utc(2027, 10, 30, 23, 30), utc(2027, 10, 31, 0),
                              utc(2027, 10, 31, 0, 30), utc(2027, 10, 31, 2), utc(2027, 10, 31, 2, 30)]


def test_minimum_notice_and_horizon():
    cal = person(1)
    now = utc(2027, 6, 14, 9, 10)
    stage = request(min_notice=timedelta(hours=2), horizon=timedelta(hours=6, minutes=20))
    # Earliest 11:10 -> first grid start 11:30; starts before 15:30 (now + horizon) only.
    assert [(s.start_at.hour, s.start_at.minute) for s in find_slots(stage, [cal], now).slots] == [
        (11, 30), (12, 0), (12, 30), (13, 0), (13, 30), (14, 0), (14, 30), (15, 0)]
    exact = request(min_notice=timedelta(minutes=50), horizon=timedelta(hours=1))
    assert starts(find_slots(exact, [cal], now)) == [utc(2027, 6, 14, 10)]  # notice is inclusive


def test_whole_slot_inside_candidate_hours():
    cal = person(1, windows={d: [(time(0), time(0))] for d in range(7)})
    stage = request(duration=timedelta(minutes=90), candidate_zone="Asia/Shanghai",
                    candidate_day_start=time(8), candidate_day_end=time(21))
    search = find_slots(stage, [cal], MONDAY)
    local = [s.start_at.astimezone(ZoneInfo("Asia/Shanghai")) for s in search.slots]
    assert (local[0].hour, local[0].minute) == (8, 0)
    assert (local[-1].hour, local[-1].minute) == (19, 30)   # ends 21:00 exactly
    assert len(local) == 24


def test_candidate_hours_across_midnight():
    cal = person(1, windows={d: [(time(0), time(0))] for d in range(7)})
    stage = request(candidate_day_start=time(22), candidate_day_end=time(2))
    # Sunday's hours run into Monday 00:00–02:00; Monday's from 22:00 (the horizon ends at midnight).
    assert hours_of(find_slots(stage, [cal], MONDAY)) == [0, 0, 1, 22, 22, 23, 23]


# --- panels -------------------------------------------------------------------------------------

def test_k_of_n_needs_k_free_for_the_whole_slot():
    cals = [person(1, windows={0: [(time(9), time(12))]}),
            person(2, windows={0: [(time(10), time(13))]}),
            person(3, windows={0: [(time(11), time(14))]})]
    search = find_slots(request(2, (1, 2, 3)), cals, MONDAY)
    assert [(s.start_at.hour, s.start_at.minute, s.panel) for s in search.slots] == [
        (10, 0, (1, 2)), (10, 30, (1, 2)), (11, 0, (1, 2)), (11, 30, (2, 3)), (12, 0, (2, 3))]
    assert [s.alternatives for s in search.slots] == [0, 0, 2, 0, 0]   # 11:00: {1,3} and {2,3}
    assert starts(find_slots(request(3, (1, 2, 3)), cals, MONDAY)) == [utc(2027, 6, 14, 11)]
    assert find_slots(request(3, (1, 2, 3), duration=timedelta(minutes=90)), cals, MONDAY).slots == ()
    all_three = find_slots(request(3, (1, 2, 3), duration=timedelta(minutes=30)), cals, MONDAY)
    assert [(s.start_at.hour, s.start_at.minute) for s in all_three.slots] == [(11, 0), (11, 30)]


def test_only_the_pool_is_considered():
    cals = [person(1), person(2)]
    search = find_slots(request(1, (2,)), cals, MONDAY)
    assert {s.panel for s in search.slots} == {(2,)}


def test_senior_seat():
    cals = [person(who) for who in (1, 2, 3, 4)]
    stage = request(2, (1, 2, 3, 4), senior_ids=frozenset({4}), is_senior_seat_required=True)
    slot = find_slots(stage, cals, MONDAY).slots[0]
    assert slot.panel == (1, 4)          # fairest non-senior, then the fairest senior
    assert slot.alternatives == 2        # {2,4}, {3,4}
    two_seniors = request(2, (1, 2, 3, 4), senior_ids=frozenset({2, 4}), is_senior_seat_required=True)
    slot = find_slots(two_seniors, cals, MONDAY).slots[0]
    assert slot.panel == (1, 2)
    assert slot.alternatives == 4        # 6 pairs minus {1,3}, minus the chosen one
    busy_senior = [person(who) for who in (1, 2, 3)] + [
        person(4, busy=[(utc(2027, 6, 14, 9), utc(2027, 6, 14, 12))])]
    assert hours_of(find_slots(stage, busy_senior, MONDAY))[:2] == [12, 12]


def test_fairness_order_week_count_then_last_interview_then_id():
    last_week = utc(2027, 6, 9, 10)   # counts for last week, not this one
    cals = [
        person(1, booked_interviews=[(utc(2027, 6, 15, 9), utc(2027, 6, 15, 10))]),  # 1 this week
        person(2, last_interviewed_at=utc(2027, 6, 10, 12)),
        person(3, last_interviewed_at=utc(2027, 6, 1, 12)),
        person(4, booked_interviews=[(last_week, last_week + timedelta(hours=1))],
               last_interviewed_at=last_week),
        person(5),
        person(6),
    ]
    pool = (1, 2, 3, 4, 5, 6)
    slot = find_slots(request(1, pool), cals, MONDAY).slots[0]
    assert slot.panel == (5,)            # never interviewed, lowest id
    assert find_slots(request(3, pool), cals, MONDAY).slots[0].panel == (3, 5, 6)
    assert find_slots(request(4, pool), cals, MONDAY).slots[0].panel == (3, 4, 5, 6)
    assert find_slots(request(5, pool), cals, MONDAY).slots[0].panel == (2, 3, 4, 5, 6)


def test_fairness_count_resets_in_the_interviewers_next_local_week():
    # Interviewer 1 (Shanghai) has two interviews this week, 2 (Los Angeles) one. Both work
    # around the clock, weekends included, so only the fairness key changes.
    every_day = {date(2027, 6, 1) + timedelta(days=n): True for n in range(40)}
    shanghai = person(1, "Asia/Shanghai", windows={d: [(time(0), time(0))] for d in range(7)},
                      workdays=WorkdayCalendar("CN", every_day),
                      booked_interviews=[(utc(2027, 6, 14, 2), utc(2027, 6, 14, 3)),
                                         (utc(2027, 6, 15, 2), utc(2027, 6, 15, 3))])
    los_angeles = person(2, "America/Los_Angeles", windows={d: [(time(0), time(0))] for d in range(7)},
                         workdays=WorkdayCalendar("US-CA", every_day),
                         booked_interviews=[(utc(2027, 6, 16, 20), utc(2027, 6, 16, 21))])
    search = find_slots(request(1, (1, 2), horizon=timedelta(days=10), step_minutes=60),
                        [shanghai, los_angeles], utc(2027, 6, 20, 12))
    panels = {s.start_at: s.panel for s in search.slots}
    assert panels[utc(2027, 6, 20, 15)] == (2,)      # Sunday 23:00 Shanghai: still 2 vs 1
    assert panels[utc(2027, 6, 20, 16)] == (1,)      # Monday 00:00 Shanghai: 0 vs 1 (LA's Sunday)
    assert panels[utc(2027, 6, 21, 6)] == (1,)       # Sunday 23:00 Los Angeles: 0 vs 1
    assert panels[utc(2027, 6, 21, 7)] == (1,)       # LA's new week: 0 vs 0, lower id


def test_caps_in_the_search():
    capped = person(1, daily_cap=1, booked_interviews=[(utc(2027, 6, 14, 16), utc(2027, 6, 14, 17))])
    search = find_slots(request(1, (1,), horizon=timedelta(days=2)), [capped], MONDAY)
    assert {s.start_at.day for s in search.slots} == {15}
    weekly = person(1, weekly_cap=1, booked_interviews=[(utc(2027, 6, 11, 9), utc(2027, 6, 11, 10))])
    search = find_slots(request(1, (1,), horizon=timedelta(days=2)), [weekly], utc(2027, 6, 10))
    assert {s.start_at.day for s in search.slots} == set()   # Thu/Fri of a full week


def test_buffers_in_the_search():
    cal = person(1, busy=[(utc(2027, 6, 14, 12), utc(2027, 6, 14, 13))])
    plain = hours_of(find_slots(request(step_minutes=60), [cal], MONDAY))
    assert plain == [9, 10, 11, 13, 14, 15, 16]
    buffered = request(step_minutes=60, buffer_before=timedelta(minutes=5), buffer_after=timedelta(minutes=5))
    assert hours_of(find_slots(buffered, [cal], MONDAY)) == [9, 10, 14, 15, 16]


def test_touching_busy_time_leaves_back_to_back_slots():
    cal = person(1, busy=[(utc(2027, 6, 14, 9), utc(2027, 6, 14, 10)),
                          (utc(2027, 6, 14, 11), utc(2027, 6, 14, 17))])
    assert starts(find_slots(request(), [cal], MONDAY)) == [utc(2027, 6, 14, 10)]


def test_makeup_saturday_in_beijing():
    beijing = person(1, "Asia/Shanghai", "CN")
    london = person(2, "Europe/London")
    stage = request(1, (1, 2), candidate_zone="Asia/Shanghai", horizon=timedelta(days=14))
    search = find_slots(stage, [beijing, london], utc(2026, 9, 30))
    by_day = {}
    for slot in search.slots:
        local = slot.start_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
        by_day.setdefault(local, set()).update(slot.panel)
    assert by_day[date(2026, 10, 10)] == {1}         # Saturday: Beijing works, London does not
    assert all(date(2026, 10, d) not in by_day or by_day[date(2026, 10, d)] == {2}
               for d in range(1, 8))                 # Golden Week: Beijing never offered
    assert search.warnings == ()


def test_uncovered_year_warning_reaches_the_result():
    beijing = person(1, "Asia/Shanghai", workdays=WorkdayCalendar("CN", covered_years=range(2004, 2026)))
    search = find_slots(request(1, (1,)), [beijing], utc(2026, 6, 15))
    assert [(w.calendar_key, w.year) for w in search.warnings] == [("CN", 2026)]
    assert search.slots


def test_missing_calendar_is_an_error():
    with pytest.raises(ValueError):
        find_slots(request(1, (1, 2)), [person(1)], MONDAY)


# --- humane hours ---------------------------------------------------------------------------------

def test_humane_score_and_flags():
    early_bird = person(1, "Europe/London", windows={0: [(time(7), time(17))]},
                        date_overrides=[DateOverride(date(2027, 6, 14), False, time(17), time(20))])
    stage = request(candidate_zone="Asia/Shanghai", step_minutes=60)
    by_hour = {s.start_at.hour: s for s in find_slots(stage, [early_bird], MONDAY).slots}
    # 06:00 UTC = 07:00 London (start of their day) = 14:00 Shanghai.
    assert by_hour[6].humane_score == 0 and by_hour[6].flags == ()
    # 09:00 UTC = 10:00 London, 17:00 Shanghai: an hour before the candidate's 18:00.
    assert by_hour[9].humane_score == 0
    assert by_hour[8].humane_score == 60
    # 12:00 UTC = 13:00 London, 20:00 Shanghai: late for the candidate by 3 hours.
    assert by_hour[12].flags == (HumaneFlag(LATE),)
    assert by_hour[12].humane_score == -180
    # 17:00 UTC = 18:00 London, extra hours past their usual 17:00, and 01:00 in Shanghai.
    assert by_hour[17].flags == (HumaneFlag(EARLY), HumaneFlag(LATE, 1))
    assert by_hour[17].humane_score == -480
    # Early for the candidate: 00:00 UTC = 08:00 Shanghai (not bookable: London is asleep).
    anyone = person(2, windows={0: [(time(0), time(12))]})
    first = find_slots(request(1, (2,), candidate_zone="Asia/Shanghai"), [anyone], MONDAY).slots[0]
    assert first.flags == (HumaneFlag(EARLY),) and first.humane_score == -60


# --- the no-panel stage ----------------------------------------------------------------------------

def test_no_panel_stage_offers_candidate_hours_any_day():
    coding_test = StageRequest(duration=timedelta(minutes=90), panel_size=0,
                               min_notice=timedelta(hours=12), horizon=timedelta(days=2),
                               candidate_zone="Asia/Shanghai")
    search = find_slots(coding_test, [], utc(2027, 6, 18, 22))   # Saturday 06:00 in Shanghai
    first, last = search.slots[0], search.slots[-1]
    assert first.start_at == utc(2027, 6, 19, 10)      # 18:00 Saturday: 12 hours' notice
    assert first.panel == () and first.alternatives == 0
    assert last.start_at == utc(2027, 6, 20, 11, 30)   # 19:30 Sunday ends at 21:00
    assert len(search.slots) == 4 + 24


# --- loops ------------------------------------------------------------------------------------------

def test_loop_back_to_back_with_a_break_and_disjoint_panels():
    cals = [person(who) for who in (1, 2, 3)]
    design = request(2, (1, 2, 3), senior_ids=frozenset({3}), is_senior_seat_required=True)
    deep_dive = request(1, (1, 2, 3))
    search = find_loop_slots([design, deep_dive], cals, MONDAY, timedelta(minutes=15))
    first = search.slots[0]
    assert isinstance(first, LoopSlot)
    assert first.start_at == utc(2027, 6, 14, 9)
    assert [s.start_at for s in first.stages] == [utc(2027, 6, 14, 9), utc(2027, 6, 14, 10, 15)]
    assert first.end_at == utc(2027, 6, 14, 11, 15)
    assert [s.panel for s in first.stages] == [(1, 3), (2,)]
    assert [s.alternatives for s in first.stages] == [0, 0]
    assert search.slots[-1].start_at == utc(2027, 6, 14, 14, 30)   # ends 16:45 before 17:00
    for option in search.slots:
        design_panel, deep_dive_panel = (set(s.panel) for s in option.stages)
        assert not design_panel & deep_dive_panel


def test_loop_backtracks_when_the_fairest_panel_starves_a_later_stage():
    cals = [person(1), person(2, last_interviewed_at=utc(2027, 6, 1))]
    first_stage = request(1, (1, 2))
    only_one = request(1, (1,))
    option = find_loop_slots([first_stage, only_one], cals, MONDAY).slots[0]
    assert [s.panel for s in option.stages] == [(2,), (1,)]
    assert find_loop_slots([only_one, only_one], cals, MONDAY).slots == ()


def test_loop_backtracking_with_a_senior_seat():
    cals = [person(who) for who in range(1, 13)]
    design = request(2, range(1, 13), senior_ids=frozenset({1, 2}), is_senior_seat_required=True)
    only_one = request(1, (1,))
    option = find_loop_slots([design, only_one], cals, MONDAY).slots[0]
    assert [s.panel for s in option.stages] == [(2, 3), (1,)]
    assert option.stages[0].alternatives == 9          # {2, x} for x in 4..12
    only_senior = request(2, range(1, 13), senior_ids=frozenset({1}), is_senior_seat_required=True)
    assert find_loop_slots([only_senior, only_one], cals, MONDAY).slots == ()


def test_loop_alternatives_hold_the_other_panels_fixed():
    cals = [person(who) for who in range(1, 6)]
    option = find_loop_slots([request(2, range(1, 6)), request(1, range(1, 6))], cals, MONDAY).slots[0]
    assert [s.panel for s in option.stages] == [(1, 2), (3,)]
    assert [s.alternatives for s in option.stages] == [5, 2]   # C(4,2)-1 without 3; {4},{5}


def test_loop_uses_each_stage_own_busy_time():
    busy_later = person(1, busy=[(utc(2027, 6, 14, 10), utc(2027, 6, 14, 11))])
    cals = [busy_later, person(2)]
    search = find_loop_slots([request(1, (1,)), request(1, (2,))], cals, MONDAY)
    assert starts(search)[:2] == [utc(2027, 6, 14, 9), utc(2027, 6, 14, 11)]


# --- check_slot ---------------------------------------------------------------------------------------

def codes(problems: list[SlotProblem]) -> list[tuple[str, int | None]]:
    return [(p.code, p.interviewer_id) for p in problems]


def test_every_found_slot_passes_the_check():
    cals = [person(who) for who in (1, 2, 3)]
    stage = request(2, (1, 2, 3), senior_ids=frozenset({2}), is_senior_seat_required=True)
    for slot in find_slots(stage, cals, MONDAY).slots:
        assert check_slot(stage, cals, slot.start_at, slot.panel, MONDAY) == []


@pytest.mark.parametrize("start, panel, fields, expected", [
    (utc(2027, 6, 14, 9), (1,), {}, []),
    (utc(2027, 6, 14, 9), (1,), {"min_notice": timedelta(hours=10)}, [("too_soon", None)]),
    (utc(2027, 6, 16, 9), (1,), {}, [("too_far", None)]),
    (utc(2027, 6, 14, 9, 10), (1,), {}, [("off_grid", None)]),
    (utc(2027, 6, 14, 9), (1,), {"candidate_day_start": time(10), "candidate_day_end": time(20)},
     [("outside_candidate_hours", None)]),
    (utc(2027, 6, 14, 9), (1, 2), {}, [("wrong_panel_size", None)]),
    (utc(2027, 6, 14, 9), (3,), {}, [("not_in_pool", 3)]),
    (utc(2027, 6, 14, 9), (9,), {"pool": (9,)}, [("unknown_interviewer", 9)]),
    (utc(2027, 6, 14, 8), (1,), {}, [("outside_working_hours", 1)]),
    (utc(2027, 6, 14, 12), (2,), {"pool": (2,)}, [("busy", 2)]),
    (utc(2027, 6, 14, 13), (2,), {"pool": (2,), "buffer_before": timedelta(minutes=15)}, [("busy", 2)]),
    (utc(2027, 6, 14, 13), (2,), {"pool": (2,)}, []),
    (utc(2027, 6, 14, 9), (1,), {"senior_ids": frozenset({2}), "is_senior_seat_required": True},
     [("no_senior", None)]),
])
def test_check_slot_reasons(start, panel, fields, expected):
    cals = [person(1), person(2, busy=[(utc(2027, 6, 14, 12), utc(2027, 6, 14, 13))]), person(3)]
    stage = request(1, fields.pop("pool", (1, 2)), **fields)
    assert codes(check_slot(stage, cals, start, panel, MONDAY)) == expected


def test_check_slot_caps_and_repeats():
    cals = [person(1, daily_cap=1, weekly_cap=1,
                   booked_interviews=[(utc(2027, 6, 14, 15), utc(2027, 6, 14, 16))])]
    stage = request(2, (1,))
    assert codes(check_slot(stage, cals, utc(2027, 6, 14, 9), (1, 1), MONDAY)) == [
        ("repeated_interviewer", None), ("daily_cap", 1), ("weekly_cap", 1)]


def test_check_loop_refuses_one_person_on_two_stages():
    cals = [person(1), person(2)]
    stages = [request(1, (1, 2)), request(1, (1, 2))]
    assert codes(check_loop(stages, cals, utc(2027, 6, 14, 9), [(1,), (1,)], MONDAY)) == [
        ("interviewer_in_two_stages", 1)]
    assert check_loop(stages, cals, utc(2027, 6, 14, 9), [(1,), (2,)], MONDAY) == []
    # The second stage is checked at its own time: 16:00–17:00 fits, 16:30 would not.
    assert codes(check_loop(stages, cals, utc(2027, 6, 14, 15), [(1,), (2,)], MONDAY)) == []
    assert codes(check_loop(stages, cals, utc(2027, 6, 14, 15, 30), [(1,), (2,)], MONDAY)) == [
        ("outside_working_hours", 2)]


def test_problem_messages_render():
    problem = SlotProblem("busy", interviewer_id=7)
    assert problem_message(problem) == "Interviewer 7 is busy at this time (buffers included)."
    too_soon = check_slot(request(min_notice=timedelta(hours=48)), [person(1)], utc(2027, 6, 14, 9),
                          (1,), MONDAY)[0]
    assert problem_message(too_soon) == "This time is too soon: interviews need 48.0 hours' notice."
