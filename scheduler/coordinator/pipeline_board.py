"""The pipeline board (issue 20): an opening's applications as columns, one per stage, each card
with its state and the actions that move it on — send a link, book, open the scorecard, record
a decision. The actions are the existing routes (links.py `send_link`, the application page's
times to book, scorecard.py `application_feedback` and `decide`), which come back here through
`next`; the board adds none of its own. On a phone the columns scroll sideways inside their box.

Its GET form lives here, as the links' forms live in links.py (forms.py is at its size limit),
with the choice of one opening that the overview's form shares.
"""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from scheduler.coordinator import bp
from scheduler.coordinator.links import SCOPE_STAGE
from scheduler.coordinator.state_present import describe_state
from scheduler.extensions import db
from scheduler.i18n import (
    APPLICATION_STATE_LABELS, APPLICATION_STATUS_LABELS, current_language, localized,
)
from scheduler.models import Requisition
from scheduler.services.decisions import decision_outcomes
from scheduler.services.links import DEFAULT_VALID_DAYS
from scheduler.services.openings import openings_seen_by
from scheduler.services.pipeline import ApplicationCriteria, candidate_zones
from scheduler.services.pipeline_board import pipeline_board
from scheduler.web import request_now, shows_candidate_data

class OneOpening:
    """An opening to show, from every opening (the first offered unless another is chosen)."""

    def set_openings(self, requisitions) -> None:
        """Offer every opening, by title in the viewer's language (the first is the default)."""
        self.opening.choices = [SelectChoice(str(r.id), localized(r, "title"))
                                for r in requisitions]

    def chosen_opening(self) -> int | None:
        """Return the chosen opening's id: an unknown or missing one is the first offered."""
        ids = [choice.value for choice in self.opening.choices]
        value = self.opening.data if self.opening.data in ids else (ids[0] if ids else "")
        self.opening.data = value
        return int(value) if value else None


class PipelineBoardForm(OneOpening, FlaskForm):
    """Which opening's applications the pipeline board shows, searched and filtered as the list
    is (GET; the view fills the choices). A refused value is said beside its field and counts
    as not given."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    opening = SelectField(_l("Opening"), default="", validate_choice=False)
    q = StringField(_l("Name, email or phone"), validators=[
        Optional(), Length(max=100, message=_l("Use at most %(max)d characters."))])
    status = SelectField(_l("Status"), default="", choices=[])
    state = SelectField(_l("State"), default="", choices=[])
    zone = SelectField(_l("Candidate's time zone"), default="", choices=[])
    submit = SubmitField(_l("Show"))

    def offer(self, requisitions, zones) -> None:
        """Fill the choices: every opening, the list's statuses, states and candidates' zones."""
        self.set_openings(requisitions)
        self.status.choices = [SelectChoice("", _l("Still in the process"))] + [
            SelectChoice(code, label) for code, label in APPLICATION_STATUS_LABELS.items()]
        self.state.choices = [SelectChoice("", _l("Any state"))] + [
            SelectChoice(code, label) for code, label in APPLICATION_STATE_LABELS.items()]
        self.zone.choices = [SelectChoice("", _l("Any time zone"))] + [
            SelectChoice(zone, zone) for zone in zones]

    def criteria(self) -> ApplicationCriteria:
        """Return the list's criteria for what is asked (refused values count as not given)."""
        def value(field):
            return "" if field.errors else (field.data or "")

        return ApplicationCriteria(text=value(self.q).strip(), status=value(self.status),
                                   state=value(self.state), zone=value(self.zone))


# States whose next step is to get the current stage booked.
TO_BOOK = ("needs_scheduling", "link_sent")
# States that wait on a decision (or may take one now).
TO_DECIDE = ("decision_needed", "feedback_pending", "on_hold", "offer")


def card_actions(card, board_url: str) -> dict:
    """Return what a card offers: send a link and book while its stage is to be booked, a quick
    "advance" once a decision is due, the scorecard always."""
    application, state = card.application, card.state
    stage = application.current_stage
    is_open = application.is_open_for_booking
    to_book = is_open and stage is not None and stage.is_schedulable and state.kind in TO_BOOK
    outcomes = decision_outcomes(application) if is_open and stage is not None else []
    return {
        "send_link": to_book and (state.kind == "needs_scheduling"
                                  or state.link_status == "expired"),
        "book_url": (url_for(".application", application_id=application.id) + "#slots-heading"
                     if to_book else ""),
        "advance": state.kind == "decision_needed" and "advance" in outcomes,
        "decide_url": (url_for(".application_feedback", application_id=application.id)
                       + "#decision" if outcomes and state.kind in TO_DECIDE else ""),
        "scorecard_url": url_for(".application_feedback", application_id=application.id),
        "next": board_url,
    }


@bp.get("/pipeline")
@shows_candidate_data("pipeline")
def pipeline():
    """Show an opening's applications per stage, each with its state and next actions."""
    form = PipelineBoardForm(request.args)
    form.offer(openings_seen_by(current_user), candidate_zones())
    form.validate()
    opening_id = form.chosen_opening()
    now, zone = request_now(), current_user.zone
    board = (pipeline_board(current_user, db.session.get(Requisition, opening_id),
                            form.criteria(), now, language=current_language())
             if opening_id is not None else None)
    board_url = request.full_path.rstrip("?")
    return render_template(
        "coordinator/pipeline.html", form=form, board=board, now=now,
        is_filtered=any(form[name].data for name in ("q", "status", "state", "zone")),
        describe=lambda state: describe_state(state, zone, now),
        actions=(lambda card: card_actions(card, board_url)), link_scope=SCOPE_STAGE,
        link_days=DEFAULT_VALID_DAYS)
