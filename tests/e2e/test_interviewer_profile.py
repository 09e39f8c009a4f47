"""In a real browser, on a 375-px phone in Chinese: the demo coordinator filters the interviewers
list, opens an interviewer's profile, is told beside the field why a daily limit above the
weekly one is refused, fixes it and saves; the list then shows the new qualification and limits."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in

PHONE = dict(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 375, "height": 812},
             is_mobile=True, has_touch=True)


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_coordinator_edits_a_profile_on_a_phone_in_chinese(browser, live_server, screenshots):
    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    try:
        sign_in(page, "coordinator@example.com")
        expect(page).to_have_url(re.compile(r"/coordinator/$"))

        page.locator("nav.nav").get_by_role("link", name="面试官", exact=True).click()
        expect(page.get_by_role("heading", name="面试官", exact=True)).to_be_visible()
        expect(page.get_by_text("北京时间 Asia/Shanghai（GMT+08:00）").first).to_be_visible()
        assert _fits_the_screen(page)
        screenshots.take(page, "interviewers-list")

        # Narrow the list: senior system designers only, by a plain GET form.
        page.get_by_label("面试资格", exact=True).select_option("system_design")
        page.get_by_label("最低级别", exact=True).select_option("senior")
        page.get_by_role("button", name="筛选").click()
        expect(page).to_have_url(re.compile(r"kind=system_design.*level=senior"))
        rows = page.locator("table.stack tbody tr")
        expect(rows.filter(has_text="李伟")).to_have_count(1)
        expect(rows.filter(has_text="刘洋")).to_have_count(0)  # a shadow in system design
        screenshots.take(page, "interviewers-filtered")

        page.get_by_role("link", name="清除筛选").click()
        page.get_by_label("姓名或邮箱", exact=True).fill("liu.yang")
        page.get_by_role("button", name="筛选").click()
        row = page.locator("table.stack tbody tr").filter(has_text="刘洋")
        expect(row).to_contain_text("系统设计：旁听")
        row.get_by_role("link", name="编辑档案").click()

        expect(page.get_by_role("heading", name="刘洋 的档案")).to_be_visible()
        page.get_by_label("系统设计", exact=True).select_option("reverse_shadow")
        page.get_by_label("每天面试上限", exact=True).fill("5")
        page.get_by_label("每周面试上限", exact=True).fill("3")
        page.get_by_label("个人视频会议室", exact=True).fill("https://meet.example.com/liu-yang")
        page.get_by_role("button", name="保存档案").click()
        error = page.locator("#daily_cap-errors")
        expect(error).to_have_text("每天上限（5）高于每周上限（3）：请调低每天上限，或调高每周上限。")
        expect(page.get_by_label("每周面试上限", exact=True)).to_have_value("3")  # kept
        assert _fits_the_screen(page)
        screenshots.take(page, "profile-form-refused")

        page.get_by_label("每周面试上限", exact=True).fill("10")
        page.get_by_role("button", name="保存档案").click()
        expect(page).to_have_url(re.compile(r"/availability/interviewers$"))
        expect(page.get_by_text("刘洋 的档案已保存。")).to_be_visible()
        row = page.locator("table.stack tbody tr").filter(has_text="刘洋")
        expect(row).to_contain_text("系统设计：反向旁听")
        expect(row.locator(".load-week")).to_contain_text("/ 10")
        expect(row.locator(".load-today")).to_contain_text("/ 5")
        assert _fits_the_screen(page)
        screenshots.take(page, "interviewers-after-save")

        row.get_by_role("link", name="编辑档案").click()
        expect(page.get_by_label("个人视频会议室", exact=True)).to_have_value(
            "https://meet.example.com/liu-yang")
        screenshots.take(page, "profile-form-saved")
    finally:
        context.close()
