"""In real Chromium on a 375-px phone, in Chinese and in English: a candidate whose interview
would reach staff in London reads the privacy notice, cannot book without acknowledging it and
agreeing separately to the United Kingdom, may decline (nothing booked, the mailbox offered), and
books once both boxes are ticked; the notice is a public page in their language (issue 24).

The demo is served; the test adds an opening whose one stage only a new London interviewer may
hold, so every time offered reaches London by construction. Screenshots go to
tests/artifacts/<test>/.
"""
from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from scheduler.extensions import db
from scheduler.models import Consent, Interview, Office, User
from scheduler.services.candidates import create_candidate_with_application
from scheduler.services.links import create_link
from scheduler.services.privacy_notices import current_version
from tests import factories as f
from tests.clock import NOW
from tests.e2e.slot_picking import slot_link_starting_after

PHONE = dict(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
CONTEXTS = {"zh": dict(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE),
            "en": dict(locale="en-GB", timezone_id="Europe/London", **PHONE)}
WORDS = {
    "zh": dict(book="预约这个时间", tick="请勾选确认你已阅读隐私声明", country="英国",
               agree="要预约这个时间，需要你单独同意", decline="我不同意", nothing="没有预约任何面试",
               booked="你的面试已预约。", notice="隐私声明", heading="候选人隐私声明",
               consent="单独同意：向中国大陆以外提供你的信息"),
    "en": dict(book="Book this time", tick="Tick the box to confirm that you have read the "
               "privacy notice", country="United Kingdom", agree="To book this time, agree "
               "separately", decline="I do not agree", nothing="Nothing has been booked",
               booked="Your interview is booked.", notice="Privacy notice",
               heading="Privacy notice for candidates",
               consent="Your separate consent: information going outside mainland China"),
}


def _fits(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _london_only_link(app, language: str) -> tuple[str, int]:
    """Add an opening whose stage only a new London interviewer holds, a candidate in it, and a
    link; return (token, application id)."""
    with app.app_context():
        london = db.session.scalar(sa.select(Office).where(Office.code == "LON"))
        f.make_interviewer(office=london, windows=((0, 5), time(7, 0), time(20, 0)),
                           qualifications={"coding_test": "senior"},
                           user=f.make_user(name="Grace Hopper", language="en"))
        requisition = f.make_requisition(
            title_en="Research Engineer", title_zh="研究工程师",
            stages=[dict(kind="coding_test", name_en="Coding interview", name_zh="编程面试",
                         required_level="senior", mode="video", duration_minutes=60,
                         panel_size=1, min_notice_minutes=0, horizon_days=14)])
        coordinator = db.session.scalar(sa.select(User).where(
            User.email == "coordinator@example.com"))
        application = create_candidate_with_application(
            coordinator, name=f"Privacy {language}", email=f"privacy.{language}@example.org",
            phone="", zone=CONTEXTS[language]["timezone_id"], language=language,
            requisition_id=requisition.id, level="mid", now=NOW)
        _link, token = create_link(coordinator, application, requisition.stages, 0,
                                   NOW + timedelta(days=7), NOW)
        db.session.commit()
        application_id = application.id
        db.session.remove()
    return token, application_id


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_candidate_acknowledges_the_notice_and_consents_separately_on_a_phone(
        browser, live_server, screenshots, language):
    token, application_id = _london_only_link(live_server.app, language)
    words = WORDS[language]
    context = browser.new_context(base_url=live_server.url, **CONTEXTS[language])
    page = context.new_page()
    try:
        page.goto(f"/schedule/{token}")
        expect(page.get_by_role("link", name=words["notice"], exact=True)).to_be_visible()
        slot_link_starting_after(page, NOW + timedelta(days=1)).click()
        confirm_url = page.url
        consent = page.locator("fieldset.transfer-consent")
        expect(consent.locator("legend")).to_have_text(words["consent"])
        expect(consent).to_contain_text(words["country"])
        expect(consent).to_contain_text("6 Pancras Square")
        assert _fits(page)
        screenshots.take(page, "confirm")

        # Neither box ticked: refused on the same step, nothing booked.
        page.get_by_role("button", name=words["book"]).click()
        expect(page.locator(".error-summary")).to_contain_text(words["tick"])
        expect(page.locator(".error-summary")).to_contain_text(words["agree"])
        assert _fits(page)
        screenshots.take(page, "refused")

        # Declining: nothing is booked and the recruiting mailbox is offered.
        page.get_by_role("link", name=words["decline"]).click()
        expect(page.get_by_role("heading", name=words["nothing"])).to_be_visible()
        expect(page.get_by_role("main").get_by_role("link", name="ml-hr@example.com")).to_be_visible()
        screenshots.take(page, "declined")
        page.goto(confirm_url)

        # Both ticked: booked, and what was agreed is stored with the notice's version.
        page.locator("#acknowledge").check()
        page.locator("#cross_border").check()
        page.get_by_role("button", name=words["book"]).click()
        expect(page.get_by_text(words["booked"])).to_be_visible()
        screenshots.take(page, "booked")
        with live_server.app.app_context():
            records = db.session.scalars(sa.select(Consent).where(
                Consent.application_id == application_id)).all()
            assert sorted((c.kind, tuple(c.countries), c.notice_version) for c in records) == [
                ("cross_border", ("GB",), current_version()), ("notice", (), current_version())]
            assert db.session.scalar(sa.select(sa.func.count(Interview.id)).where(
                Interview.application_id == application_id)) == 1
            db.session.remove()

        # The notice: public, in the candidate's language.
        page.get_by_role("link", name=words["notice"], exact=True).click()
        expect(page.get_by_role("heading", name=words["heading"])).to_be_visible()
        expect(page.locator("article.notice-text")).to_contain_text(words["country"])
        assert _fits(page)
        screenshots.take(page, "notice", full_page=False)
    finally:
        context.close()
