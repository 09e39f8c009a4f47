"""Interviewers' calendar sources and manual busy blocks: add, list, re-read and remove them.

A source is an uploaded .ics file (its bytes are kept), an ICS subscription URL, a CalDAV account
(URL, user name, password) or manual blocks. A subscription URL and a CalDAV password are secrets:
stored encrypted (models/types.py EncryptedText), and never shown back, audited or put in a
message in full — `shown_address()` is the most of an address anyone sees (its host and "…"), and
a source named after nothing else is named that way. Reading a source expands it over a rolling horizon — from a day before `now` to the
longest booking horizon of any open stage plus a margin — and the result replaces that source's
previous busy blocks, all in the caller's transaction (services flush; the caller commits).

A source that cannot be read keeps its previous blocks; its `last_error` holds the problem as
JSON (`{"code": ..., "params": ...}`), which `source_problem()` turns back into a Problem the
app can render in the viewer's language. Adding a source that cannot be read stores nothing and
raises CalendarRefused (a ServiceError whose codes are the calendar adapter's problems). Network and parsing happen before the first write, so no write lock is
held while a server is slow. Calendars are never read on a candidate's request path.

Who may change whose calendars is asked of scheduler/services/permissions.py; a refusal is a
CalendarRefused("not_allowed").
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import flag_modified

from scheduler.calendars import (
    DEFAULT_LIMITS, MESSAGES, CalendarError, ImportLimits, ImportResult, Problem, SourceRequest,
    read_source, read_source_in_sandbox,
)
from scheduler.extensions import db
from scheduler.models import BusyBlock, CalendarSource, InterviewerProfile, Requisition, StageTemplate, User
from scheduler.services.audit import record_event
from scheduler.services.errors import ServiceError
from scheduler.services.permissions import can_manage_availability

DEFAULT_HORIZON = timedelta(days=21)
# Beyond the longest stage horizon, so slots near its end still see busy time between refreshes.
HORIZON_MARGIN = timedelta(days=14)
# Before now: an event in progress still blocks the rest of its time.
PAST_MARGIN = timedelta(days=1)
MANUAL_SOURCE_NAME = "Manual blocks"
_TEXT_LIMIT = 500  # BusyBlock.external_uid and .summary


class CalendarRefused(ServiceError):
    """A calendar source or a busy block was refused; the codes are the adapter's problems."""

    messages = MESSAGES

    @classmethod
    def of(cls, error: CalendarError) -> CalendarRefused:
        """Return the refusal a user sees for the adapter's *error*."""
        return cls(error.code, **error.params)

    @property
    def problem(self) -> Problem:
        """Return the refusal as a Problem (as stored in a source's last error)."""
        return Problem(self.code, dict(self.params))


@dataclass
class RefreshOutcome:
    """How reading one source went: the warnings of a successful read, or the refusal."""

    source: CalendarSource
    warnings: list[Problem] = field(default_factory=list)
    error: Problem | None = None
    block_count: int = 0

    @property
    def is_ok(self) -> bool:
        """Tell whether the source was read (possibly with warnings)."""
        return self.error is None


Window = tuple[datetime, datetime]


def calendar_window(now: datetime) -> Window:
    """Return the [start_at, end_at) over which sources are expanded at *now*."""
    longest_days = db.session.scalar(
        sa.select(sa.func.max(StageTemplate.horizon_days))
        .join(Requisition, StageTemplate.requisition_id == Requisition.id)
        .where(Requisition.is_open.is_(True), StageTemplate.kind != "offer")
    )
    horizon = timedelta(days=longest_days) if longest_days else DEFAULT_HORIZON
    return now - PAST_MARGIN, now + horizon + HORIZON_MARGIN


def source_problem(source: CalendarSource) -> Problem | None:
    """Return the problem stored in *source.last_error*, or None when the last read succeeded."""
    if not source.last_error:
        return None
    stored = json.loads(source.last_error)
    return Problem(stored["code"], stored.get("params", {}))


# --- adding sources ---------------------------------------------------------------------------------

def import_calendar_file(actor: User, interviewer: InterviewerProfile, filename: str, data: bytes,
                         now: datetime, *, source: CalendarSource | None = None) -> RefreshOutcome:
    """Add an uploaded .ics file (or replace the file of *source*); raise CalendarRefused for a new bad file.

    Replacing with a bad file keeps the old file and its blocks, records the problem and returns
    it in the outcome.
    """
    _check_allowed(actor, interviewer)
    if source is not None and (source.interviewer_id != interviewer.id or source.kind != "file"):
        raise CalendarRefused("not_allowed")
    try:
        result = _read_file(data, interviewer, calendar_window(now))
    except CalendarError as error:
        if source is None:
            raise CalendarRefused.of(error) from error
        return _record_failure(source, error.problem, now)
    name = (filename or "calendar.ics")[:200]
    if source is None:
        source = _new_source(interviewer, "file", name, now, content=data)
        action = "calendar_source.added"
    else:
        source.name, source.content = name, data
        action = "calendar_source.replaced"
    outcome = _store(source, result, now)
    record_event(actor, action, source, now=now, after=_describe(source))
    return outcome


def add_calendar_url(actor: User, interviewer: InterviewerProfile, url: str, now: datetime, *,
                     name: str = "") -> RefreshOutcome:
    """Subscribe to an ICS URL after a first successful read; raise CalendarRefused if it fails."""
    _check_allowed(actor, interviewer)
    url = url.strip()
    try:
        result = _read_url(url, interviewer, calendar_window(now))
    except CalendarError as error:
        raise CalendarRefused.of(error) from error
    source = _new_source(interviewer, "url", (name.strip() or shown_address(url))[:200], now, url=url[:1000])
    outcome = _store(source, result, now)
    record_event(actor, "calendar_source.added", source, now=now, after=_describe(source))
    return outcome


def add_caldav_account(actor: User, interviewer: InterviewerProfile, url: str, username: str,
                       password: str, now: datetime, *, name: str = "") -> RefreshOutcome:
    """Add a CalDAV account (or one calendar's URL) after a first successful read; raise CalendarRefused."""
    _check_allowed(actor, interviewer)
    url = url.strip()
    try:
        result = _read_caldav(url, username, password, interviewer, calendar_window(now))
    except CalendarError as error:
        raise CalendarRefused.of(error) from error
    source = _new_source(interviewer, "caldav", (name.strip() or shown_address(url))[:200], now, url=url[:1000],
                         username=username[:200], password=password)
    outcome = _store(source, result, now)
    # The password never goes into the audit log.
    record_event(actor, "calendar_source.added", source, now=now, after=_describe(source))
    return outcome


def change_calendar_source(actor: User, interviewer: InterviewerProfile, source_id: int, now: datetime, *,
                           name: str = "", url: str = "", username: str | None = None,
                           password: str = "") -> RefreshOutcome:
    """Rename an imported source, and change a subscription's address or a CalDAV account's address,
    user name or password (a blank address or password keeps the stored one).

    A changed connection is read first, and refused with CalendarRefused if that fails: then
    nothing changes. A read that succeeds replaces the source's blocks.
    """
    _check_allowed(actor, interviewer)
    source = owned_source(interviewer, source_id)
    before = _describe(source)
    old_connection = (source.url, source.username, source.password)
    new_url, new_username, new_password = old_connection
    if source.kind in ("url", "caldav"):
        new_url = url.strip()[:1000] or source.url
    if source.kind == "caldav":
        new_username = source.username if username is None else username.strip()[:200]
        new_password = password or source.password
    result = None
    if (new_url, new_username, new_password) != old_connection:
        window = calendar_window(now)
        try:
            if source.kind == "url":
                result = _read_url(new_url, interviewer, window)
            else:
                result = _read_caldav(new_url, new_username, new_password, interviewer, window)
        except CalendarError as error:
            raise CalendarRefused.of(error) from error
    source.name = (name.strip() or source.name)[:200]
    source.url, source.username, source.password = new_url, new_username, new_password
    outcome = _store(source, result, now) if result is not None else RefreshOutcome(source=source)
    # The audit says that the password changed, never what it is.
    record_event(actor, "calendar_source.changed", source, now=now, before=before,
                 after={**_describe(source), "is_password_changed": new_password != old_connection[2]})
    return outcome


def add_manual_block(actor: User, interviewer: InterviewerProfile, start_at: datetime, end_at: datetime,
                     now: datetime, *, summary: str = "") -> BusyBlock:
    """Block [start_at, end_at) by hand; kept until removed, never touched by refreshes."""
    _check_allowed(actor, interviewer)
    if start_at.tzinfo is None or end_at.tzinfo is None or not start_at < end_at:
        raise CalendarRefused("manual_block_invalid")
    source = db.session.scalar(sa.select(CalendarSource).where(
        CalendarSource.interviewer_id == interviewer.id, CalendarSource.kind == "manual"))
    if source is None:
        source = _new_source(interviewer, "manual", MANUAL_SOURCE_NAME, now)
    block = BusyBlock(interviewer_id=interviewer.id, source=source, start_at=start_at, end_at=end_at,
                      external_uid="", summary=summary.strip()[:_TEXT_LIMIT])
    db.session.add(block)
    db.session.flush()
    record_event(actor, "busy_block.added", block, now=now,
                 after={"start_at": start_at.isoformat(), "end_at": end_at.isoformat()})
    return block


# --- listing and removing ------------------------------------------------------------------------

def calendar_sources(interviewer: InterviewerProfile) -> list[CalendarSource]:
    """Return the interviewer's imported calendar sources (not the manual blocks), oldest first."""
    return list(db.session.scalars(
        sa.select(CalendarSource)
        .where(CalendarSource.interviewer_id == interviewer.id, CalendarSource.kind != "manual")
        .order_by(CalendarSource.id)))


def owned_source(interviewer: InterviewerProfile, source_id: int) -> CalendarSource:
    """Return one of the interviewer's imported sources; raise CalendarRefused for any other id."""
    source = db.session.get(CalendarSource, source_id)
    if source is None or source.interviewer_id != interviewer.id or source.kind == "manual":
        raise CalendarRefused("calendar_gone")
    return source


def remove_calendar_source(actor: User, interviewer: InterviewerProfile, source_id: int,
                           now: datetime) -> None:
    """Remove an imported calendar and the busy time it brought."""
    _check_allowed(actor, interviewer)
    source = owned_source(interviewer, source_id)
    record_event(actor, "calendar_source.removed", source, now=now,
                 before={"kind": source.kind, "name": source.name, "url": shown_address(source.url)})
    db.session.execute(sa.delete(BusyBlock).where(BusyBlock.source_id == source.id),
                       execution_options={"synchronize_session": False})
    db.session.delete(source)
    db.session.flush()


def manual_blocks(interviewer: InterviewerProfile, now: datetime) -> list[BusyBlock]:
    """Return the interviewer's hand-made busy blocks that have not ended, soonest first."""
    return list(db.session.scalars(
        sa.select(BusyBlock).join(CalendarSource, CalendarSource.id == BusyBlock.source_id)
        .where(BusyBlock.interviewer_id == interviewer.id, CalendarSource.kind == "manual",
               BusyBlock.end_at > now)
        .order_by(BusyBlock.start_at)))


def remove_manual_block(actor: User, interviewer: InterviewerProfile, block_id: int,
                        now: datetime) -> None:
    """Remove a hand-made busy block (imported blocks change only by refreshing their source)."""
    _check_allowed(actor, interviewer)
    block = db.session.get(BusyBlock, block_id)
    if block is None or block.interviewer_id != interviewer.id or block.source.kind != "manual":
        raise CalendarRefused("block_gone")
    record_event(actor, "busy_block.removed", block, now=now,
                 before={"start_at": block.start_at.isoformat(),
                         "end_at": block.end_at.isoformat()})
    db.session.delete(block)
    db.session.flush()


# --- refreshing ---------------------------------------------------------------------------------------

def refresh_calendar_source(source: CalendarSource, now: datetime) -> RefreshOutcome:
    """Re-read one source over the rolling horizon; on failure keep its blocks and record why."""
    pending = _read_source(source, calendar_window(now))
    return _apply(source, pending, now)


def refresh_calendar_sources(now: datetime) -> dict:
    """Re-read every active non-manual source; return counts of refreshed and failed sources.

    Each source is read in a child process with a memory cap and a deadline (the backstop of
    issue 21), so one bad subscription cannot stall the others: it keeps its blocks and shows why.
    """
    sources = db.session.scalars(
        sa.select(CalendarSource)
        .where(CalendarSource.is_active.is_(True), CalendarSource.kind != "manual")
        .order_by(CalendarSource.id)
    ).all()
    # Every fetch and parse first, every write after: no write lock is held during the network.
    window = calendar_window(now)
    pending = [(source, _read_source(source, window, is_sandboxed=True)) for source in sources]
    counts = {"refreshed": 0, "failed": 0}
    for source, result in pending:
        outcome = _apply(source, result, now)
        counts["refreshed" if outcome.is_ok else "failed"] += 1
    return counts


def _read_source(source: CalendarSource, window: Window, *,
                 is_sandboxed: bool = False) -> ImportResult | Problem | None:
    """Read *source* without writing anything: its result, its problem, or None for manual blocks."""
    if source.kind not in ("file", "url", "caldav"):
        return None
    interviewer = db.session.get(InterviewerProfile, source.interviewer_id)
    request = _request(source.kind, interviewer, window, content=source.content or b"",
                       url=source.url or "", username=source.username or "",
                       password=source.password or "")
    try:
        return read_source_in_sandbox(request) if is_sandboxed else read_source(request)
    except CalendarError as error:
        return error.problem


def _apply(source: CalendarSource, pending: ImportResult | Problem | None, now: datetime) -> RefreshOutcome:
    if pending is None:
        return RefreshOutcome(source=source)
    if isinstance(pending, Problem):
        return _record_failure(source, pending, now)
    return _store(source, pending, now)


def reencrypt_calendar_secrets() -> int:
    """Write every source's address and password again, so both are encrypted with the first key
    of ENCRYPTION_KEYS (key rotation); return how many sources were rewritten."""
    sources = db.session.scalars(sa.select(CalendarSource).where(CalendarSource.kind.in_(("url", "caldav")))).all()
    for source in sources:
        # Unchanged values are not written unless marked: the column type encrypts on the way out.
        flag_modified(source, "url")
        flag_modified(source, "password")
    db.session.flush()
    return len(sources)


# --- reading --------------------------------------------------------------------------------------

def _read_file(data: bytes, interviewer: InterviewerProfile, window: Window) -> ImportResult:
    return read_source(_request("file", interviewer, window, content=data))


def _read_url(url: str, interviewer: InterviewerProfile, window: Window) -> ImportResult:
    return read_source(_request("url", interviewer, window, url=url))


def _read_caldav(url: str, username: str, password: str, interviewer: InterviewerProfile,
                 window: Window) -> ImportResult:
    return read_source(_request("caldav", interviewer, window, url=url, username=username,
                                password=password))


def _request(kind: str, interviewer: InterviewerProfile, window: Window, **where) -> SourceRequest:
    start_at, end_at = window
    return SourceRequest(kind=kind, default_zone=interviewer.effective_zone, window_start_at=start_at,
                         window_end_at=end_at, limits=import_limits(), **_address_rules(), **where)


def import_limits() -> ImportLimits:
    """Return the limits of calendar reading: the app's CALENDAR_LIMITS setting, else the defaults."""
    return current_app.config.get("CALENDAR_LIMITS") or DEFAULT_LIMITS


def _address_rules() -> dict:
    """Return which private addresses calendar URLs may reach (CALENDAR_ALLOW_PRIVATE_URLS)."""
    return {"is_private_allowed": bool(current_app.config.get("CALENDAR_ALLOW_PRIVATE_URLS", False)),
            "private_networks": tuple(current_app.config.get("CALENDAR_PRIVATE_NETWORKS", ()))}


def shown_address(url: str) -> str:
    """Return the most of a calendar address anyone is shown: its host (and port) and "…"."""
    try:
        parts = urlsplit((url or "").strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return "…"
    if not host:
        return "…"
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}…" if port else f"{host}…"


# --- writing --------------------------------------------------------------------------------------

def _store(source: CalendarSource, result: ImportResult, now: datetime) -> RefreshOutcome:
    """Replace the source's blocks with *result* (one delete, one bulk insert) and mark it fresh."""
    db.session.flush()  # the source row must exist before its blocks
    db.session.execute(sa.delete(BusyBlock).where(BusyBlock.source_id == source.id),
                       execution_options={"synchronize_session": False})
    rows = [
        {"interviewer_id": source.interviewer_id, "source_id": source.id, "start_at": interval.start_at,
         "end_at": interval.end_at, "external_uid": interval.external_uid[:_TEXT_LIMIT],
         "summary": interval.summary[:_TEXT_LIMIT]}
        for interval in result.intervals
    ]
    if rows:
        db.session.execute(sa.insert(BusyBlock), rows)
    source.event_count = result.event_count
    source.last_refreshed_at = now
    source.last_error = ""
    source.last_error_at = None
    db.session.flush()
    db.session.expire(source, ["busy_blocks"])
    return RefreshOutcome(source=source, warnings=list(result.warnings), block_count=len(rows))


def _record_failure(source: CalendarSource, problem: Problem, now: datetime) -> RefreshOutcome:
    source.last_error = json.dumps({"code": problem.code, "params": problem.params}, ensure_ascii=False,
                                   default=str)
    source.last_error_at = now
    db.session.flush()
    return RefreshOutcome(source=source, error=problem)


def _new_source(interviewer: InterviewerProfile, kind: str, name: str, now: datetime, **columns) -> CalendarSource:
    source = CalendarSource(interviewer_id=interviewer.id, kind=kind, name=name, created_at=now, **columns)
    db.session.add(source)
    db.session.flush()
    return source


def _check_allowed(actor: User, interviewer: InterviewerProfile) -> None:
    if not can_manage_availability(actor, interviewer):
        raise CalendarRefused("not_allowed")


def _describe(source: CalendarSource) -> dict:
    # What the audit log keeps: never the full address, never the password.
    return {"kind": source.kind, "name": source.name, "url": shown_address(source.url),
            "username": source.username, "event_count": source.event_count}
