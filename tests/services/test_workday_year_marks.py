"""An admin marks a year without official holiday data as entered: the coordinators' notice and
the engine's warning stop, the slot search uses Monday–Friday plus the overrides for that year,
and removing the mark brings the estimate back. Each change is audited; bad marks are refused."""
from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from flask_babel import force_locale
import sqlalchemy as sa

from scheduler.domain.workdays import WorkdayCalendar
from scheduler.models import AuditEvent, WorkdayYearMark
from scheduler.services import workdays
from scheduler.services.slot_search import find_slots, load_calendars
from scheduler.services.workdays import WorkdayOverrideError
from tests import factories as f

BEIJING = ZoneInfo("Asia/Shanghai")


def first_uncovered_year(today: date) -> int:
    """Return the first year from *today*'s on that the installed Chinese data does not know."""
    year, calendar = today.year, WorkdayCalendar("CN")
    while calendar.is_year_covered(year):
        year += 1
    return year


@pytest.fixture
def world(db, now):
    """A Beijing interviewer (Mon–Fri 09:00–18:00) and a stage whose horizon reaches, by a week,
    *day*: the next statutory weekday holiday of the first year without official data."""
    # The first statutory weekday holiday, more than a day ahead, of a year the data does not
    # know (NOW may already be inside such a year, past its first holidays).
    year = first_uncovered_year(now.date())
    while not (upcoming := [d for d in holidays.country_holidays("CN", years=year)
                            if d > now.date() + timedelta(days=1) and d.weekday() < 5]):
        year += 1
    day = min(upcoming)
    office = f.make_office(code="BJ", zone="Asia/Shanghai", calendar_key="CN")
    interviewer = f.make_interviewer(office=office, windows=((0, 5), time(9), time(18)))
    requisition = f.make_requisition(stages=[dict(
        kind="system_design", duration_minutes=60, panel_size=1, step_minutes=60,
        min_notice_minutes=0, horizon_days=(day - now.date()).days + 7)])
    requisition.offices = [office]
    application = f.make_application(requisition=requisition,
                                     candidate=f.make_candidate(zone="Asia/Shanghai"))
    admin = f.make_user(roles=("admin",))
    db.session.commit()
    return dict(year=year, day=day, interviewer=interviewer, application=application,
                stage=requisition.stages[0], admin=admin)


def search(world, now):
    result = find_slots(world["application"], [world["stage"]], now)
    days = {slot.start_at.astimezone(BEIJING).date() for slot in result.slots}
    return days, [(w.calendar_key, w.year) for w in result.warnings]


def notices(now):
    return [(n.warning.calendar_key, n.warning.year) for n in workdays.holiday_data_notices(now)]


def test_a_mark_stops_the_estimate_and_its_warnings_and_unmarking_brings_them_back(db, world, now):
    year, day, admin = world["year"], world["day"], world["admin"]
    days, warnings = search(world, now)
    # Only *year* is asked about: NOW may sit in another year without data too.
    assert ("CN", year) in notices(now) and ("CN", year) in warnings
    assert day not in days  # estimated: the statutory holiday `holidays` lists is off

    workdays.mark_workday_year(admin, "CN", year, now)
    db.session.commit()
    assert ("CN", year) not in notices(now)
    days, warnings = search(world, now)
    assert ("CN", year) not in warnings
    assert day in days  # Monday–Friday plus overrides: the admin has not entered it as a day off
    calendars = load_calendars([world["interviewer"].id], now, now + timedelta(days=1))
    assert calendars[world["interviewer"].id].workdays.marked_years == {year}

    workdays.add_workday_overrides(admin, "CN", [workdays.WorkdayEntry(day, False, "元旦")], now)
    db.session.commit()
    assert day not in search(world, now)[0]

    workdays.unmark_workday_year(admin, "CN", year, now)
    db.session.commit()
    assert ("CN", year) in notices(now) and ("CN", year) in search(world, now)[1]
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action.like("workday_year.%")).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_user_id) for e in events] == [
        ("workday_year.marked", admin.id), ("workday_year.unmarked", admin.id)]
    assert events[0].after["year"] == year and events[1].before["calendar_key"] == "CN"


def test_bad_marks_are_refused_and_change_nothing(db, world, now):
    year, admin = world["year"], world["admin"]
    workdays.mark_workday_year(admin, "CN", year, now)
    db.session.commit()
    covered = year - 1 if WorkdayCalendar("CN").is_year_covered(year - 1) else None
    refusals = [
        (lambda: workdays.mark_workday_year(admin, "CN", year, now),
         f"{year} is already marked as entered for China (mainland)."),
        (lambda: workdays.unmark_workday_year(admin, "CN", year + 1, now),
         f"{year + 1} is not marked as entered for China (mainland)."),
        (lambda: workdays.mark_workday_year(admin, "GB-ENG", year, now),
         f"The official holiday data covers {year} for England: there is nothing to mark."),
        (lambda: workdays.mark_workday_year(admin, "XX", year, now),
         "Unknown holiday calendar XX"),
    ]
    if covered:
        refusals.append((lambda: workdays.mark_workday_year(admin, "CN", covered, now),
                         f"The official holiday data covers {covered} for China (mainland)"))
    for refuse, message in refusals:
        with pytest.raises(WorkdayOverrideError) as error:
            refuse()
        assert message in error.value.message
        db.session.rollback()
    with pytest.raises(WorkdayOverrideError) as error:
        workdays.mark_workday_year(admin, "CN", year, now)
    with force_locale("zh"):  # the calendar is named in the reader's language
        assert "中国大陆" in error.value.message
    marks = db.session.scalars(sa.select(WorkdayYearMark)).all()
    assert [(m.calendar_key, m.year, m.marked_by_id) for m in marks] == [("CN", year, admin.id)]
