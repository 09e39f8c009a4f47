"""In a real browser: 王芳 (Beijing, Chinese, a phone) changes a connected CalDAV account without
ever seeing its password or the secret part of a subscription address (issue 21, item 3).

The demo gives her an uploaded file; the test adds a CalDAV account and a subscription to the
live server's database. The password field shows "••••" and says blank keeps it; saving a new name
with the field blank keeps the password. Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from scheduler.extensions import db
from scheduler.models import CalendarSource, User
from tests.clock import NOW
from tests.e2e.sign_in import sign_in

PHONE = dict(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 375, "height": 812},
             is_mobile=True, has_touch=True)
TOKEN = "tok-0a9f3e51c2"
DAV_PASSWORD = "pw-Zq8!secret"


def test_a_calendar_is_changed_without_showing_its_secrets(browser, live_server, screenshots):
    with live_server.app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == "wang.fang@example.com")).one()
        profile_id = user.interviewer_profile.id
        db.session.add_all([
            CalendarSource(interviewer_id=profile_id, kind="url", name="团队日历", created_at=NOW,
                           url=f"https://calendar.example.com/private-{TOKEN}/basic.ics"),
            CalendarSource(interviewer_id=profile_id, kind="caldav", name="飞书日历", created_at=NOW,
                           url="https://caldav.feishu.example/alice/", username="alice",
                           password=DAV_PASSWORD)])
        db.session.commit()
    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    try:
        sign_in(page, "wang.fang@example.com")
        page.goto(f"/availability/{profile_id}#calendars")
        sources = page.locator(".sources")
        expect(sources).to_contain_text("calendar.example.com…")
        expect(sources).to_contain_text("caldav.feishu.example… · alice")
        sources.locator(".source").filter(has_text="飞书日历").get_by_role("link", name="修改").click()
        expect(page.get_by_role("heading", name="修改日历“飞书日历”")).to_be_visible()
        expect(page.locator(".stored-password")).to_have_text("••••")
        expect(page.get_by_text("留空则保留当前密码。")).to_be_visible()
        password = page.get_by_label("新密码", exact=True)
        expect(password).to_have_value("")
        expect(password).to_have_attribute("placeholder", "••••")
        screenshots.take(page, "phone-change-caldav")
        page.get_by_label("日历名称", exact=True).fill("飞书（工作）")
        page.get_by_role("button", name="保存").click()
        expect(page.locator(".flash-success")).to_contain_text("已保存日历“飞书（工作）”。")
        page.locator("#calendars").scroll_into_view_if_needed()
        screenshots.take(page, "phone-calendars-after-change", full_page=False)
        html = page.content()
        assert DAV_PASSWORD not in html and TOKEN not in html
    finally:
        context.close()
    with live_server.app.app_context():
        source = db.session.scalars(sa.select(CalendarSource).where(CalendarSource.kind == "caldav")).one()
        assert (source.name, source.password) == ("飞书（工作）", DAV_PASSWORD)
