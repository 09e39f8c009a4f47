"""GET /healthz (issue 26 item 4): 200 {"status": "ok"} while the database and, when the rate
limits live there, Redis answer; 503 naming only the part that is down, with no exception text,
host, port or URL; no login, no rate limit, never cached.

The outages are real: a private PostgreSQL cluster (initdb as the postgres user into a temporary
folder, its own port and socket folder; never the shared server) migrated, then stopped and
started again; a private redis-server on its own port, then killed. Either skips with the reason
when its binaries are missing.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from scheduler import create_app
from scheduler.extensions import db as _db
from scheduler.services.health import check_health
from tests.dbutil import REDIS_URL, app_config
from tests.ports import reserve_port

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _dispose(app) -> None:
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _get(app):
    response = app.test_client().get("/healthz")
    return response.status_code, response.get_json(), response


def test_everything_up_answers_200_without_login_or_cache(database_config):
    app = create_app({**database_config, "RATELIMIT_STORAGE_URI": REDIS_URL})
    try:
        status, body, response = _get(app)
        assert (status, body) == (200, {"status": "ok"})
        assert response.headers["Cache-Control"] == "no-store"
        assert response.mimetype == "application/json"
    finally:
        _dispose(app)


def test_the_rate_limits_do_not_count_it(sqlite_template, tmp_path):
    # A load balancer polls far more often than any limit allows. The app runs in a process of its
    # own: Flask-Limiter keeps a configured default limit on its one process-wide Limiter for good,
    # so an app made here would leave "2 per minute" on every later test's pages.
    shutil.copy(sqlite_template, tmp_path / "app.db")
    config = app_config(f"sqlite:///{tmp_path / 'app.db'}", RATELIMIT_ENABLED=True,
                        RATELIMIT_DEFAULT="2 per minute")
    process = subprocess.Popen([sys.executable, "-m", "tests.web.app_process", json.dumps(config)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{int(process.stdout.readline())}"
        assert {_status(f"{base}/healthz") for _ in range(10)} == {200}
        # The same default limit does apply elsewhere, so the exemption is what lets it through.
        assert 429 in {_status(f"{base}/privacy/en") for _ in range(5)}
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# --- the database down: a private PostgreSQL cluster -------------------------------------------


class PrivatePostgres:
    """A PostgreSQL cluster of this test's own: its folder, port and socket folder."""

    def __init__(self, root: Path):
        self.data = root / "data"
        self.sockets = root / "sockets"
        self.log = root / "postgres.log"
        self.port = reserve_port()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        done = subprocess.run(["runuser", "-u", "postgres", "--", *command], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, (command, done.stdout, done.stderr,
                                      self.log.read_text()[-2000:])

    def create(self) -> None:
        for folder in (self.data, self.sockets):
            folder.mkdir(parents=True)
            shutil.chown(folder, "postgres", "postgres")
        self.log.touch()
        shutil.chown(self.log, "postgres", "postgres")
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                          "-U", "postgres", "--no-sync")

    def start(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                          "-w", "-o", f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
                          "-c fsync=off", "start")

    def stop(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@pytest.fixture
def private_postgres():
    missing = [name for name in ("initdb", "pg_ctl") if not (PG_BIN / name).exists()]
    if missing or shutil.which("runuser") is None:
        pytest.skip(f"a private PostgreSQL cluster needs {PG_BIN}/initdb, pg_ctl and runuser")
    # Not under pytest's own temporary folder: every pytest that starts (other runs on this
    # machine too) sets that back to owner-only, and the postgres user would lose its way in.
    root = Path(tempfile.mkdtemp(prefix="healthz-postgres-"))
    root.chmod(0o711)
    cluster = PrivatePostgres(root)
    cluster.create()
    cluster.start()
    try:
        yield cluster
    finally:
        if cluster.is_running():
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_database_down_answers_503_naming_only_the_database(private_postgres):
    from flask_migrate import upgrade

    config = app_config(private_postgres.url,
                        {"connect_args": {"connect_timeout": 2}, "pool_pre_ping": True})
    app = create_app(config)
    try:
        with app.app_context():
            upgrade()
        assert _get(app)[:2] == (200, {"status": "ok"})

        private_postgres.stop()
        status, body, response = _get(app)
        assert (status, body) == (503, {"status": "unavailable", "checks": {"database": "down"}})
        assert response.headers["Cache-Control"] == "no-store"
        text = response.get_data(as_text=True)
        for detail in (str(private_postgres.port), "127.0.0.1", "postgres", "connection",
                       "Error", "refused"):
            assert detail not in text

        private_postgres.start()
        assert _get(app)[:2] == (200, {"status": "ok"})
    finally:
        _dispose(app)


# --- Redis down: a private redis-server ---------------------------------------------------------


@pytest.fixture
def private_redis():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("a private Redis needs redis-server on the PATH")
    port = reserve_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        yield url, process
    finally:
        client.close()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_configured_redis_down_answers_503_naming_only_redis(sqlite_template, tmp_path,
                                                            private_redis):
    url, process = private_redis
    shutil.copy(sqlite_template, tmp_path / "app.db")
    app = create_app(app_config(f"sqlite:///{tmp_path / 'app.db'}", RATELIMIT_STORAGE_URI=url,
                                RATELIMIT_ENABLED=True))
    try:
        assert _get(app)[:2] == (200, {"status": "ok"})

        process.kill()
        process.wait(timeout=10)
        status, body, response = _get(app)
        assert (status, body) == (503, {"status": "unavailable", "checks": {"redis": "down"}})
        assert url.split("//")[1].split("/")[0] not in response.get_data(as_text=True)
    finally:
        _dispose(app)


def test_redis_is_checked_only_when_the_limits_live_there(app):
    # memory:// (the development default) has nothing to reach; a redis:// address is checked.
    assert check_health("memory://") == {"database": True}
    assert check_health(REDIS_URL) == {"database": True, "redis": True}
