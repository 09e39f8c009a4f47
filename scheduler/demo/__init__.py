"""The demo: the hiring process of DESIGN.md §2 (people.py), its calendars imported through the
real importer (team_calendars.py), a few decisions and an offer clock (decisions.py), and
load_demo() that puts them in the database (load.py)."""
from __future__ import annotations

from scheduler.demo.load import load_demo
from scheduler.demo.people import CANDIDATES, DEMO_LOGINS, DEMO_PASSWORD, INTERVIEWERS, STAGES

__all__ = ["CANDIDATES", "DEMO_LOGINS", "DEMO_PASSWORD", "INTERVIEWERS", "STAGES", "load_demo"]
