"""The admin's workday page marks a year without official data as entered (and removes the
mark); the coordinators' banner goes and comes back with it; only admins may do it. Calendars
are shown by name in both languages."""
from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy as sa

from scheduler.domain.workdays import WorkdayCalendar
from scheduler.models import WorkdayYearMark
from tests import factories as f
from tests.web.helpers import csrf_token, sign_in

PASSWORD = "correct horse battery staple"


def first_uncovered_year(year: int) -> int:
    calendar = WorkdayCalendar("CN")
    while calendar.is_year_covered(year):
        year += 1
    return year


@pytest.fixture
def setting(app, db, now):
    """A Beijing office hiring with a horizon into the first uncovered year, and a London one."""
    year = first_uncovered_year(now.year)
    beijing = f.make_office(zone="Asia/Shanghai", calendar_key="CN")
    london = f.make_office(zone="Europe/London", calendar_key="GB-ENG")
    # The horizon reaches into that year, not the next.
    requisition = f.make_requisition(stages=[dict(
        horizon_days=(date(year, 6, 1) - now.date()).days)])
    requisition.offices = [beijing, london]
    f.make_user(email="admin@example.com", roles=("admin", "coordinator"), password=PASSWORD,
                language="en")
    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD, language="zh")
    f.make_interviewer(office=london, user=f.make_user(email="iv@example.com", password=PASSWORD,
                                                       language="en"),
                       windows=((0, 5), time(9), time(17)))
    db.session.commit()
    return year


def client_for(app, email):
    client = app.test_client()
    sign_in(client, email, PASSWORD)
    return client


def year_form(client, page_url, action, key, year):
    page = client.get(page_url).text
    return client.post(action, data={"csrf_token": csrf_token(page), "calendar_key": key,
                                     "year": str(year)})


def marks(db):
    return [(m.calendar_key, m.year) for m in db.session.scalars(sa.select(WorkdayYearMark))]


def test_an_admin_marks_a_year_entered_and_the_banner_goes_until_the_mark_is_removed(app, db, setting):
    year = setting
    admin, coordinator = client_for(app, "admin@example.com"), client_for(app, "co@example.com")
    assert f"中国大陆 {year} 年的官方节假日安排尚未发布" in coordinator.get("/coordinator/").text
    page = admin.get("/admin/workdays?key=CN").text
    assert f"Mark {year} as entered" in page

    response = year_form(admin, "/admin/workdays?key=CN", "/admin/workdays/years", "CN", year)
    assert response.status_code == 302 and response.headers["Location"].endswith("key=CN")
    page = admin.get("/admin/workdays?key=CN").text
    assert f"{year} is marked as entered for China (mainland)" in page
    assert f"{year}: entered by an admin" in page and "Remove the mark" in page
    assert marks(db) == [("CN", year)]
    assert "holiday-banner" not in coordinator.get("/coordinator/").text
    assert "holiday-banner" not in admin.get("/coordinator/").text

    response = year_form(admin, "/admin/workdays?key=CN", "/admin/workdays/years/remove", "CN",
                         year)
    assert response.status_code == 302
    assert f"The mark on {year} for China (mainland) is removed" in \
        admin.get("/admin/workdays?key=CN").text
    assert marks(db) == []
    assert f"中国大陆 {year} 年的官方节假日安排尚未发布" in coordinator.get("/coordinator/").text


def test_a_covered_year_offers_no_mark_and_a_posted_one_is_refused(app, db, setting, now):
    admin = client_for(app, "admin@example.com")
    page = admin.get("/admin/workdays?key=GB-ENG").text
    assert "as entered" not in page and f"{now.year}: official data." in page
    year_form(admin, "/admin/workdays?key=GB-ENG", "/admin/workdays/years", "GB-ENG", now.year)
    assert f"The official holiday data covers {now.year} for England: there is nothing to mark." \
        in admin.get("/admin/workdays?key=GB-ENG").text
    assert year_form(admin, "/admin/workdays", "/admin/workdays/years", "GB-England",
                     now.year).status_code == 400
    assert marks(db) == []


@pytest.mark.parametrize("email, page_url", [("co@example.com", "/coordinator/"),
                                             ("iv@example.com", "/interviewer/")])
def test_coordinators_and_interviewers_cannot_mark_or_unmark(app, db, setting, email, page_url):
    year = setting
    client = client_for(app, email)
    assert client.get("/admin/workdays?key=CN").status_code == 403
    for action in ("/admin/workdays/years", "/admin/workdays/years/remove"):
        assert year_form(client, page_url, action, "CN", year).status_code == 403
    assert marks(db) == []


def test_calendars_are_named_not_coded_in_both_languages(app, db, setting):
    admin = client_for(app, "admin@example.com")
    html = admin.get("/admin/workdays?key=GB-ENG").text
    assert ">England</a>" in html and ">China (mainland)</a>" in html
    assert "Holiday data for England" in html and "No overrides for England." in html
    page = admin.post("/language", data={"csrf_token": csrf_token(html), "language": "zh",
                                         "next": "/admin/workdays?key=GB-ENG"},
                      follow_redirects=True).text
    assert ">英格兰</a>" in page and ">中国大陆</a>" in page

    interviewer = client_for(app, "iv@example.com")
    html = interviewer.get("/availability/", follow_redirects=True).text
    assert "holidays: England" in html and "GB-ENG" not in html
