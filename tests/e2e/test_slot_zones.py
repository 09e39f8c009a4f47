"""In real Chromium, in English and in Chinese, at 1366 px and at 375 px: the demo coordinator
(Shanghai) reads Daniel Kim's free times in his zone (Los Angeles) and opens the confirm page
(issue 16, item 3).

The list keeps the coordinator's own time beside the candidate's, the header names both zones,
and each panel member's time is shown in their own zone; the confirm page has one line per zone,
two different lines here. On a laptop the list is a table with its headings; on a phone each slot
is a stacked card whose cells carry their headings, and nothing is wider than the screen. Rows
are chosen by a property (a London interviewer on the panel, when the days shown have one), never
by position alone. Screenshots go to tests/artifacts/<test>/.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
WORDS = {
    "en": dict(switch="English", candidate="Candidate's time", yours="Your time",
               theirs=r"America/Los_Angeles, GMT-0[78]:00 \(the candidate's\)",
               own=r"Asia/Shanghai, GMT\+08:00 \(yours\)", panel="Panel",
               confirm="Confirm the booking"),
    "zh": dict(switch="中文", candidate="候选人当地时间", yours="你的时间",
               theirs=r"北美太平洋(标准|夏令)时间 America/Los_Angeles（候选人的时区）",
               own=r"北京时间 Asia/Shanghai（你的时区）", panel="面试官", confirm="确认预约"),
}
# A zone's label as the pages write it, in either language: "Europe/London, GMT+00:00" or
# "格林尼治标准时间 Europe/London".
ZONE_LABEL = re.compile(r"[A-Z][a-z]+/[A-Za-z_]+")
CLOCK_RANGE = re.compile(r"\d\d:\d\d–\d\d:\d\d")


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _display(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).display")


def _both_widths(page, screenshots, name: str, cell) -> None:
    """Photograph the page at 1366 px (a table) and at 375 px (stacked cards that fit)."""
    page.set_viewport_size(LAPTOP)
    assert _display(cell) == "table-cell"
    screenshots.take(page, f"{name}-1366")
    page.set_viewport_size(PHONE)
    assert _fits_the_screen(page), f"{name} is wider than a phone"
    assert _display(cell) == "grid"
    screenshots.take(page, f"{name}-375")
    page.set_viewport_size(LAPTOP)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_coordinator_reads_slots_in_the_candidates_zone_and_confirms(
        browser, live_server, screenshots, language):
    words = WORDS[language]
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  timezone_id="Asia/Shanghai", viewport=LAPTOP)
    page = context.new_page()
    try:
        sign_in(page, "coordinator@example.com")
        expect(page).to_have_url(re.compile(r"/coordinator/$"))
        page.get_by_role("button", name=words["switch"]).click()

        # Daniel Kim (Los Angeles) is at the system-design stage; read his times in his zone.
        page.get_by_role("link", name="Daniel Kim").click()
        page.locator("#zone").fill("America/Los_Angeles")
        page.locator(".search-form [type=submit]").click()
        expect(page.locator("#zone")).to_have_value("America/Los_Angeles")

        # The header names both zones, the candidate's first; so do the table's headings.
        note = page.locator(".zone-note")
        expect(note).to_contain_text(re.compile(words["theirs"]))
        expect(note).to_contain_text(re.compile(words["own"]))
        headings = page.locator("table.slots").first.locator("thead th")
        expect(headings.nth(0)).to_have_text(words["candidate"])
        expect(headings.nth(1)).to_have_text(words["yours"])

        rows = page.locator("table.slots tbody tr")
        with_london = rows.filter(has_text="Europe/London")
        row = with_london.first if with_london.count() else rows.first
        cells = row.locator("td")
        expect(cells.nth(0)).to_contain_text("America/Los_Angeles")
        expect(cells.nth(1)).to_contain_text("Asia/Shanghai")
        members = cells.nth(2).locator(".panel-times li")
        assert members.count() == 2  # two interviewers, one of them senior
        for n in range(members.count()):
            expect(members.nth(n).locator(".local")).to_contain_text(CLOCK_RANGE)
            expect(members.nth(n).locator(".local .quiet")).to_contain_text(ZONE_LABEL)
        _both_widths(page, screenshots, f"slots-{language}", cells.nth(0))

        # The confirm page: one line per zone (two different ones), and the panel in theirs.
        panel_text = members.first.locator(".who").inner_text()
        row.locator("a.button").click()
        expect(page.get_by_role("heading", name=words["confirm"])).to_be_visible()
        facts = page.locator("dl.facts")
        candidate_line = facts.locator("div", has=page.locator("dt", has_text=words["candidate"]))
        own_line = facts.locator("div", has=page.locator("dt", has_text=words["yours"]))
        expect(candidate_line.locator("dd")).to_contain_text("America/Los_Angeles")
        expect(own_line.locator("dd")).to_contain_text("Asia/Shanghai")
        assert candidate_line.locator("dd").inner_text() != own_line.locator("dd").inner_text()
        expect(facts.locator(".panel-times")).to_contain_text(panel_text)
        expect(page.locator(".zone-note")).to_contain_text(re.compile(words["own"]))
        page.set_viewport_size(PHONE)
        assert _fits_the_screen(page), "the confirm page is wider than a phone"
        screenshots.take(page, f"confirm-{language}-375")
        page.set_viewport_size(LAPTOP)
        screenshots.take(page, f"confirm-{language}-1366")
    finally:
        context.close()
