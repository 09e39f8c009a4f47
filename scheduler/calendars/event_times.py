"""How a VEVENT's DTSTART or DTEND gives its time, and how a warning names it.

A time is an instant (UTC, or a zone icalendar knows or the file defines), a wall time under a
TZID nobody knows (icalendar leaves it naive), or a floating time; each side of an event is read
by its own rule (scheduler/calendars/ics.py), and warnings say truthfully which side was read how.
"""
from __future__ import annotations

from datetime import datetime, tzinfo

from scheduler.timeutil import canonical_zone


def zone_label_of(zone_info: tzinfo) -> str:
    """Name a zone icalendar read: its canonical IANA key, else its own name."""
    return canonical_zone(getattr(zone_info, "key", None) or str(zone_info))


# How a DTSTART or DTEND gives its time: an instant (UTC, or a zone icalendar knows or the file
# defines), a wall time under a TZID nobody knows (icalendar leaves it naive), or a floating time.
ZONED, UNKNOWN_ZONE, FLOATING = "zoned", "unknown zone", "floating"


def time_form(prop) -> str | None:
    """Return the form of a DTSTART/DTEND property, or None when it is absent or a date."""
    if prop is None or not isinstance(prop.dt, datetime):
        return None
    if prop.dt.tzinfo is not None:
        return ZONED
    return UNKNOWN_ZONE if prop.params.get("TZID") else FLOATING


def prop_zone_label(prop) -> str:
    """Name the zone of an aware DTSTART/DTEND: its IANA key, else the file's TZID."""
    key = getattr(prop.dt.tzinfo, "key", None)
    return canonical_zone(key) if key else str(prop.params.get("TZID") or prop.dt.tzinfo)


def wall_time(prop, floating_zone_name: str) -> str:
    """Say a DTSTART/DTEND as written, with the zone it was read in ("2025-03-10 10:00 Asia/Shanghai")."""
    zone_name = prop_zone_label(prop) if time_form(prop) == ZONED else floating_zone_name
    return f"{prop.dt:%Y-%m-%d %H:%M} {zone_name}"
