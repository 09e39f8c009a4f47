"""Candidates and their applications: creation with validation, and the coordinator's lists."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import Application, Candidate, Requisition, User
from scheduler.models.user import LANGUAGES
from scheduler.services.audit import record_event
from scheduler.timeutil import canonical_zone, is_valid_zone

NAME_MAX = 100
PHONE_MAX = 40


class CandidateInputError(ValueError):
    """The candidate's details were refused; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list]):
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


def create_candidate_with_application(
    actor: User | None, *, name: str, email: str, phone: str, zone: str, language: str,
    requisition_id: int | None, level: str, now: datetime,
) -> Application:
    """Validate, then add a candidate and their application at the requisition's first stage."""
    errors: dict[str, list] = {}
    name, phone, zone = (name or "").strip(), (phone or "").strip(), canonical_zone(zone)
    if not name:
        errors["name"] = [_l("Enter the candidate's name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_l("Use at most %(max)d characters.", max=NAME_MAX)]
    try:
        email = validate_email((email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = [_l("Enter a valid email address, such as name@example.com.")]
    else:
        if _candidate_with_email(email) is not None:
            errors["email"] = [_l("A candidate with this email address already exists.")]
    if len(phone) > PHONE_MAX:
        errors["phone"] = [_l("Use at most %(max)d characters.", max=PHONE_MAX)]
    if not is_valid_zone(zone):
        errors["zone"] = [_l("Unknown time zone: choose one from the list, such as "
                             "Asia/Shanghai or Europe/London.")]
    if language not in LANGUAGES:
        errors["language"] = [_l("Choose Chinese or English.")]
    requisition = db.session.get(Requisition, requisition_id) if requisition_id else None
    if requisition is None or not requisition.is_open:
        errors["requisition_id"] = [_l("Choose an open requisition.")]
    elif level not in {entry["code"] for entry in requisition.levels}:
        errors["level"] = [_l("Choose one of this requisition's levels.")]
    if errors:
        raise CandidateInputError(errors)

    candidate = Candidate(name=name, email=email, phone=phone, zone=zone, language=language,
                          created_at=now)
    application = Application(candidate=candidate, requisition=requisition, level=level,
                              status="active",
                              current_stage=requisition.stages[0] if requisition.stages else None,
                              created_at=now, updated_at=now)
    db.session.add_all([candidate, application])
    db.session.flush()
    record_event(actor, "application.created", application, now=now, after={
        "candidate_id": candidate.id, "email": email, "zone": zone, "language": language,
        "requisition_id": requisition.id, "level": level,
    })
    db.session.flush()
    return application


def _candidate_with_email(email: str) -> Candidate | None:
    return db.session.scalar(
        sa.select(Candidate).where(sa.func.lower(Candidate.email) == email.lower()).limit(1)
    )


def requisitions_with_stages(*, only_open: bool = False) -> list[Requisition]:
    """Return requisitions with their ordered stages loaded, open ones first."""
    query = sa.select(Requisition).options(selectinload(Requisition.stages))
    if only_open:
        query = query.where(Requisition.is_open.is_(True))
    return list(db.session.scalars(query.order_by(Requisition.is_open.desc(), Requisition.id)))


def applications_overview() -> list[Application]:
    """Return every application with its candidate, requisition and current stage, newest first."""
    query = (sa.select(Application)
             .options(selectinload(Application.candidate), selectinload(Application.requisition),
                      selectinload(Application.current_stage))
             .order_by(Application.created_at.desc(), Application.id.desc()))
    return list(db.session.scalars(query))
