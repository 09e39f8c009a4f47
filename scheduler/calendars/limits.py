"""Limits that bound the work and memory one calendar import may take (DESIGN.md §5 and §10)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportLimits:
    """Upper bounds for one import; the defaults suit a person's calendar with years of history.

    `max_expanded_occurrences` bounds the repetition work (scheduler/calendars/repetition.py):
    every instant the expander produces for a series, before the window as well as in it, and
    every change of a time zone the file defines, counts as one occurrence (an instant in such a
    zone counts more, as each look-up walks the zone's changes). About 7 µs each on this
    machine, so the default keeps one read to a few seconds. The `reader_` limits are the job
    process's backstop (scheduler/calendars/sandbox.py): each source is read in a child process
    that is stopped after `reader_deadline_seconds` or when its address space reaches
    `reader_memory_bytes`.
    """

    max_bytes: int = 5_000_000
    max_events: int = 20_000
    max_occurrences: int = 50_000
    max_expanded_occurrences: int = 300_000
    fetch_timeout_seconds: float = 20.0
    max_redirects: int = 5
    reader_deadline_seconds: float = 90.0
    reader_memory_bytes: int = 1_500_000_000


DEFAULT_LIMITS = ImportLimits()
