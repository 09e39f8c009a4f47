"""Sign-in throttling per account: after a few failures, each further attempt waits out a delay
that doubles with every failure, capped at a few minutes.

The counts live in the rate limiter's storage (RATELIMIT_STORAGE_URI: Redis in production), so
every worker and machine sees the same ones; the per-address limit on the route cannot stop 100
addresses guessing one password, this can. They are keyed by the email as typed, normalised
(trimmed, lower case) and hashed, whether or not an account has it, so the answers do not tell
which addresses have accounts. A delay always runs out by itself (the storage expires it), so no
one can lock a user out for good; a successful sign-in clears the count. While a delay runs the
password is not checked and the attempt is not counted.

Settings (app config; the defaults suit production): LOGIN_ACCOUNT_FREE_FAILURES failures may
follow each other at once, counted within LOGIN_ACCOUNT_WINDOW_SECONDS of the first; the last of
them starts a delay of LOGIN_ACCOUNT_FIRST_DELAY_SECONDS, and each failure after it one twice as
long, up to LOGIN_ACCOUNT_MAX_DELAY_SECONDS. RATELIMIT_ENABLED off turns this off with the other
limits; RATELIMIT_KEY_PREFIX prefixes its keys as it does Flask-Limiter's.
"""
from __future__ import annotations

import hashlib
import math

from flask import current_app

from scheduler.extensions import limiter
from scheduler.timeutil import wall_clock_now

FREE_FAILURES = 5
WINDOW_SECONDS = 60 * 60
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 5 * 60
# 2 ** 16 times any first delay is past any sensible cap: the exponent stops growing there.
_MAX_DOUBLINGS = 16


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(f"LOGIN_ACCOUNT_{name}", default))


def _is_enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True)) and limiter.enabled


def _keys(email: str) -> tuple[str, str]:
    account = hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()
    base = f"{current_app.config.get('RATELIMIT_KEY_PREFIX', '')}/login-account/{account}"
    return f"{base}/failures", f"{base}/delay"


def seconds_to_wait(email: str) -> int:
    """Return how many seconds sign-ins for *email* must still wait (0: none)."""
    if not _is_enabled():
        return 0
    _failures, delay = _keys(email)
    storage = limiter.storage
    if not storage.get(delay):
        return 0
    # The storage expires keys on the real clock (Redis' own), never on a frozen one.
    remaining = storage.get_expiry(delay) - wall_clock_now().timestamp()
    return max(1, math.ceil(remaining))


def record_failure(email: str) -> int:
    """Count a failed sign-in for *email*; return the delay it starts in seconds (0: none)."""
    if not _is_enabled():
        return 0
    failures_key, delay_key = _keys(email)
    storage = limiter.storage
    failures = storage.incr(failures_key, _setting("WINDOW_SECONDS", WINDOW_SECONDS))
    free = _setting("FREE_FAILURES", FREE_FAILURES)
    if failures < free:
        return 0
    doublings = min(failures - free, _MAX_DOUBLINGS)
    delay = min(_setting("FIRST_DELAY_SECONDS", FIRST_DELAY_SECONDS) * 2 ** doublings,
                _setting("MAX_DELAY_SECONDS", MAX_DELAY_SECONDS))
    storage.incr(delay_key, delay)
    return delay


def clear_failures(email: str) -> None:
    """Forget the failures counted for *email* (it has just signed in)."""
    if not _is_enabled():
        return
    for key in _keys(email):
        limiter.storage.clear(key)
