"""Decisions that move an application through its stages (DESIGN.md §2, §9): advance, reject,
hold or make an offer, and the offer clock.

A decision is taken on the application's current stage. Advancing, rejecting and offering wait
until every author of the stage's interviews that have started (each active panel seat and a
coding test's reviewer, `permissions.feedback_author_ids`) has submitted feedback, and an
interview stage with no interview held cannot be passed; a coordinator may override either with
a reason, which is recorded. Putting an application on hold judges nothing, so it never waits.

Advancing sets the current stage to the next live stage. Passing the stage before the offer
stage (the HR final) starts the offer clock: `Application.offer_due_at` is that moment plus the
offer stage's `sla_days`, and the opening's coordinators get one alert before it runs out (the
"offer_sla" reminder kind in services/reminders.py), dropped once the offer is made or the
application closes. A rejection or an offer is written to the candidate, in their language,
only when the coordinator chooses to. Every decision is audited on the application.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.formatting import localized
from scheduler.models import (
    Application, Feedback, Interview, InterviewerProfile, StageDecision, StageTemplate, User,
)
from scheduler.models.decision import DECISION_OUTCOMES, REJECT_REASONS
from scheduler.services.audit import record_event
from scheduler.services.emails import StableId, company_name, compose_and_enqueue
from scheduler.services.errors import N_, ServiceError
from scheduler.services.permissions import can_decide, check_sees_application, feedback_author_ids
from scheduler.services.reminders import (
    drop_application_reminders, schedule_application_reminders,
)

TEXT_MAX = 2000  # characters in a note or an override reason
# Outcomes that judge the candidate, so wait for every voice (a hold only pauses).
WAITING_OUTCOMES = ("advance", "reject", "offer")
# Outcomes the candidate may be written to about, with the email template of each.
CANDIDATE_MAIL = {"reject": "decision_rejected", "offer": "decision_offer"}
_CANDIDATE_SUBJECTS = {
    "reject": _l("Your application for %(opening)s"),
    "offer": _l("An offer for %(opening)s"),
}


class DecisionRefused(ServiceError):
    """A decision on an application was refused."""

    messages = {
        "not_allowed": N_("Only coordinators and admins decide on applications."),
        "closed": N_("This application is closed: it takes no more decisions."),
        "not_current_stage": N_("The application has moved on since this page was opened: "
                                "decide on its current stage."),
        "outcome_invalid": N_("Choose a decision."),
        "feedback_missing": N_("Feedback is still missing from %(names)s. Wait for it, or "
                               "override with a reason."),
        "not_held": N_("No interview of this stage has been held yet. Wait for it, or override "
                       "with a reason."),
        "override_reason_required": N_("Say why you decide without waiting."),
        "reject_reason_required": N_("Choose why the candidate does not go further."),
        "reject_reason_invalid": N_("Choose one of the reasons."),
        "note_required": N_("Say what the other reason is."),
        "no_next_stage": N_("This is the last stage: make an offer or reject instead."),
        "offer_not_yet": N_("An offer comes at the offer stage or right after the stage "
                            "before it."),
        "too_long": N_("Keep this under %(max)d characters."),
    }


@dataclass(frozen=True)
class Waiting:
    """What a decision on a stage still waits for: authors yet to submit, or a held interview."""

    missing: tuple[InterviewerProfile, ...]
    is_unheld: bool  # an interview stage with no interview held yet

    def refusal(self, outcome: str) -> DecisionRefused | None:
        """Return why *outcome* must wait (or be overridden), or None when it need not."""
        if outcome not in WAITING_OUTCOMES:
            return None
        if self.missing:
            names = ", ".join(profile.user.name for profile in self.missing)
            return DecisionRefused("feedback_missing", "override_reason", names=names)
        if self.is_unheld and outcome != "reject":
            return DecisionRefused("not_held", "override_reason")
        return None


def stage_interviews(application: Application, stage: StageTemplate,
                     now: datetime) -> list[Interview]:
    """Return the application's interviews at *stage* that have started (their feedback is
    due), in time order."""
    interviews = db.session.scalars(
        sa.select(Interview).where(Interview.application_id == application.id,
                                   Interview.stage_id == stage.id)
        .options(selectinload(Interview.assignments))
        .order_by(Interview.start_at, Interview.id))
    return [interview for interview in interviews if interview.has_started(now)]


def waiting_for(application: Application, stage: StageTemplate, now: datetime) -> Waiting:
    """Say whom a decision on *stage* waits for: each author of its started interviews without
    submitted feedback, and whether an interview stage has none held."""
    interviews = stage_interviews(application, stage, now)
    authors = {(interview.id, author) for interview in interviews
               for author in feedback_author_ids(interview)}
    submitted = {tuple(row) for row in db.session.execute(
        sa.select(Feedback.interview_id, Feedback.interviewer_id).where(
            Feedback.interview_id.in_([i.id for i in interviews]),
            Feedback.submitted_at.is_not(None)))} if interviews else set()
    missing_ids = {author for _interview, author in authors - submitted}
    missing = tuple(db.session.scalars(
        sa.select(InterviewerProfile).where(InterviewerProfile.id.in_(missing_ids))
        .options(selectinload(InterviewerProfile.user))
        .order_by(InterviewerProfile.id))) if missing_ids else ()
    is_unheld = stage.is_schedulable and not any(i.is_held(now) for i in interviews)
    return Waiting(missing, is_unheld)


def next_stage(application: Application) -> StageTemplate | None:
    """Return the live stage after the application's current one, if any."""
    stages = list(application.requisition.stages)
    current = application.current_stage
    later = [s for s in stages if current is None or s.position > current.position]
    return later[0] if later else None


def offer_choices(application: Application) -> bool:
    """Tell whether an offer may be made now: at the offer stage, or at the stage before it."""
    current, after = application.current_stage, next_stage(application)
    return (current is not None and current.kind == "offer") or (
        after is not None and after.kind == "offer")


def decision_outcomes(application: Application) -> list[str]:
    """Return the outcomes a decision on the application's current stage may have, in order."""
    outcomes = ["advance"] if next_stage(application) is not None else []
    outcomes += ["reject", "hold"]
    return outcomes + (["offer"] if offer_choices(application) else [])


def needs_booking(application: Application) -> bool:
    """Tell whether the application's current stage is an interview still to book: the next
    step after advancing (send a link, or book)."""
    stage = application.current_stage
    if stage is None or not stage.is_schedulable or not application.is_open_for_booking:
        return False
    return not db.session.scalar(sa.select(sa.exists().where(
        Interview.application_id == application.id, Interview.stage_id == stage.id,
        Interview.status.in_(Interview.TAKING_PLACE))))


def latest_decision(application: Application) -> StageDecision | None:
    """Return the application's most recent decision."""
    return db.session.scalar(
        sa.select(StageDecision).where(StageDecision.application_id == application.id)
        .order_by(StageDecision.decided_at.desc(), StageDecision.id.desc()).limit(1))


def decisions_of(application: Application) -> list[StageDecision]:
    """Return the application's decisions, oldest first."""
    return list(db.session.scalars(
        sa.select(StageDecision).where(StageDecision.application_id == application.id)
        .options(selectinload(StageDecision.stage), selectinload(StageDecision.decided_by))
        .order_by(StageDecision.decided_at, StageDecision.id)))


def _input_refusals(application: Application, outcome: str, reason_code: str | None,
                    note: str, override_reason: str) -> list[DecisionRefused]:
    refusals = []
    if outcome not in DECISION_OUTCOMES:
        refusals.append(DecisionRefused("outcome_invalid", "outcome"))
    elif outcome == "reject":
        if not reason_code:
            refusals.append(DecisionRefused("reject_reason_required", "reason_code"))
        elif reason_code not in REJECT_REASONS:
            refusals.append(DecisionRefused("reject_reason_invalid", "reason_code"))
        elif reason_code == "other" and not note:
            refusals.append(DecisionRefused("note_required", "note"))
    elif outcome == "advance" and next_stage(application) is None:
        refusals.append(DecisionRefused("no_next_stage", "outcome"))
    elif outcome == "offer" and not offer_choices(application):
        refusals.append(DecisionRefused("offer_not_yet", "outcome"))
    refusals += [DecisionRefused("too_long", name, max=TEXT_MAX)
                 for name, text in (("note", note), ("override_reason", override_reason))
                 if len(text) > TEXT_MAX]
    return refusals


def record_decision(actor: User, application: Application, stage: StageTemplate, *,
                    outcome: str, now: datetime, reason_code: str | None = None,
                    note: str = "", is_override: bool = False, override_reason: str = "",
                    tell_candidate: bool = False) -> StageDecision:
    """Decide *outcome* on *application* at *stage* (its current one) and move it: refused,
    with nothing written, when the application is closed, the stage is not current, a reason
    is missing, or feedback is still to come and the decision does not override it."""
    if not can_decide(actor):
        raise DecisionRefused("not_allowed")
    check_sees_application(actor, application)
    if not application.is_open_for_booking:
        raise DecisionRefused("closed")
    if application.current_stage_id != stage.id:
        raise DecisionRefused("not_current_stage")
    note, override_reason = (note or "").strip(), (override_reason or "").strip()
    refusals = _input_refusals(application, outcome, reason_code, note, override_reason)
    waiting = (waiting_for(application, stage, now).refusal(outcome)
               if outcome in DECISION_OUTCOMES else None)
    if waiting is not None and not is_override:
        refusals.append(waiting)
    elif waiting is not None and not override_reason:
        refusals.append(DecisionRefused("override_reason_required", "override_reason"))
    if refusals:
        raise DecisionRefused.together(refusals)
    before = {"status": application.status, "stage_id": application.current_stage_id}
    decision = StageDecision(
        application=application, stage=stage, outcome=outcome,
        reason_code=reason_code if outcome == "reject" else None, note=note,
        is_override=waiting is not None, override_reason=override_reason if waiting else "",
        is_candidate_told=tell_candidate and outcome in CANDIDATE_MAIL,
        decided_by_id=actor.id, decided_at=now)
    db.session.add(decision)
    _move(application, outcome, now)
    db.session.flush()
    if decision.is_candidate_told:
        _tell_candidate(application, decision, now)
    record_event(actor, "application.decided", application, now=now, before=before, after={
        "decision_id": decision.id, "outcome": outcome, "stage_id": stage.id,
        "reason_code": decision.reason_code, "is_override": decision.is_override,
        "is_candidate_told": decision.is_candidate_told, "status": application.status,
        "current_stage_id": application.current_stage_id,
        "offer_due_at": application.offer_due_at.isoformat() if application.offer_due_at
        else None,
    }, note=" · ".join(text for text in (note, decision.override_reason) if text))
    db.session.flush()
    return decision


def _move(application: Application, outcome: str, now: datetime) -> None:
    """Set the application's status and stage for *outcome*; start or stop the offer clock."""
    application.updated_at = now
    if outcome == "hold":
        application.status = Application.ON_HOLD
        return
    if outcome == "reject":
        application.status = Application.REJECTED
        application.closed_at = now  # the opening's retention period runs from here
        drop_application_reminders(application)
        return
    after = next_stage(application)
    if after is not None and after.kind == "offer":
        # Passing the stage before the offer stage starts the offer clock.
        application.current_stage = after
        _start_offer_clock(application, after, now)
    elif outcome == "advance":
        application.current_stage = after
    if outcome == "offer":
        application.status = Application.OFFER
        drop_application_reminders(application)
    else:
        application.status = Application.ACTIVE


def _start_offer_clock(application: Application, offer_stage: StageTemplate,
                       now: datetime) -> None:
    if offer_stage.sla_days is None:
        return
    application.offer_due_at = now + timedelta(days=offer_stage.sla_days)
    db.session.flush()
    schedule_application_reminders(application, now)


def _tell_candidate(application: Application, decision: StageDecision, now: datetime) -> None:
    """Write the rejection or the offer to the candidate, in their language."""
    candidate = application.candidate
    language = candidate.language
    opening = localized(application.requisition, "title", language)
    with force_locale(language):
        subject = str(_CANDIDATE_SUBJECTS[decision.outcome]) % {"opening": opening}
    compose_and_enqueue(
        CANDIDATE_MAIL[decision.outcome], to_addr=candidate.email, language=language,
        subject=subject, context=dict(candidate=candidate, opening=opening,
                                      company=company_name()),
        stable_id=StableId(f"decision-{decision.id}", kind=f"decision-{decision.outcome}"),
        kind=f"decision_{decision.outcome}", now=now)


@dataclass(frozen=True)
class OfferClock:
    """Where the offer clock stands: when the offer is due, and how many days are left."""

    due_at: datetime
    days_left: int      # whole days, rounded up; 0 or less once it has run out
    is_overdue: bool
    days_overdue: int   # whole days since it ran out, rounded down


def days_left_until(due_at: datetime, now: datetime) -> int:
    """Return the whole days from *now* to *due_at*, rounded up: 0 or less once it has passed."""
    return math.ceil((due_at - now) / timedelta(days=1))


def offer_clock(application: Application, now: datetime) -> OfferClock | None:
    """Return the running offer clock of *application*: started and the application still
    open (an offer made, or a closed application, stops it)."""
    if application.offer_due_at is None or not application.is_open_for_booking:
        return None
    left = (application.offer_due_at - now) / timedelta(days=1)
    return OfferClock(application.offer_due_at, days_left_until(application.offer_due_at, now),
                      left <= 0,
                      math.floor(-left) if left <= 0 else 0)
