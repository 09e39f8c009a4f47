"""In a real browser: refused input on a long page is in sight. After a bad working-hours entry,
a broken calendar upload or a bad pasted schedule, the page opens with the focus on the error
summary above the form (in the viewport, announced), the typed input kept, and each summary link
leads to its field. In Chinese and in English, on a 1366-px laptop and a 375-px phone.

Screenshots (of what the screen shows, not the whole page) go to tests/artifacts/.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in

DEVICES = {
    "laptop-1366": dict(viewport={"width": 1366, "height": 768}),
    "phone-375": dict(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True),
}
NOT_A_CALENDAR = {"name": "notes.ics", "mimeType": "text/calendar",
                  "buffer": b"hello, not a calendar"}
PASTED = "2027-02-06 off 春节\n2027-02-30 off\n2027-02-20 work 春节调休"


def _sign_in(page, email: str, language: str, url: str) -> None:
    sign_in(page, email)
    page.wait_for_url(lambda address: "/login" not in address)
    page.goto(url)
    page.locator(f'.lang-switch button[value="{language}"]').click()
    page.wait_for_load_state()


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _summary_in_sight(page, summary_id: str) -> None:
    """The summary has the focus and is on screen, and the page is no wider than the screen."""
    summary = page.locator(f"#{summary_id}")
    expect(summary).to_be_visible()
    assert _focused_id(page) == summary_id
    expect(summary).to_be_in_viewport()
    assert summary.get_attribute("role") == "alert"
    assert _fits_the_screen(page)


class Shots:
    """Numbered screenshots of the viewport, as the person sees it."""

    def __init__(self, screenshots, prefix: str):
        self.screenshots, self.prefix = screenshots, prefix

    def take(self, page, name: str) -> None:
        self.screenshots.count += 1
        path = self.screenshots.folder / f"{self.screenshots.count:02d}-{self.prefix}-{name}.png"
        page.screenshot(path=str(path))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_refused_input_is_in_sight_with_the_focus_on_its_summary(
        browser, live_server, screenshots, language):
    for device, options in DEVICES.items():
        shots = Shots(screenshots, f"{language}-{device}")
        context = browser.new_context(base_url=live_server.url, **options)
        page = context.new_page()
        try:
            # Working hours: Tuesday typed as "9 to 5".
            _sign_in(page, "oliver.smith@example.com", language, "/availability/")
            page.locator("#hours-day_1").fill("9 to 5")
            page.locator("#hours-submit_hours").click()
            page.wait_for_load_state()
            _summary_in_sight(page, "hours-error-summary")
            expect(page.locator("#hours-day_1")).to_have_value("9 to 5")
            expect(page.locator("#hours-day_0")).not_to_have_value("")  # the others kept too
            shots.take(page, "hours")
            page.locator("#hours-error-summary a").click()
            assert _focused_id(page) == "hours-day_1"
            expect(page.locator("label[for=hours-day_1]")).to_be_in_viewport()
            shots.take(page, "hours-field")

            # A calendar upload that is not a calendar, at the bottom of the same long page.
            page.locator("details.add-source summary").first.click()
            page.locator("#file-file").set_input_files(NOT_A_CALENDAR)
            page.locator("#file-submit_file").click()
            page.wait_for_load_state()
            _summary_in_sight(page, "file-error-summary")
            expect(page.locator("#file-error-summary")).to_contain_text(
                "iCalendar" if language == "en" else "iCalendar（.ics）")
            shots.take(page, "calendar-upload")
        finally:
            context.close()

        context = browser.new_context(base_url=live_server.url, **options)
        page = context.new_page()
        try:
            # The admin's pasted schedule with an impossible date on line 2.
            _sign_in(page, "admin@example.com", language, "/admin/workdays?key=CN")
            page.locator("#many-lines").fill(PASTED)
            page.locator("#many-submit_many").click()
            page.wait_for_load_state()
            _summary_in_sight(page, "many-error-summary")
            expect(page.locator("#many-error-summary")).to_contain_text("2027-02-30 off")
            expect(page.locator("#many-lines")).to_have_value(PASTED)
            shots.take(page, "bulk-paste")
            page.locator("#many-error-summary a").click()
            assert _focused_id(page) == "many-lines"
            expect(page.locator("label[for=many-lines]")).to_be_in_viewport()
            shots.take(page, "bulk-paste-field")
        finally:
            context.close()
