"""Settings read from the environment (README lists them); the embedded default is SQLite."""
from __future__ import annotations

import base64
import ipaddress
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))
MAX_UPLOAD_MB = 10
# Where `python3 dev.py run` serves unless PORT says otherwise.
DEFAULT_PORT = "5000"


MAKE_KEY_COMMAND = ("python3 -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'")


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


def _positive_setting(name: str, default: float, *, integer: bool = False) -> float | int:
    """Return the number in environment variable *name* (or *default*); refuse anything else."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        value = 0
    if not value > 0:  # also refuses NaN
        kind = "a whole number" if integer else "a number of seconds"
        raise ConfigError(f"{name} must be {kind} above 0, not {text!r}.")
    return value


def _encryption_keys(app_env: str) -> tuple[str, ...]:
    """Return the Fernet keys of ENCRYPTION_KEYS (comma-separated, newest first), generating one
    under instance/ in development; production refuses to start without them."""
    text = os.environ.get("ENCRYPTION_KEYS", "")
    if not text.strip():
        if app_env == "production":
            raise ConfigError("ENCRYPTION_KEYS must be set in production: one or more Fernet keys, comma-"
                              f"separated, newest first (make one with: {MAKE_KEY_COMMAND}). "
                              "It encrypts stored CalDAV passwords and calendar subscription addresses.")
        # Kept on disk, like the secret key, so stored secrets stay readable across restarts.
        path = INSTANCE_DIR / "encryption_key"
        if not path.exists():
            INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(new_encryption_key())
            path.chmod(0o600)
        text = path.read_text()
    keys = tuple(key.strip() for key in text.split(",") if key.strip())
    for number, key in enumerate(keys, start=1):
        if not _is_fernet_key(key):
            raise ConfigError(f"ENCRYPTION_KEYS: key {number} is not a Fernet key (32 bytes in url-safe "
                              f"base64, 44 characters); make one with: {MAKE_KEY_COMMAND}")
    return keys


def new_encryption_key() -> str:
    """Return a new random Fernet key (what cryptography's Fernet.generate_key() makes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def _is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32 and len(key) == 44
    except (ValueError, UnicodeEncodeError):
        return False


def _private_calendar_networks() -> tuple[bool, tuple[str, ...]]:
    """Read CALENDAR_ALLOW_PRIVATE_URLS: "1" allows every private address; a comma-separated list
    of addresses or networks (e.g. "10.2.0.0/16, 192.168.1.5") allows just those."""
    text = os.environ.get("CALENDAR_ALLOW_PRIVATE_URLS", "").strip()
    if text == "1":
        return True, ()
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item or item == "0":
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as error:
            raise ConfigError(f"CALENDAR_ALLOW_PRIVATE_URLS: {item!r} is neither 1 nor an address or "
                              f"network such as 10.2.0.0/16 ({error}).") from error
    return False, tuple(networks)


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
    is_private_allowed, private_networks = _private_calendar_networks()
    return {
        "APP_ENV": app_env,
        "SECRET_KEY": _secret_key(app_env),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or default_database_url(),
        "BASE_URL": (os.environ.get("BASE_URL") or default_base_url()).rstrip("/"),
        "SMTP_URL": os.environ.get("SMTP_URL", ""),
        # The outbox (services/outbox.py, jobs.py): a job process claims this many messages at a
        # time and holds each claim this long on the real clock, renewed before every send; it
        # looks for due mail this often. A dead process's claims wait at most one lease, so the
        # lease is short, yet well above the mail server's slowest single send.
        "OUTBOX_LEASE_SECONDS": _positive_setting("OUTBOX_LEASE_SECONDS", 120),
        "OUTBOX_BATCH_SIZE": _positive_setting("OUTBOX_BATCH_SIZE", 5, integer=True),
        "OUTBOX_POLL_SECONDS": _positive_setting("OUTBOX_POLL_SECONDS", 30),
        "MAIL_DIR": os.environ.get("MAIL_DIR", str(INSTANCE_DIR / "mail")),
        "ORGANIZER_EMAIL": os.environ.get("ORGANIZER_EMAIL", "ml-hr@example.com"),
        "ORGANIZER_NAME": os.environ.get("ORGANIZER_NAME", "ML Hiring Team"),
        "COMPANY_NAME": os.environ.get("COMPANY_NAME", "Example AI"),
        # The privacy notice's controller (who decides about candidates' data) and the address
        # that answers requests for a copy or deletion (scheduler/privacy/).
        "PRIVACY_CONTROLLER": os.environ.get("PRIVACY_CONTROLLER")
        or os.environ.get("COMPANY_NAME", "Example AI"),
        "PRIVACY_CONTACT": os.environ.get("PRIVACY_CONTACT", "privacy@example.com"),
        "DEFAULT_TIMEZONE": os.environ.get("DEFAULT_TIMEZONE", "Asia/Shanghai"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Starts every key the limits and sign-in throttling write, so that two deployments (or
        # a test's app servers) sharing one Redis count apart.
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", ""),
        # How many reverse proxies in front of the app set X-Forwarded-For and -Proto: their
        # addresses are replaced by the client's (rate limits key on it). 0: none, trust no header.
        "TRUSTED_PROXY_HOPS": os.environ.get("TRUSTED_PROXY_HOPS", "0"),
        # An ISO instant that freezes utc_now() for the process (tests, demo, bench); refused in
        # production.
        "FROZEN_NOW": os.environ.get("FROZEN_NOW", ""),
        "CALENDAR_ALLOW_PRIVATE_URLS": is_private_allowed,
        # Private networks calendar addresses may reach even so (the same setting, as a list).
        "CALENDAR_PRIVATE_NETWORKS": private_networks,
        # Fernet keys for secrets at rest (scheduler/encryption.py): the first encrypts, all decrypt.
        "ENCRYPTION_KEYS": _encryption_keys(app_env),
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
