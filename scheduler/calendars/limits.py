"""Limits that bound the work and memory one calendar import may take (DESIGN.md §10)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportLimits:
    """Upper bounds for one import; the defaults suit a person's calendar with years of history."""

    max_bytes: int = 5_000_000
    max_events: int = 20_000
    max_occurrences: int = 50_000
    fetch_timeout_seconds: float = 20.0
    max_redirects: int = 5


DEFAULT_LIMITS = ImportLimits()
