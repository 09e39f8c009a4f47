"""Shared set-up for booking tests: an office, interviewers, a stage, applications.

Times are picked relative to the frozen `NOW` by their property, never by calendar date:
`WORKDAY_10` is 10:00 Beijing on the first Monday–Friday CN workday on which 10:00 is more
than 24 hours away, so a booking there gets both its 24-hour and its 1-hour reminders, the day
has room for the 08:30–16:00 times the tests try around it, and it lies well inside every
stage's 14-day horizon.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from scheduler.extensions import db
from tests import factories as f
from tests.clock import NOW, at_local, local_today, workday_after

DAY = timedelta(days=1)


def _is_weekday_workday(day) -> bool:
    """True when *day* is a Monday–Friday CN workday (the booking world's interviewers' days)."""
    return workday_after((day - local_today()).days, weekdays_only=True) == day


def first_workday_at(clock: str = "10:00", *, more_than: timedelta = timedelta(hours=24),
                     next_day_too: bool = False) -> datetime:
    """Return *clock* Beijing time on the first Monday–Friday CN workday on which it is more
    than *more_than* after NOW; with *next_day_too*, the day after must be such a workday too.
    """
    days = 0
    while True:
        day = workday_after(days, weekdays_only=True)
        start = at_local(day, clock)
        if start - NOW > more_than and (not next_day_too or _is_weekday_workday(day + DAY)):
            return start
        days = (day - local_today()).days + 1


# 10:00 Beijing on the first Monday–Friday workday more than 24 hours away.
WORKDAY_10 = first_workday_at("10:00")


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
