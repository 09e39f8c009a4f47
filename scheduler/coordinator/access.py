"""Load the object a coordinator's page is about, or answer 404 when they may not see it.

Least access (issue 24 item 4): a coordinator sees the candidates of the openings they coordinate
(`permissions.visible_applications`); to anyone else an application, its candidate and its
interviews are not found, so the pages of another opening's candidate do not even tell that they
exist. Every coordinator view that takes such an id loads it here.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from scheduler.extensions import db
from scheduler.models import Application, Candidate, Interview, OutboxMessage, SchedulingLink
from scheduler.services import permissions


def application_or_404(application_id: int) -> Application:
    """Return the application, or answer 404 unless the signed-in user may see it."""
    application = db.get_or_404(Application, application_id)
    if not permissions.can_see_application(current_user, application):
        abort(404)
    return application


def interview_or_404(interview_id: int) -> Interview:
    """Return the interview, or answer 404 unless the signed-in user may see its application."""
    interview = db.get_or_404(Interview, interview_id)
    if not permissions.can_see_application(current_user, interview.application):
        abort(404)
    return interview


def link_or_404(link_id: int) -> SchedulingLink:
    """Return the scheduling link, or answer 404 unless the signed-in user may see its
    application."""
    link = db.get_or_404(SchedulingLink, link_id)
    if not permissions.can_see_application(current_user, link.application):
        abort(404)
    return link


def candidate_or_404(candidate_id: int) -> Candidate:
    """Return the candidate, or answer 404 unless the signed-in user sees one of their
    applications (admins see every candidate)."""
    candidate = db.get_or_404(Candidate, candidate_id)
    if not permissions.can_see_candidate(current_user, candidate):
        abort(404)
    return candidate


def message_or_404(message_id: int) -> OutboxMessage:
    """Return the outbox message, or answer 404 unless the signed-in user may see it on the
    failed-mail pages (`permissions.visible_messages`)."""
    message = db.get_or_404(OutboxMessage, message_id)
    if not permissions.can_see_message(current_user, message):
        abort(404)
    return message
