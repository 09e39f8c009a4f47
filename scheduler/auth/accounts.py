"""Checking and changing staff passwords; flushes only, the view commits."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from scheduler.extensions import db
from scheduler.models import User
from scheduler.services.audit import record_event
from scheduler.services.users import end_sessions

# Checked when the email is unknown, so a miss costs as long as a wrong password and the
# response time does not reveal which emails have accounts.
_DUMMY_HASH = generate_password_hash("not a real password")


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this email and password, else None (same cost either way)."""
    user = db.session.scalar(
        sa.select(User).where(sa.func.lower(User.email) == email.strip().lower())
    )
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
