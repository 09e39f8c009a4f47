"""Staff accounts: creation with hashed passwords and roles (an interviewer's profile with its
office), edits of name, zone, language and roles, deactivation and reactivation, all audited; and
ending every session a user has open."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from scheduler.extensions import db
from scheduler.models import Interview, InterviewerAssignment, InterviewerProfile, Office, User, UserRole
from scheduler.models.user import LANGUAGES, ROLES
from scheduler.services.availability_cache import bump_user_versions
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
        "name_missing": N_("Give the person's name."),
        "office_missing": N_("An interviewer needs an office: choose one."),
        "own_account": N_("You cannot deactivate your own account or take away your own admin role."),
        "has_interviews": N_("%(name)s still sits on %(num)d future interviews: swap them first, "
                             "or deactivate the account."),
    }


def _role_refusal(roles) -> UserError | None:
    unknown = sorted(set(roles) - set(ROLES))
    if not roles or unknown:
        return UserError("bad_roles", "roles", roles=", ".join(ROLES), unknown=", ".join(unknown))
    return None


def _zone_language_refusals(zone: str, language: str) -> list[UserError]:
    refusals = []
    if not is_valid_zone(zone):
        refusals.append(UserError("unknown_zone", "zone", zone=zone))
    if language not in LANGUAGES:
        refusals.append(UserError("bad_language", "language", languages=", ".join(LANGUAGES)))
    return refusals


def create_staff_user(actor: User | None, *, email: str, name: str, roles: list[str],
                      password: str, zone: str, language: str, now: datetime,
                      office: Office | None = None, office_required: bool = False) -> User:
    """Validate and add a staff user with the given roles; *actor* None means the command line.

    An interviewer given an *office* gets an interviewer profile there (its zone is the
    office's until someone sets one); *office_required* refuses an interviewer without one.
    Every bad field is refused together and nothing is written.
    """
    from scheduler.services.audit import record_event

    email = email.strip().lower()
    name = (name or "").strip()
    zone = canonical_zone(zone)
    refusals = []
    if "@" not in email:
        refusals.append(UserError("bad_email", "email", email=email))
    elif db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email)):
        refusals.append(UserError("email_taken", "email", email=email))
    if not name:
        refusals.append(UserError("name_missing", "name"))
    if (refusal := _role_refusal(roles)) is not None:
        refusals.append(refusal)
    if len(password) < MIN_PASSWORD_LENGTH:
        refusals.append(UserError("short_password", "password", min=MIN_PASSWORD_LENGTH))
    refusals += _zone_language_refusals(zone, language)
    if office_required and "interviewer" in roles and office is None:
        refusals.append(UserError("office_missing", "office"))
    if refusals:
        raise UserError.together(refusals)
    user = User(email=email, name=name, password_hash=generate_password_hash(password),
                zone=zone, language=language, is_active=True, created_at=now)
    user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    after = {"email": email, "roles": sorted(set(roles))}
    if "interviewer" in roles and office is not None:
        add_interviewer_profile(user, office)
        after["office"] = office.code
    record_event(actor or "command line", "user.created", user, now=now, after=after)
    return user


def add_interviewer_profile(user: User, office: Office) -> InterviewerProfile:
    """Add *user*'s interviewer profile at *office*: its zone is the office's, no hours, no caps."""
    profile = InterviewerProfile(user=user, office=office, lock_version=0)
    db.session.add(profile)
    db.session.flush()
    return profile


def end_sessions(user: User) -> None:
    """End every session *user* has open, wherever its cookie was copied: the session version
    goes up, so a session made before no longer loads the user (a view that keeps the current
    one signed in logs it in again)."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def _snapshot(user: User) -> dict:
    return {"name": user.name, "zone": user.zone, "language": user.language,
            "roles": sorted(user.roles), "is_active": user.is_active}


def future_interviews(user: User, now: datetime) -> list[Interview]:
    """Return the scheduled interviews not yet over on which *user* holds a seat, soonest first."""
    profile = user.interviewer_profile
    if profile is None:
        return []
    return list(db.session.scalars(
        sa.select(Interview).join(InterviewerAssignment)
        .where(InterviewerAssignment.interviewer_id == profile.id,
               InterviewerAssignment.is_active.is_(True),
               Interview.status == Interview.SCHEDULED, Interview.end_at > now)
        .order_by(Interview.start_at, Interview.id)))


def update_staff_user(actor: User, user: User, *, name: str, zone: str, language: str,
                      roles: list[str], now: datetime, office: Office | None = None) -> User:
    """Change *user*'s name, zone, language and roles; every bad field is refused together.

    Adding the interviewer role to someone without a profile needs an *office* for it; taking
    it from someone who still sits on future interviews is refused (swap them first); an admin
    keeps their own admin role.
    """
    from scheduler.services.audit import record_event

    name = (name or "").strip()
    zone = canonical_zone(zone)
    roles = sorted(set(roles))
    refusals = []
    if not name:
        refusals.append(UserError("name_missing", "name"))
    if (refusal := _role_refusal(roles)) is not None:
        refusals.append(refusal)
    elif actor.id == user.id and "admin" not in roles:
        refusals.append(UserError("own_account", "roles"))
    elif "interviewer" not in roles and "interviewer" in user.roles:
        if count := len(future_interviews(user, now)):
            refusals.append(UserError("has_interviews", "roles", name=user.name, num=count))
    elif "interviewer" in roles and user.interviewer_profile is None and office is None:
        refusals.append(UserError("office_missing", "office"))
    refusals += _zone_language_refusals(zone, language)
    if refusals:
        raise UserError.together(refusals)
    before = _snapshot(user)
    user.name, user.zone, user.language = name, zone, language
    for row in [row for row in user.role_rows if row.role not in roles]:
        user.role_rows.remove(row)
    user.role_rows.extend(UserRole(role=r) for r in roles if r not in before["roles"])
    if "interviewer" in roles and user.interviewer_profile is None:
        add_interviewer_profile(user, office)
    if roles != before["roles"]:
        # What a session may do was decided under the old roles: make it sign in again.
        end_sessions(user)
    db.session.flush()
    after = _snapshot(user)
    if after != before:
        record_event(actor, "user.updated", user, now=now, before=before, after=after)
    return user


def set_user_active(actor: User, user: User, is_active: bool, now: datetime) -> User:
    """Deactivate (they can no longer sign in, nor be booked) or reactivate *user*, audited.

    Their future interviews keep their seats: the admin's page offers a swap for each first.
    """
    from scheduler.services.audit import record_event

    if actor.id == user.id and not is_active:
        raise UserError("own_account")
    if user.is_active == is_active:
        return user
    before = _snapshot(user)
    user.is_active = is_active
    if not is_active:
        # Reactivation must not bring back a session from before the deactivation.
        end_sessions(user)
    db.session.flush()
    bump_user_versions(user)
    record_event(actor, "user.reactivated" if is_active else "user.deactivated", user, now=now,
                 before=before, after=_snapshot(user),
                 note="" if is_active else f"future interviews: {len(future_interviews(user, now))}")
    return user


def list_staff() -> list[User]:
    """Return every staff user, active first, by name."""
    return list(db.session.scalars(
        sa.select(User).order_by(User.is_active.desc(), User.name, User.id)))
