"""Checking and changing staff passwords, and the audit records of sign-ins and failed ones;
flushes only, the view commits."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from scheduler.extensions import db
from scheduler.models import User
from scheduler.services.audit import record_event
from scheduler.services.users import end_sessions

# Checked when the email is unknown, so a miss costs as long as a wrong password and the
# response time does not reveal which emails have accounts.
_DUMMY_HASH = generate_password_hash("not a real password")


# Who acts in a failed sign-in's audit record: no one is known to be signed in.
SIGN_IN_FORM = "sign-in form"


def _account(email: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this email and password, else None (same cost either way)."""
    user = _account(email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


def is_current_password(user: User, password: str) -> bool:
    """Tell whether *password* is the user's current one."""
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


def change_password(user: User, new_password: str, *, now: datetime) -> None:
    """Store a new password hash for *user*, end their other sessions, and audit the change
    (never the password)."""
    user.password_hash = generate_password_hash(new_password)
    end_sessions(user)
    record_event(user, "user.password_changed", user, now=now)


def record_sign_in(user: User, *, now: datetime) -> None:
    """Audit that *user* signed in."""
    record_event(user, "user.signed_in", user, now=now)


def email_digest(email: str) -> str:
    """Return a keyed digest of a typed email (trimmed, lower case): the same address gives the
    same digest, so an admin can see attempts repeat, but what was typed (perhaps a password
    in the wrong field, perhaps a stranger's address) cannot be read back without the key."""
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(key, email.strip().lower().encode("utf-8", "replace"),
                    hashlib.sha256).hexdigest()[:16]


def record_failed_sign_in(email: str, *, now: datetime, is_throttled: bool = False) -> None:
    """Audit a refused sign-in: on the account the email names (why: a wrong password, an
    inactive account, or too many failures), or, when no account has it, on no account at all,
    with the email's digest only. Never the password, nor the email as typed."""
    account = _account(email)
    if is_throttled:
        reason = "throttled"
    elif account is None:
        reason = "unknown_email"
    elif not account.is_active:
        reason = "account_inactive"
    else:
        reason = "wrong_password"
    after = {"reason": reason}
    if account is None:
        after["email_digest"] = email_digest(email)
    record_event(SIGN_IN_FORM, "user.sign_in_failed", account or User.__tablename__, now=now,
                 after=after)
