"""The admin's workday overrides per office calendar, and the coordinators' holiday-data banner.

The admin enters next year's published days (the year after NOW's); the week an override changes
is the first ordinary CN week at least a week after NOW.
"""
from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import WorkdayOverride
from tests import factories as f
from tests.clock import local_today
from tests.web.helpers import audit_trail, csrf_token, ordinary_week, sign_in

PASSWORD = "correct horse battery staple"
NEXT_YEAR = local_today().year + 1


@pytest.fixture
def admin(app, db):
    f.make_user(email="admin@example.com", roles=("admin", "coordinator"), password=PASSWORD,
                language="en")
    db.session.commit()
    client = app.test_client()
    sign_in(client, "admin@example.com", PASSWORD)
    return client


def add_one(client, key, day, is_workday, note=""):
    page = client.get(f"/admin/workdays?key={key}").text
    return client.post("/admin/workdays", data={
        "one-csrf_token": csrf_token(page), "one-calendar_key": key, "one-day": day,
        "one-is_workday": "1" if is_workday else "0", "one-note": note})


def add_many(client, key, lines):
    page = client.get(f"/admin/workdays?key={key}").text
    return client.post("/admin/workdays/bulk", data={
        "many-csrf_token": csrf_token(page), "many-calendar_key": key, "many-lines": lines})


def overrides(db):
    return [(o.calendar_key, o.day, o.is_workday, o.note) for o in
            db.session.scalars(sa.select(WorkdayOverride).order_by(WorkdayOverride.day))]


def test_an_admin_lists_adds_and_removes_overrides_per_calendar(admin, db):
    for key in ("CN", "GB-ENG", "US-CA", "SG"):
        f.make_office(calendar_key=key)
    db.session.commit()
    html = admin.get("/admin/workdays").text
    assert "Workday overrides" in html and "No overrides for China (mainland)." in html
    # The calendars the offices use, by name.
    tabs = re.findall(r'href="/admin/workdays\?key=([^"]+)"[^>]*>([^<]+)</a>', html)
    assert tabs == [("US-CA", "California"), ("CN", "China (mainland)"), ("GB-ENG", "England"),
                    ("SG", "Singapore")]

    response = add_one(admin, "CN", f"{NEXT_YEAR}-02-20", True, "春节调休")
    assert response.status_code == 302 and response.headers["Location"].endswith("key=CN")
    html = admin.get("/admin/workdays?key=CN").text
    assert f"Override added for China (mainland) on {NEXT_YEAR}-02-20." in html
    assert f"{NEXT_YEAR}-02-20" in html and "春节调休" in html and "Working day" in html
    assert "No overrides for England." in admin.get("/admin/workdays?key=GB-ENG").text
    assert overrides(db) == [("CN", date(NEXT_YEAR, 2, 20), True, "春节调休")]

    row = db.session.scalars(sa.select(WorkdayOverride)).one()
    admin.post(f"/admin/workdays/{row.id}/remove", data={"csrf_token": csrf_token(html)})
    assert overrides(db) == []
    actions = [e.action for e in audit_trail(db)]
    assert actions == ["workday_override.added", "workday_override.removed"]


def test_a_duplicate_date_and_an_unknown_calendar_are_refused_clearly(admin, db):
    add_one(admin, "CN", f"{NEXT_YEAR}-02-20", True)
    duplicate = add_one(admin, "CN", f"{NEXT_YEAR}-02-20", False, "oops")
    assert duplicate.status_code == 200
    assert (f"{NEXT_YEAR}-02-20 already has an override for China (mainland). Remove it first "
            "to change it." in duplicate.text)
    for unknown_key in ("GB-England", "UK", "XX"):  # the package's codes only, no aliases
        unknown = add_one(admin, unknown_key, f"{NEXT_YEAR}-07-14", False)
        assert unknown.status_code == 200
        assert f"Unknown holiday calendar {unknown_key}: use a country code of the holiday data" \
            in unknown.text
        assert admin.get(f"/admin/workdays?key={unknown_key}").status_code == 404
    assert overrides(db) == [("CN", date(NEXT_YEAR, 2, 20), True, "")]


def test_a_published_schedule_is_added_all_or_nothing(admin, db):
    add_one(admin, "CN", f"{NEXT_YEAR}-02-20", True)
    schedule = (f"{NEXT_YEAR}-02-06 off 春节\n# comment\n{NEXT_YEAR}-02-07 休 春节\n"
                f"{NEXT_YEAR}-02-20 work 春节调休\n")
    refused = add_many(admin, "CN", schedule)
    assert f"{NEXT_YEAR}-02-20 already has an override for China (mainland)." in refused.text
    assert len(overrides(db)) == 1
    unreadable = add_many(admin, "CN", f"{NEXT_YEAR}-02-06 off\n{NEXT_YEAR}-13-01 off\n")
    assert f"Line 2 could not be read: “{NEXT_YEAR}-13-01 off”." in unreadable.text
    assert len(overrides(db)) == 1

    response = add_many(admin, "CN", f"{NEXT_YEAR}-02-06 off 春节\n{NEXT_YEAR}-02-07 休 春节\n"
                                     f"{NEXT_YEAR}-02-21 上班 调休")
    assert response.status_code == 302
    assert "3 overrides added for China (mainland)." in admin.get("/admin/workdays?key=CN").text
    assert overrides(db) == [("CN", date(NEXT_YEAR, 2, 6), False, "春节"),
                             ("CN", date(NEXT_YEAR, 2, 7), False, "春节"),
                             ("CN", date(NEXT_YEAR, 2, 20), True, ""),
                             ("CN", date(NEXT_YEAR, 2, 21), True, "调休")]


def test_only_admins_see_the_overrides(app, db):
    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD)
    f.make_interviewer(user=f.make_user(email="iv@example.com", password=PASSWORD))
    db.session.commit()
    for email in ("co@example.com", "iv@example.com"):
        client = app.test_client()
        sign_in(client, email, PASSWORD)
        assert client.get("/admin/workdays").status_code == 403


def test_an_override_changes_an_interviewers_week(admin, db):
    office = f.make_office(zone="Asia/Shanghai", calendar_key="CN")
    interviewer = f.make_interviewer(office=office, windows=((0, 5), time(9), time(18)))
    db.session.commit()
    week = ordinary_week(7, "CN")  # its Tuesday is worked and its Saturday is not, until now
    tuesday, saturday = week + timedelta(days=1), week + timedelta(days=5)
    add_one(admin, "CN", tuesday.isoformat(), False, "Company day off")
    add_one(admin, "CN", saturday.isoformat(), True, "调休")
    html = admin.get(f"/availability/{interviewer.id}?week={week}").text
    tuesday = html.split(f'data-date="{tuesday}"')[1].split("</li>\n    <li")[0]
    assert 'data-workday="no"' in tuesday and "Company day off" in tuesday
    saturday = html.split(f'data-date="{saturday}"')[1].split("</ol>")[0]
    assert 'data-workday="yes"' in saturday and "Make-up working day" in saturday
    assert "Free</span> 09:00–18:00" in saturday


def _requisition(db, office, horizon_days):
    requisition = f.make_requisition(stages=[dict(horizon_days=horizon_days)])
    requisition.offices = [office]
    db.session.commit()
    return requisition


def test_coordinators_see_a_banner_while_a_horizon_reaches_a_year_without_data(app, db, admin):
    _requisition(db, f.make_office(zone="Europe/London", calendar_key="GB-ENG"), 400)
    assert "holiday-banner" not in admin.get("/coordinator/").text  # England's data covers every year

    _requisition(db, f.make_office(zone="Asia/Shanghai", calendar_key="CN"), 400)
    html = admin.get("/coordinator/").text
    assert "holiday-banner" in html
    # The page searches from NOW: read the first uncovered year off the banner.
    year = re.search(r"The official China \(mainland\) holiday schedule for (\d{4}) is not available yet",
                     html)
    assert year, html
    year = int(year.group(1))
    assert 'href="/admin/workdays"' in html  # admins get the way to fix it
    add_one(admin, "CN", f"{year}-02-20", True)
    assert f"1 override is entered for {year} so far." in admin.get("/coordinator/").text

    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD, language="zh")
    db.session.commit()
    coordinator = app.test_client()
    sign_in(coordinator, "co@example.com", PASSWORD)
    html = coordinator.get("/coordinator/").text
    assert f"中国大陆 {year} 年的官方节假日安排尚未发布" in html
    assert f"目前已为 {year} 年录入 1 条例外日期。" in html
    assert 'href="/admin/workdays"' not in html
