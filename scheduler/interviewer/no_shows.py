"""Interviewer view: mark an interview one sits on a no-show (the candidate or an interviewer
did not come), with a note. The no-show service checks and records it; the request's edge
commits or rolls back."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from scheduler.extensions import db
from scheduler.interviewer import bp
from scheduler.interviewer.forms import NoShowForm
from scheduler.models import Interview
from scheduler.services.no_shows import NoShowRefused, mark_no_show
from scheduler.services.permissions import can_decline
from scheduler.web import request_now, show_refusal, shows_candidate_data


@bp.route("/interviews/<int:interview_id>/no-show", methods=["GET", "POST"])
@shows_candidate_data("interview")
def no_show(interview_id: int):
    """Tell the coordinators an interview was not held: who did not come, and what happened."""
    interview = db.get_or_404(Interview, interview_id)
    # On this page only the panel marks a no-show (coordinators use the application page).
    if not can_decline(current_user, interview):
        abort(404)
    form = NoShowForm()
    form.absent_interviewer_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(seat.interviewer_id, seat.interviewer.user.name)
        for seat in interview.active_assignments]
    if form.validate_on_submit():
        try:
            mark_no_show(current_user, interview, party=form.party.data or "",
                         absent_interviewer_id=form.absent_interviewer_id.data,
                         note=form.note.data or "", now=request_now())
        except NoShowRefused as error:
            show_refusal(form, error)
        else:
            flash(_("Marked as a no-show. The coordinators can book the stage again."),
                  "success")
            return redirect(url_for("interviewer.home"))
    return render_template("interviewer/no_show.html", interview=interview, form=form)
