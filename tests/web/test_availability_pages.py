"""The "My availability" pages: hours, zone, time off, busy time, calendars, feed and the week.

Real parts: the Flask test client on a real database, a loopback HTTP server for subscriptions
and Radicale for CalDAV. The app runs at the suite's frozen NOW; dates in forms fall in the first
*ordinary* week (Monday–Friday worked, weekend off) at least a week after NOW in the interviewer's
office calendar, so "the Tuesday" or "the Saturday" of it is always the kind of day the test needs.
The week view's date is a query parameter, so one test may also show a fixed historical week.
"""
from __future__ import annotations

import re
from datetime import time, timedelta
from io import BytesIO
from pathlib import Path

import caldav
import pytest
import sqlalchemy as sa

from scheduler.models import AvailabilityOverride, BusyBlock, CalendarSource
from tests import factories as f
from tests.clock import at_local, local_today, weekday_on_or_after, workday_after
from tests.helpers_servers import RadicaleServer, Route, StaticHTTPServer
from tests.web.helpers import csrf_token, ordinary_week, sign_in

PASSWORD = "correct horse battery staple"
CORPUS = Path(__file__).resolve().parents[1] / "calendars_corpus"
LONDON = "Europe/London"
# Every day 10:00–10:15 in Beijing from a week before NOW, open-ended: the current week has it.
_FIRST = f"{local_today() - timedelta(days=7):%Y%m%d}"
DAILY = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:daily\r\n"
         b"SUMMARY:Daily stand-up\r\n"
         + f"DTSTART;TZID=Asia/Shanghai:{_FIRST}T100000\r\n".encode()
         + f"DTEND;TZID=Asia/Shanghai:{_FIRST}T101500\r\n".encode()
         + b"RRULE:FREQ=DAILY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
# The first ordinary week at least a week away, for Beijing (Wang) and for London (Oliver).
BEIJING_WEEK = ordinary_week(7, "CN")
LONDON_WEEK = ordinary_week(7, "GB-ENG", LONDON)


def day_of(monday, n):
    """Return the ISO date of day *n* (Monday is 0) of the week starting on *monday*."""
    return (monday + timedelta(days=n)).isoformat()


@pytest.fixture
def people(db):
    """A Beijing interviewer reading Chinese, a London one reading English, a coordinator."""
    beijing = f.make_office(code="BJ", zone="Asia/Shanghai", calendar_key="CN")
    london = f.make_office(code="LON", zone="Europe/London", calendar_key="GB-ENG")
    wang = f.make_interviewer(
        office=beijing, windows=((0, 5), time(9), time(18)),
        user=f.make_user(email="wang@example.com", password=PASSWORD, language="zh",
                         zone="Asia/Shanghai", name="王芳"))
    oliver = f.make_interviewer(
        office=london, windows=((0, 5), time(9), time(17, 30)),
        user=f.make_user(email="oliver@example.com", password=PASSWORD, language="en",
                         zone="Europe/London", name="Oliver Smith"))
    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD, language="en")
    db.session.commit()
    return wang, oliver


def signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def page_of(client, profile, **query):
    response = client.get(f"/availability/{profile.id}", query_string=query)
    assert response.status_code == 200
    return response.text


def post(client, profile, path, data, *, week=None, files=None):
    """Post a form of the availability page (showing *week*) with that page's CSRF token."""
    week = week.isoformat() if week else None
    html = page_of(client, profile, **({"week": week} if week else {}))
    prefix = next(iter(data)).split("-")[0]  # each form of the page has its own prefix
    payload = dict(data, **{f"{prefix}-csrf_token": csrf_token(html)})
    if files:
        payload.update(files)
    return client.post(f"/availability/{profile.id}/{path}", data=payload,
                       query_string={"week": week} if week else None, content_type=(
                           "multipart/form-data" if files else None))


def day_row(html, day):
    """Return the week view's row for *day* (ISO date)."""
    match = re.search(rf'<li class="week-day[^"]*" data-date="{day}"[^>]*>.*?</li>\s*(?=<li class="week-day|</ol>)',
                      html, re.S)
    assert match, f"no row for {day}"
    return match.group(0)


def windows(profile):
    return [(w.weekday, w.start_local, w.end_local) for w in profile.working_windows]


def test_an_interviewer_opens_their_own_page_in_both_languages(app, people):
    wang, _ = people
    client = signed_in(app, "wang@example.com")
    response = client.get("/availability/")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/availability/{wang.id}")
    html = page_of(client, wang)
    assert "<h1>我的可用时间</h1>" in html and "北京时间 Asia/Shanghai" in html
    client.post("/language", data={"csrf_token": csrf_token(html), "language": "en",
                                   "next": f"/availability/{wang.id}"})
    html = page_of(client, wang)
    assert "<h1>My availability</h1>" in html and "Working hours" in html
    assert 'value="09:00-18:00"' in html  # Monday's window, editable


def test_the_week_shows_2026_10_10_as_worked_in_beijing_but_not_in_london(app, people):
    """A fixed historical week, shown by its date: its rows do not depend on NOW."""
    wang, oliver = people
    beijing = day_row(page_of(signed_in(app, "wang@example.com"), wang, week="2026-10-10"),
                      "2026-10-10")
    assert 'data-workday="yes"' in beijing and "is-makeup" in beijing
    assert "调休上班" in beijing and "国庆节" in beijing
    # The day's bar shows its working hours (past or not; whether it lists them or its free time
    # depends on NOW, see the next test).
    assert '<rect class="bar-working" x="540" y="0" width="540" height="12"><title>09:00–18:00' \
        in beijing

    html = page_of(signed_in(app, "oliver@example.com"), oliver, week="2026-10-10")
    london = day_row(html, "2026-10-10")
    assert 'data-workday="no"' in london and "Weekend" in london and "Free</span>" not in london
    assert "Week of 5 Oct 2026" in html
    assert f"/availability/{oliver.id}?week=2026-09-28#week" in html
    assert f"/availability/{oliver.id}?week=2026-10-12#week" in html
    # Christmas in London is marked with its name.
    christmas = day_row(page_of(signed_in(app, "oliver@example.com"), oliver, week="2026-12-25"),
                        "2026-12-25")
    assert "Public holiday · Christmas Day" in christmas


def test_a_make_up_saturday_lists_its_hours_once_past_and_its_free_time_ahead(app, db, people):
    """A 调休 Saturday, made with a workday override, worked in Beijing and not in London."""
    wang, oliver = people
    past = weekday_on_or_after(local_today() - timedelta(days=13), 5)  # 7 to 13 days ago
    ahead = BEIJING_WEEK + timedelta(days=5)  # an ordinary week's Saturday
    for day in (past, ahead):
        f.make_workday_override(day, calendar_key="CN", is_workday=True, note="调休")
    db.session.commit()
    client = signed_in(app, "wang@example.com")
    before = day_row(page_of(client, wang, week=past.isoformat()), past.isoformat())
    after = day_row(page_of(client, wang, week=ahead.isoformat()), ahead.isoformat())
    for row in (before, after):
        assert 'data-workday="yes"' in row and "is-makeup" in row and "调休上班" in row
    # A past day shows the hours it had, not free time; a day ahead shows its free time.
    assert "is-past" in before and "工作时间</span> 09:00–18:00" in before
    assert "空闲</span>" not in before
    assert "is-past" not in after and "空闲</span> 09:00–18:00" in after

    london = day_row(page_of(signed_in(app, "oliver@example.com"), oliver,
                             week=ahead.isoformat()), ahead.isoformat())
    assert 'data-workday="no"' in london and "Free</span>" not in london


def test_a_bad_week_is_refused(app, people):
    wang, _ = people
    assert signed_in(app, "wang@example.com").get(
        f"/availability/{wang.id}?week=soon").status_code == 400


def _hours(**days):
    data = {f"hours-day_{n}": "" for n in range(7)}
    data.update({f"hours-day_{n}": value for n, value in days.items()})
    return data


def test_saving_working_hours_changes_the_week(app, db, people):
    wang, _ = people
    client = signed_in(app, "wang@example.com")
    week = BEIJING_WEEK
    response = post(client, wang, "hours", _hours(**{"0": "14:00-16:00", "1": "9:00-12:00，13:00-18:30",
                                                       "2": "09:00-18:00", "5": "10:00-12:00"}),
                    week=week)
    assert response.status_code == 302 and response.headers["Location"].endswith("#hours")
    db.session.expire_all()
    assert windows(wang) == [(0, time(14), time(16)), (1, time(9), time(12)),
                             (1, time(13), time(18, 30)), (2, time(9), time(18)),
                             (5, time(10), time(12))]
    html = page_of(client, wang, week=week.isoformat())
    assert "已保存工作时间" in html
    assert "空闲</span> 14:00–16:00" in day_row(html, day_of(week, 0))
    assert "空闲</span> 13:00–18:30" in day_row(html, day_of(week, 1))
    assert "空闲</span>" not in day_row(html, day_of(week, 3))  # Thursday is now off
    assert "空闲</span>" not in day_row(html, day_of(week, 5))  # a Saturday window, not a workday


@pytest.mark.parametrize("days, message", [
    ({"0": "18:00-09:00"}, "周一：时段 18:00–09:00 的结束早于开始"),
    ({"1": "09:00-12:00, 11:00-13:00"}, "周二：时段 09:00–12:00 与 11:00–13:00 重叠"),
    ({"2": "nine to five"}, "无法识别“nine to five”"),
])
def test_bad_working_hours_are_refused_and_change_nothing(app, db, people, days, message):
    wang, _ = people
    before = windows(wang)
    response = post(signed_in(app, "wang@example.com"), wang, "hours", _hours(**days))
    assert response.status_code == 200
    assert message in response.text
    db.session.expire_all()
    assert windows(wang) == before


def test_the_zone_is_chosen_from_the_iana_list_and_an_unknown_one_is_refused(app, db, people):
    wang, _ = people
    client = signed_in(app, "wang@example.com")
    html = page_of(client, wang)
    assert 'list="zone-list"' in html and '<option value="America/Vancouver">' in html
    response = post(client, wang, "zone", {"zone-zone": "Mars/Olympus"})
    assert response.status_code == 200 and "未知时区" in response.text
    db.session.expire_all()
    assert wang.effective_zone == "Asia/Shanghai"
    assert post(client, wang, "zone", {"zone-zone": "America/Vancouver"}).status_code == 302
    db.session.expire_all()
    assert wang.zone == "America/Vancouver"
    assert "America/Vancouver" in page_of(client, wang)


def test_time_off_and_extra_hours_from_the_page(app, db, people):
    _, oliver = people
    client = signed_in(app, "oliver@example.com")
    week = LONDON_WEEK
    tuesday, saturday = day_of(week, 1), day_of(week, 5)
    refused = post(client, oliver, "overrides", {"override-kind": "off", "override-day": tuesday,
                                                 "override-start": "15:00", "override-end": "10:00"})
    assert refused.status_code == 200 and "The end 10:00 is not after the start 15:00." in refused.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AvailabilityOverride)) == 0

    assert post(client, oliver, "overrides", {"override-kind": "off", "override-day": tuesday,
                                              "override-note": "Dentist"}).status_code == 302
    assert post(client, oliver, "overrides", {"override-kind": "extra", "override-day": saturday,
                                              "override-start": "10:00",
                                              "override-end": "12:00"}).status_code == 302
    html = page_of(client, oliver, week=week.isoformat())
    assert "Free</span>" not in day_row(html, tuesday)
    assert "Free</span> 10:00–12:00" in day_row(html, saturday)
    assert "Dentist" in html and "whole day" in html

    override = db.session.scalar(sa.select(AvailabilityOverride).where(
        AvailabilityOverride.is_available.is_(False)))
    response = client.post(f"/availability/{oliver.id}/overrides/{override.id}/remove",
                           data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302
    assert "Free</span> 09:00–17:30" in day_row(page_of(client, oliver, week=week.isoformat()),
                                                tuesday)


def test_busy_time_entered_by_hand(app, db, people):
    _, oliver = people
    client = signed_in(app, "oliver@example.com")
    week = LONDON_WEEK
    wednesday = day_of(week, 2)
    refused = post(client, oliver, "blocks", {"block-start": f"{wednesday}T11:30",
                                              "block-end": f"{wednesday}T10:00"})
    assert refused.status_code == 200
    assert "A busy block needs a start and an end, and the start must come first." in refused.text
    assert post(client, oliver, "blocks", {"block-start": f"{wednesday}T10:00",
                                           "block-end": f"{wednesday}T11:30",
                                           "block-summary": "Dentist"}).status_code == 302
    block = db.session.scalars(sa.select(BusyBlock)).one()
    # The form's times are London wall-clock times, stored in UTC.
    assert block.start_at == at_local(week + timedelta(days=2), "10:00", LONDON)
    assert block.end_at == at_local(week + timedelta(days=2), "11:30", LONDON)
    html = page_of(client, oliver, week=week.isoformat())
    assert "Busy</span> 10:00–11:30 · Dentist" in day_row(html, wednesday)
    assert "Free</span> 09:00–10:00" in day_row(html, wednesday)
    client.post(f"/availability/{oliver.id}/blocks/{block.id}/remove",
                data={"csrf_token": csrf_token(html)})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BusyBlock)) == 0


def test_uploading_a_calendar_file_and_refusing_a_bad_one(app, db, people):
    wang, _ = people
    client = signed_in(app, "wang@example.com")
    bad = post(client, wang, "calendars/file", {"file-submit_file": "1"},
               files={"file-file": (BytesIO(b"hello, not a calendar"), "notes.ics")})
    assert bad.status_code == 200
    assert "这不是 iCalendar（.ics）文件" in bad.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarSource)) == 0

    good = post(client, wang, "calendars/file", {"file-submit_file": "1"},
                files={"file-file": (BytesIO(DAILY), "work.ics")})
    assert good.status_code == 302
    html = page_of(client, wang)
    assert "work.ics" in html and "上次读取：" in html
    assert "忙碌</span> 10:00–10:15 · Daily stand-up" in html


def test_a_subscription_is_refreshed_and_its_last_error_shown_in_the_viewers_language(app, db, people):
    wang, _ = people
    app.config["CALENDAR_ALLOW_PRIVATE_URLS"] = True
    with StaticHTTPServer({"/work.ics": Route(body=DAILY)}) as server:
        client = signed_in(app, "wang@example.com")
        response = post(client, wang, "calendars/url", {"url-url": server.url("/work.ics"),
                                                        "url-name": "Work"})
        assert response.status_code == 302
        source = db.session.scalars(sa.select(CalendarSource)).one()
        server.routes["/work.ics"] = Route(body=b"down", status=500, content_type="text/plain")
        html = page_of(client, wang)
        client.post(f"/availability/{wang.id}/calendars/{source.id}/refresh",
                    data={"csrf_token": csrf_token(html)})
        assert server.hits["/work.ics"] == 2
        host = f"127.0.0.1:{server.port}"
    html = page_of(client, wang)
    assert "日历服务器返回了 HTTP 状态码 500。" in html
    assert host in html
    assert "忙碌</span> 10:00–10:15 · Daily stand-up" in html  # the old busy time is kept
    english = signed_in(app, "co@example.com")
    assert "The calendar server answered with HTTP status 500." in page_of(english, wang)


def test_a_caldav_password_is_never_shown_back(app, db, people, tmp_path):
    wang, _ = people
    app.config["CALENDAR_ALLOW_PRIVATE_URLS"] = True
    secret = "s3cret-Passw0rd"
    with RadicaleServer(tmp_path / "radicale", users={"alice": secret}) as server:
        caldav.DAVClient(server.url, username="alice", password=secret).principal() \
            .make_calendar(name="Work").save_event(DAILY.decode())
        client = signed_in(app, "wang@example.com")
        refused = post(client, wang, "calendars/caldav", {
            "caldav-url": server.url, "caldav-username": "alice", "caldav-password": "wrong-guess"})
        assert "CalDAV 服务器拒绝了该用户名或密码。" in refused.text
        assert "wrong-guess" not in refused.text
        added = post(client, wang, "calendars/caldav", {
            "caldav-url": server.url, "caldav-username": "alice", "caldav-password": secret,
            "caldav-name": "Work (CalDAV)"})
        assert added.status_code == 302
        html = page_of(client, wang)
    assert "Work (CalDAV)" in html and "alice" in html
    assert secret not in html
    assert secret not in signed_in(app, "co@example.com").get(f"/availability/{wang.id}").text


def test_the_feed_address_is_shown_once_regenerated_and_revoked(app, db, people):
    wang, _ = people
    client = signed_in(app, "wang@example.com")
    html = page_of(client, wang)
    made = client.post(f"/availability/{wang.id}/feed", data={"csrf_token": csrf_token(html)})
    assert made.headers["Cache-Control"] == "no-store"
    first = re.search(r'value="(http://localhost/feeds/[^"]+\.ics)"', made.text).group(1)
    assert client.get(first).status_code == 200
    token = first.rsplit("/", 1)[1][:-4]
    page = page_of(client, wang)
    assert token not in page and "日历订阅已开启" in page

    remade = client.post(f"/availability/{wang.id}/feed", data={"csrf_token": csrf_token(page)})
    second = re.search(r'value="(http://localhost/feeds/[^"]+\.ics)"', remade.text).group(1)
    assert second != first and client.get(first).status_code == 404
    assert "之前的地址已失效" in remade.text

    coordinator = signed_in(app, "co@example.com")
    coordinator_page = page_of(coordinator, wang)
    assert coordinator.post(f"/availability/{wang.id}/feed",
                            data={"csrf_token": csrf_token(coordinator_page)}).status_code == 403
    coordinator.post(f"/availability/{wang.id}/feed/revoke",
                     data={"csrf_token": csrf_token(coordinator_page)})
    assert client.get(second).status_code == 404


def test_coordinators_open_anyones_page_and_interviewers_only_their_own(app, db, people):
    wang, oliver = people
    day = workday_after(1, weekdays_only=True)  # a day Wang works, at least a day away
    source = f.make_calendar_source(wang, kind="file", name="Work")
    f.make_busy_block(source, at_local(day, "10:00"), at_local(day, "11:00"),
                      summary="Salary review")
    db.session.commit()
    coordinator = signed_in(app, "co@example.com")
    listing = coordinator.get("/availability/", follow_redirects=True).text
    assert "王芳" in listing and "Oliver Smith" in listing
    html = page_of(coordinator, wang, week=day.isoformat())
    assert "Availability of 王芳" in html
    assert "Busy</span> 10:00–11:00" in day_row(html, day.isoformat())
    assert "Salary review" not in html  # event titles are for their owner only
    assert "Salary review" in page_of(signed_in(app, "wang@example.com"), wang,
                                      week=day.isoformat())

    oliver_client = signed_in(app, "oliver@example.com")
    assert oliver_client.get(f"/availability/{wang.id}").status_code == 403
    assert oliver_client.get("/availability/interviewers").status_code == 403
    token = csrf_token(page_of(oliver_client, oliver))
    assert oliver_client.post(f"/availability/{wang.id}/hours", data={
        "hours-csrf_token": token, "hours-day_0": "09:00-10:00"}).status_code == 403
    assert coordinator.get("/availability/9999").status_code == 404
