"""Coordinator views of mail that could not be sent: the list of failed emails, and "send again".

Each failure is said in the coordinator's language (what kind of problem, what to do); the mail
server's own words, usually English, stay one click away for whoever fixes the cause.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler.coordinator import bp
from scheduler.coordinator.access import message_or_404
from scheduler.coordinator.forms import ResendForm
from scheduler.extensions import db
from scheduler.models import Interview
from scheduler.services.outbox import (
    FAILURE_AUTH, FAILURE_CONNECTION, FAILURE_OTHER, FAILURE_RECIPIENT, FAILURE_TOO_LARGE,
    MAX_ATTEMPTS, failed_messages, failure_kind, resend_message,
)
from scheduler.web import request_now, shows_candidate_data

FAILURE_SUMMARIES = {
    FAILURE_RECIPIENT: _l(
        "The receiving mail server refused the address: it may be mistyped, or the mailbox may "
        "not exist or be full. Check the address with the person."),
    FAILURE_AUTH: _l(
        "Our mail server did not let the app sign in. Whoever runs the app should check the "
        "mail account's user name and password (SMTP_URL)."),
    FAILURE_CONNECTION: _l(
        "Our mail server could not be reached (the connection was refused or timed out). "
        "Whoever runs the app should check that it is up and that SMTP_URL names it."),
    FAILURE_TOO_LARGE: _l("The message was too large for the mail server."),
    FAILURE_OTHER: _l(
        "The mail server refused the message. Its answer, below, says why."),
}


@bp.get("/outbox")
@shows_candidate_data("outbox")
def outbox():
    """List the emails that failed after their last try, each with why and "send again"."""
    messages = failed_messages(current_user)
    applications = dict(db.session.execute(
        sa.select(Interview.id, Interview.application_id).where(
            Interview.id.in_({m.interview_id for m in messages if m.interview_id}))).all())
    summaries = {m.id: FAILURE_SUMMARIES[failure_kind(m.last_error)]
                 for m in messages}
    return render_template("coordinator/outbox.html", messages=messages, form=ResendForm(),
                           applications=applications, summaries=summaries,
                           max_attempts=MAX_ATTEMPTS)


@bp.post("/outbox/<int:message_id>/resend")
def resend(message_id: int):
    """Put a failed email back in the queue."""
    form = ResendForm()
    message = message_or_404(message_id)
    if not form.validate_on_submit():
        abort(400)
    if message.failed_at is None:
        flash(_("This message is already queued or sent."), "info")
    else:
        resend_message(current_user, message, request_now())
        flash(_("The message to %(to)s will be sent again shortly.", to=message.to_addr),
              "success")
    return redirect(url_for(".outbox"))
