"""Who reviews an online coding test: an interviewer qualified for the stage, chosen by a
coordinator at booking or later. The reviewer writes the test's feedback, whether or not they sit
on its (possibly empty) panel (permissions.feedback_author_ids), and so receives its feedback
nudges: a change of reviewer moves them like a panel change."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import Feedback, Interview, InterviewerProfile, StageTemplate, User
from scheduler.services import reminders
from scheduler.services.audit import record_event
from scheduler.services.errors import N_, ServiceError
from scheduler.services.permissions import can_assign_reviewer, check_sees_application
from scheduler.services.slot_search import stage_pool

# The stage kinds whose feedback a reviewer writes.
REVIEWED_KINDS = ("coding_test",)


class ReviewerRefused(ServiceError):
    """Choosing a coding test's reviewer was refused."""

    messages = {
        "not_allowed": N_("Only coordinators choose who reviews a coding test."),
        "not_reviewed": N_("Only an online coding test has a reviewer."),
        "not_taking_place": N_("This interview was cancelled or marked a no-show."),
        "not_qualified": N_("Choose a reviewer qualified for this stage."),
        "feedback_submitted": N_("The reviewer has already submitted the feedback, so the "
                                 "reviewer stays."),
    }


def has_reviewer(stage: StageTemplate) -> bool:
    """Tell whether interviews of *stage* are scored by a reviewer."""
    return stage.kind in REVIEWED_KINDS


def reviewer_choices(stage: StageTemplate) -> list[InterviewerProfile]:
    """Return the active interviewers qualified for *stage*, by name (none if it has no
    reviewer)."""
    if not has_reviewer(stage):
        return []
    pool, _seniors = stage_pool(stage)
    if not pool:
        return []
    return list(db.session.scalars(
        sa.select(InterviewerProfile).join(User, User.id == InterviewerProfile.user_id)
        .where(InterviewerProfile.id.in_(pool))
        .options(selectinload(InterviewerProfile.user), selectinload(InterviewerProfile.office))
        .order_by(User.name, InterviewerProfile.id)))


def assign_reviewer(actor: User, interview: Interview, reviewer_id: int | None,
                    now: datetime) -> None:
    """Make *reviewer_id* (None: nobody yet) the reviewer of a coding test."""
    if not can_assign_reviewer(actor):
        raise ReviewerRefused("not_allowed")
    check_sees_application(actor, interview.application)
    if not has_reviewer(interview.stage):
        raise ReviewerRefused("not_reviewed")
    if interview.status not in Interview.TAKING_PLACE:
        raise ReviewerRefused("not_taking_place")
    if reviewer_id == interview.reviewer_id:
        return
    if reviewer_id is not None and reviewer_id not in stage_pool(interview.stage)[0]:
        raise ReviewerRefused("not_qualified", "reviewer_id")
    if interview.reviewer_id is not None and db.session.scalar(
            sa.select(Feedback.id).where(Feedback.interview_id == interview.id,
                                         Feedback.interviewer_id == interview.reviewer_id,
                                         Feedback.submitted_at.is_not(None))) is not None:
        raise ReviewerRefused("feedback_submitted", "reviewer_id")
    before = {"reviewer_id": interview.reviewer_id}
    interview.reviewer = (db.session.get(InterviewerProfile, reviewer_id)
                          if reviewer_id is not None else None)
    interview.updated_at = now
    db.session.flush()
    reminders.schedule_reminders(interview, now)
    record_event(actor, "interview.reviewer_assigned", interview, now=now, before=before,
                 after={"reviewer_id": reviewer_id})
    db.session.flush()
