"""In a real browser: the demo coordinator (who reads Chinese) narrows the applications list by
part of a Chinese name and by state, reads it on a phone, then in English, and downloads it as
CSV. Photographed at laptop width and at 375 px, which it must fit without sideways scrolling."""
from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_coordinator_searches_filters_and_exports_the_list(browser, live_server, screenshots):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", viewport=LAPTOP,
                                  accept_downloads=True)
    page = context.new_page()
    rows = page.locator("tr[data-application]")
    try:
        sign_in(page, "coordinator@example.com")
        expect(page).to_have_url(re.compile(r"/coordinator/$"))
        expect(page.get_by_role("heading", name="应聘申请", exact=True)).to_be_visible()
        screenshots.take(page, "list-laptop-zh")

        page.get_by_label("姓名、邮箱或电话").fill("雨萱")
        page.get_by_role("button", name="搜索").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("林雨萱")

        page.get_by_role("link", name="清除筛选").click()
        page.get_by_label("进展", exact=True).select_option(label="待提交反馈")
        page.get_by_role("button", name="搜索").click()
        expect(rows.first).to_be_visible()
        kinds = set(rows.evaluate_all("rows => rows.map(row => row.dataset.state)"))
        assert kinds == {"feedback_pending"}
        expect(page.locator(".state-cell.is-overdue").first).to_contain_text("已逾期")
        screenshots.take(page, "feedback-pending-laptop-zh")

        page.set_viewport_size(PHONE)
        assert _fits_the_screen(page)
        screenshots.take(page, "feedback-pending-phone-zh", full_page=False)
        page.locator("tr[data-application]").first.scroll_into_view_if_needed()
        screenshots.take(page, "feedback-pending-phone-zh-rows", full_page=False)

        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", name="Applications", exact=True)).to_be_visible()
        expect(rows.first).to_contain_text("Feedback pending")
        assert _fits_the_screen(page)
        page.locator("tr[data-application]").first.scroll_into_view_if_needed()
        screenshots.take(page, "feedback-pending-phone-en", full_page=False)

        with page.expect_download() as download:
            page.get_by_role("link", name="Download CSV").click()
        body = open(download.value.path(), "rb").read()
        assert body.startswith("\ufeff".encode("utf-8"))
        header, *lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        assert "Last activity (Asia/Shanghai)" in header
        assert {line[header.index("State")] for line in lines} == {"Feedback pending"}
        assert len(lines) == rows.count()
    finally:
        context.close()
