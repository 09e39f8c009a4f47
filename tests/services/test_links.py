"""Scheduling links: capability tokens, states, email through the outbox, booking through a link."""
from __future__ import annotations

import email
import hashlib
import logging
from datetime import time, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from scheduler.jobs import JOBS
from scheduler.models import AuditEvent, Interview, OutboxMessage, SchedulingLink
from scheduler.services.booking import SlotTaken, book_interview
from scheduler.services.link_booking import (
    available_slots, book_from_link, can_change, cancel_from_link, set_hours, switch_zone,
)
from scheduler.services.links import (
    LinkError, create_link, expire_links, link_state, mark_opened, none_of_these_work, open_link,
    proposal, resend_link, revoke_link,
)
from scheduler.services.privacy_notices import current_version
from tests import factories as f
from tests.clock import at_local, workday_after
from tests.services.booking_setup import booking_world

NOTICE = current_version()  # the privacy notice the candidate acknowledges

HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)
# The booking world's interviewers work Monday–Friday 09:00–18:00 Beijing, the stages look 14
# days ahead, and a link may move or cancel its booking until 24 hours before it starts.
# SLOT: 10:00 Beijing on the first Monday–Friday CN workday at least a day away, a free time of
# every interviewer inside the horizon (at least ten hours away, whatever the hour of NOW).
SLOT = at_local(workday_after(1, weekdays_only=True), "10:00")
# CHANGEABLE: 10:00 on the first such workday at least two days away, so more than 24 hours
# ahead: before the cutoff, and the same day has room to move it to 12:00.
CHANGEABLE = at_local(workday_after(2, weekdays_only=True), "10:00")
LOOP = [dict(kind="system_design", duration_minutes=60, panel_size=1, step_minutes=30,
             min_notice_minutes=0, horizon_days=14, is_looped_with_next=True),
        dict(kind="project_deep_dive", duration_minutes=60, panel_size=1, step_minutes=30,
             min_notice_minutes=0, horizon_days=14)]


@pytest.fixture
def world(db):
    people, requisition, [application] = booking_world(interviewers=3)
    coordinator = f.make_user(roles=("coordinator",), language="en", zone="Europe/London")
    db.session.commit()
    return people, requisition, application, coordinator


def _send(world, now, stages=None, break_minutes=0, valid=WEEK):
    _, requisition, application, coordinator = world
    link, token = create_link(coordinator, application, stages or requisition.stages[:1],
                              break_minutes, now + valid, now)
    return link, token


def _mails(db, kind=None):
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return [email.message_from_bytes(r.raw_message, policy=policy.default)
            for r in db.session.scalars(query)]


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _english_in_london(instant) -> str:
    """Return how an English reader sees *instant* in London, e.g. "Thu 3 Dec 2026, 02:00"."""
    local = instant.astimezone(ZoneInfo("Europe/London"))
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[local.weekday()]
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
             "Dec")[local.month - 1]
    return f"{weekday} {local.day} {month} {local.year}, {local:%H:%M}"


def _actions(db, link):
    return [e.action for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "scheduling_link", AuditEvent.object_id == link.id)
        .order_by(AuditEvent.id))]


def test_a_link_is_32_random_bytes_stored_only_as_its_hash_and_emailed(db, now, world):
    link, token = _send(world, now)
    db.session.commit()
    assert len(token) == 43 and link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = db.session.execute(sa.select(SchedulingLink.__table__).where(
        SchedulingLink.id == link.id)).one()
    assert token not in repr(tuple(row))
    [mail] = _mails(db, "scheduling_link")
    candidate = world[2].candidate
    assert mail["To"] == candidate.email and candidate.language == "zh"
    assert "请选择面试时间" in str(mail["Subject"])  # the candidate's language, not the sender's
    assert f"http://localhost/schedule/{token}" in _text(mail)
    assert _actions(db, link) == ["link.created"]
    assert open_link(token, now).id == link.id


def test_two_links_never_share_a_token(db, now, world):
    first = _send(world, now)[1]
    second = _send(world, now)[1]
    assert first != second


@pytest.mark.parametrize("case", ["malformed", "unknown", "revoked", "expired", "closed"])
def test_dead_tokens_open_nothing_and_the_reason_is_logged(db, now, world, caplog, case):
    link, token = _send(world, now)
    if case == "malformed":
        token = token[:20] + "!" + token[21:]
    elif case == "unknown":
        token = "A" * 43
    elif case == "revoked":
        revoke_link(world[3], link, now)
    elif case == "closed":
        world[2].status = "rejected"
    db.session.commit()
    at = now + WEEK + HOUR if case == "expired" else now
    with caplog.at_level(logging.WARNING, logger="scheduler.links"):
        assert open_link(token, at) is None
    assert f"scheduling link refused: {case}" in caplog.text
    assert token not in caplog.text


def test_states_sent_opened_booked_cancelled(db, now, world):
    link, token = _send(world, now)
    assert link_state(link, now) == "sent"
    mark_opened(link, now)
    mark_opened(link, now + HOUR)  # only the first opening counts
    assert link_state(link, now) == "opened" and link.first_opened_at == now
    book_from_link(link, CHANGEABLE, now, notice_version=NOTICE)  # before the cutoff: the link may cancel it
    db.session.commit()
    assert link_state(link, now) == "booked"
    cancel_from_link(link, now, reason="found another job")
    db.session.commit()
    assert link_state(link, now) == "cancelled"
    assert _actions(db, link) == ["link.created", "link.opened", "link.booked"]
    cancelled = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "interview.cancelled")).one()
    assert cancelled.actor_label == f"candidate link {link.id}"
    assert cancelled.note == "found another job"


def test_the_job_expires_unbooked_links_only(db, now, world):
    stale, _ = _send(world, now, valid=HOUR)
    booked, _ = _send(world, now, valid=HOUR)
    fresh, _ = _send(world, now)
    revoked, _ = _send(world, now, valid=HOUR)
    book_from_link(booked, SLOT, now, notice_version=NOTICE)
    revoke_link(world[3], revoked, now)
    db.session.commit()
    job = next(j for j in JOBS if j.name == "expire_links")
    assert job.function(now + 2 * HOUR) == {"expired": 1}
    assert stale.expired_at == now + 2 * HOUR and _actions(db, stale)[-1] == "link.expired"
    assert [link_state(link, now + 2 * HOUR) for link in (stale, booked, fresh, revoked)] == [
        "expired", "booked", "sent", "revoked"]
    assert expire_links(now + 3 * HOUR) == {"expired": 0}  # once only


def test_resend_kills_the_old_token_and_reopens_an_expired_window(db, now, world):
    link, old = _send(world, now, valid=2 * HOUR)
    expire_links(now + 3 * HOUR)
    later = now + 3 * HOUR
    new = resend_link(world[3], link, later)
    db.session.commit()
    assert new != old
    assert open_link(old, later) is None
    assert open_link(new, later).id == link.id
    # A new window as long as the first, and at least a day.
    assert link.expired_at is None and link.expires_at == later + timedelta(days=1)
    assert link_state(link, later) == "sent"
    mails = _mails(db, "scheduling_link")
    assert len(mails) == 2 and mails[0]["Message-ID"] != mails[1]["Message-ID"]
    assert new in _text(mails[1]) and old not in _text(mails[1])
    assert _actions(db, link)[-1] == "link.resent"


def test_a_revoked_link_is_not_resent(db, now, world):
    link, _ = _send(world, now)
    revoke_link(world[3], link, now)
    with pytest.raises(LinkError) as info:
        resend_link(world[3], link, now)
    assert info.value.code == "revoked"


def test_a_booked_link_stays_valid_past_its_expiry_until_the_interview_ends(db, now, world):
    link, token = _send(world, now, valid=2 * HOUR)
    book_from_link(link, SLOT, now, notice_version=NOTICE)
    db.session.commit()
    assert open_link(token, now + 3 * HOUR) is not None  # the picking window has passed
    assert open_link(token, SLOT + 30 * timedelta(minutes=1)) is not None
    assert open_link(token, SLOT + HOUR) is None  # dead once the interview is over


def test_booking_through_a_link_sends_the_invite_with_the_picked_time(db, now, world):
    link, _ = _send(world, now)
    [interview] = book_from_link(link, SLOT, now, notice_version=NOTICE)
    db.session.commit()
    assert link.interview_id == interview.id and link.booked_at == now
    candidate = world[2].candidate
    [invite] = [m for m in _mails(db, "invite_request") if m["To"] == candidate.email]
    part = next(p for p in invite.walk() if p.get_content_type() == "text/calendar")
    event = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == SLOT
    assert str(event["UID"]) == interview.calendar_uid


def test_a_time_no_longer_free_gives_slot_taken_with_fresh_slots(db, now, world):
    (alice, bob, carol), *_ = world
    for person in (alice, bob, carol):
        source = f.make_calendar_source(person)
        f.make_busy_block(source, SLOT, SLOT + HOUR)
    db.session.commit()
    link, _ = _send(world, now)
    with pytest.raises(SlotTaken) as info:
        book_from_link(link, SLOT, now, notice_version=NOTICE)
    db.session.rollback()
    assert info.value.fresh.slots
    assert SLOT not in [s.start_at for s in info.value.fresh.slots]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interview)) == 0


def test_a_loop_books_both_stages_as_one_group_or_nothing(db, now):
    people, requisition, [application] = booking_world(interviewers=3, stages=LOOP)
    coordinator = f.make_user(roles=("coordinator",))
    link, _ = create_link(coordinator, application, requisition.stages, 15, now + WEEK, now)
    slots = available_slots(link, now).slots
    first = next(s for s in slots if s.start_at == SLOT)
    assert first.end_at == SLOT + 2 * HOUR + timedelta(minutes=15)
    # Between display and booking, every deep-dive interviewer gets busy at the second stage.
    second_start = SLOT + HOUR + timedelta(minutes=15)
    for person in people:
        f.make_busy_block(f.make_calendar_source(person), second_start, second_start + HOUR)
    db.session.commit()
    with pytest.raises(SlotTaken):
        book_from_link(link, SLOT, now, notice_version=NOTICE)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interview)) == 0
    later = SLOT + 4 * HOUR
    interviews = book_from_link(link, later, now, notice_version=NOTICE)
    db.session.commit()
    assert [i.start_at for i in interviews] == [later, later + HOUR + timedelta(minutes=15)]
    assert len({i.booking_group_id for i in interviews}) == 1 and link.booking_group_id


def test_a_loop_moves_and_cancels_as_one(db, now):
    _, requisition, [application] = booking_world(interviewers=3, stages=LOOP)
    link, _ = create_link(f.make_user(roles=("coordinator",)), application, requisition.stages,
                          15, now + WEEK, now)
    assert CHANGEABLE - now > 24 * HOUR  # before the cutoff
    first, second = book_from_link(link, CHANGEABLE, now, notice_version=NOTICE)
    db.session.commit()
    later = CHANGEABLE + 2 * HOUR
    book_from_link(link, later, now, notice_version=NOTICE)
    db.session.commit()
    assert [(i.start_at, i.sequence) for i in (first, second)] == [
        (later, 1), (later + HOUR + timedelta(minutes=15), 1)]
    cancel_from_link(link, now)
    db.session.commit()
    assert [(i.status, i.sequence) for i in (first, second)] == [("cancelled", 2)] * 2
    assert link_state(link, now) == "cancelled"


def test_reschedule_and_cancel_before_the_cutoff_keep_the_uid(db, now, world):
    link, _ = _send(world, now)
    assert CHANGEABLE - now > 24 * HOUR  # before the cutoff
    [interview] = book_from_link(link, CHANGEABLE, now, notice_version=NOTICE)
    db.session.commit()
    uid = interview.calendar_uid
    book_from_link(link, CHANGEABLE + 2 * HOUR, now, reason="a clash", notice_version=NOTICE)
    db.session.commit()
    assert (interview.start_at, interview.sequence) == (CHANGEABLE + 2 * HOUR, 1)
    cancel_from_link(link, now, reason="sorry")
    db.session.commit()
    assert (interview.status, interview.sequence) == ("cancelled", 2)
    candidate = world[2].candidate
    mine = [m for m in _mails(db) if m["To"] == candidate.email]
    calendars = [Calendar.from_ical(p.get_payload(decode=True)) for m in mine
                 for p in m.walk() if p.get_content_type() == "text/calendar"]
    assert [(str(c["METHOD"]), str(c.walk("VEVENT")[0]["UID"]),
             int(c.walk("VEVENT")[0]["SEQUENCE"])) for c in calendars] == [
        ("REQUEST", uid, 0), ("REQUEST", uid, 1), ("CANCEL", uid, 2)]


def test_after_the_cutoff_the_link_cannot_move_or_cancel(db, now, world):
    link, token = _send(world, now)
    assert CHANGEABLE - now > 24 * HOUR
    [interview] = book_from_link(link, CHANGEABLE, now, notice_version=NOTICE)  # more than 24 hours ahead of now
    db.session.commit()
    assert can_change(link, now)
    late = CHANGEABLE - 23 * HOUR
    assert not can_change(link, late)
    with pytest.raises(LinkError) as moved:
        book_from_link(link, CHANGEABLE + 2 * HOUR, late, notice_version=NOTICE)
    with pytest.raises(LinkError) as cancelled:
        cancel_from_link(link, late)
    assert moved.value.code == cancelled.value.code == "past_cutoff"
    assert interview.status == "scheduled" and interview.start_at == CHANGEABLE
    assert open_link(token, late) is not None  # still shows the booking


def test_an_expired_link_cannot_book(db, now, world):
    link, _ = _send(world, now, valid=HOUR)
    with pytest.raises(LinkError) as info:
        book_from_link(link, SLOT, now + 2 * HOUR, notice_version=NOTICE)
    assert info.value.code == "expired"


def test_switching_the_zone_stores_it_and_recomputes_the_times(db, now, world):
    link, _ = _send(world, now)
    in_beijing = {s.start_at for s in available_slots(link, now).slots}
    switch_zone(link, "America/Los_Angeles", now)
    db.session.commit()
    assert world[2].candidate.zone == "America/Los_Angeles"
    in_california = {s.start_at for s in available_slots(link, now).slots}
    # Beijing office hours are evening and night in California: 08:00–21:00 there keeps few.
    assert in_california and in_california < in_beijing
    changed = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "candidate.zone_changed")).one()
    assert (changed.before, changed.after) == ({"zone": "Asia/Shanghai"},
                                               {"zone": "America/Los_Angeles"})
    with pytest.raises(LinkError) as info:
        switch_zone(link, "Mars/Olympus_Mons", now)
    assert info.value.code == "unknown_zone"


def test_widened_hours_offer_more_times_and_are_kept_on_the_link(db, now, world):
    link, _ = _send(world, now)
    switch_zone(link, "Europe/London", now)
    usual = {s.start_at for s in available_slots(link, now).slots}
    set_hours(link, time(6, 0), time(0, 0), now)  # 06:00 until midnight
    db.session.commit()
    wider = {s.start_at for s in available_slots(link, now).slots}
    assert usual < wider
    # 09:00 Beijing is 01:00 in London (02:00 in summer): still outside even the widened hours.
    assert SLOT - HOUR not in wider
    with pytest.raises(LinkError):
        set_hours(link, time(12), time(9), now)


def test_none_of_these_work_reaches_the_openings_coordinators(db, now, world, app):
    link, _ = _send(world, now)
    proposed = [SLOT + 48 * HOUR, SLOT + 72 * HOUR]
    none_of_these_work(link, proposed, "Evenings suit me best.", now)
    db.session.commit()
    found = proposal(link)
    assert found.times == tuple(proposed) and found.note == "Evenings suit me best."
    assert _actions(db, link)[-1] == "link.none_work"
    # The opening has no coordinator of its own: every active coordinator is told.
    [mail] = _mails(db, "notice_none_work")
    assert mail["To"] == world[3].email
    body = _text(mail)
    # The coordinator reads English, in London time.
    assert "Evenings suit me best." in body and _english_in_london(proposed[0]) in body
    assert f"/coordinator/applications/{link.application_id}" in body
    with pytest.raises(LinkError) as empty:
        none_of_these_work(link, [], "  ", now)
    with pytest.raises(LinkError) as past:
        none_of_these_work(link, [now - HOUR], "", now)
    assert (empty.value.code, past.value.code) == ("proposal_empty", "proposal_in_past")


@pytest.mark.parametrize("case, code", [
    ("closed", "application_closed"), ("foreign_stage", "stage_not_schedulable"),
    ("booked", "already_booked"), ("no_stages", "no_stages")])
def test_links_are_refused_when_nothing_could_be_booked(db, now, world, case, code):
    (alice, *_), requisition, application, coordinator = world
    stages = requisition.stages[:1]
    if case == "closed":
        application.status = "rejected"
    elif case == "foreign_stage":
        stages = f.make_requisition().stages
    elif case == "booked":
        book_interview("test", application, stages[0], SLOT, [alice.id], now)
    elif case == "no_stages":
        stages = []
    with pytest.raises(LinkError) as info:
        create_link(coordinator, application, stages, 0, now + WEEK, now)
    assert info.value.code == code
