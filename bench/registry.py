"""The registry of bench workloads: a module registers workloads, the runner times them.

A workload is a name plus a ``prepare()`` that builds its inputs once (outside the timing) and
returns a :class:`Prepared`: ``run()`` does the measured work and returns how many slots it
found; ``floor()`` does only the unavoidable part — loading the busy intervals the workload
reads — so the runner can say how far above that floor the real work is.

Later issues add database-backed workloads by writing a module that calls :func:`register` and
listing it in :data:`WORKLOAD_MODULES`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

# Modules imported by the runner; each registers its workloads when imported.
WORKLOAD_MODULES = ["bench.engine_workloads", "bench.db_workloads", "bench.candidate_page",
                    "bench.board_page", "bench.booking_post"]


@dataclass(frozen=True)
class Prepared:
    """A workload with its inputs built: the measured call and its floor."""

    run: Callable[[], int]
    floor: Callable[[], object]
    busy_intervals: int
    # The generated team and interviewer ids whose stored rows a request would read: bench.compare
    # times reading them from a database as its floor (None: the workload reads a database itself).
    source: tuple[str, tuple[int, ...]] | None = None
    # A workload measured in CPU rather than wall time: after each run, the CPU ms it cost
    # (app process and database backends), and that cost split into named parts.
    cpu_ms: Callable[[], float] | None = None
    parts: Callable[[], dict[str, float]] | None = None


@dataclass(frozen=True)
class Workload:
    """A named, repeatable measurement; *target_ms* is the median it must not exceed.

    *compare_to* names another workload: the runner prints the ratio of the two medians next to
    the ratio of their busy intervals (e.g. L against M).
    """

    name: str
    description: str
    prepare: Callable[[], Prepared]
    target_ms: float | None = None
    compare_to: str | None = None


WORKLOADS: dict[str, Workload] = {}


def register(workload: Workload) -> Workload:
    """Add a workload to the registry (names are unique)."""
    if workload.name in WORKLOADS:
        raise ValueError(f"workload {workload.name!r} registered twice")
    WORKLOADS[workload.name] = workload
    return workload
