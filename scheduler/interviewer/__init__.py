"""Interviewer pages: their upcoming interviews (later: hours, calendars, feedback)."""
from __future__ import annotations

from flask import Blueprint

from scheduler.auth import require_roles

bp = Blueprint("interviewer", __name__, url_prefix="/interviewer")
require_roles(bp, "interviewer")

from scheduler.interviewer import views  # noqa: E402,F401  (registers the routes on bp)
