"""Hostile calendars are refused or read within bounds (issue 21, item 1).

Each call of the importer runs in a child process forked from this one, with its address space
capped (RLIMIT_AS) and a hard deadline: a bomb that gets through fails the test, not the machine.
The bound the importer keeps is an occurrence count read from the limits
(`ImportLimits.max_expanded_occurrences` for the work of repeating, `max_occurrences` for what
lands in the window); the refusal names the event or zone and says that number.
"""
from __future__ import annotations

import multiprocessing
import re
import resource
import time
from datetime import timedelta

import pytest

from scheduler.calendars import DEFAULT_LIMITS, CalendarError, read_busy_intervals
from tests.calendar_bombs import build_bombs
from tests.clock import NOW

# Run while no other test does (tests/alone.py): a deadline on the real clock, and children
# using up to their memory cap.
pytestmark = pytest.mark.alone

BOMBS = build_bombs()
DEADLINE_SECONDS = 20
MEMORY_ABOVE_START_BYTES = 1_000_000_000
# The window services read: from a day before NOW to the default horizon plus its margin.
WINDOW = (NOW - timedelta(days=1), NOW + timedelta(days=35))
WORK = DEFAULT_LIMITS.max_expanded_occurrences
IN_WINDOW = DEFAULT_LIMITS.max_occurrences
EXPECTED = {
    # name: ("refused", code, the limit it names) or ("read", how many busy intervals)
    "byxxx_lists_daily_from_1970": ("refused", "repeats_too_often", WORK),
    "bysetpos_hides_the_work": ("refused", "repeats_too_often", WORK),
    "vtimezone_secondly": ("refused", "zone_changes_too_often", WORK),
    "vtimezone_hourly": ("refused", "zone_changes_too_often", WORK),
    "hourly_from_1900_prime_interval": ("refused", "repeats_too_often", WORK),
    "huge_count": ("refused", "repeats_too_often", WORK),
    "never_matches_after_1970": ("refused", "repeats_too_often", WORK),
    "many_rdates": ("refused", "too_many_occurrences", IN_WINDOW),
    "large_exdate_list": ("read", 0),  # every hour of the window is excluded
    "many_rules_in_one_event": ("refused", "repeats_too_often", WORK),
    "many_daily_series_since_1970": ("refused", "calendar_repeats_too_often", WORK),
    # The estimate lets it through (the series once is modest): the count while expanding stops it.
    "moved_instances_rewalk_the_series": ("refused", "calendar_repeats_too_often", WORK),
    "bomb_zone_under_a_known_name": ("read", 1),  # Europe/Berlin is the tz database's
}


def _virtual_memory_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return int(re.search(r"^VmSize:\s+(\d+) kB", status.read(), re.M).group(1)) * 1024


def _read_in_child(data: bytes, sender) -> None:
    cap = _virtual_memory_bytes() + MEMORY_ABOVE_START_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        result = read_busy_intervals(data, default_zone="Asia/Shanghai", window_start_at=WINDOW[0],
                                     window_end_at=WINDOW[1])
        sender.send(("read", len(result.intervals), ""))
    except CalendarError as error:
        sender.send(("refused", error.code, error.params, str(error)))
    except MemoryError:
        sender.send(("out of memory",))


def read_bounded(data: bytes) -> tuple:
    """Read *data* in a forked child under the memory cap and the deadline; fail the test past either."""
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_read_in_child, args=(data, sender))
    started = time.monotonic()
    child.start()
    sender.close()
    try:
        if not receiver.poll(DEADLINE_SECONDS):
            pytest.fail(f"the importer did not return within {DEADLINE_SECONDS} s")
        outcome = receiver.recv()
    except EOFError:
        pytest.fail(f"the importer died (exit code {child.exitcode}) under the memory cap")
    finally:
        child.kill()
        child.join()
    assert outcome[0] != "out of memory", "the importer ran out of memory under the cap"
    return outcome + (time.monotonic() - started,)


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_each_hostile_calendar_is_refused_or_read_within_bounds(name):
    data, what = BOMBS[name]
    outcome = read_bounded(data)
    expected = EXPECTED[name]
    assert outcome[0] == expected[0], (what, outcome)
    if expected[0] == "read":
        assert outcome[1] == expected[1] <= IN_WINDOW
        return
    _, code, params, message, _seconds = outcome
    assert code == expected[1], (what, message)
    assert params["max_count"] == expected[2]  # the bound is the occurrence count of the limits
    assert f"{expected[2]}" in message
    if code == "repeats_too_often":
        assert f'"{params["summary"]}" (line 4)' in message and params["count"] > expected[2]
    if code == "zone_changes_too_often":
        assert params["tzid"] in message


def test_the_corpus_covers_every_kind_named_in_the_issue():
    assert set(EXPECTED) == set(BOMBS)
    for name in ("byxxx_lists_daily_from_1970", "vtimezone_secondly", "vtimezone_hourly",
                 "hourly_from_1900_prime_interval"):
        assert len(BOMBS[name][0]) < 1000  # a few hundred bytes each, as reported


OUTLOOK_ZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\n"
    "BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n")
EVERYDAY_RULES = {
    # uid: (DTSTART (UTC unless it names a zone), RRULE): series people really keep for years
    "weekdays": ("20150105T010000Z", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    "daily-weekdays": ("20100104T020000Z", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"),
    "every-other-month": ("20120102T030000Z", "FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO"),
    "last-workday": ("20120131T040000Z", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
    "fortnightly": ("20180101T050000Z", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"),
    "leap-day": ("20000229T060000Z", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
    "stand-up": (f"TZID=Customized Time Zone:{NOW.year - 3}0101T090000", "FREQ=DAILY"),
}


def test_everyday_rules_kept_for_years_are_still_read():
    events = []
    for uid, (start, rule) in EVERYDAY_RULES.items():
        stamp = start.rpartition(":")[2]
        params = f";{start.rpartition(':')[0]}" if ":" in start else ""
        end = stamp[:9] + f"{int(stamp[9:11]) + 1:02d}" + stamp[11:]
        events.append(f"BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{uid}\r\nDTSTART{params}:{stamp}\r\n"
                      f"DTEND{params}:{end}\r\nRRULE:{rule}\r\nEND:VEVENT\r\n")
    data = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + OUTLOOK_ZONE + "".join(events)
            + "END:VCALENDAR\r\n").encode()
    result = read_busy_intervals(data, default_zone="UTC", window_start_at=WINDOW[0], window_end_at=WINDOW[1])
    assert result.warnings == []
    found = {interval.external_uid for interval in result.intervals}
    # Every series with an instance in five weeks has it (the leap day may fall outside).
    assert found >= set(EVERYDAY_RULES) - {"leap-day", "every-other-month", "last-workday"}
    days = sorted({i.start_at.date() for i in result.intervals if i.external_uid == "stand-up"})
    assert len(days) >= 35
