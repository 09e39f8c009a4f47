"""Coordinator views of mail that could not be sent: the list of failed emails, and "send again"."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.coordinator import bp
from scheduler.coordinator.forms import ResendForm
from scheduler.extensions import db
from scheduler.models import Interview, OutboxMessage
from scheduler.services.outbox import failed_messages, resend_message
from scheduler.web import request_now


@bp.get("/outbox")
def outbox():
    """List the emails that failed after their last try, each with "send again"."""
    messages = failed_messages()
    applications = dict(db.session.execute(
        sa.select(Interview.id, Interview.application_id).where(
            Interview.id.in_({m.interview_id for m in messages if m.interview_id}))).all())
    return render_template("coordinator/outbox.html", messages=messages, form=ResendForm(),
                           applications=applications)


@bp.post("/outbox/<int:message_id>/resend")
def resend(message_id: int):
    """Put a failed email back in the queue."""
    form = ResendForm()
    message = db.get_or_404(OutboxMessage, message_id)
    if not form.validate_on_submit():
        abort(400)
    if message.failed_at is None:
        flash(_("This message is already queued or sent."), "info")
    else:
        resend_message(current_user, message, request_now())
        flash(_("The message to %(to)s will be sent again shortly.", to=message.to_addr),
              "success")
    return redirect(url_for(".outbox"))
