"""Candidates and their applications: creation with validation, and the coordinator's lists.

Details that fail validation are refused with a CandidateInputError per field, raised together
(ServiceError.together), so the form shows every problem at once. Services flush; the request's
edge commits.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import Application, Candidate, Requisition, User
from scheduler.models.user import LANGUAGES
from scheduler.services.audit import record_event
from scheduler.services.errors import N_, ServiceError
from scheduler.timeutil import canonical_zone, is_valid_zone

NAME_MAX = 100
PHONE_MAX = 40


class CandidateInputError(ServiceError):
    """The candidate's details were refused: one refusal per field, raised together."""

    messages = {
        "name_missing": N_("Enter the candidate's name."),
        "too_long": N_("Use at most %(max)d characters."),
        "bad_email": N_("Enter a valid email address, such as name@example.com."),
        "email_taken": N_("A candidate with this email address already exists."),
        "unknown_zone": N_("Unknown time zone: choose one from the list, such as Asia/Shanghai "
                           "or Europe/London."),
        "bad_language": N_("Choose Chinese or English."),
        "requisition_closed": N_("Choose an open requisition."),
        "bad_level": N_("Choose one of this requisition's levels."),
    }


def create_candidate_with_application(
    actor: User | None, *, name: str, email: str, phone: str, zone: str, language: str,
    requisition_id: int | None, level: str, now: datetime,
) -> Application:
    """Validate, then add a candidate and their application at the requisition's first stage."""
    refusals: list[CandidateInputError] = []
    name, phone, zone = (name or "").strip(), (phone or "").strip(), canonical_zone(zone)
    if not name:
        refusals.append(CandidateInputError("name_missing", "name"))
    elif len(name) > NAME_MAX:
        refusals.append(CandidateInputError("too_long", "name", max=NAME_MAX))
    try:
        email = validate_email((email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        refusals.append(CandidateInputError("bad_email", "email"))
    else:
        if _candidate_with_email(email) is not None:
            refusals.append(CandidateInputError("email_taken", "email"))
    if len(phone) > PHONE_MAX:
        refusals.append(CandidateInputError("too_long", "phone", max=PHONE_MAX))
    if not is_valid_zone(zone):
        refusals.append(CandidateInputError("unknown_zone", "zone"))
    if language not in LANGUAGES:
        refusals.append(CandidateInputError("bad_language", "language"))
    requisition = db.session.get(Requisition, requisition_id) if requisition_id else None
    if requisition is None or not requisition.is_open:
        refusals.append(CandidateInputError("requisition_closed", "requisition_id"))
    elif level not in {entry["code"] for entry in requisition.levels}:
        refusals.append(CandidateInputError("bad_level", "level"))
    if refusals:
        raise CandidateInputError.together(refusals)

    candidate = Candidate(name=name, email=email, phone=phone, zone=zone, language=language,
                          created_at=now)
    application = Application(candidate=candidate, requisition=requisition, level=level,
                              status=Application.ACTIVE,
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
