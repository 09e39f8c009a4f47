"""The CalDAV client reaches only the address the guard vetted (issue 21, item 2).

Two real servers on loopback: an "allowed" one on 127.0.0.2 (let through the way the
CALENDAR_ALLOW_PRIVATE_URLS setting lets a listed network through) and an internal listener on
127.0.0.1 (not allowed) that counts every connection it gets. A redirect from the allowed server
to the listener, and a name that resolves to the allowed address first and to the listener after,
must both reach nothing on 127.0.0.1, and the error must name the kind of failure only: no
response body, no address, no port.
"""
from __future__ import annotations

import socket
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import caldav
import pytest

from scheduler.calendars import CalendarError, ImportLimits
from scheduler.calendars.caldav_source import read_caldav_busy_intervals
from tests.helpers_servers import RadicaleServer

UTC = timezone.utc
ALLOWED, INTERNAL = "127.0.0.2", "127.0.0.1"
PASSWORD = "correct horse"
SECRET_BODY = "INTERNAL-ONLY-BODY"
LIMITS = ImportLimits(fetch_timeout_seconds=3)
WINDOW = dict(default_zone="Asia/Shanghai",
              window_start_at=datetime(2025, 11, 2, 16, tzinfo=UTC),
              window_end_at=datetime(2025, 11, 9, 16, tzinfo=UTC))
# The allow setting lets the allowed server's address through, and nothing else private.
ALLOWED_ONLY = dict(private_networks=(f"{ALLOWED}/32",), limits=LIMITS)
EVENT = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:review\r\n"
         "SUMMARY:Design review\r\nDTSTART:20251105T060000Z\r\nDTEND:20251105T070000Z\r\n"
         "END:VEVENT\r\nEND:VCALENDAR\r\n")


class CountingListener:
    """A TCP listener that counts connections and answers each with a body no error may echo."""

    def __init__(self, host: str, port: int = 0):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while self._running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                body = f"<error>{SECRET_BODY}</error>".encode()
                conn.sendall(b"HTTP/1.1 500 Internal\r\nContent-Type: text/xml\r\nConnection: close\r\n"
                             b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)

    def close(self) -> None:
        self._running = False
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def internal():
    listener = CountingListener(INTERNAL)
    yield listener
    listener.close()


def serve(host: str, answer) -> ThreadingHTTPServer:
    """Serve every method on *host* with answer(handler) in a background thread."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_one_request(self):  # every method (PROPFIND, REPORT, ...) gets the same answer
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline or not self.parse_request():
                self.close_connection = True
                return
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            answer(self)
            self.wfile.flush()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server


def assert_kind_only(error: CalendarError, listener: CountingListener) -> None:
    text = error.problem.message()
    for leak in (SECRET_BODY, INTERNAL, ALLOWED, str(listener.port), "calendar.test"):
        assert leak not in text
    assert error.params in ({}, {"seconds": "3"})


def test_a_redirect_to_an_internal_address_reaches_nothing(internal):
    def redirect(handler):
        handler.send_response(302)
        handler.send_header("Location", f"http://{INTERNAL}:{internal.port}/alice/")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    server = serve(ALLOWED, redirect)
    try:
        with pytest.raises(CalendarError) as caught:
            read_caldav_busy_intervals(f"http://{ALLOWED}:{server.server_address[1]}/", "alice", PASSWORD,
                                       **WINDOW, **ALLOWED_ONLY)
    finally:
        server.shutdown()
        server.server_close()
    assert internal.connections == 0
    assert caught.value.code == "caldav_address_not_allowed"
    assert caught.value.problem.message() == (
        "The CalDAV address leads to a private or local network address, or to another server, "
        "which is not allowed.")
    assert_kind_only(caught.value, internal)


def test_a_server_error_is_named_without_its_body(internal):
    def fail(handler):
        body = f"<error>{SECRET_BODY} at {INTERNAL}</error>".encode()
        handler.send_response(500)
        handler.send_header("Content-Type", "text/xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    server = serve(ALLOWED, fail)
    try:
        with pytest.raises(CalendarError) as caught:
            read_caldav_busy_intervals(f"http://{ALLOWED}:{server.server_address[1]}/", "alice", PASSWORD,
                                       **WINDOW, **ALLOWED_ONLY)
    finally:
        server.shutdown()
        server.server_close()
    assert caught.value.code == "caldav_error"
    assert caught.value.problem.message() == "The CalDAV server answered with an error."
    assert_kind_only(caught.value, internal)


@pytest.fixture
def allowed_radicale(tmp_path):
    """Radicale on 127.0.0.2 and the counting listener on 127.0.0.1 at the same port: a name
    that resolves to the second address after the check lands on the listener."""
    server = RadicaleServer(tmp_path / "radicale", users={"alice": PASSWORD})
    server.host = ALLOWED
    with server:
        client = caldav.DAVClient(server.url, username="alice", password=PASSWORD)
        client.principal().make_calendar(name="Work").save_event(EVENT)
        client.close()
        listener = CountingListener(INTERNAL, server.port)
        yield server, listener
        listener.close()


def test_a_name_that_resolves_again_to_loopback_is_never_resolved_again(allowed_radicale, monkeypatch):
    server, internal = allowed_radicale
    real_getaddrinfo = socket.getaddrinfo
    answers = []

    def rebinding(host, port, *args, **kwargs):
        if host != "calendar.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        # The first answer passes the check; every later one points inside.
        address = ALLOWED if not answers else INTERNAL
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    result = read_caldav_busy_intervals(f"http://calendar.test:{server.port}/", "alice", PASSWORD,
                                        **WINDOW, **ALLOWED_ONLY)
    assert [i.summary for i in result.intervals] == ["Design review"]
    assert answers == [ALLOWED]  # resolved once, by the check
    assert internal.connections == 0

    # An account whose name resolves inside at once is refused, naming the kind only.
    answers.append("again")
    with pytest.raises(CalendarError) as caught:
        read_caldav_busy_intervals(f"http://calendar.test:{server.port}/", "alice", PASSWORD,
                                   **WINDOW, **ALLOWED_ONLY)
    assert caught.value.code == "caldav_address_not_allowed"
    assert_kind_only(caught.value, internal)
    assert internal.connections == 0


def test_a_redirect_on_the_same_host_is_followed(allowed_radicale):
    server, internal = allowed_radicale
    # Radicale answers /.well-known/caldav with a redirect to its root.
    result = read_caldav_busy_intervals(f"{server.url}.well-known/caldav", "alice", PASSWORD,
                                        **WINDOW, **ALLOWED_ONLY)
    assert [i.summary for i in result.intervals] == ["Design review"]
    assert internal.connections == 0


def test_the_allow_setting_lets_only_its_networks_through():
    from scheduler.calendars.fetch import check_url

    assert check_url(f"http://{ALLOWED}:9/cal.ics", private_networks=(f"{ALLOWED}/32",)).addresses == (ALLOWED,)
    with pytest.raises(CalendarError) as caught:
        check_url(f"http://{INTERNAL}:9/cal.ics", private_networks=(f"{ALLOWED}/32",))
    assert caught.value.code == "url_address_not_allowed"
