"""Staff accounts: creation with hashed passwords and roles."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from scheduler.extensions import db
from scheduler.models import User, UserRole
from scheduler.models.user import LANGUAGES, ROLES
from scheduler.timeutil import canonical_zone, is_valid_zone

MIN_PASSWORD_LENGTH = 10


class UserError(ValueError):
    """Staff account input was refused; the message says why."""


def create_staff_user(actor: User | None, *, email: str, name: str, roles: list[str],
                      password: str, zone: str, language: str, now: datetime) -> User:
    """Validate and add a staff user with the given roles; *actor* None means the command line."""
    from scheduler.services.audit import record_event

    email = email.strip().lower()
    unknown = sorted(set(roles) - set(ROLES))
    if "@" not in email:
        raise UserError(f"not an email address: {email!r}")
    if not roles or unknown:
        raise UserError(f"roles must be some of {', '.join(ROLES)}; unknown: {', '.join(unknown)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    zone = canonical_zone(zone)
    if not is_valid_zone(zone):
        raise UserError(f"unknown time zone {zone!r}; use an IANA name such as Asia/Shanghai")
    if language not in LANGUAGES:
        raise UserError(f"language must be one of {', '.join(LANGUAGES)}")
    if db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email)):
        raise UserError(f"a user with email {email} already exists")
    user = User(email=email, name=name.strip(), password_hash=generate_password_hash(password),
                zone=zone, language=language, is_active=True, created_at=now)
    user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    record_event(actor or "command line", "user.created", user, now=now,
                 after={"email": email, "roles": sorted(set(roles))})
    return user
