"""Shared fixtures: an app and a real database per test, on SQLite and (when set) PostgreSQL.

`app` is parametrised over DB_BACKENDS, so every database test runs once per backend in one
pytest run. The schema is built by the real migrations once per session; each test then gets
a fresh copy (SQLite: a copied file; PostgreSQL: truncated tables in a private schema).

The suite runs in pytest-xdist workers (`dev.py test`: two). Each worker process has its own
instance folder, temporary folders (pytest's, per worker), PostgreSQL schemas (tests/dbutil.py)
and server ports (picked by the OS); the catalogues are compiled once, by the controlling
process, before the workers start; tests marked `alone` run while no other test does
(tests/alone.py).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

from tests.dbutil import WORKER_ID

# One folder per pytest run, shared by its workers: the process that starts the run makes it
# (workers inherit the variable) and removes it at the end. Set before the app's settings are
# imported: INSTANCE_PATH keeps each worker's instance files (mail folder, SQLite defaults)
# apart from the other workers' and from the developer's instance/.
RUN_DIR_VARIABLE = "SCHEDULER_TEST_RUN_DIR"
IS_RUN_OWNER = RUN_DIR_VARIABLE not in os.environ
if IS_RUN_OWNER:
    os.environ[RUN_DIR_VARIABLE] = tempfile.mkdtemp(prefix="scheduler-tests-")
RUN_DIR = Path(os.environ[RUN_DIR_VARIABLE])
os.environ["INSTANCE_PATH"] = str(RUN_DIR / f"instance-{WORKER_ID}")

import contextvars  # noqa: E402  (after INSTANCE_PATH: see above)

import pytest  # noqa: E402
import redis  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask import has_app_context  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from scheduler import create_app  # noqa: E402
from scheduler.extensions import db as _db  # noqa: E402
from tests.alone import AloneLock, is_alone  # noqa: E402
from tests.clock import NOW  # noqa: E402
from tests.dbutil import (  # noqa: E402
    DB_BACKENDS, REDIS_URL, TEST_DATABASE_URL, app_config, engine_options_for_schema,
    postgres_schema)

TRANSLATIONS = Path(__file__).resolve().parent.parent / "scheduler" / "translations"
ALONE_LOCK = pytest.StashKey[AloneLock]()


def pytest_configure(config):
    config.stash[ALONE_LOCK] = AloneLock(RUN_DIR)
    if not hasattr(config, "workerinput"):  # the controlling process (or a serial run)
        compile_translations()


def pytest_unconfigure(config):
    if ALONE_LOCK in config.stash:
        config.stash[ALONE_LOCK].close()
    if IS_RUN_OWNER and not hasattr(config, "workerinput"):
        shutil.rmtree(RUN_DIR, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Run each test under the run's lock: exclusively if it is marked `alone`, else shared."""
    lock = item.config.stash[ALONE_LOCK]
    lock.acquire(is_alone=is_alone(item))
    try:
        return (yield)
    finally:
        if not (is_alone(item) and nextitem is not None and is_alone(nextitem)):
            lock.release()


def compile_translations() -> None:
    """Compile the .po catalogues when a .mo is missing or older (dev.py does this too)."""
    import subprocess
    import sys

    stale = [po for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")
             if not po.with_suffix(".mo").exists()
             or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    if stale:
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--quiet", "compile",
                        "-d", str(TRANSLATIONS)], check=True)


def _migrate_to_head(config: dict) -> None:
    from flask_migrate import upgrade

    app = create_app(config)
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file migrated to head, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    _migrate_to_head(app_config(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_database():
    """A private PostgreSQL schema migrated to head; yields its app config."""
    with postgres_schema("test") as schema:
        config = app_config(TEST_DATABASE_URL, engine_options_for_schema(schema))
        _migrate_to_head(config)
        yield config
        _cleanup_engine(config).dispose()


@pytest.fixture(params=DB_BACKENDS)
def db_backend(request):
    return request.param


@pytest.fixture
def database_config(db_backend, request, tmp_path):
    """App config for a clean database of the requested backend."""
    if db_backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield app_config(f"sqlite:///{path}")
        return
    config = request.getfixturevalue("postgres_database")
    yield config
    _truncate_all(config)


# Engines that empty PostgreSQL test schemas, one per schema, kept for the session: a new
# connection costs more than emptying the tables does.
_CLEANUP_ENGINES: dict[str, sa.Engine] = {}


def _cleanup_engine(config: dict) -> sa.Engine:
    options = config["SQLALCHEMY_ENGINE_OPTIONS"]
    key = f'{config["SQLALCHEMY_DATABASE_URI"]} {options["connect_args"]["options"]}'
    if key not in _CLEANUP_ENGINES:
        _CLEANUP_ENGINES[key] = sa.create_engine(config["SQLALCHEMY_DATABASE_URI"], **options)
    return _CLEANUP_ENGINES[key]


def _truncate_all(config: dict) -> None:
    """Empty every table of a PostgreSQL test schema and restart its sequences.

    DELETE, children first, rather than TRUNCATE: a test leaves a few rows in a few tables, and
    TRUNCATE makes new files for all thirty-odd tables (0.35–0.75 s a test against 0.05 s).
    """
    deletes = "; ".join(f'DELETE FROM "{t.name}"' for t in reversed(_db.metadata.sorted_tables))
    with _cleanup_engine(config).begin() as conn:
        conn.exec_driver_sql(deletes)
        conn.exec_driver_sql(
            "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace WHERE c.relkind = 'S' AND n.nspname = current_schema()")


class OwnContextClient(FlaskClient):
    """A test client whose requests run as in production: each in an app context of its own.

    The `app` fixture holds an app context for set-up (flaskr's pattern); a request made inside
    it would share that context's `g` and database session with the test and with every other
    request. Each request here runs in a fresh context-variable context, so Flask pushes a new
    app context for it; the test's own session is committed first (so the request sees the set-up,
    as it would see committed data in production) and expired afterwards (so the test then reads
    what the request wrote).
    """

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect being followed: already in the request's own
            return super().open(*args, **kwargs)
        _db.session.commit()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            _db.session.expire_all()


@pytest.fixture
def app(database_config):
    """A Flask app on a clean, migrated database, inside an app context."""
    app = create_app(database_config)
    app.test_client_class = OwnContextClient
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def now():
    return NOW


@pytest.fixture(scope="module")
def redis_prefix(request):
    """A key prefix of the module's own on the shared Redis (REDIS_URL, from TEST_REDIS_URL); its
    keys are deleted afterwards. Fails, not skips, without Redis: CI runs these tests."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"this test needs Redis at {REDIS_URL} (set TEST_REDIS_URL)")
    prefix = f"test-{request.module.__name__.rsplit('.', 1)[-1]}-{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)
        assert not list(client.scan_iter(match=f"*{prefix}*"))
        client.close()
