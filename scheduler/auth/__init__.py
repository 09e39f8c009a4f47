"""Staff sign-in, sign-out, own password and the language switch."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)


from scheduler.auth import views  # noqa: E402,F401  (registers the routes on bp)
