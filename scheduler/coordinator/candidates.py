"""Coordinator views of a candidate: correcting their details, adding them to another
requisition, sending their failed mail again (to the address they have now), and erasing their
data on their request (services/erasure.py: the job finishes it after the cancellations).

The application page (applications.py) lists the candidate's other applications and any mail
to them that failed; an email change sends nothing by itself.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired

from scheduler.coordinator import bp
from scheduler.coordinator.access import application_or_404, candidate_or_404, message_or_404
from scheduler.coordinator.forms import AddApplicationForm, CandidateDetailsForm, ResendForm
from scheduler.services.candidates import (
    CandidateInputError, add_application, candidate_failed_mail, requisitions_with_stages,
    seen_applications,
    update_candidate,
)
from scheduler.services.erasure import (
    ErasureRefused, erasure_refusal, live_interviews, request_erasure,
)
from scheduler.services.outbox import resend_message
from scheduler.web import request_now, show_refusal, shows_candidate_data


@bp.route("/applications/<int:application_id>/details", methods=["GET", "POST"])
@shows_candidate_data("candidate_details")
def edit_candidate(application_id: int):
    """Correct the name, email, phone, zone or language of this application's candidate."""
    application = application_or_404(application_id)
    candidate = application.candidate
    form = CandidateDetailsForm(obj=candidate)
    if form.validate_on_submit():
        try:
            changes = update_candidate(
                current_user, candidate, name=form.name.data, email=form.email.data,
                phone=form.phone.data, zone=form.zone.data, language=form.language.data,
                now=request_now())
        except CandidateInputError as error:
            show_refusal(form, error)
        else:
            flash(_("Saved the details of %(name)s.", name=candidate.name) if changes
                  else _("Nothing changed."), "success")
            failed = candidate_failed_mail(candidate) if "email" in changes else []
            if failed:
                flash(ngettext("%(num)d email to this candidate could not be sent: send it "
                               "again to the new address below.",
                               "%(num)d emails to this candidate could not be sent: send them "
                               "again to the new address below.", len(failed)), "info")
            return redirect(url_for(".application", application_id=application.id)
                            + ("#failed-mail" if failed else ""))
    return render_template("coordinator/edit_candidate.html", form=form,
                           application=application)


@bp.route("/candidates/<int:candidate_id>/applications/new", methods=["GET", "POST"])
@shows_candidate_data("candidate_details")
def add_existing_candidate(candidate_id: int):
    """Confirm, then add a candidate already known (e.g. matched by email) to a requisition."""
    candidate = candidate_or_404(candidate_id)
    # Shown with the requisition and level chosen on "New candidate" (in the link).
    form = AddApplicationForm(request.args) if request.method == "GET" else AddApplicationForm()
    form.offer(requisitions_with_stages(only_open=True))
    if form.validate_on_submit():
        try:
            application = add_application(current_user, candidate,
                                          requisition_id=form.requisition_id.data,
                                          level=form.level.data, now=request_now())
        except CandidateInputError as error:
            show_refusal(form, error)
        else:
            flash(_("Added %(name)s to this requisition.", name=candidate.name), "success")
            return redirect(url_for(".application", application_id=application.id))
    return render_template("coordinator/add_existing_candidate.html", form=form,
                           candidate=candidate,
                           applications=seen_applications(candidate, current_user))


@bp.post("/applications/<int:application_id>/mail/<int:message_id>/resend")
def resend_candidate_mail(application_id: int, message_id: int):
    """Send one of the candidate's failed emails again, to the address they have now."""
    application = application_or_404(application_id)
    message = message_or_404(message_id)
    if not ResendForm().validate_on_submit():
        abort(400)
    if message not in candidate_failed_mail(application.candidate):
        flash(_("This message is already queued or sent."), "info")
    else:
        resend_message(current_user, message, request_now(), to_addr=application.candidate.email)
        flash(_("The message to %(to)s will be sent again shortly.", to=message.to_addr),
              "success")
    return redirect(url_for(".application", application_id=application.id))


class EraseCandidateForm(FlaskForm):
    """Confirm that the candidate asked for their data to be erased (issue 25); kept beside its
    one view, as links.py keeps its forms, since forms.py is at its size limit."""

    is_requested_by_candidate = BooleanField(
        _l("The candidate asked for their data to be erased"),
        validators=[DataRequired(_l("Confirm that the candidate asked for this."))])
    submit = SubmitField(_l("Erase the candidate's data"))


@bp.route("/applications/<int:application_id>/erase", methods=["GET", "POST"])
@shows_candidate_data("candidate_details")
def erase_candidate(application_id: int):
    """Confirm, then erase this application's candidate's data on their request."""
    application = application_or_404(application_id)
    candidate = application.candidate
    refusal = erasure_refusal(current_user, candidate)
    if refusal is not None and refusal.code == "not_all_yours":
        # Said instead of the form, which would list another opening's interviews.
        return render_template("coordinator/erase_candidate.html", application=application,
                               candidate=candidate, refusal=refusal.message)
    form = EraseCandidateForm()
    now = request_now()
    if form.validate_on_submit():
        try:
            cancelled = request_erasure(current_user, candidate, now)
        except ErasureRefused as error:
            show_refusal(form, error)
        else:
            flash(_("Erasure requested: the candidate's data will be erased shortly.")
                  if not cancelled else ngettext(
                "Erasure requested: %(num)d interview was cancelled and its panel is being told; "
                "the candidate's data will be erased once that mail has gone.",
                "Erasure requested: %(num)d interviews were cancelled and their panels are being "
                "told; the candidate's data will be erased once that mail has gone.",
                len(cancelled)), "success")
            return redirect(url_for(".application", application_id=application.id))
    return render_template("coordinator/erase_candidate.html", form=form,
                           application=application, candidate=candidate,
                           interviews=live_interviews(candidate, now),
                           applications=sorted(candidate.applications, key=lambda a: a.id))
