"""In a real browser, from an empty database (migrated, no demo; only the admin that
`flask users create` made): the admin creates an office, an opening with three stages and a
loop of the last two, an interviewer with qualifications and working hours, and a coordinator;
the coordinator then adds a candidate and books the first stage, picking an afternoon slot.
Every step goes through links and forms only (no typed URLs but the sign-in page), so a dead end
fails the test. Screenshots at laptop width, and at 375 px where a phone matters."""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import EMPTY_ADMIN
from tests.e2e.sign_in import sign_in

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
BEIJING = ZoneInfo("Asia/Shanghai")
COORDINATOR = {"email": "cora@example.com", "password": "coordinators first password"}
INTERVIEWER = {"email": "ivan@example.com", "password": "interviewers first password"}
# (name in Chinese, in English, kind): a panel of one each; the last two are a loop.
STAGES = [("电话面试", "Phone screen", "phone_screen"),
          ("系统设计", "System design", "system_design"),
          ("项目经验", "Project deep dive", "project_deep_dive")]


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _on_a_phone_too(page, screenshots, name: str) -> None:
    """Photograph the page at 375 px (checking it fits), then return to laptop width."""
    page.set_viewport_size(PHONE)
    assert _fits_the_screen(page), f"{name} is wider than a phone"
    screenshots.take(page, f"{name}-phone")
    page.set_viewport_size(LAPTOP)


def _nav(page, name: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()


def _add_staff(page, name: str, account: dict, role: str, office: str | None = None) -> None:
    _nav(page, "Staff")
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email", exact=True).fill(account["email"])
    page.get_by_label("Initial password", exact=True).fill(account["password"])
    page.get_by_label(role, exact=True).check()
    if office:
        page.get_by_label("Office", exact=True).select_option(label=office)
    page.get_by_label("Language", exact=True).select_option("en")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text(f"{name} can now sign in")


def _afternoon_slot(page):
    """Return the Choose link of the first slot offered that starts at 14:00 Beijing time or
    later on its day (picked by that property, never by its place in the table)."""
    links = page.locator("table.slots tbody tr").get_by_role("link", name=re.compile("^Choose"))
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for index, href in enumerate(hrefs):
        start = parse_qs(urlsplit(href).query)["start"][0]
        instant = datetime.fromisoformat(start.replace("Z", "+00:00"))
        if instant.astimezone(BEIJING).hour >= 14:
            return links.nth(index), instant
    raise AssertionError("no afternoon slot (Beijing time) is offered")


def test_a_new_team_sets_up_and_books_from_an_empty_database(
        browser, empty_live_server, screenshots):
    context = browser.new_context(base_url=empty_live_server.url, locale="en-GB",
                                  timezone_id="Asia/Shanghai", viewport=LAPTOP)
    page = context.new_page()
    try:
        sign_in(page, EMPTY_ADMIN["email"], EMPTY_ADMIN["password"])
        expect(page.get_by_role("navigation").get_by_role("link", name="Offices")).to_be_visible()
        screenshots.take(page, "admin-first-page")

        # An office.
        _nav(page, "Offices")
        page.get_by_role("link", name="Add an office").click()
        page.get_by_label("Code", exact=True).fill("SH")
        page.get_by_label("Name in Chinese", exact=True).fill("上海")
        page.get_by_label("Name in English", exact=True).fill("Shanghai")
        page.get_by_label("Time zone", exact=True).fill("Asia/Shanghai")
        page.get_by_label("Holiday calendar", exact=True).fill("CN")
        page.get_by_label("Address in English", exact=True).fill("1 Century Avenue, Pudong")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("table")).to_contain_text("Shanghai")
        screenshots.take(page, "office-added")

        # An opening with three stages, the last two a loop.
        _nav(page, "Openings")
        page.get_by_role("link", name="Add an opening").click()
        page.get_by_label("Title in Chinese", exact=True).fill("数据工程师")
        page.get_by_label("Title in English", exact=True).fill("Data Engineer")
        level = page.locator(".level-row").first
        level.get_by_label("Code", exact=True).fill("mid")
        level.get_by_label("Name in Chinese", exact=True).fill("中级（5–8年）")
        level.get_by_label("Name in English", exact=True).fill("Mid (5–8 years)")
        level.get_by_label("Years", exact=True).fill("5-8")
        page.get_by_label("Shanghai (SH)").check()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page).to_have_url(re.compile(r"/coordinator/openings/\d+$"))
        for number, (name_zh, name_en, kind) in enumerate(STAGES, 1):
            page.get_by_role("link", name="Add a stage").click()
            page.get_by_label("Name in Chinese", exact=True).fill(name_zh)
            page.get_by_label("Name in English", exact=True).fill(name_en)
            page.get_by_label("Kind", exact=True).select_option(kind)
            page.get_by_label("Panel size", exact=True).fill("1")
            # Far enough ahead that an ordinary week is offered even across a long holiday.
            page.get_by_label("Booking horizon (days)", exact=True).fill("42")
            if number == 1:
                screenshots.take(page, "stage-form")
            page.get_by_role("button", name="Save stage").click()
            expect(page.locator(".stage-item")).to_have_count(number)
        page.get_by_label("2. System design and 3. Project deep dive").check()
        page.get_by_role("button", name="Save loops").click()
        expect(page.locator("#loops")).to_contain_text("System design + Project deep dive")
        expect(page.locator(".stage-item.in-loop")).to_have_count(2)
        screenshots.take(page, "opening-with-stages-and-loop")
        _on_a_phone_too(page, screenshots, "opening-with-stages-and-loop")

        # An interviewer: staff with the interviewer role at the office, then the profile's
        # qualifications and the working hours that make them bookable.
        _add_staff(page, "Ivan Interviewer", INTERVIEWER, "Interviewer", office="SH · Shanghai")
        page.get_by_role("row", name=re.compile("Ivan Interviewer")).get_by_role(
            "link", name="Edit profile").click()
        for _name_zh, kind_label, _kind in STAGES:
            page.get_by_label(kind_label, exact=True).select_option("qualified")
        screenshots.take(page, "interviewer-profile")
        page.get_by_role("button", name="Save profile").click()
        expect(page).to_have_url(re.compile(r"/availability/interviewers$"))
        row = page.locator("table.stack tbody tr").filter(has_text="Ivan Interviewer")
        expect(row).to_contain_text("Phone screen: Qualified")
        row.get_by_role("link", name="Availability").click()
        for weekday in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
            page.get_by_label(weekday, exact=True).fill("09:00-18:00")
        page.get_by_role("button", name="Save working hours").click()
        expect(page.get_by_label("Friday", exact=True)).to_have_value("09:00-18:00")
        screenshots.take(page, "interviewer-hours")

        # A coordinator.
        _add_staff(page, "Cora Coordinator", COORDINATOR, "Coordinator")
        expect(page.locator("table")).to_contain_text("Cora Coordinator")
        screenshots.take(page, "staff-list")
        page.get_by_role("button", name="Sign out").click()

        # The coordinator adds a candidate and books the first stage.
        sign_in(page, COORDINATOR["email"], COORDINATOR["password"])
        _nav(page, "New candidate")
        page.get_by_label("Name", exact=True).fill("Mei Chen")
        page.get_by_label("Email", exact=True).fill("mei.chen@example.org")
        page.get_by_label("Time zone", exact=True).fill("Asia/Shanghai")
        page.get_by_label("Language for emails and the booking page").select_option("en")
        page.get_by_label("Requisition", exact=True).select_option(label="Data Engineer")
        page.get_by_label("Level", exact=True).select_option(label="Mid (5–8 years)")
        screenshots.take(page, "new-candidate")
        page.get_by_role("button", name="Add candidate").click()
        expect(page.locator(".flash-success")).to_contain_text("Added Mei Chen.")
        page.get_by_role("link", name="Mei Chen", exact=True).click()
        expect(page.get_by_role("heading", name="Mei Chen")).to_be_visible()
        expect(page.get_by_role("heading", name="Book a time")).to_be_visible()
        screenshots.take(page, "application-slots")
        choose, start = _afternoon_slot(page)
        choose.click()
        expect(page.get_by_role("heading", name="Confirm the booking")).to_be_visible()
        _on_a_phone_too(page, screenshots, "confirm")
        page.get_by_role("button", name="Book", exact=True).click()
        expect(page.locator(".flash-success")).to_contain_text("Booked Phone screen for Mei Chen")
        card = page.locator("article.interview").first
        expect(card).to_contain_text("Scheduled")
        expect(card).to_contain_text("Ivan Interviewer")
        expect(card).to_contain_text(start.astimezone(BEIJING).strftime("%H:%M"))
        screenshots.take(page, "booked")
        _on_a_phone_too(page, screenshots, "booked")
    finally:
        context.close()
