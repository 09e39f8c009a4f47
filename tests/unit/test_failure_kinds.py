"""Why a message failed, in words a coordinator can act on: `failure_kind` reads the error the
outbox stored (`last_error`, the transport's MailDeliveryError as text).

The first cases make the real failures happen against an SMTP server on loopback and classify what
the outbox would store; the table then covers the wordings other servers and the socket layer use.
"""
from __future__ import annotations

from email.message import EmailMessage

import pytest

from scheduler.mail import MailDeliveryError, SmtpTransport
from scheduler.services.outbox import (
    FAILURE_AUTH, FAILURE_CONNECTION, FAILURE_OTHER, FAILURE_RECIPIENT, FAILURE_TOO_LARGE,
    failure_kind,
)
from tests.smtp_server import SmtpTestServer


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "recruiting@hire.example"
    message["To"] = "li.lei@example.com"
    message["Subject"] = "Interview"
    message.set_content("Hello")
    return message


def _stored_error(url: str) -> str:
    """Send through *url* and return the error as the outbox stores it (str of the failure)."""
    with pytest.raises(MailDeliveryError) as caught:
        SmtpTransport.from_url(url, timeout=5).send(_message())
    return str(caught.value)


@pytest.mark.parametrize("reply, at, kind", [
    ("550 5.1.1 No such user", "rcpt", FAILURE_RECIPIENT),
    ("552 5.2.2 Mailbox full", "rcpt", FAILURE_RECIPIENT),
    ("552 5.3.4 Message size exceeds fixed maximum message size", "data", FAILURE_TOO_LARGE),
    ("421 4.7.0 Service not available, closing transmission channel", "mail", FAILURE_CONNECTION),
    ("554 5.7.1 Message rejected as spam", "data", FAILURE_OTHER),
])
def test_a_servers_refusal_is_classified_from_what_the_outbox_stores(reply, at, kind):
    with SmtpTestServer() as server:
        server.refuse(reply, at=at)
        assert failure_kind(_stored_error(server.url)) == kind


def test_a_refused_sign_in_is_an_authentication_failure():
    with SmtpTestServer(credentials=("mailer", "right")) as server:
        error = _stored_error(server.url.replace(":right@", ":wrong@"))
    assert failure_kind(error) == FAILURE_AUTH


def test_a_server_that_is_down_is_a_connection_failure():
    with SmtpTestServer() as server:
        url = server.url
    # The server is stopped: nothing listens on its port any more.
    assert failure_kind(_stored_error(url)) == FAILURE_CONNECTION


@pytest.mark.parametrize("error, kind", [
    ("permanent mail failure: recipient refused (ghost@example.com: 550 Mailbox unavailable)",
     FAILURE_RECIPIENT),
    ("permanent mail failure: 553 sorry, that domain isn't in my list of allowed rcpthosts",
     FAILURE_RECIPIENT),
    ("permanent mail failure: 535 5.7.8 Username and Password not accepted", FAILURE_AUTH),
    ("permanent mail failure: 530 5.7.0 Authentication Required", FAILURE_AUTH),
    ("permanent mail failure: server does not support it: SMTP AUTH extension not supported "
     "by server.", FAILURE_AUTH),
    ("temporary mail failure: TimeoutError: timed out", FAILURE_CONNECTION),
    ("temporary mail failure: ConnectionRefusedError: [Errno 111] Connection refused",
     FAILURE_CONNECTION),
    ("temporary mail failure: SMTPServerDisconnected: Connection unexpectedly closed",
     FAILURE_CONNECTION),
    ("temporary mail failure: gaierror: [Errno -2] Name or service not known", FAILURE_CONNECTION),
    ("permanent mail failure: 552 Message too large", FAILURE_TOO_LARGE),
    ("permanent mail failure: untrusted server certificate: certificate verify failed",
     FAILURE_OTHER),
    ("temporary mail failure: cannot write /srv/mail/x.eml: [Errno 28] No space left on device",
     FAILURE_OTHER),
    # The recipient's address is not the server's answer: these words must not count.
    ("permanent mail failure: 554 5.7.1 <timeout.auth@example.com>: Relay access denied",
     FAILURE_OTHER),
    # An IP address is not an enhanced status code.
    ("temporary mail failure: OSError: [Errno 113] No route to host (10.5.1.1)",
     FAILURE_CONNECTION),
    ("", FAILURE_OTHER),
])
def test_stored_errors_in_other_wordings(error, kind):
    assert failure_kind(error) == kind
