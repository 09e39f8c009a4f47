"""MIME messages for invites and notices, and the transports that deliver them.

``build_message`` makes one message for one recipient (DESIGN.md §7). With a calendar it is
shaped the way Google Calendar's own invitations are, which Gmail, Outlook and Apple Mail all
recognise as a meeting:

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; method=REQUEST; charset=UTF-8   (last: the richest alternative)
      application/ics; name="invite.ics"               (attachment, for the clients that do not)

The calendar bytes go in base64, so the CRLF line endings iCalendar requires arrive exactly as
built; no text re-encoding touches them.

Transports share one method, ``send(msg)``, and one failure type, ``MailDeliveryError``, whose
``is_temporary`` tells the outbox whether to retry (SMTP 4xx, network trouble) or give up
(SMTP 5xx, bad credentials, untrusted certificate).
"""
from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import os
import re
import smtplib
import ssl
from datetime import datetime
from email import headerregistry
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from icalendar import Calendar, vCalAddress

# Headers every message repeats with one value (its parts' types and encodings, the sender).
_REPEATED_HEADERS = frozenset({"content-type", "content-transfer-encoding",
                               "content-disposition", "mime-version", "auto-submitted", "from"})


class _HeaderRegistry(headerregistry.HeaderRegistry):
    """The standard header registry, keeping the class it makes for each header name, and the
    parsed header of each repeated name and value.

    The standard one builds a new class with ``type()`` for every header it parses, and parses
    every value again (a part's ``Content-Type`` and its parameters): most of the time spent
    building a message. A parsed header is an immutable string, so one of each serves all.
    """

    def __init__(self):
        super().__init__()
        self._made: dict[str, type] = {}
        self._parsed: dict[tuple[str, str], headerregistry.BaseHeader] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made

    def __call__(self, name: str, value):
        if type(value) is not str or name.lower() not in _REPEATED_HEADERS or "boundary=" in value:
            return super().__call__(name, value)
        if len(self._parsed) >= 256:
            self._parsed.clear()  # values never seen twice: keep the dict small
        header = self._parsed.get((name, value))
        if header is None:
            header = self._parsed[(name, value)] = super().__call__(name, value)
        return header


# 7bit: every body part is base64 or quoted-printable, so delivery never depends on the
# server offering 8BITMIME. The SMTP policy writes CRLF line endings.
POLICY = email.policy.SMTP.clone(cte_type="7bit", header_factory=_HeaderRegistry())

DEFAULT_TIMEOUT = 30.0


class MailDeliveryError(Exception):
    """A message was not handed over; ``is_temporary`` says whether trying again can help."""

    def __init__(self, detail: str, *, is_temporary: bool, smtp_code: int | None = None):
        self.detail = detail
        self.is_temporary = is_temporary
        self.smtp_code = smtp_code
        kind = "temporary" if is_temporary else "permanent"
        super().__init__(f"{kind} mail failure: {detail}")


def make_message_id(
    interview_uid: str, sequence: int, recipient: str, domain: str, *, kind: str = "invite"
) -> str:
    """Return a Message-ID that is the same every time for one interview, sequence and recipient.

    ``kind`` keeps different mails about the same state apart (an invite and a reminder must
    not share an id: receivers drop a second message with an id they have seen).
    """
    if not domain or re.search(r"[\s<>@]", domain):
        raise ValueError(f"not a usable Message-ID domain: {domain!r}")
    key = "\x1f".join([kind, interview_uid, str(sequence), recipient.strip().lower()])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def _calendar_method(ics_bytes: bytes) -> str | None:
    """Return the METHOD property of the calendar (not of a component inside it), or None.

    Read from the unfolded content lines, not by parsing the whole calendar: every invite
    passes here once per recipient.
    """
    depth, method = 0, None
    for line in re.sub(rb"\r?\n[ \t]", b"", ics_bytes).splitlines():
        name, _, value = line.partition(b":")
        name = name.split(b";", 1)[0].strip().upper()
        if name == b"BEGIN":
            depth += 1
        elif name == b"END":
            depth -= 1
        elif name == b"METHOD" and depth == 1:
            method = value.decode("utf-8", "replace").strip()
    return method.upper() if method is not None else None


def build_message(
    *,
    from_addr: str,
    to_addr: str,
    subject: str,
    text_body: str,
    html_body: str,
    message_id: str,
    ics_bytes: bytes | None = None,
    method: str | None = None,
    attachment_name: str = "invite.ics",
    date_at: datetime | None = None,
    reply_to: str | None = None,
) -> EmailMessage:
    """Return one recipient's message: text and HTML, plus the calendar part when given.

    ``method`` must equal the METHOD inside ``ics_bytes`` (RFC 6047 §2.4). ``date_at`` is the
    send time for the Date header; pass it (the outbox knows ``now``), otherwise the first
    relay adds one.
    """
    if (ics_bytes is None) != (method is None):
        raise ValueError("ics_bytes and method go together")
    if date_at is not None and date_at.utcoffset() is None:
        raise ValueError("date_at must be timezone-aware")
    if ics_bytes is not None:
        method = method.upper()
        inner_method = _calendar_method(ics_bytes)
        if inner_method != method:
            raise ValueError(f"MIME method={method} but the calendar says METHOD:{inner_method}")
    msg = EmailMessage(policy=POLICY)
    msg["From"] = from_addr
    msg["To"] = to_addr
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    if date_at is not None:
        msg["Date"] = format_datetime(date_at)
    # RFC 3834: machine-sent mail; stops out-of-office replies to the recruiting mailbox.
    msg["Auto-Submitted"] = "auto-generated"
    msg["MIME-Version"] = "1.0"
    # The tree is assembled from MIMEParts: EmailMessage.add_alternative() would give every
    # part its own MIME-Version header.
    alternatives = [
        _part(text_body, subtype="plain", charset="utf-8"),
        _part(html_body, subtype="html", charset="utf-8"),
    ]
    if ics_bytes is None:
        msg.make_alternative()
        for part in alternatives:
            msg.attach(part)
        return msg
    alternatives.append(
        _part(
            ics_bytes,
            maintype="text",
            subtype="calendar",
            cte="base64",
            params={"method": method, "charset": "UTF-8"},
        )
    )
    body = MIMEPart(policy=POLICY)
    body.make_alternative()
    for part in alternatives:
        body.attach(part)
    msg.make_mixed()
    msg.attach(body)
    msg.attach(
        _part(
            ics_bytes,
            maintype="application",
            subtype="ics",
            disposition="attachment",
            filename=attachment_name,
            params={"name": attachment_name},
        )
    )
    return msg


def readdress(raw: bytes, old_addr: str, new_addr: str) -> bytes:
    """Return the stored message *raw* sent to *new_addr* instead of *old_addr*.

    The To header changes, and in a calendar part (text/calendar and the .ics attachment) the
    attendee who was *old_addr* becomes *new_addr*, so the invitation is theirs to answer; the
    rest (subject, bodies, Message-ID, the event's UID and SEQUENCE) stays as it was.
    """
    msg = email.message_from_bytes(raw, _class=EmailMessage, policy=POLICY)
    del msg["To"]
    msg["To"] = new_addr
    for part in msg.walk():
        if part.get_content_type() not in ("text/calendar", "application/ics"):
            continue
        ics = part.get_payload(decode=True)
        part.set_payload(base64.encodebytes(_readdress_calendar(ics, old_addr, new_addr))
                         .decode("ascii"))
        del part["Content-Transfer-Encoding"]
        part["Content-Transfer-Encoding"] = "base64"
    return msg.as_bytes(policy=POLICY)


def _readdress_calendar(ics: bytes, old_addr: str, new_addr: str) -> bytes:
    calendar = Calendar.from_ical(ics)
    old = f"mailto:{old_addr}".lower()
    for component in calendar.walk("VEVENT"):
        attendees = component.get("ATTENDEE")
        if attendees is None:
            continue
        listed = attendees if isinstance(attendees, list) else [attendees]
        renamed = []
        for attendee in listed:
            if str(attendee).lower() == old:
                replacement = vCalAddress(f"mailto:{new_addr}")
                replacement.params.update(attendee.params)
                attendee = replacement
            renamed.append(attendee)
        del component["ATTENDEE"]
        for attendee in renamed:
            component.add("ATTENDEE", attendee, encode=0)
    return calendar.to_ical()


def _part(content: str | bytes, **kwargs) -> MIMEPart:
    part = MIMEPart(policy=POLICY)
    part.set_content(content, **kwargs)
    return part


class MailTransport(Protocol):
    """Anything that can deliver a built message."""

    def send(self, msg: EmailMessage) -> None:
        """Deliver *msg* or raise MailDeliveryError."""


def _is_temporary_code(code: int) -> bool:
    # Only a 5xx reply is a definite "no"; 4xx and odd codes (-1: no reply) may pass later.
    return not 500 <= code <= 599


def _as_delivery_error(exc: smtplib.SMTPException | OSError) -> MailDeliveryError:
    """Translate an smtplib/ssl/socket failure into one MailDeliveryError."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()]
        detail = "; ".join(
            f"{rcpt}: {code} {_text(reply)}" for rcpt, (code, reply) in exc.recipients.items()
        )
        return MailDeliveryError(
            f"recipient refused ({detail})",
            is_temporary=all(_is_temporary_code(c) for c in codes),
            smtp_code=codes[0] if codes else None,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailDeliveryError(
            f"{exc.smtp_code} {_text(exc.smtp_error)}",
            is_temporary=_is_temporary_code(exc.smtp_code),
            smtp_code=exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # The server lacks STARTTLS or AUTH: a configuration problem, retrying will not help.
        return MailDeliveryError(f"server does not support it: {exc}", is_temporary=False)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailDeliveryError(f"untrusted server certificate: {exc}", is_temporary=False)
    # Disconnects, timeouts, refused connections, TLS hiccups: the server may be back soon.
    return MailDeliveryError(f"{type(exc).__name__}: {exc}", is_temporary=True)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


SECURITY_NONE = "none"
SECURITY_STARTTLS = "starttls"
SECURITY_TLS = "tls"

_SCHEMES = {
    "smtp": (SECURITY_NONE, 25),
    "smtp+starttls": (SECURITY_STARTTLS, 587),
    "smtps": (SECURITY_TLS, 465),
}


class SmtpTransport:
    """Deliver over SMTP, one connection per message (the outbox sends rarely, in small batches)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: str = SECURITY_NONE,
        username: str | None = None,
        password: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
    ):
        if security not in (SECURITY_NONE, SECURITY_STARTTLS, SECURITY_TLS):
            raise ValueError(f"unknown SMTP security {security!r}")
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.timeout = timeout
        self.ssl_context = ssl_context

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
    ) -> SmtpTransport:
        """Build from ``smtp://``, ``smtp+starttls://`` or ``smtps://[user:pass@]host[:port]``."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _SCHEMES:
            raise ValueError(
                f"SMTP URL scheme must be one of {sorted(_SCHEMES)}, got {parts.scheme!r}"
            )
        if not parts.hostname:
            raise ValueError("SMTP URL has no host")
        security, default_port = _SCHEMES[scheme]
        return cls(
            parts.hostname,
            parts.port or default_port,
            security=security,
            # URL-encoded so that passwords may contain "@", ":" or "/".
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            timeout=timeout,
            ssl_context=ssl_context,
        )

    def _context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        if self.security == SECURITY_TLS:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._context()
            )
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == SECURITY_STARTTLS:
                client.starttls(context=self._context())
        except BaseException:
            client.close()
            raise
        return client

    def send(self, msg: EmailMessage) -> None:
        """Deliver *msg* to the recipients in its To/Cc/Bcc headers."""
        try:
            client = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            raise _as_delivery_error(exc) from exc
        try:
            if self.username:
                client.login(self.username, self.password or "")
            refused = client.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            client.close()
            raise _as_delivery_error(exc) from exc
        # The server has accepted the message: a failing QUIT must not make the outbox resend.
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
        if refused:
            # Some recipients took it, so a retry would duplicate it for them: report, never retry.
            detail = "; ".join(f"{r}: {c} {_text(t)}" for r, (c, t) in refused.items())
            raise MailDeliveryError(
                f"accepted for some recipients only ({detail})", is_temporary=False
            )


class EmlDirectoryTransport:
    """Write each message as a ``.eml`` file that a mail client opens (development without SMTP).

    The file is named after the Message-ID, so sending the same message again overwrites it
    instead of making a duplicate, like a receiver that recognises the id.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    def file_for(self, msg: EmailMessage) -> Path:
        """Return the path that *msg* is (or will be) written to."""
        message_id = (msg.get("Message-ID") or "").strip().strip("<>")
        if message_id:
            stem = re.sub(r"[^A-Za-z0-9._@-]", "_", message_id)
        else:
            stem = hashlib.sha256(msg.as_bytes(policy=POLICY)).hexdigest()[:40]
        return self.path / f"{stem}.eml"

    def send(self, msg: EmailMessage) -> None:
        """Write *msg* atomically into the directory."""
        target = self.file_for(msg)
        temp = target.with_suffix(".eml.part")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(msg.as_bytes(policy=POLICY))
            os.replace(temp, target)
        except OSError as exc:
            raise MailDeliveryError(f"cannot write {target}: {exc}", is_temporary=True) from exc


def transport_from_settings(
    smtp_url: str | None,
    eml_dir: str | os.PathLike[str] | None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> MailTransport:
    """Return the SMTP transport when ``smtp_url`` is set, else the .eml directory."""
    if smtp_url:
        return SmtpTransport.from_url(smtp_url, timeout=timeout)
    if eml_dir:
        return EmlDirectoryTransport(eml_dir)
    raise ValueError("mail is not configured: set SMTP_URL, or a directory for .eml files")
