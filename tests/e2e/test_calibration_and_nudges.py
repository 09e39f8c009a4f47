"""In a real browser on a 375-px phone: the demo coordinator (Chinese) opens calibration from the
menu and sees an alpha, the lenient and the harsh interviewer, and a page that does not overflow
(the wide tables scroll inside their own box); Oliver Smith (English) sees his overdue feedback
first on his home, with the due time and how late it is."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in

PHONE = dict(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
             timezone_id="Asia/Shanghai")


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_calibration_on_a_phone_in_chinese(browser, live_server, screenshots):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    page = context.new_page()
    try:
        sign_in(page, "coordinator@example.com")
        expect(page).to_have_url(re.compile(r"/coordinator/$"))
        page.locator("nav.nav").get_by_role("link", name="校准", exact=True).click()
        expect(page.get_by_role("heading", name="校准", exact=True)).to_be_visible()
        expect(page.get_by_role("rowheader", name="Oliver Smith")).to_be_visible()
        expect(page.get_by_role("rowheader", name="孙丽")).to_be_visible()
        expect(page.locator("svg.offset-dot").first).to_be_visible()
        expect(page.get_by_text(re.compile(r"个可配对单元")).first).to_be_visible()
        assert _fits_the_screen(page)
        screenshots.take(page, "calibration-phone-zh", full_page=True)
    finally:
        context.close()


def test_overdue_feedback_first_on_the_interviewers_home(browser, live_server, screenshots):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **PHONE)
    page = context.new_page()
    try:
        sign_in(page, "oliver.smith@example.com")
        items = page.locator("section.feedback-due li")
        expect(items.first).to_contain_text("Sophie Martin")
        expect(items.first).to_contain_text("Overdue by")
        expect(items.nth(1)).to_contain_text("Ryan Park")
        expect(items.nth(1)).to_contain_text("Draft saved")
        assert _fits_the_screen(page)
        screenshots.take(page, "home-feedback-due-en")
    finally:
        context.close()
