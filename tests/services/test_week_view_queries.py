"""week_views reads the database in a fixed number of statements, whatever the number of people.

Each interviewer has working windows, imported and manual busy blocks, time off, extra hours and
a scheduled interview (of its own application) in the week, in one of three offices whose calendars have overrides with
notes: everything a week shows. The statements of reading every interviewer's week, and of
touching what the page then shows of each interview, are counted for 2 and for 20 interviewers.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from scheduler.domain.availability import local_date, week_start
from scheduler.domain.intervals import to_epoch
from scheduler.models import InterviewerProfile
from scheduler.services.week_view import week_views
from tests import factories as f
from tests.services.test_find_slots_queries import counted_statements

# A handful, whatever the number of people: one per interviewer would show at 2 already.
MAX_STATEMENTS = 16


def _week_of(now):
    monday = week_start(local_date("Asia/Shanghai", to_epoch(now)))
    # Thursday 02:00 UTC lies in the same local week in Beijing, London and Singapore.
    return monday, datetime.combine(monday + timedelta(days=3), time(2), timezone.utc)


def add_interviewers(count, offices, now):
    """Add *count* interviewers with everything the week view shows."""
    monday, thursday_at = _week_of(now)
    for n in range(count):
        person = f.make_interviewer(office=offices[n % len(offices)],
                                    windows=((0, 5), time(9, 30), time(18, 30)))
        imported = f.make_calendar_source(person, kind="file", name="Work")
        manual = f.make_calendar_source(person)
        wednesday_at = thursday_at - timedelta(days=1)
        f.make_busy_block(imported, wednesday_at, wednesday_at + timedelta(minutes=45),
                          summary="Team sync")
        f.make_busy_block(manual, thursday_at + timedelta(hours=3),
                          thursday_at + timedelta(hours=4), summary="Dentist")
        f.make_availability_override(person, monday + timedelta(days=4))
        f.make_availability_override(person, monday + timedelta(days=5), is_available=True,
                                     start_local=time(10), end_local=time(12))
        f.make_interview(panel=[person], start_at=thursday_at + timedelta(hours=n % 4))


def measure(db, now) -> int:
    """Return the statements of reading every interviewer's week and what it shows."""
    monday, _thursday_at = _week_of(now)
    db.session.commit()
    db.session.expunge_all()  # nothing cached: every row must be read again
    with counted_statements(db) as statements:
        profiles = db.session.scalars(sa.select(InterviewerProfile)).all()
        views = week_views(profiles, monday, now, language="zh",
                           show_summaries_of={p.id for p in profiles})
        shown = [(s.interview.stage.kind, s.interview.application.candidate.name)
                 for view in views.values() for day in view.days for s in day.interviews]
    assert len(views) == len(profiles)
    assert len(shown) == len(profiles)  # each interview appears once, on its day
    assert all(any(day.busy for day in view.days) for view in views.values())
    return len(statements)


def test_week_views_issue_the_same_statements_for_2_and_20_interviewers(db, now):
    offices = [f.make_office(zone="Asia/Shanghai", calendar_key="CN"),
               f.make_office(zone="Europe/London", calendar_key="GB-ENG"),
               f.make_office(zone="Asia/Singapore", calendar_key="SG")]
    monday, _thursday_at = _week_of(now)
    f.make_workday_override(monday + timedelta(days=2), calendar_key="CN", is_workday=False,
                            note="Company day off")
    f.make_workday_override(monday + timedelta(days=5), calendar_key="GB-ENG", is_workday=True,
                            note="Stocktake")

    add_interviewers(2, offices, now)
    few = measure(db, now)
    add_interviewers(18, offices, now)
    many = measure(db, now)

    assert few == many
    assert few <= MAX_STATEMENTS
