"""In a real browser on a 375-px phone, in Chinese and in English: the demo admin adds an opening
with a level and an office, gives it three stages (one refused first, its message beside the
field), makes the first two a loop, and sees a stage in the loop refuse to move."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in

PHONE = {"width": 375, "height": 812}
TEXT = {
    "zh": dict(openings="招聘职位",
               add="添加职位", title_zh="职位中文名称", title_en="职位英文名称", code="代码",
               name_zh="中文名称", name_en="英文名称", years="年限", save="保存",
               add_stage="添加阶段", kind="类型", panel="面试官人数", day_start="候选人可接受的最早时间",
               save_stage="保存阶段", hours_error="候选人可接受时段的开始时间必须早于结束时间。",
               loop_box="1. 系统设计 与 2. 项目经验", save_loops="保存连续面试",
               loop_text="系统设计 + 项目经验", move_up="上移: HR终面",
               in_loop="第 2 阶段属于连续面试：请先将它移出连续面试。", office="上海 (SH)"),
    "en": dict(openings="Openings",
               add="Add an opening", title_zh="Title in Chinese", title_en="Title in English",
               code="Code", name_zh="Name in Chinese", name_en="Name in English", years="Years",
               save="Save", add_stage="Add a stage", kind="Kind", panel="Panel size",
               day_start="Candidate's day starts", save_stage="Save stage",
               hours_error="The candidate's hours must start before they end.",
               loop_box="1. System design and 2. Project deep dive", save_loops="Save loops",
               loop_text="System design + Project deep dive", move_up="Move up: HR final",
               in_loop="Stage 2 is part of a loop: take it out of the loop first.",
               office="Shanghai (SH)"),
}
STAGES = [("系统设计", "System design", "system_design", "2"),
          ("项目经验", "Project deep dive", "project_deep_dive", "1"),
          ("HR终面", "HR final", "hr_final", "1")]


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _snap(page, screenshots, name):
    assert _fits_the_screen(page), f"{name} is wider than a phone"
    screenshots.take(page, name)


@pytest.mark.parametrize("language, locale", [("zh", "zh-CN"), ("en", "en-GB")])
def test_the_admin_sets_up_an_opening_with_stages_and_a_loop(
        browser, live_server, screenshots, language, locale):
    text = TEXT[language]
    context = browser.new_context(base_url=live_server.url, locale=locale,
                                  timezone_id="Asia/Shanghai", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, "admin@example.com")
        if language == "en":
            page.get_by_role("button", name="English").click()
        page.get_by_role("navigation").get_by_role("link", name=text["openings"]).click()
        expect(page.locator("main")).to_contain_text("Machine Learning Engineer"
                                                     if language == "en" else "机器学习工程师")
        _snap(page, screenshots, f"{language}-openings")

        page.get_by_role("link", name=text["add"]).click()
        page.get_by_label(text["title_zh"], exact=True).fill("数据工程师")
        page.get_by_label(text["title_en"], exact=True).fill("Data Engineer")
        first_level = page.locator(".level-row").first
        first_level.get_by_label(text["code"], exact=True).fill("mid")
        first_level.get_by_label(text["name_zh"], exact=True).fill("中级（5–8年）")
        first_level.get_by_label(text["name_en"], exact=True).fill("Mid (5–8 years)")
        first_level.get_by_label(text["years"], exact=True).fill("5-8")
        page.get_by_label(text["office"]).check()
        _snap(page, screenshots, f"{language}-opening-form")
        page.get_by_role("button", name=text["save"], exact=True).click()
        expect(page).to_have_url(re.compile(r"/coordinator/openings/\d+$"))

        for number, (name_zh, name_en, kind, panel) in enumerate(STAGES):
            page.get_by_role("link", name=text["add_stage"]).click()
            page.get_by_label(text["name_zh"], exact=True).fill(name_zh)
            page.get_by_label(text["name_en"], exact=True).fill(name_en)
            page.get_by_label(text["kind"], exact=True).select_option(kind)
            page.get_by_label(text["panel"], exact=True).fill(panel)
            if number == 0:  # first try hours that end before they start
                page.get_by_label(text["day_start"], exact=True).fill("22:00")
                page.get_by_role("button", name=text["save_stage"]).click()
                expect(page.locator("#candidate_day_end-errors")).to_have_text(
                    text["hours_error"])
                _snap(page, screenshots, f"{language}-stage-refused")
                page.get_by_label(text["day_start"], exact=True).fill("08:00")
            page.get_by_role("button", name=text["save_stage"]).click()
            expect(page.locator(".stage-item")).to_have_count(number + 1)

        page.get_by_label(text["loop_box"]).check()
        page.get_by_role("button", name=text["save_loops"]).click()
        expect(page.locator("#loops")).to_contain_text(text["loop_text"])
        expect(page.locator(".stage-item.in-loop")).to_have_count(2)
        _snap(page, screenshots, f"{language}-opening-with-loop")

        page.get_by_role("button", name=text["move_up"]).click()
        expect(page.locator(".flash-error")).to_have_text(text["in_loop"])
        _snap(page, screenshots, f"{language}-move-refused")
    finally:
        context.close()
