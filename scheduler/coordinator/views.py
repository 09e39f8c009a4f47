"""Coordinator views: the overview of requisitions and applications, adding candidates."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.coordinator import bp
from scheduler.coordinator.forms import CandidateForm
from scheduler.extensions import db
from scheduler.i18n import current_language
from scheduler.services.candidates import (
    CandidateInputError, applications_overview, create_candidate_with_application,
    requisitions_with_stages,
)
from scheduler.timeutil import sorted_zone_names, utc_now


@bp.get("/")
def home():
    """Show the requisitions with their stages and every application."""
    return render_template("coordinator/home.html", requisitions=requisitions_with_stages(),
                           applications=applications_overview())


@bp.route("/candidates/new", methods=["GET", "POST"])
def new_candidate():
    """Add a candidate with an application to an open requisition."""
    form = CandidateForm()
    form.offer(requisitions_with_stages(only_open=True))
    if not form.is_submitted():
        form.language.data = current_language()
        form.zone.data = current_user.zone
    if form.validate_on_submit():
        try:
            application = create_candidate_with_application(
                current_user, name=form.name.data, email=form.email.data, phone=form.phone.data,
                zone=form.zone.data, language=form.language.data,
                requisition_id=form.requisition_id.data, level=form.level.data, now=utc_now())
        except CandidateInputError as error:
            db.session.rollback()
            for name, messages in error.errors.items():
                form[name].errors = list(form[name].errors) + messages
        else:
            db.session.commit()
            flash(_("Added %(name)s.", name=application.candidate.name), "success")
            return redirect(url_for("coordinator.home"))
    return render_template("coordinator/new_candidate.html", form=form,
                           zones=sorted_zone_names())
