"""FROZEN copy of scheduler/domain/intervals.py at d9f30f6 (before issue 23): do not edit.

The comparison property test (tests/unit/test_engine_matches_frozen.py) checks the engine
against it. The original docstring follows.

Half-open time intervals as whole seconds since the Unix epoch.

The engine works on ``(start, end)`` pairs of ints, ``start < end``, meaning ``[start, end)``
(DESIGN.md §4 rule 5): two intervals that merely touch do not overlap. Integers keep the
set operations exact and fast; datetimes appear only at the engine's edges
(:func:`to_epoch` and :func:`from_epoch`).

An *interval list* is sorted by start, with no two members overlapping or touching — the
shape :func:`merge` returns and every other function here expects and returns.
"""
from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timezone
from typing import Iterable

Interval = tuple[int, int]


def to_epoch(instant: datetime) -> int:
    """Return an aware instant as whole seconds since the epoch."""
    if instant.tzinfo is None:
        # A naive datetime would silently be read in the machine's zone.
        raise ValueError(f"naive datetime {instant!r}: instants must be timezone-aware")
    return int(instant.timestamp())


def from_epoch(seconds: int) -> datetime:
    """Return epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, timezone.utc)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort intervals and join those that overlap or touch; drop empty ones."""
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if start >= end:
            continue
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def subtract(base: list[Interval], removed: list[Interval]) -> list[Interval]:
    """Return the parts of interval list *base* not covered by interval list *removed*."""
    if not removed or not base:
        return list(base)
    result: list[Interval] = []
    j = 0
    n_removed = len(removed)
    for start, end in base:
        # Skip removals that end before this piece begins; they cannot touch later pieces either.
        while j < n_removed and removed[j][1] <= start:
            j += 1
        k = j
        cursor = start
        while k < n_removed and removed[k][0] < end:
            r_start, r_end = removed[k]
            if r_start > cursor:
                result.append((cursor, r_start))
            if r_end > cursor:
                cursor = r_end
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def clip(intervals: list[Interval], lower: int, upper: int) -> list[Interval]:
    """Return the parts of interval list *intervals* inside ``[lower, upper)``."""
    result = []
    for start, end in intervals:
        if end <= lower or start >= upper:
            continue
        result.append((max(start, lower), min(end, upper)))
    return result


def covers(intervals: list[Interval], start: int, end: int) -> bool:
    """Tell whether one member of interval list *intervals* contains all of ``[start, end)``."""
    index = bisect_right(intervals, (start, float("inf"))) - 1
    return index >= 0 and intervals[index][0] <= start and end <= intervals[index][1]


def overlaps(intervals: list[Interval], start: int, end: int) -> bool:
    """Tell whether ``[start, end)`` shares any instant with interval list *intervals*."""
    index = bisect_right(intervals, (start, float("inf"))) - 1
    if index >= 0 and intervals[index][1] > start:
        return True
    return index + 1 < len(intervals) and intervals[index + 1][0] < end


def start_ranges(intervals: list[Interval], duration: int) -> list[tuple[int, int]]:
    """Return, per interval long enough, the closed range of starts that fit *duration* in it.

    ``[a, b)`` holds ``[s, s + duration)`` exactly when ``a <= s <= b - duration``.
    """
    return [(start, end - duration) for start, end in intervals if end - start >= duration]
