"""Reading a CalDAV account: against a real Radicale server on loopback."""
from __future__ import annotations

import socket
from datetime import datetime, timezone

import caldav
import pytest

from scheduler.calendars import CalendarError, ImportLimits
from scheduler.calendars.caldav_source import list_caldav_calendars, read_caldav_busy_intervals
from tests.helpers_servers import RadicaleServer

UTC = timezone.utc
PASSWORD = "correct horse"


def vcalendar(body: str) -> str:
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body.strip()}\r\nEND:VCALENDAR\r\n"


WEEKLY = vcalendar("""
BEGIN:VEVENT
UID:weekly-sync
SUMMARY:Weekly sync
DTSTART;TZID=Asia/Shanghai:20251103T100000
DTEND;TZID=Asia/Shanghai:20251103T110000
RRULE:FREQ=WEEKLY
END:VEVENT
BEGIN:VEVENT
UID:weekly-sync
RECURRENCE-ID;TZID=Asia/Shanghai:20251110T100000
SUMMARY:Weekly sync (moved)
DTSTART;TZID=Asia/Shanghai:20251111T140000
DTEND;TZID=Asia/Shanghai:20251111T150000
END:VEVENT
BEGIN:VEVENT
UID:weekly-sync
RECURRENCE-ID;TZID=Asia/Shanghai:20251117T100000
SUMMARY:Weekly sync
STATUS:CANCELLED
DTSTART;TZID=Asia/Shanghai:20251117T100000
DTEND;TZID=Asia/Shanghai:20251117T110000
END:VEVENT
""")
SINGLE_WINDOWS_ZONE = vcalendar("""
BEGIN:VEVENT
UID:one-off
SUMMARY:Design review
DTSTART;TZID=Pacific Standard Time:20251105T090000
DTEND;TZID=Pacific Standard Time:20251105T100000
END:VEVENT
""")
ALL_DAY = vcalendar("""
BEGIN:VEVENT
UID:offsite
SUMMARY:Offsite
DTSTART;VALUE=DATE:20251106
DTEND;VALUE=DATE:20251107
END:VEVENT
""")
FREE = vcalendar("""
BEGIN:VEVENT
UID:focus
SUMMARY:Focus time
TRANSP:TRANSPARENT
DTSTART:20251107T010000Z
DTEND:20251107T030000Z
END:VEVENT
""")
OTHER_CALENDAR = vcalendar("""
BEGIN:VEVENT
UID:dentist
SUMMARY:Dentist
DTSTART:20251112T060000Z
DTEND:20251112T070000Z
END:VEVENT
""")
OUTSIDE_WINDOW = vcalendar("""
BEGIN:VEVENT
UID:last-year
SUMMARY:Old
DTSTART:20241112T060000Z
DTEND:20241112T070000Z
END:VEVENT
""")
WINDOW = dict(default_zone="Asia/Shanghai",
              window_start_at=datetime(2025, 11, 2, 16, tzinfo=UTC),   # Mon 11-03 00:00 Shanghai
              window_end_at=datetime(2025, 11, 23, 16, tzinfo=UTC))    # Mon 11-24 00:00 Shanghai
LOOPBACK = dict(is_private_allowed=True, limits=ImportLimits(fetch_timeout_seconds=2))


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    with RadicaleServer(tmp_path_factory.mktemp("radicale"), users={"alice": PASSWORD, "bob": PASSWORD}) as server:
        client = caldav.DAVClient(server.url, username="alice", password=PASSWORD)
        principal = client.principal()
        work = principal.make_calendar(name="Work")
        for data in (WEEKLY, SINGLE_WINDOWS_ZONE, ALL_DAY, FREE, OUTSIDE_WINDOW):
            work.save_event(data)
        personal = principal.make_calendar(name="Personal")
        personal.save_event(OTHER_CALENDAR)
        server.calendar_urls = {"Work": str(work.url), "Personal": str(personal.url)}
        yield server


def spans(result):
    fmt = "%Y-%m-%d %H:%M"
    return [(i.start_at.strftime(fmt), i.end_at.strftime(fmt), i.summary) for i in result.intervals]


def test_all_calendars_of_an_account_are_read_and_expanded(radicale):
    result = read_caldav_busy_intervals(radicale.url, "alice", PASSWORD, **WINDOW, **LOOPBACK)
    # Shanghai is UTC+8; Los Angeles is PST (UTC-8) after 11-02. Weekly MO 10-11 Shanghai: 11-03,
    # 11-10 moved to TU 11-11 14-15, 11-17 cancelled, 11-24 after the window. The all-day offsite
    # is the interviewer's whole Shanghai day. Focus time is transparent. Last year's event is out.
    assert spans(result) == [
        ("2025-11-03 02:00", "2025-11-03 03:00", "Weekly sync"),
        ("2025-11-05 16:00", "2025-11-06 16:00", "Offsite"),
        ("2025-11-05 17:00", "2025-11-05 18:00", "Design review"),
        ("2025-11-11 06:00", "2025-11-11 07:00", "Weekly sync (moved)"),
        ("2025-11-12 06:00", "2025-11-12 07:00", "Dentist"),
    ]
    assert result.warnings == []


def test_one_chosen_calendar(radicale):
    result = read_caldav_busy_intervals(radicale.url, "alice", PASSWORD, calendar_url=radicale.calendar_urls["Personal"],
                                        **WINDOW, **LOOPBACK)
    assert spans(result) == [("2025-11-12 06:00", "2025-11-12 07:00", "Dentist")]


def test_a_calendars_own_url_reads_just_that_calendar(radicale):
    url = radicale.calendar_urls["Personal"]
    result = read_caldav_busy_intervals(url, "alice", PASSWORD, **WINDOW, **LOOPBACK)
    assert spans(result) == [("2025-11-12 06:00", "2025-11-12 07:00", "Dentist")]
    # The user's home collection is not a calendar: every calendar below it is read.
    home = read_caldav_busy_intervals(radicale.url + "alice/", "alice", PASSWORD, **WINDOW, **LOOPBACK)
    assert len(home.intervals) == 5


def test_calendars_are_listed_by_name(radicale):
    calendars = list_caldav_calendars(radicale.url, "alice", PASSWORD, **LOOPBACK)
    assert sorted(c.name for c in calendars) == ["Personal", "Work"]
    assert {c.url for c in calendars} == set(radicale.calendar_urls.values())


def test_wrong_password_is_a_login_failure(radicale):
    with pytest.raises(CalendarError) as caught:
        read_caldav_busy_intervals(radicale.url, "alice", "wrong", **WINDOW, **LOOPBACK)
    assert caught.value.code == "caldav_login_failed"
    assert caught.value.problem.message() == "The CalDAV server refused the user name or password."


def test_an_account_without_calendars(radicale):
    with pytest.raises(CalendarError) as caught:
        read_caldav_busy_intervals(radicale.url, "bob", PASSWORD, **WINDOW, **LOOPBACK)
    assert caught.value.code == "caldav_no_calendars"


def test_a_calendar_url_that_does_not_exist(radicale):
    missing = radicale.url + "alice/no-such-calendar/"
    with pytest.raises(CalendarError) as caught:
        read_caldav_busy_intervals(radicale.url, "alice", PASSWORD, calendar_url=missing, **WINDOW, **LOOPBACK)
    # The kind of failure only: the address is not repeated.
    assert (caught.value.code, caught.value.params) == ("caldav_not_found", {})


def test_a_calendar_url_on_another_host_is_refused(radicale):
    with pytest.raises(CalendarError) as caught:
        read_caldav_busy_intervals(radicale.url, "alice", PASSWORD, calendar_url="http://169.254.169.254/x/",
                                   **WINDOW, **LOOPBACK)
    assert (caught.value.code, caught.value.params) == ("caldav_address_not_allowed", {})


def test_loopback_server_is_refused_unless_allowed(radicale):
    with pytest.raises(CalendarError) as caught:
        read_caldav_busy_intervals(radicale.url, "alice", PASSWORD, **WINDOW)
    assert (caught.value.code, caught.value.params) == ("caldav_address_not_allowed", {})


def test_unreachable_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CalendarError) as caught:
        read_caldav_busy_intervals(f"http://127.0.0.1:{port}/", "alice", PASSWORD, **WINDOW, **LOOPBACK)
    assert (caught.value.code, caught.value.params) == ("caldav_unreachable", {})
    assert caught.value.problem.message() == "The CalDAV server could not be reached."


def test_a_server_that_never_answers_times_out():
    # A listening socket that never accepts: the connection opens, no answer ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        with pytest.raises(CalendarError) as caught:
            read_caldav_busy_intervals(url, "alice", PASSWORD, **WINDOW, is_private_allowed=True,
                                       limits=ImportLimits(fetch_timeout_seconds=0.5))
    assert (caught.value.code, caught.value.params) == ("caldav_timeout", {"seconds": "0.5"})
