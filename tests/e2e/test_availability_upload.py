"""In a real browser: an interviewer uploads a corpus calendar and sees its busy time in the week.

Oliver Smith (London, English, a laptop) uploads tests/calendars_corpus/
apple-icloud-vtimezone-after-events-multiday.ics, whose open-ended "Daily" event (09:00–10:00 in
Los Angeles) falls at 17:00 in London, so it shows up in any week the test runs in. Then 王芳
(Beijing, Chinese, a 375-px phone) reads her week of the 2026 National Day holiday with its
调休 Saturday, and the admin's workday-overrides page. Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in

CORPUS_FILE = (Path(__file__).resolve().parents[1] / "calendars_corpus"
               / "apple-icloud-vtimezone-after-events-multiday.ics")
LAPTOP = dict(locale="en-GB", timezone_id="Europe/London", viewport={"width": 1280, "height": 900})
PHONE = dict(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 375, "height": 812},
             is_mobile=True, has_touch=True)


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_an_interviewer_uploads_a_calendar_and_sees_the_busy_time(browser, live_server, screenshots):
    context = browser.new_context(base_url=live_server.url, **LAPTOP)
    page = context.new_page()
    try:
        sign_in(page, "oliver.smith@example.com")
        page.goto("/availability/")
        expect(page).to_have_url(re.compile(r"/availability/\d+$"))
        expect(page.get_by_role("heading", name="My availability", exact=True)).to_be_visible()
        week = page.locator("#week")
        expect(week.get_by_text("Times in this week are in Europe/London")).to_be_visible()
        expect(page.locator(".week-day")).to_have_count(7)
        # The demo calendar is there already; the corpus file is not.
        expect(page.locator(".sources")).to_contain_text("demo-team-calendar.ics")
        expect(week.locator(".item-busy").filter(has_text="Daily")).to_have_count(0)
        screenshots.take(page, "laptop-before-upload")

        page.get_by_text("Upload a calendar file").click()
        page.get_by_label("Calendar file (.ics)").set_input_files(str(CORPUS_FILE))
        page.get_by_role("button", name="Upload", exact=True).click()
        expect(page.locator(".flash-success")).to_contain_text(
            f"Calendar “{CORPUS_FILE.name}” read:")
        expect(page.locator(".sources")).to_contain_text(CORPUS_FILE.name)
        expect(page.locator(".sources")).to_contain_text("Last read:")
        daily = week.locator(".item-busy").filter(has_text="Daily")
        expect(daily.first).to_be_visible()
        expect(daily.first).to_contain_text(re.compile(r"1[67]:00–1[78]:00 · Daily"))
        assert _fits_the_screen(page)
        screenshots.take(page, "laptop-after-upload")

        # Next week: the event every working day, cutting the free time short.
        page.get_by_role("link", name="Next week").click()
        expect(page).to_have_url(re.compile(r"\?week=\d{4}-\d{2}-\d{2}#week$"))
        next_week = page.locator("#week .item-busy").filter(has_text="Daily")
        expect(next_week).to_have_count(7)
        screenshots.take(page, "laptop-next-week")
    finally:
        context.close()

    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    try:
        sign_in(page, "wang.fang@example.com")
        page.goto("/availability/")
        expect(page.get_by_role("heading", name="我的可用时间", exact=True)).to_be_visible()
        assert _fits_the_screen(page)
        screenshots.take(page, "phone-this-week")

        page.goto(page.url + "?week=2026-10-10")
        saturday = page.locator('.week-day[data-date="2026-10-10"]')
        expect(saturday).to_contain_text("调休上班 · 国庆节")
        expect(saturday).to_have_attribute("data-workday", "yes")
        expect(page.locator('.week-day[data-date="2026-10-05"]')).to_contain_text("法定节假日 · 国庆节")
        assert _fits_the_screen(page)
        screenshots.take(page, "phone-national-day-week")
        # The full page is tall; the week and the hours as a phone shows them, at full size.
        page.locator("#week").screenshot(path=str(screenshots.folder / "phone-week-section.png"))
        page.locator("#hours").screenshot(path=str(screenshots.folder / "phone-hours-section.png"))
        page.locator("#calendars").screenshot(
            path=str(screenshots.folder / "phone-calendars-section.png"))
    finally:
        context.close()

    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    try:
        sign_in(page, "admin@example.com")
        page.goto("/admin/workdays?key=CN")
        expect(page.get_by_role("heading", name="工作日例外", exact=True)).to_be_visible()
        page.get_by_label("安排", exact=True).fill("2027-02-06 off 春节\n2027-02-20 work 春节调休")
        page.get_by_role("button", name="全部添加").click()
        expect(page.locator(".flash-success")).to_contain_text("已为中国大陆添加 2 条例外日期。")
        expect(page.locator(".entries .entry")).to_have_count(2)
        assert _fits_the_screen(page)
        screenshots.take(page, "phone-workday-overrides")
    finally:
        context.close()
