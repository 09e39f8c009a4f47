"""The named steps create_app() runs, one function each."""
from __future__ import annotations

import sqlite3
from datetime import datetime

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import Rule

from scheduler import config
from scheduler.extensions import babel, csrf, db, limiter, login_manager, migrate

SQLITE_BUSY_TIMEOUT_MS = 15_000


class SharedBuilderRule(Rule):
    """A URL rule whose url_for() builders are compiled once per process, not once per app.

    Werkzeug writes and compiles two Python functions for every rule of every app; with a hundred
    routes that was most of create_app()'s time, paid again by every test's app. The function's
    code depends only on the rule's text, defaults and converter types; it reads the converters
    through the rule it is bound to, so one compiled function serves the same rule in every app.
    """

    _builders: dict = {}

    def _compile_builder(self, append_unknown: bool = True):
        key = (type(self.map).__name__, self.map.host_matching, self.rule, self.subdomain,
               self.host, self.merge_slashes, tuple(self._trace),
               repr(sorted((self.defaults or {}).items())),
               tuple(sorted((name, type(c)) for name, c in self._converters.items())),
               append_unknown)
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder


class SchedulerFlask(Flask):
    """Flask with URL rules that share their compiled builders across apps."""

    url_rule_class = SharedBuilderRule


def make_flask_app() -> Flask:
    """Create the Flask object with the project's top-level templates/ and static/ folders."""
    return SchedulerFlask(
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
        # SQLite's own lower() folds ASCII only; PostgreSQL's folds every script. Searches that
        # ignore case ("JOSÉ" finds "José") must answer alike on both.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def configure_clock(app: Flask) -> None:
    """Freeze utc_now() when FROZEN_NOW is set; refuse that in production."""
    from scheduler.timeutil import freeze_clock, parse_instant

    frozen = app.config.get("FROZEN_NOW")
    if not frozen:
        return
    if app.config["APP_ENV"] == "production":
        raise config.ConfigError("FROZEN_NOW must not be set in production: the clock would stand "
                                 "still for every booking, reminder and link. Unset it.")
    try:
        freeze_clock(frozen if isinstance(frozen, datetime) else parse_instant(frozen))
    except ValueError as error:
        raise config.ConfigError(f"FROZEN_NOW: {error}") from error


# More hops than any real deployment has: a larger number is a typo.
MAX_PROXY_HOPS = 5


def configure_proxies(app: Flask) -> None:
    """Trust X-Forwarded-For and X-Forwarded-Proto from TRUSTED_PROXY_HOPS reverse proxies.

    Behind a proxy every request comes from the proxy's address; the rate limits key on the
    client's. Only the given number of proxies' entries are believed, so a client cannot pick
    its own address by sending the header; with 0 (the default) no header is believed at all.
    """
    from werkzeug.middleware.proxy_fix import ProxyFix

    value = app.config.get("TRUSTED_PROXY_HOPS", 0)
    try:
        hops = int(value)
    except (TypeError, ValueError):
        hops = -1
    if not 0 <= hops <= MAX_PROXY_HOPS:
        raise config.ConfigError(
            f"TRUSTED_PROXY_HOPS must be a whole number from 0 to {MAX_PROXY_HOPS} (the number of "
            f"reverse proxies in front of the app), not {value!r}.")
    app.config["TRUSTED_PROXY_HOPS"] = hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def init_extensions(app: Flask) -> None:
    """Bind the extension objects and load the models."""
    from scheduler import models  # noqa: F401  (registers every table on db.metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    _configure_login(app)
    from scheduler.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    # First of all before_request hooks, ahead of those the extensions just added.
    app.before_request_funcs.setdefault(None, []).insert(0, _resolve_request_now)
    from scheduler.web import end_transaction

    app.after_request(end_transaction)


def _resolve_request_now() -> None:
    # Read the clock once, at the request edge: every view and template of it uses this `now`.
    from scheduler.web import request_now

    request_now()


def _configure_login(app: Flask) -> None:
    from scheduler.models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_user(session_id: str):
        # "id:version" (User.get_id): a session made before the user's sessions were ended
        # (sign-out, password change or reset, deactivation, role change) carries an older
        # version and loads nobody.
        user_id, _, version = session_id.partition(":")
        if not all(part.isascii() and part.isdigit() for part in (user_id, version)):
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.is_active or user.session_version != int(version):
            return None
        return user


def register_request_checks(app: Flask) -> None:
    """Bound ids in URLs (`<int:…>`: ASCII digits up to the database's range, else 404) and
    refuse a NUL character anywhere in a request with a 400 page that says so, before any form
    or view reads it (PostgreSQL cannot store one in text)."""
    from scheduler.web import NUL_REFUSAL, IdConverter, has_nul

    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _refuse_nul():
        if has_nul():
            return render_template("errors/error.html", code=400, title=NUL_REFUSAL[0],
                                   message=NUL_REFUSAL[1]), 400
        return None


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per role."""
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)


def _blueprints() -> list:
    from scheduler.auth import bp as auth
    from scheduler.candidate import bp as candidate
    from scheduler.coordinator import bp as coordinator
    from scheduler.feeds import bp as feeds
    from scheduler.interviewer import bp as interviewer
    from scheduler.availability import bp as availability
    from scheduler.admin import bp as admin
    from scheduler.public import bp as public
    from scheduler.health import bp as health

    return [auth, coordinator, interviewer, feeds, availability, admin, public, candidate, health]


# What each error page says: a title and one sentence on what to do next.
ERROR_PAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("There is no page at this address. Check the link.")),
    413: (_l("File too large"),
          _l("The upload is larger than %(mb)d MB. Export a shorter period, or subscribe to "
             "the calendar's address instead.", mb=config.MAX_UPLOAD_MB)),
    429: (_l("Too many attempts"),
          _l("You have tried this too often. Wait a minute, then try again.")),
    500: (_l("Something went wrong"),
          _l("The server hit an error and nothing was changed. Try again in a moment.")),
}
CSRF_PAGE = (_l("Form expired"),
             _l("This form was missing its security token or was open too long. "
                "Go back, reload the page and submit it again."))


def register_request_log(app: Flask) -> None:
    """Log one line per request (scheduler.requests) with capability tokens redacted."""
    from scheduler.request_log import register_request_log as register

    register(app)


def register_error_handlers(app: Flask) -> None:
    """Render friendly pages for 400, 403, 404, 429 and 500."""

    def render(code: int, title, message):
        return render_template("errors/error.html", code=code, title=title,
                               message=message), code

    def handler(code: int):
        return lambda _error: render(code, *ERROR_PAGES[code])

    for code in ERROR_PAGES:
        if code != 500:
            app.register_error_handler(code, handler(code))

    @app.errorhandler(CSRFError)
    def _csrf_error(_error):
        return render(400, *CSRF_PAGE)

    @app.errorhandler(500)
    def _server_error(_error):
        # The failed request may have left the transaction unusable; the page needs a clean one.
        db.session.rollback()
        return render(500, *ERROR_PAGES[500])


# A year; sent in production only, where the app is served over HTTPS.
HSTS = "max-age=31536000"


def register_security_headers(app: Flask) -> None:
    """Add CSP, frame denial and related headers to every response; HSTS in production; and
    `Cache-Control: no-store` on every page but static files (staff and candidate pages show
    personal data), unless a view said otherwise (the interviewers' calendar feeds)."""
    is_production = app.config["APP_ENV"] == "production"

    @app.after_request
    def _headers(response):
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        if is_production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
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
    """Add Jinja filters and globals for localized names and instants in the viewer's zone."""
    from scheduler import i18n
    from scheduler.timeutil import format_in_zone
    from scheduler.web import register_template_globals, request_now

    register_template_globals(app)
    # Block tags leave no blank lines behind, so the HTML stays small and readable.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_filter(format_in_zone, "in_zone")
    app.add_template_filter(i18n.localized, "localized")
    app.add_template_filter(i18n.format_local_datetime, "local_datetime")
    app.add_template_filter(i18n.format_local_range, "local_range")
    app.add_template_filter(i18n.salary_band, "salary_band")
    app.add_template_filter(i18n.calendar_name, "calendar_name")
    app.add_template_filter(i18n.format_duration, "duration")

    @app.context_processor
    def _i18n_context():
        zone = i18n.viewer_zone()
        return {
            "current_language": i18n.current_language(),
            "html_lang": i18n.HTML_LANG[i18n.current_language()],
            "language_autonyms": i18n.LANGUAGE_AUTONYMS,
            "viewer_zone": zone,
            "viewer_zone_label": i18n.zone_label(request_now(), zone),
            "labels": {
                "application_status": i18n.APPLICATION_STATUS_LABELS,
                "stage_mode": i18n.STAGE_MODE_LABELS,
                "stage_kind": i18n.STAGE_KIND_LABELS,
                "qualification_level": i18n.QUALIFICATION_LEVEL_LABELS,
                "language": i18n.LANGUAGE_LABELS,
                "score": i18n.SCORE_LABELS,
                "recommendation": i18n.RECOMMENDATION_LABELS,
            },
        }
