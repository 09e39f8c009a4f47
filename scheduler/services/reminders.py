"""Reminders: rows with a due time that the job process turns into outbox mail exactly once.

Each kind of reminder is declared once, in `REMINDER_KINDS`: the instant of the interview it
counts from (its start or its end), whether it fires before or after that instant and by how
much (a fixed time, or one the interview's stage sets), who receives it, and the builder that
writes its message. The feedback nudges (services/feedback_nudges.py) are two such entries.

Most kinds are about an interview; a kind whose `subject` is "application" is about an
application instead (the offer clock's alert, counted back from `Application.offer_due_at`), is
scheduled and dropped by services/decisions.py, and goes only while the application is open.

A reminder is unique per interview (or application), kind and recipient. Booking creates them, a reschedule or a
panel change moves them (and re-arms one already sent for the old time), a cancellation drops
the ones not yet sent. A reminder that would be due at or before the change is not created: an
interview booked three hours ahead gets only the one-hour reminder. A reminder that fires before
its anchor is not sent once the anchor has passed. A reminder whose recipient is no longer among
its kind's recipients when it comes due (they left the panel, or submitted the feedback it nudges
for) is claimed and skipped, in the same transaction: no mail.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from scheduler.extensions import db
from scheduler.formatting import format_local_datetime
from scheduler.models import Application, Interview, OutboxMessage, Reminder
from scheduler.services import feedback_nudges, invites
from scheduler.services.emails import StableId, compose_and_enqueue, external_url
from scheduler.services.invites import Recipient
from scheduler.services.openings import coordinators_to_tell

# A kind's message builder: write the reminder for one recipient of one interview (or
# application) to the outbox.
MessageBuilder = Callable[["ReminderKind", Interview | Application, Recipient, datetime],
                          OutboxMessage]
# What a reminder is about: the model whose row it names and whose instants anchor it.
SUBJECTS = {"interview": Interview, "application": Application}
# The offer clock's alert goes this long before the offer is due: two days leave time to get an
# offer approved and written, and are late enough that an offer well on its way needs no nudge.
OFFER_ALERT_BEFORE = timedelta(days=2)


@dataclass(frozen=True)
class ReminderKind:
    """One kind of reminder: when it is due, for whom, and what it says."""

    name: str  # stored in Reminder.kind (at most 20 characters)
    anchor: str  # the subject's instant it counts from: "start_at", "end_at", "offer_due_at"
    # A fixed time, or a function of the interview (the feedback nudges read the stage's hours).
    offset: timedelta | Callable[[Interview], timedelta]
    is_before: bool  # fires *offset* before the anchor; otherwise after it
    recipients: Callable[[Interview | Application], list[Recipient]]
    build: MessageBuilder
    subject: str = "interview"  # what it is about: a key of SUBJECTS

    def due_at(self, about: Interview | Application) -> datetime:
        """Return when this kind of reminder is due for *about* (its interview or application)."""
        anchor_at = getattr(about, self.anchor)
        offset = self.offset(about) if callable(self.offset) else self.offset
        return anchor_at - offset if self.is_before else anchor_at + offset

    def is_pending(self, now: datetime):
        """Return the SQL condition that a due reminder of this kind should still go out."""
        condition = Reminder.kind == self.name
        if self.is_before:
            # Too late to remind of something that has already begun.
            condition = sa.and_(condition, getattr(SUBJECTS[self.subject], self.anchor) > now)
        return condition


def _interview_reminder(subject) -> MessageBuilder:
    """Return the builder of an interview reminder whose subject is *subject* (a lazy msgid
    with %(summary)s and %(when)s)."""

    def build(kind: ReminderKind, interview: Interview, recipient: Recipient,
              now: datetime) -> OutboxMessage:
        language = recipient.language
        title = invites.summary(interview, recipient)
        when = format_local_datetime(interview.start_at, recipient.zone, language)
        with force_locale(language):
            text = str(subject) % {"summary": title, "when": when}
        return compose_and_enqueue(
            "reminder", to_addr=recipient.email, language=language, subject=text,
            context=dict(interview=interview, recipient=recipient, summary=title, when=when,
                         location=invites.interview_location(
                             interview, language, is_candidate=recipient.is_candidate),
                         time_lines=invites.time_lines(interview, recipient)),
            stable_id=StableId(interview.calendar_uid, kind=f"reminder-{kind.name}",
                               sequence=interview.sequence),
            kind=f"reminder_{kind.name}", now=now, interview_id=interview.id)

    return build


def _offer_recipients(application: Application) -> list[Recipient]:
    """Return the opening's coordinators (services/openings.py), as mail recipients."""
    return [Recipient(user.email, user.name, user.language, user.zone, False)
            for user in coordinators_to_tell(application.requisition)]


def _offer_alert(kind: ReminderKind, application: Application, recipient: Recipient,
                 now: datetime) -> OutboxMessage:
    """Write the offer clock's alert to one coordinator, in their language and zone."""
    language = recipient.language
    candidate = application.candidate
    due = format_local_datetime(application.offer_due_at, recipient.zone, language)
    with force_locale(language):
        subject = str(_l("Offer due %(when)s: %(candidate)s")) % {
            "when": due, "candidate": candidate.name}
    return compose_and_enqueue(
        "offer_due", to_addr=recipient.email, language=language, subject=subject,
        context=dict(application=application, candidate=candidate, recipient=recipient, due=due,
                     url=external_url("coordinator.application", application_id=application.id)),
        stable_id=StableId(f"application-{application.id}", kind=f"reminder-{kind.name}"),
        kind=f"reminder_{kind.name}", now=now)


REMINDER_KINDS = {kind.name: kind for kind in (
    ReminderKind("24h", anchor="start_at", offset=timedelta(hours=24), is_before=True,
                 recipients=invites.everyone,
                 build=_interview_reminder(_l("Tomorrow: %(summary)s, %(when)s"))),
    ReminderKind("1h", anchor="start_at", offset=timedelta(hours=1), is_before=True,
                 recipients=invites.everyone,
                 build=_interview_reminder(_l("In one hour: %(summary)s, %(when)s"))),
    ReminderKind(feedback_nudges.DUE, anchor="end_at", offset=feedback_nudges.due_offset,
                 is_before=False, recipients=feedback_nudges.authors_owing,
                 build=feedback_nudges.build_nudge),
    ReminderKind(feedback_nudges.OVERDUE, anchor="end_at",
                 offset=feedback_nudges.overdue_offset, is_before=False,
                 recipients=feedback_nudges.authors_owing_and_coordinators,
                 build=feedback_nudges.build_nudge),
    ReminderKind("offer_sla", anchor="offer_due_at", offset=OFFER_ALERT_BEFORE,
                 is_before=True, recipients=_offer_recipients, build=_offer_alert,
                 subject="application"),
)}


def _kinds_about(subject: str) -> list[ReminderKind]:
    return [kind for kind in REMINDER_KINDS.values() if kind.subject == subject]


def schedule_reminders(interview: Interview, now: datetime, *, is_new: bool = False) -> None:
    """Create or move this interview's reminders to match its time and panel (*is_new*: the
    interview was just inserted, so it has none to move yet)."""
    _schedule("interview", interview, now, is_new=is_new)


def schedule_application_reminders(application: Application, now: datetime) -> None:
    """Create or move this application's reminders (the offer clock's alert) to match it."""
    _schedule("application", application, now)


def _schedule(subject: str, about: Interview | Application, now: datetime, *,
              is_new: bool = False) -> None:
    column = getattr(Reminder, f"{subject}_id")
    existing = {} if is_new else {(r.kind, r.recipient): r for r in db.session.scalars(
        sa.select(Reminder).where(column == about.id))}
    wanted = set()
    for kind in _kinds_about(subject):
        if getattr(about, kind.anchor) is None:
            continue
        due_at = kind.due_at(about)
        if due_at <= now:
            continue
        for recipient in kind.recipients(about):
            wanted.add((kind.name, recipient.email))
            row = existing.get((kind.name, recipient.email))
            if row is None:
                db.session.add(Reminder(**{f"{subject}_id": about.id}, kind=kind.name,
                                        recipient=recipient.email, due_at=due_at))
            elif row.due_at != due_at:
                # Moved: a reminder already sent for the old time is armed again.
                row.due_at = due_at
                row.enqueued_at = None
                row.outbox_message_id = None
    for key, row in existing.items():
        if key not in wanted and row.enqueued_at is None:
            db.session.delete(row)
    db.session.flush()


def drop_reminders(interview: Interview) -> None:
    """Delete this interview's reminders that have not been sent (it was cancelled)."""
    db.session.execute(sa.delete(Reminder).where(
        Reminder.interview_id == interview.id, Reminder.enqueued_at.is_(None)))


def drop_application_reminders(application: Application) -> None:
    """Delete this application's reminders that have not been sent (an offer went out, or it
    closed)."""
    db.session.execute(sa.delete(Reminder).where(
        Reminder.application_id == application.id, Reminder.enqueued_at.is_(None)))


def due_reminder_ids(now: datetime, limit: int = 100) -> list[int]:
    """Return ids of reminders due now for interviews still scheduled (or applications still
    open), oldest due first."""
    return db.session.scalars(
        sa.select(Reminder.id)
        .outerjoin(Interview, Interview.id == Reminder.interview_id)
        .outerjoin(Application, Application.id == Reminder.application_id)
        .where(Reminder.due_at <= now, Reminder.enqueued_at.is_(None),
               sa.or_(Interview.status == "scheduled",
                      Application.status.in_(Application.OPEN_STATUSES)),
               sa.or_(*(kind.is_pending(now) for kind in REMINDER_KINDS.values())))
        .order_by(Reminder.due_at, Reminder.id).limit(limit)
    ).all()


def enqueue_reminder(reminder_id: int, now: datetime) -> bool:
    """Claim one due reminder and write its outbox row; False when someone else claimed it, or
    when its recipient is no longer one of its kind's (the claim then stands: it is skipped)."""
    # The claim comes first in the transaction: on SQLite it takes the write lock, on
    # PostgreSQL the row lock; whoever comes second matches no row.
    claimed = db.session.execute(
        sa.update(Reminder).where(Reminder.id == reminder_id, Reminder.enqueued_at.is_(None))
        .values(enqueued_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1
    if not claimed:
        return False
    reminder = db.session.get(Reminder, reminder_id)
    db.session.refresh(reminder)
    kind = REMINDER_KINDS[reminder.kind]
    about = reminder.interview if reminder.interview_id is not None else reminder.application
    recipient = next((r for r in kind.recipients(about) if r.email == reminder.recipient),
                     None)
    if recipient is None:
        return False
    row = kind.build(kind, about, recipient, now)
    reminder.outbox_message_id = row.id
    db.session.flush()
    return True
