"""Anonymisation: scrubbing one application's free text, and one candidate's identity from every
table (issue 25 items 1 and 3; PIPL Arts. 19 and 47).

- `anonymise_application` empties what people wrote about one application: decision notes,
  feedback evidence, strengths, concerns and amendments, no-show notes, cancel and decline
  reasons, the candidate's own notes on their links, the bodies of the mail about its
  interviews, its reminders, and the notes of the audit records on all of these.
- `anonymise_candidate` replaces the candidate's name, email and phone wherever a copy of them
  is stored. It does not trust a list of places: it walks every String, Text, JSON and
  LargeBinary column of every table in the models' metadata, so a table added later is covered
  too. Text and JSON are rewritten in place; a binary value (an outbox message's raw MIME) that
  carries a trace once decoded (encoded-words, base64, quoted-printable) is emptied, since it
  cannot be edited without re-encoding it.

Scores, recommendations, levels, stage timings and the rows' links to each other stay, so the
pipeline figures and calibration do not move; only the person behind them is gone. Both
functions only flush; the caller claims the row first (retention.py, erasure.py) and commits.
"""
from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import datetime
from email.header import decode_header, make_header

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import (
    Application, AuditEvent, Candidate, Feedback, FeedbackAmendment, FeedbackScore, Interview,
    InterviewerAssignment, InterviewNoShow, OutboxMessage, Reminder, SchedulingLink,
    StageDecision,
)

# What a trace of a person becomes in free text, and their name on the candidate row.
ERASED = "[erased]"
# Keys of audit before/after values that hold free text written about an application.
FREE_TEXT_KEYS = frozenset({
    "note", "reason", "strengths", "concerns", "evidence", "text", "candidate_note",
    "override_reason", "cancel_reason", "decline_reason", "proposed_times",
})
# Whoever searches for the traces left must decode the mail the way a mail client would.
_MIME_POLICY = email.policy.compat32


def erased_email(candidate: Candidate) -> str:
    """Return the address an anonymised candidate is left with (never deliverable: .invalid)."""
    return f"erased-{candidate.id}@erased.invalid"


# --- one application --------------------------------------------------------------------------


def _ids(query) -> list[int]:
    return list(db.session.scalars(query))


def anonymise_application(application: Application, now: datetime) -> None:
    """Empty the free text written about *application* and the mail about it; scores, timings
    and statuses stay."""
    db.session.flush()
    interview_ids = _ids(sa.select(Interview.id).where(Interview.application_id == application.id))
    feedback_ids = _ids(sa.select(Feedback.id).where(Feedback.interview_id.in_(interview_ids)))
    decision_ids = _ids(sa.select(StageDecision.id).where(
        StageDecision.application_id == application.id))
    link_ids = _ids(sa.select(SchedulingLink.id).where(
        SchedulingLink.application_id == application.id))
    no_show_ids = _ids(sa.select(InterviewNoShow.id).where(
        InterviewNoShow.interview_id.in_(interview_ids)))
    amendment_ids = _ids(sa.select(FeedbackAmendment.id).where(
        FeedbackAmendment.feedback_id.in_(feedback_ids)))
    updates = [
        # An override must keep saying that it was one (a check constraint), not why.
        (StageDecision, StageDecision.id.in_(decision_ids),
         {"note": "", "override_reason": sa.case((StageDecision.is_override, ERASED), else_="")}),
        (Feedback, Feedback.id.in_(feedback_ids), {"strengths": "", "concerns": ""}),
        (FeedbackScore, FeedbackScore.feedback_id.in_(feedback_ids), {"evidence": ""}),
        (FeedbackAmendment, FeedbackAmendment.id.in_(amendment_ids), {"text": ""}),
        (Interview, Interview.id.in_(interview_ids), {"cancel_reason": ""}),
        (InterviewerAssignment, InterviewerAssignment.interview_id.in_(interview_ids),
         {"decline_reason": ""}),
        (InterviewNoShow, InterviewNoShow.id.in_(no_show_ids), {"note": ""}),
        (SchedulingLink, SchedulingLink.id.in_(link_ids),
         {"candidate_note": "", "proposed_times": None}),
    ]
    for model, where, values in updates:
        db.session.execute(sa.update(model).where(where).values(**values)
                           .execution_options(synchronize_session=False))
    _empty_mail(OutboxMessage.interview_id.in_(interview_ids), now)
    db.session.execute(sa.delete(Reminder).where(sa.or_(
        Reminder.application_id == application.id, Reminder.interview_id.in_(interview_ids)))
        .execution_options(synchronize_session=False))
    _scrub_audit_notes({
        "application": [application.id], "interview": interview_ids, "feedback": feedback_ids,
        "stage_decision": decision_ids, "scheduling_link": link_ids,
        "interview_no_show": no_show_ids, "feedback_amendment": amendment_ids,
    })
    db.session.flush()
    db.session.expire_all()


def _empty_mail(where, now: datetime) -> None:
    """Empty the bodies and subjects of the outbox rows *where* says; one never sent is given
    up (it would go out empty)."""
    db.session.execute(sa.update(OutboxMessage).where(
        where, OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        .values(failed_at=now, last_error="erased before sending")
        .execution_options(synchronize_session=False))
    db.session.execute(sa.update(OutboxMessage).where(where)
                       .values(raw_message=b"", subject=ERASED)
                       .execution_options(synchronize_session=False))


def _without_free_text(values):
    if isinstance(values, dict):
        return {key: ("" if key in FREE_TEXT_KEYS and value else _without_free_text(value))
                for key, value in values.items()}
    if isinstance(values, list):
        return [_without_free_text(value) for value in values]
    return values


def _scrub_audit_notes(objects: dict[str, list[int]]) -> None:
    """Empty the notes, and the free-text values, of the audit records on *objects*."""
    clauses = [sa.and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(ids))
               for kind, ids in objects.items() if ids]
    if not clauses:
        return
    for event in db.session.scalars(sa.select(AuditEvent).where(sa.or_(*clauses))):
        event.note = ""
        event.before = _without_free_text(event.before)
        event.after = _without_free_text(event.after)


# --- one candidate's identity, in every table ---------------------------------------------------


IDENTITY_FIELDS = ("name", "email", "phone")


def identity_traces(candidate: Candidate) -> list[str]:
    """Return the candidate's name, email and phone as stored, and those they had before a
    correction (the audit records of `candidate.updated` keep them), without empty ones."""
    values = [getattr(candidate, field) or "" for field in IDENTITY_FIELDS]
    for before, after in db.session.execute(sa.select(AuditEvent.before, AuditEvent.after).where(
            AuditEvent.object_type == Candidate.__tablename__,
            AuditEvent.object_id == candidate.id)):
        for recorded in (before, after):
            if isinstance(recorded, dict):
                values += [str(recorded[field]) for field in IDENTITY_FIELDS
                           if recorded.get(field)]
    traces = []
    for value in values:
        if value.strip() and value.strip() not in traces:
            traces.append(value.strip())
    return traces


def _email_traces(traces: list[str]) -> list[str]:
    return [trace for trace in traces if "@" in trace]


def mime_text(raw: bytes) -> str:
    """Return everything a reader of the MIME message *raw* could see: its headers with their
    encoded-words decoded and each part's payload decoded from base64 or quoted-printable."""
    message = email.message_from_bytes(raw, policy=_MIME_POLICY)
    texts = [raw.decode("utf-8", "replace")]
    for part in message.walk():
        for name, value in part.items():
            try:
                texts.append(f"{name}: {make_header(decode_header(str(value)))}")
            except (ValueError, LookupError, UnicodeError):
                texts.append(f"{name}: {value}")
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts)


def searchable_columns() -> list[tuple[sa.Table, sa.Column]]:
    """Return every String, Text, JSON and LargeBinary column of every table (encrypted columns
    hold only ciphertext, which no trace can be found in)."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (sa.String, sa.JSON, sa.LargeBinary)):
                found.append((table, column))
    return found


def _pattern(traces: list[str]) -> re.Pattern:
    return re.compile("|".join(re.escape(t) for t in sorted(traces, key=len, reverse=True)),
                      re.IGNORECASE)


def _replace(value, pattern: re.Pattern, replacements: dict[str, str]):
    if isinstance(value, str):
        return pattern.sub(lambda m: replacements.get(m.group(0).casefold(), ERASED), value)
    if isinstance(value, dict):
        return {_replace(k, pattern, replacements): _replace(v, pattern, replacements)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, pattern, replacements) for v in value]
    return value


def _fit(value, column: sa.Column):
    length = getattr(column.type, "length", None)
    return value[:length] if isinstance(value, str) and length else value


def _row_key(table: sa.Table, row) -> sa.ColumnElement:
    return sa.and_(*[c == row._mapping[c.name] for c in table.primary_key.columns])


def scrub_traces(traces: list[str], replacements: dict[str, str], candidate_id: int) -> int:
    """Replace *traces* (case-insensitively) in every searchable column of every table, and
    empty every binary value that carries one once decoded; return how many values changed.
    Other candidates' and staff members' own rows are left alone: two people may share a name."""
    if not traces:
        return 0
    db.session.flush()
    pattern = _pattern(traces)
    folded = [t.casefold() for t in traces]
    replacements = {k.casefold(): v for k, v in replacements.items()}
    changed = 0
    for table, column in searchable_columns():
        key = list(table.primary_key.columns)
        if not key or table.name == "user":  # staff accounts: staff's own identity
            continue
        # Another candidate's own row is theirs, even with the same name.
        mine = (table.c.id == candidate_id if table.name == Candidate.__tablename__
                else sa.true())
        if isinstance(column.type, sa.LargeBinary):
            rows = db.session.execute(sa.select(*key, column).where(
                mine, column.is_not(None), sa.func.length(column) > 0))
            for row in rows.all():
                if any(t in mime_text(row._mapping[column.name]).casefold() for t in folded):
                    db.session.execute(table.update().where(_row_key(table, row))
                                       .values({column.name: b""}))
                    changed += 1
            continue
        text = sa.cast(column, sa.Text) if isinstance(column.type, sa.JSON) else column
        # JSON is stored with non-ASCII characters escaped (\uXXXX): look for both spellings.
        needles = set(folded) | {json.dumps(t)[1:-1].lower() for t in folded}
        rows = db.session.execute(sa.select(*key, column).where(mine, sa.or_(
            *[sa.func.lower(text).contains(n, autoescape=True) for n in needles]))).all()
        for row in rows:
            old = row._mapping[column.name]
            new = _fit(_replace(old, pattern, replacements), column)
            if new != old:
                db.session.execute(table.update().where(_row_key(table, row))
                                   .values({column.name: new}))
                changed += 1
    db.session.expire_all()
    return changed


def anonymise_candidate(candidate: Candidate, now: datetime) -> int:
    """Replace the candidate's name, email and phone everywhere they are stored, and empty the
    mail that carried them; return how many stored values changed."""
    traces = identity_traces(candidate)
    new_email = erased_email(candidate)
    replacements = {address: new_email for address in _email_traces(traces)}
    # Mail to them or about them, sent or not: its bodies go (a pending one is given up).
    interview_ids = sa.select(Interview.id).join(Application).where(
        Application.candidate_id == candidate.id)
    _empty_mail(sa.or_(OutboxMessage.interview_id.in_(interview_ids), *[
        sa.func.lower(OutboxMessage.to_addr).contains(address.lower(), autoescape=True)
        for address in _email_traces(traces)]), now)
    candidate_id = candidate.id
    changed = scrub_traces(traces, replacements, candidate_id)
    candidate = db.session.get(Candidate, candidate_id)
    candidate.name, candidate.email, candidate.phone = ERASED, new_email, ""
    db.session.flush()
    return changed
