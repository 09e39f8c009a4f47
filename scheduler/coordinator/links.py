"""Coordinator actions on candidate scheduling links: send one for a stage or a loop, revoke, resend.

A link is for the application's current stage alone (the default) or for the opening's loop from
it, offered only when there is one: two choices, and the links service refuses anything else.

These routes sit on the coordinator blueprint (so its role gate applies) in a module of their
own. templates/coordinator/_links.html is the panel an application page includes: it needs only
`application` in its context and calls `link_panel(application)`, which this module provides to
the blueprint's templates. /coordinator/applications/<id>/links shows the panel on its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from scheduler.coordinator import bp
from scheduler.coordinator.access import application_or_404, link_or_404
from scheduler.coordinator.present import problem_texts, refusal_message
from scheduler.i18n import localized
from scheduler.models import Application, Interview, SchedulingLink
from scheduler.services.booking import loop_stages
from scheduler.services.link_booking import judge_proposals
from scheduler.services.links import (
    DEFAULT_VALID_DAYS, MAX_BREAK_MINUTES, LinkError, create_link, link_interviews, link_stages,
    link_state, links_for_application, proposal, resend_link, revoke_link, stages_for_link,
)
from scheduler.web import flash_refusal, iso_utc, request_now, safe_next, shows_candidate_data

LINK_STATE_LABELS = {
    "sent": _l("Sent"),
    "opened": _l("Opened"),
    "booked": _l("Time booked"),
    "cancelled": _l("Booking cancelled"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
}


SCOPE_STAGE, SCOPE_LOOP = "stage", "loop"


class SendLinkForm(FlaskForm):
    """Send a scheduling link for the current stage, or for the opening's loop from it."""

    scope = RadioField(_l("The link is for"), default=SCOPE_STAGE,
                       choices=[SelectChoice(SCOPE_STAGE, _l("The current stage")),
                                SelectChoice(SCOPE_LOOP, _l("The loop"))],
                       validators=[InputRequired(_l("Choose what the link is for."))])
    break_minutes = IntegerField(_l("Break between loop stages (minutes)"),
                                 validators=[Optional(), NumberRange(0, MAX_BREAK_MINUTES)])
    valid_days = IntegerField(_l("Days to choose a time"), default=DEFAULT_VALID_DAYS,
                              validators=[NumberRange(1, 60)])
    next = HiddenField()
    submit = SubmitField(_l("Send link"))


class LinkActionForm(FlaskForm):
    """Revoke or resend a link (a button with a CSRF token)."""

    next = HiddenField()


@dataclass(frozen=True)
class LinkRow:
    """One link as the coordinator sees it."""

    link: SchedulingLink
    state: str
    state_label: str
    stage_names: str
    interviews: list[Interview]
    proposal: object
    is_active: bool
    proposed: list = ()


PROPOSAL_REASONS = {
    "outside_working_hours": _l("Not offered: outside the interviewers' working hours."),
    "nobody_free": _l("Not offered: not enough qualified interviewers are free then."),
}


def proposed_actions(link: SchedulingLink, now) -> list[dict]:
    """Return each proposed time with its "book this" address (the confirm page) when the engine
    offers it, else the reason it does not and the slot list to pick from instead."""
    plan = SCOPE_LOOP if len(link.stage_ids) > 1 else SCOPE_STAGE
    application_id = link.application_id
    actions = []
    for judged in judge_proposals(link, now):
        if judged.is_offered:
            why = ""
        elif judged.reason == "time":
            why = " ".join(problem_texts(judged.problems, link_stages(link)))
        else:
            why = str(PROPOSAL_REASONS[judged.reason])
        actions.append({
            "start_at": judged.start_at, "is_offered": judged.is_offered, "why": why,
            "book_url": url_for(".book", application_id=application_id,
                                start=iso_utc(judged.start_at), plan=plan,
                                brk=link.break_minutes) if judged.is_offered else "",
            "slots_url": url_for(".application", application_id=application_id, plan=plan,
                                 brk=link.break_minutes)})
    return actions


def link_panel(application: Application) -> dict:
    """Return what _links.html shows: the application's links and the forms to act on them."""
    now = request_now()
    rows = []
    for link in links_for_application(application):
        state = link_state(link, now)
        rows.append(LinkRow(
            link=link, state=state, state_label=str(LINK_STATE_LABELS[state]),
            stage_names=_(", ").join(localized(s) for s in link_stages(link)),
            interviews=link_interviews(link), proposal=proposal(link),
            is_active=state not in ("revoked",), proposed=proposed_actions(link, now)))
    form = SendLinkForm(formdata=None)
    current = application.current_stage
    loop = loop_stages(application)
    form.scope.choices = [SelectChoice(SCOPE_STAGE, _("The current stage: %(stage)s",
                                                      stage=localized(current) if current else "—"))]
    if loop:
        form.scope.choices.append(SelectChoice(SCOPE_LOOP, _(
            "The loop: %(stages)s, back to back on one day",
            stages=" + ".join(localized(stage) for stage in loop))))
    form.break_minutes.data = application.requisition.loop_break_minutes
    return {"rows": rows, "send_form": form, "action_form": LinkActionForm(formdata=None),
            "next": request.full_path.rstrip("?"), "now": now,
            "is_open": application.is_open_for_booking, "has_loop": bool(loop)}


@bp.context_processor
def _link_panel_context() -> dict:
    return {"link_panel": link_panel}


def _back(application_id: int, target: str | None):
    return redirect(safe_next(target) or url_for("coordinator.application_links",
                                                  application_id=application_id))


@bp.get("/applications/<int:application_id>/links")
@shows_candidate_data("links")
def application_links(application_id: int):
    """Show an application's scheduling links with their state and actions."""
    application = application_or_404(application_id)
    return render_template("coordinator/application_links.html", application=application)


@bp.post("/applications/<int:application_id>/links")
def send_link(application_id: int):
    """Send a new scheduling link for the chosen stage(s)."""
    application = application_or_404(application_id)
    form = SendLinkForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return _back(application_id, form.next.data)
    now = request_now()
    is_loop = form.scope.data == SCOPE_LOOP
    break_minutes = form.break_minutes.data
    if break_minutes is None:
        break_minutes = application.requisition.loop_break_minutes
    try:
        create_link(current_user, application, stages_for_link(application, as_loop=is_loop),
                    break_minutes if is_loop else 0, now + timedelta(days=form.valid_days.data),
                    now)
    except LinkError as error:
        flash_refusal(refusal_message(error))
        return _back(application_id, form.next.data)
    flash(_("Scheduling link sent to %(email)s.", email=application.candidate.email), "success")
    return _back(application_id, form.next.data)


@bp.post("/links/<int:link_id>/revoke", endpoint="revoke_link")
def revoke_link_view(link_id: int):
    """Turn a scheduling link off."""
    link = link_or_404(link_id)
    form = LinkActionForm()
    if not form.validate_on_submit():
        abort(400)
    revoke_link(current_user, link, request_now())
    flash(_("The link is revoked: it no longer opens."), "success")
    return _back(link.application_id, form.next.data)


@bp.post("/links/<int:link_id>/resend", endpoint="resend_link")
def resend_link_view(link_id: int):
    """Email a new link in place of the old one (which stops working)."""
    link = link_or_404(link_id)
    form = LinkActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        resend_link(current_user, link, request_now())
    except LinkError as error:
        flash_refusal(refusal_message(error))
        return _back(link.application_id, form.next.data)
    flash(_("A new link was sent to %(email)s; the old one no longer opens.",
            email=link.application.candidate.email), "success")
    return _back(link.application_id, form.next.data)
