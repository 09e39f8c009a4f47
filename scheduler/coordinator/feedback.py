"""Coordinator views after an interview: marking a no-show and choosing who reviews a coding
test; and what each interview card of the application page shows about them (its feedback is on
the application's scorecard, scorecard.py).

The services check and audit every change; the request's edge commits.
"""
from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.coordinator import bp
from scheduler.coordinator.access import interview_or_404
from scheduler.coordinator.forms import NoShowForm, ReviewerForm, reviewer_choices_with_nobody
from scheduler.coordinator.present import person_label
from scheduler.models import Interview
from scheduler.services.feedback import author_statuses
from scheduler.services.no_shows import NoShowRefused, can_book_again, mark_no_show
from scheduler.services.reviewers import (
    ReviewerRefused, assign_reviewer, has_reviewer, reviewer_choices,
)
from scheduler.web import flash_refusal, request_now


def offer_reviewers(form, stages) -> None:
    """Offer the booking form's reviewer select when a stage being booked has a reviewer."""
    stage = next((s for s in stages if has_reviewer(s)), None)
    form.reviewer_id.choices = (reviewer_choices_with_nobody(
        [(p.id, person_label(p)) for p in reviewer_choices(stage)]) if stage else [])


def assign_booked_reviewer(form, interviews, now: datetime) -> None:
    """Make the reviewer chosen on the booking form review the booked coding test."""
    if not form.reviewer_id.data:
        return
    for interview in interviews:
        if has_reviewer(interview.stage):
            assign_reviewer(current_user, interview, form.reviewer_id.data, now)


def interview_outcomes(interviews, now: datetime) -> dict[int, dict]:
    """Describe, per interview of the application page: held or not, its no-show mark and
    whether its stage can be booked again, its feedback authors' states, and the reviewer
    select of a coding test."""
    outcomes = {}
    choices: dict[int, list] = {}
    for interview in interviews:
        if interview.status == Interview.CANCELLED:
            continue
        review_form = None
        if has_reviewer(interview.stage) and interview.status in Interview.TAKING_PLACE:
            if interview.stage_id not in choices:
                choices[interview.stage_id] = [(p.id, person_label(p))
                                               for p in reviewer_choices(interview.stage)]
            review_form = ReviewerForm(formdata=None, reviewer_id=interview.reviewer_id)
            review_form.offer(choices[interview.stage_id])
        no_show_form = None
        if interview.status in Interview.TAKING_PLACE and interview.start_at <= now:
            no_show_form = NoShowForm(formdata=None)
            no_show_form.absent_interviewer_id.choices = _panel_choices(interview)
        mark = interview.no_show
        outcomes[interview.id] = {
            "is_held": interview.is_held(now),
            "no_show": mark,
            "absent": person_label(mark.absent_interviewer) if mark and mark.party ==
            "interviewer" else "",
            "can_book_again": can_book_again(interview),
            "authors": [(person_label(s.profile), s) for s in author_statuses(interview)],
            "has_reviewer": has_reviewer(interview.stage),
            "reviewer": person_label(interview.reviewer) if interview.reviewer else "",
            "review_form": review_form,
            "no_show_form": no_show_form,
        }
    return outcomes


def _panel_choices(interview: Interview) -> list:
    return [("", "—")] + [(seat.interviewer_id, person_label(seat.interviewer))
                          for seat in interview.active_assignments]


@bp.post("/interviews/<int:interview_id>/no-show")
def mark_interview_no_show(interview_id: int):
    """Mark an interview not held: who did not come, and what happened."""
    interview = interview_or_404(interview_id)
    back = url_for(".application", application_id=interview.application_id)
    form = NoShowForm()
    form.absent_interviewer_id.choices = _panel_choices(interview)
    if not form.validate_on_submit():
        flash_refusal(_("The form expired: try again."))
        return redirect(back + f"#interview-{interview.id}")
    try:
        mark_no_show(current_user, interview, party=form.party.data or "",
                     absent_interviewer_id=form.absent_interviewer_id.data,
                     note=form.note.data or "", now=request_now())
    except NoShowRefused as error:
        for refusal in error.refusals:
            flash_refusal(refusal.message)
        return redirect(back + f"#interview-{interview.id}")
    flash(_("Marked as a no-show. You can book the stage again."), "success")
    return redirect(back + f"#interview-{interview.id}")


@bp.post("/interviews/<int:interview_id>/reviewer")
def choose_reviewer(interview_id: int):
    """Choose (or change) who reviews a coding test and writes its feedback."""
    interview = interview_or_404(interview_id)
    back = url_for(".application", application_id=interview.application_id)
    form = ReviewerForm()
    form.offer([(p.id, person_label(p)) for p in reviewer_choices(interview.stage)])
    if not form.validate_on_submit():
        flash_refusal(_("Choose a reviewer qualified for this stage."))
        return redirect(back + f"#interview-{interview.id}")
    try:
        assign_reviewer(current_user, interview, form.reviewer_id.data, request_now())
    except ReviewerRefused as error:
        flash_refusal(error.message)
        return redirect(back + f"#interview-{interview.id}")
    flash(_("Reviewer saved.") if form.reviewer_id.data else _("No reviewer for now."),
          "success")
    return redirect(back + f"#interview-{interview.id}")
