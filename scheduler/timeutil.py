"""Clock and zone helpers: the only module that reads the clock (DESIGN.md §4 rule 2).

The clock can be frozen for a whole process (the FROZEN_NOW setting: tests, the demo, the bench),
so that business time never depends on the instant a test or a bench happens to run.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, available_timezones

_frozen_at: datetime | None = None


def utc_now() -> datetime:
    """Return the current instant as an aware UTC datetime (the frozen one when set)."""
    if _frozen_at is not None:
        return _frozen_at
    return datetime.now(timezone.utc)


def wall_clock_now() -> datetime:
    """Return the real instant, ignoring a frozen clock: only for when a process wakes up."""
    return datetime.now(timezone.utc)


def freeze_clock(instant: datetime | None) -> None:
    """Make utc_now() return *instant* in this process from now on (None: the real clock)."""
    global _frozen_at
    if instant is not None and instant.tzinfo is None:
        raise ValueError("naive datetime: a frozen clock must carry its zone")
    _frozen_at = instant.astimezone(timezone.utc) if instant is not None else None


def is_clock_frozen() -> bool:
    """Tell whether utc_now() returns a fixed instant in this process."""
    return _frozen_at is not None


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant with a zone or offset (``…Z`` included) into aware UTC."""
    instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no zone: give one, e.g. 2026-12-01T09:00:00+08:00 or …Z")
    return instant.astimezone(timezone.utc)


def is_valid_zone(name: str | None) -> bool:
    """Tell whether *name* is an IANA zone name known to this machine."""
    return bool(name) and name in _zone_names()


_ZONES: frozenset[str] | None = None


def _zone_names() -> frozenset[str]:
    # available_timezones() walks tzdata on every call; keep the answer for the process.
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def sorted_zone_names() -> list[str]:
    """Return every IANA zone name, sorted, for pick lists."""
    return sorted(z for z in _zone_names() if "/" in z or z == "UTC")


def to_zone(instant: datetime, zone: str) -> datetime:
    """Convert an aware instant to wall-clock time in *zone*."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: an instant must carry its zone")
    return instant.astimezone(ZoneInfo(zone))


def format_in_zone(instant: datetime, zone: str, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Render an instant as wall-clock time in *zone*, labelled with the zone."""
    local = to_zone(instant, zone)
    return f"{local.strftime(pattern)} {local.strftime('%Z')} ({zone})"
