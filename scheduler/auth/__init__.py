"""Staff sign-in, sign-out, own password, language switch, and the per-blueprint role gate."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from scheduler.extensions import login_manager

bp = Blueprint("auth", __name__)


def require_roles(blueprint: Blueprint, *roles: str) -> None:
    """Gate every view of *blueprint*: anonymous visitors go to login, other roles get 403."""

    @blueprint.before_request
    def _check_role():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(*roles):
            abort(403)
        return None


from scheduler.auth import views  # noqa: E402,F401  (registers the routes on bp)
