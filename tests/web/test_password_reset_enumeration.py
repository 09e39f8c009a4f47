"""Forgot-password takes the same path for every address (issue 22, item 4): an active account's,
an unknown one and a deactivated account's cause the same SQL statements and write the same kind
of outbox row; only when sending is the address checked, and mail for one without an active
account is dropped unsent. Proven by what the database sees, not by timing."""
from __future__ import annotations

import email
from email import policy

import sqlalchemy as sa

from scheduler.jobs import send_outbox
from scheduler.mail import SmtpTransport
from scheduler.models import OutboxMessage
from tests import factories as f
from tests.clock import NOW
from tests.smtp_server import SmtpTestServer
from tests.web.helpers import csrf_token

ADDRESSES = ("known@example.com", "nobody@example.com", "gone@example.com")


def _statements_of_request(client, db, address: str) -> list[str]:
    """POST the forgot-password form for *address*; return the SQL it ran, without parameters."""
    token = csrf_token(client.get("/account/forgot").text)
    statements = []

    def listener(_conn, _cursor, statement, _parameters, _context, _many):
        statements.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.post("/account/forgot", data={"csrf_token": token, "email": address})
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 302
    return statements


def _shape(row: OutboxMessage) -> tuple:
    message = email.message_from_bytes(row.raw_message, policy=policy.default)
    return (row.kind, row.interview_id, row.attempts, row.sent_at, row.failed_at,
            row.created_at, row.next_attempt_at,
            [part.get_content_type() for part in message.walk()])


def test_known_unknown_and_deactivated_addresses_do_the_same_database_work(client, db):
    f.make_user(email="known@example.com", language="en")
    f.make_user(email="gone@example.com", language="en", is_active=False)
    db.session.commit()

    statements = {address: _statements_of_request(client, db, address) for address in ADDRESSES}

    known = statements["known@example.com"]
    assert any(s.startswith("INSERT INTO outbox_message") for s in known)
    assert statements["nobody@example.com"] == known
    assert statements["gone@example.com"] == known
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [r.to_addr for r in rows] == list(ADDRESSES)
    assert _shape(rows[1]) == _shape(rows[0]) == _shape(rows[2])


def test_only_an_active_accounts_reset_mail_is_sent_the_others_are_dropped(client, db):
    f.make_user(email="known@example.com", language="en")
    f.make_user(email="gone@example.com", language="en", is_active=False)
    db.session.commit()
    for address in ADDRESSES:
        token = csrf_token(client.get("/account/forgot").text)
        client.post("/account/forgot", data={"csrf_token": token, "email": address})

    with SmtpTestServer() as smtp:
        counts = send_outbox(NOW, SmtpTransport.from_url(smtp.url))
        assert [list(m.rcpt_tos) for m in smtp.messages] == [["known@example.com"]]
    assert (counts["sent"], counts["dropped"], counts["failed"], counts["left"]) == (1, 2, 0, 0)
    remaining = db.session.scalars(sa.select(OutboxMessage)).all()
    # Dropped mail leaves nothing behind: no row, nothing on the failed-mail page.
    assert [(r.to_addr, r.sent_at is not None) for r in remaining] == [("known@example.com", True)]
