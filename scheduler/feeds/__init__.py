"""Calendar feeds: secret per-interviewer ICS URLs that calendar apps subscribe to (no login)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

from scheduler.feeds import views  # noqa: E402,F401  (registers the route on bp)
