"""Public pages anyone may read without signing in or a link: the candidates' privacy notice."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/privacy")

from scheduler.public import views  # noqa: E402,F401  (registers the routes on bp)
