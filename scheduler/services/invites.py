"""Invites: turn interview changes into per-recipient calendar invites in the outbox.

Booking services call one hook per change (`interview_booked`, `interview_rescheduled`,
`interview_cancelled`, `panel_changed`) inside their transaction; each writes one outbox row
per recipient, in that recipient's language, all carrying the interview's UID and SEQUENCE
(DESIGN.md §7). The candidate's copy never names the panel. This module also says how an
interview reads to one recipient (summary, place, local times), which reminders and the
calendar feeds reuse; it knows nothing of reminders.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, gettext

from scheduler import ical
from scheduler.formatting import format_local_datetime, localized
from scheduler.models import Interview, InterviewerProfile
from scheduler.services.emails import (
    CalendarPart, StableId, compose_and_enqueue, organizer_address,
)

BEIJING = "Asia/Shanghai"


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


def everyone(interview: Interview) -> list[Recipient]:
    """Return the candidate and every active panel member as recipients."""
    return [_candidate_recipient(interview),
            *(panel_recipient(a.interviewer) for a in interview.active_assignments)]


def lead_interviewer(interview: Interview) -> InterviewerProfile | None:
    """Return the panel's lead (the first active seat marked lead, else the first active)."""
    active = interview.active_assignments
    lead = next((a for a in active if a.role == "lead"), active[0] if active else None)
    return lead.interviewer if lead else None


def interview_location(interview: Interview, language: str) -> str:
    """Return where the interview happens, as the recipient should read it."""
    mode = interview.stage.mode
    lead = lead_interviewer(interview)
    if interview.location:
        return interview.location
    if mode == "onsite" and lead is not None:
        return localized(lead.office, "address", language)
    if mode == "video":
        return interview.video_url or (lead.video_room_url if lead else "")
    if mode == "phone":
        with force_locale(language):
            return gettext("By phone: we call %(phone)s", phone=interview.application.candidate.phone)
    return ""


def time_lines(interview: Interview, recipient: Recipient) -> list[str]:
    """Return the local-time lines of the description: whose time, and when."""
    lang = recipient.language
    candidate = interview.application.candidate
    with force_locale(lang):
        lines = [gettext("Your time: %(when)s",
                         when=format_local_datetime(interview.start_at, recipient.zone, lang))]
        if recipient.is_candidate:
            if recipient.zone != BEIJING:
                lines.append(gettext("Beijing time: %(when)s",
                                     when=format_local_datetime(interview.start_at, BEIJING, lang)))
            return lines
        lines.append(gettext("Candidate (%(name)s): %(when)s", name=candidate.name,
                             when=format_local_datetime(interview.start_at, candidate.zone, lang)))
    for seat in interview.active_assignments:
        member = seat.interviewer
        lines.append(f"{member.user.name}: "
                     f"{format_local_datetime(interview.start_at, member.effective_zone, lang)}")
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


def _attendees(interview: Interview, recipient: Recipient) -> list[ical.Attendee]:
    candidate = interview.application.candidate
    attendees = [ical.Attendee(candidate.email, candidate.name)]
    if not recipient.is_candidate:
        attendees += [ical.Attendee(a.interviewer.user.email, a.interviewer.user.name)
                      for a in interview.active_assignments]
    return attendees


def invite_event(interview: Interview, recipient: Recipient, *, method: str = "REQUEST",
                 description: str = "", is_uninvite: bool = False) -> ical.InviteEvent:
    """Return what *recipient*'s copy of the interview says, in their language."""
    location = interview_location(interview, recipient.language)
    is_cancelled = (method == "CANCEL" and not is_uninvite) or interview.status == "cancelled"
    return ical.InviteEvent(
        uid=interview.calendar_uid, sequence=interview.sequence,
        start_at=interview.start_at, end_at=interview.end_at,
        summary=summary(interview, recipient), description=description,
        location=location or None,
        organizer_email=organizer_address(),
        organizer_name=current_app.config["ORGANIZER_NAME"],
        attendees=([ical.Attendee(recipient.email, recipient.name)] if is_uninvite
                   else _attendees(interview, recipient)),
        status=ical.STATUS_CANCELLED if is_cancelled else ical.STATUS_CONFIRMED,
    )


def _subject(interview: Interview, recipient: Recipient, method: str, title: str) -> str:
    when = format_local_datetime(interview.start_at, recipient.zone, recipient.language)
    with force_locale(recipient.language):
        if method == "CANCEL":
            return gettext("Cancelled: %(summary)s, %(when)s", summary=title, when=when)
        if interview.sequence > 0:
            return gettext("Updated: %(summary)s, %(when)s", summary=title, when=when)
        return gettext("Invitation: %(summary)s, %(when)s", summary=title, when=when)


def send_invite(interview: Interview, recipient: Recipient, method: str, now: datetime, *,
                is_uninvite: bool = False) -> None:
    """Put one recipient's invite (REQUEST) or cancellation (CANCEL) in the outbox.

    *is_uninvite* marks the CANCEL sent to someone removed from a panel that goes on.
    """
    event = invite_event(interview, recipient, method=method, is_uninvite=is_uninvite)

    def calendar(text_body: str) -> bytes:
        # The calendar's description is the email's text, so both say the same.
        return ical.build_invite(dataclasses.replace(event, description=text_body),
                                 method=method, dtstamp_at=now, is_uninvite=is_uninvite)

    compose_and_enqueue(
        "invite", to_addr=recipient.email, language=recipient.language,
        subject=_subject(interview, recipient, method, event.summary),
        context=dict(interview=interview, recipient=recipient, method=method,
                     summary=event.summary, location=event.location or "",
                     time_lines=time_lines(interview, recipient)),
        stable_id=StableId(interview.calendar_uid, kind=method.lower(),
                           sequence=interview.sequence),
        kind=f"invite_{method.lower()}", now=now, interview_id=interview.id,
        calendar=CalendarPart(method, calendar))


def _send(interview: Interview, recipients: list[Recipient], method: str, now: datetime,
          *, is_uninvite: bool = False) -> None:
    for recipient in recipients:
        send_invite(interview, recipient, method, now, is_uninvite=is_uninvite)


def interview_booked(interview: Interview, *, actor, now: datetime) -> None:
    """Send the first invite to everyone."""
    _send(interview, everyone(interview), "REQUEST", now)


def interview_rescheduled(interview: Interview, *, actor, now: datetime) -> None:
    """Send everyone the updated invite (same UID, higher SEQUENCE)."""
    _send(interview, everyone(interview), "REQUEST", now)


def interview_cancelled(interview: Interview, *, panel: list[InterviewerProfile], actor,
                        now: datetime) -> None:
    """Send the candidate and the panel as it was a CANCEL."""
    recipients = [_candidate_recipient(interview), *(panel_recipient(p) for p in panel)]
    _send(interview, recipients, "CANCEL", now)


def panel_changed(interview: Interview, *, removed: list[InterviewerProfile], actor,
                  now: datetime) -> None:
    """Send a CANCEL to removed interviewers and the update to the panel.

    The candidate's copy does not name the panel, so a panel change does not concern them.
    """
    _send(interview, [panel_recipient(p) for p in removed], "CANCEL", now, is_uninvite=True)
    _send(interview, [panel_recipient(a.interviewer) for a in interview.active_assignments],
          "REQUEST", now)
