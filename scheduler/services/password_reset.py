"""Password reset by email for staff: a signed, expiring, single-use link.

The token signs the user id, an expiry instant and a fingerprint of the current password hash.
Expiry is checked against the `now` passed in (no hidden clock); the link is single-use because
setting a new password changes the hash, so the fingerprint no longer matches.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, URLSafeSerializer

from scheduler.extensions import db
from scheduler.models import User
from scheduler.services.audit import record_event
from scheduler.services.emails import StableId, compose_and_enqueue, external_url
from scheduler.services.errors import N_, ServiceError
from scheduler.services.users import end_sessions

RESET_VALID_FOR = timedelta(hours=1)
_SALT = "password-reset"


class InvalidResetLink(ServiceError):
    """The link is malformed, expired, already used, or its account is disabled."""

    # One message for every reason: the page must not tell which one it was.
    messages = {code: N_("Reset links work once and for one hour. Ask for a new one.")
                for code in ("malformed", "expired", "used")}


@dataclass(frozen=True)
class _NoAccount:
    """Who a reset email is written for when no active account has the address: it is written
    like any other and dropped unsent (services/outbox.py), its link opens nothing."""

    email: str
    language: str
    id: int = 0
    name: str = ""
    password_hash: str = ""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User | _NoAccount) -> str:
    return hashlib.sha256((user.password_hash or "-").encode()).hexdigest()[:16]


def make_reset_token(user: User | _NoAccount, now: datetime) -> str:
    """Return a token that lets *user* set a new password until RESET_VALID_FOR from *now*."""
    expires = int((now + RESET_VALID_FOR).timestamp())
    return _serializer().dumps({"u": user.id, "e": expires, "f": _fingerprint(user)})


def user_for_reset_token(token: str, now: datetime) -> User:
    """Return the user a valid token belongs to, or raise InvalidResetLink."""
    try:
        data = _serializer().loads(token)
        user_id, expires, fingerprint = int(data["u"]), int(data["e"]), str(data["f"])
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidResetLink("malformed") from error
    if now >= datetime.fromtimestamp(expires, timezone.utc):
        raise InvalidResetLink("expired")
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or _fingerprint(user) != fingerprint:
        raise InvalidResetLink("used")
    return user


def request_password_reset(email: str, now: datetime, language: str) -> None:
    """Enqueue a reset email for *email*, whether or not an active account has it.

    Known and unknown addresses take the same path (one lookup, one email written, one outbox
    row), so neither the answer nor the time it takes tells which addresses have accounts; the
    outbox sends a reset email only to an active account's address and drops the others unsent
    (ACCOUNT_ONLY_KINDS). An unknown address's email is written in *language*, the asker's.
    """
    address = email.strip().lower()
    # The columns the email needs, not the User (whose roles would load in one more query).
    account = db.session.execute(
        sa.select(User.id, User.email, User.name, User.language, User.password_hash)
        .where(sa.func.lower(User.email) == address, User.is_active.is_(True))).first()
    recipient = account if account is not None else _NoAccount(address, language)
    token = make_reset_token(recipient, now)
    with force_locale(recipient.language):
        subject = gettext("Reset your interview scheduler password")
    compose_and_enqueue(
        "password_reset", to_addr=recipient.email, language=recipient.language, subject=subject,
        context=dict(user=recipient, link=external_url("auth.reset_password", token=token),
                     minutes=int(RESET_VALID_FOR.total_seconds() // 60)),
        stable_id=StableId(f"reset-{recipient.id}", kind="password-reset",
                           sequence=int(now.timestamp())),
        kind="password_reset", now=now)


def reset_password(token: str, new_password: str, now: datetime) -> User:
    """Set a new password through a valid link and end the user's sessions; the link cannot be
    used again."""
    from werkzeug.security import generate_password_hash

    user = user_for_reset_token(token, now)
    user.password_hash = generate_password_hash(new_password)
    # Whoever knew the old password may hold a session: end them all.
    end_sessions(user)
    record_event(user, "user.password_reset", user, now=now)
    db.session.flush()
    return user
