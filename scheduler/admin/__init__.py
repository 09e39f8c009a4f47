"""Admin pages: the workday overrides of each office calendar (e.g. China's published schedule),
the offices, the staff accounts with their roles, who looked at candidates' data, and the audit
log."""
from __future__ import annotations

from flask import Blueprint

from scheduler.web import handle_refusals, require_roles

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_roles(bp, "admin")
handle_refusals(bp, "admin.workdays")

from scheduler.admin import access, audit, offices, staff, views  # noqa: E402,F401  (registers the routes on bp)
