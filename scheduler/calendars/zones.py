"""Time-zone names in calendars: IANA and Windows TZIDs, and isolation of icalendar's zone cache.

Outlook and Exchange name zones the Windows way ("China Standard Time"); icalendar ships the
CLDR Windows-to-IANA table, which we use rather than keep a copy. A TZID that names a known IANA
or Windows zone always means that IANA zone, whatever VTIMEZONE the file carries; only unknown
TZIDs fall back to the file's own VTIMEZONE.

icalendar resolves TZIDs through one process-wide provider (`icalendar.timezone.tzp`) that keeps
every zone it has built in a cache keyed by TZID, including zones built from a file's VTIMEZONE.
Left alone, the first file that defines "Customized Time Zone" would decide that zone for every
later import in the process. `isolated_timezones()` serialises imports and gives each one an
empty cache (and empties it again afterwards, so nothing leaks into other icalendar users).
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from scheduler.timeutil import canonical_zone, is_valid_zone

_IMPORT_LOCK = threading.Lock()
# A TZID parameter value, quoted or not; the file is unfolded before this runs.
_TZID_PARAM = re.compile(rb';TZID=(?:"([^"\r\n]*)"|([^;:\r\n]*))', re.IGNORECASE)
_UNFOLD = re.compile(rb"\r?\n[ \t]")


def windows_zone_to_iana(name: str) -> str | None:
    """Return the IANA zone for a Windows zone name such as "China Standard Time", or None."""
    # Exact spelling, as icalendar itself matches it: a name it would not map must not be
    # reported as mapped here.
    return WINDOWS_TO_OLSON.get(name.strip())


def resolve_zone_name(name: str | None) -> str | None:
    """Return the IANA zone a TZID or X-WR-TIMEZONE names (IANA or Windows), or None if unknown.

    The answer is the zone's current name: a legacy alias (Asia/Calcutta) and CLDR's Windows
    table, which maps to such aliases ("India Standard Time" -> Asia/Calcutta), both give
    Asia/Kolkata.
    """
    if not name:
        return None
    cleaned = name.strip().strip("/")
    if is_valid_zone(cleaned):
        return canonical_zone(cleaned)
    iana = windows_zone_to_iana(cleaned)
    return canonical_zone(iana) if iana else None


def zone(name: str) -> ZoneInfo:
    """Return the ZoneInfo for an IANA *name*; raise ValueError for anything else."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"not an IANA time zone: {name!r}") from exc


def tzids_in(data: bytes) -> set[str]:
    """Return the TZID parameter values used in raw iCalendar *data*."""
    unfolded = _UNFOLD.sub(b"", data)
    found = set()
    for quoted, bare in _TZID_PARAM.findall(unfolded):
        found.add((quoted or bare).decode("utf-8", "replace").strip())
    return found


@contextmanager
def isolated_timezones(tzids: Iterable[str] = ()) -> Iterator[None]:
    """Parse and expand inside this block to get a private, pre-seeded icalendar zone cache.

    *tzids* are the TZIDs the data uses: those naming Windows zones are resolved to their IANA
    zone before parsing, so that icalendar does not let the file's VTIMEZONE of the same name
    win (it caches a VTIMEZONE only for names it does not know yet).
    """
    with _IMPORT_LOCK:
        icalendar.use_zoneinfo()  # a fresh provider comes with an empty cache
        try:
            for tzid in tzids:
                if windows_zone_to_iana(tzid) and not is_valid_zone(tzid):
                    tzp.timezone(tzid)
            yield
        finally:
            icalendar.use_zoneinfo()
