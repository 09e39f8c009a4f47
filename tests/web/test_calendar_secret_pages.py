"""Changing a connected calendar without ever seeing its secrets (issue 21, item 3): the edit form
and the calendars list show a subscription's host and "…" and a password as "••••"; a blank
address or password keeps the stored one; a new address is read before it is kept."""
from __future__ import annotations

import re

import sqlalchemy as sa

from scheduler.models import CalendarSource
from tests import factories as f
from tests.clock import NOW
from tests.helpers_servers import Route, StaticHTTPServer
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"
TOKEN, NEW_TOKEN = "tok-0a9f3e51c2", "tok-77d2b6e0f4"
DAV_PASSWORD = "pw-Zq8!secret"
EVENT = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Sync\r\n"
         + f"DTSTART:{NOW:%Y%m%dT%H%M%SZ}\r\nDURATION:PT1H\r\n".encode() + b"END:VEVENT\r\nEND:VCALENDAR\r\n")


def _token(html: str) -> str:
    return re.search(r'name="source-csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_edit_form_never_shows_the_secrets_and_blank_keeps_them(app, db):
    app.config["CALENDAR_ALLOW_PRIVATE_URLS"] = True
    wang = f.make_interviewer(user=f.make_user(email="wang@example.com", password=PASSWORD, language="zh"))
    feed = f.make_calendar_source(wang, kind="url", name="Team", url=f"https://cal.example/{TOKEN}.ics")
    dav = f.make_calendar_source(wang, kind="caldav", name="Work", url="https://dav.example/alice/",
                                 username="alice", password=DAV_PASSWORD)
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, "wang@example.com", PASSWORD).status_code == 302

    listing = client.get(f"/availability/{wang.id}").text
    assert "cal.example…" in listing and TOKEN not in listing and DAV_PASSWORD not in listing

    edit_dav = client.get(f"/availability/{wang.id}/calendars/{dav.id}/edit")
    assert edit_dav.headers["Cache-Control"] == "no-store"
    assert "••••" in edit_dav.text and "留空则保留当前密码。" in edit_dav.text
    assert DAV_PASSWORD not in edit_dav.text and 'value="alice"' in edit_dav.text
    saved = client.post(f"/availability/{wang.id}/calendars/{dav.id}/edit", data={
        "source-csrf_token": _token(edit_dav.text), "source-name": "Work calendar",
        "source-username": "alice", "source-url": "", "source-password": ""})
    assert saved.status_code == 302
    db.session.expire_all()
    dav = db.session.get(CalendarSource, dav.id)
    assert (dav.name, dav.url, dav.password) == ("Work calendar", "https://dav.example/alice/", DAV_PASSWORD)

    edit_feed = client.get(f"/availability/{wang.id}/calendars/{feed.id}/edit").text
    assert "cal.example…" in edit_feed and TOKEN not in edit_feed
    with StaticHTTPServer({f"/{NEW_TOKEN}.ics": Route(body=EVENT)}) as server:
        refused = client.post(f"/availability/{wang.id}/calendars/{feed.id}/edit", data={
            "source-csrf_token": _token(edit_feed), "source-name": "Team",
            "source-url": server.url(f"/missing-{NEW_TOKEN}.ics")})
        assert refused.status_code == 200 and "日历服务器返回了 HTTP 状态码 404。" in refused.text
        assert NEW_TOKEN not in refused.text and TOKEN not in refused.text
        db.session.expire_all()
        assert db.session.get(CalendarSource, feed.id).url == f"https://cal.example/{TOKEN}.ics"

        moved = client.post(f"/availability/{wang.id}/calendars/{feed.id}/edit", data={
            "source-csrf_token": _token(edit_feed), "source-name": "Team",
            "source-url": server.url(f"/{NEW_TOKEN}.ics")})
        assert moved.status_code == 302
        new_url, port = server.url(f"/{NEW_TOKEN}.ics"), server.port
    db.session.expire_all()
    assert db.session.get(CalendarSource, feed.id).url == new_url
    listing = client.get(f"/availability/{wang.id}").text
    assert f"127.0.0.1:{port}…" in listing
    assert NEW_TOKEN not in listing and TOKEN not in listing and DAV_PASSWORD not in listing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarSource)) == 2
