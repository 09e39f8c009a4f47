"""Coordinator pages: requisitions, candidates and applications (admins may use them too)."""
from __future__ import annotations

from flask import Blueprint

from scheduler.web import require_roles

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")
require_roles(bp, "coordinator", "admin")

from scheduler.coordinator import views  # noqa: E402,F401  (registers the routes on bp)
from scheduler.coordinator import links  # noqa: E402,F401  (scheduling-link routes)
from scheduler.coordinator import history  # noqa: E402,F401  (an application's own history)
