"""Coordinator view of calibration: how each interviewer scores against their panels, and how far
panels agree on each criterion (issue 18; the maths in scheduler/domain/calibration.py)."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from scheduler.coordinator import bp
from scheduler.coordinator.forms import CalibrationFilterForm
from scheduler.i18n import current_language
from scheduler.services.calibration import PERIODS, build_calibration
from scheduler.services.openings import list_openings
from scheduler.web import request_now


@bp.get("/calibration")
def calibration():
    """Show each interviewer's scoring and each criterion's agreement, for an opening and a
    period."""
    form = CalibrationFilterForm(request.args)
    form.set_openings(list_openings())
    period = form.period.data if form.period.data in PERIODS else "all"
    report = build_calibration(current_user, request_now(), current_language(),
                               requisition_id=form.chosen_opening(), period=period)
    return render_template("coordinator/calibration.html", form=form, report=report)
