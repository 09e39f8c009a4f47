"""Coordinator pages: requisitions, candidates and applications (admins may use them too).

One view module per task, each registering its routes on `bp`: application_list (the home:
the applications list and its CSV export), applications (new candidate, an application's page), candidates (a candidate's details, another
requisition, their failed mail), candidate_exports (everything held about a candidate, as JSON
and as a page), booking (book, reschedule, cancel, swap), board (the calendar
board and its ICS export), feedback (an application's feedback, no-shows, a coding test's
reviewer), scorecard (an application's scorecard and the decisions on it), links (scheduling
links), openings (openings, their details and loops), stages (an opening's stages), calibration
(how interviewers score and agree), outbox (failed mail), pipeline_board (applications per stage,
each card with its state and next actions), overview (the pipeline's figures over a period) and
slots_json (the slot list as JSON); present.py holds the view models they share, board_present.py
the board's drawing, state_present.py an application's state in words. Views leave
the commit to the request's edge (scheduler/web.py).
"""
from __future__ import annotations

from flask import Blueprint

from scheduler.coordinator.present import refusal_message
from scheduler.web import handle_refusals, require_roles

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")
require_roles(bp, "coordinator", "admin")
# A refusal no view answers itself: flashed in the coordinator's words, back to the page it came
# from (or home).
handle_refusals(bp, "coordinator.home", describe=refusal_message)

# Imported for their routes, which they register on bp.
from scheduler.coordinator import (  # noqa: E402,F401
    application_list, applications, board, booking, calibration, candidate_exports, candidates,
    feedback, history, links, openings, outbox, overview, pipeline_board, scorecard, slots_json,
    stages,
)
