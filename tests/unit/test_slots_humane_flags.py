"""`humane_flags`: the early/late marks of one start for any panel (a swap's, a seat's
alternatives) say what a search says of its own slots, each person in their own zone."""
from __future__ import annotations

from datetime import time, timedelta

from scheduler.domain.slots import (
    EARLY, LATE, HumaneFlag, find_loop_slots, find_slots, humane_flags,
)
from tests.unit.test_slots import MONDAY, person, request, utc

# Long days, so a search offers times that are early or late for someone.
LONDON = person(1, "Europe/London", windows={d: [(time(7), time(20))] for d in range(5)})
SHANGHAI = person(2, "Asia/Shanghai", "CN", windows={d: [(time(8), time(22))] for d in range(5)})
SAN_FRANCISCO = person(3, "America/Los_Angeles", "US-CA",
                       windows={d: [(time(6), time(19))] for d in range(5)})
EVERYONE = [LONDON, SHANGHAI, SAN_FRANCISCO]


def test_a_search_and_humane_flags_agree_on_every_slot():
    stage = request(2, (1, 2, 3), candidate_zone="Europe/Berlin", step_minutes=60,
                    candidate_day_start=time(7), candidate_day_end=time(22))
    slots = find_slots(stage, EVERYONE, MONDAY).slots
    assert any(slot.flags for slot in slots) and any(not slot.flags for slot in slots)
    for slot in slots:
        assert set(humane_flags([stage], EVERYONE, slot.start_at, slot.panels)) == set(slot.flags)


def test_a_loop_search_and_humane_flags_agree_on_every_slot():
    stages = [request(1, (1, 2, 3), candidate_zone="Europe/Berlin", step_minutes=60,
                      candidate_day_start=time(7), candidate_day_end=time(22)),
              request(1, (1, 2, 3))]
    brk = timedelta(minutes=15)
    slots = find_loop_slots(stages, EVERYONE, MONDAY, brk).slots
    assert slots and any(slot.flags for slot in slots)
    for slot in slots:
        flags = humane_flags(stages, EVERYONE, slot.start_at, slot.panels, brk)
        assert set(flags) == set(slot.flags)


def test_anyone_may_be_flagged_in_their_own_zone_the_candidate_first():
    stage = request(1, (1, 2), candidate_zone="Asia/Shanghai")
    # 17:00 UTC on a June Monday: 18:00 in London (their normal day ends at 20:00), 01:00 in
    # Shanghai: before the day of the candidate and of the Shanghai interviewer.
    start = utc(2027, 6, 14, 17)
    assert humane_flags([stage], EVERYONE, start, [[1, 2]]) == (
        HumaneFlag(EARLY), HumaneFlag(EARLY, 2))
    # 08:00 UTC: 09:00 in London, 16:00 in Shanghai, inside everyone's day.
    assert humane_flags([stage], EVERYONE, utc(2027, 6, 14, 8), [[1, 2]]) == ()
    # 19:30–20:30 in London runs past their 20:00 (02:30 in Shanghai).
    assert humane_flags([stage], EVERYONE, utc(2027, 6, 14, 18, 30), [[1]]) == (
        HumaneFlag(EARLY), HumaneFlag(LATE, 1))
    # Someone without a calendar is not judged; someone listed twice is flagged once.
    assert humane_flags([stage], EVERYONE, start, [[99, 2, 2]]) == (
        HumaneFlag(EARLY), HumaneFlag(EARLY, 2))
