"""The calendar board reads the database in a fixed number of statements, whatever the number of
interviewers.

Each interviewer has working windows, an imported and a manual busy block, a day off and extra
hours, a qualification, and interviews in the week (of two stages, one clashing with busy time,
both over the daily cap), in offices of four zones whose calendars have
overrides with notes: everything a row shows. The statements of the whole page (the coordinator
signed in, the form, the board, its drawing and the template reading each row and interview) are
counted for 5 and for 200 interviewers, with and without filters.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from scheduler.domain.availability import week_start
from scheduler.models import Office, Requisition
from tests import factories as f
from tests.services.test_find_slots_queries import counted_statements
from tests.web.helpers import sign_in

# A handful per part of the page, whatever the number of people.
MAX_STATEMENTS = 40
MONDAY = datetime(2026, 12, 7, tzinfo=timezone.utc).date()
PASSWORD = "correct horse battery staple"


def add_interviewers(count, offices, requisition, start):
    """Add *count* interviewers with everything the board shows."""
    for n in range(start, start + count):
        person = f.make_interviewer(office=offices[n % len(offices)], daily_cap=1, weekly_cap=5,
                                    qualifications={"system_design": "qualified"},
                                    windows=((0, 5), time(9, 30), time(18, 30)))
        wednesday_at = datetime(2026, 12, 9, 2, tzinfo=timezone.utc) + timedelta(minutes=n % 7)
        imported = f.make_calendar_source(person, kind="file", name="Work")
        manual = f.make_calendar_source(person)
        f.make_busy_block(imported, wednesday_at, wednesday_at + timedelta(minutes=45),
                          summary="Team sync")
        f.make_busy_block(manual, wednesday_at + timedelta(days=1),
                          wednesday_at + timedelta(days=1, hours=1), summary="Dentist")
        f.make_availability_override(person, MONDAY + timedelta(days=4))
        f.make_availability_override(person, MONDAY + timedelta(days=5), is_available=True,
                                     start_local=time(10), end_local=time(12))
        application = f.make_application(requisition=requisition)
        f.make_interview(application=application, panel=[person], start_at=wednesday_at)
        f.make_interview(application=application, stage=application.requisition.stages[1],
                         panel=[person], start_at=wednesday_at + timedelta(hours=3))


def measure(db, client, query: str) -> int:
    """Return the statements of one board page."""
    db.session.commit()
    db.session.expunge_all()
    with counted_statements(db) as statements:
        response = client.get(f"/coordinator/board?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.text.count('class="board-line board-row"') > 0
    return len(statements)


def test_the_board_issues_the_same_statements_for_5_and_200_interviewers(app, db, client):
    offices = [f.make_office(zone="Asia/Shanghai", calendar_key="CN"),
               f.make_office(zone="Europe/London", calendar_key="GB-ENG"),
               f.make_office(zone="America/Los_Angeles", calendar_key="US-CA"),
               f.make_office(zone="Asia/Singapore", calendar_key="SG")]
    f.make_workday_override(MONDAY + timedelta(days=2), calendar_key="CN", is_workday=False,
                            note="Company day off")
    f.make_workday_override(MONDAY + timedelta(days=5), calendar_key="GB-ENG", is_workday=True,
                            note="Stocktake")
    requisition = f.make_requisition(stages=[{}, {"kind": "project_deep_dive",
                                                  "name_en": "Project deep dive"}])
    f.make_user(roles=("coordinator",), email="co@example.com", language="en")
    db.session.commit()
    sign_in(client, "co@example.com", PASSWORD)
    assert week_start(MONDAY) == MONDAY
    queries = [f"day={MONDAY.isoformat()}",
               f"view=day&day={(MONDAY + timedelta(days=2)).isoformat()}&zone=Europe/London",
               f"day={MONDAY.isoformat()}&kind=system_design&level=qualified&q=user"
               f"&opening={requisition.id}&office={offices[0].id}&office={offices[1].id}"]

    office_ids, requisition_id = [office.id for office in offices], requisition.id
    add_interviewers(5, offices, requisition, 0)
    few = [measure(db, client, query) for query in queries]
    # measure() left nothing in the session: read the offices and the opening again.
    offices = [db.session.get(Office, office_id) for office_id in office_ids]
    add_interviewers(195, offices, db.session.get(Requisition, requisition_id), 5)
    many = [measure(db, client, query) for query in queries]

    assert few == many
    assert max(few) <= MAX_STATEMENTS
