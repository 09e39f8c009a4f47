"""In a real browser on a 375-px phone, in Chinese and in English: the demo coordinator sends a
scheduling link for the opening's loop (system design + project deep dive), then one for the
current stage alone. The form offers exactly these two choices, with the stage ticked by default,
and the browser lets it through (no box it would require)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in

PHONE = {"width": 375, "height": 812}
TEXT = {
    "zh": dict(candidate="赵一鸣",
               address="yiming.zhao@example.org",
               stage="当前这一轮：系统设计",
               loop="连续面试：系统设计 + 项目经验，同一天接连进行",
               send="发送链接", sent="预约链接已发送至 yiming.zhao@example.org。",
               loop_row="连续面试，休息 15 分钟", both="系统设计、项目经验", one="系统设计"),
    "en": dict(candidate="Hannah Wright",
               address="hannah.wright@example.org",
               stage="The current stage: System design",
               loop="The loop: System design + Project deep dive, back to back on one day",
               send="Send link", sent="Scheduling link sent to hannah.wright@example.org.",
               loop_row="loop, 15-minute break", both="System design, Project deep dive",
               one="System design"),
}


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("language, locale", [("zh", "zh-CN"), ("en", "en-GB")])
def test_the_coordinator_sends_a_link_for_the_loop_then_for_the_stage(
        browser, live_server, screenshots, language, locale):
    text = TEXT[language]
    context = browser.new_context(base_url=live_server.url, locale=locale,
                                  timezone_id="Asia/Shanghai", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, "coordinator@example.com")
        expect(page).to_have_url(re.compile(r"/coordinator/$"))
        if language == "en":  # the demo coordinator reads Chinese unless they switch
            page.get_by_role("button", name="English").click()
        page.get_by_role("link", name=text["candidate"]).first.click()
        expect(page).to_have_url(re.compile(r"/coordinator/applications/\d+$"))
        page.goto(page.url + "/links")

        form = page.locator("form.send-link")
        stage_choice = form.get_by_label(text["stage"])
        loop_choice = form.get_by_label(text["loop"])
        expect(stage_choice).to_be_checked()
        expect(loop_choice).not_to_be_checked()
        assert form.locator("input[type=checkbox]").count() == 0
        assert _fits_the_screen(page)
        screenshots.take(page, f"{language}-form")

        loop_choice.check()
        screenshots.take(page, f"{language}-loop-chosen")
        form.get_by_role("button", name=text["send"]).click()
        expect(page.locator(".flash-success")).to_contain_text(text["sent"])
        newest = page.locator(".link-row").first
        expect(newest).to_contain_text(text["both"])
        expect(newest).to_contain_text(text["loop_row"])
        assert _fits_the_screen(page)
        screenshots.take(page, f"{language}-loop-sent")

        # The stage alone is the default again.
        expect(page.locator("form.send-link").get_by_label(text["stage"])).to_be_checked()
        page.locator("form.send-link").get_by_role("button", name=text["send"]).click()
        expect(page.locator(".flash-success")).to_contain_text(text["sent"])
        rows = page.locator(".link-row")
        expect(rows).to_have_count(2)
        expect(rows.first.locator(".link-title strong")).to_have_text(text["one"])
        expect(rows.first).not_to_contain_text(text["loop_row"])
        assert _fits_the_screen(page)
        screenshots.take(page, f"{language}-stage-sent")
    finally:
        context.close()
