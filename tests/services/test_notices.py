"""The opening's coordinators are told, once per event, each in their language and zone: an
interviewer declining, a candidate booking, moving or cancelling through their link (a loop in one
mail), and "none of these work" with the proposed times; one event goes out for real over SMTP."""
from __future__ import annotations

import email
from email import policy

import pytest
import sqlalchemy as sa

from scheduler.jobs import send_outbox
from scheduler.mail import SmtpTransport
from scheduler.models import OutboxMessage
from scheduler.services.booking import book_interview, decline_interview
from scheduler.services.link_booking import book_from_link, cancel_from_link
from scheduler.services.links import create_link, none_of_these_work
from scheduler.services.privacy_notices import current_version
from tests import factories as f
from tests.services.booking_setup import booking_world
from tests.services.test_links import (
    CHANGEABLE, HOUR, LOOP, SLOT, WEEK, _english_in_london,
)
from tests.smtp_server import SmtpTestServer

NOTICE = current_version()  # the privacy notice the candidate acknowledges


def _opening(db, stages=None, *, assigned=True):
    """An opening with a Chinese coordinator in Shanghai and an English one in London (its own,
    when *assigned*), and a coordinator of other openings who is told only as the fallback."""
    people, requisition, [application] = booking_world(interviewers=3, stages=stages)
    zh = f.make_user(roles=("coordinator",), language="zh", zone="Asia/Shanghai")
    en = f.make_user(roles=("coordinator",), language="en", zone="Europe/London")
    other = f.make_user(roles=("coordinator",), language="en", zone="Europe/London")
    if assigned:
        requisition.coordinators = [zh, en]
    db.session.commit()
    return people, requisition, application, zh, en, other


def _mails(db, kind):
    rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()
    return {r.to_addr: email.message_from_bytes(r.raw_message, policy=policy.default)
            .get_body(("plain",)).get_content() for r in rows}, len(rows)


def test_a_candidate_booking_moving_and_cancelling_tells_each_coordinator_once(db, now):
    _, requisition, application, zh, en, other = _opening(db)
    link, _ = create_link(zh, application, requisition.stages[:1], 0, now + WEEK, now)
    book_from_link(link, CHANGEABLE, now, notice_version=NOTICE)
    book_from_link(link, CHANGEABLE, now, notice_version=NOTICE)  # the same request again
    db.session.commit()
    booked, count = _mails(db, "notice_booked")
    assert count == 2 and set(booked) == {zh.email, en.email}
    assert "通过预约链接预约了时间" in booked[zh.email] and "北京时间 Asia/Shanghai" in booked[zh.email]
    assert "booked a time through their scheduling link" in booked[en.email]
    assert _english_in_london(CHANGEABLE) in booked[en.email]
    assert f"/coordinator/applications/{application.id}" in booked[en.email]

    book_from_link(link, CHANGEABLE + 2 * HOUR, now, reason="a clash", notice_version=NOTICE)
    db.session.commit()
    moved, count = _mails(db, "notice_moved")
    assert count == 2 and "a clash" in moved[en.email]
    assert _english_in_london(CHANGEABLE) in moved[en.email]
    assert _english_in_london(CHANGEABLE + 2 * HOUR) in moved[en.email]
    assert "改了时间" in moved[zh.email]

    cancel_from_link(link, now, reason="found another job")
    db.session.commit()
    cancelled, count = _mails(db, "notice_cancelled")
    assert count == 2 and "found another job" in cancelled[en.email]
    assert "取消了面试" in cancelled[zh.email]
    assert other.email not in booked | moved | cancelled


def test_a_loop_is_one_mail_per_event_not_one_per_interview(db, now):
    _, requisition, application, zh, en, _other = _opening(db, LOOP)
    link, _ = create_link(zh, application, requisition.stages, 15, now + WEEK, now)
    assert len(book_from_link(link, CHANGEABLE, now, notice_version=NOTICE)) == 2
    cancel_from_link(link, now)
    db.session.commit()
    assert _mails(db, "notice_booked")[1] == 2 and _mails(db, "notice_cancelled")[1] == 2


def test_a_decline_tells_every_coordinator_when_the_opening_has_none(db, now):
    people, requisition, application, zh, en, other = _opening(db, assigned=False)
    interview = book_interview(zh, application, requisition.stages[0], SLOT, [people[0].id], now)
    db.session.commit()
    decline_interview(people[0].user, interview, "I am travelling", now)
    decline_interview(people[0].user, interview, "I am travelling", now)  # a double submit
    db.session.commit()
    declined, count = _mails(db, "notice_declined")
    assert count == 3 and set(declined) == {zh.email, en.email, other.email}
    assert "I am travelling" in declined[en.email] and _english_in_london(SLOT) in declined[en.email]
    assert "无法参加" in declined[zh.email]


def test_none_of_these_work_tells_each_coordinator_with_the_times_once(db, now):
    _, requisition, application, zh, en, _other = _opening(db)
    link, _ = create_link(zh, application, requisition.stages[:1], 0, now + WEEK, now)
    proposed = [SLOT + 48 * HOUR]
    none_of_these_work(link, proposed, "Evenings suit me best.", now)
    none_of_these_work(link, proposed, "Evenings suit me best.", now)  # sent twice
    db.session.commit()
    told, count = _mails(db, "notice_none_work")
    assert count == 2 and _english_in_london(proposed[0]) in told[en.email]
    assert "候选人提出的时间" in told[zh.email] and "北京时间 Asia/Shanghai" in told[zh.email]


@pytest.fixture
def smtp():
    with SmtpTestServer() as server:
        yield server


def test_the_coordinators_notice_goes_out_over_smtp(db, now, smtp):
    _, requisition, application, zh, en, _other = _opening(db)
    link, _ = create_link(zh, application, requisition.stages[:1], 0, now + WEEK, now)
    book_from_link(link, CHANGEABLE, now, notice_version=NOTICE)
    db.session.commit()
    send_outbox(now, SmtpTransport.from_url(smtp.url))
    told = {m.rcpt_tos[0]: m.message for m in smtp.messages
            if m.rcpt_tos[0] in (zh.email, en.email)}
    assert set(told) == {zh.email, en.email}
    assert application.candidate.name in told[en.email]["Subject"]
