"""A real CalDAV server (Radicale 3) on loopback for tests, storing into a temporary folder.

Usage::

    with RadicaleServer(tmp_path / "radicale") as server:          # any login is accepted
        client = caldav.DAVClient(server.url, username="alice", password="x")
        calendar = client.principal().make_calendar(name="Interviews")

    with RadicaleServer(folder, users={"alice": "secret"}) as server:  # real password checks
        ...

Radicale's defaults would refuse every login ([auth] type = denyall) and write to
/var/lib/radicale; both are overridden here. Rights stay at Radicale's default
(owner_only): a user reads and writes only below /<user>/. The server runs in a thread of the
test process (Radicale's own ``server.serve`` with a shutdown socket), on a port reserved here
(tests/ports.py: Radicale cannot report a port the OS picked).
"""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from radicale import config as radicale_config
from radicale import server as radicale_server

from tests.ports import HOST, reserve_port

_READY_ATTEMPTS = 200
_READY_PAUSE = 0.025


class RadicaleServer:
    """Radicale serving *folder* on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, folder: Path, *, users: dict[str, str] | None = None):
        self.folder = Path(folder)
        self.users = users
        self.host = HOST
        self.port: int | None = None
        self._thread: threading.Thread | None = None
        self._shutdown: socket.socket | None = None
        self._errors: list[BaseException] = []

    @property
    def url(self) -> str:
        """Return the server's base URL (CalDAV clients discover the rest from here)."""
        if self.port is None:
            raise RuntimeError("start the server first")
        return f"http://{self.host}:{self.port}/"

    def user_url(self, user: str) -> str:
        """Return the URL of *user*'s home collection."""
        return f"{self.url}{user}/"

    def _configuration(self, port: int):
        auth: dict[str, str] = {"type": "none", "delay": "0"}
        if self.users is not None:
            htpasswd = self.folder / "users"
            htpasswd.write_text(
                "".join(f"{user}:{password}\n" for user, password in self.users.items()),
                encoding="utf-8",
            )
            auth.update(
                type="htpasswd", htpasswd_filename=str(htpasswd), htpasswd_encryption="plain"
            )
        configuration = radicale_config.load()
        configuration.update(
            {
                "server": {"hosts": f"{self.host}:{port}"},
                "auth": auth,
                "storage": {
                    "filesystem_folder": str(self.folder / "collections"),
                    # Test data is thrown away; fsync only slows the run down.
                    "_filesystem_fsync": "False",
                },
                "logging": {"level": "warning", "mask_passwords": "True"},
            },
            "tests.radicale_server",
            privileged=True,
        )
        return configuration

    def start(self) -> RadicaleServer:
        """Start Radicale and return once it accepts connections."""
        if self._thread is not None:
            return self
        self.folder.mkdir(parents=True, exist_ok=True)
        port = reserve_port(self.host)
        configuration = self._configuration(port)
        shutdown_in, self._shutdown = socket.socketpair()

        def run() -> None:
            try:
                radicale_server.serve(configuration, shutdown_in)
            except BaseException as exc:  # surfaced by start() instead of dying silently
                self._errors.append(exc)
            finally:
                shutdown_in.close()

        self._thread = threading.Thread(target=run, name=f"radicale-{port}", daemon=True)
        self._thread.start()
        self.port = port
        for _ in range(_READY_ATTEMPTS):
            if self._errors:
                break
            try:
                with socket.create_connection((self.host, port), timeout=1):
                    return self
            except OSError:
                time.sleep(_READY_PAUSE)
        self.stop()
        raise RuntimeError(f"Radicale did not start on port {port}: {self._errors}")

    def stop(self) -> None:
        """Stop Radicale and wait for its thread to finish."""
        if self._shutdown is not None:
            # Closing our end of the pair is Radicale's signal to finish and return.
            self._shutdown.close()
            self._shutdown = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> RadicaleServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
