"""Interviewer pages: the signed-in interviewer's upcoming interviews and the feedback they owe,
"I can't make it", the feedback form of an interview, and marking a no-show.

One role check for the blueprint (interviewers only); who may decline which interview, who
writes feedback on it and whose feedback they may read are object checks in
scheduler/services/permissions.py. The availability pages, which coordinators
open too, are their own blueprint (scheduler/availability/).
"""
from __future__ import annotations

from flask import Blueprint

from scheduler.web import handle_refusals, require_roles

bp = Blueprint("interviewer", __name__, url_prefix="/interviewer")
require_roles(bp, "interviewer")
handle_refusals(bp, "interviewer.home")

# Imported for their routes, which they register on bp.
from scheduler.interviewer import feedback, no_shows, views  # noqa: E402,F401
