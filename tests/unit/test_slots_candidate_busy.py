"""The candidate's own busy time is an engine input (issue 14 item 9): no slot overlaps one of
the candidate's other live interviews; touching is fine ([start, end) intervals); a loop keeps
its whole span, breaks included, clear of it; check_slot and check_loop say `candidate_busy`.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.domain.slots import (
    SlotProblem, StageRequest, check_loop, check_slot, find_loop_slots, find_slots,
    problem_message,
)
from tests.unit.test_slots import MONDAY, person, request, starts, utc

HOUR = timedelta(hours=1)
# Monday 14 June 2027, 09:00–17:00 UTC: the interviewer's working day in these tests.
BUSY_11_TO_12 = ((utc(2027, 6, 14, 11), utc(2027, 6, 14, 12)),)


def test_without_busy_time_every_hour_of_the_working_day_is_offered():
    search = find_slots(request(), [person(1)], MONDAY)
    assert [s.start_at.hour for s in search.slots if s.start_at.minute == 0] == list(range(9, 17))


def test_slots_overlapping_the_candidates_interview_are_left_out_touching_ones_stay():
    search = find_slots(request(candidate_busy=BUSY_11_TO_12), [person(1)], MONDAY)
    offered = starts(search)
    # 10:00–11:00 ends as the other interview starts; 12:00–13:00 starts as it ends.
    assert utc(2027, 6, 14, 10) in offered and utc(2027, 6, 14, 12) in offered
    for clash in (utc(2027, 6, 14, 10, 30), utc(2027, 6, 14, 11), utc(2027, 6, 14, 11, 30)):
        assert clash not in offered
    # Only those three starts go: the interviewer's other times are untouched.
    assert len(offered) == len(starts(find_slots(request(), [person(1)], MONDAY))) - 3


def test_busy_time_given_in_any_zone_is_the_same_instants():
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    busy = tuple((a.astimezone(shanghai), b.astimezone(shanghai)) for a, b in BUSY_11_TO_12)
    assert starts(find_slots(request(candidate_busy=busy), [person(1)], MONDAY)) == \
        starts(find_slots(request(candidate_busy=BUSY_11_TO_12), [person(1)], MONDAY))


def test_overlapping_and_unsorted_busy_intervals_are_merged():
    busy = ((utc(2027, 6, 14, 14), utc(2027, 6, 14, 15)),
            (utc(2027, 6, 14, 9, 30), utc(2027, 6, 14, 10, 30)),
            (utc(2027, 6, 14, 10), utc(2027, 6, 14, 11)))
    offered = starts(find_slots(request(candidate_busy=busy), [person(1)], MONDAY))
    assert [s for s in offered if s < utc(2027, 6, 14, 12)] == [utc(2027, 6, 14, 11),
                                                               utc(2027, 6, 14, 11, 30)]
    assert utc(2027, 6, 14, 13) in offered and utc(2027, 6, 14, 15) in offered
    assert utc(2027, 6, 14, 13, 30) not in offered and utc(2027, 6, 14, 14, 30) not in offered


def test_a_stage_without_a_panel_also_avoids_the_candidates_interviews():
    coding_test = StageRequest(duration=timedelta(minutes=90), panel_size=0,
                               candidate_zone="UTC", horizon=timedelta(days=1),
                               candidate_busy=BUSY_11_TO_12)
    offered = starts(find_slots(coding_test, [], MONDAY))
    assert utc(2027, 6, 14, 9, 30) in offered and utc(2027, 6, 14, 12) in offered
    assert not [s for s in offered if s < utc(2027, 6, 14, 12) and s + timedelta(minutes=90)
                > utc(2027, 6, 14, 11)]


def test_a_loop_keeps_its_whole_span_breaks_included_clear_of_the_busy_time():
    # Two one-hour stages with a 30-minute break: the loop at 09:00 has its break at
    # 10:00–10:30, where the candidate's other interview is.
    busy = ((utc(2027, 6, 14, 10, 5), utc(2027, 6, 14, 10, 15)),)
    cals = [person(1), person(2)]
    free = find_loop_slots([request(), request(pool=(2,))], cals, MONDAY, timedelta(minutes=30))
    assert starts(free)[0] == utc(2027, 6, 14, 9)
    search = find_loop_slots([request(candidate_busy=busy), request(pool=(2,))], cals, MONDAY,
                             timedelta(minutes=30))
    assert starts(search)[0] == utc(2027, 6, 14, 10, 30)
    assert starts(search) == [s for s in starts(free) if s >= utc(2027, 6, 14, 10, 30)]


@pytest.mark.parametrize("start, expected", [
    (utc(2027, 6, 14, 10), []),                                # ends as it starts
    (utc(2027, 6, 14, 10, 30), [SlotProblem("candidate_busy")]),
    (utc(2027, 6, 14, 11), [SlotProblem("candidate_busy")]),
    (utc(2027, 6, 14, 11, 30), [SlotProblem("candidate_busy")]),
    (utc(2027, 6, 14, 12), []),                                # starts as it ends
])
def test_check_slot_names_the_candidates_clash(start, expected):
    stage = request(candidate_busy=BUSY_11_TO_12)
    assert check_slot(stage, [person(1)], start, [1], MONDAY) == expected


def test_check_loop_counts_the_break_and_reads_the_first_stage():
    busy = ((utc(2027, 6, 14, 11, 5), utc(2027, 6, 14, 11, 10)),)
    stages = [request(candidate_busy=busy), request(pool=(2,))]
    problems = check_loop(stages, [person(1), person(2)], utc(2027, 6, 14, 10), [[1], [2]],
                          MONDAY, timedelta(minutes=30))
    assert problems == [SlotProblem("candidate_busy")]
    assert problem_message(problems[0]) == "The candidate already has an interview at this time."
