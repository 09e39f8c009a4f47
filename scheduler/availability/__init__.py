"""The availability pages ("My availability"): working hours, zone, time off, busy time, calendars,
the calendar feed and the week, for interviewers, coordinators and admins.

One role check for the blueprint; which interviewer's availability a person may open is an
object check in scheduler/services/permissions.py (their own, or anyone's for coordinators and
admins; the list of interviewers and their profiles are for coordinators and admins only). Routes
are in views.py (one interviewer's availability) and interviewers.py (the list, the profiles),
forms in forms.py, the week's drawing in present.py.
"""
from __future__ import annotations

from flask import Blueprint

from scheduler.web import handle_refusals, require_roles

bp = Blueprint("availability", __name__, url_prefix="/availability")
require_roles(bp, "interviewer", "coordinator", "admin")
handle_refusals(bp, "availability.mine")

from scheduler.availability import interviewers, views  # noqa: E402,F401  (registers the routes)
