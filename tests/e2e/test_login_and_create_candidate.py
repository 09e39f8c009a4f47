"""In a real browser: the demo coordinator signs in, sees the applications, reads the process on
the opening's page, and adds a candidate."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from scheduler.demo import CANDIDATES, DEMO_PASSWORD, STAGES
from scheduler.demo.feedback import FEEDBACK_CANDIDATES
from tests.e2e.sign_in import sign_in

TEXT = {
    "zh": dict(sign_in="登录", email="邮箱", password="密码", home="应聘申请", openings="招聘职位",
               new="新建候选人", name="姓名", phone="电话", zone="时区",
               language="邮件与预约页面使用的语言", level="职级", add="添加候选人",
               title="机器学习工程师", bad_email="请输入有效的邮箱地址",
               added="已添加", zone_note="时间均以 北京时间 Asia/Shanghai 显示。",
               forbidden="无权访问"),
    "en": dict(sign_in="Sign in", email="Email", password="Password",
               home="Applications", openings="Openings", new="New candidate", name="Name",
               phone="Phone", zone="Time zone", language="Language for emails and the booking page",
               level="Level", add="Add candidate", title="Machine Learning Engineer",
               bad_email="Enter a valid email address", added="Added",
               zone_note="Times are shown in Asia/Shanghai, GMT+08:00.", forbidden="Not allowed"),
}

BROWSERS = [
    # A phone in Beijing reading Chinese, and a laptop in London reading English.
    pytest.param(dict(locale="zh-CN", timezone_id="Asia/Shanghai",
                      viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True),
                 "zh", dict(name="周子墨", email="zimo.zhou@example.org", zone="Europe/London"),
                 id="zh-CN-phone"),
    pytest.param(dict(locale="en-GB", timezone_id="Europe/London",
                      viewport={"width": 1280, "height": 900}),
                 "en", dict(name="Grace Hopper", email="grace.hopper@example.org",
                            zone="America/New_York"),
                 id="en-laptop"),
]


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("context_args, language, candidate", BROWSERS)
def test_the_demo_coordinator_signs_in_and_adds_a_candidate(
        browser, live_server, screenshots, context_args, language, candidate):
    text = TEXT[language]
    context = browser.new_context(base_url=live_server.url, **context_args)
    page = context.new_page()
    try:
        # The sign-in page speaks the browser's language.
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/login$"))
        expect(page.get_by_role("heading", name=text["sign_in"])).to_be_visible()
        assert _fits_the_screen(page)
        screenshots.take(page, "login")

        page.get_by_label(text["email"], exact=True).fill("coordinator@example.com")
        page.get_by_label(text["password"], exact=True).fill("not the password")
        page.get_by_role("button", name=text["sign_in"]).click()
        expect(page.locator(".form-errors")).to_be_visible()
        screenshots.take(page, "login-wrong-password")

        page.get_by_label(text["password"], exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name=text["sign_in"]).click()
        expect(page).to_have_url(re.compile(r"/coordinator/$"))
        if language == "en":
            # The demo coordinator's stored preference is Chinese; the switch changes it.
            expect(page.get_by_role("heading", name=TEXT["zh"]["home"], exact=True)).to_be_visible()
            page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", name=text["home"], exact=True)).to_be_visible()
        expect(page.get_by_text(text["zone_note"])).to_be_visible()
        expect(page.locator("table.stack tbody tr")).to_have_count(len(CANDIDATES) + len(FEEDBACK_CANDIDATES))
        assert _fits_the_screen(page)
        screenshots.take(page, "coordinator-home")

        # The process is on the opening's page.
        page.get_by_role("navigation").get_by_role("link", name=text["openings"]).click()
        page.get_by_role("link", name=text["title"]).click()
        expect(page.get_by_role("heading", name=text["title"])).to_be_visible()
        expect(page.locator(".stage-title strong")).to_have_text(
            [stage[f"name_{language}"] for stage in STAGES])
        page.goto("/coordinator/")

        page.locator(".page-head").get_by_role("link", name=text["new"]).click()
        expect(page.get_by_role("heading", name=text["new"])).to_be_visible()
        assert _fits_the_screen(page)
        screenshots.take(page, "new-candidate")

        page.get_by_label(text["name"], exact=True).fill(candidate["name"])
        page.get_by_label(text["email"], exact=True).fill("not-an-email@")
        page.get_by_label(text["phone"], exact=True).fill("+44 7700 900456")
        page.get_by_label(text["zone"], exact=True).fill(candidate["zone"])
        page.get_by_label(text["language"]).select_option("en")
        page.get_by_label(text["level"], exact=True).select_option("senior")
        page.get_by_role("button", name=text["add"]).click()
        expect(page.locator("#email-errors")).to_contain_text(text["bad_email"])
        expect(page.get_by_label(text["zone"], exact=True)).to_have_value(candidate["zone"])
        screenshots.take(page, "new-candidate-invalid-email")

        page.get_by_label(text["email"], exact=True).fill(candidate["email"])
        page.get_by_role("button", name=text["add"]).click()
        expect(page).to_have_url(re.compile(r"/coordinator/$"))
        expect(page.locator(".flash")).to_contain_text(f"{text['added']} {candidate['name']}")
        row = page.locator("table.stack tbody tr").filter(has_text=candidate["email"])
        expect(row).to_contain_text(candidate["zone"])
        expect(row).to_contain_text(STAGES[0][f"name_{language}"])
        expect(page.locator("table.stack tbody tr")).to_have_count(len(CANDIDATES) + len(FEEDBACK_CANDIDATES) + 1)
        assert _fits_the_screen(page)
        screenshots.take(page, "candidate-added")

        # A coordinator is not an interviewer: that page is refused, in the same language.
        response = page.goto("/interviewer/")
        assert response.status == 403
        expect(page.get_by_role("heading", name=text["forbidden"])).to_be_visible()
        assert _fits_the_screen(page)
        screenshots.take(page, "forbidden")
    finally:
        context.close()


def test_an_interviewer_sees_their_interview_in_their_own_zone(browser, live_server, screenshots):
    import sqlalchemy as sa

    from scheduler.extensions import db
    from scheduler.models import Application, Candidate, User
    from tests.factories import make_interview

    with live_server.app.app_context():
        def profile(email):
            return db.session.scalar(sa.select(User).where(User.email == email)).interviewer_profile
        application = db.session.scalar(sa.select(Application).join(Candidate).where(
            Candidate.email == "daniel.kim@example.org"))
        # A fixed day far from today: the page lists interviews that have not ended yet.
        make_interview(application, panel=[profile("oliver.smith@example.com"),
                                           profile("li.wei@example.com")],
                       start_at=datetime(2030, 6, 3, 8, 0, tzinfo=timezone.utc),
                       video_url="https://meet.example.com/oliver.smith")
        db.session.commit()

    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  timezone_id="Europe/London",
                                  viewport={"width": 375, "height": 812}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, "oliver.smith@example.com")
        expect(page).to_have_url(re.compile(r"/interviewer/$"))
        expect(page.get_by_role("heading", name="My upcoming interviews")).to_be_visible()
        card = page.locator(".interview")
        expect(card).to_have_count(1)
        expect(card.locator(".when")).to_have_text(
            "Your time: Mon 3 Jun 2030, 09:00–10:00 (Europe/London, GMT+01:00)")
        expect(card).to_contain_text("System design · Daniel Kim")
        expect(card.locator(".when-also")).to_have_text(
            "Candidate's time: Mon 3 Jun 2030, 01:00–02:00 (America/Los_Angeles, GMT-07:00)")
        expect(card).to_contain_text("Oliver Smith, 李伟")
        expect(page.get_by_text("Times are shown in Europe/London, GMT+")).to_be_visible()
        assert _fits_the_screen(page)
        screenshots.take(page, "interviewer-home")
    finally:
        context.close()
