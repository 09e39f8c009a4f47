"""The outbox through a real SMTP server: retries, failure and "send again", leases, no loss.

Several job processes against a slow server are in test_outbox_processes.py."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.jobs import STOP, send_outbox
from scheduler.mail import SmtpTransport, build_message
from scheduler.models import OutboxMessage
from scheduler.services.outbox import (
    MAX_ATTEMPTS, Lease, claim_due_messages, enqueue_email, record_delivery, renew_claim,
    resend_message, retry_delay, send_claimed_message,
)
from tests import factories as f
from tests.dbutil import subprocess_environment
from tests.smtp_server import SmtpTestServer


@pytest.fixture
def smtp():
    with SmtpTestServer() as server:
        yield server


def _enqueue(now, count=3):
    for n in range(count):
        message = build_message(from_addr="ml-hr@example.com", to_addr=f"person{n}@example.org",
                                subject=f"面试邀请 {n}", text_body="你好", html_body="<p>你好</p>",
                                message_id=f"<msg-{n}@example.com>", date_at=now)
        enqueue_email(message, kind="invite_request", now=now)


def _sent_ids(smtp):
    return sorted(m.message["Message-ID"] for m in smtp.messages)


def test_outage_delays_mail_and_loses_none(db, now, smtp):
    _enqueue(now)
    db.session.commit()
    transport = SmtpTransport.from_url(smtp.url)

    smtp.refuse("451 4.3.0 Try again later")
    assert send_outbox(now, transport) == {"claimed": 3, "sent": 0, "retry": 3, "failed": 0,
                                             "dropped": 0, "left": 0}
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {r.attempts for r in rows} == {1}
    assert {r.next_attempt_at for r in rows} == {now + retry_delay(1)}
    assert all("451" in r.last_error for r in rows)
    # Not due again yet: nothing is claimed.
    assert send_outbox(now + timedelta(seconds=30), transport)["claimed"] == 0

    smtp.accept()
    later = now + retry_delay(1)
    assert send_outbox(later, transport) == {"claimed": 3, "sent": 3, "retry": 0, "failed": 0,
                                               "dropped": 0, "left": 0}
    assert _sent_ids(smtp) == ["<msg-0@example.com>", "<msg-1@example.com>", "<msg-2@example.com>"]
    assert send_outbox(later + timedelta(hours=1), transport)["claimed"] == 0
    assert len(smtp.messages) == 3
    assert smtp.messages[0].message["Subject"] == "面试邀请 0"


def test_delays_grow():
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert delays == sorted(delays) and delays[0] < delays[-1]


def test_permanent_refusal_fails_and_send_again_delivers(db, now, smtp):
    _enqueue(now, count=1)
    db.session.commit()
    transport = SmtpTransport.from_url(smtp.url)
    smtp.refuse("550 5.1.1 No such user")
    assert send_outbox(now, transport)["failed"] == 1
    row = db.session.scalars(sa.select(OutboxMessage)).one()
    assert row.failed_at == now and row.sent_at is None
    assert send_outbox(now + timedelta(days=1), transport)["claimed"] == 0

    smtp.accept()
    coordinator = f.make_user(roles=("coordinator",))
    resend_message(coordinator, row, now + timedelta(hours=2))
    db.session.commit()
    assert send_outbox(now + timedelta(hours=2), transport)["sent"] == 1
    assert _sent_ids(smtp) == ["<msg-0@example.com>"]


def test_gives_up_after_the_last_attempt(db, now, smtp):
    _enqueue(now, count=1)
    db.session.commit()
    transport = SmtpTransport.from_url(smtp.url)
    smtp.refuse("421 4.7.0 Busy")
    moment = now
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        counts = send_outbox(moment, transport)
        outcomes.append("failed" if counts["failed"] else "retry")
        moment += timedelta(days=1)
    assert outcomes == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]


def test_server_down_is_a_temporary_failure(db, now, smtp):
    _enqueue(now, count=1)
    db.session.commit()
    transport = SmtpTransport.from_url(smtp.url)
    smtp.stop()
    assert send_outbox(now, transport)["retry"] == 1
    smtp.start()
    assert send_outbox(now + retry_delay(1), transport)["sent"] == 1


CLAIM_AND_HANG = textwrap.dedent("""
    import time
    from scheduler import create_app
    from scheduler.extensions import db
    from scheduler.jobs import outbox_lease
    from scheduler.services.outbox import claim_due_messages
    from scheduler.timeutil import utc_now
    app = create_app()
    with app.app_context():
        claimed = claim_due_messages(utc_now(), outbox_lease(), limit=5)
        db.session.commit()
        print(len(claimed), flush=True)
        time.sleep(60)
""")


def test_killed_process_leaves_rows_for_after_the_lease(db, now, smtp, database_config):
    _enqueue(now, count=2)
    db.session.commit()
    child = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG],
                             env=subprocess_environment(database_config),
                             stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    try:
        assert child.stdout.readline().strip() == "2"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # The dead process's lease ends at one instant on the real clock; step a clock to it.
    [lease_end] = set(db.session.scalars(sa.select(OutboxMessage.claimed_until)))
    clock = SteppingClock(lease_end - timedelta(microseconds=1))
    transport = SmtpTransport.from_url(smtp.url)
    assert send_outbox(now, transport, lease=Lease("survivor", LEASE, clock))["claimed"] == 0
    clock.step(timedelta(microseconds=1))
    assert send_outbox(now, transport, lease=Lease("survivor", LEASE, clock))["sent"] == 2
    assert len(smtp.messages) == 2


# --- the lease: only its holder sends, renewed before each send (issue 21) --------------------

LEASE = timedelta(minutes=2)


class SteppingClock:
    """A lease clock the test moves by hand."""

    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at

    def step(self, by):
        self.at += by


def _messages_by_id(db):
    return {row.id: row for row in db.session.scalars(sa.select(OutboxMessage))}


def test_a_holder_whose_lease_ran_out_neither_sends_nor_records(db, now, smtp):
    _enqueue(now, count=2)
    db.session.commit()
    clock = SteppingClock(now)
    first, second = Lease("first", LEASE, clock), Lease("second", LEASE, clock)
    claimed = claim_due_messages(now, first, limit=5)
    assert len(claimed) == 2 and claim_due_messages(now, second, limit=5) == []
    db.session.commit()
    message = renew_claim(claimed[0], first)
    assert message is not None and message.attempts == 1
    db.session.commit()
    transport = SmtpTransport.from_url(smtp.url)
    delivery = send_claimed_message(message, transport)

    # The first holder stalls past its lease; the second takes both rows over.
    clock.step(LEASE + timedelta(seconds=1))
    assert claim_due_messages(now, second, limit=5) == claimed
    db.session.commit()
    assert record_delivery(delivery, now, first) is False  # no longer the first holder's row
    assert renew_claim(claimed[1], first) is None  # nor the one waiting behind it
    db.session.commit()
    for message_id in claimed:
        taken = renew_claim(message_id, second)
        db.session.commit()
        assert record_delivery(send_claimed_message(taken, transport), now, second)
        db.session.commit()
    # The one in flight when the lease ran out went twice (same Message-ID), the other once.
    assert _sent_ids(smtp) == ["<msg-0@example.com>", "<msg-0@example.com>", "<msg-1@example.com>"]
    rows = _messages_by_id(db)
    assert all(r.sent_at == now and r.claimed_by is None for r in rows.values())


def test_each_send_renews_the_batch_so_a_long_batch_keeps_its_rows(db, now, smtp):
    _enqueue(now, count=3)
    db.session.commit()
    clock = SteppingClock(now)
    holder, other = Lease("holder", LEASE, clock), Lease("other", LEASE, clock)
    claimed = claim_due_messages(now, holder, limit=5)
    db.session.commit()
    transport = SmtpTransport.from_url(smtp.url)
    for message_id in claimed:
        # Each send takes most of a lease: the batch as a whole outlives it three times over.
        clock.step(LEASE * 0.9)
        message = renew_claim(message_id, holder)
        db.session.commit()
        assert message is not None
        assert claim_due_messages(now, other, limit=5) == []
        assert record_delivery(send_claimed_message(message, transport), now, holder)
        db.session.commit()
    assert _sent_ids(smtp) == ["<msg-0@example.com>", "<msg-1@example.com>", "<msg-2@example.com>"]


def test_a_stopping_run_finishes_the_message_in_flight_and_gives_back_the_rest(db, now, smtp):
    _enqueue(now, count=3)
    db.session.commit()
    clock = SteppingClock(now)

    class StopAfterOne(SmtpTransport):
        def send(self, message):
            super().send(message)
            STOP.set()  # as the job process's SIGTERM does, while this message is in flight

    transport = StopAfterOne.from_url(smtp.url)
    try:
        counts = send_outbox(now, transport, lease=Lease("stopping", LEASE, clock))
    finally:
        STOP.clear()
    assert counts == {"claimed": 3, "sent": 1, "retry": 0, "failed": 0, "dropped": 0, "left": 2}
    assert _sent_ids(smtp) == ["<msg-0@example.com>"]
    rows = sorted(_messages_by_id(db).values(), key=lambda r: r.id)
    assert [r.sent_at is not None for r in rows] == [True, False, False]
    assert all(r.claimed_by is None and r.claimed_until is None for r in rows)
    assert [r.attempts for r in rows] == [1, 0, 0]  # given back untried
    # Another process takes them at once, without waiting out the lease.
    assert len(claim_due_messages(now, Lease("next", LEASE, clock), limit=5)) == 2
