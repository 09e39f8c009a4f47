"""Interviews that were not held: a panel member or a coordinator marks a no-show.

Held is derived (models/interview.py): after its end a scheduled interview counts as held. A
no-show mark says otherwise, from the interview's start on: the candidate, or one interviewer,
did not come. The mark keeps a note, who marked it and when; it sets the interview's status to
no-show, which frees the stage for a new booking (the unique index holds only scheduled
interviews) and closes its feedback form. Once feedback on the interview has been submitted it
was held, and the mark is refused.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import Feedback, Interview, InterviewNoShow, User
from scheduler.models.interview import NO_SHOW_PARTIES
from scheduler.services import reminders
from scheduler.services.audit import record_event
from scheduler.services.booking import booking_refusal
from scheduler.services.errors import N_, ServiceError
from scheduler.services.permissions import can_mark_no_show

NOTE_MAX = 2000


class NoShowRefused(ServiceError):
    """A no-show mark was refused."""

    messages = {
        "not_allowed": N_("Only the panel and the coordinators may mark this interview a "
                          "no-show."),
        "not_started": N_("The interview has not started yet, so nobody can have missed it."),
        "not_taking_place": N_("This interview was cancelled or is already marked a no-show."),
        "feedback_submitted": N_("Feedback on this interview has been submitted, so it was "
                                 "held."),
        "party_required": N_("Say who did not come."),
        "interviewer_required": N_("Choose the interviewer who did not come, from the panel."),
        "note_required": N_("Write a note saying what happened."),
        "note_too_long": N_("Keep the note under %(max)d characters."),
    }


def mark_no_show(actor: User, interview: Interview, *, party: str,
                 absent_interviewer_id: int | None, note: str, now: datetime) -> InterviewNoShow:
    """Mark *interview* not held: *party* ("candidate" or "interviewer", then naming the panel
    member in *absent_interviewer_id*) did not come; *note* says what happened."""
    if not can_mark_no_show(actor, interview):
        raise NoShowRefused("not_allowed")
    if interview.status not in Interview.TAKING_PLACE:
        raise NoShowRefused("not_taking_place")
    if interview.start_at > now:
        raise NoShowRefused("not_started")
    note = (note or "").strip()
    refusals = []
    if party not in NO_SHOW_PARTIES:
        refusals.append(NoShowRefused("party_required", "party"))
    panel = {seat.interviewer_id for seat in interview.active_assignments}
    if party == "interviewer" and absent_interviewer_id not in panel:
        refusals.append(NoShowRefused("interviewer_required", "absent_interviewer_id"))
    if not note:
        refusals.append(NoShowRefused("note_required", "note"))
    elif len(note) > NOTE_MAX:
        refusals.append(NoShowRefused("note_too_long", "note", max=NOTE_MAX))
    if refusals:
        raise NoShowRefused.together(refusals)
    if db.session.scalar(sa.select(Feedback.id).where(Feedback.interview_id == interview.id,
                                                      Feedback.submitted_at.is_not(None))
                         .limit(1)) is not None:
        raise NoShowRefused("feedback_submitted")
    before = {"status": interview.status}
    mark = InterviewNoShow(
        interview=interview, party=party,
        absent_interviewer_id=absent_interviewer_id if party == "interviewer" else None,
        note=note, marked_by_id=actor.id, marked_at=now)
    db.session.add(mark)
    interview.status = Interview.NO_SHOW
    interview.updated_at = now
    reminders.drop_reminders(interview)
    db.session.flush()
    record_event(actor, "interview.no_show", interview, now=now, before=before,
                 after={"status": interview.status, "party": party,
                        "interviewer_id": mark.absent_interviewer_id}, note=note)
    db.session.flush()
    return mark


def can_book_again(interview: Interview) -> bool:
    """Tell whether the stage of a no-show interview can be booked again now from its
    application's page (the page books the application's current stage)."""
    application = interview.application
    return (interview.status == Interview.NO_SHOW
            and application.current_stage is interview.stage
            and booking_refusal(application, [interview.stage]) is None)
