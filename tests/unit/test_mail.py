"""MIME messages and transports from scheduler.mail, delivered through a real SMTP server.

The server is aiosmtpd on loopback (tests/smtp_server.py); TLS cases use a throwaway
self-signed certificate made with the openssl command.
"""
from __future__ import annotations

import email
import email.policy
import ssl
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

import pytest
from icalendar import Calendar

from scheduler.ical import ROLE_CHAIR, ROLE_REQUIRED, Attendee, InviteEvent, build_invite
from scheduler.mail import (
    POLICY,
    EmlDirectoryTransport,
    MailDeliveryError,
    SmtpTransport,
    build_message,
    make_message_id,
    transport_from_settings,
)
from tests.smtp_server import SmtpTestServer, has_openssl, make_self_signed_certificate

UTC = timezone.utc
UID = "interview-7@hire.example"
TO = "li.lei@example.com"
SUBJECT = "面试邀请：系统设计（2026年3月27日 17:00 北京时间）"
TEXT = "李雷，您好！\n\n您的系统设计面试安排在 2026年3月27日 09:00（伦敦时间）。\n祝顺利。\n"
HTML = "<p>李雷，您好！</p><p>您的系统设计面试安排在 <b>2026年3月27日 09:00</b>（伦敦时间）。</p>"


def _invite(method: str = "REQUEST", sequence: int = 0) -> bytes:
    event = InviteEvent(
        uid=UID,
        sequence=sequence,
        start_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
        end_at=datetime(2026, 3, 27, 10, 0, tzinfo=UTC),
        summary="系统设计面试",
        description="面试官：张伟\n请提前五分钟进入。" * 6,  # long enough to be folded
        location="https://meet.example.com/room/zhang-wei",
        organizer_email="recruiting@hire.example",
        organizer_name="招聘团队",
        attendees=(
            Attendee("zhang.wei@hire.example", "张伟", ROLE_CHAIR),
            Attendee(TO, "李雷", ROLE_REQUIRED),
        ),
    )
    return build_invite(event, method, datetime(2026, 3, 20, 8, 0, tzinfo=UTC))


def _message(to_addr: str = f"李雷 <{TO}>", method: str | None = "REQUEST", **changes):
    kwargs = dict(
        from_addr="招聘团队 <recruiting@hire.example>",
        to_addr=to_addr,
        subject=SUBJECT,
        text_body=TEXT,
        html_body=HTML,
        message_id=make_message_id(UID, 0, TO, "hire.example"),
        ics_bytes=_invite(method) if method else None,
        method=method,
        date_at=datetime(2026, 3, 20, 8, 0, tzinfo=UTC),
    )
    kwargs.update(changes)
    return build_message(**kwargs)


def _parts(msg) -> list[str]:
    return [part.get_content_type() for part in msg.walk()]


def _text(part) -> str:
    # Text parts travel with canonical CRLF line ends (RFC 2046); compare the words, not the ends.
    return part.get_content().replace("\r\n", "\n")


@pytest.fixture()
def smtp_server():
    with SmtpTestServer() as server:
        yield server


# -- Message-ID ------------------------------------------------------------------------------


def test_message_id_is_stable_per_interview_sequence_recipient_and_kind():
    first = make_message_id(UID, 2, "Li.Lei@Example.com ", "hire.example")

    assert first == make_message_id(UID, 2, "li.lei@example.com", "hire.example")
    assert first.startswith("<") and first.endswith("@hire.example>")
    others = {
        make_message_id(UID, 3, TO, "hire.example"),
        make_message_id(UID, 2, "zhang.wei@hire.example", "hire.example"),
        make_message_id("interview-8@hire.example", 2, TO, "hire.example"),
        make_message_id(UID, 2, TO, "hire.example", kind="reminder-24h"),
    }
    assert first not in others and len(others) == 4


@pytest.mark.parametrize("domain", ["", "hire example", "a@b", "<x>"])
def test_message_id_refuses_a_bad_domain(domain):
    with pytest.raises(ValueError, match="domain"):
        make_message_id(UID, 0, TO, domain)


# -- structure -------------------------------------------------------------------------------


def test_invite_message_structure():
    ics = _invite()
    msg = _message()

    assert _parts(msg) == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
        "application/ics",
    ]
    calendar_part = [p for p in msg.walk() if p.get_content_type() == "text/calendar"][0]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_param("charset") == "UTF-8"
    assert calendar_part.get_content_disposition() is None  # inline alternative, not a file
    assert calendar_part.get_payload(decode=True) == ics
    attachment = list(msg.iter_attachments())[0]
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_param("name") == "invite.ics"
    assert attachment.get_payload(decode=True) == ics
    # Only the top level says MIME-Version.
    assert [p for p in msg.walk() if p.get("MIME-Version")] == [msg]
    assert msg["Auto-Submitted"] == "auto-generated"


def test_message_without_calendar_is_text_and_html_only():
    msg = _message(method=None)

    assert _parts(msg) == ["multipart/alternative", "text/plain", "text/html"]


def test_attachment_name_is_configurable():
    msg = _message(attachment_name="interview.ics")

    assert [a.get_filename() for a in msg.iter_attachments()] == ["interview.ics"]


def test_mime_method_must_match_the_calendar():
    with pytest.raises(ValueError, match="METHOD:REQUEST"):
        _message(method="CANCEL", ics_bytes=_invite("REQUEST"))


def test_the_calendars_own_method_counts_folded_or_not_never_a_components():
    # METHOD folded over two content lines (RFC 5545 §3.1) is still the calendar's method.
    folded = _invite("CANCEL").replace(b"METHOD:CANCEL", b"METH\r\n OD:CANCEL")
    assert b"METH\r\n OD" in folded
    assert _message(method="CANCEL", ics_bytes=folded)
    # A METHOD inside the event is not the calendar's: the calendar then has none.
    nested = _invite("REQUEST").replace(b"METHOD:REQUEST\r\n", b"").replace(
        b"BEGIN:VEVENT\r\n", b"BEGIN:VEVENT\r\nMETHOD:REQUEST\r\n")
    with pytest.raises(ValueError, match="METHOD:None"):
        _message(method="REQUEST", ics_bytes=nested)


def test_header_classes_are_made_once_per_name():
    first, second = _message(), _message(to_addr="someone@example.org")
    assert type(first["To"]) is type(second["To"])
    assert type(first["Subject"]) is not type(first["To"])


def test_repeated_part_headers_are_parsed_once_and_read_as_the_standard_registry_reads_them():
    first, second = _message(), _message(to_addr="someone@example.org")
    first_parts, second_parts = list(first.walk()), list(second.walk())
    standard = email.policy.SMTP.clone(cte_type="7bit")
    for one, other in zip(first_parts[2:], second_parts[2:]):  # the leaves: the same types
        for name in ("Content-Type", "Content-Transfer-Encoding", "Content-Disposition"):
            if one[name] is None:
                continue
            assert one[name] is other[name]  # one parse serves both messages
            fresh = standard.header_factory(name, str(one[name]))
            assert (str(one[name]), one[name].fold(policy=POLICY), dict(one[name].params)
                    if hasattr(fresh, "params") else None) == (
                str(fresh), fresh.fold(policy=POLICY),
                dict(fresh.params) if hasattr(fresh, "params") else None)
    # Values that differ per message are parsed each time: the boundary (set when the message
    # is written out), the recipient.
    first.as_bytes(policy=POLICY), second.as_bytes(policy=POLICY)
    assert first["Content-Type"] is not second["Content-Type"]
    assert first["Content-Type"].params["boundary"] != second["Content-Type"].params["boundary"]
    assert str(second["To"]) == "someone@example.org"


def test_date_must_be_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        _message(date_at=datetime(2026, 3, 20, 8, 0))


def test_calendar_bytes_and_method_go_together():
    with pytest.raises(ValueError, match="together"):
        _message(method=None, ics_bytes=_invite())


# -- through a real SMTP server --------------------------------------------------------------


@pytest.mark.parametrize("method, sequence", [("REQUEST", 0), ("CANCEL", 1)])
def test_invite_arrives_intact_through_smtp(smtp_server, method, sequence):
    ics = _invite(method, sequence)
    message_id = make_message_id(UID, sequence, TO, "hire.example")
    msg = _message(method=method, ics_bytes=ics, message_id=message_id)

    SmtpTransport.from_url(smtp_server.url, timeout=10).send(msg)

    [received] = smtp_server.messages
    assert received.rcpt_tos == (TO,)
    assert received.mail_from == "recruiting@hire.example"
    assert received.login is None
    got = received.message
    assert parseaddr(str(got["To"])) == ("李雷", TO)
    assert str(got["Subject"]) == SUBJECT
    assert got["Message-ID"] == message_id
    assert parsedate_to_datetime(got["Date"]) == datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
    assert _parts(got) == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
        "application/ics",
    ]
    alternative = next(p for p in got.walk() if p.get_content_type() == "multipart/alternative")
    plain, html, calendar_part = alternative.iter_parts()
    assert _text(plain) == TEXT
    assert HTML in _text(html)
    assert calendar_part.get_param("method") == method
    assert str(Calendar.from_ical(calendar_part.get_payload(decode=True))["METHOD"]) == method
    # The calendar arrives byte for byte: CRLF line ends and folding untouched.
    assert calendar_part.get_payload(decode=True) == ics
    assert b"\r\n " in ics  # the invite really has folded lines to protect
    [attachment] = got.iter_attachments()
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == ics


def test_message_stored_as_bytes_and_parsed_back_sends_the_same_invite(smtp_server):
    # The outbox keeps as_bytes(policy=POLICY) and parses it again before sending.
    ics = _invite()
    stored = _message().as_bytes(policy=POLICY)
    reloaded = email.message_from_bytes(stored, _class=EmailMessage, policy=POLICY)

    SmtpTransport.from_url(smtp_server.url).send(reloaded)

    got = smtp_server.messages[0].message
    assert str(got["Subject"]) == SUBJECT
    assert parseaddr(str(got["To"])) == ("李雷", TO)
    calendar_part = next(p for p in got.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_payload(decode=True) == ics
    assert _text(next(p for p in got.walk() if p.get_content_type() == "text/plain")) == TEXT


def test_every_line_on_the_wire_is_short_ascii_with_crlf(smtp_server):
    SmtpTransport.from_url(smtp_server.url).send(_message())

    data = smtp_server.messages[0].data
    # aiosmtpd hands over the DATA with the transport's CRLF line ends; nothing 8-bit travels.
    data.decode("ascii")
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))


@pytest.mark.parametrize(
    "stage, reply, is_temporary, code",
    [
        ("rcpt", "451 4.3.0 Mailbox busy, try later", True, 451),
        ("rcpt", "452 4.2.2 Mailbox full", True, 452),
        ("rcpt", "550 5.1.1 No such user", False, 550),
        ("mail", "421 4.7.0 Too many connections", True, 421),
        ("mail", "553 5.7.1 Sender not allowed", False, 553),
        ("data", "451 4.3.0 Queue unavailable", True, 451),
        ("data", "554 5.7.1 Message rejected as spam", False, 554),
    ],
)
def test_refusals_raise_one_error_type_that_says_whether_to_retry(
    smtp_server, stage, reply, is_temporary, code
):
    smtp_server.refuse(reply, at=stage)

    with pytest.raises(MailDeliveryError) as caught:
        SmtpTransport.from_url(smtp_server.url).send(_message())

    assert caught.value.is_temporary is is_temporary
    assert caught.value.smtp_code == code
    assert str(code) in str(caught.value)
    assert smtp_server.messages == []


def test_refused_then_accepted_delivers_once(smtp_server):
    transport = SmtpTransport.from_url(smtp_server.url)
    msg = _message()
    smtp_server.refuse("451 4.3.0 Try again later")
    with pytest.raises(MailDeliveryError):
        transport.send(msg)

    smtp_server.accept()
    transport.send(msg)

    assert [m.message["Message-ID"] for m in smtp_server.messages] == [msg["Message-ID"]]


def test_server_down_is_temporary(smtp_server):
    url = smtp_server.url
    smtp_server.stop()

    with pytest.raises(MailDeliveryError) as caught:
        SmtpTransport.from_url(url, timeout=5).send(_message())

    assert caught.value.is_temporary
    assert caught.value.smtp_code is None

    smtp_server.start()  # same port: the outage is over
    SmtpTransport.from_url(url).send(_message())
    assert len(smtp_server.messages) == 1


def test_partly_refused_recipients_are_reported_and_never_retried(smtp_server):
    smtp_server.refuse("550 5.1.1 No such user", address="ghost@example.com")
    msg = _message()
    msg["Cc"] = "ghost@example.com"

    with pytest.raises(MailDeliveryError) as caught:
        SmtpTransport.from_url(smtp_server.url).send(msg)

    assert not caught.value.is_temporary
    assert "ghost@example.com" in str(caught.value)
    [received] = smtp_server.messages
    assert received.rcpt_tos == (TO,)


def test_login_with_url_credentials():
    with SmtpTestServer(credentials=("mailer", "p@ss:w/rd")) as server:
        assert "p%40ss%3Aw%2Frd" in server.url
        SmtpTransport.from_url(server.url).send(_message())
        [received] = server.messages
        assert received.login == "mailer"


def test_wrong_password_is_permanent():
    with SmtpTestServer(credentials=("mailer", "right")) as server:
        url = server.url.replace(":right@", ":wrong@")
        with pytest.raises(MailDeliveryError) as caught:
            SmtpTransport.from_url(url).send(_message())

        assert not caught.value.is_temporary
        assert caught.value.smtp_code == 535
        assert server.messages == []


needs_openssl = pytest.mark.skipif(
    not has_openssl(), reason="the openssl command is needed to make a test certificate"
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_self_signed_certificate(tmp_path_factory.mktemp("tls"))


@needs_openssl
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_tls_delivery_with_login(certificate, security):
    with SmtpTestServer(
        security=security, certificate=certificate, credentials=("mailer", "secret")
    ) as server:
        transport = SmtpTransport.from_url(server.url, ssl_context=certificate.client_context())
        transport.send(_message())

        [received] = server.messages
        assert received.login == "mailer"
        assert received.message["Message-ID"] == _message()["Message-ID"]


@needs_openssl
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_untrusted_certificate_is_permanent(certificate, security):
    with SmtpTestServer(security=security, certificate=certificate) as server:
        # The system trust store does not know the self-signed test certificate.
        with pytest.raises(MailDeliveryError) as caught:
            SmtpTransport.from_url(server.url).send(_message())

        assert not caught.value.is_temporary
        assert "certificate" in str(caught.value)
        assert server.messages == []


def test_starttls_url_against_a_server_without_starttls_is_permanent(smtp_server):
    url = smtp_server.url.replace("smtp://", "smtp+starttls://")

    with pytest.raises(MailDeliveryError) as caught:
        SmtpTransport.from_url(url, ssl_context=ssl.create_default_context()).send(_message())

    assert not caught.value.is_temporary
    assert smtp_server.messages == []


# -- URLs and settings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, host, port, security, username, password",
    [
        ("smtp://mail.example.com", "mail.example.com", 25, "none", None, None),
        ("smtp+starttls://u:p@mail.example.com", "mail.example.com", 587, "starttls", "u", "p"),
        ("smtps://mail.example.com", "mail.example.com", 465, "tls", None, None),
        (
            "SMTPS://a%40b.com:p%2Fw%3A@mail.example.com:2465",
            "mail.example.com", 2465, "tls", "a@b.com", "p/w:",
        ),
        ("smtp://127.0.0.1:2525", "127.0.0.1", 2525, "none", None, None),
    ],
)
def test_from_url(url, host, port, security, username, password):
    transport = SmtpTransport.from_url(url, timeout=7)

    assert (transport.host, transport.port, transport.security) == (host, port, security)
    assert (transport.username, transport.password) == (username, password)
    assert transport.timeout == 7


@pytest.mark.parametrize("url", ["http://mail.example.com", "mail.example.com:25", "smtp://"])
def test_from_url_refuses_what_it_cannot_use(url):
    with pytest.raises(ValueError):
        SmtpTransport.from_url(url)


def test_transport_from_settings(tmp_path):
    smtp = transport_from_settings("smtps://mail.example.com", tmp_path, timeout=3)
    eml = transport_from_settings(None, tmp_path)

    assert isinstance(smtp, SmtpTransport) and smtp.timeout == 3 and smtp.port == 465
    assert isinstance(eml, EmlDirectoryTransport) and eml.path == tmp_path
    with pytest.raises(ValueError, match="SMTP_URL"):
        transport_from_settings("", None)


# -- .eml files for development ---------------------------------------------------------------


def test_eml_directory_writes_a_message_a_mail_client_opens(tmp_path):
    ics = _invite()
    msg = _message()
    transport = EmlDirectoryTransport(tmp_path / "outbox")  # created on first use

    transport.send(msg)
    transport.send(msg)  # a resend replaces the file instead of adding a copy

    [path] = (tmp_path / "outbox").iterdir()
    assert path == transport.file_for(msg)
    assert path.suffix == ".eml"
    data = path.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF throughout, as mail clients expect
    got = email.message_from_bytes(data, policy=email.policy.default)
    assert str(got["Subject"]) == SUBJECT
    assert parseaddr(str(got["To"]))[1] == TO
    calendar_part = next(p for p in got.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_payload(decode=True) == ics


def test_eml_directory_write_failure_is_temporary(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")

    with pytest.raises(MailDeliveryError) as caught:
        EmlDirectoryTransport(blocker).send(_message())

    assert caught.value.is_temporary
