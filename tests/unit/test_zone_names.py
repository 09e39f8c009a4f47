"""One name per zone (issue 14 item 6): legacy aliases such as Asia/Calcutta become current names.

Chromium reports CLDR's ids, several of them legacy names (Asia/Calcutta, Europe/Kiev,
Asia/Saigon). The table is CLDR's as Babel ships it; it renames, it never merges places.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from scheduler.calendars import read_busy_intervals
from scheduler.calendars.zones import resolve_zone_name
from scheduler.timeutil import (
    canonical_zone, is_valid_zone, same_zone, sorted_zone_names, zone_aliases,
)
from tests.unit.test_calendars_ics import ics, read, spans


@pytest.mark.parametrize("given, current", [
    ("Asia/Calcutta", "Asia/Kolkata"),
    (" Asia/Calcutta\n", "Asia/Kolkata"),
    ("Europe/Kiev", "Europe/Kyiv"),
    ("Asia/Saigon", "Asia/Ho_Chi_Minh"),
    ("Asia/Katmandu", "Asia/Kathmandu"),
    ("America/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ("US/Pacific", "America/Los_Angeles"),
    ("PRC", "Asia/Shanghai"),
    ("Asia/Chongqing", "Asia/Shanghai"),
    ("GB", "Europe/London"),
    ("Etc/UTC", "UTC"),
    ("Zulu", "UTC"),
    # Current names, and places that merely share clocks with another, stay as they are.
    ("Asia/Kolkata", "Asia/Kolkata"),
    ("Asia/Shanghai", "Asia/Shanghai"),
    ("UTC", "UTC"),
    ("Europe/Oslo", "Europe/Oslo"),
    ("Asia/Kuala_Lumpur", "Asia/Kuala_Lumpur"),
    ("Atlantic/Reykjavik", "Atlantic/Reykjavik"),
    # Anything else comes back stripped, for the caller to refuse.
    ("Mars/Olympus", "Mars/Olympus"),
    ("", ""),
    (None, ""),
])
def test_canonical_zone(given, current):
    assert canonical_zone(given) == current


def test_every_alias_leads_to_a_known_current_name_in_one_step():
    aliases = zone_aliases()
    assert len(aliases) > 100
    for alias, current in aliases.items():
        assert is_valid_zone(current), alias
        assert canonical_zone(current) == current, alias


def test_pick_lists_offer_current_names_only():
    names = sorted_zone_names()
    assert "Asia/Kolkata" in names and "UTC" in names and "Europe/Oslo" in names
    assert not {"Asia/Calcutta", "Europe/Kiev", "US/Pacific", "Etc/UTC"} & set(names)


def test_same_zone():
    assert same_zone("Asia/Calcutta", "Asia/Kolkata")
    assert same_zone("Asia/Kolkata", " Asia/Kolkata ")
    assert not same_zone("Europe/Oslo", "Europe/Berlin")


def test_calendar_zone_names_that_are_aliases_are_read_by_their_current_name():
    assert resolve_zone_name("Asia/Calcutta") == "Asia/Kolkata"
    # CLDR's Windows table maps to the legacy id; the import still says the current one.
    assert resolve_zone_name("India Standard Time") == "Asia/Kolkata"
    assert resolve_zone_name("Mars/Olympus") is None


def test_an_imports_warnings_name_aliased_zones_by_their_current_names():
    # 10:00 Asia/Calcutta (UTC+05:30) = 04:30Z; the floating end 11:00 is read in the interviewer's
    # zone, here also given by its legacy name.
    data = ics("UID:m\r\nSUMMARY:sync\r\nDTSTART;TZID=Asia/Calcutta:20250310T100000\r\nDTEND:20250310T113000")
    result = read(data, "Asia/Calcutta")
    assert spans(result) == [("2025-03-10 04:30", "2025-03-10 06:00", "sync")]
    [warning] = result.warnings
    assert (warning.params["zone"], warning.params["other_zone"]) == ("Asia/Kolkata", "Asia/Kolkata")
    assert "Calcutta" not in warning.message()
    unknown = read_busy_intervals(
        ics("UID:f\r\nDTSTART:20250310T090000\r\nDTEND:20250310T100000", header="X-WR-TIMEZONE:Mars/X\r\n"),
        default_zone="Asia/Calcutta", window_start_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
        window_end_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert unknown.warnings[0].params["zone"] == "Asia/Kolkata"
