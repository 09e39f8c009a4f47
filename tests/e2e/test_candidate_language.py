"""In real Chromium: a candidate's page speaks the language stored on the candidate, not the
browser's, and the page's switch stores a new choice (issue 14 item 8).

A candidate stored as writing Chinese opens their link in an English (en-GB) Chromium and reads
the page in Chinese; they switch to English on the page, which stores English on the candidate,
so a fresh browser, even a Chinese one, then shows English. Screenshots go to
tests/artifacts/<test>/.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from scheduler.extensions import db
from scheduler.models import AuditEvent, Candidate, Requisition, User
from scheduler.services.candidates import create_candidate_with_application
from scheduler.services.links import create_link
from tests.clock import NOW

VIEWPORT = {"width": 1100, "height": 900}


def _chinese_candidate_with_a_link(app) -> tuple[int, str]:
    """Add 陈静 (stored language zh, Shanghai) to the demo role and send her a link."""
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(
            User.email == "coordinator@example.com"))
        requisition = db.session.scalar(sa.select(Requisition).where(
            Requisition.title_en == "Machine Learning Engineer"))
        application = create_candidate_with_application(
            coordinator, name="陈静", email="jing.chen@example.org", phone="+86 139 0000 0001",
            zone="Asia/Shanghai", language="zh", requisition_id=requisition.id, level="mid",
            now=NOW)
        application.current_stage = requisition.stages[2]  # a link is for the current stage
        _link, token = create_link(coordinator, application, requisition.stages[2:3], 0,
                                   NOW + timedelta(days=7), NOW)
        candidate_id = application.candidate_id
        db.session.commit()
        db.session.remove()
    return candidate_id, token


def _stored_language(app, candidate_id: int) -> str:
    with app.app_context():
        try:
            return db.session.get(Candidate, candidate_id).language
        finally:
            db.session.remove()


def test_the_page_speaks_the_candidates_language_and_the_switch_stores_a_new_one(
        browser, live_server, screenshots):
    candidate_id, token = _chinese_candidate_with_a_link(live_server.app)
    english_browser = browser.new_context(base_url=live_server.url, locale="en-GB",
                                          timezone_id="Asia/Shanghai", viewport=VIEWPORT)
    try:
        page = english_browser.new_page()
        assert page.evaluate("navigator.language") == "en-GB"
        page.goto(f"/schedule/{token}")
        # Stored zh, browser en-GB: the page is Chinese.
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.get_by_role("heading", name="选择面试时间")).to_be_visible()
        expect(page.get_by_text("时间均以 北京时间 Asia/Shanghai 显示。")).to_be_visible()
        expect(page.get_by_role("button", name="中文")).to_have_attribute("aria-pressed", "true")
        screenshots.take(page, "zh-candidate-in-en-GB-browser")

        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", name="Choose a time for your interview")).to_be_visible()
        expect(page.get_by_text("This page and our emails to you are now in English.")) \
            .to_be_visible()
        assert page.url == f"{live_server.url}/schedule/{token}"
        screenshots.take(page, "switched-to-english")
    finally:
        english_browser.close()
    assert _stored_language(live_server.app, candidate_id) == "en"
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "candidate.language_changed")) == 1
        db.session.remove()

    # A fresh browser, set to Chinese this time: the stored choice wins, the page is English.
    fresh = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                timezone_id="Asia/Shanghai", viewport=VIEWPORT)
    try:
        page = fresh.new_page()
        page.goto(f"/schedule/{token}")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", name="Choose a time for your interview")).to_be_visible()
        expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed",
                                                                              "true")
        expect(page.get_by_text("This page and our emails")).to_have_count(0)  # no flash here
        screenshots.take(page, "fresh-zh-CN-browser-shows-english")
    finally:
        fresh.close()
