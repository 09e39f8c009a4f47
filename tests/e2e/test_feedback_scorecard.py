"""In a real browser, in Chinese on a 375-px phone: an interviewer fills the ML system-design
scorecard of a held interview, leaves, comes back to the draft the page saved as they typed, and
submits it; the second panel member sees none of it until they submit their own, then sees both.

The interview is in the past, so it is inserted directly into the demo database (booking refuses
the past). The demo's system-design stage names the ML system-design rubric.
"""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from scheduler.extensions import db
from scheduler.models import Application, Candidate, Feedback, InterviewerProfile, User
from tests import factories as f
from tests.clock import NOW
from tests.e2e.sign_in import sign_in

PHONE = {"width": 375, "height": 812}
FIRST, SECOND = "li.wei@example.com", "zhang.min@example.com"
FIRST_EVIDENCE = "先定义离线AUC与线上转化率，并给出A/B实验方案"
FIRST_STRENGTH = "思路清晰，能主动权衡GBDT与深度模型"
SECOND_EVIDENCE = "对特征泄漏的处理很到位"


def _held_system_design(app) -> int:
    """Insert a system-design interview of 赵一鸣 that ended an hour ago; return its id."""
    with app.app_context():
        application = db.session.scalar(
            sa.select(Application).join(Candidate).where(Candidate.name == "赵一鸣"))
        panel = [db.session.scalar(sa.select(InterviewerProfile).join(User)
                                   .where(User.email == email)) for email in (FIRST, SECOND)]
        stage = application.current_stage
        assert stage.kind == "system_design" and stage.rubric is not None
        interview = f.make_interview(application=application, stage=stage, panel=panel,
                                     start_at=NOW - timedelta(hours=2))
        db.session.commit()
        return interview.id


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _sign_in(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", viewport=PHONE,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/interviewer/$"))
    return context, page


def _score_everything(page, evidence: str) -> None:
    """Score every criterion 3, the first one 4 with *evidence*."""
    criteria = page.locator("fieldset.criterion")
    assert criteria.count() == 8  # the ML system-design rubric's eight criteria
    for index in range(criteria.count()):
        criterion = criteria.nth(index)
        score = "4" if index == 0 else "3"
        criterion.locator(f'input[type="radio"][value="{score}"]').check()
    criteria.first.get_by_label("依据").fill(evidence)


def test_two_panel_members_write_blind_scorecards_on_a_phone(browser, live_server, screenshots):
    interview_id = _held_system_design(live_server.app)
    form_path = f"/interviewer/interviews/{interview_id}/feedback"

    first_context, page = _sign_in(browser, live_server, FIRST)
    try:
        # Home lists the interview under the feedback to write, with a link to its form.
        expect(page.get_by_role("heading", name=re.compile("待写的反馈"))).to_be_visible()
        screenshots.take(page, "first-home")
        page.get_by_role("link", name=re.compile("系统设计 · 赵一鸣")).click()
        expect(page).to_have_url(re.compile(form_path + "$"))
        expect(page.get_by_text("机器学习系统设计", exact=False).first).to_be_visible()
        first_criterion = page.locator("fieldset.criterion").first
        first_criterion.locator("summary").filter(has_text="各级别的期望").click()
        expect(first_criterion.locator("details.expectations dd").first).to_be_visible()
        assert _fits_the_screen(page), "the scorecard is wider than a phone"
        first_criterion.scroll_into_view_if_needed()
        screenshots.take(page, "first-criterion-with-expectations", full_page=False)

        _score_everything(page, FIRST_EVIDENCE)
        page.get_by_label("优势").fill(FIRST_STRENGTH)
        page.get_by_label("顾虑").fill("线上监控讲得较浅")
        page.locator("#recommendation").get_by_label("推荐", exact=True).check()
        page.locator("#hire_level").get_by_label("高级（8年以上）").check()
        # Saved as they type: the page says so, with the time and its zone.
        expect(page.locator("#draft-status")).to_contain_text("草稿已于", timeout=10000)
        expect(page.locator("#draft-status")).to_contain_text("Asia/Shanghai")
        page.locator("#recommendation").scroll_into_view_if_needed()
        screenshots.take(page, "first-draft-autosaved", full_page=False)

        # Leave, then come back to the saved draft.
        page.get_by_role("link", name="← 我的面试").click()
        expect(page.get_by_text("草稿已保存").first).to_be_visible()
        page.get_by_role("link", name=re.compile("系统设计 · 赵一鸣")).click()
        first_criterion = page.locator("fieldset.criterion").first
        expect(first_criterion.locator('input[value="4"]')).to_be_checked()
        expect(first_criterion.get_by_label("依据")).to_have_value(FIRST_EVIDENCE)
        expect(page.get_by_label("优势")).to_have_value(FIRST_STRENGTH)
        expect(page.locator("#hire_level").get_by_label("高级（8年以上）")).to_be_checked()
        first_criterion.get_by_label("依据").scroll_into_view_if_needed()
        screenshots.take(page, "first-draft-restored", full_page=False)

        page.get_by_role("button", name="提交反馈").click()
        expect(page.locator(".flash-success")).to_contain_text("你的反馈已提交并锁定")
        expect(page.get_by_role("heading", name="你的反馈")).to_be_visible()
        expect(page.locator("#feedback-form")).to_have_count(0)
        expect(page.get_by_text("提交你自己的反馈后", exact=False)).to_have_count(0)
        assert _fits_the_screen(page), "the submitted feedback is wider than a phone"
        screenshots.take(page, "first-submitted")
    finally:
        first_context.close()

    second_context, page = _sign_in(browser, live_server, SECOND)
    try:
        page.goto(form_path)
        # Nothing of the first panel member's feedback before submitting one's own.
        expect(page.get_by_text("提交你自己的反馈后，这里会显示其他面试官的反馈。")).to_be_visible()
        content = page.content()
        assert FIRST_EVIDENCE not in content and FIRST_STRENGTH not in content
        assert "李伟" not in page.locator("main").inner_text()
        page.locator("#others-heading").scroll_into_view_if_needed()
        screenshots.take(page, "second-before-submitting", full_page=False)

        _score_everything(page, SECOND_EVIDENCE)
        page.locator("#recommendation").get_by_label("强烈推荐").check()
        page.locator("#hire_level").get_by_label("中级（5–8年）").check()
        page.get_by_role("button", name="提交反馈").click()
        expect(page.locator(".flash-success")).to_contain_text("你的反馈已提交并锁定")
        # Now both: one's own, and the first panel member's beside it.
        panel = page.locator("section[aria-labelledby='others-heading']")
        expect(panel).to_contain_text("李伟")
        expect(panel).to_contain_text(FIRST_EVIDENCE)
        expect(panel).to_contain_text(FIRST_STRENGTH)
        expect(page.locator("section[aria-labelledby='mine-heading']")).to_contain_text(
            SECOND_EVIDENCE)
        assert _fits_the_screen(page), "the feedback page is wider than a phone"
        screenshots.take(page, "second-after-submitting")
        page.locator("#others-heading").evaluate("heading => heading.scrollIntoView()")
        screenshots.take(page, "second-reads-the-first", full_page=False)
    finally:
        second_context.close()

    with live_server.app.app_context():
        submitted = db.session.scalars(sa.select(Feedback).where(
            Feedback.interview_id == interview_id)).all()
        assert len(submitted) == 2 and all(fb.submitted_at == NOW for fb in submitted)
