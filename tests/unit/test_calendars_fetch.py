"""Fetching ICS subscription URLs: against a real HTTP server on loopback, with the guard's limits."""
from __future__ import annotations

import socket
from datetime import datetime, timezone

import pytest

from scheduler.calendars import CalendarError, ImportLimits, read_busy_intervals
from scheduler.calendars.fetch import check_url, fetch_calendar_url, is_public_address, normalise_url
from tests.helpers_servers import Route, StaticHTTPServer

CALENDAR = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:u1\r\n"
            b"SUMMARY:Standup\r\nDTSTART;TZID=China Standard Time:20250310T100000\r\n"
            b"DTEND;TZID=China Standard Time:20250310T103000\r\nRRULE:FREQ=DAILY;COUNT=2\r\n"
            b"END:VEVENT\r\nEND:VCALENDAR\r\n")
FAST = ImportLimits(fetch_timeout_seconds=1.0)


@pytest.fixture
def server():
    with StaticHTTPServer({"/cal.ics": Route(body=CALENDAR)}) as running:
        yield running


def fetch(url: str, **kwargs) -> bytes:
    kwargs.setdefault("is_private_allowed", True)
    kwargs.setdefault("limits", FAST)
    return fetch_calendar_url(url, **kwargs)


def refused(url: str, **kwargs) -> CalendarError:
    with pytest.raises(CalendarError) as caught:
        fetch(url, **kwargs)
    return caught.value


def test_fetch_and_read_a_subscription(server):
    data = fetch(server.url("/cal.ics"))
    assert data == CALENDAR
    result = read_busy_intervals(data, default_zone="Europe/London",
                                 window_start_at=datetime(2025, 3, 1, tzinfo=timezone.utc),
                                 window_end_at=datetime(2025, 4, 1, tzinfo=timezone.utc))
    # China Standard Time is Asia/Shanghai (UTC+8): 10:00 local is 02:00Z.
    assert [(i.start_at.hour, i.start_at.day) for i in result.intervals] == [(2, 10), (2, 11)]


def test_loopback_is_refused_unless_allowed(server):
    error = refused(server.url("/cal.ics"), is_private_allowed=False)
    assert error.code == "url_address_not_allowed"
    assert error.params == {"host": "127.0.0.1", "address": "127.0.0.1"}
    assert server.hits == {}  # refused before any connection was made
    localhost = refused(f"http://localhost:{server.port}/cal.ics", is_private_allowed=False)
    assert localhost.code == "url_address_not_allowed"


@pytest.mark.parametrize("url", [
    "http://10.0.0.8/cal.ics",
    "http://192.168.1.1/cal.ics",
    "http://172.16.5.5/cal.ics",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/cal.ics",
    "http://[::1]/cal.ics",
    "http://[fe80::1]/cal.ics",
    "http://[::ffff:127.0.0.1]/cal.ics",
    "http://0.0.0.0/cal.ics",
    "http://224.0.0.1/cal.ics",
])
def test_private_and_special_addresses_are_refused(url):
    assert refused(url, is_private_allowed=False).code == "url_address_not_allowed"


@pytest.mark.parametrize("address, is_public", [
    ("8.8.8.8", True), ("2001:4860:4860::8888", True), ("127.0.0.1", False), ("10.1.1.1", False),
    ("::ffff:10.1.1.1", False), ("fd00::1", False), ("240.0.0.1", False),
])
def test_public_address_rule(address, is_public):
    assert is_public_address(address) is is_public


@pytest.mark.parametrize("url, scheme", [
    ("ftp://example.com/cal.ics", "ftp"), ("file:///etc/passwd", "file"), ("gopher://x/", "gopher"),
    ("javascript:alert(1)", "javascript"), ("example.com/cal.ics", "-"),
])
def test_only_http_and_https(url, scheme):
    error = refused(url)
    assert error.code == "url_scheme_not_allowed"
    assert error.params == {"scheme": scheme}


def test_webcal_means_https():
    assert normalise_url(" webcal://p01-calendars.icloud.com/published/2/x ") == \
        "https://p01-calendars.icloud.com/published/2/x"


def test_bad_urls_are_invalid():
    assert refused("http:///nohost").code == "url_invalid"
    assert refused("http://example.com:99999/").code == "url_invalid"


def test_unknown_host_is_unreachable():
    error = refused("http://no-such-host.invalid/cal.ics")
    assert error.code == "url_unreachable"
    assert error.params["host"] == "no-such-host.invalid"


def test_closed_port_is_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert refused(f"http://127.0.0.1:{port}/cal.ics").code == "url_unreachable"


def test_http_error_status(server):
    error = refused(server.url("/missing.ics"))
    assert (error.code, error.params) == ("url_http_status", {"status": 404})
    server.routes["/login"] = Route(status=401, body=b"who are you")
    assert refused(server.url("/login")).params == {"status": 401}


def test_a_web_page_is_not_a_calendar(server):
    server.routes["/page"] = Route(body=b"<html>Sign in</html>", content_type="text/html")
    error = refused(server.url("/page"))
    assert (error.code, error.params) == ("not_a_calendar", {"content_type": "text/html"})


def test_size_limit_from_header_and_from_body(server):
    small = ImportLimits(max_bytes=100, fetch_timeout_seconds=1.0)
    assert refused(server.url("/cal.ics"), limits=small).code == "url_too_large"
    # A server that does not say the length up front is cut off while reading.
    server.routes["/unsized"] = Route(body=CALENDAR, is_length_sent=False)
    assert fetch(server.url("/unsized")) == CALENDAR
    assert refused(server.url("/unsized"), limits=small).code == "url_too_large"


def test_redirects_are_followed_and_rechecked(server):
    server.routes["/old"] = Route(status=301, headers={"Location": "/cal.ics"})
    assert fetch(server.url("/old")) == CALENDAR
    server.routes["/evil"] = Route(status=302, headers={"Location": "file:///etc/passwd"})
    assert refused(server.url("/evil")).code == "url_scheme_not_allowed"
    server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    assert refused(server.url("/loop")).code == "url_too_many_redirects"
    assert server.hits["/loop"] == FAST.max_redirects + 1


def test_a_server_that_does_not_answer_times_out(server):
    server.routes["/slow"] = Route(body=CALENDAR, delay_seconds=3)
    error = refused(server.url("/slow"), limits=ImportLimits(fetch_timeout_seconds=0.5))
    assert (error.code, error.params) == ("url_timeout", {"seconds": "0.5"})


def test_a_server_that_trickles_is_cut_off_by_the_overall_limit(server):
    # Each byte arrives well within the per-read timeout; the whole body would take 30 s.
    server.routes["/drip"] = Route(body=CALENDAR, drip_seconds=0.1)
    assert refused(server.url("/drip"), limits=ImportLimits(fetch_timeout_seconds=0.8)).code == "url_timeout"


def test_check_url_resolves_once_and_keeps_the_addresses(server):
    target = check_url(server.url("/cal.ics?token=abc"), is_private_allowed=True)
    assert target.addresses == ("127.0.0.1",)
    assert target.path == "/cal.ics?token=abc"
    assert target.port == server.port
