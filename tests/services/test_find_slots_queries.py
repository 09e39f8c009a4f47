"""find_slots reads the database in a fixed number of statements, whatever the pool size.

Each interviewer has working windows, busy blocks, time off, extra hours and booked interviews,
and the office calendar has overrides: everything load_calendars reads. The statements are
counted with a SQLAlchemy event listener while the pool grows from 5 to 40 interviewers.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import time, timedelta

import sqlalchemy as sa

from scheduler.models import Application
from scheduler.services.slot_search import find_slots
from tests import factories as f
from tests.clock import local_today, weekday_on_or_after, workdays_after

# Far fewer than one per interviewer: a query per interviewer would show at 5 already.
MAX_STATEMENTS = 16
# Dates inside the 14-day horizon, picked relative to NOW: a Beijing workday taken off, a
# Saturday with extra hours, a Beijing workday the office closes and a London Sunday it works.
TIME_OFF_DAY, OFFICE_CLOSED_DAY = workdays_after(1, count=2)
SATURDAY = weekday_on_or_after(local_today() + timedelta(days=1), 5)
LONDON_SUNDAY = SATURDAY + timedelta(days=1)


@contextmanager
def counted_statements(db):
    """Collect every SQL statement the engine sends inside the block."""
    statements: list[str] = []

    def listener(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


def add_interviewers(count, offices, application, now):
    """Add *count* interviewers with everything that feeds the engine."""
    for n in range(count):
        office = offices[n % len(offices)]
        person = f.make_interviewer(
            office=office, daily_cap=2, weekly_cap=6,
            qualifications={"system_design": "senior" if n % 3 == 0 else "qualified",
                            "project_deep_dive": "qualified"},
            windows=((0, 5), time(9, 30), time(18, 30)))
        source = f.make_calendar_source(person, kind="file", name="Work")
        for day in range(3):
            start_at = now + timedelta(days=day, hours=2 + n % 5)
            f.make_busy_block(source, start_at, start_at + timedelta(minutes=45), summary="Meeting")
        f.make_availability_override(person, TIME_OFF_DAY)
        f.make_availability_override(person, SATURDAY, is_available=True,
                                     start_local=time(10), end_local=time(12))
        f.make_interview(application=application, panel=[person],
                         start_at=now + timedelta(days=1 + n % 4, hours=3),
                         stage=application.requisition.stages[1], status="completed")


def measure(db, application_id, now):
    """Return the number of statements of a one-stage search and of a two-stage loop."""
    db.session.commit()
    db.session.expunge_all()  # nothing cached: every row must be read again
    with counted_statements(db) as single:
        application = db.session.get(Application, application_id)
        first = find_slots(application, [application.requisition.stages[0]], now)
    db.session.expunge_all()
    with counted_statements(db) as loop:
        application = db.session.get(Application, application_id)
        stages = application.requisition.stages
        both = find_slots(application, [stages[0], stages[1]], now, break_minutes=15)
    assert first.slots and both.slots  # the searches did real work
    return len(single), len(loop)


def test_find_slots_issues_the_same_few_statements_for_5_and_40_interviewers(db, now):
    offices = [f.make_office(zone="Asia/Shanghai", calendar_key="CN"),
               f.make_office(zone="Europe/London", calendar_key="GB-ENG"),
               f.make_office(zone="Asia/Singapore", calendar_key="SG")]
    requisition = f.make_requisition(stages=[
        dict(kind="system_design", panel_size=2, is_senior_seat_required=True, horizon_days=14,
             min_notice_minutes=0, candidate_day_start=time(0), candidate_day_end=time(23, 59)),
        dict(kind="project_deep_dive", panel_size=1, horizon_days=14, min_notice_minutes=0)])
    application = f.make_application(requisition=requisition)
    f.make_workday_override(OFFICE_CLOSED_DAY, calendar_key="CN", is_workday=False)
    f.make_workday_override(LONDON_SUNDAY, calendar_key="GB-ENG", is_workday=True)

    application_id = application.id
    add_interviewers(5, offices, application, now)
    small = measure(db, application_id, now)
    add_interviewers(35, offices, db.session.get(Application, application_id), now)
    large = measure(db, application_id, now)

    assert small == large
    assert max(small) <= MAX_STATEMENTS
