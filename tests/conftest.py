"""Shared fixtures: an app and a real database per test, on SQLite and (when set) PostgreSQL.

`app` is parametrised over DB_BACKENDS, so every database test runs once per backend in one
pytest run. The schema is built by the real migrations once per session; each test then gets
a fresh copy (SQLite: a copied file; PostgreSQL: truncated tables in a private schema).
"""
from __future__ import annotations

import contextvars
import shutil
import uuid

import pytest
import redis
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from scheduler import create_app
from scheduler.extensions import db as _db
from tests.clock import NOW
from tests.dbutil import (
    DB_BACKENDS, REDIS_URL, TEST_DATABASE_URL, app_config, engine_options_for_schema, postgres_schema,
)



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


def _truncate_all(config: dict) -> None:
    engine = sa.create_engine(config["SQLALCHEMY_DATABASE_URI"], **config["SQLALCHEMY_ENGINE_OPTIONS"])
    tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


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


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Compile the .po catalogues when a .mo is missing or older (dev.py does this too)."""
    import subprocess
    import sys
    from pathlib import Path

    translations = Path(__file__).resolve().parent.parent / "scheduler" / "translations"
    stale = [po for po in translations.glob("*/LC_MESSAGES/messages.po")
             if not po.with_suffix(".mo").exists()
             or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    if stale:
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--quiet", "compile",
                        "-d", str(translations)], check=True)


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
