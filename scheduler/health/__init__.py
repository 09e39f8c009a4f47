"""The health check a load balancer or monitor polls: no login, no rate limit, no details."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("health", __name__)

from scheduler.health import views  # noqa: E402,F401  (registers the routes on bp)
