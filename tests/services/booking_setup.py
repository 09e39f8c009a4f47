"""Shared set-up for booking tests: an office, interviewers, a stage, applications."""
from __future__ import annotations

from datetime import datetime, time, timezone

from scheduler.extensions import db
from tests import factories as f

# Tuesday 2026-12-01 10:00 in Beijing.
TUESDAY_10 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def booking_world(*, interviewers=3, panel_size=1, duration=60, step=30, daily_cap=None,
                  stages=None, applications=1, senior=False):
    """Make a requisition whose stage(s) need *panel_size* of *interviewers* Beijing staff."""
    office = f.make_office(code="BJ", zone="Asia/Shanghai", calendar_key="CN")
    kinds = {"system_design": "senior" if senior else "qualified",
             "project_deep_dive": "qualified"}
    people = [f.make_interviewer(office=office, qualifications=kinds, daily_cap=daily_cap,
                                 windows=((0, 5), time(9, 0), time(18, 0)))
              for _ in range(interviewers)]
    stage_specs = stages or [dict(kind="system_design", duration_minutes=duration,
                                  panel_size=panel_size, step_minutes=step,
                                  min_notice_minutes=0, horizon_days=14)]
    requisition = f.make_requisition(stages=stage_specs)
    apps = [f.make_application(requisition=requisition,
                               candidate=f.make_candidate(zone="Asia/Shanghai"))
            for _ in range(applications)]
    # Committed, so that a test's rollback after a refused booking keeps the world.
    db.session.commit()
    return people, requisition, apps
