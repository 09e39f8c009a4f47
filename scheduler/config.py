"""Settings read from the environment (README lists them); the embedded default is SQLite."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))
MAX_UPLOAD_MB = 10
# Where `python3 dev.py run` serves unless PORT says otherwise.
DEFAULT_PORT = "5000"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and what to do."""


def _secret_key(app_env: str) -> str:
    """Return SECRET_KEY, generating one under instance/ in development."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if app_env == "production":
        raise ConfigError("SECRET_KEY must be set in production (a long random string).")
    # Kept on disk so sessions survive restarts and several dev processes agree on it.
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def default_database_url() -> str:
    """Return the embedded default: a SQLite file under instance/."""
    return f"sqlite:///{INSTANCE_DIR / 'scheduler.db'}"


def default_base_url() -> str:
    """Return the development address: this machine at PORT, where `dev.py run` serves, so the
    links in emails reach the app whichever port it runs on."""
    return f"http://127.0.0.1:{os.environ.get('PORT') or DEFAULT_PORT}"


def settings_from_env() -> dict:
    """Read every setting from the environment into a Flask config mapping."""
    app_env = os.environ.get("APP_ENV", "development")
    is_production = app_env == "production"
    return {
        "APP_ENV": app_env,
        "SECRET_KEY": _secret_key(app_env),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or default_database_url(),
        "BASE_URL": (os.environ.get("BASE_URL") or default_base_url()).rstrip("/"),
        "SMTP_URL": os.environ.get("SMTP_URL", ""),
        "MAIL_DIR": os.environ.get("MAIL_DIR", str(INSTANCE_DIR / "mail")),
        "ORGANIZER_EMAIL": os.environ.get("ORGANIZER_EMAIL", "ml-hr@example.com"),
        "ORGANIZER_NAME": os.environ.get("ORGANIZER_NAME", "ML Hiring Team"),
        "COMPANY_NAME": os.environ.get("COMPANY_NAME", "Example AI"),
        "DEFAULT_TIMEZONE": os.environ.get("DEFAULT_TIMEZONE", "Asia/Shanghai"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # How many reverse proxies in front of the app set X-Forwarded-For and -Proto: their
        # addresses are replaced by the client's (rate limits key on it). 0: none, trust no header.
        "TRUSTED_PROXY_HOPS": os.environ.get("TRUSTED_PROXY_HOPS", "0"),
        # An ISO instant that freezes utc_now() for the process (tests, demo, bench); refused in
        # production.
        "FROZEN_NOW": os.environ.get("FROZEN_NOW", ""),
        "CALENDAR_ALLOW_PRIVATE_URLS": os.environ.get("CALENDAR_ALLOW_PRIVATE_URLS", "") == "1",
        # Bounds any upload (calendar files) before it is read; the importer has its own limits.
        "MAX_CONTENT_LENGTH": MAX_UPLOAD_MB * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": is_production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": is_production,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": ("zh", "en"),
    }
