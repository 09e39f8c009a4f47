"""Feedback on interviews (DESIGN.md §9): drafts saved as the author types, a submission checked
against the rubric and then locked, amendments kept beside it, and what each person may read.

Who writes feedback on an interview, and whose feedback a person may read, are questions for
scheduler/services/permissions.py (`is_feedback_author`, `visible_feedback`); every reader here
goes through them. A draft takes the latest version of its stage's rubric when it is first saved
(`rubric_for_stage`) and keeps that version for good. The form opens from the interview's start
and stays closed for a cancelled interview or a no-show.

Locking is a claim: every change to a draft first updates its row on the condition that it is
still unsubmitted (`… WHERE id = ? AND submitted_at IS NULL`, one row changed = still a draft),
which also serialises two saves of one draft. A submission that breaks the rubric's rules is
refused field by field before anything is written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from scheduler.domain.rubric import (
    RECOMMENDATIONS, SCORES, Criterion, RubricDefinition, submission_problems,
)
from scheduler.extensions import db
from scheduler.models import (
    Application, Feedback, FeedbackAmendment, FeedbackScore, Interview, InterviewerAssignment,
    InterviewerProfile, Rubric, StageTemplate, User,
)
from scheduler.services.audit import record_event
from scheduler.services.errors import N_, ServiceError
from scheduler.services.permissions import (
    authored_interviews, is_feedback_author, visible_feedback,
)
from scheduler.services.rubrics import rubric_definition, rubric_for_stage

TEXT_MAX = 5000  # characters in one evidence note, strengths, concerns or amendment
# Feedback is due this long after the interview ends when its stage does not say.
DEFAULT_FEEDBACK_DUE_HOURS = 24


class FeedbackRefused(ServiceError):
    """Writing, submitting or amending feedback was refused."""

    messages = {
        "not_author": N_("You do not write feedback on this interview."),
        "not_open": N_("The feedback form opens when the interview starts."),
        "not_taking_place": N_("This interview was cancelled or marked a no-show, so it takes "
                               "no feedback."),
        "no_rubric": N_("This stage has no rubric yet: ask a coordinator to choose one."),
        "locked": N_("This feedback has been submitted and is locked. Add an amendment "
                     "instead."),
        "not_submitted": N_("Only submitted feedback takes amendments: change the draft "
                            "instead."),
        "score_missing": N_("Choose a score."),
        "score_invalid": N_("Choose a score from 1 to 4."),
        "evidence_required": N_("Write what you saw: a score of 1 or 4 needs evidence."),
        "recommendation_missing": N_("Choose an overall recommendation."),
        "recommendation_invalid": N_("Choose one of the recommendations."),
        "level_missing": N_("Choose the level you would hire at."),
        "level_invalid": N_("Choose one of the opening's levels."),
        "unknown_criterion": N_("This rubric has no such criterion."),
        "too_long": N_("Keep this under %(max)d characters."),
        "amendment_required": N_("Write the amendment."),
    }


def score_field(code: str) -> str:
    """Name the form field of a criterion's score (refusals point at it)."""
    return f"score_{code}"


def evidence_field(code: str) -> str:
    """Name the form field of a criterion's evidence note."""
    return f"evidence_{code}"


def _form_field(problem_field: str) -> str:
    """Turn the domain's "score:<code>", "evidence:<code>" or "level" into the form's name."""
    kind, _sep, code = problem_field.partition(":")
    if kind == "score":
        return score_field(code)
    if kind == "evidence":
        return evidence_field(code)
    return "hire_level" if kind == "level" else kind


@dataclass
class FeedbackInput:
    """What an author typed: scores (None where not chosen) and notes per criterion code."""

    scores: dict[str, int | None] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    strengths: str = ""
    concerns: str = ""
    recommendation: str | None = None
    hire_level: str | None = None


@dataclass
class FeedbackView:
    """One feedback with its rubric's criteria beside its scores, for a page to show."""

    feedback: Feedback
    definition: RubricDefinition
    rows: list[tuple[Criterion, FeedbackScore | None]]


def opening_levels(application: Application) -> list[dict]:
    """Return the levels of the application's opening (codes and names), in its order."""
    return list(application.requisition.levels or [])


def feedback_due_after(stage: StageTemplate) -> timedelta:
    """Return how long after an interview of *stage* ends its feedback is due."""
    hours = stage.feedback_due_hours
    return timedelta(hours=DEFAULT_FEEDBACK_DUE_HOURS if hours is None else hours)


def feedback_due_at(interview: Interview) -> datetime:
    """Return when the feedback on *interview* is due: its stage's hours after its end."""
    return interview.end_at + feedback_due_after(interview.stage)


def own_feedback(actor: User, interview: Interview) -> Feedback | None:
    """Return *actor*'s feedback on *interview* (draft or submitted), if any."""
    profile = actor.interviewer_profile
    if profile is None:
        return None
    return db.session.scalar(sa.select(Feedback).where(
        Feedback.interview_id == interview.id, Feedback.interviewer_id == profile.id))


def form_rubric(actor: User, interview: Interview) -> Rubric | None:
    """Return the rubric *actor*'s form on *interview* is built from: their draft's, else the
    latest version of the stage's rubric."""
    feedback = own_feedback(actor, interview)
    return feedback.rubric if feedback is not None else rubric_for_stage(interview.stage)


def writing_refusal(actor: User, interview: Interview, now: datetime) -> FeedbackRefused | None:
    """Say why *actor* cannot write feedback on *interview* now, or return None."""
    if not is_feedback_author(actor, interview):
        return FeedbackRefused("not_author")
    if interview.status not in Interview.TAKING_PLACE:
        return FeedbackRefused("not_taking_place")
    if interview.start_at > now:
        return FeedbackRefused("not_open")
    return None


def _input_problems(definition: RubricDefinition, levels: list[dict], data: FeedbackInput,
                    *, is_submission: bool) -> list[FeedbackRefused]:
    """Return the refusals of *data*: always what no draft may hold (an unknown score, a note
    too long), and for a submission every rule of the rubric."""
    problems: list[FeedbackRefused] = []
    if is_submission:
        level = data.hire_level
        found = submission_problems(definition, data.scores, data.evidence,
                                    data.recommendation, level)
        problems += [FeedbackRefused(p.code, _form_field(p.field)) for p in found]
        if level and level not in {entry["code"] for entry in levels} and not any(
                p.field == "level" for p in found):
            problems.append(FeedbackRefused("level_invalid", "hire_level"))
    else:
        for code, score in data.scores.items():
            if score is not None and score not in SCORES:
                problems.append(FeedbackRefused("score_invalid", score_field(code)))
        if data.recommendation and data.recommendation not in RECOMMENDATIONS:
            problems.append(FeedbackRefused("recommendation_invalid", "recommendation"))
        if data.hire_level and data.hire_level not in {entry["code"] for entry in levels}:
            problems.append(FeedbackRefused("level_invalid", "hire_level"))
    texts = [(evidence_field(code), text) for code, text in data.evidence.items()]
    texts += [("strengths", data.strengths), ("concerns", data.concerns)]
    problems += [FeedbackRefused("too_long", name, max=TEXT_MAX)
                 for name, text in texts if len(text or "") > TEXT_MAX]
    return problems


def _draft_for(actor: User, interview: Interview, now: datetime) -> Feedback:
    """Return *actor*'s draft on *interview*, claimed for this change (or a new one on the
    latest rubric); refuse submitted feedback."""
    feedback = own_feedback(actor, interview)
    if feedback is None:
        rubric = rubric_for_stage(interview.stage)
        if rubric is None:
            raise FeedbackRefused("no_rubric")
        feedback = Feedback(interview_id=interview.id,
                            interviewer_id=actor.interviewer_profile.id, rubric=rubric,
                            strengths="", concerns="", created_at=now, updated_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(feedback)
                db.session.flush()
        except IntegrityError:
            # A save from another tab made the draft first: go on with that one.
            feedback = own_feedback(actor, interview)
        else:
            record_event(actor, "feedback.started", feedback, now=now,
                         after={"interview_id": interview.id, "rubric_id": rubric.id})
    claimed = db.session.execute(
        sa.update(Feedback).where(Feedback.id == feedback.id, Feedback.submitted_at.is_(None))
        .values(updated_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise FeedbackRefused("locked")
    db.session.refresh(feedback)
    return feedback


def _write(feedback: Feedback, definition: RubricDefinition, data: FeedbackInput) -> None:
    """Copy *data* onto *feedback*: one score row per criterion of its rubric."""
    rows = {row.criterion_code: row for row in feedback.scores}
    for criterion in definition.criteria:
        row = rows.get(criterion.code)
        if row is None:
            row = FeedbackScore(criterion_code=criterion.code)
            feedback.scores.append(row)
        row.score = data.scores.get(criterion.code)
        row.evidence = (data.evidence.get(criterion.code) or "").strip()
    feedback.strengths = (data.strengths or "").strip()
    feedback.concerns = (data.concerns or "").strip()
    feedback.recommendation = data.recommendation or None
    feedback.hire_level = data.hire_level or None


def _checked_input(actor: User, interview: Interview, data: FeedbackInput, now: datetime, *,
                   is_submission: bool) -> RubricDefinition:
    """Refuse *data* unless *actor* may write it on *interview* now and it keeps the rubric's
    rules (a submission's stricter ones when *is_submission*); return the rubric's definition."""
    refusal = writing_refusal(actor, interview, now)
    if refusal is not None:
        raise refusal
    if is_submission:
        existing = own_feedback(actor, interview)
        if existing is not None and existing.is_submitted:
            raise FeedbackRefused("locked")
    rubric = form_rubric(actor, interview)
    if rubric is None:
        raise FeedbackRefused("no_rubric")
    definition = rubric_definition(rubric)
    problems = _input_problems(definition, opening_levels(interview.application), data,
                               is_submission=is_submission)
    if problems:
        raise FeedbackRefused.together(problems)
    return definition


def save_draft(actor: User, interview: Interview, data: FeedbackInput,
               now: datetime) -> Feedback:
    """Save what *actor* has typed so far as their draft on *interview*."""
    definition = _checked_input(actor, interview, data, now, is_submission=False)
    feedback = _draft_for(actor, interview, now)
    _write(feedback, definition, data)
    db.session.flush()
    return feedback


def submit_feedback(actor: User, interview: Interview, data: FeedbackInput,
                    now: datetime) -> Feedback:
    """Check *data* against the rubric and submit it as *actor*'s feedback; it is then locked.
    Refused field by field, with nothing written, when a rule is broken."""
    definition = _checked_input(actor, interview, data, now, is_submission=True)
    feedback = _draft_for(actor, interview, now)
    _write(feedback, definition, data)
    feedback.submitted_at = now
    db.session.flush()
    record_event(actor, "feedback.submitted", feedback, now=now, after={
        "interview_id": interview.id, "rubric_id": feedback.rubric_id,
        "recommendation": feedback.recommendation, "hire_level": feedback.hire_level,
        "scores": {row.criterion_code: row.score for row in feedback.scores}})
    db.session.flush()
    return feedback


def add_amendment(actor: User, feedback: Feedback, text: str,
                  now: datetime) -> FeedbackAmendment:
    """Add *text* beside *actor*'s own submitted *feedback*, with who and when; the feedback
    itself never changes."""
    profile = actor.interviewer_profile
    if profile is None or feedback.interviewer_id != profile.id:
        raise FeedbackRefused("not_author")
    if not feedback.is_submitted:
        raise FeedbackRefused("not_submitted")
    text = (text or "").strip()
    if not text:
        raise FeedbackRefused("amendment_required", "text")
    if len(text) > TEXT_MAX:
        raise FeedbackRefused("too_long", "text", max=TEXT_MAX)
    amendment = FeedbackAmendment(feedback=feedback, author_id=actor.id, text=text,
                                  created_at=now)
    db.session.add(amendment)
    db.session.flush()
    record_event(actor, "feedback.amended", feedback, now=now,
                 after={"amendment_id": amendment.id}, note=text)
    db.session.flush()
    return amendment


# --- Reading: always through permissions.visible_feedback -------------------------------------


def feedback_visible_to(actor: User, interviews) -> list[FeedbackView]:
    """Return the feedback on *interviews* that *actor* may read, by interview then submission
    (drafts last), each with its rubric's criteria."""
    ids = [interview.id for interview in interviews]
    if not ids:
        return []
    rows = db.session.scalars(
        sa.select(Feedback).where(Feedback.interview_id.in_(ids))
        .options(selectinload(Feedback.scores), selectinload(Feedback.rubric),
                 selectinload(Feedback.amendments).selectinload(FeedbackAmendment.author),
                 selectinload(Feedback.interviewer).selectinload(InterviewerProfile.user),
                 selectinload(Feedback.interview).selectinload(Interview.application))
        .order_by(Feedback.interview_id, Feedback.submitted_at.is_(None),
                  Feedback.submitted_at, Feedback.id))
    views = []
    for feedback in visible_feedback(actor, rows):
        definition = rubric_definition(feedback.rubric)
        by_code = {row.criterion_code: row for row in feedback.scores}
        views.append(FeedbackView(feedback, definition,
                                  [(c, by_code.get(c.code)) for c in definition.criteria]))
    return views


def other_interviews_of_candidate(interview: Interview) -> list[Interview]:
    """Return the candidate's other interviews (any application) that were not cancelled, in
    time order."""
    return list(db.session.scalars(
        sa.select(Interview).join(Application, Application.id == Interview.application_id)
        .where(Application.candidate_id == interview.application.candidate_id,
               Interview.id != interview.id, Interview.status != Interview.CANCELLED)
        .options(selectinload(Interview.stage))
        .order_by(Interview.start_at, Interview.id)))


@dataclass
class AuthorStatus:
    """Where one author stands on one interview: no feedback, a draft, or submitted."""

    profile: InterviewerProfile
    feedback: Feedback | None
    is_reviewer: bool


def author_statuses(interview: Interview) -> list[AuthorStatus]:
    """Return each author of *interview* (its panel, then a reviewer) with their feedback's
    state (who has submitted is no secret; what they wrote is)."""
    feedback = {f.interviewer_id: f for f in db.session.scalars(
        sa.select(Feedback).where(Feedback.interview_id == interview.id))}
    statuses = [AuthorStatus(seat.interviewer, feedback.get(seat.interviewer_id), False)
                for seat in interview.active_assignments]
    if interview.reviewer is not None and interview.reviewer_id not in {
            s.profile.id for s in statuses}:
        statuses.append(AuthorStatus(interview.reviewer, feedback.get(interview.reviewer_id),
                                     True))
    return statuses


@dataclass
class FeedbackOwed:
    """One interview whose feedback an author still owes: their draft, if any, and the due time."""

    interview: Interview
    draft: Feedback | None
    due_at: datetime

    def is_overdue(self, now: datetime) -> bool:
        return self.due_at < now


def feedback_to_write(profile: InterviewerProfile, now: datetime
                      ) -> tuple[list[FeedbackOwed], list[Feedback]]:
    """Return (the interviews under way or held whose feedback *profile* has still to submit,
    the most overdue first; their ten latest submissions)."""
    due = list(db.session.scalars(
        sa.select(Interview).where(Interview.id.in_(authored_interviews(profile.id)),
                                   Interview.start_at <= now)
        .options(selectinload(Interview.stage),
                 selectinload(Interview.application).selectinload(Application.candidate),
                 selectinload(Interview.assignments)
                 .selectinload(InterviewerAssignment.interviewer))
        .order_by(Interview.start_at, Interview.id)))
    own = {f.interview_id: f for f in db.session.scalars(sa.select(Feedback).where(
        Feedback.interviewer_id == profile.id,
        Feedback.interview_id.in_([interview.id for interview in due])))}
    waiting = [FeedbackOwed(interview, own.get(interview.id), feedback_due_at(interview))
               for interview in due
               if not (own.get(interview.id) and own[interview.id].is_submitted)]
    waiting.sort(key=lambda owed: (owed.due_at, owed.interview.id))
    submitted = list(db.session.scalars(
        sa.select(Feedback).where(Feedback.interviewer_id == profile.id,
                                  Feedback.submitted_at.is_not(None))
        .options(selectinload(Feedback.interview).selectinload(Interview.stage),
                 selectinload(Feedback.interview).selectinload(Interview.application)
                 .selectinload(Application.candidate))
        .order_by(Feedback.submitted_at.desc(), Feedback.id.desc()).limit(10)))
    return waiting, submitted
