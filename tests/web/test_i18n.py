"""Chinese and English: the catalogue is complete, language choice, localized names and times."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from scheduler.i18n import format_local_datetime, format_local_range, localized, zone_label
from tests.factories import make_interviewer, make_requisition, make_user
from tests.web.helpers import csrf_token, post_form, sign_in

ROOT = Path(__file__).resolve().parents[2]
ZH_PO = ROOT / "scheduler" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
PASSWORD = "correct horse battery staple"


def test_every_translatable_string_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
                    "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=ROOT, check=True)
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with ZH_PO.open("rb") as f:
        catalog = read_po(f, locale="zh")
    translated = {m.id for m in catalog
                  if m.id and "fuzzy" not in m.flags
                  and all(m.string if isinstance(m.string, tuple) else [m.string])}
    assert len(wanted) > 50  # the extraction really found the project's strings
    missing = sorted(str(i) for i in wanted - translated)
    assert not missing, (
        "no Chinese translation in messages.po for: " + "; ".join(missing)
        + ". Update the catalogue as babel.cfg says, then fill in each msgstr.")
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems, f"translations whose placeholders do not match: {problems}"


@pytest.mark.parametrize("accept, title", [
    ("zh-CN,zh;q=0.9,en;q=0.8", "<title>登录 · 面试排期</title>"),
    ("en-GB,en;q=0.9", "<title>Sign in · Interview scheduler</title>"),
    ("fr-FR", "<title>Sign in · Interview scheduler</title>"),  # neither: the default
])
def test_an_anonymous_visitor_gets_the_browsers_language(client, accept, title):
    html = client.get("/login", headers={"Accept-Language": accept}).text
    assert title in html


def test_the_switch_stores_the_choice_in_the_session(client):
    page = client.get("/login", headers={"Accept-Language": "en"})
    response = client.post("/language", data={"csrf_token": csrf_token(page.text),
                                              "language": "zh", "next": "/login"},
                           headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/login"
    html = client.get("/login", headers={"Accept-Language": "en"}).text
    assert '<html lang="zh-CN">' in html and "登录" in html
    assert 'value="zh" lang="zh" aria-pressed="true"' in html


def test_the_switch_refuses_an_unknown_language_and_an_off_site_return(client):
    token = csrf_token(client.get("/login").text)
    assert client.post("/language", data={"csrf_token": token, "language": "fr"}).status_code == 400
    response = client.post("/language", data={"csrf_token": token, "language": "en",
                                              "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_signed_in_users_preference_beats_the_browser_and_the_switch_updates_it(client, db):
    user = make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD,
                     language="zh")
    db.session.commit()
    headers = {"Accept-Language": "en"}
    sign_in(client, "co@example.com", PASSWORD, headers=headers)
    html = client.get("/coordinator/", headers=headers).text
    assert "姓名、邮箱或电话" in html

    client.post("/language", data={"csrf_token": csrf_token(html), "language": "en",
                                   "next": "/coordinator/"}, headers=headers)
    db.session.refresh(user)
    assert user.language == "en"
    assert "Name, email or phone" in client.get("/coordinator/").text

    # A new session starts from the stored preference.
    other = client.application.test_client()
    sign_in(other, "co@example.com", PASSWORD, headers={"Accept-Language": "zh-CN"})
    assert "Name, email or phone" in other.get(
        "/coordinator/", headers={"Accept-Language": "zh-CN"}).text


def _pages(db):
    """Create one user with every role; return the pages to render and a marker per language."""
    make_interviewer(user=make_user(email="all@example.com", password=PASSWORD,
                                    roles=("admin", "coordinator", "interviewer")))
    make_requisition()
    db.session.commit()
    return {
        "/coordinator/": ("姓名、邮箱或电话", "Name, email or phone"),
        "/coordinator/candidates/new": ("新建候选人", "New candidate"),
        "/interviewer/": ("我即将进行的面试", "My upcoming interviews"),
        "/account/password": ("再次输入新密码", "Repeat the new password"),
        "/no-such-page": ("页面不存在", "Page not found"),
    }


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_renders_in_both_languages_through_the_switch(client, db, language):
    pages = _pages(db)
    sign_in(client, "all@example.com", PASSWORD)
    token = csrf_token(client.get("/coordinator/").text)
    client.post("/language", data={"csrf_token": token, "language": language})
    index = 0 if language == "zh" else 1
    for url, markers in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert markers[index] in response.text, url
        assert markers[1 - index] not in response.text, url
        assert f'<html lang="{"zh-CN" if language == "zh" else "en"}">' in response.text


@pytest.mark.parametrize("accept, language", [("zh-CN", "zh"), ("en-US", "en")])
def test_anonymous_pages_render_in_both_languages_by_accept_language(client, accept, language):
    for url, markers in {"/login": ("供面试官和招聘协调人员使用", "For interviewers and coordinators"),
                         "/nowhere": ("此地址没有页面", "There is no page at this address")}.items():
        html = client.get(url, headers={"Accept-Language": accept}).text
        assert markers[0 if language == "zh" else 1] in html


def test_wtforms_own_messages_follow_the_language(client, db):
    make_requisition()
    make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD, language="zh")
    db.session.commit()
    sign_in(client, "co@example.com", PASSWORD)
    response = post_form(client, "/coordinator/candidates/new", {
        "name": "x", "email": "x@example.org", "zone": "UTC", "language": "xx",
        "requisition_id": "1", "level": "mid"})
    assert "不是有效的选择" in response.text  # WTForms' "Not a valid choice" in Chinese


def test_localized_picks_the_language_column_and_falls_back():
    stage = {"name_zh": "系统设计", "name_en": "System design", "title_zh": "只有中文",
             "title_en": ""}
    assert localized(stage, "name", "zh") == "系统设计"
    assert localized(stage, "name", "en") == "System design"
    assert localized(stage, "title", "en") == "只有中文"

    class Row:
        name_zh, name_en = "北京", "Beijing"
    assert localized(Row(), "name", "en") == "Beijing"


WINTER = datetime(2026, 12, 1, 1, 30, tzinfo=timezone.utc)
SUMMER = datetime(2027, 7, 6, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("instant, zone, language, expected", [
    (WINTER, "Asia/Shanghai", "zh", "2026年12月1日 周二 09:30 (北京时间 Asia/Shanghai)"),
    (WINTER, "Asia/Shanghai", "en", "Tue 1 Dec 2026, 09:30 (Asia/Shanghai, GMT+08:00)"),
    (WINTER, "Europe/London", "zh", "2026年12月1日 周二 01:30 (格林尼治标准时间 Europe/London)"),
    (SUMMER, "Europe/London", "zh", "2027年7月6日 周二 09:00 (英国夏令时间 Europe/London)"),
    (SUMMER, "Europe/London", "en", "Tue 6 Jul 2027, 09:00 (Europe/London, GMT+01:00)"),
    (WINTER, "America/Los_Angeles", "en",
     "Mon 30 Nov 2026, 17:30 (America/Los_Angeles, GMT-08:00)"),
    (WINTER, "Asia/Kolkata", "en", "Tue 1 Dec 2026, 07:00 (Asia/Kolkata, GMT+05:30)"),
])
def test_local_date_times_say_their_zone(instant, zone, language, expected):
    assert format_local_datetime(instant, zone, language) == expected


def test_a_range_shows_one_date_when_both_ends_share_a_local_day():
    end = datetime(2026, 12, 1, 2, 30, tzinfo=timezone.utc)
    assert format_local_range(WINTER, end, "Asia/Shanghai", "zh") == \
        "2026年12月1日 周二 09:30–10:30 (北京时间 Asia/Shanghai)"
    # In Los Angeles the same hour ends before midnight; a late one crosses into the next day.
    late_end = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    assert format_local_range(WINTER, late_end, "America/Los_Angeles", "en") == \
        "Mon 30 Nov 2026, 17:30–Tue 1 Dec 2026, 01:00 (America/Los_Angeles, GMT-08:00)"


def test_zone_label_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        zone_label(datetime(2026, 12, 1, 9, 30), "Asia/Shanghai", "en")

