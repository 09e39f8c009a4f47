"""gunicorn on loopback for the load bench and the two-server race test: started with the
production settings (deploy/gunicorn.conf.py: gthread workers, a 30 s keep-alive), stopped, and
the CPU time its processes have used.

The app is built by the factory the production command uses (``wsgi:app``, which calls
``create_app()``), so every setting reaches it through the environment, as in production. Only
what running several servers side by side on one machine needs is given on the command line:
port 0 (the port the system chose is read from gunicorn's log, "Listening at: …"), the number of
workers, no control socket (they would share one under ~/.gunicorn), and for the bench an access
log of method, status, duration and the bench's step — no path, so no capability token.

    with AppServer(app_root, environment, workers=2) as server:
        server.base_url            # http://127.0.0.1:PORT
        server.cpu_seconds()       # user + system time of the master and its workers so far

    with serving(AppServer(…), AppServer(…)) as (one, two):   # booted and stopped side by side
"""
from __future__ import annotations

import os
import re
import runpy
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path

# This checkout's production settings, whichever revision's app they serve (bench.load --against).
CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"
# Server-side time per request, in microseconds, with the step the bench's client names in a
# header: the bench reads it back per endpoint.
ACCESS_LOG_FORMAT = '%(m)s %(s)s %(D)s "%({x-bench-step}i)s"'
_LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
_BOOTED = re.compile(r"Booting worker with pid: (\d+)")
START_TIMEOUT_SECONDS = 60
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def production_settings() -> dict:
    """Return the settings deploy/gunicorn.conf.py gives (worker class, threads, keep-alive…)."""
    return runpy.run_path(str(CONFIG))


def gunicorn_command(workers: int, access_log: Path | None = None) -> list[str]:
    """Return the gunicorn command line serving ``wsgi:app`` with the production settings, on a
    port the system picks."""
    command = [sys.executable, "-m", "gunicorn", "--config", str(CONFIG),
               "--bind", "127.0.0.1:0", "--workers", str(workers), "--no-control-socket"]
    if access_log is not None:
        command += ["--access-logfile", str(access_log),
                    "--access-logformat", ACCESS_LOG_FORMAT]
    return [*command, "wsgi:app"]


def process_cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds of process *pid* (0 once it has gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # The command name is in parentheses and may hold spaces: count fields after the last ")".
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime


def child_pids(parent: int) -> list[int]:
    """Return the pids of *parent*'s living children."""
    children = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        if int(text[text.rindex(")") + 2:].split()[1]) == parent:
            children.append(int(entry.name))
    return children


class AppServer:
    """One gunicorn master with *workers* workers serving *app_root*'s ``wsgi:app``."""

    def __init__(self, app_root: Path, environment: dict, *, workers: int,
                 access_log: Path | None = None):
        self.app_root = Path(app_root)
        self.environment = environment
        self.workers = workers
        self.access_log = access_log
        self.process: subprocess.Popen | None = None
        self.port = 0
        self._log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        """Start gunicorn; return once every worker has booted and the app answers."""
        self.launch()
        return self.wait_ready()

    def launch(self) -> None:
        """Start gunicorn without waiting for it (several servers boot side by side)."""
        self.process = subprocess.Popen(
            gunicorn_command(self.workers, self.access_log), cwd=self.app_root,
            env=self.environment, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> AppServer:
        """Wait until every worker has booted and the app answers; fail with gunicorn's log."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            log = self.log_text()
            match = _LISTENING.search(log)
            if match and len(set(_BOOTED.findall(log))) >= self.workers and self._answers(
                    int(match.group(1))):
                self.port = int(match.group(1))
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn in {self.app_root} did not start:\n{self.log_text()[-3000:]}")

    @staticmethod
    def _answers(port: int) -> bool:
        # Any answer will do (an unknown link's page is a 404): the worker has loaded the app.
        connection = HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/schedule/")
            connection.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            connection.close()

    def log_text(self) -> str:
        """Return what gunicorn has logged (its own log and errors, not the access log)."""
        return Path(self._log.name).read_text(errors="replace")

    def pids(self) -> list[int]:
        """Return the master's pid and its workers'."""
        if self.process is None:
            return []
        return [self.process.pid, *child_pids(self.process.pid)]

    def cpu_seconds(self) -> dict[int, float]:
        """Return the CPU seconds used so far by the master and each living worker, by pid."""
        return {pid: process_cpu_seconds(pid) for pid in self.pids()}

    def stop(self) -> None:
        """Stop gunicorn: gracefully, then for good."""
        self.terminate()
        self.wait_stopped()

    def terminate(self) -> None:
        """Ask gunicorn to stop (its workers finish the requests in hand)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None

    def close(self) -> None:
        self.stop()
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()


@contextmanager
def serving(*servers: AppServer) -> Iterator[tuple[AppServer, ...]]:
    """Start *servers* side by side, yield them ready, and stop them all (side by side) after."""
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.close()


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """Return the CPU seconds used between two readings of the same processes; a process that
    appeared in between counts from zero (a pid that vanished is lost: gunicorn's workers and
    the connection pool's backends live for the whole run)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
