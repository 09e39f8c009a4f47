"""The outbox: email rows written with their cause, claimed under a lease, sent, retried.

The job process (jobs.send_outbox) claims a small batch (`claim_due_messages`, commit), then for
each row: `renew_claim` (commit), `send_claimed_message` (no transaction open while the mail
server works), `record_delivery` (commit); `release_claims` gives back what it did not send when
it stops. A row is sent only by the process that still holds its lease, renewed before each send,
so any number of job processes may run. A process that dies leaves its claims to the others once
its lease ends (at most one lease after its last send began), so mail is never lost; a crash
after SMTP accepted a message but before `sent_at` was written resends that one message, and the
stable Message-ID makes the duplicate harmless (DESIGN.md §8).
"""
from __future__ import annotations

import email
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from scheduler.extensions import db
from scheduler.mail import POLICY, MailDeliveryError, MailTransport, readdress
from scheduler.models import OutboxMessage, User
from scheduler.services.errors import N_, ServiceError
from scheduler.services.permissions import NotAllowed, can_see_message, visible_messages

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
    written already: nothing is added and None is returned. The unique constraint says so, in
    the one INSERT (``ON CONFLICT DO NOTHING``, PostgreSQL and SQLite alike): no SELECT before
    each mail, and two requests racing to write it are settled the same way (the second waits
    for the first's commit, then writes nothing).
    """
    values = dict(
        kind=kind, to_addr=str(message["To"]), subject=str(message["Subject"]),
        message_id=str(message["Message-ID"]), raw_message=message.as_bytes(policy=POLICY),
        interview_id=interview_id, created_at=now, next_attempt_at=now, attempts=0,
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        row = OutboxMessage(**values)
        db.session.add(row)
        db.session.flush()
        return row
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql"
              else sqlite.insert)(OutboxMessage)
    return db.session.scalar(insert.values(**values).on_conflict_do_nothing(
        index_elements=[OutboxMessage.dedupe_key]).returning(OutboxMessage))


@dataclass(frozen=True)
class Lease:
    """Who claims outbox rows (one job process), for how long, and the clock the lease runs on.

    Business time (`now`: when mail is due, when it was sent) and the lease are different clocks.
    A lease keeps two live processes apart, so it runs on real time: the job process hands in
    `timeutil.wall_clock_now`, which a frozen `now` (tests, the demo) does not stop, so a dead
    process's claims still end; tests hand in a clock they step. Processes on several machines
    compare each other's leases, so their clocks must agree (NTP) to well within a lease.
    """

    owner: str
    length: timedelta
    clock: Callable[[], datetime]


def _is_claimable(now: datetime, lease_now: datetime):
    return sa.and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
        sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= lease_now),
    )


def _held_by(owner: str, lease_now: datetime):
    """Rows whose lease *owner* still holds at *lease_now*, not yet sent or given up."""
    return sa.and_(
        OutboxMessage.claimed_by == owner,
        OutboxMessage.claimed_until > lease_now,
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
    )


def claim_due_messages(now: datetime, lease: Lease, *, limit: int = 5) -> list[int]:
    """Take a lease on up to *limit* due rows; return the ids *lease.owner* now holds.

    The UPDATE checks each row is still free as it changes it, so a row gets one holder.
    """
    lease_now = lease.clock()
    due = (sa.select(OutboxMessage.id).where(_is_claimable(now, lease_now))
           .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        # Lock the rows first, skipping those another process is claiming right now. (Under
        # IN, PostgreSQL may run a LIMIT subquery once per row and claim more than *limit*.)
        chosen = OutboxMessage.id.in_(
            db.session.scalars(due.with_for_update(skip_locked=True)).all())
    else:
        # SQLite: one statement whose first step is the write, so it waits for the write lock
        # instead of failing on a stale read; its subquery runs once.
        chosen = OutboxMessage.id.in_(due.scalar_subquery())
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(chosen, _is_claimable(now, lease_now))
        .values(claimed_by=lease.owner, claimed_until=lease_now + lease.length)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    return sorted(claimed)


def count_due_messages(now: datetime, lease_now: datetime) -> int:
    """Return how many rows are due and free to claim (what a send run left behind)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(_is_claimable(now, lease_now)))


@dataclass(frozen=True)
class ClaimedMessage:
    """A row its holder is about to send: the stored MIME and which attempt this is."""

    id: int
    attempts: int
    raw_message: bytes
    kind: str
    to_addr: str


def renew_claim(message_id: int, lease: Lease) -> ClaimedMessage | None:
    """Check that *lease.owner* still holds row *message_id*, and hold it (and the rest of its
    batch, waiting behind it) for one more lease from now; count the attempt about to start.

    None means the lease ran out and the row is no longer the caller's to send: it is left to
    whoever claims it next. The caller commits before sending, so others see the renewal.
    """
    lease_now = lease.clock()
    held = _held_by(lease.owner, lease_now)
    row = db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id == message_id, held)
        .values(claimed_until=lease_now + lease.length, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.raw_message,
                   OutboxMessage.kind, OutboxMessage.to_addr)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        return None
    db.session.execute(
        sa.update(OutboxMessage).where(held, OutboxMessage.id != message_id)
        .values(claimed_until=lease_now + lease.length)
        .execution_options(synchronize_session=False))
    return ClaimedMessage(row.id, row.attempts, bytes(row.raw_message), row.kind, row.to_addr)


def _is_active_account(address: str) -> bool:
    return db.session.scalar(sa.select(User.id).where(
        sa.func.lower(User.email) == address.strip().lower(), User.is_active.is_(True))) is not None


def drop_account_only_message(message: ClaimedMessage, lease: Lease) -> bool:
    """Delete *message*, unsent, when it is of ACCOUNT_ONLY_KINDS and its address has no active
    account; return whether it was dropped. Only the lease's holder drops it (the caller has
    just renewed the claim)."""
    if message.kind not in ACCOUNT_ONLY_KINDS or _is_active_account(message.to_addr):
        return False
    result = db.session.execute(
        sa.delete(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == lease.owner)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


@dataclass
class Delivery:
    message_id: int
    outcome: str  # "sent", "retry", "failed" or "dropped" (ACCOUNT_ONLY_KINDS)
    error: str = ""
    attempts: int = 0


def send_claimed_message(message: ClaimedMessage, transport: MailTransport) -> Delivery:
    """Hand *message* to the mail server and say what came of it (no database work: the caller
    holds no transaction while the server takes its time)."""
    parsed = email.message_from_bytes(message.raw_message, _class=EmailMessage, policy=POLICY)
    try:
        transport.send(parsed)
    except MailDeliveryError as error:
        text = str(error)[:2000]
        if not error.is_temporary or message.attempts >= MAX_ATTEMPTS:
            return Delivery(message.id, "failed", text, message.attempts)
        return Delivery(message.id, "retry", text, message.attempts)
    return Delivery(message.id, "sent", "", message.attempts)


def record_delivery(delivery: Delivery, now: datetime, lease: Lease) -> bool:
    """Record what came of a send (sent, retry later, or failed) and end the claim; return False
    when the row was no longer the caller's to record.

    The check is that the row is still claimed by *lease.owner*, even if the lease has run out
    meanwhile: a claim by anyone else overwrites `claimed_by`, so nobody else can have sent it.
    When another process did take it over (a single send outlived the lease), that process
    sends it again and records it; the stable Message-ID makes the duplicate harmless.
    """
    values: dict = {"claimed_by": None, "claimed_until": None, "last_error": delivery.error}
    if delivery.outcome == "sent":
        values["sent_at"] = now
    elif delivery.outcome == "failed":
        values["failed_at"] = now
    else:
        values["next_attempt_at"] = now + retry_delay(delivery.attempts)
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == delivery.message_id, OutboxMessage.claimed_by == lease.owner,
               OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def release_claims(owner: str) -> int:
    """Give back every row *owner* holds but has not sent (a job process shutting down), so
    other processes take them at once instead of after the lease; return how many."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.claimed_by == owner, OutboxMessage.sent_at.is_(None),
               OutboxMessage.failed_at.is_(None))
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False))
    return result.rowcount


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after *attempts* failed attempts (growing, then capped)."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def resend_message(actor: User, message: OutboxMessage, now: datetime, *,
                   to_addr: str | None = None) -> None:
    """Put a failed message back in the queue ("send again"), to *to_addr* when given (e.g. the
    candidate's corrected address): the stored MIME is readdressed, not rebuilt."""
    from scheduler.services.audit import record_event

    if not can_see_message(actor, message):
        raise NotAllowed("not_your_opening")
    if message.sent_at is not None:
        raise OutboxError("already_sent")
    before = message.to_addr
    if to_addr and to_addr.lower() != before.lower():
        message.raw_message = readdress(message.raw_message, before, to_addr)
        message.to_addr = to_addr
    message.failed_at = None
    message.claimed_by = None
    message.claimed_until = None
    message.attempts = 0
    message.next_attempt_at = now
    record_event(actor, "outbox.resend", message, now=now,
                 before={"to": before} if before != message.to_addr else None,
                 after={"to": message.to_addr})
    db.session.flush()


def failed_messages(actor: User, limit: int = 100) -> list[OutboxMessage]:
    """Return messages that gave up that *actor* may see (least access:
    `permissions.visible_messages`), newest first, for the coordinators' list."""
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None),
                                       visible_messages(actor))
        .order_by(OutboxMessage.failed_at.desc()).limit(limit)
    ).all()
