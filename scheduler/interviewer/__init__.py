"""Interviewer pages: the signed-in interviewer's upcoming interviews, and "I can't make it".

One role check for the blueprint (interviewers only); who may decline which interview is an
object check in scheduler/services/permissions.py. The availability pages, which coordinators
open too, are their own blueprint (scheduler/availability/).
"""
from __future__ import annotations

from flask import Blueprint

from scheduler.web import handle_refusals, require_roles

bp = Blueprint("interviewer", __name__, url_prefix="/interviewer")
require_roles(bp, "interviewer")
handle_refusals(bp, "interviewer.home")

from scheduler.interviewer import views  # noqa: E402,F401  (registers the routes)
