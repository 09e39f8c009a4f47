"""In real Chromium: a browser that reports Asia/Calcutta is in Asia/Kolkata (issue 14 item 6).

Chromium reports CLDR's zone ids, and CLDR still calls India's zone Asia/Calcutta, whatever the
emulated zone is spelled. The candidate page must not offer a candidate stored in Asia/Kolkata
to "switch" to it, and a switch through the offer stores the current name, which the coordinator
then sees on the application's history. Screenshots go to tests/artifacts/<test>/.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from scheduler.demo import DEMO_PASSWORD
from scheduler.extensions import db
from scheduler.models import Candidate, Requisition, User
from scheduler.services.candidates import create_candidate_with_application
from scheduler.services.links import create_link
from tests.clock import NOW

INDIA = dict(locale="en-IN", timezone_id="Asia/Calcutta", viewport={"width": 1280, "height": 900})


def _candidate_with_link(live_server, name: str, email: str, zone: str) -> tuple[int, int, str]:
    """Add a candidate in *zone* with a link for the first stage; return (candidate, application, token)."""
    with live_server.app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == "coordinator@example.com"))
        requisition = db.session.scalar(sa.select(Requisition).where(
            Requisition.title_en == "Machine Learning Engineer"))
        application = create_candidate_with_application(
            coordinator, name=name, email=email, phone="", zone=zone, language="en",
            requisition_id=requisition.id, level="mid", now=NOW)
        _link, token = create_link(coordinator, application, requisition.stages[:1], 0,
                                   NOW + timedelta(days=7), NOW)
        db.session.commit()
        ids = application.candidate_id, application.id
        db.session.remove()
    return (*ids, token)


def _stored_zone(live_server, candidate_id: int) -> str:
    with live_server.app.app_context():
        zone = db.session.get(Candidate, candidate_id).zone
        db.session.remove()
    return zone


def test_a_candidate_in_kolkata_is_not_offered_calcutta(browser, live_server, screenshots):
    candidate_id, _, token = _candidate_with_link(
        live_server, "Ananya Iyer", "ananya.iyer@example.org", "Asia/Kolkata")
    context = browser.new_context(base_url=live_server.url, **INDIA)
    page = context.new_page()
    try:
        page.goto(f"/schedule/{token}")
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Calcutta"
        expect(page.get_by_text("Times are shown in Asia/Kolkata")).to_be_visible()
        # The script has run (it is deferred) and found nothing to offer.
        page.wait_for_load_state("load")
        expect(page.locator("#zone-offer")).to_be_hidden()
        screenshots.take(page, "kolkata-no-offer")
    finally:
        context.close()
    assert _stored_zone(live_server, candidate_id) == "Asia/Kolkata"


def test_the_offer_switches_to_the_current_name_and_the_coordinator_sees_it(
        browser, live_server, screenshots):
    candidate_id, application_id, token = _candidate_with_link(
        live_server, "Rohan Mehta", "rohan.mehta@example.org", "Asia/Shanghai")
    candidate = browser.new_context(base_url=live_server.url, **INDIA)
    staff = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                viewport={"width": 1280, "height": 900})
    try:
        page = candidate.new_page()
        page.goto(f"/schedule/{token}")
        offer = page.locator("#zone-offer")
        expect(offer).to_be_visible()
        expect(offer).to_contain_text("Your device is set to Asia/Kolkata.")
        screenshots.take(page, "shanghai-offer")
        offer.get_by_role("button").click()
        expect(page.get_by_text("Times are now shown in")).to_contain_text("Asia/Kolkata")
        expect(page.locator("#zone-offer")).to_be_hidden()
        screenshots.take(page, "switched")
        assert _stored_zone(live_server, candidate_id) == "Asia/Kolkata"

        desk = staff.new_page()
        desk.goto("/login")
        desk.get_by_label("邮箱", exact=True).fill("coordinator@example.com")
        desk.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
        desk.get_by_role("button", name="登录").click()
        desk.goto(f"/coordinator/applications/{application_id}")
        history = desk.locator("details.application-history")
        expect(history).to_contain_text("候选人更改了时区")
        expect(history).to_contain_text("Asia/Shanghai → Asia/Kolkata")
        screenshots.take(desk, "coordinator-history-zh")
        desk.get_by_role("button", name="English").click()
        expect(history).to_contain_text("The candidate changed their time zone")
        expect(history).to_contain_text("Time zone: Asia/Shanghai → Asia/Kolkata")
        screenshots.take(desk, "coordinator-history-en")
    finally:
        candidate.close()
        staff.close()
