"""Candidates and their applications: creation, corrections and another opening, with one
validation; the candidate's failed mail; and the coordinator's lists.

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
from scheduler.models import (
    Application, Candidate, Interview, OutboxMessage, Reminder, Requisition, User,
)
from scheduler.models.user import LANGUAGES
from scheduler.services.audit import history_of, record_event
from scheduler.services.errors import N_, ServiceError
from scheduler.services.permissions import check_sees_candidate, visible_applications
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
        "already_open": N_("This candidate already has an open application to this "
                           "requisition."),
        "already_applied": N_("This candidate has already applied to this requisition; that "
                              "application is closed."),
    }


def create_candidate_with_application(
    actor: User | None, *, name: str, email: str, phone: str, zone: str, language: str,
    requisition_id: int | None, level: str, now: datetime,
) -> Application:
    """Validate, then add a candidate and their application at the requisition's first stage."""
    details, refusals = _checked_details(name, email, phone, zone, language)
    requisition = _checked_opening(requisition_id, level, refusals)
    if refusals:
        raise CandidateInputError.together(refusals)

    candidate = Candidate(**details, created_at=now)
    application = _new_application(candidate, requisition, level, now)
    db.session.add_all([candidate, application])
    db.session.flush()
    record_event(actor, "application.created", application, now=now, after={
        "candidate_id": candidate.id, "email": candidate.email, "zone": candidate.zone,
        "language": candidate.language, "requisition_id": requisition.id, "level": level,
    })
    db.session.flush()
    return application


def update_candidate(
    actor: User, candidate: Candidate, *, name: str, email: str, phone: str, zone: str,
    language: str, now: datetime,
) -> dict[str, tuple[str, str]]:
    """Correct a candidate's details; return the changed fields as {field: (before, after)}.

    Refused per field as on creation; an email another candidate has is refused. A new email
    sends nothing by itself: the candidate's reminders not yet sent follow it, and failed mail
    waits for "send again" (`candidate_failed_mail`, services/outbox.py resend_message).
    """
    check_sees_candidate(actor, candidate)
    details, refusals = _checked_details(name, email, phone, zone, language, candidate=candidate)
    if refusals:
        raise CandidateInputError.together(refusals)
    changes = {field: (getattr(candidate, field), value) for field, value in details.items()
               if getattr(candidate, field) != value}
    if not changes:
        return changes
    if "email" in changes:
        _readdress_reminders(candidate, *changes["email"])
    for field, (_before, value) in changes.items():
        setattr(candidate, field, value)
    record_event(actor, "candidate.updated", candidate, now=now,
                 before={field: pair[0] for field, pair in changes.items()},
                 after={field: pair[1] for field, pair in changes.items()})
    db.session.flush()
    return changes


def add_application(actor: User, candidate: Candidate, *, requisition_id: int | None, level: str,
                    now: datetime) -> Application:
    """Add an existing candidate to another opening, at its first stage.

    One application per candidate and opening: a second one is refused, saying whether the
    first is still open.
    """
    check_sees_candidate(actor, candidate)
    refusals: list[CandidateInputError] = []
    requisition = _checked_opening(requisition_id, level, refusals)
    if requisition is not None:
        existing = db.session.scalar(sa.select(Application).where(
            Application.candidate_id == candidate.id,
            Application.requisition_id == requisition.id))
        if existing is not None:
            refusals.append(CandidateInputError(
                "already_open" if existing.is_open_for_booking else "already_applied",
                "requisition_id"))
    if refusals:
        raise CandidateInputError.together(refusals)
    application = _new_application(candidate, requisition, level, now)
    db.session.add(application)
    db.session.flush()
    record_event(actor, "application.created", application, now=now, after={
        "candidate_id": candidate.id, "email": candidate.email, "zone": candidate.zone,
        "language": candidate.language, "requisition_id": requisition.id, "level": level,
        "existing_candidate": True,
    })
    db.session.flush()
    return application


def _checked_details(name: str, email: str, phone: str, zone: str, language: str, *,
                     candidate: Candidate | None = None,
                     ) -> tuple[dict[str, str], list[CandidateInputError]]:
    """Return the cleaned details and the refusals of each bad one (the one copy of the rules);
    *candidate* is the one being edited, whose own email is not "taken"."""
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
        holder = candidate_with_email(email)
        if holder is not None and holder is not candidate:
            refusals.append(CandidateInputError("email_taken", "email"))
    if len(phone) > PHONE_MAX:
        refusals.append(CandidateInputError("too_long", "phone", max=PHONE_MAX))
    if not is_valid_zone(zone):
        refusals.append(CandidateInputError("unknown_zone", "zone"))
    if language not in LANGUAGES:
        refusals.append(CandidateInputError("bad_language", "language"))
    return dict(name=name, email=email, phone=phone, zone=zone, language=language), refusals


def _checked_opening(requisition_id: int | None, level: str,
                     refusals: list[CandidateInputError]) -> Requisition | None:
    requisition = db.session.get(Requisition, requisition_id) if requisition_id else None
    if requisition is None or not requisition.is_open:
        refusals.append(CandidateInputError("requisition_closed", "requisition_id"))
        return None
    if level not in {entry["code"] for entry in requisition.levels}:
        refusals.append(CandidateInputError("bad_level", "level"))
    return requisition


def _new_application(candidate: Candidate, requisition: Requisition, level: str,
                     now: datetime) -> Application:
    return Application(candidate=candidate, requisition=requisition, level=level,
                       status=Application.ACTIVE,
                       current_stage=requisition.stages[0] if requisition.stages else None,
                       created_at=now, updated_at=now)


def _readdress_reminders(candidate: Candidate, old: str, new: str) -> None:
    """Point the candidate's reminders at the new address (they are keyed by recipient)."""
    interview_ids = sa.select(Interview.id).join(Application).where(
        Application.candidate_id == candidate.id)
    db.session.execute(
        sa.update(Reminder).where(Reminder.interview_id.in_(interview_ids),
                                  Reminder.recipient == old)
        .values(recipient=new).execution_options(synchronize_session=False))


def candidate_with_email(email: str) -> Candidate | None:
    """Return the candidate with *email* (case-insensitive), if any."""
    return db.session.scalar(
        sa.select(Candidate).where(sa.func.lower(Candidate.email) == (email or "").strip().lower())
        .limit(1)
    )


def current_application(candidate: Candidate) -> Application | None:
    """Return the candidate's newest application that is still open for booking, if any."""
    return db.session.scalar(
        sa.select(Application).where(Application.candidate_id == candidate.id,
                                     Application.status.in_(Application.OPEN_STATUSES))
        .order_by(Application.created_at.desc(), Application.id.desc()).limit(1))


def seen_applications(candidate: Candidate, actor: User) -> list[Application]:
    """Return the candidate's applications that *actor* may see (least access), newest first."""
    return list(db.session.scalars(
        sa.select(Application).where(Application.candidate_id == candidate.id,
                                     visible_applications(actor))
        .order_by(Application.created_at.desc(), Application.id.desc())))


def candidate_failed_mail(candidate: Candidate) -> list[OutboxMessage]:
    """Return the failed mail to this candidate: to their address or one they had before."""
    addresses = {candidate.email.lower()}
    for event in history_of(candidate):
        if event.action == "candidate.updated" and (event.before or {}).get("email"):
            addresses.add(event.before["email"].lower())
    return list(db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None),
                                       OutboxMessage.sent_at.is_(None),
                                       sa.func.lower(OutboxMessage.to_addr).in_(addresses))
        .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())))


def other_applications(application: Application, actor: User) -> list[Application]:
    """Return the candidate's other applications that *actor* may see (least access), with
    their opening and stage, newest first."""
    return list(db.session.scalars(
        sa.select(Application).where(Application.candidate_id == application.candidate_id,
                                     Application.id != application.id,
                                     visible_applications(actor))
        .options(selectinload(Application.requisition), selectinload(Application.current_stage))
        .order_by(Application.created_at.desc(), Application.id.desc())))


def requisitions_with_stages(*, only_open: bool = False) -> list[Requisition]:
    """Return requisitions with their ordered stages loaded, open ones first."""
    query = sa.select(Requisition).options(selectinload(Requisition.stages))
    if only_open:
        query = query.where(Requisition.is_open.is_(True))
    return list(db.session.scalars(query.order_by(Requisition.is_open.desc(), Requisition.id)))
