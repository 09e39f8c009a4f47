"""Erasure on request: a candidate asks for their data to be deleted (issue 25 item 3; PIPL
Art. 47, UK GDPR Art. 17).

Two steps, because the interviewers must hear first. `request_erasure` (a coordinator or an
admin, at the request's edge) cancels the candidate's live interviews with the booking service's
own cancellation, so each interviewer gets a proper iTIP CANCEL through the outbox, revokes their
scheduling links, withdraws their open applications, and marks the candidate "erasure pending"
(`erasure_requested_at`). The job (`finish_erasures`, scheduler/jobs.py) finishes it once no
mail to or about the candidate is still waiting to be sent (each has been sent or has failed):
it claims the candidate with one conditional update and anonymises every application and the
candidate's identity in every table (services/anonymisation.py). Both steps are audited without
the erased values.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import (
    Application, Candidate, Interview, OutboxMessage, SchedulingLink, User,
)
from scheduler.services.anonymisation import anonymise_application, anonymise_candidate
from scheduler.services.audit import record_event
from scheduler.services.booking import cancel_interview
from scheduler.services.errors import N_, ServiceError
from scheduler.services.links import revoke_link
from scheduler.services.permissions import STAFF_ROLES, can_erase_candidate
from scheduler.services.reminders import drop_application_reminders
from scheduler.services.retention import claim_application


class ErasureRefused(ServiceError):
    """Erasing a candidate's data was refused."""

    messages = {
        "not_allowed": N_("Only coordinators and admins may erase a candidate's data."),
        "not_all_yours": N_(
            "%(name)s also applied to an opening you do not coordinate: ask an admin to erase "
            "their data."),
        "already_requested": N_("This candidate's data is already being erased."),
    }


def live_interviews(candidate: Candidate, now: datetime) -> list[Interview]:
    """Return the candidate's scheduled interviews that have not ended, soonest first."""
    return list(db.session.scalars(
        sa.select(Interview).join(Application, Application.id == Interview.application_id)
        .where(Application.candidate_id == candidate.id,
               Interview.status == Interview.SCHEDULED, Interview.end_at > now)
        .order_by(Interview.start_at, Interview.id)))


def erasure_refusal(actor: User, candidate: Candidate) -> ErasureRefused | None:
    """Return why *actor* may not ask for *candidate*'s erasure now, or None when they may."""
    if not can_erase_candidate(actor, candidate):
        if actor.has_role(*STAFF_ROLES):
            return ErasureRefused("not_all_yours", name=candidate.name)
        return ErasureRefused("not_allowed")
    if candidate.erasure_requested_at is not None or candidate.anonymised_at is not None:
        return ErasureRefused("already_requested")
    return None


def request_erasure(actor: User, candidate: Candidate, now: datetime) -> list[Interview]:
    """Cancel the candidate's live interviews (CANCELs to the panels through the outbox), revoke
    their links, withdraw their open applications and mark the erasure pending; return the
    interviews cancelled. The job erases the rest once that mail has gone."""
    refusal = erasure_refusal(actor, candidate)
    if refusal is not None:
        raise refusal
    cancelled: list[Interview] = []
    for interview in live_interviews(candidate, now):
        if interview.status == Interview.SCHEDULED:  # a loop cancels its other interviews too
            cancelled += cancel_interview(actor, interview, now)
    for link in db.session.scalars(sa.select(SchedulingLink).join(Application).where(
            Application.candidate_id == candidate.id, SchedulingLink.revoked_at.is_(None))):
        revoke_link(actor, link, now)
    for application in candidate.applications:
        if application.status in Application.CLOSED_STATUSES:
            continue
        before = {"status": application.status}
        application.status, application.closed_at = Application.WITHDRAWN, now
        application.updated_at = now
        drop_application_reminders(application)
        record_event(actor, "application.withdrawn", application, now=now, before=before,
                     after={"status": application.status}, note="erasure requested")
    candidate.erasure_requested_at = now
    # The request is on record; what is erased is not written here.
    record_event(actor, "candidate.erasure_requested", candidate, now=now)
    db.session.flush()
    return cancelled


def _mail_still_to_send():
    """The SQL condition "some mail to or about this candidate is neither sent nor failed"."""
    theirs = sa.select(Interview.id).join(Application, Application.id == Interview.application_id
                                          ).where(Application.candidate_id == Candidate.id)
    return sa.exists().where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
        sa.or_(OutboxMessage.interview_id.in_(theirs.scalar_subquery()),
               sa.func.lower(OutboxMessage.to_addr).contains(sa.func.lower(Candidate.email))))


def pending_erasures() -> list[int]:
    """Return the candidates whose erasure was requested and is not finished."""
    return list(db.session.scalars(sa.select(Candidate.id).where(
        Candidate.erasure_requested_at.is_not(None), Candidate.anonymised_at.is_(None))
        .order_by(Candidate.erasure_requested_at, Candidate.id)))


def claim_erasure(candidate_id: int, now: datetime) -> bool:
    """Claim a pending erasure whose mail has all been sent or has failed; True when this
    transaction did (one conditional update, so one job process finishes it)."""
    return db.session.execute(
        sa.update(Candidate).where(
            Candidate.id == candidate_id, Candidate.erasure_requested_at.is_not(None),
            Candidate.anonymised_at.is_(None), ~_mail_still_to_send())
        .values(anonymised_at=now).execution_options(synchronize_session=False)).rowcount == 1


def finish_erasure(candidate_id: int, now: datetime) -> bool:
    """Erase everything about a pending candidate once their mail has gone: every application's
    free text and mail, then their name, email and phone in every table. False while mail is
    still waiting, or when another process finished it."""
    if not claim_erasure(candidate_id, now):
        return False
    application_ids = list(db.session.scalars(sa.select(Application.id).where(
        Application.candidate_id == candidate_id)))
    for application_id in application_ids:
        claim_application(application_id, now)  # already anonymised by retention: scrub again
        anonymise_application(db.session.get(Application, application_id), now)
    candidate = db.session.get(Candidate, candidate_id)
    anonymise_candidate(candidate, now)
    record_event("job", "candidate.erased", candidate, now=now)
    db.session.flush()
    return True
