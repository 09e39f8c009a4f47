"""Interviewer views of feedback: an interview's scorecard (saved as a draft while one types, by
the page's script, or with a button that needs none; submitted and locked), amendments to it,
and the feedback of others that permissions let the author read.

To anyone who does not write feedback on the interview (its panel, a coding test's reviewer) the
interview does not exist (404). What is written is the feedback service's to check; what is
shown of others' feedback is `permissions.visible_feedback`'s to decide (through
`feedback_visible_to`). The request's edge commits or rolls back.
"""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.extensions import db
from scheduler.i18n import current_language, format_local_datetime, viewer_zone
from scheduler.interviewer import bp
from scheduler.interviewer.forms import AmendmentForm, feedback_form_class
from scheduler.models import Interview
from scheduler.services.feedback import (
    FeedbackRefused, add_amendment, feedback_visible_to, opening_levels,
    other_interviews_of_candidate, own_feedback, save_draft, submit_feedback, writing_refusal,
)
from scheduler.services.permissions import can_mark_no_show, is_feedback_author
from scheduler.services.rubrics import rubric_definition, rubric_for_stage
from scheduler.web import flash_refusal, request_now, show_refusal, shows_candidate_data


def _authored_or_404(interview_id: int) -> Interview:
    """Return the interview if the signed-in interviewer writes feedback on it, else 404."""
    interview = db.get_or_404(Interview, interview_id)
    if not is_feedback_author(current_user, interview):
        abort(404)
    return interview


def _scorecard(interview: Interview, rubric):
    """Return the scorecard form of *rubric* for *interview* (its opening's levels offered)."""
    form = feedback_form_class(rubric_definition(rubric), current_language())()
    form.offer_levels(opening_levels(interview.application))
    return form


@bp.route("/interviews/<int:interview_id>/feedback", methods=["GET", "POST"])
@shows_candidate_data("feedback")
def feedback(interview_id: int):
    """Write, save and submit one's feedback on an interview; then read it with others'."""
    interview = _authored_or_404(interview_id)
    now = request_now()
    own = own_feedback(current_user, interview)
    rubric = own.rubric if own is not None else rubric_for_stage(interview.stage)
    closed = writing_refusal(current_user, interview, now)
    is_writable = rubric is not None and closed is None and not (own and own.is_submitted)
    form = _scorecard(interview, rubric) if is_writable else None
    if request.method == "POST":
        if form is None:
            # Nothing may be written: locked, not open, or no rubric. Refused, never changed.
            flash_refusal((closed or FeedbackRefused(
                "locked" if own is not None and own.is_submitted else "no_rubric")).message)
            return redirect(url_for(".feedback", interview_id=interview.id))
        if form.validate_on_submit():
            try:
                if form.submit.data:
                    submit_feedback(current_user, interview, form.feedback_input(), now)
                    flash(_("Your feedback is submitted and locked. You can now read the "
                            "other panel members' feedback that is in."), "success")
                else:
                    save_draft(current_user, interview, form.feedback_input(), now)
                    flash(_("Draft saved."), "success")
            except FeedbackRefused as error:
                show_refusal(form, error)
            else:
                return redirect(url_for(".feedback", interview_id=interview.id))
    elif form is not None and own is not None:
        form.fill(own)
    return _render_page(interview, form, own, closed, rubric, now)


def _render_page(interview: Interview, form, own, closed, rubric, now):
    """Render the feedback page: the form or one's submitted feedback, then what one may read
    of the others'."""
    readable = feedback_visible_to(current_user, [interview])
    own_id = own.id if own is not None else None
    # One's own submitted feedback is shown read-only; a draft is in the form instead.
    mine = next((v for v in readable if v.feedback.id == own_id and own.is_submitted), None)
    others = [v for v in readable if v.feedback.id != own_id]
    return render_template(
        "interviewer/feedback.html", interview=interview, form=form, own=own, mine=mine,
        others=others, closed=closed, definition=rubric_definition(rubric) if rubric else None,
        levels=opening_levels(interview.application),
        other_interviews=feedback_visible_to(current_user,
                                             other_interviews_of_candidate(interview)),
        amendment_form=AmendmentForm(),
        may_mark_no_show=(can_mark_no_show(current_user, interview)
                          and interview.status in Interview.TAKING_PLACE
                          and interview.start_at <= now
                          and not (own is not None and own.is_submitted)),
        opens_at=format_local_datetime(interview.start_at, viewer_zone()))


@bp.post("/interviews/<int:interview_id>/feedback/draft")
def feedback_draft(interview_id: int):
    """Save the scorecard typed so far as a draft; answer in JSON (the page's script)."""
    interview = _authored_or_404(interview_id)
    now = request_now()
    own = own_feedback(current_user, interview)
    rubric = own.rubric if own is not None else rubric_for_stage(interview.stage)
    refusal = writing_refusal(current_user, interview, now)
    if refusal is None and rubric is None:
        refusal = FeedbackRefused("no_rubric")
    if refusal is None and own is not None and own.is_submitted:
        refusal = FeedbackRefused("locked")
    if refusal is not None:
        return jsonify(error=refusal.message), 409
    form = _scorecard(interview, rubric)
    if not form.validate():
        return jsonify(error=_("Not saved: check the marked fields."),
                       fields={name: errors[0] for name, errors in form.errors.items()}), 400
    try:
        feedback = save_draft(current_user, interview, form.feedback_input(), now)
    except FeedbackRefused as error:
        # 409: the request's edge rolls back whatever the refused save began.
        return jsonify(error=error.message,
                       fields={r.field: r.message for r in error.refusals if r.field}), 409
    return jsonify(saved_at=feedback.updated_at.isoformat(),
                   message=_("Draft saved at %(time)s.",
                             time=format_local_datetime(feedback.updated_at, viewer_zone())))


@bp.post("/interviews/<int:interview_id>/feedback/amendments")
def amend_feedback(interview_id: int):
    """Add an amendment beside one's submitted feedback (the feedback itself never changes)."""
    interview = _authored_or_404(interview_id)
    own = own_feedback(current_user, interview)
    back = url_for(".feedback", interview_id=interview.id)
    if own is None:
        flash_refusal(FeedbackRefused("not_submitted").message)
        return redirect(back)
    form = AmendmentForm()
    if not form.validate_on_submit():
        flash_refusal(form.text.errors[0] if form.text.errors
                      else _("The form expired: try again."))
        return redirect(back)
    try:
        add_amendment(current_user, own, form.text.data, request_now())
    except FeedbackRefused as error:
        flash_refusal(error.message)
        return redirect(back)
    flash(_("Amendment added."), "success")
    return redirect(back + "#amendments")
