"""Invites: turn interview changes into per-recipient calendar invites in the outbox.

Booking services call one hook per change inside their transaction — `interview_booked`,
`interview_changed` (a move, a new panel, a swapped seat: one path for all of them) and
`interview_cancelled` — handing over the interview as it was before (`state_of`, taken before
the change). Each hook decides per recipient what their calendar needs (RFC 5546) and writes one
outbox row per recipient, in that recipient's language, all carrying the interview's UID and
new SEQUENCE (DESIGN.md §7):
- an invitation (REQUEST) to whoever joins, an update (REQUEST) to whoever stays;
- an uninvite to whoever leaves a panel that goes on: a CANCEL of their copy that lists only
  them, without STATUS:CANCELLED, at the time they had;
- a cancellation of the whole event (CANCEL, STATUS:CANCELLED) to the candidate and the panel as
  it was, each copy listing the attendees it listed.
The candidate's copy never names the panel, so the candidate hears of a change only when their
copy changes (its time or place); their email points to a scheduling link only while they hold
one that can change the interview (`candidate_has_link`). A cancellation's email never asks
anyone to add it to their calendar. This module also says how an interview reads to one
recipient (summary, place, local times), which reminders and the calendar feeds reuse; it knows
nothing of reminders.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy.orm import joinedload, lazyload

from scheduler import ical
from scheduler.extensions import db
from scheduler.formatting import format_local_datetime, localized
from scheduler.models import (
    Interview, InterviewerAssignment, InterviewerProfile, SchedulingLink, User,
)
from scheduler.services.emails import (
    CalendarPart, StableId, compose_and_enqueue, organizer_address,
)

BEIJING = "Asia/Shanghai"
# The stage kind whose panel calls the candidate: the one whose panel reads their number.
PHONE_SCREEN = "phone_screen"

# What one message tells its recipient: the first two are REQUESTs, the last two CANCELs.
INVITATION, UPDATE, CANCELLATION, REMOVAL = "invitation", "update", "cancellation", "removal"
_METHODS = {INVITATION: ical.METHOD_REQUEST, UPDATE: ical.METHOD_REQUEST,
            CANCELLATION: ical.METHOD_CANCEL, REMOVAL: ical.METHOD_CANCEL}


@dataclass(frozen=True)
class InterviewState:
    """An interview as its invites describe it at one moment: its time and its panel's seats.

    Booking takes one with `state_of` before it changes an interview and hands it to the hook,
    which compares it with the interview afterwards (seats are only read for their person and
    role, which a change leaves alone).
    """

    start_at: datetime
    end_at: datetime
    seats: tuple[InterviewerAssignment, ...]


def state_of(interview: Interview) -> InterviewState:
    """Return the interview's time and active seats as they are now."""
    return InterviewState(interview.start_at, interview.end_at,
                          tuple(interview.active_assignments))


@dataclass(frozen=True)
class Recipient:
    """One person a mail about an interview goes to, read in their language and zone."""

    email: str
    name: str
    language: str
    zone: str
    is_candidate: bool


def _candidate_recipient(interview: Interview) -> Recipient:
    c = interview.application.candidate
    return Recipient(c.email, c.name, c.language, c.zone, True)


def panel_recipient(profile: InterviewerProfile) -> Recipient:
    """Return a panel member as a recipient, in their language and zone."""
    u = profile.user
    return Recipient(u.email, u.name, u.language, profile.effective_zone, False)


def _read_people(*states: InterviewState) -> list[InterviewerProfile]:
    """Read the seats' people (profile, account and office) in one statement, before each
    recipient's mail asks for them one by one; the caller holds the list while it writes (the
    session keeps only objects something refers to)."""
    ids = {seat.interviewer_id for state in states for seat in state.seats}
    if not ids:
        return []
    return db.session.scalars(
        sa.select(InterviewerProfile).where(InterviewerProfile.id.in_(ids)).options(
            joinedload(InterviewerProfile.user).options(lazyload(User.role_rows)),
            joinedload(InterviewerProfile.office))).all()


def everyone(interview: Interview) -> list[Recipient]:
    """Return the candidate and every active panel member as recipients."""
    return [_candidate_recipient(interview),
            *(panel_recipient(a.interviewer) for a in interview.active_assignments)]


def lead_interviewer(interview: Interview, state: InterviewState | None = None
                     ) -> InterviewerProfile | None:
    """Return the panel's lead (the first seat marked lead, else the first seat) of the
    interview now, or as *state* describes it."""
    seats = (state or state_of(interview)).seats
    lead = next((a for a in seats if a.role == "lead"), seats[0] if seats else None)
    return lead.interviewer if lead else None


def interview_location(interview: Interview, language: str,
                       state: InterviewState | None = None, *, is_candidate: bool = True) -> str:
    """Return where the interview happens (now, or as *state* describes it), as the recipient
    should read it: the candidate, or (*is_candidate* false) a panel member, who reads the
    candidate's number only on a phone screen (least access, permissions.can_see_candidate_phone).
    """
    mode = interview.stage.mode
    lead = lead_interviewer(interview, state)
    if interview.location:
        return interview.location
    if mode == "onsite" and lead is not None:
        return localized(lead.office, "address", language)
    if mode == "video":
        return join_url(interview, state)
    if mode == "phone":
        with force_locale(language):
            if not is_candidate and interview.stage.kind != PHONE_SCREEN:
                return gettext("By phone: the coordinator gives you the number to call")
            return gettext("By phone: we call %(phone)s", phone=interview.application.candidate.phone)
    return ""


def join_url(interview: Interview, state: InterviewState | None = None) -> str:
    """Return the video call's address: the one booked with the interview, else the lead
    interviewer's own room ("" when neither is set)."""
    lead = lead_interviewer(interview, state)
    return interview.video_url or (lead.video_room_url if lead else "")


def time_lines(interview: Interview, recipient: Recipient,
               state: InterviewState | None = None) -> list[str]:
    """Return the local-time lines of the description: whose time, and when (now, or as
    *state* describes the interview)."""
    state = state or state_of(interview)
    start_at = state.start_at
    lang = recipient.language
    candidate = interview.application.candidate
    with force_locale(lang):
        lines = [gettext("Your time: %(when)s",
                         when=format_local_datetime(start_at, recipient.zone, lang))]
        if recipient.is_candidate:
            if recipient.zone != BEIJING:
                lines.append(gettext("Beijing time: %(when)s",
                                     when=format_local_datetime(start_at, BEIJING, lang)))
            return lines
        lines.append(gettext("Candidate (%(name)s): %(when)s", name=candidate.name,
                             when=format_local_datetime(start_at, candidate.zone, lang)))
    for seat in state.seats:
        member = seat.interviewer
        lines.append(f"{member.user.name}: "
                     f"{format_local_datetime(start_at, member.effective_zone, lang)}")
    return lines


def summary(interview: Interview, recipient: Recipient) -> str:
    """Return the event title as *recipient* reads it (the candidate's names no panel)."""
    language = recipient.language
    stage = localized(interview.stage, "name", language)
    with force_locale(language):
        if recipient.is_candidate:
            role = localized(interview.application.requisition, "title", language)
            return gettext("Interview: %(stage)s (%(role)s)", stage=stage, role=role)
        return gettext("Interview: %(stage)s with %(candidate)s", stage=stage,
                       candidate=interview.application.candidate.name)


def _attendees(interview: Interview, recipient: Recipient,
               state: InterviewState) -> list[ical.Attendee]:
    """Return whom *recipient*'s copy lists: the candidate alone on theirs; the panel on a panel
    member's, without the candidate, whose email address interviewers do not receive (least
    access, DESIGN.md §7: the summary and description name the candidate)."""
    if recipient.is_candidate:
        candidate = interview.application.candidate
        return [ical.Attendee(candidate.email, candidate.name)]
    return [ical.Attendee(a.interviewer.user.email, a.interviewer.user.name)
            for a in state.seats]


def invite_event(interview: Interview, recipient: Recipient, *, method: str = "REQUEST",
                 description: str = "", is_uninvite: bool = False,
                 state: InterviewState | None = None) -> ical.InviteEvent:
    """Return what *recipient*'s copy of the interview says, in their language.

    *state* is the time and panel the copy describes: the interview now by default; a
    cancellation's copy describes the panel as it was, an uninvite the time its recipient had.
    An uninvite lists only its recipient (RFC 5546 §3.2.5).
    """
    state = state or state_of(interview)
    location = interview_location(interview, recipient.language, state,
                                  is_candidate=recipient.is_candidate)
    is_cancelled = (method == "CANCEL" and not is_uninvite) or interview.status == "cancelled"
    return ical.InviteEvent(
        uid=interview.calendar_uid, sequence=interview.sequence,
        start_at=state.start_at, end_at=state.end_at,
        summary=summary(interview, recipient), description=description,
        location=location or None,
        organizer_email=organizer_address(),
        organizer_name=current_app.config["ORGANIZER_NAME"],
        attendees=([ical.Attendee(recipient.email, recipient.name)] if is_uninvite
                   else _attendees(interview, recipient, state)),
        status=ical.STATUS_CANCELLED if is_cancelled else ical.STATUS_CONFIRMED,
    )


def _subject(recipient: Recipient, kind: str, title: str, state: InterviewState) -> str:
    when = format_local_datetime(state.start_at, recipient.zone, recipient.language)
    with force_locale(recipient.language):
        if kind == CANCELLATION:
            return gettext("Cancelled: %(summary)s, %(when)s", summary=title, when=when)
        if kind == REMOVAL:
            return gettext("No longer on the panel: %(summary)s, %(when)s", summary=title,
                           when=when)
        if kind == UPDATE:
            return gettext("Updated: %(summary)s, %(when)s", summary=title, when=when)
        return gettext("Invitation: %(summary)s, %(when)s", summary=title, when=when)


def candidate_has_link(interview: Interview, now: datetime) -> bool:
    """Tell whether the candidate holds a live scheduling link for the interview's stage, one
    through which they can move or cancel it.

    That is a link of the application for the stage, not revoked, which booked this interview
    (or its loop) — or which the candidate is booking through right now: a link not yet marked
    booked and still open for picking, when no staff member booked the interview. A link sent
    but left unused while a coordinator booked the stage changes nothing, so it does not count.
    """
    links = db.session.scalars(sa.select(SchedulingLink).where(
        SchedulingLink.application_id == interview.application_id,
        SchedulingLink.revoked_at.is_(None))).all()
    for link in links:
        if interview.stage_id not in (link.stage_ids or []):
            continue
        if link.booked_at is not None:
            if link.interview_id == interview.id or (
                    link.booking_group_id is not None
                    and link.booking_group_id == interview.booking_group_id):
                return True
        elif (interview.booked_by_id is None and link.expired_at is None
              and link.expires_at > now):
            return True
    return False


def _send_invite(interview: Interview, recipient: Recipient, kind: str, now: datetime,
                 state: InterviewState) -> None:
    """Put one recipient's message of *kind* about the interview (as *state* describes it) in
    the outbox."""
    method = _METHODS[kind]
    is_uninvite = kind == REMOVAL
    event = invite_event(interview, recipient, method=method, is_uninvite=is_uninvite,
                         state=state)

    def calendar(text_body: str) -> bytes:
        # The calendar's description is the email's text, so both say the same.
        return ical.build_invite(dataclasses.replace(event, description=text_body),
                                 method=method, dtstamp_at=now, is_uninvite=is_uninvite)

    has_link = (recipient.is_candidate and method == ical.METHOD_REQUEST
                and candidate_has_link(interview, now))
    compose_and_enqueue(
        "invite", to_addr=recipient.email, language=recipient.language,
        subject=_subject(recipient, kind, event.summary, state),
        context=dict(interview=interview, recipient=recipient, method=method, kind=kind,
                     summary=event.summary, location=event.location or "",
                     time_lines=time_lines(interview, recipient, state), has_link=has_link),
        stable_id=StableId(interview.calendar_uid, kind=method.lower(),
                           sequence=interview.sequence),
        kind=f"invite_{method.lower()}", now=now, interview_id=interview.id,
        calendar=CalendarPart(method, calendar))


def interview_booked(interview: Interview, *, actor, now: datetime) -> None:
    """Send the first invite to everyone."""
    state = state_of(interview)
    people = _read_people(state)  # noqa: F841 (held while the mails are written)
    for recipient in everyone(interview):
        _send_invite(interview, recipient, INVITATION, now, state)


def interview_changed(interview: Interview, *, before: InterviewState, actor,
                      now: datetime) -> None:
    """Tell each person what a change to a live interview (time, panel or both) means for
    their calendar; *before* is `state_of` the interview before the change.

    Whoever left the panel gets an uninvite for the copy they had, whoever stayed an update,
    whoever joined an invitation, and the candidate an update when their copy (time or place)
    changed. Rescheduling, a candidate's move through the link and a seat swap all come here.
    """
    after = state_of(interview)
    people = _read_people(before, after)  # noqa: F841 (held while the mails are written)
    before_ids = {seat.interviewer_id for seat in before.seats}
    after_ids = {seat.interviewer_id for seat in after.seats}
    candidate = _candidate_recipient(interview)

    def candidate_copy(state: InterviewState) -> tuple:
        return (state.start_at, state.end_at,
                interview_location(interview, candidate.language, state))

    if candidate_copy(before) != candidate_copy(after):
        _send_invite(interview, candidate, UPDATE, now, after)
    for seat in before.seats:
        if seat.interviewer_id not in after_ids:
            _send_invite(interview, panel_recipient(seat.interviewer), REMOVAL, now, before)
    for seat in after.seats:
        kind = UPDATE if seat.interviewer_id in before_ids else INVITATION
        _send_invite(interview, panel_recipient(seat.interviewer), kind, now, after)


def interview_cancelled(interview: Interview, *, before: InterviewState, actor,
                        now: datetime) -> None:
    """Send the candidate and the panel as it was (*before*, taken before its seats were
    freed) the whole event's CANCEL, each copy listing the attendees it listed."""
    people = _read_people(before)  # noqa: F841 (held while the mails are written)
    for recipient in [_candidate_recipient(interview),
                      *(panel_recipient(seat.interviewer) for seat in before.seats)]:
        _send_invite(interview, recipient, CANCELLATION, now, before)
