"""Clock and zone helpers: the only module that reads the clock (DESIGN.md §4 rule 2)."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, available_timezones


def utc_now() -> datetime:
    """Return the current instant as an aware UTC datetime."""
    return datetime.now(timezone.utc)


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
