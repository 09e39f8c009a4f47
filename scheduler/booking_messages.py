"""Booking refusals in the reader's language: BookingError codes and the engine's SlotProblem codes.

The pure engine keeps its English message templates in a dict (scheduler/domain/slots.py), which
pybabel cannot extract; the same msgids are listed here with the `N_` marker so that they reach
the catalogue (a test checks this list against the engine's). Interviewer ids in the messages
are replaced by names before the text is shown, and the interview a `candidate_busy` refusal
names is said by its stage and its time in the reader's zone.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from flask_babel import gettext

from scheduler.domain.slots import SlotProblem, problem_message
from scheduler.extensions import db
from scheduler.i18n import format_local_range, localized, viewer_zone
from scheduler.models import StageTemplate


def N_(text: str) -> str:
    """Mark *text* for extraction; it is translated where it is shown."""
    return text


PROBLEM_MSGIDS = (
    N_("This time is too soon: interviews need %(hours)s hours' notice."),
    N_("This time is too far ahead to book yet."),
    N_("Interviews start on the %(step)s-minute grid."),
    N_("This time is outside the candidate's acceptable hours."),
    N_("The candidate already has an interview at this time."),
    N_("This stage needs %(expected)s interviewers, not %(given)s."),
    N_("An interviewer is listed twice."),
    N_("Interviewer %(interviewer_id)s has no calendar."),
    N_("Interviewer %(interviewer_id)s is not qualified for this stage."),
    N_("This stage needs a senior interviewer on the panel."),
    N_("Interviewer %(interviewer_id)s is on two stages of the loop."),
    N_("Interviewer %(interviewer_id)s is not working at this time."),
    N_("Interviewer %(interviewer_id)s is busy at this time (buffers included)."),
    N_("Interviewer %(interviewer_id)s has reached the daily interview limit."),
    N_("Interviewer %(interviewer_id)s has reached the weekly interview limit."),
)

# One message per code that scheduler/services/booking.py raises (or returns as a refusal).
BOOKING_ERROR_MSGIDS = {
    "application_closed": N_("This application is closed, so nothing can be booked for it."),
    "no_stages": N_("Choose at least one stage."),
    "repeated_stage": N_("A stage is listed twice."),
    "stage_not_schedulable": N_("This stage is not booked as an interview."),
    "already_booked": N_("This stage already has a booked interview: reschedule or cancel "
                         "that one instead."),
    "slot_taken": N_("This time was just taken."),
    "interview_not_live": N_("This interview is no longer scheduled, so it cannot be changed."),
    "not_on_panel": N_("%(name)s is not on this interview's panel."),
    "already_on_panel": N_("%(name)s is already on this interview's panel."),
    "reason_required": N_("Give a reason."),
    "candidate_busy": N_("The candidate already has an interview at this time: %(stage)s, "
                         "%(time)s."),
}


def problem_text(problem: SlotProblem, names: Mapping[int, str] | None = None,
                 stages: Sequence | None = None) -> str:
    """Render a slot problem in the current language, naming the interviewer and the stage."""
    names = names or {}
    named = replace(problem, interviewer_id=names.get(problem.interviewer_id,
                                                      problem.interviewer_id))
    text = problem_message(named, translate=gettext)
    if stages is not None and len(stages) > 1:
        return gettext("%(stage)s: %(problem)s", stage=localized(stages[problem.stage_index]),
                       problem=text)
    return text


def clashing_interview(params: Mapping, zone: str) -> dict[str, str]:
    """Return the stage and time (in *zone*) of the interview a `candidate_busy` refusal
    names, in the current language, as the message's `stage` and `time`."""
    stage = db.session.get(StageTemplate, params["stage_id"]) if params.get("stage_id") else None
    return {"stage": localized(stage) if stage is not None else "",
            "time": format_local_range(params["start_at"], params["end_at"], zone)
            if params.get("start_at") else ""}


def booking_error_text(error, names: Mapping[int, str] | None = None) -> str:
    """Render a BookingError in the current language (times in the viewer's zone)."""
    names = names or {}
    interviewer_id = error.params.get("interviewer_id")
    extra = clashing_interview(error.params, viewer_zone()) if error.code == "candidate_busy" \
        else {}
    return gettext(BOOKING_ERROR_MSGIDS[error.code],
                   name=names.get(interviewer_id, interviewer_id) or "", **extra)
