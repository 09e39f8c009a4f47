"""The search grid's index arithmetic and masks, against plain definitions (scheduler.domain.grid).

Grids on a lattice (the table path) and off it (an odd distance, as a clock change makes, or a
lattice too sparse: the bisect path); intervals reaching before, into and past the grid,
touching grid times exactly.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.domain import intervals as iv
from scheduler.domain.grid import BitCounter, Grid, first_free, positions

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)


@st.composite
def grids(draw):
    """Ascending starts: lattice points (some dropped), sometimes shifted off the lattice."""
    quantum = draw(st.sampled_from((900, 1800, 2700)))
    base = 1_800_000_000 + draw(st.integers(0, 100)) * 60
    points = sorted(set(draw(st.lists(st.integers(0, 200), min_size=0, max_size=60))))
    starts = [base + point * quantum for point in points]
    if starts and draw(st.booleans()):
        # A clock change moves later starts by a non-multiple of the quantum.
        cut = draw(st.integers(0, len(starts) - 1))
        shift = draw(st.sampled_from((-1800 + 60, 600, 1800 + 7)))
        starts = starts[:cut] + [start + shift for start in starts[cut:]]
        starts = sorted(set(starts))
    if starts and draw(st.booleans()):
        starts.append(starts[-1] + 40_000 * quantum)  # a lattice far larger than the grid
    return starts


@st.composite
def intervals(draw, starts, before, after):
    """Intervals around the grid, many of whose edges fall exactly where an edge of a mask is
    decided: a grid time plus *before* (a start) or minus *after* (an end)."""
    low = (starts[0] if starts else 1_800_000_000) - 20_000
    high = (starts[-1] if starts else 1_800_000_000) + 20_000
    any_time = st.integers(low, high)
    start_at = any_time | st.sampled_from([g + before for g in starts] or [low])
    end_at = any_time | st.sampled_from([g - after for g in starts] or [high])
    found = []
    for _ in range(draw(st.integers(0, 12))):
        start, end = draw(start_at), draw(end_at)
        if start >= end:
            start, end = end, start + (start == end)
        found.append((start, end))
    return found


def brute_meeting(starts, pairs, before, after):
    return sum(1 << j for j, g in enumerate(starts)
               if any(b - before < g < c + after for b, c in pairs))


def brute_inside(starts, pairs, lead, length):
    return sum(1 << j for j, g in enumerate(starts)
               if any(a <= g + lead and g + lead + length <= b for a, b in pairs))


@SETTINGS
@given(st.data())
def test_counts_and_masks_equal_their_definitions(data):
    starts = data.draw(grids())
    grid = Grid(starts)
    probes = data.draw(st.lists(st.integers(starts[0] - 5000, starts[-1] + 5000) if starts
                                else st.integers(0, 10), max_size=20)) + starts
    for instant in probes:
        assert grid.count_before(instant) == bisect_left(starts, instant)
        assert grid.count_until(instant) == bisect_right(starts, instant)
    before = data.draw(st.sampled_from((0, 600, 3600 + 900, 7200)))
    after = data.draw(st.sampled_from((0, 600, -1800, -5400)))
    pairs = data.draw(intervals(starts, before, after))
    assert grid.meeting(pairs, before, after) == brute_meeting(starts, pairs, before, after)
    merged = tuple(iv.merge(pairs))
    assert grid.meeting_sorted(merged, before, after) == brute_meeting(starts, merged, before,
                                                                       after)
    lead, length = data.draw(st.sampled_from((0, 1800))), data.draw(st.sampled_from((1800, 3600)))
    working = tuple(iv.merge(data.draw(intervals(starts, lead, -lead - length))))
    assert grid.inside(working, lead, length) == brute_inside(starts, working, lead, length)


@SETTINGS
@given(st.lists(st.integers(0, 2 ** 80 - 1), max_size=20), st.integers(0, 79))
def test_bit_counter_and_positions(masks, bit):
    counter = BitCounter()
    for mask in masks:
        counter.add(mask)
        assert positions(mask) == [j for j in range(80) if mask >> j & 1]
    assert counter.at(bit) == sum(mask >> bit & 1 for mask in masks)


@SETTINGS
@given(st.lists(st.integers(0, 2 ** 12 - 1), max_size=8), st.integers(1, 4))
def test_first_free_reads_the_first_people_in_order(masks, depth):
    order = [(0, 0, who, mask) for who, mask in enumerate(masks)]
    within = 0
    for mask in masks:
        within |= mask
    picks, reached = first_free(order, depth, within)
    for bit in range(12):
        expected = [who for who, mask in enumerate(masks) if mask >> bit & 1][:depth]
        assert picks.get(bit, []) == expected
        for count in range(depth):
            assert (reached[count] >> bit & 1) == (len(expected) > count)


@SETTINGS
@given(st.lists(st.integers(0, 2 ** 80 - 1), max_size=20),
       st.lists(st.integers(0, 79), unique=True).map(sorted))
def test_bit_counter_reads_many_bits_at_once(masks, bits):
    counter = BitCounter()
    for mask in masks:
        counter.add(mask)
    assert counter.values(bits) == [sum(mask >> bit & 1 for mask in masks) for bit in bits]
