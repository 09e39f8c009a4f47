"""Interviewer views: the list of one's own upcoming interviews (and the feedback one owes), and
"I can't make it".

A refused decline is shown beside the form; the request's edge commits or rolls back.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.i18n import viewer_zone
from scheduler.interviewer import bp
from scheduler.interviewer.forms import DeclineForm
from scheduler.interviewer.present import interview_glance
from scheduler.models import Application, Interview, InterviewerAssignment, InterviewerProfile
from scheduler.services.booking import BookingError, decline_interview
from scheduler.services.feedback import feedback_to_write
from scheduler.services.permissions import can_decline
from scheduler.web import request_now, show_refusal, shows_candidate_data


def _upcoming_interviews(profile: InterviewerProfile, now: datetime) -> list[Interview]:
    """Return the scheduled interviews *profile* sits on that have not ended, soonest first."""
    query = (
        sa.select(Interview)
        .join(InterviewerAssignment, InterviewerAssignment.interview_id == Interview.id)
        .where(InterviewerAssignment.interviewer_id == profile.id,
               InterviewerAssignment.is_active.is_(True),
               Interview.status == Interview.SCHEDULED, Interview.end_at > now)
        .options(selectinload(Interview.application).selectinload(Application.candidate),
                 selectinload(Interview.stage),
                 selectinload(Interview.assignments).selectinload(InterviewerAssignment.interviewer)
                 .selectinload(InterviewerProfile.user),
                 # An on-site interview without a place of its own is at its lead's office.
                 selectinload(Interview.assignments).selectinload(InterviewerAssignment.interviewer)
                 .selectinload(InterviewerProfile.office))
        .order_by(Interview.start_at, Interview.id)
    )
    return list(db.session.scalars(query))


@bp.get("/")
@shows_candidate_data("interviews")
def home():
    """List the signed-in interviewer's upcoming interviews: when (theirs and the candidate's),
    how to join or where, with whom."""
    profile = current_user.interviewer_profile
    now = request_now()
    interviews = _upcoming_interviews(profile, now) if profile is not None else []
    glances = {interview.id: interview_glance(interview, current_user, viewer_zone())
               for interview in interviews}
    feedback_due, feedback_done = (feedback_to_write(profile, now)
                                   if profile is not None else ([], []))
    return render_template("interviewer/home.html", profile=profile, interviews=interviews,
                           glances=glances, feedback_due=feedback_due,
                           feedback_done=feedback_done, now=now)


# --- "I can't make it": a panel member declines with a reason; coordinators swap someone in ---


@bp.route("/interviews/<int:interview_id>/decline", methods=["GET", "POST"])
@shows_candidate_data("interview")
def decline(interview_id: int):
    """Tell the coordinators that the signed-in interviewer cannot make an interview."""
    interview = db.get_or_404(Interview, interview_id)
    # To anyone but a member of its panel the interview does not exist.
    if not can_decline(current_user, interview):
        abort(404)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            decline_interview(current_user, interview, form.reason.data, request_now())
        except BookingError as error:
            show_refusal(form, error)
        else:
            flash(_("Thank you. The coordinators have been told and will find someone to take "
                    "your seat."), "success")
            return redirect(url_for("interviewer.home"))
    return render_template("interviewer/decline.html", interview=interview, form=form)
