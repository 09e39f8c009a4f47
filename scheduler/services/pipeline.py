"""The pipeline: where each application stands (its state), and the coordinators' list of
applications — searched, filtered, sorted and paged in the database (`search_applications`),
or all of it for an export (`all_applications`).

One state per application, from its status, its current stage and what happened at that stage:

- closed: ``hired``, ``rejected``, ``withdrawn`` (the status says it); ``on_hold``;
- ``offer``: at the offer stage with its SLA clock running, or the offer made (status offer);
- at an interview stage, by what happened there (interviews that were cancelled or marked a
  no-show do not count):
  ``booked`` while an interview of the stage has not ended; then ``feedback_pending`` while an
  author of a started interview (`permissions.feedback_author_ids`) has not submitted;
  ``decision_needed`` once all of it is in; ``link_sent`` when nothing is booked but a link for
  the stage is out (not revoked, nothing booked through it; a link starts at the stage it was
  sent for, so its first stage is the one it is about) — its state says whether it has been
  opened or has expired; else ``needs_scheduling``.

The list's text search matches part of the candidate's name (Chinese or Latin, any case: SQLite's
lower() is Python's there, see scheduler/app.py, so both databases fold case alike), email or
phone (digits match however the number was typed, "13810000001" finds "+86 138 1000 0001").
The office filter is the opening's offices. Sorting always ends with the application's id, so
paging never shows a row twice or skips one; name and title order is by code point on both
databases (lower-cased first).

The kind is one SQL expression (`state_kind`), so the list filters and sorts by state in the
database and pages there, on SQLite and PostgreSQL alike; `application_states` reads the kind the
same way and adds the details (the link, the booked time, who owes feedback and how late, the
offer clock) in a fixed number of statements, whatever the number of applications.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, selectinload

from scheduler.extensions import db
from scheduler.models import (
    Application, Candidate, Feedback, Interview, InterviewerAssignment, InterviewerProfile,
    Requisition, SchedulingLink, StageTemplate, User,
)
from scheduler.models.requisition import requisition_office
from scheduler.models.types import UTCDateTime
from scheduler.services.decisions import days_left_until, offer_clock
from scheduler.services.feedback import feedback_due_at
from scheduler.services.links import link_state
from scheduler.services.permissions import (
    check_can_list_applications, feedback_author_ids, visible_applications,
)

STATE_KINDS = ("needs_scheduling", "link_sent", "booked", "feedback_pending",
               "decision_needed", "on_hold", "offer", "hired", "rejected", "withdrawn")
CLOSED_STATUSES = (Application.HIRED, Application.REJECTED, Application.WITHDRAWN)


@dataclass(frozen=True)
class ApplicationState:
    """Where one application stands; the fields beyond `kind` are filled for their kind only."""

    kind: str                          # one of STATE_KINDS
    stage_id: int | None               # the stage the state is about (the current stage)
    link_status: str | None = None     # for link_sent: "sent", "opened" or "expired" (links.py)
    link_sent_at: datetime | None = None
    interview_start_at: datetime | None = None   # for booked: the next interview's start
    # for feedback_pending: ((interviewer name, due_at, is_late), ...), the earliest due first
    pending: tuple = ()
    offer_due_at: datetime | None = None         # for offer: the SLA clock, while it runs
    is_overdue: bool = False           # red: feedback late or the offer clock past
    is_offer_made: bool = False        # for offer: made (status offer), so no clock runs

    def days_left(self, now: datetime) -> int | None:
        """Return the whole days left on the offer clock (rounded up; 0 or less once past), or
        None when no clock runs."""
        if self.kind != "offer" or self.offer_due_at is None:
            return None
        return days_left_until(self.offer_due_at, now)


# --- the kind, as SQL -------------------------------------------------------------------------


def _at_current_stage(interview) -> sa.ColumnElement[bool]:
    """The condition that *interview* (an Interview alias) is of the application's current stage
    and takes (or took) place."""
    return sa.and_(interview.application_id == Application.id,
                   interview.stage_id == Application.current_stage_id,
                   interview.status.in_(Interview.TAKING_PLACE))


def _owes_feedback(now: datetime) -> sa.ColumnElement[bool]:
    """The condition that an author of a started interview of the current stage (an active panel
    seat, or a coding test's reviewer) has not submitted feedback on it."""
    seat_interview, review_interview = aliased(Interview), aliased(Interview)
    seat = aliased(InterviewerAssignment)
    seat_owes = sa.exists().where(
        _at_current_stage(seat_interview), seat_interview.start_at <= now,
        seat.interview_id == seat_interview.id, seat.is_active.is_(True),
        ~sa.exists().where(Feedback.interview_id == seat_interview.id,
                           Feedback.interviewer_id == seat.interviewer_id,
                           Feedback.submitted_at.is_not(None)))
    reviewer_owes = sa.exists().where(
        _at_current_stage(review_interview), review_interview.start_at <= now,
        review_interview.reviewer_id.is_not(None),
        ~sa.exists().where(Feedback.interview_id == review_interview.id,
                           Feedback.interviewer_id == review_interview.reviewer_id,
                           Feedback.submitted_at.is_not(None)))
    return sa.or_(seat_owes, reviewer_owes)


def _link_out(link) -> sa.ColumnElement[bool]:
    """The condition that *link* (a SchedulingLink alias) is the application's, for its current
    stage, not revoked, and nothing was booked through it."""
    return sa.and_(link.application_id == Application.id,
                   link.stage_ids[0].as_integer() == Application.current_stage_id,
                   link.revoked_at.is_(None), link.booked_at.is_(None))


def state_kind(now: datetime) -> sa.ColumnElement[str]:
    """Return the application's state kind at *now* as one SQL expression (correlated to
    Application), the rule the module docstring states."""
    offer_stage_ids = sa.select(StageTemplate.id).where(StageTemplate.kind == "offer")
    booked, held = aliased(Interview), aliased(Interview)
    link = aliased(SchedulingLink)
    return sa.case(
        *[(Application.status == status, status) for status in CLOSED_STATUSES],
        (Application.status == Application.OFFER, "offer"),
        (Application.status == Application.ON_HOLD, "on_hold"),
        (Application.current_stage_id.is_(None), "decision_needed"),
        (Application.current_stage_id.in_(offer_stage_ids), "offer"),
        (sa.exists().where(_at_current_stage(booked), booked.end_at > now), "booked"),
        (_owes_feedback(now), "feedback_pending"),
        (sa.exists().where(_at_current_stage(held)), "decision_needed"),
        (sa.exists().where(_link_out(link)), "link_sent"),
        else_="needs_scheduling",
    )


def state_order(kind: sa.ColumnElement[str]) -> sa.ColumnElement[int]:
    """Return the position of *kind* in STATE_KINDS (the pipeline's order), for sorting."""
    return sa.case({name: n for n, name in enumerate(STATE_KINDS)}, value=kind, else_=0)


def _later(earlier: sa.ColumnElement, maybe_later: sa.ColumnElement) -> sa.ColumnElement:
    # CASE, not GREATEST/max(): SQLite's max(a, NULL) is NULL and PostgreSQL has no max(a, b).
    return sa.case((maybe_later > earlier, maybe_later), else_=earlier)


def last_activity() -> sa.ColumnElement[datetime]:
    """Return when the application last changed as SQL: its own last update (created, decided),
    an interview of it booked, moved or cancelled, or a link to it sent."""
    interviews = (sa.select(sa.func.max(Interview.updated_at))
                  .where(Interview.application_id == Application.id).scalar_subquery())
    links = (sa.select(sa.func.max(SchedulingLink.last_sent_at))
             .where(SchedulingLink.application_id == Application.id).scalar_subquery())
    return sa.type_coerce(_later(_later(Application.updated_at, interviews), links),
                          UTCDateTime())


# --- the details ------------------------------------------------------------------------------


def application_states(applications: Iterable[Application],
                       now: datetime) -> dict[int, ApplicationState]:
    """Return each application's state at *now*, by application id, in a fixed number of
    statements whatever the number of applications."""
    applications = {a.id: a for a in applications}
    if not applications:
        return {}
    ids = list(applications)
    kinds = dict(db.session.execute(
        sa.select(Application.id, state_kind(now)).where(Application.id.in_(ids))).all())
    by_kind = defaultdict(list)
    for application_id, kind in kinds.items():
        by_kind[kind].append(applications[application_id])
    states = {a.id: ApplicationState(kinds[a.id], a.current_stage_id)
              for a in applications.values()}
    states |= _booked(by_kind["booked"], now)
    states |= _feedback_pending(by_kind["feedback_pending"], now)
    states |= _links_sent(by_kind["link_sent"], now)
    states |= {a.id: _offer(a, now) for a in by_kind["offer"]}
    return states


def _stage_interviews(applications: Sequence[Application], *options) -> dict[int, list[Interview]]:
    """Return the interviews of each application's current stage that take (or took) place,
    in time order, by application id (one statement, plus one per option)."""
    if not applications:
        return {}
    stage_of = {a.id: a.current_stage_id for a in applications}
    rows = db.session.scalars(
        sa.select(Interview).where(Interview.application_id.in_(stage_of),
                                   Interview.status.in_(Interview.TAKING_PLACE))
        .options(*options).order_by(Interview.start_at, Interview.id))
    found = defaultdict(list)
    for interview in rows:
        if interview.stage_id == stage_of[interview.application_id]:
            found[interview.application_id].append(interview)
    return found


def _booked(applications: Sequence[Application], now: datetime) -> dict[int, ApplicationState]:
    interviews = _stage_interviews(applications)
    return {a.id: ApplicationState(
        "booked", a.current_stage_id,
        interview_start_at=min((i.start_at for i in interviews[a.id] if i.end_at > now),
                               default=None)) for a in applications}


def _feedback_pending(applications: Sequence[Application],
                      now: datetime) -> dict[int, ApplicationState]:
    interviews = _stage_interviews(applications, selectinload(Interview.assignments),
                                   selectinload(Interview.stage))
    started = [i for each in interviews.values() for i in each if i.has_started(now)]
    submitted = {tuple(row) for row in db.session.execute(
        sa.select(Feedback.interview_id, Feedback.interviewer_id).where(
            Feedback.interview_id.in_([i.id for i in started]),
            Feedback.submitted_at.is_not(None)))} if started else set()
    owed = {i.id: sorted(author for author in feedback_author_ids(i)
                         if (i.id, author) not in submitted) for i in started}
    author_ids = {author for authors in owed.values() for author in authors}
    names = dict(db.session.execute(
        sa.select(InterviewerProfile.id, User.name).join(User)
        .where(InterviewerProfile.id.in_(author_ids))).all()) if author_ids else {}
    states = {}
    for application in applications:
        pending = tuple(
            (names.get(author, ""), feedback_due_at(interview), feedback_due_at(interview) < now)
            for interview in interviews[application.id] if interview.id in owed
            for author in owed[interview.id])
        states[application.id] = ApplicationState(
            "feedback_pending", application.current_stage_id,
            pending=tuple(sorted(pending, key=lambda p: (p[1], p[0]))),
            is_overdue=any(is_late for _name, _due, is_late in pending))
    return states


def _links_sent(applications: Sequence[Application],
                now: datetime) -> dict[int, ApplicationState]:
    if not applications:
        return {}
    stage_of = {a.id: a.current_stage_id for a in applications}
    latest: dict[int, SchedulingLink] = {}
    for link in db.session.scalars(
            sa.select(SchedulingLink).where(SchedulingLink.application_id.in_(stage_of),
                                            SchedulingLink.revoked_at.is_(None),
                                            SchedulingLink.booked_at.is_(None))
            .order_by(SchedulingLink.created_at, SchedulingLink.id)):
        if link.stage_ids and link.stage_ids[0] == stage_of[link.application_id]:
            latest[link.application_id] = link  # the newest wins
    states = {}
    for application in applications:
        link = latest.get(application.id)
        states[application.id] = ApplicationState(
            "link_sent", application.current_stage_id,
            link_status=link_state(link, now) if link else None,
            link_sent_at=(link.last_sent_at or link.created_at) if link else None)
    return states


def _offer(application: Application, now: datetime) -> ApplicationState:
    if application.status == Application.OFFER:
        return ApplicationState("offer", application.current_stage_id, is_offer_made=True)
    clock = offer_clock(application, now)
    return ApplicationState("offer", application.current_stage_id,
                            offer_due_at=clock.due_at if clock else None,
                            is_overdue=clock.is_overdue if clock else False)


# --- the list ---------------------------------------------------------------------------------

SORTS = ("activity", "created", "name", "opening", "stage", "state")
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
MAX_PAGE = 9999          # a bound for the page number the list is asked for (four digits)
EXPORT_CHUNK = 500       # applications read at a time for an export
_PHONE_PUNCTUATION = re.compile(r"[\s()+\-.]")


@dataclass(frozen=True)
class ApplicationCriteria:
    """What the list shows: empty values do not narrow it."""

    text: str = ""
    requisition_id: int | None = None
    stage_kind: str = ""
    status: str = ""
    office_id: int | None = None
    zone: str = ""
    state: str = ""
    sort: str = "activity"
    is_descending: bool = True
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def bounded(self) -> ApplicationCriteria:
        """Return these criteria with the sort, page and page size within their bounds."""
        return replace(self, sort=self.sort if self.sort in SORTS else "activity",
                       page=min(max(self.page, 1), MAX_PAGE),
                       page_size=min(max(self.page_size, 1), max(PAGE_SIZES)))


@dataclass(frozen=True)
class ApplicationRow:
    """One application of the list, its state and when it last changed."""

    application: Application
    state: ApplicationState
    last_activity_at: datetime


@dataclass(frozen=True)
class Page:
    """One page of the list: its rows, how many applications match, and where it is."""

    rows: list[ApplicationRow]
    total: int
    number: int
    size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count

    @property
    def first_index(self) -> int:
        """Return the position (from 1) of the page's first row in the whole list."""
        return (self.number - 1) * self.size + 1 if self.rows else 0


def _phone_digits(column):
    for mark in (" ", "-", "+", "(", ")", "."):
        column = sa.func.replace(column, mark, "")
    return column


def matches_text(text: str) -> sa.ColumnElement[bool]:
    """Return the condition that the candidate's name, email or phone contains *text* (any
    case; a phone number however it was typed)."""
    needle = text.strip().lower()
    conditions = [sa.func.lower(Candidate.name).contains(needle, autoescape=True),
                  sa.func.lower(Candidate.email).contains(needle, autoescape=True),
                  Candidate.phone.contains(text.strip(), autoescape=True)]
    digits = _PHONE_PUNCTUATION.sub("", needle)
    if digits.isdigit() and len(digits) >= 3:
        conditions.append(_phone_digits(Candidate.phone).contains(digits, autoescape=True))
    return sa.or_(*conditions)


def _filtered(actor: User, criteria: ApplicationCriteria, now: datetime, kind) -> sa.Select:
    """Return the query of the applications *criteria* select among those *actor* may see
    (least access: a coordinator's openings'), joined to their candidate, opening and current
    stage (for sorting and loading)."""
    query = (sa.select(Application).join(Application.candidate).join(Application.requisition)
             .outerjoin(Application.current_stage).where(visible_applications(actor)))
    if criteria.text.strip():
        query = query.where(matches_text(criteria.text))
    if criteria.requisition_id is not None:
        query = query.where(Application.requisition_id == criteria.requisition_id)
    if criteria.stage_kind:
        query = query.where(StageTemplate.kind == criteria.stage_kind)
    if criteria.status:
        query = query.where(Application.status == criteria.status)
    if criteria.office_id is not None:
        query = query.where(sa.exists().where(
            requisition_office.c.requisition_id == Application.requisition_id,
            requisition_office.c.office_id == criteria.office_id))
    if criteria.zone:
        query = query.where(Candidate.zone == criteria.zone)
    if criteria.state:
        query = query.where(kind == criteria.state)
    return query


def _order(criteria: ApplicationCriteria, kind, activity, language: str) -> list:
    title = Requisition.title_zh if language == "zh" else Requisition.title_en
    name = sa.func.lower(Candidate.name)
    keys = {
        "activity": [activity],
        "created": [Application.created_at],
        "name": [name],
        "opening": [sa.func.lower(title), StageTemplate.position, name],
        "stage": [StageTemplate.position, sa.func.lower(title), name],
        "state": [state_order(kind), name],
    }[criteria.sort] + [Application.id]
    return [key.desc() if criteria.is_descending else key.asc() for key in keys]


def _rows(query: sa.Select, criteria: ApplicationCriteria, now: datetime, language: str,
          offset: int, limit: int) -> list[ApplicationRow]:
    kind, activity = state_kind(now), last_activity()
    found = db.session.execute(
        query.add_columns(activity.label("last_activity_at"))
        .options(contains_eager(Application.candidate), contains_eager(Application.requisition),
                 contains_eager(Application.current_stage))
        .order_by(*_order(criteria, kind, activity, language)).offset(offset).limit(limit)).all()
    states = application_states([application for application, _at in found], now)
    return [ApplicationRow(application, states[application.id], at) for application, at in found]


def search_applications(actor: User, criteria: ApplicationCriteria, now: datetime, *,
                        language: str = "en") -> Page:
    """Return the page of applications *criteria* ask for, with their states at *now* (openings
    sort by their title in *language*): a fixed number of statements whatever the number of
    applications; a page past the end is the last page."""
    check_can_list_applications(actor)
    criteria = criteria.bounded()
    query = _filtered(actor, criteria, now, state_kind(now))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.with_only_columns(Application.id).subquery()))
    number = min(criteria.page, max(1, -(-total // criteria.page_size)))
    rows = _rows(query, criteria, now, language, (number - 1) * criteria.page_size,
                 criteria.page_size) if total else []
    return Page(rows, total, number, criteria.page_size)


def all_applications(actor: User, criteria: ApplicationCriteria, now: datetime, *,
                     language: str = "en") -> Iterator[ApplicationRow]:
    """Yield every application *criteria* select (all pages, in the list's order), with their
    states at *now*, a chunk of applications at a time."""
    check_can_list_applications(actor)
    criteria = criteria.bounded()
    query = _filtered(actor, criteria, now, state_kind(now))
    offset = 0
    while True:
        rows = _rows(query, criteria, now, language, offset, EXPORT_CHUNK)
        yield from rows
        if len(rows) < EXPORT_CHUNK:
            return
        offset += EXPORT_CHUNK


def candidate_zones() -> list[str]:
    """Return the zones the candidates with an application are in, sorted (the zone filter's
    choices)."""
    return list(db.session.scalars(
        sa.select(Candidate.zone).where(sa.exists().where(Application.candidate_id == Candidate.id))
        .distinct().order_by(Candidate.zone)))
