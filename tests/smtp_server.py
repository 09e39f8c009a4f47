"""A real SMTP server on loopback for tests (aiosmtpd), collecting what it receives.

Usage::

    with SmtpTestServer() as server:
        SmtpTransport.from_url(server.url).send(msg)
        [received] = server.messages           # ReceivedMessage(mail_from, rcpt_tos, data, login)
        received.message["Subject"]            # parsed with email.policy.default

        server.refuse("451 4.3.0 Try again later")   # every new RCPT now gets this reply
        server.refuse("554 5.7.1 Rejected", at="data")
        server.refuse("550 5.1.1 No such user", address="b@example.com")  # only that RCPT
        server.accept()                              # back to normal
        server.stop(); server.start()                # an outage; restarts on the same port

A slow server: ``SmtpTestServer(delay=0.5)`` waits that many seconds after each message's data
arrives before accepting it (other connections go on meanwhile); ``server.started`` lists the
Message-IDs whose data has arrived, accepted or not yet, so ``started`` minus ``messages`` is
what is in flight.

TLS: ``SmtpTestServer(security="starttls" | "tls", certificate=make_self_signed_certificate(dir))``
and give the client ``ssl.create_default_context(cafile=certificate.cert_path)``.
AUTH: ``credentials=("user", "secret")`` makes the server offer AUTH and check that login (a
wrong one gets ``535``); ``ReceivedMessage.login`` tells whether the sender logged in.

aiosmtpd cannot listen on port 0 (its readiness check connects to the configured port), so the
server reserves a free port itself (tests/ports.py) and retries if another process takes it first.
"""
from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.ports import HOST, reserve_port

STAGES = ("mail", "rcpt", "data")
_PORT_ATTEMPTS = 5


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost, and its private key."""

    cert_path: Path
    key_path: Path

    def server_context(self) -> ssl.SSLContext:
        """Return a server-side TLS context using this certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Return a verifying client context that trusts this certificate."""
        return ssl.create_default_context(cafile=str(self.cert_path))


def has_openssl() -> bool:
    """Tell whether the openssl command (used to make certificates) is installed."""
    return shutil.which("openssl") is not None


def make_self_signed_certificate(directory: Path) -> Certificate:
    """Create a self-signed EC certificate for loopback in *directory* with the openssl CLI."""
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-nodes", "-days", "2",
            "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key_path), "-out", str(cert_path),
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert_path, key_path)


@dataclass(frozen=True)
class ReceivedMessage:
    """One message as the server received it: envelope and raw bytes."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    login: str | None = None  # the AUTH user name, when the client logged in

    @property
    def message(self) -> EmailMessage:
        """Return the message parsed with the modern email policy."""
        return email.message_from_bytes(self.data, policy=email.policy.default)


class _Handler:
    """aiosmtpd handler: records accepted messages, or answers with a configured refusal."""

    def __init__(self, delay: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.delay = delay
        self.received: list[ReceivedMessage] = []
        self.started: list[str] = []  # Message-IDs whose data arrived (accepted or not yet)
        self.refusal: tuple[str, str, str | None] | None = None  # (stage, reply, address)

    def _refusal_for(self, stage: str, address: str | None = None) -> str | None:
        with self.lock:
            if self.refusal is None:
                return None
            refused_stage, reply, only_address = self.refusal
        if refused_stage != stage:
            return None
        if only_address is not None and (address or "").lower() != only_address.lower():
            return None
        return reply

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = self._refusal_for("mail")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self._refusal_for("rcpt", address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = self._refusal_for("data")
        if reply:
            return reply
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.started.append(str(parsed["Message-ID"]))
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow server; other connections go on meanwhile
        with self.lock:
            login = session.auth_data.login.decode() if session.authenticated else None
            self.received.append(
                ReceivedMessage(
                    envelope.mail_from, tuple(envelope.rcpt_tos), envelope.content, login
                )
            )
        return "250 Message accepted for delivery"


class SmtpTestServer:
    """An aiosmtpd server on 127.0.0.1 and a free port, started and stopped by the test."""

    def __init__(
        self,
        *,
        security: str = "none",
        certificate: Certificate | None = None,
        credentials: tuple[str, str] | None = None,
        delay: float = 0.0,
    ):
        if security not in ("none", "starttls", "tls"):
            raise ValueError(f"security must be none, starttls or tls, not {security!r}")
        if security != "none" and certificate is None:
            raise ValueError("a TLS server needs a certificate")
        self.security = security
        self.certificate = certificate
        self.credentials = credentials
        self.host = HOST
        self.port: int | None = None
        self._handler = _Handler(delay)
        self._controller: Controller | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> SmtpTestServer:
        """Start listening (again on the same port after a stop)."""
        if self._controller is not None:
            return self
        attempts = 1 if self.port is not None else _PORT_ATTEMPTS
        last_error: Exception | None = None
        for _ in range(attempts):
            port = self.port if self.port is not None else reserve_port(self.host)
            controller = self._make_controller(port)
            try:
                controller.start()
            except OSError as exc:  # another process took the port between pick and bind
                last_error = exc
                continue
            self.port, self._controller = port, controller
            return self
        raise RuntimeError(f"could not start the SMTP test server: {last_error}")

    def stop(self) -> None:
        """Stop listening; received messages are kept."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpTestServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _make_controller(self, port: int) -> Controller:
        kwargs: dict = {}
        if self.security == "tls":
            kwargs["ssl_context"] = self.certificate.server_context()
        elif self.security == "starttls":
            kwargs["tls_context"] = self.certificate.server_context()
            kwargs["require_starttls"] = True
        if self.credentials is not None:
            kwargs["authenticator"] = self._authenticate
            # AUTH is offered but not demanded (ReceivedMessage.login shows who logged in):
            # demanding it without STARTTLS makes aiosmtpd warn on every connection, and
            # aiosmtpd does not count implicit TLS (smtps) as TLS for auth_require_tls.
            kwargs["auth_require_tls"] = self.security == "starttls"
        return Controller(self._handler, hostname=self.host, port=port, **kwargs)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        expected = self.credentials
        is_valid = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == expected
        # handled=False lets aiosmtpd send its standard "535 5.7.8" on failure.
        return AuthResult(success=is_valid, handled=False, auth_data=auth_data)

    # -- behaviour ---------------------------------------------------------------------------

    def refuse(self, reply: str, *, at: str = "rcpt", address: str | None = None) -> None:
        """Answer every later MAIL, RCPT or DATA command (``at``) with *reply*, e.g. ``451 …``.

        With ``address`` (RCPT only), refuse just that recipient and accept the others.
        """
        if at not in STAGES:
            raise ValueError(f"at must be one of {STAGES}")
        if address is not None and at != "rcpt":
            raise ValueError("address only applies to at='rcpt'")
        with self._handler.lock:
            self._handler.refusal = (at, reply, address)

    def accept(self) -> None:
        """Accept messages again after ``refuse``."""
        with self._handler.lock:
            self._handler.refusal = None

    # -- what arrived ------------------------------------------------------------------------

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Return a copy of the messages received so far, oldest first."""
        with self._handler.lock:
            return list(self._handler.received)

    @property
    def started(self) -> list[str]:
        """Return the Message-IDs whose data has arrived so far, oldest first, whether the
        server has accepted them yet or not."""
        with self._handler.lock:
            return list(self._handler.started)

    def clear(self) -> None:
        """Forget the messages received so far."""
        with self._handler.lock:
            self._handler.received.clear()

    @property
    def url(self) -> str:
        """Return the SMTP_URL for this server (credentials included when it requires them)."""
        if self.port is None:
            raise RuntimeError("start the server first")
        scheme = {"none": "smtp", "starttls": "smtp+starttls", "tls": "smtps"}[self.security]
        auth = ""
        if self.credentials:
            user, password = (quote(part, safe="") for part in self.credentials)
            auth = f"{user}:{password}@"
        return f"{scheme}://{auth}{self.host}:{self.port}"
