"""Candidate pages: a private scheduling link (no login) to pick, move or cancel a time."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("candidate", __name__, url_prefix="/schedule")

from scheduler.candidate import views  # noqa: E402,F401  (registers the routes on bp)
