"""Candidate scheduling links: create, send, resend, revoke, open, expire; proposals.

A link is a capability (DESIGN.md §10): 32 random bytes, URL-safe, shown only in the email to
the candidate; only its SHA-256 hash is stored. It is scoped to one application and an ordered
list of stages (several stages are a loop, booked back to back with a break). The expiry applies
to picking a time; once booked, the link stays valid for rescheduling and cancelling until the
stage's cutoff, shows the booking until the interview is over, and is dead afterwards.

What a coordinator sees as the link's state:
- ``sent``: emailed, not opened yet; ``opened``: the candidate has looked;
- ``booked``: a time is booked through it (or ``cancelled`` once that booking was cancelled);
- ``expired``: the picking window passed with nothing booked; ``revoked``: turned off.

Candidate actions are audited with the actor label "candidate link <id>"; booking, moving and
cancelling through a link is scheduler/services/link_booking.py. A link is for the application's
current stage alone or for the opening's loop from it (`stages_for_link`; `create_link` refuses
any other set), and is refused for stages that could not be booked now by the booking service's
one rule (`booking_refusal`). Services flush; the caller commits.
"""
from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from sqlalchemy.orm import joinedload

from scheduler.extensions import db
from scheduler.formatting import format_local_datetime, localized
from scheduler.models import Application, Interview, SchedulingLink, StageTemplate, User
from scheduler.services import booking, notices
from scheduler.services.audit import record_event
from scheduler.services.emails import (
    StableId, company_name, compose_and_enqueue, external_url, organizer_address,
)
from scheduler.services.errors import N_, ServiceError
from scheduler.services.feeds import token_hash
from scheduler.services.permissions import check_sees_application

log = logging.getLogger("scheduler.links")

SENT, OPENED, BOOKED, CANCELLED, EXPIRED, REVOKED = (
    "sent", "opened", "booked", "cancelled", "expired", "revoked")
LINK_STATES = (SENT, OPENED, BOOKED, CANCELLED, EXPIRED, REVOKED)

DEFAULT_VALID_DAYS = 7
MAX_BREAK_MINUTES = 240
MAX_NOTE_LENGTH = 2000
MAX_PROPOSALS = 3
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet, no padding.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class LinkError(ServiceError):
    """A link was refused: sending or resending one (the coordinator reads why, a stage by its
    `stage_id`, named by the web layer as `stage`), or the candidate's "none of these work"."""

    messages = {
        # The booking rule's refusals (services/booking.py `booking_refusal`), for a link.
        "application_closed": N_("This application is closed: no link can be sent."),
        "no_stages": N_("This application has no current stage to send a link for."),
        "repeated_stage": N_("Choose each stage once."),
        "stage_not_schedulable": N_("%(stage)s is not booked as an interview."),
        "already_booked": N_("%(stage)s is already booked: reschedule that interview instead."),
        "no_loop": N_("The opening has no loop starting at this application's current stage: "
                      "send a link for the current stage."),
        "not_stage_or_loop": N_("A link is for the current stage alone, or for the opening's "
                                "loop from it."),
        "bad_break": N_("The break can be 0 to %(max)d minutes."),
        "expiry_in_past": N_("The link must stay valid for at least a day."),
        "revoked": N_("A revoked link cannot be sent again: send a new one."),
        "proposal_empty": N_("Propose at least one time, or write a note."),
        "too_many_proposals": N_("Propose at most %(max)d times."),
        "proposal_in_past": N_("The times you propose must be in the future."),
        "note_too_long": N_("Use at most %(max)d characters."),
    }


def actor_label(link: SchedulingLink) -> str:
    """Return the audit actor for what the candidate does through *link*."""
    return f"candidate link {link.id}"


# --- creating and sending ---------------------------------------------------------------------


def create_link(actor: User, application: Application, stages: list[StageTemplate],
                break_minutes: int, expires_at: datetime, now: datetime
                ) -> tuple[SchedulingLink, str]:
    """Make a link for *stages* of *application*, email it, and return (link, token)."""
    check_sees_application(actor, application)
    stages = list(stages)
    _check_scope(application, stages, break_minutes, expires_at, now)
    token = secrets.token_urlsafe(32)
    link = SchedulingLink(
        token_hash=token_hash(token), application_id=application.id,
        stage_ids=[s.id for s in stages], break_minutes=break_minutes if len(stages) > 1 else 0,
        expires_at=expires_at, created_at=now,
        created_by_id=actor.id if isinstance(actor, User) else None,
        candidate_note="", last_sent_at=now,
    )
    link.application = application
    db.session.add(link)
    db.session.flush()
    record_event(actor, "link.created", link, now=now, after={
        "stage_ids": link.stage_ids, "break_minutes": link.break_minutes,
        "expires_at": expires_at.isoformat(), "to": application.candidate.email})
    send_link_email(link, token, now)
    return link, token


def stages_for_link(application: Application, *, as_loop: bool) -> list[StageTemplate]:
    """Return the stages a new link offers: the opening's loop from the application's current
    stage when *as_loop* (refused when there is none), else the current stage alone."""
    if as_loop and not booking.loop_stages(application):
        raise LinkError("no_loop", "scope")
    return booking.stages_to_book(application, as_loop=as_loop)


def send_current_stage_link(actor: User | str, application: Application, now: datetime
                            ) -> tuple[SchedulingLink, str]:
    """Email the candidate a working link for the application's current stage and return
    (link, token): a new token for the live link that already holds that stage (as "Resend"
    does; the old token stops working), else a new link for the stage alone (as "Send link"
    does). Audited either way; refused as those are."""
    held = next((link for link in links_for_application(application)
                 if link.revoked_at is None and application.current_stage_id in link.stage_ids),
                None)
    if held is not None:
        return held, resend_link(actor, held, now)
    return create_link(actor, application, stages_for_link(application, as_loop=False), 0,
                       now + timedelta(days=DEFAULT_VALID_DAYS), now)


def _check_scope(application: Application, stages: list[StageTemplate], break_minutes: int,
                 expires_at: datetime, now: datetime) -> None:
    refusal = booking.booking_refusal(application, stages)
    if refusal is not None:
        # The booking rule's own codes and parameters (a stage by its id).
        raise LinkError(refusal.code, "scope", **refusal.params)
    allowed = ([application.current_stage_id], [s.id for s in booking.loop_stages(application)])
    if [stage.id for stage in stages] not in allowed:
        raise LinkError("not_stage_or_loop", "scope")
    if not 0 <= break_minutes <= MAX_BREAK_MINUTES:
        raise LinkError("bad_break", "break_minutes", max=MAX_BREAK_MINUTES)
    if expires_at <= now:
        raise LinkError("expiry_in_past", "valid_days")


def send_link_email(link: SchedulingLink, token: str, now: datetime):
    """Put the link email in the outbox, in the candidate's language and zone."""
    candidate = link.application.candidate
    stages = link_stages(link)
    language = candidate.language
    role = localized(link.application.requisition, "title", language)
    with force_locale(language):
        stage_names = gettext(", ").join(localized(s, "name", language) for s in stages)
        subject = (gettext("Your interview for %(role)s: view, change or cancel", role=role)
                   if link.booked_at is not None else
                   gettext("Choose a time for your interview: %(stages)s (%(role)s)",
                           stages=stage_names, role=role))
    return compose_and_enqueue(
        "link", to_addr=candidate.email, language=language, subject=subject,
        context=dict(
            candidate=candidate, role=role, stages=stages, stage_names=stage_names,
            company=company_name(), url=external_url("candidate.page", token=token),
            is_booked=link.booked_at is not None, break_minutes=link.break_minutes,
            language=language, contact=organizer_address(),
            expires=format_local_datetime(link.expires_at, candidate.zone, language)),
        # One id per token: a resend is a new message, a retry of the same row is not.
        stable_id=StableId(f"link-{link.id}-{link.token_hash}", kind="link"),
        kind="scheduling_link", now=now, reply_to=organizer_address())


def resend_link(actor: User, link: SchedulingLink, now: datetime) -> str:
    """Email a new token for *link* (the old one stops working); return the new token.

    An unbooked link whose picking window has passed gets a new one as long as its first
    (at least a day).
    """
    check_sees_application(actor, link.application)
    if link.revoked_at is not None:
        raise LinkError("revoked")
    before = {"expires_at": link.expires_at.isoformat()}
    token = secrets.token_urlsafe(32)
    link.token_hash = token_hash(token)
    if link.booked_at is None and (link.expired_at is not None or link.expires_at <= now):
        link.expires_at = now + max(link.expires_at - link.created_at, timedelta(days=1))
        link.expired_at = None
    link.last_sent_at = now
    db.session.flush()
    record_event(actor, "link.resent", link, now=now, before=before,
                 after={"expires_at": link.expires_at.isoformat()})
    send_link_email(link, token, now)
    return token


def revoke_link(actor: User, link: SchedulingLink, now: datetime) -> None:
    """Turn the link off; a booked interview stays booked."""
    check_sees_application(actor, link.application)
    if link.revoked_at is not None:
        return
    link.revoked_at = now
    record_event(actor, "link.revoked", link, now=now)
    db.session.flush()


def expire_links(now: datetime) -> dict:
    """Mark unbooked links whose picking window has passed as expired (the job)."""
    links = db.session.scalars(sa.select(SchedulingLink).where(
        SchedulingLink.revoked_at.is_(None), SchedulingLink.expired_at.is_(None),
        SchedulingLink.booked_at.is_(None), SchedulingLink.expires_at <= now)).all()
    for link in links:
        link.expired_at = now
        record_event("job", "link.expired", link, now=now)
    db.session.flush()
    return {"expired": len(links)}


# --- reading a link ---------------------------------------------------------------------------


def link_stages(link: SchedulingLink) -> list[StageTemplate]:
    """Return the link's stages in the link's order."""
    rows = {s.id: s for s in db.session.scalars(
        sa.select(StageTemplate).where(StageTemplate.id.in_(link.stage_ids)))}
    return [rows[i] for i in link.stage_ids if i in rows]


def link_interviews(link: SchedulingLink) -> list[Interview]:
    """Return the interviews booked through the link (a loop's in order), whatever their status."""
    if link.booking_group_id is not None:
        return db.session.scalars(sa.select(Interview).where(
            Interview.booking_group_id == link.booking_group_id).order_by(Interview.start_at)).all()
    if link.interview_id is not None:
        return [db.session.get(Interview, link.interview_id)]
    return []


def live_interviews(link: SchedulingLink) -> list[Interview]:
    """Return the scheduled interviews booked through the link (a loop's in order)."""
    return [i for i in link_interviews(link) if i.status == Interview.SCHEDULED]


def link_state(link: SchedulingLink, now: datetime) -> str:
    """Return what the coordinator sees: sent, opened, booked, cancelled, expired or revoked."""
    if link.revoked_at is not None:
        return REVOKED
    if link.booked_at is not None:
        return BOOKED if live_interviews(link) else CANCELLED
    if link.expired_at is not None or link.expires_at <= now:
        return EXPIRED
    return OPENED if link.first_opened_at is not None else SENT


def _refusal(link: SchedulingLink | None, token: str, now: datetime) -> str | None:
    """Return why *token* opens nothing (malformed, unknown, revoked, expired, closed, over)."""
    if not _TOKEN_SHAPE.fullmatch(token or ""):
        return "malformed"
    if link is None:
        return "unknown"
    if link.revoked_at is not None:
        return "revoked"
    if link.booked_at is None:
        if link.expired_at is not None or link.expires_at <= now:
            return "expired"
        # A rejected or withdrawn candidate's unused link offers nothing to pick.
        return "closed" if not link.application.is_open_for_booking else None
    interviews = link_interviews(link)
    if not interviews or max(i.end_at for i in interviews) <= now:
        return "over"
    return None


def open_link(token: str, now: datetime) -> SchedulingLink | None:
    """Return the live link for *token*, or None (the refusal is logged, never shown)."""
    is_well_formed = bool(_TOKEN_SHAPE.fullmatch(token or ""))
    digest = token_hash(token) if is_well_formed else ""
    # With its application and candidate, which every link page reads: one statement.
    link = db.session.scalar(sa.select(SchedulingLink).where(
        SchedulingLink.token_hash == digest).options(
        joinedload(SchedulingLink.application).joinedload(Application.candidate))
    ) if is_well_formed else None
    reason = _refusal(link, token, now)
    if reason is not None:
        # A prefix of the hash is enough to match log lines to a link; never log the token.
        log.warning("scheduling link refused: %s (hash %s, link %s)", reason,
                    digest[:12] or "-", link.id if link else "-")
        return None
    return link


def mark_opened(link: SchedulingLink, now: datetime) -> bool:
    """Record the first time the candidate opened the link; tell whether this was it."""
    if link.first_opened_at is not None:
        return False
    link.first_opened_at = now
    record_event(actor_label(link), "link.opened", link, now=now)
    db.session.flush()
    return True


@dataclass(frozen=True)
class Proposal:
    """What the candidate wrote when none of the times work."""

    times: tuple[datetime, ...]
    note: str
    sent_at: datetime


def proposal(link: SchedulingLink) -> Proposal | None:
    """Return the candidate's latest "none of these work" message, if any."""
    if link.candidate_note_at is None:
        return None
    times = tuple(datetime.fromisoformat(t) for t in (link.proposed_times or []))
    return Proposal(times, link.candidate_note, link.candidate_note_at)


def none_of_these_work(link: SchedulingLink, times: list[datetime], note: str,
                       now: datetime) -> None:
    """Record the candidate's proposed times or note, and tell the opening's coordinators."""
    note = (note or "").strip()
    times = sorted(set(times))
    if not times and not note:
        raise LinkError("proposal_empty")
    if len(times) > MAX_PROPOSALS:
        raise LinkError("too_many_proposals", max=MAX_PROPOSALS)
    if any(t <= now for t in times):
        raise LinkError("proposal_in_past")
    if len(note) > MAX_NOTE_LENGTH:
        raise LinkError("note_too_long", "note", max=MAX_NOTE_LENGTH)
    link.proposed_times = [t.isoformat() for t in times]
    link.candidate_note = note
    link.candidate_note_at = now
    record_event(actor_label(link), "link.none_work", link, now=now,
                 after={"proposed_times": link.proposed_times}, note=note)
    db.session.flush()
    notices.candidate_proposed(link, link_stages(link), times, note, now)


def links_for_application(application: Application) -> list[SchedulingLink]:
    """Return the application's links, newest first."""
    return db.session.scalars(sa.select(SchedulingLink).where(
        SchedulingLink.application_id == application.id)
        .order_by(SchedulingLink.created_at.desc(), SchedulingLink.id.desc())).all()
