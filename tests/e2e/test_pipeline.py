"""In a real browser (issue 20): the demo coordinator finds a candidate by typing part of their
Chinese name in the applications list's search, opens the pipeline board, and sends the
candidate a scheduling link from their card, which then says the link is sent; then the
overview. The list, the board and the overview are photographed at 1366 px (a laptop) and at
375 px (a phone), where the board's columns scroll sideways inside their own box and no page
scrolls sideways itself.

The candidate is picked by property, not by name: an open application whose state is "needs
scheduling" at a stage that is booked with a panel, whose candidate's name is Chinese (the
demo's history decides who that is at NOW).
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.clock import NOW
from tests.e2e.sign_in import sign_in

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
CJK = re.compile(r"[\u4e00-\u9fff]+")


def _candidate_to_schedule(app) -> tuple[int, str, str]:
    """Return (application id, candidate name, a part of the name to type) for a demo candidate
    with a Chinese name whose current stage is still to be scheduled."""
    from scheduler.extensions import db
    from scheduler.models import Application
    from scheduler.services.pipeline import application_states

    with app.app_context():
        applications = list(db.session.scalars(
            sa.select(Application).where(Application.status == Application.ACTIVE)
            .order_by(Application.id)))
        states = application_states(applications, NOW)
        names = [a.candidate.name for a in applications]
        for application in applications:
            name = application.candidate.name
            stage = application.current_stage
            if (states[application.id].kind == "needs_scheduling" and CJK.fullmatch(name[-2:])
                    and stage is not None and stage.panel_size):
                part = name[-2:]  # the given name: two characters, not the whole name
                if sum(part in other for other in names) == 1:
                    return application.id, name, part
    raise AssertionError("the demo has no Chinese-named candidate to schedule")


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _sign_in(page):
    sign_in(page, "coordinator@example.com")
    expect(page).to_have_url(re.compile(r"/coordinator/"))


def test_find_a_candidate_then_send_a_link_from_the_pipeline(browser, live_server, screenshots):
    application_id, name, part = _candidate_to_schedule(live_server.app)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", viewport=LAPTOP)
    page = context.new_page()
    try:
        _sign_in(page)
        # The list: part of the Chinese name finds the candidate, and only them.
        page.goto("/coordinator/")
        search = page.locator("input[name=q]")
        search.fill(part)
        search.press("Enter")
        expect(page).to_have_url(re.compile(r"[?&]q="))
        results = page.locator("table.application-list tbody tr")
        expect(results).to_have_count(1)
        expect(results.first).to_contain_text(name)
        screenshots.take(page, "list-laptop")

        # The pipeline: the candidate's card says what is next; sending the link from it comes
        # back to the board with the card moved on to "link sent".
        page.locator("nav.nav").get_by_role("link", name="招聘流程", exact=True).click()
        expect(page.get_by_role("heading", name="招聘流程", exact=True)).to_be_visible()
        card = page.locator(f'li.pipeline-card[data-application-id="{application_id}"]')
        expect(card).to_contain_text(name)
        expect(card.locator(".state-label")).to_have_text("待安排面试")
        card.get_by_role("button", name="发送链接").click()
        expect(page.locator(".flash-success")).to_contain_text("预约链接")
        card = page.locator(f'li.pipeline-card[data-application-id="{application_id}"]')
        expect(card.locator(".state-label")).to_have_text("已发预约链接")
        expect(card.get_by_role("button", name="发送链接")).to_have_count(0)
        expect(page).to_have_url(re.compile(r"/coordinator/pipeline"))
        screenshots.take(page, "pipeline-laptop")

        # The overview: the funnel and the other figures, each chart named.
        page.locator("nav.nav").get_by_role("link", name="概览", exact=True).click()
        expect(page.get_by_role("heading", name="漏斗", exact=True)).to_be_visible()
        expect(page.locator("svg.funnel-chart title")).to_contain_text("漏斗")
        charts = page.locator("svg.chart")
        expect(charts.first).to_be_visible()
        assert charts.count() == page.locator("svg.chart[role=img] > title").count()
        screenshots.take(page, "overview-laptop")

        # On a phone: no page scrolls sideways; the board's columns scroll inside their box.
        # Each photograph shows what matters, scrolled to it (a whole phone page is too tall).
        page.set_viewport_size(PHONE)
        page.goto(f"/coordinator/?q={part}")
        row = page.locator("table.application-list tbody tr").first
        expect(row).to_contain_text(name)
        assert _fits_the_screen(page)
        row.scroll_into_view_if_needed()
        screenshots.take(page, "list-phone", full_page=False)
        page.goto("/coordinator/pipeline")
        assert _fits_the_screen(page)
        columns = page.locator(".pipeline-columns")
        assert columns.evaluate("box => box.scrollWidth > box.clientWidth")
        card = page.locator(f'li.pipeline-card[data-application-id="{application_id}"]')
        card.scroll_into_view_if_needed()
        expect(card.locator(".state-label")).to_have_text("已发预约链接")
        screenshots.take(page, "pipeline-phone", full_page=False)
        page.goto("/coordinator/overview")
        expect(page.get_by_role("heading", name="漏斗", exact=True)).to_be_visible()
        assert _fits_the_screen(page)
        page.locator("#funnel-heading").scroll_into_view_if_needed()
        screenshots.take(page, "overview-phone-funnel", full_page=False)
        page.locator("#load-heading").scroll_into_view_if_needed()
        screenshots.take(page, "overview-phone-load", full_page=False)
    finally:
        context.close()
