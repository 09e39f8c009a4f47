"""Real servers on loopback for tests, usable without pytest: a static HTTP server and Radicale.

StaticHTTPServer serves a mutable table of routes (path -> Route) from a background thread on
127.0.0.1 and a port the OS picks; tests change a route's body between requests to simulate a
calendar feed that changes. A route can also answer slowly (to exercise time limits).

The Radicale CalDAV server lives in tests/radicale_server.py (RadicaleServer) and is re-exported
here so that calendar tests have one place to import their servers from.

    with StaticHTTPServer({"/cal.ics": Route(body=data)}) as server:
        fetch_calendar_url(server.url("/cal.ics"), is_private_allowed=True)
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.radicale_server import RadicaleServer

__all__ = ["RadicaleServer", "Route", "StaticHTTPServer"]


@dataclass
class Route:
    """What one path answers: status, body, headers; *drip_seconds* sends the body byte by byte,
    *delay_seconds* waits before answering, and without *is_length_sent* no Content-Length is sent."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    drip_seconds: float = 0.0
    delay_seconds: float = 0.0
    is_length_sent: bool = True


class StaticHTTPServer:
    """An HTTP/1.1 server on 127.0.0.1 serving *routes*; counts requests per path."""

    def __init__(self, routes: dict[str, Route] | None = None):
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: dict[str, int] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """Return the port the server listens on."""
        if self._server is None:
            raise RuntimeError("start the server first")
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        """Return the full URL of *path* on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> StaticHTTPServer:
        """Start serving in a daemon thread."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
                path = self.path
                owner.hits[path] = owner.hits.get(path, 0) + 1
                route = owner.routes.get(path) or Route(body=b"not found", status=404, content_type="text/plain")
                if route.delay_seconds:
                    time.sleep(route.delay_seconds)
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    if route.is_length_sent:
                        self.send_header("Content-Length", str(len(route.body)))
                    else:
                        # No length: the body ends when the connection closes.
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if route.drip_seconds:
                        for index in range(len(route.body)):
                            self.wfile.write(route.body[index:index + 1])
                            self.wfile.flush()
                            time.sleep(route.drip_seconds)
                    else:
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (e.g. a time limit under test)

            def log_message(self, *args) -> None:
                pass  # keep test output clean

        # Port 0: the OS picks a free port and server_address reports it.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval keeps stop() (and so each test's teardown) quick.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="static-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> StaticHTTPServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
