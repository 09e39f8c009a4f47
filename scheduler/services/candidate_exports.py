"""Everything the system holds about one candidate, on request (issue 25 item 2; PIPL Art. 45,
UK GDPR Art. 15): a plain dict that the web layer writes as JSON or renders as a page.

The rows are found by walking the tables' foreign keys from the candidate, child-wards: a table
belongs to the export when one of its foreign keys points at a table already in it (the
candidate's applications, their interviews, those interviews' seats and feedback, the feedback's
scores, links, reminders, decisions, consents, access records, …). A table added later with a
path to the candidate is exported without anyone remembering to add it; `EXEMPT_TABLES` names,
with a reason, any reachable table that is deliberately left out (the test in
tests/services/test_candidate_export.py fails on a reachable table that is neither).

Two kinds of row refer to the candidate without a foreign key, and are added by their keys: mail
addressed to the candidate's email address, and audit records about any exported object.

What is not the candidate's own is kept out: secrets (a link's token hash), other people's
addresses and private reasons (a panel member's email, why they declined), delivery internals;
staff appear by name only.
"""
from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, time

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import AuditEvent, Candidate, InterviewerProfile, User
from scheduler.services.audit import record_event
from scheduler.services.permissions import NotAllowed, can_export_all_of

# Reachable tables left out on purpose, and why (none today: every reachable table is exported).
EXEMPT_TABLES: dict[str, str] = {}

# Columns of exported tables that are not the candidate's data, and why each is left out.
OMITTED_COLUMNS: dict[str, dict[str, str]] = {
    "candidate": {"lock_version": "a booking lock's counter"},
    "scheduling_link": {"token_hash": "a secret: a hash of the link's capability"},
    "interviewer_assignment": {"decline_reason": "the interviewer's own reason, about them"},
    "outbox_message": {
        "raw_message": "the whole MIME message: its text is exported as `body` for the "
                       "candidate's own mail; staff copies carry staff addresses",
        "to_addr": "exported for the candidate's own mail only (staff addresses otherwise)",
        "claimed_by": "delivery internals", "claimed_until": "delivery internals",
        "dedupe_key": "delivery internals", "message_id": "delivery internals",
        "last_error": "the mail server's answer, about delivery",
    },
}

# Foreign keys to people are shown as the person's name, never their id or address.
PERSON_TABLES = ("user", "interviewer_profile")


class _Walk:
    """The ids found so far per table, and the exported rows."""

    def __init__(self, candidate: Candidate):
        self.ids: dict[str, set[int]] = {"candidate": {candidate.id}}
        self.rows: dict[str, dict[int, dict]] = {}


def reachable_tables() -> dict[str, list[sa.ForeignKey]]:
    """Return every table with a foreign-key path to the candidate table, with the foreign keys
    that lead it there (child-wards: the table's own keys pointing at tables already reached)."""
    tables = {table.name: table for table in db.metadata.sorted_tables}
    reached: dict[str, list[sa.ForeignKey]] = {"candidate": []}
    changed = True
    while changed:
        changed = False
        for name, table in tables.items():
            keys = [fk for fk in table.foreign_keys if fk.column.table.name in reached
                    and name not in PERSON_TABLES and not (name == "candidate")]
            if keys and len(keys) != len(reached.get(name, [])):
                reached[name] = keys
                changed = True
    return reached


def _collect(walk: _Walk, reachable: dict[str, list[sa.ForeignKey]]) -> None:
    """Fill *walk* with every row of every reachable table that points at a row already found,
    until nothing new turns up (links point at interviews, interviews at booking groups…)."""
    tables = {table.name: table for table in db.metadata.sorted_tables}
    changed = True
    while changed:
        changed = False
        for name, keys in reachable.items():
            if name == "candidate" or name in EXEMPT_TABLES:
                continue
            table = tables[name]
            conditions = [fk.parent.in_(sorted(walk.ids[fk.column.table.name]))
                          for fk in keys if walk.ids.get(fk.column.table.name)]
            if not conditions:
                continue
            primary = list(table.primary_key.columns)
            for row in db.session.execute(sa.select(table).where(sa.or_(*conditions))).mappings():
                key = row[primary[0].name] if len(primary) == 1 else tuple(
                    row[c.name] for c in primary)
                found = walk.rows.setdefault(name, {})
                if key not in found:
                    found[key] = dict(row)
                    if len(primary) == 1:
                        walk.ids.setdefault(name, set()).add(key)
                    changed = True


def _names(walk: _Walk) -> dict[str, dict[int, str]]:
    """Return the names of every person an exported row points at, per person table."""
    tables = {table.name: table for table in db.metadata.sorted_tables}
    wanted: dict[str, set[int]] = {name: set() for name in PERSON_TABLES}
    for name, rows in walk.rows.items():
        for fk in tables[name].foreign_keys:
            target = fk.column.table.name
            if target in PERSON_TABLES:
                wanted[target] |= {row[fk.parent.name] for row in rows.values()
                                   if row[fk.parent.name] is not None}
    users = dict(db.session.execute(sa.select(User.id, User.name)
                                    .where(User.id.in_(wanted["user"]))).all())
    profiles = dict(db.session.execute(
        sa.select(InterviewerProfile.id, User.name).join(User, User.id == InterviewerProfile.user_id)
        .where(InterviewerProfile.id.in_(wanted["interviewer_profile"]))).all())
    return {"user": users, "interviewer_profile": profiles}


def _plain(value):
    """Return *value* as JSON can carry it (instants in ISO 8601 UTC)."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def _mail_text(raw: bytes) -> str:
    """Return the readable text of a stored MIME message (its text/plain part)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def _shape(name: str, row: dict, names: dict[str, dict[int, str]], email_addr: str) -> dict:
    """Return one exported row: omitted columns dropped, people by name."""
    table = db.metadata.tables[name]
    people = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys
              if fk.column.table.name in PERSON_TABLES}
    omitted = OMITTED_COLUMNS.get(name, {})
    shaped = {}
    for column, value in row.items():
        if column in omitted:
            continue
        if column in people:
            shaped[column.removesuffix("_id")] = names[people[column]].get(value) \
                if value is not None else None
        else:
            shaped[column] = _plain(value)
    if name == "outbox_message":
        is_own = (row["to_addr"] or "").strip().lower() == email_addr
        shaped["recipient"] = row["to_addr"] if is_own else "staff"
        if is_own:
            shaped["body"] = _mail_text(row["raw_message"])
    return shaped


def _own_mail(walk: _Walk, email_addr: str) -> None:
    """Add the mail addressed to the candidate that no foreign key ties to them (a link's email,
    a decision's letter)."""
    table = db.metadata.tables["outbox_message"]
    found = walk.rows.setdefault("outbox_message", {})
    for row in db.session.execute(sa.select(table).where(
            sa.func.lower(sa.func.trim(table.c.to_addr)) == email_addr)).mappings():
        found.setdefault(row["id"], dict(row))
        walk.ids.setdefault("outbox_message", set()).add(row["id"])


def _audit(walk: _Walk, names: dict[str, dict[int, str]]) -> list[dict]:
    """Return the audit records about any exported object, oldest first."""
    ids = {"candidate": walk.ids["candidate"],
           **{name: set(rows) for name, rows in walk.rows.items()}}
    conditions = [sa.and_(AuditEvent.object_type == name, AuditEvent.object_id.in_(sorted(keys)))
                  for name, keys in ids.items() if keys and name != "audit_event"
                  and all(isinstance(k, int) for k in keys)]
    events = list(db.session.scalars(sa.select(AuditEvent).where(sa.or_(*conditions))
                                     .order_by(AuditEvent.occurred_at, AuditEvent.id)))
    actors = dict(db.session.execute(sa.select(User.id, User.name).where(
        User.id.in_({e.actor_user_id for e in events if e.actor_user_id}))).all())
    return [{"id": e.id, "occurred_at": e.occurred_at.isoformat(),
             "actor": actors.get(e.actor_user_id) if e.actor_user_id else e.actor_label,
             "action": e.action, "object_type": e.object_type, "object_id": e.object_id,
             "before": e.before, "after": e.after, "note": e.note} for e in events]


def build_export(candidate: Candidate) -> dict:
    """Return everything held about *candidate*: {"candidate": row, "tables": {table: [rows]},
    "audit_event": [records]}. Reads only."""
    walk = _Walk(candidate)
    reachable = reachable_tables()
    email_addr = candidate.email.strip().lower()
    _own_mail(walk, email_addr)
    _collect(walk, reachable)
    names = _names(walk)
    candidate_row = dict(db.session.execute(
        sa.select(db.metadata.tables["candidate"]).where(
            db.metadata.tables["candidate"].c.id == candidate.id)).mappings().one())
    tables = {name: [_shape(name, row, names, email_addr)
                     for _key, row in sorted(walk.rows.get(name, {}).items())]
              for name in reachable if name != "candidate" and name not in EXEMPT_TABLES}
    return {"candidate": _shape("candidate", candidate_row, names, email_addr),
            "tables": tables, "audit_event": _audit(walk, names)}


def export_candidate(actor: User, candidate: Candidate, *, now: datetime,
                     output: str) -> dict:
    """Export everything held about *candidate* for *actor* as *output* ("json" or "html"):
    the request and its completion are audited (without the exported values); refused unless
    *actor* may export all of it (`permissions.can_export_all_of`)."""
    if not can_export_all_of(actor, candidate):
        raise NotAllowed("not_your_opening")
    record_event(actor, "export_requested", candidate, now=now, after={"format": output})
    data = build_export(candidate)
    counts = {name: len(rows) for name, rows in data["tables"].items() if rows}
    record_event(actor, "export_completed", candidate, now=now,
                 after={"format": output, "rows": counts,
                        "audit_events": len(data["audit_event"])})
    data["generated_at"] = now.isoformat()
    return data
