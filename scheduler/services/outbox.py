"""The outbox: email rows written with their cause, claimed under a lease, sent, retried.

The job process calls `claim_due_messages` (commit), then `deliver_claimed` per row (commit).
A process that dies while holding a lease leaves the row to be retried once the lease ends,
so mail is never lost; a crash after SMTP accepted a message but before `sent_at` was written
resends it once, and the stable Message-ID makes that duplicate harmless (DESIGN.md §8).
"""
from __future__ import annotations

import email
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from scheduler.extensions import db
from scheduler.mail import POLICY, MailDeliveryError, MailTransport, readdress
from scheduler.models import OutboxMessage, User
from scheduler.services.errors import N_, ServiceError

LEASE = timedelta(minutes=5)
# Delay before attempt n+1 after n failed attempts; the last entry repeats.
RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360)]
MAX_ATTEMPTS = 8


# Why a message failed, as the coordinators' page words it (scheduler/coordinator/outbox.py).
FAILURE_RECIPIENT, FAILURE_AUTH, FAILURE_CONNECTION, FAILURE_TOO_LARGE, FAILURE_OTHER = (
    "recipient", "auth", "connection", "too_large", "other")
# RFC 3463 enhanced status codes (class.subject.detail) say the most; they come first.
_ENHANCED_CODE = re.compile(r"(?<![\d.])[245]\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_ENHANCED_KINDS = {
    **{("1", d): FAILURE_RECIPIENT for d in ("0", "1", "2", "3", "4", "6", "10")},
    **{("2", d): FAILURE_RECIPIENT for d in ("0", "1", "2")},  # mailbox disabled or full
    ("3", "4"): FAILURE_TOO_LARGE,
    **{("4", d): FAILURE_CONNECTION for d in ("1", "2", "7")},  # no answer, bad connection
    **{("7", d): FAILURE_AUTH for d in ("8", "9", "11", "12", "14")},
}
# Then words, as smtplib, the socket layer and common servers put them.
_KEYWORD_KINDS = [
    (FAILURE_RECIPIENT, re.compile(
        r"recipients? refused|mailbox (?:unavailable|not found|full|disabled)|user unknown|"
        r"no such user|unknown (?:user|recipient)|does not exist|invalid recipient", re.I)),
    (FAILURE_AUTH, re.compile(
        r"authenticat|username and password|credentials|\bauth extension", re.I)),
    (FAILURE_TOO_LARGE, re.compile(
        r"too (?:large|big)|size limit|message size|exceeds? (?:the )?(?:maximum )?size", re.I)),
    (FAILURE_CONNECTION, re.compile(
        r"connection (?:refused|reset|unexpectedly closed|timed out)|timed out|timeout|"
        r"disconnected|network is unreachable|no route to host|name or service not known|"
        r"name resolution|nodename nor servname|getaddrinfo|service not available", re.I)),
]
# Last, the basic reply code (RFC 5321 §4.2.3).
_BASIC_CODE = re.compile(r"(?<![\d.])([45]\d\d)(?![\d.])")
_BASIC_KINDS = {"550": FAILURE_RECIPIENT, "551": FAILURE_RECIPIENT, "553": FAILURE_RECIPIENT,
                "530": FAILURE_AUTH, "534": FAILURE_AUTH, "535": FAILURE_AUTH,
                "538": FAILURE_AUTH, "552": FAILURE_TOO_LARGE, "421": FAILURE_CONNECTION}
_ADDRESS = re.compile(r"\S+@\S+")


def failure_kind(error: str) -> str:
    """Classify a stored delivery error (``last_error``): a refused recipient or unavailable
    mailbox, a failed sign-in to the mail server, a server out of reach, a message too large,
    or something else. The raw text stays what the server said; this says what it means."""
    # Addresses are the recipient's words, not the server's: "timeout@…" is no timeout.
    text = _ADDRESS.sub(" ", error or "")
    for match in _ENHANCED_CODE.finditer(text):
        kind = _ENHANCED_KINDS.get(match.groups())
        if kind is not None:
            return kind
    for kind, words in _KEYWORD_KINDS:
        if words.search(text):
            return kind
    for match in _BASIC_CODE.finditer(text):
        if match.group(1) in _BASIC_KINDS:
            return _BASIC_KINDS[match.group(1)]
    return FAILURE_OTHER


class OutboxError(ServiceError):
    """A change to a queued email was refused."""

    messages = {"already_sent": N_("This message is already queued or sent.")}


# Mail only an active account's address may receive: a password reset link. The request enqueues
# it for any address typed, so its answer and its work do not tell which have accounts; the
# address is checked when sending, and mail to one without an active account is dropped unsent
# (as is a reset for an account deactivated since).
ACCOUNT_ONLY_KINDS = frozenset({"password_reset"})


def enqueue_email(message: EmailMessage, *, kind: str, now: datetime,
                  interview_id: int | None = None, dedupe_key: str | None = None
                  ) -> OutboxMessage | None:
    """Add *message* to the outbox in the caller's transaction; the job process sends it.

    With a *dedupe_key* (one event, one recipient) a row already holding it means the mail is
    written already: nothing is added and None is returned. The unique constraint settles two
    requests racing to write it (the loser's savepoint is rolled back; its transaction goes on).
    """
    if dedupe_key is not None and db.session.scalar(sa.select(OutboxMessage.id).where(
            OutboxMessage.dedupe_key == dedupe_key)) is not None:
        return None
    row = OutboxMessage(
        kind=kind, to_addr=str(message["To"]), subject=str(message["Subject"]),
        message_id=str(message["Message-ID"]), raw_message=message.as_bytes(policy=POLICY),
        interview_id=interview_id, created_at=now, next_attempt_at=now, attempts=0,
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        db.session.add(row)
        db.session.flush()
        return row
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row


def _is_claimable(now: datetime):
    return sa.and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
        sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
    )


def claim_due_messages(now: datetime, *, limit: int = 20, lease: timedelta = LEASE) -> list[int]:
    """Take a lease on up to *limit* due rows; return the ids this caller now owns."""
    candidates = db.session.scalars(
        sa.select(OutboxMessage.id).where(_is_claimable(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
    ).all()
    claimed = []
    for message_id in candidates:
        # The conditional update is the claim: another process that got here first changed
        # the row, so this one matches nothing.
        result = db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _is_claimable(now))
            .values(claimed_until=now + lease, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    return claimed


def count_due_messages(now: datetime) -> int:
    """Return how many rows are due and free to claim at *now* (what a send run left behind)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(_is_claimable(now)))


def _is_active_account(address: str) -> bool:
    return db.session.scalar(sa.select(User.id).where(
        sa.func.lower(User.email) == address.strip().lower(), User.is_active.is_(True))) is not None


@dataclass
class Delivery:
    message_id: int
    outcome: str  # "sent", "retry", "failed" or "dropped" (ACCOUNT_ONLY_KINDS)
    error: str = ""


def deliver_claimed(message_id: int, transport: MailTransport, now: datetime) -> Delivery:
    """Send one claimed row and record the outcome (sent, retry later, or failed); a row of
    ACCOUNT_ONLY_KINDS for an address without an active account is deleted unsent (dropped)."""
    row = db.session.get(OutboxMessage, message_id)
    if row.kind in ACCOUNT_ONLY_KINDS and not _is_active_account(row.to_addr):
        db.session.delete(row)
        return Delivery(message_id, "dropped")
    message = email.message_from_bytes(row.raw_message, _class=EmailMessage, policy=POLICY)
    try:
        transport.send(message)
    except MailDeliveryError as error:
        row.claimed_until = None
        row.last_error = str(error)[:2000]
        if not error.is_temporary or row.attempts >= MAX_ATTEMPTS:
            row.failed_at = now
            return Delivery(message_id, "failed", row.last_error)
        row.next_attempt_at = now + retry_delay(row.attempts)
        return Delivery(message_id, "retry", row.last_error)
    row.sent_at = now
    row.claimed_until = None
    row.last_error = ""
    return Delivery(message_id, "sent")


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after *attempts* failed attempts (growing, then capped)."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def resend_message(actor: User, message: OutboxMessage, now: datetime, *,
                   to_addr: str | None = None) -> None:
    """Put a failed message back in the queue ("send again"), to *to_addr* when given (e.g. the
    candidate's corrected address): the stored MIME is readdressed, not rebuilt."""
    from scheduler.services.audit import record_event

    if message.sent_at is not None:
        raise OutboxError("already_sent")
    before = message.to_addr
    if to_addr and to_addr.lower() != before.lower():
        message.raw_message = readdress(message.raw_message, before, to_addr)
        message.to_addr = to_addr
    message.failed_at = None
    message.claimed_until = None
    message.attempts = 0
    message.next_attempt_at = now
    record_event(actor, "outbox.resend", message, now=now,
                 before={"to": before} if before != message.to_addr else None,
                 after={"to": message.to_addr})
    db.session.flush()


def failed_messages(limit: int = 100) -> list[OutboxMessage]:
    """Return messages that gave up, newest first, for the coordinators' list."""
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))
        .order_by(OutboxMessage.failed_at.desc()).limit(limit)
    ).all()
