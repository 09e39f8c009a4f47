"""Clock and zone helpers: the only module that reads the clock (DESIGN.md §4 rule 2).

The clock can be frozen for a whole process (the FROZEN_NOW setting: tests, the demo, the bench),
so that business time never depends on the instant a test or a bench happens to run.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, available_timezones

from babel.core import get_global

_frozen_at: datetime | None = None


def utc_now() -> datetime:
    """Return the current instant as an aware UTC datetime (the frozen one when set)."""
    if _frozen_at is not None:
        return _frozen_at
    return datetime.now(timezone.utc)


def wall_clock_now() -> datetime:
    """Return the real instant, ignoring a frozen clock: only for when a process wakes up, for
    the rate limiter's storage, which expires its keys on the real clock, and for the leases
    that keep job processes apart (real time between processes)."""
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
    """Return every current IANA zone name, sorted, for pick lists (no legacy aliases)."""
    aliases = zone_aliases()
    return sorted(z for z in _zone_names() if ("/" in z or z == "UTC") and z not in aliases)


# --- one name per zone (issue 14) -------------------------------------------------------------
#
# A zone has legacy names besides its current one: Asia/Calcutta for Asia/Kolkata, Europe/Kiev
# for Europe/Kyiv, US/Pacific, PRC. Chromium reports CLDR's ids, many of them such legacy names,
# and stored as they come they spread into invites and lists and make equal zones look different.
# The table is CLDR's, as Babel ships it (babel.core.get_global("zone_aliases")): it renames
# only. The `tzdata` package's own links (tzdata.zi) were not used: besides renamings they merge
# places that have kept the same clocks since 1970 (Europe/Stockholm -> Europe/Berlin,
# Atlantic/Reykjavik -> Africa/Abidjan), which would move people to another country's city.
# UTC keeps the short name the app has always used ("Etc/UTC" and its aliases become "UTC").
_UTC = "UTC"
_ALIASES: dict[str, str] | None = None


def zone_aliases() -> dict[str, str]:
    """Return {legacy name: current name} for every zone alias this machine can resolve."""
    global _ALIASES
    if _ALIASES is None:
        table = {}
        for alias, target in get_global("zone_aliases").items():
            target = _UTC if target == "Etc/UTC" else target
            if alias != target and target in _zone_names():
                table[alias] = target
        table["Etc/UTC"] = _UTC
        _ALIASES = table
    return _ALIASES


def canonical_zone(name: str | None) -> str:
    """Return the current name of zone *name* ("Asia/Calcutta" -> "Asia/Kolkata"), stripped.

    Any other text comes back stripped and otherwise unchanged, so callers still validate it
    with is_valid_zone(). Every zone name that enters the app goes through here.
    """
    cleaned = (name or "").strip()
    return zone_aliases().get(cleaned, cleaned)


def same_zone(first: str | None, second: str | None) -> bool:
    """Tell whether two zone names name the same zone (an alias and its current name do)."""
    return canonical_zone(first) == canonical_zone(second)


def to_zone(instant: datetime, zone: str) -> datetime:
    """Convert an aware instant to wall-clock time in *zone*."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: an instant must carry its zone")
    return instant.astimezone(ZoneInfo(zone))


def format_in_zone(instant: datetime, zone: str, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Render an instant as wall-clock time in *zone*, labelled with the zone."""
    local = to_zone(instant, zone)
    return f"{local.strftime(pattern)} {local.strftime('%Z')} ({zone})"
