"""Coordinator views of an application's scorecard and the decisions on it: criteria ×
interviewers with averages and disagreements, recommendations and levels tallied, the stage
history, a printable view, and the decision form on the current stage.

The scorecard reads feedback through services/scorecards.py (and so `visible_feedback`: only
submitted feedback); decisions go through services/decisions.py, which checks, moves the
application and audits. Templates of this blueprint get `decision_summary()` (the offer clock,
the latest decision and the next step) for the application page.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.coordinator import bp
from scheduler.coordinator.access import application_or_404
from scheduler.coordinator.forms import OUTCOME_LABELS, REJECT_REASON_LABELS, DecisionForm
from scheduler.coordinator.present import person_label
from scheduler.extensions import db
from scheduler.models import Application, StageTemplate
from scheduler.services.decisions import (
    DecisionRefused, decision_outcomes, decisions_of, latest_decision, needs_booking,
    offer_clock, record_decision, waiting_for,
)
from scheduler.services.feedback import author_statuses, opening_levels
from scheduler.services.permissions import can_decide
from scheduler.services.scorecards import application_scorecard
from scheduler.web import parse_id, request_now, safe_next, show_refusal, shows_candidate_data


def decision_summary(application: Application) -> dict:
    """Return what the application page shows of decisions: the running offer clock, the
    latest decision, and whether the next step is to book the current stage."""
    return {"clock": offer_clock(application, request_now()),
            "latest": latest_decision(application),
            "needs_booking": needs_booking(application),
            "outcome_labels": OUTCOME_LABELS, "reason_labels": REJECT_REASON_LABELS}


@bp.context_processor
def _decision_summary_context() -> dict:
    return {"decision_summary": decision_summary}


def _offer(form: DecisionForm, application: Application) -> DecisionForm:
    form.offer(decision_outcomes(application) if application.current_stage else [])
    form.stage_id.data = str(application.current_stage_id or "")
    return form


def render_scorecard(application: Application, form: DecisionForm, status: int = 200):
    """Render the scorecard page, with the decision form (as given, errors and all)."""
    if not can_decide(current_user):
        abort(403)
    now = request_now()
    scorecard = application_scorecard(current_user, application)
    stage = application.current_stage
    waiting = (waiting_for(application, stage, now)
               if stage is not None and application.is_open_for_booking else None)
    return render_template(
        "coordinator/scorecard.html", application=application, scorecard=scorecard,
        levels=opening_levels(application), form=_offer(form, application), waiting=waiting,
        decisions=decisions_of(application), now=now, is_print=request.args.get("print") == "1",
        authors={interview.id: [(person_label(s.profile), s)
                                for s in author_statuses(interview)]
                 for interview in scorecard.interviews},
        held={interview.id: interview.is_held(now) for interview in scorecard.interviews},
    ), status


@bp.get("/applications/<int:application_id>/feedback")
@shows_candidate_data("feedback")
def application_feedback(application_id: int):
    """Show an application's scorecard, its history and the decision on its current stage."""
    application = application_or_404(application_id)
    return render_scorecard(application, DecisionForm(formdata=None))


@bp.post("/applications/<int:application_id>/decisions")
def decide(application_id: int):
    """Record a decision on the application's current stage and move the application."""
    application = application_or_404(application_id)
    form = _offer(DecisionForm(), application)
    posted_stage = parse_id(request.form.get("stage_id"))
    if not form.validate_on_submit():
        return render_scorecard(application, form, 400)
    stage = db.session.get(StageTemplate, posted_stage) if posted_stage is not None else None
    if stage is None or stage.requisition_id != application.requisition_id:
        abort(404)
    try:
        decision = record_decision(
            current_user, application, stage, outcome=form.outcome.data or "",
            reason_code=form.reason_code.data or None, note=form.note.data or "",
            is_override=form.is_override.data,
            override_reason=form.override_reason.data or "",
            tell_candidate=form.tell_candidate.data, now=request_now())
    except DecisionRefused as error:
        show_refusal(form, error)
        return render_scorecard(application, form, 422)
    flash(_("Decision recorded: %(outcome)s.", outcome=OUTCOME_LABELS[decision.outcome]),
          "success")
    # A decision taken elsewhere (a card on the pipeline board) goes back there.
    return redirect(safe_next(request.form.get("next"))
                    or url_for(".application", application_id=application.id) + "#decision")
