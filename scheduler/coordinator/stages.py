"""Coordinator views: an opening's stages — add one, edit one, move it up or down, remove it.

Moving works without JavaScript: each stage on the opening's page has an up and a down button,
each a small form. Removing asks first, on a page that says whether the stage will be deleted or
kept for history (archived), or why it cannot be removed yet. The rules are the stages service's
(services/stages.py); a refusal is shown beside its field or flashed, and nothing is saved.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.coordinator import bp
from scheduler.coordinator.forms import StageForm, StageMoveForm, StageRemoveForm
from scheduler.extensions import db
from scheduler.i18n import localized
from scheduler.models import Requisition, StageTemplate
from scheduler.services.stages import (
    StageError, create_stage, move_stage, new_stage_defaults, remove_stage, removal_plan,
    update_stage,
)
from scheduler.web import flash_refusal, request_now, show_refusal


def _live_stage(requisition_id: int, stage_id: int) -> StageTemplate:
    """Return the opening's live stage, or answer 404 (an archived stage cannot be changed)."""
    stage = db.get_or_404(StageTemplate, stage_id)
    if stage.requisition_id != requisition_id or stage.archived_at is not None:
        abort(404)
    return stage


def _back(requisition_id: int):
    return redirect(url_for(".opening", requisition_id=requisition_id))


@bp.route("/openings/<int:requisition_id>/stages/new", methods=["GET", "POST"])
def new_stage(requisition_id: int):
    """Add a stage at the end of the opening's process."""
    requisition = db.get_or_404(Requisition, requisition_id)
    form = StageForm(data=new_stage_defaults())
    if form.validate_on_submit():
        try:
            stage = create_stage(current_user, requisition, form.details(), request_now())
        except StageError as error:
            show_refusal(form, error)
        else:
            flash(_("Stage %(name)s added.", name=localized(stage)), "success")
            return _back(requisition_id)
    return render_template("coordinator/stage_form.html", form=form, requisition=requisition,
                           stage=None)


@bp.route("/openings/<int:requisition_id>/stages/<int:stage_id>", methods=["GET", "POST"])
def edit_stage(requisition_id: int, stage_id: int):
    """Change a stage's details."""
    stage = _live_stage(requisition_id, stage_id)
    form = StageForm(obj=stage)
    if form.validate_on_submit():
        try:
            update_stage(current_user, stage, form.details(), request_now())
        except StageError as error:
            show_refusal(form, error)
        else:
            flash(_("Stage %(name)s saved.", name=localized(stage)), "success")
            return _back(requisition_id)
    return render_template("coordinator/stage_form.html", form=form,
                           requisition=stage.requisition, stage=stage)


@bp.post("/openings/<int:requisition_id>/stages/<int:stage_id>/move")
def move_stage_view(requisition_id: int, stage_id: int):
    """Move a stage one place up or down."""
    stage = _live_stage(requisition_id, stage_id)
    form = StageMoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        move_stage(current_user, stage, form.direction.data, request_now())
    except StageError as error:
        flash_refusal(error.message)
    else:
        flash(_("%(name)s is now stage %(position)d.", name=localized(stage),
                position=stage.position), "success")
    return _back(requisition_id)


@bp.route("/openings/<int:requisition_id>/stages/<int:stage_id>/remove",
          methods=["GET", "POST"])
def remove_stage_view(requisition_id: int, stage_id: int):
    """Ask, then remove a stage: deleted, or archived when past interviews or links use it."""
    stage = _live_stage(requisition_id, stage_id)
    form = StageRemoveForm()
    now = request_now()
    if form.validate_on_submit():
        name = localized(stage)
        try:
            plan = remove_stage(current_user, stage, now)
        except StageError as error:
            flash_refusal(error.message)
        else:
            flash(_("Stage %(name)s removed; it is kept for the history of its past interviews.",
                    name=name) if plan.is_archived
                  else _("Stage %(name)s removed.", name=name), "success")
            return _back(requisition_id)
    return render_template("coordinator/stage_remove.html", stage=stage, form=form,
                           plan=removal_plan(stage, now))
