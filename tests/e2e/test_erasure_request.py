"""In a real browser on a 375-px phone, in Chinese and in English: the demo coordinator opens a
candidate's application, asks to erase their data, is stopped until they confirm that the
candidate asked, and then sees the request taken and the candidate marked "erasure pending"
(issue 25 item 3)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in

PHONE = {"width": 375, "height": 812}
TEXT = {
    "zh": dict(candidate="赵一鸣",
               erase="应要求删除数据", confirm="候选人已要求删除其数据",
               submit="删除候选人数据", unconfirmed="请确认这是候选人本人提出的要求。",
               done="已申请删除", pending="起等待删除"),
    "en": dict(candidate="Hannah Wright",
               erase="Erase data on request",
               confirm="The candidate asked for their data to be erased",
               submit="Erase the candidate's data",
               unconfirmed="Confirm that the candidate asked for this.",
               done="Erasure requested", pending="Erasure pending since"),
}


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("language, locale", [("zh", "zh-CN"), ("en", "en-GB")])
def test_the_coordinator_confirms_an_erasure_request(browser, live_server, screenshots,
                                                     language, locale):
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
        application_url = page.url
        page.get_by_role("link", name=text["erase"]).click()
        expect(page).to_have_url(re.compile(r"/erase$"))
        assert _fits_the_screen(page)
        screenshots.take(page, f"{language}-confirm")

        page.get_by_role("button", name=text["submit"]).click()
        expect(page.get_by_text(text["unconfirmed"]).first).to_be_visible()
        screenshots.take(page, f"{language}-not-confirmed")

        page.get_by_label(text["confirm"]).check()
        page.get_by_role("button", name=text["submit"]).click()
        expect(page).to_have_url(application_url)
        expect(page.locator(".flash-success")).to_contain_text(text["done"])
        expect(page.get_by_text(text["pending"])).to_be_visible()
        expect(page.get_by_role("link", name=text["erase"])).to_have_count(0)
        assert _fits_the_screen(page)
        screenshots.take(page, f"{language}-pending", full_page=False)
    finally:
        context.close()
