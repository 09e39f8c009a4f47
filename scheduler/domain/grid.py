"""The grid of one search: its start times as bit positions, and bitmasks over them.

A search offers start times on a grid (see :mod:`scheduler.domain.slots`); bit *j* of a mask
stands for the grid's *j*-th start. An interviewer's availability for a stage is one big
integer over the grid (bit set: free for the whole interview, buffers included), so the panel
and the number of alternatives at every start come from a few integer operations per
interviewer instead of a sweep over sorted events.

Counting starts before an instant is the inner loop of building those masks (once per busy
interval). Most grids lie on a lattice: the first start plus multiples of a quantum (the step,
or the greatest common divisor of the distances between starts, which a clock change can
shrink). Then the count is one division and one lookup in a table over the lattice. A grid
whose lattice would be much larger than itself bisects instead.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate, repeat
from math import gcd
from operator import add, itemgetter, lshift
from typing import Iterable, Sequence

_START, _END = itemgetter(0), itemgetter(1)
# Above this many lattice points per start a table costs more than it saves: bisect instead.
_LATTICE_PER_START = 16
# Below this many set bits, reading them one by one beats scanning the binary digits.
_SPARSE_BITS = 24
_DIGIT_VALUES = bytes.maketrans(b"01", b"\x00\x01")


class Grid:
    """Ascending grid *starts* (epoch seconds) with the index arithmetic for masks over them."""

    def __init__(self, starts: Sequence[int]):
        self.starts = list(starts)
        self.size = size = len(self.starts)
        self.all = (1 << size) - 1
        self.table: list[int] | None = None
        if not size:
            return
        base = self.starts[0]
        quantum = gcd(*(start - base for start in self.starts)) or 1
        length = (self.starts[-1] - base) // quantum + 1
        if length <= _LATTICE_PER_START * size + 64:
            # table[q]: how many starts lie on lattice points before the q-th.
            marks = bytearray(length + 1)
            for start in self.starts:
                marks[(start - base) // quantum + 1] = 1
            self.table = list(accumulate(marks))
            self.base, self.quantum, self.length = base, quantum, length

    def count_before(self, instant: int) -> int:
        """Return how many starts are earlier than *instant*."""
        if self.table is None:
            return bisect_left(self.starts, instant)
        index = -((self.base - instant) // self.quantum)  # ceiling of the lattice position
        return 0 if index <= 0 else self.size if index >= self.length else self.table[index]

    def count_until(self, instant: int) -> int:
        """Return how many starts are at or before *instant*."""
        if self.table is None:
            return bisect_right(self.starts, instant)
        index = (instant - self.base) // self.quantum + 1
        return 0 if index <= 0 else self.size if index >= self.length else self.table[index]

    def span(self, first: int, last: int) -> int:
        """Return the mask of bits ``first … last − 1``."""
        return (1 << last) - (1 << first) if first < last else 0

    def inside(self, intervals: Iterable[tuple[int, int]], lead: int, length: int) -> int:
        """Return the starts *g* with ``[g + lead, g + lead + length)`` inside one interval."""
        mask = 0
        for start, end in intervals:
            first, last = self.count_before(start - lead), self.count_until(end - lead - length)
            if first < last:
                mask |= (1 << last) - (1 << first)
        return mask

    def meeting(self, intervals: Iterable[tuple[int, int]], before: int, after: int) -> int:
        """Return the starts *g* with ``b − before < g < c + after`` for an interval ``(b, c)``
        (any order; few intervals). With *before* and *after* chosen by the caller these are
        the starts whose interview, with its buffers, overlaps the interval."""
        mask = 0
        for start, end in intervals:
            first, last = self.count_until(start - before), self.count_before(end + after)
            if first < last:
                mask |= (1 << last) - (1 << first)
        return mask

    def meeting_sorted(self, intervals: Sequence[tuple[int, int]], before: int, after: int) -> int:
        """:meth:`meeting` for a sorted, merged interval list (starts and ends ascending): the
        many busy intervals of a calendar. Only the part that can reach the grid is read."""
        size = self.size
        if not size or not intervals:
            return 0
        starts = self.starts
        first = bisect_right(intervals, starts[0] - after, key=_END)
        last = bisect_left(intervals, starts[-1] + before, lo=first, key=_START)
        mask = 0
        table = self.table
        if table is None:
            for start, end in intervals[first:last]:
                low, high = bisect_right(starts, start - before), bisect_left(starts, end + after)
                if low < high:
                    mask |= (1 << high) - (1 << low)
            return mask
        # The hottest loop of a search, hence inlined: lattice positions by division, with the
        # offsets folded into two constants (floor for the low edge, ceiling for the high one).
        quantum, length = self.quantum, self.length
        low_origin = before + self.base - quantum
        high_origin = self.base - after - quantum + 1
        for start, end in intervals[first:last]:
            low = (start - low_origin) // quantum
            high = (end - high_origin) // quantum
            low = table[low] if low > 0 else 0
            high = table[high] if high < length else size
            if low < high:
                mask |= (1 << high) - (1 << low)
        return mask


def positions(mask: int) -> list[int]:
    """Return the set bits of *mask*, ascending."""
    if mask.bit_count() < _SPARSE_BITS:
        found = []
        while mask:
            low = mask & -mask
            found.append(low.bit_length() - 1)
            mask ^= low
        return found
    digits = format(mask, "b")[::-1]
    return [index for index, digit in enumerate(digits) if digit == "1"]


class BitCounter:
    """Per-bit counts of many masks, kept as binary digits (bit-sliced): ``add`` is a ripple
    carry over a handful of big integers, ``at`` reads one bit's count."""

    def __init__(self):
        self.slices: list[int] = []

    def add(self, mask: int) -> None:
        """Count one more mask."""
        slices = self.slices
        for index, digit in enumerate(slices):
            if not mask:
                return
            slices[index] = digit ^ mask
            mask &= digit
        if mask:
            slices.append(mask)

    def at(self, bit: int) -> int:
        """Return how many of the masks have *bit* set."""
        return sum(((digit >> bit) & 1) << index for index, digit in enumerate(self.slices))

    def values(self, bits: Sequence[int]) -> list[int]:
        """Return the counts at each of *bits*: each slice's binary digits, read at those bits
        in one C-level pass (as bytes 0 and 1), shifted to its weight and added."""
        if not bits:
            return []
        if len(bits) == 1:
            return [self.at(bits[0])]
        pick = itemgetter(*bits)
        width = max(bits) + 1
        counts: Iterable[int] = repeat(0, len(bits))
        for index, digit in enumerate(self.slices):
            digits = format(digit, "b")[::-1].ljust(width, "0").encode().translate(_DIGIT_VALUES)
            counts = map(add, counts, map(lshift, pick(digits), repeat(index)))
        return list(counts)


def first_free(order: Sequence[tuple[int, int, int, int]], depth: int, within: int
               ) -> tuple[dict[int, list[int]], list[int]]:
    """Read, per bit of *within*, the first *depth* people free there, in the given order.

    *order* holds ``(…, …, who, mask)`` in fairness order; a person may appear several times
    with disjoint masks (one per stretch of weeks with the same rank). Returns ``{bit: [who, …]}``
    and, per ``c < depth``, the mask of bits where at least ``c + 1`` people were found.
    """
    picks: dict[int, list[int]] = {}
    reached = [0] * depth
    if depth <= 0:
        return picks, reached
    # levels[c]: bits where exactly c people have been found so far.
    levels = [within] + [0] * (depth - 1)
    for *_rank, who, mask in order:
        found_here = False
        for count in range(depth - 1, -1, -1):  # downwards: a bit climbs one level per person
            hit = levels[count] & mask
            if not hit:
                continue
            found_here = True
            levels[count] ^= hit
            reached[count] |= hit
            if count + 1 < depth:
                levels[count + 1] |= hit
            for bit in positions(hit):
                chosen = picks.get(bit)
                if chosen is None:
                    picks[bit] = [who]
                else:
                    chosen.append(who)
        if found_here and not any(levels):
            break
    return picks, reached
