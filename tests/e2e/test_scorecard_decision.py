"""In a real browser, in Chinese: the coordinator opens 赵一鸣's scorecard after a system design
where the two panel members disagree on one criterion, sees the disagreement flagged, records
"advance", and is offered the next step (send a link or book the project deep dive) on the
application page; the printable view renders with print media emulated (no navigation, no form).

The interview is in the past, so it is inserted into the demo database directly and its two
feedbacks are submitted through the feedback service.
"""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from scheduler.extensions import db
from scheduler.models import Application, Candidate, InterviewerProfile, StageDecision, User
from scheduler.services.feedback import FeedbackInput, submit_feedback
from scheduler.services.rubrics import rubric_definition
from tests import factories as f
from tests.clock import NOW
from tests.e2e.sign_in import sign_in

DESKTOP = {"width": 1280, "height": 900}


def _scored_system_design(app) -> int:
    """Insert 赵一鸣's held system design; 李伟 scores the first criterion 1, 张敏 3; return the
    application's id."""
    with app.app_context():
        application = db.session.scalar(
            sa.select(Application).join(Candidate).where(Candidate.name == "赵一鸣"))
        panel = [db.session.scalar(sa.select(InterviewerProfile).join(User)
                                   .where(User.email == email))
                 for email in ("li.wei@example.com", "zhang.min@example.com")]
        stage = application.current_stage
        interview = f.make_interview(application=application, stage=stage, panel=panel,
                                     start_at=NOW - timedelta(hours=3))
        codes = rubric_definition(stage.rubric).criterion_codes
        for profile, first, verdict in ((panel[0], 1, "no"), (panel[1], 3, "yes")):
            scores = {code: 3 for code in codes} | {codes[0]: first}
            submit_feedback(profile.user, interview, FeedbackInput(
                scores=scores, evidence={code: f"{profile.user.name}的依据" for code in codes},
                strengths="结构清晰", concerns="", recommendation=verdict,
                hire_level="senior"), NOW - timedelta(hours=1))
        db.session.commit()
        return application.id


def test_the_coordinator_reads_a_disagreement_advances_and_prints(browser, live_server,
                                                                  screenshots):
    application_id = _scored_system_design(live_server.app)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", viewport=DESKTOP)
    page = context.new_page()
    try:
        sign_in(page, "coordinator@example.com")
        page.goto(f"/coordinator/applications/{application_id}")
        page.get_by_role("link", name="评分汇总与决定").click()
        expect(page.get_by_role("heading", name="评分汇总 · 赵一鸣")).to_be_visible()

        flagged = page.locator("tr.is-disagreement")
        expect(flagged).to_have_count(1)
        expect(flagged).to_contain_text("有分歧：评分相差 2 分")
        expect(flagged.locator("td.number")).to_have_text("2.0")
        expect(page.get_by_text("面试官在 1 个评分项上有分歧", exact=False)).to_be_visible()
        # Flagged in style too: the row is tinted.
        tint = flagged.locator("th").evaluate("cell => getComputedStyle(cell).backgroundColor")
        assert tint == "rgb(253, 236, 234)"
        screenshots.take(page, "scorecard")

        page.locator("#decision").scroll_into_view_if_needed()
        page.get_by_label("进入下一轮").check()
        screenshots.take(page, "decision-form", full_page=False)
        page.get_by_role("button", name="记录决定").click()
        expect(page).to_have_url(re.compile(rf"/coordinator/applications/{application_id}#decision$"))
        expect(page.locator(".flash-success")).to_contain_text("已记录决定：进入下一轮")
        next_step = page.locator(".next-step")
        expect(next_step).to_contain_text("下一步：项目经验")
        expect(next_step.get_by_role("link", name="发送预约链接")).to_be_visible()
        expect(next_step.get_by_role("link", name="预约时间")).to_be_visible()
        page.locator("#decision").scroll_into_view_if_needed()
        screenshots.take(page, "next-step-offered", full_page=False)

        page.goto(f"/coordinator/applications/{application_id}/feedback")
        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.locator("#decision")).to_be_hidden()
        expect(page.locator("table.scorecard-table")).to_be_visible()
        expect(page.get_by_text("打印于", exact=False)).to_be_visible()
        screenshots.take(page, "printed")
        page.emulate_media(media="screen")
        page.goto(f"/coordinator/applications/{application_id}/feedback?print=1")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.locator("table.scorecard-table")).to_be_visible()
        screenshots.take(page, "print-view-on-screen", full_page=False)
    finally:
        context.close()

    with live_server.app.app_context():
        decision = db.session.scalar(sa.select(StageDecision).where(
            StageDecision.application_id == application_id))
        assert decision.outcome == "advance" and not decision.is_override
        assert decision.application.current_stage.kind == "project_deep_dive"
