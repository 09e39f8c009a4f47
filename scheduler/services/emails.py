"""The one way mail is written: render in the recipient's language, build the MIME, enqueue it.

Services decide what to say — a template under templates/emails/, the recipient's address and
language, the subject and the template's context, a stable id for the Message-ID, and for an
invite the calendar part — and `compose_and_enqueue` does the rest the same way for every
email: it renders the text and HTML bodies inside that language, builds the message through
scheduler/mail.py (From the recruiting mailbox, dated `now`) and adds it to the outbox in the
caller's transaction (DESIGN.md §7). No other module renders a mail template or builds a message.

`external_url` makes the absolute links those emails carry from the BASE_URL setting and the
app's routes; it needs the app, never a request, so jobs and services can call it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from scheduler.mail import build_message, make_message_id
from scheduler.models import OutboxMessage
from scheduler.services.outbox import enqueue_email


@dataclass(frozen=True)
class StableId:
    """What a Message-ID is made of: equal values give an equal id, so a resend is recognised.

    *key* names the thing the mail is about (an interview's UID, a link), *sequence* its
    version, and *kind* keeps different mails about one state apart (an invite and a reminder).
    """

    key: str
    kind: str
    sequence: int = 0


@dataclass(frozen=True)
class CalendarPart:
    """An invite's text/calendar part: its METHOD, and the calendar made from the email's text.

    *build* receives the rendered plain-text body, so the event's description says what the
    email says.
    """

    method: str
    build: Callable[[str], bytes]


def compose_and_enqueue(template: str, *, to_addr: str, language: str, subject: str,
                        context: dict, stable_id: StableId, kind: str, now: datetime,
                        calendar: CalendarPart | None = None, reply_to: str | None = None,
                        interview_id: int | None = None, dedupe_key: str | None = None
                        ) -> OutboxMessage | None:
    """Render emails/<template>.txt and .html in *language*, build the message, enqueue it.

    *subject* is already in the recipient's language; *kind* is the outbox row's kind. A
    *dedupe_key* (naming the event and the recipient) enqueues the mail once: a second call with
    it writes nothing and returns None.
    """
    with force_locale(language):
        text_body = render_template(f"emails/{template}.txt", **context)
        html_body = render_template(f"emails/{template}.html", **context)
    ics_bytes = calendar.build(text_body) if calendar is not None else None
    message = build_message(
        from_addr=formataddr((current_app.config["ORGANIZER_NAME"], organizer_address())),
        to_addr=to_addr, subject=subject, text_body=text_body, html_body=html_body,
        message_id=make_message_id(stable_id.key, stable_id.sequence, to_addr, mail_domain(),
                                   kind=stable_id.kind),
        ics_bytes=ics_bytes, method=calendar.method if calendar is not None else None,
        date_at=now, reply_to=reply_to,
    )
    return enqueue_email(message, kind=kind, now=now, interview_id=interview_id,
                         dedupe_key=dedupe_key)


def organizer_address() -> str:
    """Return the recruiting mailbox: the sender of every email and the organizer of invites."""
    return current_app.config["ORGANIZER_EMAIL"]


def company_name() -> str:
    """Return the hiring company's name as candidates see it."""
    return current_app.config["COMPANY_NAME"]


def mail_domain() -> str:
    """Return the recruiting mailbox's domain (Message-IDs and interview UIDs are under it)."""
    return organizer_address().rsplit("@", 1)[-1]


def external_url(endpoint: str, **values) -> str:
    """Return the absolute URL of *endpoint* (with *values*) under the BASE_URL setting."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
