"""Who looked at candidates' data (issue 25 item 4): the writer the request edge calls once per
request that showed it, and the admins' filtered, paged reader.

The web layer decides which routes show a candidate's personal data (scheduler/web.py
`shows_candidate_data` marks them); this module only stores and reads the records.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import AccessRecord, Application, Candidate, Interview, SchedulingLink, User
from scheduler.services.paging import read_page

PAGE_SIZE = 50


def record_access(actor: User | None, what: str, endpoint: str, *, now: datetime,
                  candidate_id: int | None = None,
                  application_id: int | None = None) -> AccessRecord:
    """Add one access record: *actor* saw *what* through *endpoint* at *now*."""
    record = AccessRecord(accessed_at=now, user_id=actor.id if actor is not None else None,
                          what=what, endpoint=endpoint, candidate_id=candidate_id,
                          application_id=application_id)
    db.session.add(record)
    return record


def subject_of(args: dict) -> tuple[int | None, int | None]:
    """Return (candidate id, application id) a route's arguments name, or (None, None) for a
    route about no one candidate (a list, a board)."""
    application_id = None
    if "application_id" in args:
        application_id = args["application_id"]
    elif "interview_id" in args:
        application_id = db.session.scalar(
            sa.select(Interview.application_id).where(Interview.id == args["interview_id"]))
    elif "link_id" in args:
        application_id = db.session.scalar(
            sa.select(SchedulingLink.application_id).where(SchedulingLink.id == args["link_id"]))
    if application_id is not None:
        candidate_id = db.session.scalar(
            sa.select(Application.candidate_id).where(Application.id == application_id))
        return candidate_id, application_id
    return args.get("candidate_id"), None


@dataclass(frozen=True)
class AccessFilter:
    """What the admin asked for: a person, a candidate (part of a name or email), a period."""

    user_id: int | None = None
    candidate: str = ""
    start_at: datetime | None = None
    end_at: datetime | None = None


@dataclass(frozen=True)
class AccessPage:
    records: list[AccessRecord]
    total: int
    page: int
    pages: int


def access_records(wanted: AccessFilter, page: int = 1) -> AccessPage:
    """Return one page of the access records *wanted* selects, newest first."""
    query = sa.select(AccessRecord)
    if wanted.user_id is not None:
        query = query.where(AccessRecord.user_id == wanted.user_id)
    if wanted.candidate:
        part = wanted.candidate.lower()
        query = query.join(Candidate, Candidate.id == AccessRecord.candidate_id).where(
            sa.or_(sa.func.lower(Candidate.name).contains(part, autoescape=True),
                   sa.func.lower(Candidate.email).contains(part, autoescape=True)))
    if wanted.start_at is not None:
        query = query.where(AccessRecord.accessed_at >= wanted.start_at)
    if wanted.end_at is not None:
        query = query.where(AccessRecord.accessed_at < wanted.end_at)
    found = read_page(query, (AccessRecord.accessed_at.desc(), AccessRecord.id.desc()), page,
                      PAGE_SIZE)
    return AccessPage(records=found.rows, total=found.total, page=found.page, pages=found.pages)


def people_who_looked() -> list[User]:
    """Return the staff who have access records, by name (the admin page's person filter)."""
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(sa.select(AccessRecord.user_id)))
        .order_by(User.name, User.id)))
