"""Coordinator views: openings (requisitions) — the list, adding one, editing its details, and its
page with the ordered stages, their loops and the stages kept for history.

Stage pages (add, edit, move, remove) are coordinator/stages.py. The services check every value
(services/openings.py, services/stages.py): a refusal is shown beside its field, the input stays
in the form, and nothing is saved (the request's edge rolls back).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from scheduler.coordinator import bp
from scheduler.coordinator.forms import LoopForm, OpeningForm, StageMoveForm
from scheduler.extensions import db
from scheduler.i18n import localized
from scheduler.models import Requisition
from scheduler.services.offices import list_offices
from scheduler.services.openings import (
    OpeningError, active_coordinators, coordinators_to_tell, create_opening, list_openings,
    update_opening,
)
from scheduler.services.stages import StageError, archived_stages, loops_of, set_loops
from scheduler.web import request_now, show_refusal

# Empty level rows offered below the existing ones, to add levels without JavaScript.
EMPTY_LEVEL_ROWS = 2


@bp.get("/openings")
def openings():
    """List the openings with their levels, offices, coordinators and stages."""
    return render_template("coordinator/openings.html", openings=list_openings())


def _opening_form(requisition: Requisition | None) -> OpeningForm:
    """Return the details form with its choices; on first display, filled from *requisition*
    (a new opening has every active coordinator ticked)."""
    form = OpeningForm(obj=requisition)
    form.office_ids.choices = [SelectChoice(office.id, f"{localized(office)} ({office.code})")
                               for office in list_offices()]
    coordinators = active_coordinators()
    former = [user for user in (requisition.coordinators if requisition else [])
              if user not in coordinators]
    form.coordinator_ids.choices = (
        [SelectChoice(user.id, user.name) for user in coordinators]
        + [SelectChoice(user.id, _("%(name)s (no longer an active coordinator)", name=user.name))
           for user in former])
    if not form.is_submitted():
        if requisition is None:
            form.coordinator_ids.data = [user.id for user in coordinators]
            form.levels.append_entry()
        else:
            form.office_ids.data = [office.id for office in requisition.offices]
            form.coordinator_ids.data = [user.id for user in requisition.coordinators]
        for _row in range(EMPTY_LEVEL_ROWS):
            form.levels.append_entry()
    return form


@bp.route("/openings/new", methods=["GET", "POST"])
def new_opening():
    """Add an opening (its stages are added on its page)."""
    form = _opening_form(None)
    if form.validate_on_submit():
        try:
            requisition = create_opening(current_user, form.details(), request_now())
        except OpeningError as error:
            show_refusal(form, error)
        else:
            flash(_("Opening %(title)s added. Now add its stages.",
                    title=localized(requisition, "title")), "success")
            return redirect(url_for(".opening", requisition_id=requisition.id))
    return render_template("coordinator/opening_form.html", form=form, requisition=None)


@bp.route("/openings/<int:requisition_id>/edit", methods=["GET", "POST"])
def edit_opening(requisition_id: int):
    """Change an opening's details."""
    requisition = db.get_or_404(Requisition, requisition_id)
    form = _opening_form(requisition)
    if form.validate_on_submit():
        try:
            update_opening(current_user, requisition, form.details(), request_now())
        except OpeningError as error:
            show_refusal(form, error)
        else:
            flash(_("Opening %(title)s saved.", title=localized(requisition, "title")),
                  "success")
            return redirect(url_for(".opening", requisition_id=requisition.id))
    return render_template("coordinator/opening_form.html", form=form, requisition=requisition)


def _loop_form(requisition: Requisition, formdata=None) -> LoopForm:
    """Return the loops form: a box per stage that has a next one."""
    form = LoopForm(formdata=formdata)
    stages = list(requisition.stages)
    numbered = [f"{stage.position}. {localized(stage)}" for stage in stages]
    form.looped.choices = [
        SelectChoice(stage.id, _("%(first)s and %(next)s", first=first, next=after))
        for stage, first, after in zip(stages, numbered, numbered[1:])]
    if formdata is None:
        form.looped.data = [stage.id for stage in stages if stage.is_looped_with_next]
        form.break_minutes.data = requisition.loop_break_minutes
    return form


def render_opening(requisition: Requisition, loop_form: LoopForm | None = None):
    """Render an opening's page: details, stages in order with their actions, loops."""
    return render_template(
        "coordinator/opening.html", requisition=requisition, stages=list(requisition.stages),
        loops=loops_of(requisition), archived=archived_stages(requisition),
        told=coordinators_to_tell(requisition), move_form=StageMoveForm(),
        loop_form=loop_form or _loop_form(requisition))


@bp.get("/openings/<int:requisition_id>")
def opening(requisition_id: int):
    """Show an opening with its stages in order and its loops."""
    return render_opening(db.get_or_404(Requisition, requisition_id))


@bp.post("/openings/<int:requisition_id>/loops")
def opening_loops(requisition_id: int):
    """Set which stages are booked back to back, and the default break."""
    requisition = db.get_or_404(Requisition, requisition_id)
    form = _loop_form(requisition, request.form)
    if form.validate_on_submit():
        try:
            set_loops(current_user, requisition, form.looped.data or [],
                      form.break_minutes.data, request_now())
        except StageError as error:
            show_refusal(form, error)
        else:
            flash(_("Loops saved."), "success")
            return redirect(url_for(".opening", requisition_id=requisition.id))
    return render_opening(requisition, form)
