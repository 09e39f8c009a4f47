"""The interviewers list reads the database in a fixed number of statements, however many people.

Each interviewer has qualifications and interviews this week in one of three offices in different
zones, and there are staff with the interviewer role but no profile: everything the list shows.
The statements of listing them (with filters, and with what the page then reads of each row) are
counted for 2 and for 20 interviewers.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from scheduler.models import Office, User
from scheduler.services.interviewers import InterviewerFilters, list_interviewers
from tests import factories as f
from tests.services.test_find_slots_queries import counted_statements

# A handful, whatever the number of people: one per interviewer would show at 2 already.
MAX_STATEMENTS = 10
FILTERS = (InterviewerFilters(), InterviewerFilters(is_active_only=False, text="user"),
           InterviewerFilters(stage_kind="system_design", min_level="qualified"))


def add_people(count, offices, now):
    """Add *count* interviewers with qualifications and interviews, and one without a profile."""
    for n in range(count):
        person = f.make_interviewer(
            office=offices[n % len(offices)], daily_cap=2, weekly_cap=5,
            qualifications={"system_design": ("senior", "qualified", "shadow")[n % 3],
                            "phone_screen": "qualified"})
        for hours in (1, 30, -30):
            f.make_interview(panel=[person], start_at=now + timedelta(hours=hours + n % 5))
    f.make_user(roles=("interviewer",))


def measure(db, coordinator_id, now) -> int:
    """Return the statements of listing everyone (three ways) and reading what each row shows."""
    db.session.commit()
    db.session.expunge_all()  # nothing cached: every row must be read again
    coordinator = db.session.get(User, coordinator_id)
    with counted_statements(db) as statements:
        for filters in FILTERS:
            listing = list_interviewers(coordinator, filters, now)
            shown = [(row.profile.user.name, row.profile.user.email, row.profile.user.is_active,
                      row.profile.office.code, row.profile.effective_zone,
                      sorted(q.level for q in row.profile.qualifications),
                      row.week.count, row.today.count) for row in listing.rows]
            shown += [(user.name, user.email) for user in listing.without_profile]
            assert shown
    return len(statements)


def test_the_list_issues_the_same_statements_for_2_and_20_interviewers(db, now):
    offices = [f.make_office(zone="Asia/Shanghai"),
               f.make_office(zone="Europe/London", calendar_key="GB-ENG"),
               f.make_office(zone="America/Los_Angeles", calendar_key="US-CA")]
    coordinator_id = f.make_user(roles=("coordinator",)).id
    office_ids = [office.id for office in offices]
    add_people(2, offices, now)
    few = measure(db, coordinator_id, now)
    offices = [db.session.get(Office, office_id) for office_id in office_ids]  # expunged by measure
    add_people(18, offices, now)
    many = measure(db, coordinator_id, now)
    assert few == many
    assert few <= MAX_STATEMENTS * len(FILTERS)
