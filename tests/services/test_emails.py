"""The one way mail is written: compose_and_enqueue renders in the recipient's language, builds
one message and puts it in the outbox; external_url needs the app, never a request."""
from __future__ import annotations

import email
from datetime import timedelta
from email import policy

import sqlalchemy as sa
from flask import has_request_context
from icalendar import Calendar

from scheduler import ical
from scheduler.models import OutboxMessage
from scheduler.services.emails import CalendarPart, StableId, compose_and_enqueue, external_url
from tests import factories as f


def _parsed(row: OutboxMessage):
    return email.message_from_bytes(row.raw_message, policy=policy.default)


def test_external_url_needs_no_request_and_keeps_the_base_urls_path(app):
    assert not has_request_context()
    assert external_url("auth.reset_password", token="abc") == "http://localhost/account/reset/abc"
    app.config["BASE_URL"] = "https://hire.example/scheduler"
    assert external_url("candidate.page", token="t0k") == \
        "https://hire.example/scheduler/schedule/t0k"
    assert external_url("coordinator.application_links", application_id=7, tab="x") == \
        "https://hire.example/scheduler/coordinator/applications/7/links?tab=x"


def test_compose_renders_in_the_given_language_and_enqueues_one_message(db, now):
    user = f.make_user(name="王芳", language="en")
    stable_id = StableId("reset-1", kind="password-reset", sequence=5)
    rows = [compose_and_enqueue("password_reset", to_addr=user.email, language="zh",
                                subject="主题", context=dict(user=user, link="http://x/y",
                                                           minutes=60),
                                stable_id=stable_id, kind="password_reset", now=now)
            for _ in range(2)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 2
    first, second = (_parsed(row) for row in rows)
    # The same stable id is the same message: a receiver keeps one copy.
    assert first["Message-ID"] == second["Message-ID"] == rows[0].message_id
    assert first["From"] == "ML Hiring Team <ml-hr@example.com>"
    assert first["To"] == user.email and first["Subject"] == "主题"
    assert rows[0].kind == "password_reset" and rows[0].interview_id is None
    text = first.get_body(("plain",)).get_content()
    assert "王芳，你好：" in text and "http://x/y" in text
    assert first.get_body(("html",)).get_content().count("王芳") == 1


def test_an_invite_calendar_is_built_from_the_emails_own_text(db, now):
    seen = []

    def calendar(text_body: str) -> bytes:
        seen.append(text_body)
        event = ical.InviteEvent(
            uid="interview-1@example.com", sequence=0, start_at=now,
            end_at=now + timedelta(hours=1),
            summary="Interview", description=text_body, location=None,
            organizer_email="ml-hr@example.com", organizer_name="ML Hiring Team",
            attendees=[ical.Attendee("li@example.org", "Li")], status=ical.STATUS_CONFIRMED)
        return ical.build_invite(event, method="REQUEST", dtstamp_at=now)

    user = f.make_user(name="Li", language="en")
    row = compose_and_enqueue(
        "password_reset", to_addr="li@example.org", language="en", subject="Invite",
        context=dict(user=user, link="http://x/y", minutes=60),
        stable_id=StableId("interview-1@example.com", kind="request"), kind="invite_request",
        now=now, calendar=CalendarPart("REQUEST", calendar))
    message = _parsed(row)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    event = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    assert len(seen) == 1 and "Hello Li," in seen[0]
    assert str(event["DESCRIPTION"]) == seen[0]
