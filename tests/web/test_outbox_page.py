"""Failed email, shown to coordinators with "send again", which puts it back in the queue."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent
from scheduler.services.outbox import Lease, claim_due_messages
from tests import factories as f
from tests.web.helpers import csrf_token, en_day_time, en_zone, sign_in, zh_day_time

PASSWORD = "correct horse battery staple"


@pytest.fixture
def failed(db, now):
    interview = f.make_interview(panel=[f.make_interviewer()])
    message = f.make_outbox_message(to_addr="lost@example.org", subject="Invitation: System design",
                                    interview_id=interview.id, attempts=8,
                                    failed_at=now + timedelta(hours=3),
                                    last_error="550 5.1.1 mailbox unavailable")
    f.make_outbox_message(to_addr="fine@example.org", sent_at=now)
    db.session.commit()
    return message


def _coordinator(client, db, language="en"):
    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD,
                language=language, zone="Europe/London")
    db.session.commit()
    sign_in(client, "co@example.com", PASSWORD)


@pytest.mark.parametrize("language, markers", [
    ("en", ["Email that could not be sent", "550 5.1.1 mailbox unavailable", "Send again"]),
    ("zh", ["未能发出的邮件", "重新发送"]),
])
def test_failed_messages_are_listed_in_both_languages(client, db, failed, language, markers):
    _coordinator(client, db, language)
    html = client.get("/coordinator/outbox").text
    for marker in markers:
        assert marker in html
    # When it failed, on the coordinator's wall clock (London), labelled with the zone in English.
    london = "Europe/London"
    assert (f"{en_day_time(failed.failed_at, london)} ({en_zone(failed.failed_at, london)})"
            if language == "en" else zh_day_time(failed.failed_at, london)) in html
    assert "lost@example.org" in html and "fine@example.org" not in html
    assert f"#interview-{failed.interview_id}" in html
    home = client.get("/coordinator/").text
    assert ("1 email could not be sent." if language == "en" else "有 1 封邮件未能发出。") in home
    assert 'href="/coordinator/outbox"' in home


def test_send_again_requeues_the_message(client, db, failed, now):
    _coordinator(client, db)
    token = csrf_token(client.get("/coordinator/outbox").text)
    response = client.post(f"/coordinator/outbox/{failed.id}/resend", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(failed)
    assert failed.failed_at is None and failed.attempts == 0 and failed.sent_at is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "outbox.resend"))
    assert event.object_id == failed.id
    page = client.get(response.headers["Location"]).text
    assert "The message to lost@example.org will be sent again shortly." in page
    assert "No failed email" in page
    # The job process picks it up again.
    lease = Lease("test", timedelta(minutes=2), lambda: now)
    assert claim_due_messages(max(now, failed.next_attempt_at), lease) == [failed.id]
    # A second click changes nothing.
    db.session.rollback()
    client.post(f"/coordinator/outbox/{failed.id}/resend", data={"csrf_token": token})
    assert "This message is already queued or sent." in client.get("/coordinator/outbox").text


def test_send_again_needs_the_csrf_token_and_a_coordinator(client, db, failed):
    response = client.get("/coordinator/outbox")
    assert response.headers["Location"].startswith("/login")
    f.make_user(email="iv@example.com", roles=("interviewer",), password=PASSWORD)
    db.session.commit()
    sign_in(client, "iv@example.com", PASSWORD)
    assert client.get("/coordinator/outbox").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/interviewer/").text)})

    _coordinator(client, db)
    assert client.post(f"/coordinator/outbox/{failed.id}/resend").status_code == 400
    db.session.refresh(failed)
    assert failed.failed_at is not None
    token = csrf_token(client.get("/coordinator/outbox").text)
    assert client.post("/coordinator/outbox/99999/resend",
                       data={"csrf_token": token}).status_code == 404


REFUSED = ("permanent mail failure: recipient refused (gone@example.org: 550 5.1.1 "
           "<gone@example.org>: Recipient address rejected: User unknown)")


@pytest.mark.parametrize("language, summary, tries", [
    ("en", "The receiving mail server refused the address", ["1 try", "8 tries"]),
    ("zh", "收件方邮件服务器拒收了这个地址", ["1 次", "8 次"]),
])
def test_each_failure_says_why_in_the_readers_language_and_how_often_it_was_tried(
        client, db, now, language, summary, tries):
    f.make_outbox_message(to_addr="gone@example.org", attempts=1, failed_at=now,
                          last_error=REFUSED)
    f.make_outbox_message(to_addr="late@example.org", attempts=8, failed_at=now - timedelta(hours=1),
                          last_error="temporary mail failure: TimeoutError: timed out")
    _coordinator(client, db, language)
    html = client.get("/coordinator/outbox").text
    assert summary in html
    rows = re.findall(r"<tr>.*?</tr>", html.split("<tbody>")[1], re.S)
    assert [next(t for t in tries if re.search(rf">{t}<", row)) for row in rows] == tries
    # A permanent refusal is given up after one try: the page must not say "several times".
    assert "several times" not in html and "多次尝试" not in html
    # The server's own English words are there, folded behind a toggle, and only there.
    raw = re.findall(r'<details class="raw-error">(.*?)</details>', html, re.S)
    assert len(raw) == 2 and "Recipient address rejected" in raw[0]
    assert html.count("Recipient address rejected") == 1
