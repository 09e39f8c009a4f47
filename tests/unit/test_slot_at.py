"""Property test: ``slot_at`` gives exactly the option the whole search gives at that start.

A booking asks the engine about one start only (DESIGN.md §6); it must get the same panel,
alternatives, humane score and flags the candidate was offered, and nothing where the search
offers nothing. Inputs are the frozen-engine test's random teams (zones with daylight saving,
holidays and 调休, overrides, busy time, caps, buffers, odd grid steps, senior seats, fairness
across local Mondays, loops). Fixed seed, bounded examples.
"""
from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.domain import slots as engine
from tests.unit.test_engine_matches_frozen import SETTINGS, engines, scenario


def search(stages, calendars, now, gap):
    if len(stages) == 1:
        return engine.find_slots(stages[0], calendars, now)
    return engine.find_loop_slots(stages, calendars, now, gap)


def assert_slot_at_matches(case, is_prepared, data):
    now, people, fields, gap = case
    _, (calendars, stages) = engines(people, fields, is_prepared)
    try:
        found = search(stages, calendars, now, gap)
    except ValueError:  # an input the engine refuses (e.g. a pool member without a calendar)
        return
    offered = {option.start_at: option for option in found.slots}
    for option in found.slots:
        assert engine.slot_at(stages, calendars, option.start_at, now, gap) == option
    # Starts the search does not offer: random instants, on and off the grid.
    for _ in range(4):
        start_at = now + timedelta(minutes=data.draw(st.integers(-120, 24 * 60 * 9)))
        assert engine.slot_at(stages, calendars, start_at, now, gap) == offered.get(start_at)


@SETTINGS
@given(scenario(), st.booleans(), st.data())
def test_one_stage_slot_at_is_the_searchs_slot(case, is_prepared, data):
    assert_slot_at_matches(case, is_prepared, data)


@settings(SETTINGS, max_examples=40)
@given(scenario(sizes=(2, 3), is_senior_required=True, min_people=4), st.booleans(), st.data())
def test_senior_seat_slot_at_is_the_searchs_slot(case, is_prepared, data):
    assert_slot_at_matches(case, is_prepared, data)


@settings(SETTINGS, max_examples=50)
@given(scenario(max_stages=3, sizes=(0, 1, 1, 1, 2), min_people=3), st.booleans(), st.data())
def test_loop_slot_at_is_the_searchs_slot(case, is_prepared, data):
    assert_slot_at_matches(case, is_prepared, data)
