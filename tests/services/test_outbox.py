"""The outbox through a real SMTP server: retries, failure and "send again", leases, no loss."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.jobs import send_outbox
from scheduler.mail import SmtpTransport, build_message
from scheduler.models import OutboxMessage
from scheduler.services.outbox import LEASE, MAX_ATTEMPTS, enqueue_email, resend_message, retry_delay
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
    import sys, time
    from datetime import datetime
    from scheduler import create_app
    from scheduler.extensions import db
    from scheduler.services.outbox import claim_due_messages
    app = create_app()
    with app.app_context():
        claimed = claim_due_messages(datetime.fromisoformat(sys.argv[1]))
        db.session.commit()
        print(len(claimed), flush=True)
        time.sleep(60)
""")


def test_killed_process_leaves_rows_for_after_the_lease(db, now, smtp, database_config):
    _enqueue(now, count=2)
    db.session.commit()
    child = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, now.isoformat()],
                             env=subprocess_environment(database_config),
                             stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    try:
        assert child.stdout.readline().strip() == "2"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    transport = SmtpTransport.from_url(smtp.url)
    assert send_outbox(now + LEASE - timedelta(seconds=1), transport)["claimed"] == 0
    assert send_outbox(now + LEASE, transport)["sent"] == 2
    assert len(smtp.messages) == 2
