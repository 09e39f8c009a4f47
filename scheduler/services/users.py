"""Staff accounts: creation with hashed passwords and roles."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from scheduler.extensions import db
from scheduler.models import User, UserRole
from scheduler.models.user import LANGUAGES, ROLES
from scheduler.services.errors import N_, ServiceError
from scheduler.timeutil import canonical_zone, is_valid_zone

MIN_PASSWORD_LENGTH = 10


class UserError(ServiceError):
    """Staff account input was refused."""

    messages = {
        "bad_email": N_("Not an email address: %(email)s"),
        "bad_roles": N_("Roles must be some of %(roles)s; unknown: %(unknown)s"),
        "short_password": N_("The password needs at least %(min)d characters."),
        "unknown_zone": N_("Unknown time zone %(zone)s: use an IANA name such as Asia/Shanghai."),
        "bad_language": N_("The language must be one of %(languages)s."),
        "email_taken": N_("A user with the email address %(email)s already exists."),
    }


def create_staff_user(actor: User | None, *, email: str, name: str, roles: list[str],
                      password: str, zone: str, language: str, now: datetime) -> User:
    """Validate and add a staff user with the given roles; *actor* None means the command line."""
    from scheduler.services.audit import record_event

    email = email.strip().lower()
    unknown = sorted(set(roles) - set(ROLES))
    if "@" not in email:
        raise UserError("bad_email", "email", email=email)
    if not roles or unknown:
        raise UserError("bad_roles", "roles", roles=", ".join(ROLES), unknown=", ".join(unknown))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("short_password", "password", min=MIN_PASSWORD_LENGTH)
    zone = canonical_zone(zone)
    if not is_valid_zone(zone):
        raise UserError("unknown_zone", "zone", zone=zone)
    if language not in LANGUAGES:
        raise UserError("bad_language", "language", languages=", ".join(LANGUAGES))
    if db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email)):
        raise UserError("email_taken", "email", email=email)
    user = User(email=email, name=name.strip(), password_hash=generate_password_hash(password),
                zone=zone, language=language, is_active=True, created_at=now)
    user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    record_event(actor or "command line", "user.created", user, now=now,
                 after={"email": email, "roles": sorted(set(roles))})
    return user
