"""Password reset by email: a signed, expiring, single-use link; no account enumeration."""
from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa

from scheduler.jobs import send_outbox
from scheduler.mail import SmtpTransport
from scheduler.models import OutboxMessage
from scheduler.services.password_reset import (
    RESET_VALID_FOR, InvalidResetLink, make_reset_token, user_for_reset_token,
)
from tests.clock import NOW
from tests import factories as f
from tests.smtp_server import SmtpTestServer
from tests.web.helpers import post_form, sign_in


def _reset_link_in_outbox(db) -> str:
    row = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.kind == "password_reset")).one()
    message = email.message_from_bytes(row.raw_message, policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/account/reset/\S+)", text).group(1)


def test_reset_through_the_emailed_link_once(client, db):
    user = f.make_user(email="wang@example.com", language="zh", password="the old password")
    db.session.commit()
    response = post_form(client, "/account/forgot", {"email": "WANG@example.com"})
    assert response.status_code == 302
    link = _reset_link_in_outbox(db)
    row = db.session.scalars(sa.select(OutboxMessage)).one()
    assert row.to_addr == "wang@example.com"
    assert "重置" in email.message_from_bytes(row.raw_message, policy=policy.default)["Subject"]

    page = client.get(link)
    assert page.status_code == 200
    response = post_form(client, link, {"new_password": "a brand new password",
                                        "confirm_password": "a brand new password"})
    assert response.status_code == 302
    assert sign_in(client, "wang@example.com", "a brand new password").status_code == 302
    # Used once: the same link is dead now.
    assert client.get(link).status_code == 404
    assert user.id


def test_unknown_address_gets_the_same_answer_and_no_mail(client, db):
    f.make_user(email="known@example.com")
    db.session.commit()
    known = post_form(client, "/account/forgot", {"email": "known@example.com"},
                      follow_redirects=True)
    unknown = post_form(client, "/account/forgot", {"email": "nobody@example.com"},
                        follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert "reset link is on its way" in known.text or "重置链接" in known.text
    # Both are written to the outbox alike (test_password_reset_enumeration.py); only the known
    # address gets mail.
    with SmtpTestServer() as smtp:
        send_outbox(NOW, SmtpTransport.from_url(smtp.url))
        assert [list(m.rcpt_tos) for m in smtp.messages] == [["known@example.com"]]


def test_link_expires_and_rejects_tampering(app, db):
    user = f.make_user()
    db.session.commit()
    now = NOW
    token = make_reset_token(user, now)
    assert user_for_reset_token(token, now + RESET_VALID_FOR - timedelta(seconds=1)) == user
    with pytest.raises(InvalidResetLink):
        user_for_reset_token(token, now + RESET_VALID_FOR)
    # Change the signature's first character: it always carries six bits (the last one carries
    # only some, so changing the tail may leave the signature as it was, about once in 1000 runs).
    payload, _, signature = token.rpartition(".")
    tampered = f"{payload}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    with pytest.raises(InvalidResetLink):
        user_for_reset_token(tampered, now)
    user.is_active = False
    db.session.commit()
    with pytest.raises(InvalidResetLink):
        user_for_reset_token(token, now)


def test_weak_or_mismatched_new_password_is_refused(client, db):
    user = f.make_user(language="en")
    db.session.commit()
    link = f"/account/reset/{make_reset_token(user, NOW)}"
    response = post_form(client, link, {"new_password": "short", "confirm_password": "short"},
                         headers={"Accept-Language": "en"})
    assert response.status_code == 200 and "at least" in response.text
    response = post_form(client, link, {"new_password": "long enough one",
                                        "confirm_password": "long enough two"},
                         headers={"Accept-Language": "en"})
    assert "differ" in response.text
