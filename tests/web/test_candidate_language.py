"""A candidate's pages speak the candidate's language (issue 14 item 8).

The language stored on the candidate comes first (it is the language of every email they get),
the switch on their page stores a new choice on the candidate (recorded on the application),
and the browser's Accept-Language only decides pages that belong to no live link.
"""
from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa

from scheduler.extensions import db as _db
from scheduler.models import AuditEvent, Candidate, OutboxMessage
from scheduler.services.links import create_link
from tests import factories as f
from tests.clock import NOW
from tests.services.booking_setup import booking_world
from tests.web.helpers import consent_fields, csrf_token

EN = {"Accept-Language": "en-GB,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
_SLOT = re.compile(r'href="(/schedule/[\w-]+/confirm\?start=([0-9T:-]+Z))"')


@pytest.fixture
def chinese_link(db):
    """A candidate stored as writing Chinese, and a link for their system-design stage."""
    _, requisition, [application] = booking_world(interviewers=2)
    application.candidate.language = "zh"
    coordinator = f.make_user(roles=("coordinator",), language="en")
    link, token = create_link(coordinator, application, requisition.stages[:1], 0,
                              NOW + timedelta(days=7), NOW)
    db.session.commit()
    return link, token


def _candidate(link) -> Candidate:
    return _db.session.get(Candidate, link.application.candidate_id)


def _switch(client, token, language, page_html, next_path, headers=EN):
    return client.post(f"/schedule/{token}/language", headers=headers, data={
        "csrf_token": csrf_token(page_html), "language": language, "next": next_path})


def test_a_chinese_candidate_in_an_english_browser_gets_chinese_pages(client, chinese_link):
    _, token = chinese_link
    page = client.get(f"/schedule/{token}", headers=EN).text
    assert '<html lang="zh-CN">' in page and "选择面试时间" in page
    assert "Choose a time" not in page
    confirm_path, _start = _SLOT.search(page).groups()
    confirm = client.get(confirm_path.replace("&amp;", "&"), headers=EN).text
    assert '<html lang="zh-CN">' in confirm and "预约这个时间" in confirm
    none_work = client.get(f"/schedule/{token}/none-work", headers=EN).text
    assert '<html lang="zh-CN">' in none_work


def test_the_candidates_language_comes_before_the_sessions_choice(client, chinese_link):
    _, token = chinese_link
    login = client.get("/login", headers=ZH).text
    client.post("/language", headers=ZH, data={"csrf_token": csrf_token(login),
                                               "language": "en", "next": "/login"})
    assert '<html lang="en">' in client.get("/login", headers=ZH).text  # staff pages: the session
    assert '<html lang="zh-CN">' in client.get(f"/schedule/{token}", headers=EN).text


def test_the_switch_stores_the_choice_on_the_candidate_and_on_the_applications_record(
        client, chinese_link):
    link, token = chinese_link
    page = client.get(f"/schedule/{token}", headers=EN).text
    assert f'action="/schedule/{token}/language"' in page
    switched = _switch(client, token, "en", page, f"/schedule/{token}")
    assert switched.status_code == 302 and switched.headers["Location"] == f"/schedule/{token}"
    assert _candidate(link).language == "en"
    english = client.get(f"/schedule/{token}", headers=ZH).text
    assert '<html lang="en">' in english and "Choose a time for your interview" in english
    assert "This page and our emails to you are now in English." in english
    [event] = _db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "candidate.language_changed")).all()
    assert (event.object_type, event.object_id) == ("application", link.application_id)
    assert (event.before, event.after) == ({"language": "zh"}, {"language": "en"})
    assert event.actor_label == f"candidate link {link.id}"
    # Choosing the language already stored changes nothing and records nothing.
    _switch(client, token, "en", english, f"/schedule/{token}")
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "candidate.language_changed")) == 1
    # And back: the flash is in the language just chosen.
    chinese = client.get(_switch(client, token, "zh", english, f"/schedule/{token}")
                         .headers["Location"], headers=EN).text
    assert "此页面和我们发给你的邮件现在都使用中文。" in chinese


def test_the_emails_after_a_switch_are_in_the_chosen_language(client, chinese_link):
    link, token = chinese_link
    page = client.get(f"/schedule/{token}", headers=ZH).text
    _switch(client, token, "en", page, f"/schedule/{token}", headers=ZH)
    page = client.get(f"/schedule/{token}", headers=ZH).text
    confirm_path, start = _SLOT.findall(page)[-1]
    confirm = client.get(confirm_path.replace("&amp;", "&"), headers=ZH).text
    booked = client.post(f"/schedule/{token}/book", headers=ZH, data={
        "csrf_token": csrf_token(confirm), "start": start, **consent_fields(confirm)})
    assert booked.status_code == 302
    [row] = _db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_addr == _candidate(link).email,
        OutboxMessage.kind == "invite_request")).all()
    message = email.message_from_bytes(row.raw_message, policy=policy.default)
    assert "System design" in message["Subject"] and "系统设计" not in message["Subject"]


@pytest.mark.parametrize("next_path, lands_on", [
    ("/schedule/{token}/confirm?start={start}", "/schedule/{token}/confirm?start={start}"),
    ("/schedule/{token}/none-work", "/schedule/{token}/none-work"),
    ("/schedule/{token}?change=1", "/schedule/{token}?change=1"),
    ("/schedule/{token}/book", "/schedule/{token}"),        # a POST-only address
    ("/schedule/{other}", "/schedule/{token}"),              # another link's page
    ("/coordinator/", "/schedule/{token}"),                  # not this link's page
    ("https://example.net/schedule/{token}", "/schedule/{token}"),
    ("", "/schedule/{token}"),
])
def test_the_switch_comes_back_to_the_same_page_of_the_same_link_only(
        client, chinese_link, next_path, lands_on):
    _, token = chinese_link
    page = client.get(f"/schedule/{token}", headers=EN).text
    _path, start = _SLOT.search(page).groups()
    values = dict(token=token, start=start, other="x" * 43)
    answer = _switch(client, token, "en", page, next_path.format(**values))
    assert answer.headers["Location"] == lands_on.format(**values)


def test_an_unknown_language_changes_nothing(client, chinese_link):
    link, token = chinese_link
    page = client.get(f"/schedule/{token}", headers=EN).text
    answer = _switch(client, token, "fr", page, f"/schedule/{token}")
    assert answer.status_code == 302 and _candidate(link).language == "zh"


def test_a_dead_link_follows_the_browser_and_keeps_the_sites_switch(client, chinese_link):
    dead = "y" * 43
    chinese = client.get(f"/schedule/{dead}", headers=ZH)
    english = client.get(f"/schedule/{dead}", headers=EN)
    assert chinese.status_code == english.status_code == 404
    assert '<html lang="zh-CN">' in chinese.text and '<html lang="en">' in english.text
    assert 'action="/language"' in english.text
