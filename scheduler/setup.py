"""The named steps create_app() runs, one function each."""
from __future__ import annotations

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from scheduler import config
from scheduler.extensions import babel, csrf, db, limiter, login_manager, migrate

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_flask_app() -> Flask:
    """Create the Flask object with the project's top-level templates/ and static/ folders."""
    return Flask(
        "scheduler",
        template_folder=str(config.PROJECT_ROOT / "templates"),
        static_folder=str(config.PROJECT_ROOT / "static"),
        instance_path=str(config.INSTANCE_DIR),
        instance_relative_config=False,
    )


def load_config(app: Flask, overrides: dict | None) -> None:
    """Load settings from the environment, then any overrides (tests)."""
    app.config.from_mapping(config.settings_from_env())
    if overrides:
        app.config.update(overrides)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        config.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers proceed during a booking's write; foreign keys are off by default in SQLite.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


def init_extensions(app: Flask) -> None:
    """Bind the extension objects and load the models."""
    from scheduler import models  # noqa: F401  (registers every table on db.metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app)
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per role."""
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)


def _blueprints() -> list:
    return []


def register_error_handlers(app: Flask) -> None:
    """Render friendly pages for 403, 404, 429 and 500."""


def register_security_headers(app: Flask) -> None:
    """Add CSP, frame denial and related headers to every response."""

    @app.after_request
    def _headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def register_cli(app: Flask) -> None:
    """Add the project's flask commands."""
    from scheduler.cli import register_commands

    register_commands(app)


def register_template_filters(app: Flask) -> None:
    """Add Jinja filters that render instants in the viewer's zone."""
    from scheduler.timeutil import format_in_zone

    app.add_template_filter(format_in_zone, "in_zone")
