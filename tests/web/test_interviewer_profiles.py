"""Interviewers' profiles and the interviewers list in the browser's terms: coordinators and
admins edit a profile (every bad value answered beside its field, nothing saved; a move and a
lowered cap said), give one to a member of staff with the interviewer role and none, and read
the list with its filters and this week's load; interviewers get 403 on all of it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.domain.availability import local_date, week_start
from scheduler.domain.intervals import to_epoch
from scheduler.models import AuditEvent, Interview, InterviewerProfile
from tests import factories as f
from tests.clock import NOW, at_local
from tests.web.helpers import NOT_SIGN_IN, audit_trail, csrf_token, gmt_offset, post_form, sign_in

PASSWORD = "correct horse battery staple"
SHANGHAI, LOS_ANGELES = "Asia/Shanghai", "America/Los_Angeles"
# Every field of the profile form as a coordinator would leave it for Wang.
WANG_FORM = {"zone": "", "daily_cap": "", "weekly_cap": "", "video_room_url": "",
             "qualification_phone_screen": "", "qualification_coding_test": "",
             "qualification_system_design": "qualified", "qualification_project_deep_dive": "",
             "qualification_hr_final": ""}


@pytest.fixture
def people(db):
    """Wang in Beijing, María in San Francisco, Ivy with the role and no profile, and staff."""
    beijing = f.make_office(code="BJ", name_en="Beijing", name_zh="北京", zone=SHANGHAI)
    sf = f.make_office(code="SFO", name_en="San Francisco", name_zh="旧金山", zone=LOS_ANGELES,
                       calendar_key="US-CA")
    wang = f.make_interviewer(office=beijing, user=f.make_user(
        email="wang@example.com", password=PASSWORD, name="王芳", language="zh"),
        qualifications={"system_design": "qualified"})
    maria = f.make_interviewer(office=sf, weekly_cap=2, user=f.make_user(
        email="maria@example.com", password=PASSWORD, name="María García", language="en",
        zone=LOS_ANGELES), qualifications={"project_deep_dive": "senior"})
    ivy = f.make_user(roles=("interviewer",), email="ivy@example.com", password=PASSWORD,
                      name="Ivy New", language="en")
    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD, language="en",
                name="Lin")
    f.make_user(email="admin@example.com", roles=("admin",), password=PASSWORD, language="zh",
                name="Ada")
    db.session.commit()
    return {"beijing": beijing, "sf": sf, "wang": wang, "maria": maria, "ivy": ivy}


def signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def field_errors(html: str, name: str) -> str:
    """Return the text of the errors shown beside field *name* ("" when none)."""
    match = re.search(rf'<ul class="errors" id="{name}-errors">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


def row_of(html: str, profile_id: int) -> str:
    """Return the text of the list's row for *profile_id*."""
    match = re.search(rf'<tr data-profile="{profile_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row for profile {profile_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def audit_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(NOT_SIGN_IN))


def test_a_coordinator_edits_a_profile(app, db, people):
    wang, sf = people["wang"], people["sf"]
    coordinator = signed_in(app, "co@example.com")
    url = f"/availability/{wang.id}/profile"
    form_page = coordinator.get(url).text
    assert '<option selected value="qualified">Qualified</option>' in form_page
    response = post_form(coordinator, url, WANG_FORM | {
        "office": str(people["beijing"].id), "zone": "Asia/Calcutta", "daily_cap": "2",
        "weekly_cap": " 6 ", "qualification_system_design": "senior",
        "qualification_phone_screen": "shadow",
        "video_room_url": "https://meet.example.com/wang"})
    assert response.status_code == 302 and response.headers["Location"] == "/availability/interviewers"
    db.session.expire_all()
    assert (wang.zone, wang.daily_cap, wang.weekly_cap, wang.video_room_url) == (
        "Asia/Kolkata", 2, 6, "https://meet.example.com/wang")
    assert {q.stage_kind: q.level for q in wang.qualifications} == {
        "system_design": "senior", "phone_screen": "shadow"}
    [event] = db.session.scalars(sa.select(AuditEvent).where(NOT_SIGN_IN)).all()
    assert event.action == "interviewer_profile.updated"
    assert event.before["qualifications"] == {"system_design": "qualified"}
    listing = coordinator.get("/availability/interviewers").text
    assert "王芳&#39;s profile saved." in listing
    row = row_of(listing, wang.id)
    assert "System design: Senior" in row and "Phone screen: Shadow" in row
    assert f"Asia/Kolkata, {gmt_offset(NOW, 'Asia/Kolkata')}" in row


def test_every_bad_value_is_answered_beside_its_field_and_nothing_is_saved(app, db, people):
    wang = people["wang"]
    coordinator = signed_in(app, "co@example.com")
    url = f"/availability/{wang.id}/profile"
    response = post_form(coordinator, url, WANG_FORM | {
        "office": "", "zone": "Mars/Olympus", "daily_cap": "two", "weekly_cap": "0",
        "qualification_system_design": "guru", "video_room_url": "http://meet.example.com/w"})
    assert response.status_code == 200
    html = response.text
    assert "Choose an office." in field_errors(html, "office")
    assert "Unknown time zone Mars/Olympus" in field_errors(html, "zone")
    assert "Write a whole number" in field_errors(html, "daily_cap")
    assert "from 1 to 100" in field_errors(html, "weekly_cap")
    assert "Choose shadow, reverse shadow" in field_errors(html, "qualification_system_design")
    assert "starting with https://" in field_errors(html, "video_room_url")
    assert 'value="Mars/Olympus"' in html and 'value="two"' in html  # the input is kept
    db.session.expire_all()
    assert (wang.zone, wang.daily_cap, wang.weekly_cap, wang.video_room_url,
            [(q.stage_kind, q.level) for q in wang.qualifications]) == (
        None, None, None, "", [("system_design", "qualified")])
    assert audit_count(db) == 0

    response = post_form(coordinator, url, WANG_FORM | {
        "office": str(people["beijing"].id), "daily_cap": "5", "weekly_cap": "3"})
    assert response.status_code == 200
    assert "The daily limit (5) is above the weekly limit (3)" in field_errors(
        response.text, "daily_cap")
    db.session.expire_all()
    assert (wang.daily_cap, wang.weekly_cap, audit_count(db)) == (None, None, 0)


def test_the_form_speaks_chinese(app, db, people):
    wang = people["wang"]
    admin = signed_in(app, "admin@example.com")
    url = f"/availability/{wang.id}/profile"
    html = admin.get(url).text
    for text in ("王芳 的档案", "面试资格", "系统设计", "每天面试上限", "个人视频会议室", "保存档案"):
        assert text in html
    response = post_form(admin, url, WANG_FORM | {"office": str(people["beijing"].id),
                                                  "weekly_cap": "-2"})
    assert "请填写 1 到 100 之间的整数" in field_errors(response.text, "weekly_cap")


def test_removing_every_qualification_and_adding_one(app, db, people):
    wang = people["wang"]
    coordinator = signed_in(app, "co@example.com")
    url = f"/availability/{wang.id}/profile"
    assert post_form(coordinator, url, WANG_FORM | {
        "office": str(people["beijing"].id), "qualification_system_design": ""}).status_code == 302
    db.session.expire_all()
    assert wang.qualifications == []
    assert post_form(coordinator, url, WANG_FORM | {
        "office": str(people["beijing"].id), "qualification_system_design": "",
        "qualification_hr_final": "reverse_shadow"}).status_code == 302
    db.session.expire_all()
    assert [(q.stage_kind, q.level) for q in wang.qualifications] == [("hr_final", "reverse_shadow")]
    actions = db.session.scalars(sa.select(AuditEvent.action).where(NOT_SIGN_IN)).all()
    assert actions == ["interviewer_profile.updated"] * 2


def test_a_move_and_a_lowered_cap_are_said(app, db, people):
    wang, sf = people["wang"], people["sf"]
    today = local_date(SHANGHAI, to_epoch(NOW))
    # Two interviews on Wang's local today (at its first and its last hour: past or not, they
    # count) and one two days on, still to come whatever the hour.
    starts = sorted([at_local(today, "00:00"), at_local(today, "23:00"), NOW + timedelta(days=2)])
    for start_at in starts:
        f.make_interview(panel=[wang], start_at=start_at)
    db.session.commit()
    upcoming = sum(start_at + timedelta(hours=1) > NOW for start_at in starts)
    this_week = sum(week_start(local_date(SHANGHAI, to_epoch(s))) == week_start(today)
                    for s in starts)
    coordinator = signed_in(app, "co@example.com")
    url = f"/availability/{wang.id}/profile"
    page = coordinator.get(url).text
    assert f"王芳 has {upcoming} future interview" in page
    assert "A new office or zone keeps" in page
    response = post_form(coordinator, url, WANG_FORM | {"office": str(people["beijing"].id),
                                                        "daily_cap": "1", "weekly_cap": "1"},
                         follow_redirects=True)
    html = response.text
    assert ("Today 王芳 already has 2 interviews, more than the new daily limit of 1: nothing "
            "booked is cancelled, and no more are booked today.") in html
    assert (f"This week 王芳 already has {this_week} interviews, more than the new weekly "
            "limit of 1: nothing booked is cancelled") in html
    db.session.expire_all()
    assert (wang.daily_cap, wang.weekly_cap) == (1, 1)  # allowed, with the warning

    response = post_form(coordinator, url, WANG_FORM | {"office": str(sf.id), "daily_cap": "1",
                                                        "weekly_cap": "1"},
                         follow_redirects=True)
    html = response.text
    assert f"王芳 has {upcoming} future interview" in html and "keep" in html
    assert ("weekly working hours keep their clock times, now in America/Los_Angeles, on the "
            "working days of San Francisco") in html
    db.session.expire_all()
    assert wang.effective_zone == LOS_ANGELES
    assert sorted(i.start_at for i in db.session.scalars(sa.select(Interview))) == starts


def test_a_member_of_staff_with_the_role_and_no_profile_is_given_one(app, db, people):
    ivy = people["ivy"]
    coordinator = signed_in(app, "co@example.com")
    listing = coordinator.get("/availability/interviewers").text
    assert "Interviewers without a profile" in listing and "Ivy New" in listing
    url = f"/availability/people/{ivy.id}/profile"
    assert f'href="{url}"' in listing
    response = post_form(coordinator, url, WANG_FORM | {"office": "", "daily_cap": "3"})
    assert response.status_code == 200
    assert "Choose an office." in field_errors(response.text, "office")
    assert db.session.scalar(sa.select(sa.func.count(InterviewerProfile.id))) == 2
    assert audit_count(db) == 0

    response = post_form(coordinator, url, WANG_FORM | {"office": str(people["sf"].id),
                                                        "daily_cap": "3"})
    assert response.status_code == 302
    db.session.expire_all()
    profile = ivy.interviewer_profile
    assert response.headers["Location"] == f"/availability/{profile.id}#hours"
    assert (profile.office_id, profile.daily_cap,
            [(q.stage_kind, q.level) for q in profile.qualifications]) == (
        people["sf"].id, 3, [("system_design", "qualified")])
    assert [e.action for e in audit_trail(db)] == ["interviewer_profile.created"]
    # Now in the list, and the old address leads to the profile.
    assert "Interviewers without a profile" not in coordinator.get("/availability/interviewers").text
    again = coordinator.get(url)
    assert again.status_code == 302 and again.headers["Location"] == f"/availability/{profile.id}/profile"


def test_interviewers_get_403_on_the_list_and_on_every_profile_even_their_own(app, db, people):
    wang, maria, ivy = people["wang"], people["maria"], people["ivy"]
    interviewer = signed_in(app, "wang@example.com")
    token = csrf_token(interviewer.get(f"/availability/{wang.id}").text)
    assert interviewer.get("/availability/interviewers").status_code == 403
    assert interviewer.get("/availability/interviewers?kind=system_design").status_code == 403
    for url in (f"/availability/{maria.id}/profile", f"/availability/{wang.id}/profile",
                f"/availability/people/{ivy.id}/profile"):
        assert interviewer.get(url).status_code == 403
        assert interviewer.post(url, data=WANG_FORM | {
            "csrf_token": token, "office": str(people["beijing"].id),
            "daily_cap": "9"}).status_code == 403
    assert "编辑档案" not in interviewer.get(f"/availability/{wang.id}").text
    db.session.expire_all()
    assert (wang.daily_cap, maria.daily_cap, ivy.interviewer_profile, audit_count(db)) == (
        None, None, None, 0)
    # Coordinators and admins may; a missing profile is a 404.
    for email in ("co@example.com", "admin@example.com"):
        client = signed_in(app, email)
        assert client.get(f"/availability/{maria.id}/profile").status_code == 200
        assert client.get("/availability/interviewers").status_code == 200
        assert client.get("/availability/9999/profile").status_code == 404
        assert client.get("/availability/people/9999/profile").status_code == 404


def test_the_list_shows_office_zone_qualifications_and_this_weeks_load(app, db, people):
    wang, maria = people["wang"], people["maria"]
    maria_today = local_date(LOS_ANGELES, to_epoch(NOW))
    monday, sunday = week_start(maria_today), week_start(maria_today) + timedelta(days=6)
    # María's own week: its Monday 00:30 and its Sunday 23:30 (a Monday in UTC) count; the
    # Sunday before and the Monday after do not.
    for day, clock in ((monday, "00:30"), (sunday, "23:30"),
                       (monday - timedelta(days=1), "23:30"), (sunday + timedelta(days=1), "00:30")):
        f.make_interview(panel=[maria], start_at=at_local(day, clock, LOS_ANGELES))
    db.session.commit()
    today_count = (maria_today == monday) + (maria_today == sunday)
    coordinator = signed_in(app, "co@example.com")
    html = coordinator.get("/availability/interviewers").text
    row = row_of(html, maria.id)
    assert "María García" in row and "maria@example.com" in row and "San Francisco" in row
    assert f"America/Los_Angeles, {gmt_offset(NOW, LOS_ANGELES)}" in row
    assert "Project deep dive: Senior" in row
    assert "2 of 2 · full" in row  # this week against the weekly cap, said in words
    assert f"{today_count} (no limit)" in row
    assert f'href="/availability/{maria.id}"' in html
    assert f'href="/availability/{maria.id}/profile"' in html
    assert "0 (no limit)" in row_of(html, wang.id)

    maria.weekly_cap = 1
    db.session.commit()
    row = row_of(coordinator.get("/availability/interviewers").text, maria.id)
    assert "2 of 1 · over the limit" in row


def test_the_list_filters_with_a_plain_get_form(app, db, people):
    wang, maria = people["wang"], people["maria"]
    f.make_interviewer(office=people["beijing"], user=f.make_user(
        name="Wang Lei", email="lei@example.com", is_active=False),
        qualifications={"system_design": "senior"})
    db.session.commit()
    coordinator = signed_in(app, "co@example.com")

    def shown(**query):
        html = coordinator.get("/availability/interviewers", query_string=query).text
        return re.findall(r'<tr data-profile="\d+">\s*<td[^>]*><div><strong>([^<]+)</strong>', html)

    assert shown() == ["王芳", "María García"]  # BJ before SFO; active only at first
    assert shown(active="") == ["Wang Lei", "王芳", "María García"]  # the box left unticked
    assert shown(active="y", office=str(maria.office_id)) == ["María García"]
    assert shown(active="y", kind="system_design") == ["王芳"]
    assert shown(kind="system_design", level="senior") == ["Wang Lei"]
    assert shown(active="y", level="senior") == ["María García"]
    assert shown(active="y", q="MARIA@") == ["María García"]
    assert shown(active="y", q="王") == ["王芳"]
    # A value not on offer is answered beside its field and does not narrow the list.
    html = coordinator.get("/availability/interviewers",
                           query_string={"active": "y", "kind": "juggling"}).text
    assert field_errors(html, "kind") != ""
    assert "王芳" in html and "María García" in html
    # The filters keep what was chosen, and the Chinese page speaks Chinese.
    admin = signed_in(app, "admin@example.com")
    html = admin.get("/availability/interviewers",
                     query_string={"active": "y", "kind": "system_design"}).text
    assert '<option selected value="system_design">系统设计</option>' in html
    assert "北京时间 Asia/Shanghai（GMT+08:00）" in html
    assert "系统设计：合格" in html and "清除筛选" in html


def test_the_staff_page_leads_admins_to_each_profile(app, db, people):
    html = signed_in(app, "admin@example.com").get("/admin/staff").text
    assert f'href="/availability/{people["wang"].id}/profile"' in html
    assert f'href="/availability/people/{people["ivy"].id}/profile"' in html
