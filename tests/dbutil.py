"""Test databases: a SQLite file and, when TEST_DATABASE_URL is set, a PostgreSQL schema.

Each PostgreSQL test database is a schema of its own (the server keeps state between runs);
it is dropped afterwards. Extensions live in schema public and are never dropped. Under
pytest-xdist every worker process makes schemas of its own (the worker id is in the name).
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import sqlalchemy as sa

from tests.clock import NOW

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
# The Redis that tests of limits shared between processes count in (each under a prefix of its own).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
DB_BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
# The Fernet key stored secrets are encrypted with in tests (and in their child processes).
TEST_ENCRYPTION_KEY = "bELXO0m0gG6ltPXZIqoXgKuN59wBvrEvuKuML65Lk0o="
# "gw0", "gw1", … in a pytest-xdist worker; "main" in a serial run.
WORKER_ID = os.environ.get("PYTEST_XDIST_WORKER", "main")
# Any fixed number: the advisory lock that serialises creating extensions across test processes.
EXTENSION_LOCK_KEY = 740_311_2026


def engine_options_for_schema(schema: str) -> dict:
    """Return engine options that put *schema* first on the PostgreSQL search path."""
    return {"connect_args": {"options": f"-csearch_path={schema},public"}, "pool_pre_ping": True}


@contextmanager
def postgres_schema(prefix: str = "t"):
    """Create a fresh schema, yield its name, drop it (never the extensions) afterwards."""
    schema = f"{prefix}_{WORKER_ID}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        # btree_gist lives in public for every schema. IF NOT EXISTS is no guard against another
        # process creating it at the same moment (one of the two fails on pg_extension's unique
        # name), so test processes take turns under an advisory lock.
        conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": EXTENSION_LOCK_KEY})
        try:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public"))
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": EXTENSION_LOCK_KEY})
    try:
        yield schema
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def app_config(url: str, engine_options: dict | None = None, **extra) -> dict:
    """Return create_app() overrides for a test database."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        "FROZEN_NOW": NOW.isoformat(),
        "ENCRYPTION_KEYS": (TEST_ENCRYPTION_KEY,),
    }
    if engine_options is not None:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    config.update(extra)
    return config


def subprocess_environment(config: dict) -> dict:
    """Return environment variables that point a child `flask` process at the test database."""
    url = config["SQLALCHEMY_DATABASE_URI"]
    options = config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {}).get("options")
    if options:
        from urllib.parse import quote

        url += ("&" if "?" in url else "?") + "options=" + quote(options)
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
            "APP_ENV": "testing", "FLASK_APP": "wsgi", "FROZEN_NOW": NOW.isoformat(),
            "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY}
