"""Reading iCalendar files into busy intervals: the rules of issue 5, proven on real client exports.

Expected intervals were worked out by hand from each file's text (zone offsets from the tz
database), not copied from the reader's output; the comment above each case shows the working.
Permissively licensed corpus files live in tests/calendars_corpus/; the others are read from
../shared/calendars/real-world/ and those tests skip when that folder is absent.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import icalendar
import pytest

from scheduler.calendars import (
    CalendarError,
    ImportLimits,
    MESSAGES,
    Problem,
    read_busy_intervals,
    read_busy_intervals_from_parts,
)

UTC = timezone.utc
LOCAL_CORPUS = Path(__file__).resolve().parents[1] / "calendars_corpus"
SHARED_CORPUS = Path(os.environ.get(
    "CALENDAR_CORPUS_DIR",
    Path(__file__).resolve().parents[3] / "shared" / "calendars" / "real-world",
))
WIDE_START_AT = datetime(1990, 1, 1, tzinfo=UTC)
WIDE_END_AT = datetime(2031, 1, 1, tzinfo=UTC)


def corpus_file(name: str) -> bytes:
    """Return a corpus file from the local copy, else from the shared corpus, else skip."""
    for folder in (LOCAL_CORPUS, SHARED_CORPUS):
        if (folder / name).is_file():
            return (folder / name).read_bytes()
    pytest.skip(f"{name} is not in tests/calendars_corpus and {SHARED_CORPUS} is absent")


def utc(text: str) -> datetime:
    """Parse '2019-03-05 18:00' as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def read(data: bytes | str, zone: str = "Asia/Shanghai", start: str | None = None, end: str | None = None,
         **kwargs):
    return read_busy_intervals(
        data,
        default_zone=zone,
        window_start_at=utc(start) if start else WIDE_START_AT,
        window_end_at=utc(end) if end else WIDE_END_AT,
        **kwargs,
    )


def spans(result) -> list[tuple[str, str, str]]:
    """Intervals as ('YYYY-MM-DD HH:MM', 'YYYY-MM-DD HH:MM', summary) in UTC."""
    fmt = "%Y-%m-%d %H:%M"
    return [(i.start_at.strftime(fmt), i.end_at.strftime(fmt), i.summary) for i in result.intervals]


def codes(result) -> list[str]:
    return [w.code for w in result.warnings]


def ics(*events: str, header: str = "", timezones: str = "") -> bytes:
    """Build a small calendar; each event is the text between BEGIN:VEVENT and END:VEVENT."""
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    text = (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{header}{timezones}{body}"
            "END:VCALENDAR\r\n")
    return text.replace("\n\n", "\n").encode()


def vtimezone(tzid: str, offset: str) -> str:
    return (f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
            f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")


# --- hand-computed weeks from real client exports -------------------------------------------------

def test_google_berlin_week_with_exdates_and_multiday_event():
    # Week Mon 2019-03-04 00:00 CET .. Mon 03-11 (CET = UTC+1), X-WR-TIMEZONE Europe/Berlin.
    # HACKademy MO,TU,WE 14-18 COUNT=6 from 03-04; Plenum 17-19 every 2nd TU from 2018-01-23
    # (… 02-19, 03-05); OK Lab 19-21 every 2nd TU from 2017-12-12 (… 02-19, 03-05);
    # Chaostreff WE 19-21; TEC TH 15-17; OpenLab TH 18-20; Montessori TH and FR 08:30-14:30 are
    # EXDATEd on 03-07 and 03-08; the 2SA monthly series ended 03-08 22:59Z before 03-09;
    # HACKademy 03-09 08:30Z .. 03-10 16:00Z is given in UTC.
    result = read(corpus_file("google-xwr-timezone-berlin-weekly-exdate-moved-dst.ics"), "Europe/Berlin",
                  "2019-03-03 23:00", "2019-03-10 23:00")
    assert spans(result) == [
        ("2019-03-04 13:00", "2019-03-04 17:00", "Open Health HACKademy - freie Termine"),
        ("2019-03-05 13:00", "2019-03-05 17:00", "Open Health HACKademy - freie Termine"),
        ("2019-03-05 16:00", "2019-03-05 18:00", "machBar Plenum"),
        ("2019-03-05 18:00", "2019-03-05 20:00", "OK Lab"),
        ("2019-03-06 13:00", "2019-03-06 17:00", "Open Health HACKademy - freie Termine"),
        ("2019-03-06 18:00", "2019-03-06 20:00", "Chaostreff - CCCP"),
        ("2019-03-07 14:00", "2019-03-07 16:00", "#TEC - für Jugendliche"),
        ("2019-03-07 17:00", "2019-03-07 19:00", "OpenLab"),
        ("2019-03-09 08:30", "2019-03-10 16:00", "Open Health HACKademy"),
    ]
    assert result.warnings == []


def test_google_berlin_week_across_the_spring_dst_change():
    # Wed 2019-03-27 00:00 CET .. Wed 04-03 00:00 CEST; Berlin moves to UTC+2 on Sun 03-31, so
    # the same wall-clock meetings start an hour earlier in UTC on Tuesday 04-02.
    result = read(corpus_file("google-xwr-timezone-berlin-weekly-exdate-moved-dst.ics"), "Europe/Berlin",
                  "2019-03-26 23:00", "2019-04-02 22:00")
    assert spans(result) == [
        ("2019-03-27 18:00", "2019-03-27 20:00", "Chaostreff - CCCP"),
        ("2019-03-28 07:30", "2019-03-28 13:30", "Montessori Schulklasse"),
        ("2019-03-28 14:00", "2019-03-28 16:00", "#TEC - für Jugendliche"),
        ("2019-03-28 17:00", "2019-03-28 19:00", "OpenLab"),
        ("2019-03-29 07:30", "2019-03-29 13:30", "Montessori Schulklasse"),
        ("2019-04-02 15:00", "2019-04-02 17:00", "machBar Plenum"),
        ("2019-04-02 17:00", "2019-04-02 19:00", "OK Lab"),
    ]


def test_google_moved_instance_and_transparent_all_day_series():
    # TU 14-15 Sydney (AEST, UTC+10) 08-08..08-22; the 08-15 instance moved to Mon 08-14.
    # The all-day TH series and its moved instance are TRANSP:TRANSPARENT: not busy.
    result = read(corpus_file("google-weekly-moved-instances-allday-transparent-sydney.ics"), "Australia/Sydney")
    assert spans(result) == [
        ("2023-08-08 04:00", "2023-08-08 05:00", "Datetime"),
        ("2023-08-14 04:00", "2023-08-14 05:00", "Datetime"),
        ("2023-08-22 04:00", "2023-08-22 05:00", "Datetime"),
    ]


def test_outlook_windows_zone_names_map_to_iana_zones():
    # "Central European Standard Time" is Europe/Warsaw. Every 2nd TU 15-16 from 2024-05-21,
    # X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE (busy). 10-22 is CEST (UTC+2); 11-05 is CET (UTC+1)
    # after the 10-27 change. The TH series' UNTIL is its own first start: one occurrence.
    data = corpus_file("office365-windows-tzids-customized-time-zone.ics")
    autumn = read(data, "Europe/Warsaw", "2024-10-20 22:00", "2024-11-10 23:00")
    assert spans(autumn) == [
        ("2024-10-22 13:00", "2024-10-22 14:00", "Wstępna akceptacja"),
        ("2024-11-05 14:00", "2024-11-05 15:00", "Wstępna akceptacja"),
    ]
    # EXDATE 2024-12-31; the first TH occurrence 2024-05-02 11:00 CEST.
    assert spans(read(data, "Europe/Warsaw", "2024-12-29 23:00", "2025-01-05 23:00")) == []
    assert spans(read(data, "Europe/Warsaw", "2024-04-29 00:00", "2024-05-06 00:00")) == [
        ("2024-05-02 09:00", "2024-05-02 10:00", "Zajęty"),
    ]


def test_outlook_windows_zones_and_free_series():
    # W. Europe Standard Time = Europe/Berlin (CEST in September), Pacific Standard Time =
    # America/Los_Angeles (PDT). Both weekly series are TRANSPARENT / BUSYSTATUS:FREE; one of them
    # also has a DTSTART with a misplaced quote, reported and skipped.
    result = read(corpus_file("outlook-exchange-windows-tzids-weekly-exdate.ics"), "Europe/Berlin")
    assert spans(result) == [
        ("2020-09-10 07:00", "2020-09-10 07:30", "test"),
        ("2020-09-15 15:30", "2020-09-15 16:30", "Not the actual summary 1"),
    ]
    assert codes(result) == ["event_bad_time"]
    assert result.warnings[0].params["summary"] == "Log Yesterday's Jira time"
    assert result.warnings[0].params["property"] == "DTSTART"
    assert isinstance(result.warnings[0].params["line"], int)


def test_windows_zone_without_vtimezone_is_mapped():
    # W. Europe Standard Time 2024-04-26 14:00-15:00 = CEST = 12:00Z.
    result = read(corpus_file("office365-windows-tzid-without-vtimezone.ics"))
    assert spans(result) == [("2024-04-26 12:00", "2024-04-26 13:00", "Uffe")]
    assert result.warnings == []


def test_apple_floating_utc_named_zone_and_all_day_events():
    # X-WR-TIMEZONE US/Pacific: the floating 2002-10-28 01:20:30 is PST (UTC-8, DST ended 10-27);
    # America/New_York is EST (UTC-5). The two all-day events (one a bare date without VALUE=DATE)
    # block the interviewer's whole local day 10-28 in Asia/Shanghai: 10-27 16:00Z .. 10-28 16:00Z.
    result = read(corpus_file("apple-ical-floating-utc-tzid-date-mixed.ics"), "Asia/Shanghai")
    assert spans(result) == [
        ("2002-10-27 16:00", "2002-10-28 16:00", "Date Only (Explicit)"),
        ("2002-10-27 16:00", "2002-10-28 16:00", "Date Only (Implicit)"),
        ("2002-10-28 01:20", "2002-10-29 01:20", "UTC Timezone"),
        ("2002-10-28 06:20", "2002-10-29 06:20", "Inline Timezone"),
        ("2002-10-28 09:20", "2002-10-29 09:20", "No Timezone"),
    ]


def test_apple_multi_day_all_day_events_follow_the_interviewers_zone():
    # Week Mon 2023-10-09 .. Mon 10-16 in Los Angeles (PDT, UTC-7): the open DAILY 09-10 series,
    # the all-day 10-11..10-13 (2 days) and 10-15..10-18 (3 days, kept whole past the window).
    data = corpus_file("apple-icloud-vtimezone-after-events-multiday.ics")
    result = read(data, "America/Los_Angeles", "2023-10-09 07:00", "2023-10-16 07:00")
    daily = [(f"2023-10-{d:02d} 16:00", f"2023-10-{d:02d} 17:00", "Daily") for d in range(9, 16)]
    assert spans(result) == sorted(daily + [
        ("2023-10-11 07:00", "2023-10-13 07:00", "Multi-day event"),
        ("2023-10-15 07:00", "2023-10-18 07:00", "Multi-day event"),
    ])
    # The same file for an interviewer in Shanghai: all-day means Shanghai days (UTC+8).
    shanghai = read(data, "Asia/Shanghai", "2023-10-09 00:00", "2023-10-16 00:00")
    all_day = [s for s in spans(shanghai) if s[2] == "Multi-day event"]
    assert all_day == [
        ("2023-10-10 16:00", "2023-10-12 16:00", "Multi-day event"),
        ("2023-10-14 16:00", "2023-10-17 16:00", "Multi-day event"),
    ]


def test_floating_time_without_calendar_zone_is_in_the_interviewers_zone():
    # "Form #1" 1998-01-18 23:00 .. 01-19 23:00 floating, no X-WR-TIMEZONE: Shanghai is UTC+8.
    result = read(corpus_file("davx5-android-floating-utc-invalid-utc-date.ics"), "Asia/Shanghai",
                  "1998-01-01 00:00", "1998-02-01 00:00")
    assert spans(result) == [("1998-01-18 15:00", "1998-01-19 15:00", "Form #1")]


def test_floating_time_with_x_wr_timezone_uses_that_zone():
    # X-WR-TIMEZONE Europe/Brussels: 2021-09-16 21:00-22:45 CEST = 19:00Z-20:45Z, whatever the
    # interviewer's zone.
    result = read(corpus_file("xwr-timezone-floating-event.ics"), "Asia/Shanghai")
    assert spans(result) == [("2021-09-16 19:00", "2021-09-16 20:45", "X-WR-TIMEZONE no timezone")]


def test_thunderbird_cancelled_occurrence_is_not_busy():
    # DAILY COUNT=3 from 2020-01-28 22-23 Berlin (CET, UTC+1); the 01-29 override is CANCELLED.
    result = read(corpus_file("thunderbird-cancelled-occurrence.ics"), "Europe/Berlin")
    assert spans(result) == [
        ("2020-01-28 21:00", "2020-01-28 22:00", "one is cancelled"),
        ("2020-01-30 21:00", "2020-01-30 22:00", "one is cancelled"),
    ]


def test_thunderbird_moved_occurrences_with_changed_length():
    # test7 DAILY 04-05 CET until 03-20 03:00Z (inclusive); its 03-19 override renames it.
    # New Event DAILY 02-03 CET 03-07..03-10: 03-08 moved to 01-03, 03-09 to 03-03:30, 03-10 turned
    # into a transparent all-day day (that override has DTEND and DURATION: reported).
    result = read(corpus_file("thunderbird-moved-occurrences-changed-duration.ics"), "Europe/Berlin")
    assert spans(result) == [
        ("2019-03-07 01:00", "2019-03-07 02:00", "New Event"),
        ("2019-03-08 00:00", "2019-03-08 02:00", "New Event"),
        ("2019-03-09 02:00", "2019-03-09 02:30", "New Event"),
        ("2019-03-18 03:00", "2019-03-18 04:00", "test7"),
        ("2019-03-19 03:00", "2019-03-19 04:00", "test7 - edited"),
        ("2019-03-20 03:00", "2019-03-20 04:00", "test7"),
    ]
    assert codes(result) == ["duration_and_end"]


def test_tentative_is_busy_cancelled_is_not():
    # America/Vancouver is PDT (UTC-7) in July.
    result = read(corpus_file("apple-macos-tentative-cancelled-status.ics"), "America/Vancouver")
    assert spans(result) == [
        ("2022-07-04 23:00", "2022-07-04 23:50", "Tentative"),
        ("2022-07-05 16:00", "2022-07-05 17:00", "Confirmed"),
        ("2022-07-07 16:00", "2022-07-07 17:00", "No Status"),
    ]


def test_exchange_free_all_day_series_is_not_busy_but_outlook_busy_holidays_are():
    assert read(corpus_file("outlook-exchange-allday-weekly-moved-instance.ics")).intervals == []
    assert read(corpus_file("google-us-holidays-allday-transparent.ics")).intervals == []
    # Outlook 2007 marks holidays OPAQUE + BUSYSTATUS:BUSY: each blocks a whole local day.
    holidays = read(corpus_file("outlook2007-holidays-allday-unfolded-long-lines.ics"), "Europe/Berlin")
    assert len(holidays.intervals) == 159
    assert all(i.end_at - i.start_at in (timedelta(hours=23), timedelta(hours=24), timedelta(hours=25))
               for i in holidays.intervals)


def test_iana_tzid_wins_over_a_contradicting_vtimezone():
    # The file defines Europe/Moscow as +02:30:17; the tz database says +03:00 in 2018.
    result = read(corpus_file("apple-macos-vtimezone-lmt-seconds-offset.ics"))
    assert spans(result) == [("2018-04-20 09:00", "2018-04-20 10:00", "ня — 2")]


def test_unknown_tzid_uses_the_files_vtimezone():
    # "(UTC+07:00) Bangkok, Hanoi, Jakarta" is no zone name: its VTIMEZONE says +07:00.
    result = read(corpus_file("outlook-exchange-custom-tzid-bangkok.ics"))
    assert spans(result) == [("2019-04-30 02:00", "2019-04-30 05:00", "Test event")]


# --- time-zone rules on small calendars -----------------------------------------------------------

EVENT_AT_NOON = "UID:{uid}\r\nSUMMARY:{uid}\r\nDTSTART;TZID={tzid}:20250310T120000\r\nDTEND;TZID={tzid}:20250310T130000"


@pytest.mark.parametrize("tzid, expected_start", [
    ("China Standard Time", "2025-03-10 04:00"),      # Asia/Shanghai, UTC+8
    ("GMT Standard Time", "2025-03-10 12:00"),        # Europe/London, GMT in March before 03-30
    ("Pacific Standard Time", "2025-03-10 19:00"),    # America/Los_Angeles, PDT from 03-09
    ("W. Europe Standard Time", "2025-03-10 11:00"),  # Europe/Berlin, CET
    ("Asia/Singapore", "2025-03-10 04:00"),
])
def test_known_zone_names_beat_a_wrong_vtimezone(tzid, expected_start):
    # Each file carries a VTIMEZONE of that name claiming +05:00; the name wins.
    data = ics(EVENT_AT_NOON.format(uid="e", tzid=tzid), timezones=vtimezone(tzid, "+0500"))
    assert [s[0] for s in spans(read(data))] == [expected_start]


def test_windows_zone_without_vtimezone_follows_dst():
    # "GMT Standard Time" is Europe/London: BST (UTC+1) in July.
    data = ics("UID:x\r\nDTSTART;TZID=GMT Standard Time:20250701T090000\r\nDTEND;TZID=GMT Standard Time:20250701T100000")
    assert spans(read(data)) == [("2025-07-01 08:00", "2025-07-01 09:00", "")]


def test_a_files_own_zone_definition_never_leaks_into_another_import():
    def office_file(offset: str) -> bytes:
        return ics(EVENT_AT_NOON.format(uid=offset, tzid="Office Time"), timezones=vtimezone("Office Time", offset))

    plus_five, plus_three = office_file("+0500"), office_file("+0300")
    assert spans(read(plus_five))[0][0] == "2025-03-10 07:00"
    assert spans(read(plus_three))[0][0] == "2025-03-10 09:00"
    assert spans(read(plus_five))[0][0] == "2025-03-10 07:00"
    # Nor into other users of icalendar in the process, nor into a file that only names the zone.
    bare = ics(EVENT_AT_NOON.format(uid="bare", tzid="Office Time"))
    assert icalendar.Calendar.from_ical(bare).events[0].start.tzinfo is None
    result = read(bare, "Asia/Shanghai")
    assert spans(result)[0][0] == "2025-03-10 04:00"
    assert codes(result) == ["unknown_timezone"]
    assert result.warnings[0].params["tzid"] == "Office Time"


def test_a_windows_name_seen_first_without_vtimezone_does_not_change_the_next_file():
    # icalendar alone would keep whichever reading of "Customized Time Zone" came first.
    first = ics(EVENT_AT_NOON.format(uid="a", tzid="Customized Time Zone"),
                timezones=vtimezone("Customized Time Zone", "+0200"))
    second = ics(EVENT_AT_NOON.format(uid="b", tzid="Customized Time Zone"),
                 timezones=vtimezone("Customized Time Zone", "-0400"))
    assert spans(read(first))[0][0] == "2025-03-10 10:00"
    assert spans(read(second))[0][0] == "2025-03-10 16:00"


def test_unknown_x_wr_timezone_is_reported_and_floating_times_use_the_interviewers_zone():
    data = ics("UID:f\r\nDTSTART:20250310T090000\r\nDTEND:20250310T100000", header="X-WR-TIMEZONE:Mars/Olympus\r\n")
    result = read(data, "Europe/London")
    assert spans(result) == [("2025-03-10 09:00", "2025-03-10 10:00", "")]
    assert codes(result) == ["unknown_calendar_timezone"]


def test_windows_x_wr_timezone_is_understood():
    data = ics("UID:f\r\nDTSTART:20250310T090000\r\nDTEND:20250310T100000",
               header="X-WR-TIMEZONE:China Standard Time\r\n")
    assert spans(read(data, "Europe/London")) == [("2025-03-10 01:00", "2025-03-10 02:00", "")]


# --- busy or not ---------------------------------------------------------------------------------

@pytest.mark.parametrize("extra, is_busy", [
    ("", True),
    ("TRANSP:TRANSPARENT", False),
    ("X-MICROSOFT-CDO-BUSYSTATUS:FREE", False),
    ("X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE", True),
    ("X-MICROSOFT-CDO-BUSYSTATUS:OOF", True),
    ("STATUS:CANCELLED", False),
    ("STATUS:TENTATIVE", True),
])
def test_which_events_are_busy(extra, is_busy):
    data = ics(f"UID:b\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\n{extra}")
    assert bool(read(data).intervals) is is_busy


def test_a_moved_occurrence_can_become_free_or_busy_on_its_own():
    master = "UID:s\r\nDTSTART:20250303T090000Z\r\nDTEND:20250303T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nTRANSP:TRANSPARENT"
    busy_override = "UID:s\r\nRECURRENCE-ID:20250310T090000Z\r\nDTSTART:20250311T090000Z\r\nDTEND:20250311T100000Z\r\nTRANSP:OPAQUE"
    assert spans(read(ics(master, busy_override))) == [("2025-03-11 09:00", "2025-03-11 10:00", "")]


def test_rdate_exdate_and_window_clipping():
    event = ("UID:r\r\nSUMMARY:r\r\nDTSTART:20250303T090000Z\r\nDTEND:20250303T100000Z\r\n"
             "RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE:20250310T090000Z\r\nRDATE:20250312T150000Z")
    result = read(ics(event), start="2025-03-05 00:00", end="2025-03-20 00:00")
    assert spans(result) == [
        ("2025-03-12 15:00", "2025-03-12 16:00", "r"),
        ("2025-03-17 09:00", "2025-03-17 10:00", "r"),
    ]
    assert {i.external_uid for i in result.intervals} == {"r"}


def test_an_interval_overlapping_the_window_edge_is_kept_whole():
    data = ics("UID:o\r\nDTSTART:20250310T230000Z\r\nDTEND:20250311T020000Z")
    assert spans(read(data, start="2025-03-11 00:00", end="2025-03-12 00:00")) == [
        ("2025-03-10 23:00", "2025-03-11 02:00", "")]
    assert read(data, start="2025-03-11 02:00", end="2025-03-12 00:00").intervals == []


# --- bad input -----------------------------------------------------------------------------------

MALFORMED_OUTCOMES = {
    # file: ("refused", code) or ("read", [warning codes in order])
    "radicale-truncated-vevent.ics": ("refused", "truncated"),
    "apple-samsung-date-without-value-param.ics": ("read", ["unreadable_line", "event_bad_time"]),
    "bad-line-folding-raw-newlines.ics": ("read", ["unreadable_line", "unreadable_line"]),
    "cjk-location-invalid-datetime.ics": ("read", ["event_bad_time"]),
    "davx5-android-floating-utc-invalid-utc-date.ics": ("read", ["event_bad_time"]),
    "exchange-cdo-rrule-byday-with-spaces.ics": ("read", ["event_bad_recurrence"]),
    "google-birthdays-malformed-rdate.ics": ("read", ["property_ignored"]),
    "outlook-display-name-tzid-no-vtimezone.ics": ("read", ["unknown_timezone"]),
    "outlook-exchange-windows-tzids-weekly-exdate.ics": ("read", ["event_bad_time"]),
    "thunderbird-moved-occurrences-changed-duration.ics": ("read", ["duration_and_end"]),
}


def corpus_names() -> list[str]:
    names = {p.name for p in LOCAL_CORPUS.glob("*.ics")}
    if SHARED_CORPUS.is_dir():
        names |= {p.name for p in SHARED_CORPUS.glob("*.ics")}
    return sorted(names)


@pytest.mark.parametrize("name", corpus_names())
def test_every_corpus_file_is_read_or_refused_clearly(name):
    data = corpus_file(name)
    outcome = MALFORMED_OUTCOMES.get(name, ("read", []))
    if outcome[0] == "refused":
        with pytest.raises(CalendarError) as caught:
            read(data)
        assert caught.value.code == outcome[1]
        return
    result = read(data)
    assert codes(result) == outcome[1]
    for warning in result.warnings:
        assert warning.message()  # every code has a message and every placeholder a value
        if "line" in warning.params:
            assert isinstance(warning.params["line"], int)


def test_the_whole_shared_corpus_was_covered():
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"{SHARED_CORPUS} is absent")
    assert len(list(SHARED_CORPUS.glob("*.ics"))) >= 35
    assert set(MALFORMED_OUTCOMES) <= set(corpus_names())


def test_bad_event_is_named_with_its_line():
    data = corpus_file("exchange-cdo-rrule-byday-with-spaces.ics")
    warning = read(data).warnings[0]
    assert warning.params == {"summary": "Sprint 25 Daily Standup", "line": 20}
    assert "line 20" in warning.message()


def test_a_file_that_is_not_a_calendar_is_refused():
    with pytest.raises(CalendarError) as caught:
        read(b"<html><body>Please sign in</body></html>")
    assert caught.value.code == "not_icalendar"
    with pytest.raises(CalendarError):
        read(b"")


def test_limits_refuse_before_anything_is_returned():
    data = ics(*[f"UID:{n}\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z" for n in range(5)])
    with pytest.raises(CalendarError) as caught:
        read(data, limits=ImportLimits(max_bytes=100))
    assert caught.value.code == "file_too_large"
    with pytest.raises(CalendarError) as caught:
        read(data, limits=ImportLimits(max_events=4))
    assert caught.value.code == "too_many_events"
    assert caught.value.params == {"count": 5, "max_count": 4}
    daily = ics("UID:d\r\nDTSTART:20250101T090000Z\r\nDTEND:20250101T100000Z\r\nRRULE:FREQ=DAILY")
    with pytest.raises(CalendarError) as caught:
        read(daily, limits=ImportLimits(max_occurrences=100), start="2025-01-01 00:00", end="2026-01-01 00:00")
    assert caught.value.code == "too_many_occurrences"
    assert len(read(daily, start="2025-01-01 00:00", end="2026-01-01 00:00").intervals) == 365


def test_limits_apply_to_all_parts_together():
    part = ics("UID:p\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z")
    with pytest.raises(CalendarError) as caught:
        read_busy_intervals_from_parts([part] * 3, default_zone="UTC", window_start_at=WIDE_START_AT,
                                       window_end_at=WIDE_END_AT, limits=ImportLimits(max_events=2))
    assert caught.value.code == "too_many_events"


def test_secondly_rules_are_skipped_not_expanded():
    data = ics("UID:s\r\nSUMMARY:tick\r\nDTSTART:20000101T000000Z\r\nDTEND:20000101T000001Z\r\nRRULE:FREQ=SECONDLY",
               "UID:k\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z")
    result = read(data, start="2025-03-01 00:00", end="2025-04-01 00:00")
    assert [i.external_uid for i in result.intervals] == ["k"]
    assert codes(result) == ["unsupported_frequency"]
    assert result.warnings[0].params["summary"] == "tick"


def test_a_series_the_expander_rejects_is_skipped_whole_and_named():
    # An extra period that ends before it starts: icalendar accepts it, the expander refuses it.
    bad = ("UID:bad\r\nSUMMARY:backwards\r\nDTSTART:20250310T100000Z\r\nDTEND:20250310T110000Z\r\n"
           "RDATE;VALUE=PERIOD:20250315T100000Z/20250315T090000Z")
    good = "UID:good\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z"
    result = read(ics(bad, good))
    assert [i.external_uid for i in result.intervals] == ["good"]
    assert codes(result) == ["event_unreadable"]
    assert result.warnings[0].params["summary"] == "backwards"
    assert result.warnings[0].params["line"] == 4


def test_warnings_are_bounded():
    events = [f"UID:{n}\r\nSUMMARY:n{n}\r\nDTSTART:2025031XT090000Z" for n in range(60)]
    result = read(ics(*events))
    assert codes(result)[:50] == ["event_bad_time"] * 50
    assert result.warnings[-1] == Problem("more_problems", {"count": 10})


def test_messages_are_translated_and_a_broken_translation_falls_back_to_english():
    problem = Problem("url_timeout", {"seconds": 5})
    assert problem.message() == "The calendar server did not answer within 5 seconds."
    chinese = {MESSAGES["url_timeout"]: "日历服务器在 %(seconds)s 秒内没有响应。"}
    assert problem.message(lambda s: chinese.get(s, s)) == "日历服务器在 5 秒内没有响应。"
    broken = {MESSAGES["url_timeout"]: "日历服务器在 %(秒)s 秒内没有响应。"}
    assert problem.message(lambda s: broken.get(s, s)) == "The calendar server did not answer within 5 seconds."


def test_window_must_be_aware():
    with pytest.raises(ValueError):
        read_busy_intervals(b"", default_zone="UTC", window_start_at=datetime(2025, 1, 1),
                            window_end_at=datetime(2025, 2, 1))


def test_parts_are_expanded_together_so_split_exceptions_still_apply():
    # Some CalDAV servers store a moved instance as a resource of its own; it must still move
    # (and not duplicate) the master's occurrence.
    master = ics("UID:m\r\nSUMMARY:sync\r\nDTSTART:20250303T090000Z\r\nDTEND:20250303T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=2")
    moved = ics("UID:m\r\nSUMMARY:sync moved\r\nRECURRENCE-ID:20250310T090000Z\r\n"
                "DTSTART:20250311T150000Z\r\nDTEND:20250311T160000Z")
    result = read_busy_intervals_from_parts([master, moved], default_zone="UTC", window_start_at=WIDE_START_AT,
                                            window_end_at=WIDE_END_AT)
    assert spans(result) == [("2025-03-03 09:00", "2025-03-03 10:00", "sync"),
                             ("2025-03-11 15:00", "2025-03-11 16:00", "sync moved")]


def test_each_documents_x_wr_timezone_applies_to_its_own_events_only():
    berlin = ics("UID:b\r\nDTSTART:20250310T090000\r\nDTEND:20250310T100000", header="X-WR-TIMEZONE:Europe/Berlin\r\n")
    plain = ics("UID:p\r\nDTSTART:20250310T090000\r\nDTEND:20250310T100000")
    result = read_busy_intervals_from_parts([berlin, plain], default_zone="Asia/Shanghai",
                                            window_start_at=WIDE_START_AT, window_end_at=WIDE_END_AT)
    assert [(i.external_uid, i.start_at.hour) for i in result.intervals] == [("p", 1), ("b", 8)]


def test_an_event_mixing_a_date_start_with_a_time_end_is_skipped_and_named():
    data = ics("UID:m\r\nSUMMARY:mixed\r\nDTSTART;VALUE=DATE:20250310\r\nDTEND:20250310T100000Z",
               "UID:k\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z")
    result = read(data)
    assert [i.external_uid for i in result.intervals] == ["k"]
    assert codes(result) == ["event_unreadable"]
    assert result.warnings[0].params["summary"] == "mixed"


def _out_of_memory(*args, **kwargs):
    raise MemoryError


@pytest.mark.parametrize("patch", [
    # The parse of the whole file (seen in CI: the job's backstop reported "could not be read").
    lambda monkeypatch: monkeypatch.setattr(icalendar.Calendar, "from_ical", classmethod(_out_of_memory)),
    # Reading one event's start and end.
    lambda monkeypatch: monkeypatch.setattr(icalendar.Event, "start", property(_out_of_memory)),
], ids=["parsing the file", "reading an event's times"])
def test_running_out_of_memory_is_not_reported_as_an_unreadable_file(monkeypatch, patch):
    # Under the job's memory cap (calendars/sandbox.py) a MemoryError must reach the sandbox,
    # which names the cap; called "unreadable", the file would be blamed for the machine.
    data = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:a\r\n"
                    b"DTSTART:20261201T010000Z\r\nDTEND:20261201T020000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    patch(monkeypatch)
    with pytest.raises(MemoryError):
        read_busy_intervals(data, default_zone="UTC", window_start_at=WIDE_START_AT, window_end_at=WIDE_END_AT)
