"""Notifications: turn interview changes into per-recipient invites and reminders in the outbox.

Booking services call one hook per change (`interview_booked`, `interview_rescheduled`,
`interview_cancelled`, `panel_changed`) inside their transaction; each writes one outbox row
per recipient, in that recipient's language, all carrying the interview's UID and SEQUENCE
(DESIGN.md §7). The candidate's copy never names the panel.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from scheduler import ical
from scheduler.i18n import format_local_datetime, localized
from scheduler.mail import build_message, make_message_id
from scheduler.models import Interview, InterviewerProfile, Reminder

BEIJING = "Asia/Shanghai"


@dataclass(frozen=True)
class Recipient:
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


def _time_lines(interview: Interview, recipient: Recipient) -> list[str]:
    """Return the local-time lines of the description: whose time, and when."""
    lang = recipient.language
    candidate = interview.application.candidate
    lines = [gettext("Your time: %(when)s", when=format_local_datetime(interview.start_at, recipient.zone, lang))]
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


def _attendees(interview: Interview, recipient: Recipient) -> list[ical.Attendee]:
    candidate = interview.application.candidate
    attendees = [ical.Attendee(candidate.email, candidate.name)]
    if not recipient.is_candidate:
        attendees += [ical.Attendee(a.interviewer.user.email, a.interviewer.user.name)
                      for a in interview.active_assignments]
    return attendees


def _summary(interview: Interview, recipient: Recipient) -> str:
    """Return the event title as *recipient* reads it (the candidate's names no panel)."""
    stage = localized(interview.stage, "name", recipient.language)
    if recipient.is_candidate:
        role = localized(interview.application.requisition, "title", recipient.language)
        return gettext("Interview: %(stage)s (%(role)s)", stage=stage, role=role)
    return gettext("Interview: %(stage)s with %(candidate)s", stage=stage,
                   candidate=interview.application.candidate.name)


def _subject(interview: Interview, recipient: Recipient, method: str, summary: str) -> str:
    when = format_local_datetime(interview.start_at, recipient.zone, recipient.language)
    if method == "CANCEL":
        return gettext("Cancelled: %(summary)s, %(when)s", summary=summary, when=when)
    if interview.sequence > 0:
        return gettext("Updated: %(summary)s, %(when)s", summary=summary, when=when)
    return gettext("Invitation: %(summary)s, %(when)s", summary=summary, when=when)


def _mail_domain() -> str:
    return current_app.config["ORGANIZER_EMAIL"].rsplit("@", 1)[-1]


def invite_event(interview: Interview, recipient: Recipient, *, method: str = "REQUEST",
                 description: str = "", is_uninvite: bool = False) -> ical.InviteEvent:
    """Return what *recipient*'s copy of the interview says (call inside their locale)."""
    summary = _summary(interview, recipient)
    location = interview_location(interview, recipient.language)
    is_cancelled = (method == "CANCEL" and not is_uninvite) or interview.status == "cancelled"
    return ical.InviteEvent(
        uid=interview.calendar_uid, sequence=interview.sequence,
        start_at=interview.start_at, end_at=interview.end_at, summary=summary,
        description=description, location=location or None,
        organizer_email=current_app.config["ORGANIZER_EMAIL"],
        organizer_name=current_app.config["ORGANIZER_NAME"],
        attendees=([ical.Attendee(recipient.email, recipient.name)] if is_uninvite
                   else _attendees(interview, recipient)),
        status=ical.STATUS_CANCELLED if is_cancelled else ical.STATUS_CONFIRMED,
    )


def build_invite_message(interview: Interview, recipient: Recipient, method: str,
                         now: datetime, *, is_uninvite: bool = False) -> EmailMessage:
    """Return one recipient's invite (REQUEST) or cancellation (CANCEL), in their language.

    *is_uninvite* marks the CANCEL sent to someone removed from a panel that goes on.
    """
    with force_locale(recipient.language):
        event = invite_event(interview, recipient, method=method, is_uninvite=is_uninvite)
        subject = _subject(interview, recipient, method, event.summary)
        context = dict(interview=interview, recipient=recipient, method=method,
                       summary=event.summary, location=event.location or "",
                       time_lines=_time_lines(interview, recipient))
        text_body = render_template("emails/invite.txt", **context)
        html_body = render_template("emails/invite.html", **context)
    # The calendar's description is the email's text, so both say the same.
    event = dataclasses.replace(event, description=text_body)
    return build_message(
        from_addr=_from_header(), to_addr=recipient.email, subject=subject,
        text_body=text_body, html_body=html_body,
        message_id=make_message_id(interview.calendar_uid, interview.sequence, recipient.email,
                                   _mail_domain(), kind=method.lower()),
        ics_bytes=ical.build_invite(event, method=method, dtstamp_at=now,
                                    is_uninvite=is_uninvite), method=method,
        date_at=now,
    )


def _from_header() -> str:
    from email.utils import formataddr

    return formataddr((current_app.config["ORGANIZER_NAME"], current_app.config["ORGANIZER_EMAIL"]))


def _send(interview: Interview, recipients: list[Recipient], method: str, now: datetime,
          *, is_uninvite: bool = False) -> None:
    from scheduler.services.outbox import enqueue_email

    for recipient in recipients:
        message = build_invite_message(interview, recipient, method, now, is_uninvite=is_uninvite)
        enqueue_email(message, kind=f"invite_{method.lower()}", now=now, interview_id=interview.id)


def everyone(interview: Interview) -> list[Recipient]:
    """Return the candidate and every active panel member as recipients."""
    return [_candidate_recipient(interview),
            *(panel_recipient(a.interviewer) for a in interview.active_assignments)]


def interview_booked(interview: Interview, *, actor, now: datetime) -> None:
    """Send the first invite to everyone and set up reminders."""
    from scheduler.services.reminders import schedule_reminders

    _send(interview, everyone(interview), "REQUEST", now)
    schedule_reminders(interview, now)


def interview_rescheduled(interview: Interview, *, actor, now: datetime) -> None:
    """Send everyone the updated invite (same UID, higher SEQUENCE) and move reminders."""
    from scheduler.services.reminders import schedule_reminders

    _send(interview, everyone(interview), "REQUEST", now)
    schedule_reminders(interview, now)


def interview_cancelled(interview: Interview, *, panel: list[InterviewerProfile], actor,
                        now: datetime) -> None:
    """Send the candidate and the panel as it was a CANCEL; drop unsent reminders."""
    from scheduler.services.reminders import drop_reminders

    recipients = [_candidate_recipient(interview), *(panel_recipient(p) for p in panel)]
    _send(interview, recipients, "CANCEL", now)
    drop_reminders(interview)


def panel_changed(interview: Interview, *, removed: list[InterviewerProfile], actor,
                  now: datetime) -> None:
    """Send a CANCEL to removed interviewers and the update to the panel.

    The candidate's copy does not name the panel, so a panel change does not concern them.
    """
    from scheduler.services.reminders import schedule_reminders

    _send(interview, [panel_recipient(p) for p in removed], "CANCEL", now, is_uninvite=True)
    _send(interview, [panel_recipient(a.interviewer) for a in interview.active_assignments],
          "REQUEST", now)
    schedule_reminders(interview, now)


def build_reminder_message(reminder: Reminder, now: datetime) -> EmailMessage:
    """Return the reminder email for one recipient of one interview."""
    interview = reminder.interview
    recipient = next((r for r in everyone(interview) if r.email == reminder.recipient), None)
    if recipient is None:
        raise LookupError(f"{reminder.recipient} is no longer on interview {interview.id}")
    with force_locale(recipient.language):
        summary = _summary(interview, recipient)
        when = format_local_datetime(interview.start_at, recipient.zone, recipient.language)
        subject = (gettext("Tomorrow: %(summary)s, %(when)s", summary=summary, when=when)
                   if reminder.kind == "24h" else
                   gettext("In one hour: %(summary)s, %(when)s", summary=summary, when=when))
        context = dict(interview=interview, recipient=recipient, summary=summary, when=when,
                       location=interview_location(interview, recipient.language),
                       time_lines=_time_lines(interview, recipient))
        text_body = render_template("emails/reminder.txt", **context)
        html_body = render_template("emails/reminder.html", **context)
    return build_message(
        from_addr=_from_header(), to_addr=recipient.email, subject=subject,
        text_body=text_body, html_body=html_body,
        message_id=make_message_id(interview.calendar_uid, interview.sequence, recipient.email,
                                   _mail_domain(), kind=f"reminder-{reminder.kind}"),
        date_at=now,
    )
