"""Retention: what has been kept past its opening's retention period, and anonymising it
(issue 25 item 1; PIPL Art. 19).

An application expires `retention_days` (its opening's setting) after its `closed_at`: it was
rejected or withdrawn that long ago. A hired candidate's application never expires, and an open
one has no `closed_at`. An expired application's free text is scrubbed on its own; the
candidate's name, email and phone go only when every one of their applications has been, so a
candidate with an open (or hired) application keeps their identity.

Several job processes may run this at once: each application, then each candidate, is claimed
by a conditional update (`… WHERE anonymised_at IS NULL`, one row changed = ours) as the first
statement of its own short transaction, committed by the job (scheduler/jobs.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import Application, Candidate, Requisition
from scheduler.services.anonymisation import anonymise_application, anonymise_candidate
from scheduler.services.audit import record_event


@dataclass(frozen=True)
class ExpiredApplication:
    """An application whose retention period has passed, and when it did."""

    application_id: int
    candidate_id: int
    requisition_id: int
    status: str
    closed_at: datetime
    expired_at: datetime


@dataclass(frozen=True)
class RetentionPlan:
    """What the next run will anonymise: these applications, and these candidates' identities."""

    applications: list[ExpiredApplication]
    candidate_ids: list[int]


def expired_applications(now: datetime) -> list[ExpiredApplication]:
    """Return the closed, not hired, not yet anonymised applications whose opening's retention
    period after `closed_at` has passed at *now*, oldest first."""
    rows = db.session.execute(
        sa.select(Application.id, Application.candidate_id, Application.requisition_id,
                  Application.status, Application.closed_at, Requisition.retention_days)
        .join(Requisition, Requisition.id == Application.requisition_id)
        .where(Application.closed_at.is_not(None), Application.closed_at <= now,
               Application.anonymised_at.is_(None),
               Application.status.in_((Application.REJECTED, Application.WITHDRAWN)))
        .order_by(Application.closed_at, Application.id)).all()
    return [ExpiredApplication(row.id, row.candidate_id, row.requisition_id, row.status,
                               row.closed_at, row.closed_at + timedelta(days=row.retention_days))
            for row in rows if row.closed_at + timedelta(days=row.retention_days) <= now]


def _identities_to_anonymise(also_done: set[int]) -> list[int]:
    """Return the candidates not yet anonymised every one of whose applications is anonymised
    (or in *also_done*, the applications about to be)."""
    done = sa.or_(Application.anonymised_at.is_not(None), Application.id.in_(also_done))
    touched = sa.select(Application.candidate_id).where(done)
    rows = db.session.execute(
        sa.select(Application.candidate_id, done.label("done"))
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Candidate.anonymised_at.is_(None), Candidate.id.in_(touched))).all()
    pending: dict[int, bool] = {}
    for candidate_id, is_done in rows:
        pending[candidate_id] = pending.get(candidate_id, True) and bool(is_done)
    return sorted(candidate_id for candidate_id, is_done in pending.items() if is_done)


def retention_plan(now: datetime) -> RetentionPlan:
    """Return what a run at *now* would anonymise (the dry-run report); writes nothing."""
    expired = expired_applications(now)
    return RetentionPlan(expired,
                         _identities_to_anonymise({item.application_id for item in expired}))


def claim_application(application_id: int, now: datetime) -> bool:
    """Mark the application anonymised if nobody has; True when this transaction did."""
    return db.session.execute(
        sa.update(Application).where(Application.id == application_id,
                                     Application.anonymised_at.is_(None))
        .values(anonymised_at=now).execution_options(synchronize_session=False)).rowcount == 1


def claim_candidate(candidate_id: int, now: datetime, *, all_expired: bool = True) -> bool:
    """Mark the candidate anonymised if nobody has (and, with *all_expired*, only when every one
    of their applications is anonymised); True when this transaction did."""
    where = [Candidate.id == candidate_id, Candidate.anonymised_at.is_(None)]
    if all_expired:
        where.append(~sa.exists().where(Application.candidate_id == Candidate.id,
                                        Application.anonymised_at.is_(None)))
    return db.session.execute(
        sa.update(Candidate).where(*where)
        .values(anonymised_at=now).execution_options(synchronize_session=False)).rowcount == 1


def anonymise_expired_application(application_id: int, now: datetime) -> bool:
    """Claim one expired application and scrub its free text; False when another process had
    (the caller commits either way)."""
    if not claim_application(application_id, now):
        return False
    application = db.session.get(Application, application_id)
    anonymise_application(application, now)
    record_event("job", "application.anonymised", application, now=now,
                 note="retention period passed")
    db.session.flush()
    return True


def anonymise_expired_identity(candidate_id: int, now: datetime) -> bool:
    """Claim one candidate every one of whose applications is anonymised and replace their name,
    email and phone everywhere; False when another process had, or an application is not
    anonymised any more (a new one was added since the plan)."""
    if not claim_candidate(candidate_id, now):
        return False
    candidate = db.session.get(Candidate, candidate_id)
    anonymise_candidate(candidate, now)
    record_event("job", "candidate.anonymised", candidate, now=now,
                 note="retention period passed for every application")
    db.session.flush()
    return True
