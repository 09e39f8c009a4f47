"""Interviewer pages: their upcoming interviews; and availability pages for interviewers and coordinators.

Two blueprints, each with one role check: `interviewer` (interviewers only) and `availability`
("My availability": interviewers, coordinators and admins). Which interviewer's availability a
person may open is an object check in scheduler/services/working_hours.py (their own, or anyone's
for coordinators and admins).
"""
from __future__ import annotations

from flask import Blueprint

from scheduler.web import require_roles

bp = Blueprint("interviewer", __name__, url_prefix="/interviewer")
require_roles(bp, "interviewer")

availability_bp = Blueprint("availability", __name__, url_prefix="/availability")
require_roles(availability_bp, "interviewer", "coordinator", "admin")

from scheduler.interviewer import availability, views  # noqa: E402,F401  (registers the routes)
