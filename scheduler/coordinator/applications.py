"""Coordinator views: adding a candidate, and an application's page (its interviews with their
history, and times to book); the home page, the applications list, is application_list.py.

The application page lists free times in a zone the coordinator chooses (their own by default),
beside them in the coordinator's own zone and the candidate's (present_times.py), each labelled,
for the current stage or a loop; whether anything may be booked is the booking service's one
rule (`booking_refusal`).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from scheduler.coordinator import bp
from scheduler.coordinator.access import application_or_404
from scheduler.coordinator.feedback import interview_outcomes
from scheduler.coordinator.forms import (
    BREAK_CHOICES, DEFAULT_BREAK, CancelForm, CandidateForm, ResendForm, SlotViewForm, SwapForm,
)
from scheduler.coordinator.present import (
    blocker_text, declined_seats, interview_cards, problem_texts, slot_days,
)
from scheduler.coordinator.present_times import zone_note
from scheduler.extensions import db
from scheduler.i18n import current_language, zone_columns
from scheduler.models import Application, Interview, InterviewerAssignment, InterviewerProfile
from scheduler.services import permissions
from scheduler.services.consents import consents_of
from scheduler.services.booking import SlotTaken, booking_refusal, loop_stages, stages_to_book
from scheduler.services.candidates import (
    CandidateInputError, candidate_failed_mail, candidate_with_email,
    create_candidate_with_application, other_applications, requisitions_with_stages,
)
from scheduler.services.slot_search import find_slots
from scheduler.web import parse_day, request_now, show_refusal, shows_candidate_data


@bp.route("/candidates/new", methods=["GET", "POST"])
def new_candidate():
    """Add a candidate with an application to an open requisition."""
    form = CandidateForm()
    form.offer(requisitions_with_stages(only_open=True))
    if not form.is_submitted():
        form.language.data = current_language()
        form.zone.data = current_user.zone
    existing = None
    if form.validate_on_submit():
        try:
            application = create_candidate_with_application(
                current_user, name=form.name.data, email=form.email.data, phone=form.phone.data,
                zone=form.zone.data, language=form.language.data,
                requisition_id=form.requisition_id.data, level=form.level.data, now=request_now())
        except CandidateInputError as error:
            show_refusal(form, error)
            # A known email: offer to add that candidate to the requisition instead.
            if any(refusal.code == "email_taken" for refusal in error.refusals):
                existing = candidate_with_email(form.email.data)
                # Least access: another opening's candidate is not shown, only the refusal.
                if existing is not None and not permissions.can_see_candidate(current_user,
                                                                              existing):
                    existing = None
        else:
            flash(_("Added %(name)s.", name=application.candidate.name), "success")
            return redirect(url_for("coordinator.home"))
    return render_template("coordinator/new_candidate.html", form=form, existing=existing)


def _application_interviews(application: Application) -> list[Interview]:
    return list(db.session.scalars(
        sa.select(Interview).where(Interview.application_id == application.id)
        .options(selectinload(Interview.stage), selectinload(Interview.booking_group),
                 selectinload(Interview.assignments).selectinload(InterviewerAssignment.interviewer)
                 .selectinload(InterviewerProfile.user),
                 selectinload(Interview.assignments).selectinload(InterviewerAssignment.interviewer)
                 .selectinload(InterviewerProfile.office))
        .order_by(Interview.start_at, Interview.id)))


def render_application(application: Application, form: SlotViewForm, *,
                       taken: SlotTaken | None = None, status: int = 200):
    """Render the application page; *taken* says the chosen time was lost (with fresh times)."""
    now = request_now()
    zone = form.chosen_zone(current_user.zone)
    loop = loop_stages(application)
    plan = form.plan.data if form.plan.data == "loop" and loop else "stage"
    form.plan.data = plan
    brk = form.brk.data if form.brk.data in BREAK_CHOICES else DEFAULT_BREAK
    stages = stages_to_book(application, as_loop=plan == "loop")
    refusal = booking_refusal(application, stages)
    columns = zone_columns(zone, current_user.zone, application.candidate.zone)
    interviews = _application_interviews(application)
    days = None
    if refusal is None:
        search = (taken.fresh if taken is not None and taken.fresh is not None
                  else find_slots(application, stages, now,
                                  break_minutes=brk if len(stages) > 1 else 0))
        days = slot_days(search, stages, columns, parse_day(request.args.get("day")))
    return render_template(
        "coordinator/application.html", application=application, form=form, zone=zone,
        loop_stages=loop, stages=stages, plan=plan, brk=brk,
        blocker=blocker_text(refusal) if refusal is not None else "", days=days,
        taken_problems=problem_texts(taken.problems, stages) if taken is not None else [],
        is_taken=taken is not None,
        cards=interview_cards(interviews, columns, now),
        zone_note=zone_note(columns, now),
        outcomes=interview_outcomes(interviews, now),
        flagged=declined_seats(now, current_user, application.id),
        swap_form=SwapForm(), cancel_form=CancelForm(),
        other_applications=other_applications(application, current_user),
        failed_mail=candidate_failed_mail(application.candidate), resend_form=ResendForm(),
        consents=consents_of(application),
    ), status


@bp.get("/applications/<int:application_id>")
@shows_candidate_data("application")
def application(application_id: int):
    """Show an application: its interviews with their history, and free times to book."""
    application = application_or_404(application_id)
    form = SlotViewForm(request.args)
    if "brk" not in request.args:  # the opening's default break for its loop
        form.brk.data = application.requisition.loop_break_minutes
    return render_application(application, form)
