"""Hostile calendars, built here rather than stored: each is small text whose rules ask for an
enormous expansion (issue 21, item 1). `BOMBS` maps a name to (bytes, what it attacks).

The reader must refuse each (a CalendarError whose message names the problem) or read it within
its occurrence limit; tests/unit/test_calendar_bombs.py runs every call in a child process with
a memory cap and a deadline, so a bomb that gets through fails the test instead of the machine.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.clock import NOW

_HEADER = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bombs//EN\r\n"
_FOOTER = "END:VCALENDAR\r\n"


def _stamp(at: datetime) -> str:
    return f"{at:%Y%m%dT%H%M%S}Z"


def calendar(*events: str, timezones: str = "") -> bytes:
    """Wrap event bodies (the text between BEGIN:VEVENT and END:VEVENT) in a calendar."""
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return (_HEADER + timezones + body + _FOOTER).encode()


def _numbers(first: int, last: int) -> str:
    return ",".join(str(n) for n in range(first, last + 1))


def _bomb_zone(tzid: str, frequency: str) -> str:
    """A VTIMEZONE whose STANDARD and DAYLIGHT parts repeat every *frequency* from 1601."""
    parts = []
    for kind, offset_from, offset_to in (("STANDARD", "+0100", "+0000"), ("DAYLIGHT", "+0000", "+0100")):
        parts.append(f"BEGIN:{kind}\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:{offset_from}\r\n"
                     f"TZOFFSETTO:{offset_to}\r\nRRULE:FREQ={frequency}\r\nEND:{kind}\r\n")
    return f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n{''.join(parts)}END:VTIMEZONE\r\n"


def _zoned_event(tzid: str) -> str:
    start = NOW + timedelta(days=3)
    return (f"UID:zoned\r\nSUMMARY:Uses the zone\r\nDTSTART;TZID={tzid}:{start:%Y%m%dT090000}\r\n"
            f"DTEND;TZID={tzid}:{start:%Y%m%dT100000}")


def _event(uid: str, start: str, rule: str, extra: str = "") -> str:
    """A repeating event lasting ten minutes from *start* (a UTC stamp ending in "0000Z")."""
    return (f"UID:{uid}\r\nSUMMARY:{uid}\r\nDTSTART:{start}\r\nDTEND:{start[:-5]}1000Z\r\n"
            f"RRULE:{rule}{extra}")


def _dense_day_rule() -> str:
    return f"FREQ=DAILY;BYHOUR={_numbers(0, 23)};BYMINUTE={_numbers(0, 59)};BYSECOND={_numbers(0, 59)}"


def build_bombs() -> dict[str, tuple[bytes, str]]:
    """Return every hostile calendar by name, with what it attacks."""
    soon = NOW + timedelta(days=2)
    rdates = ",".join(_stamp(soon + timedelta(minutes=n)) for n in range(60_000))
    month_ago = (NOW - timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    exdates = ",".join(_stamp(month_ago + timedelta(hours=n)) for n in range(15_000))
    return {
        "byxxx_lists_daily_from_1970": (
            calendar(_event("seconds", "19700101T000000Z", _dense_day_rule())),
            "FREQ=DAILY with every hour, minute and second: 86,400 a day since 1970"),
        "bysetpos_hides_the_work": (
            calendar(_event("setpos", "19700101T000000Z", _dense_day_rule() + ";BYSETPOS=1")),
            "one occurrence a day, chosen from 86,400 candidates each day since 1970"),
        "vtimezone_secondly": (
            calendar(_zoned_event("Bomb Seconds"), timezones=_bomb_zone("Bomb Seconds", "SECONDLY")),
            "a VTIMEZONE whose transitions repeat every second since 1601"),
        "vtimezone_hourly": (
            calendar(_zoned_event("Bomb Hours"), timezones=_bomb_zone("Bomb Hours", "HOURLY")),
            "a VTIMEZONE whose transitions repeat every hour since 1601"),
        "hourly_from_1900_prime_interval": (
            calendar(_event("prime", "19000101T000000Z", "FREQ=HOURLY;INTERVAL=7")),
            "an hourly rule (every 7 hours) walked from 1900 to today"),
        "huge_count": (
            calendar(_event("count", "19000101T000000Z", "FREQ=HOURLY;COUNT=2000000000")),
            "COUNT of two billion, hourly from 1900"),
        "never_matches_after_1970": (
            calendar(_event("never", "19700101T000000Z", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")),
            "a rule that never produces anything, walked day by day towards year 9999"),
        "many_rdates": (
            calendar(f"UID:rdates\r\nSUMMARY:rdates\r\nDTSTART:{_stamp(soon)}\r\nDTEND:{_stamp(soon + timedelta(minutes=1))}"
                     f"\r\nRDATE:{rdates}"),
            "60,000 extra dates in one RDATE list"),
        "large_exdate_list": (
            calendar(_event("exdates", _stamp(month_ago), "FREQ=HOURLY",
                            f"\r\nEXDATE:{exdates}")),
            "an hourly series with 15,000 excluded dates"),
        "many_rules_in_one_event": (
            calendar(_event("rules", "19700101T000000Z", "FREQ=DAILY",
                            "".join(f"\r\nRRULE:FREQ=DAILY;BYHOUR={h % 24}" for h in range(300)))),
            "300 daily rules in one event since 1970"),
        "many_daily_series_since_1970": (
            calendar(*(_event(f"series{n}", "19700101T000000Z", "FREQ=DAILY") for n in range(2_000))),
            "2,000 daily series since 1970: each modest, together 40 million"),
        "moved_instances_rewalk_the_series": (
            calendar(_event("moved", "19700101T090000Z", "FREQ=DAILY", "\r\nSEQUENCE:1"),
                     *(f"UID:moved\r\nSUMMARY:m{n}\r\nSEQUENCE:0\r\n"
                       f"RECURRENCE-ID:{date(2010, 1, 1) + timedelta(days=n):%Y%m%d}T090000Z\r\n"
                       f"DTSTART:{NOW + timedelta(days=n):%Y%m%d}T110000Z\r\n"
                       f"DTEND:{NOW + timedelta(days=n):%Y%m%d}T120000Z\r\nRRULE:FREQ=DAILY;COUNT=1"
                       for n in range(40))),
            "40 instances moved from 2010 into the window, with rules of their own: each makes the expander "
            "walk the daily series again from 1970 to check it"),
        "bomb_zone_under_a_known_name": (
            calendar(_zoned_event("Europe/Berlin"), timezones=_bomb_zone("Europe/Berlin", "SECONDLY")),
            "a VTIMEZONE repeating every second, named like a tz-database zone (which wins)"),
    }
