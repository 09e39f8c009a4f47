"""Feedback nudges (DESIGN.md §8, §9): two reminder kinds that keep feedback on time.

"feedback_due" goes to each author (every active panel member and a coding test's reviewer) when
their feedback falls due, the stage's `feedback_due_hours` after the interview ends (24 when the
stage leaves it empty). "feedback_overdue" goes FEEDBACK_OVERDUE_AFTER later to each author who
still has not submitted, and to the opening's coordinators (`openings.coordinators_to_tell`),
naming who is missing.

They are entries in `reminders.REMINDER_KINDS`, so they are created at booking, moved by a
reschedule or a panel change, dropped by a cancellation or a no-show, and claimed once by the
job like any reminder. Submitting feedback needs no step of its own: the recipients below are
only the authors still owing, so an author who has submitted (and the coordinators, once every
author has) is skipped when the reminder comes due, in the claim's transaction. A stage without
a rubric takes no feedback, so its interviews get no nudges.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale, gettext

from scheduler.formatting import format_local_datetime
from scheduler.models import Interview, InterviewerProfile, OutboxMessage, User
from scheduler.services import invites
from scheduler.services.emails import StableId, compose_and_enqueue, external_url
from scheduler.services.feedback import author_statuses, feedback_due_after, feedback_due_at
from scheduler.services.invites import Recipient
from scheduler.services.openings import coordinators_to_tell

DUE, OVERDUE = "feedback_due", "feedback_overdue"
# A day after the due time: long enough for an author who is merely late to finish without the
# coordinators being told, short enough that a decision is not held up for days unnoticed.
FEEDBACK_OVERDUE_AFTER = timedelta(hours=24)


def due_offset(interview: Interview) -> timedelta:
    """Return how long after *interview* ends its feedback falls due."""
    return feedback_due_after(interview.stage)


def overdue_offset(interview: Interview) -> timedelta:
    """Return how long after *interview* ends its missing feedback is overdue."""
    return feedback_due_after(interview.stage) + FEEDBACK_OVERDUE_AFTER


def missing_authors(interview: Interview) -> list[InterviewerProfile]:
    """Return the authors of *interview* who have not submitted their feedback (none when its
    stage takes no feedback)."""
    if interview.stage.rubric_id is None:
        return []
    return [status.profile for status in author_statuses(interview)
            if status.feedback is None or not status.feedback.is_submitted]


def _staff_recipient(user: User) -> Recipient:
    return Recipient(user.email, user.name, user.language, user.zone, False)


def authors_owing(interview: Interview) -> list[Recipient]:
    """Return the authors still owing feedback on *interview*, as recipients."""
    return [invites.panel_recipient(profile) for profile in missing_authors(interview)]


def authors_owing_and_coordinators(interview: Interview) -> list[Recipient]:
    """Return the authors still owing feedback and, while anyone owes it, the opening's
    coordinators (once each: a coordinator who is also an author is told as the author)."""
    authors = authors_owing(interview)
    if not authors:
        return []
    emails = {r.email for r in authors}
    coordinators = [_staff_recipient(user)
                    for user in coordinators_to_tell(interview.application.requisition)
                    if user.email not in emails]
    return authors + coordinators


def build_nudge(kind, interview: Interview, recipient: Recipient,
                now: datetime) -> OutboxMessage:
    """Write the nudge of *kind* for *recipient*: to an author, their own feedback is due or
    overdue; to a coordinator, who has still to submit."""
    language = recipient.language
    title = invites.summary(interview, recipient)
    when = format_local_datetime(feedback_due_at(interview), recipient.zone, language)
    missing = missing_authors(interview)
    is_author = recipient.email in {profile.user.email for profile in missing}
    with force_locale(language):
        if kind.name == DUE:
            subject = gettext("Feedback due: %(summary)s", summary=title)
            lines = [gettext("Your feedback on this interview is due %(when)s.", when=when)]
        elif is_author:
            subject = gettext("Feedback overdue: %(summary)s", summary=title)
            lines = [gettext("Your feedback on this interview was due %(when)s and has not "
                             "been submitted yet.", when=when)]
        else:
            subject = gettext("Feedback overdue: %(summary)s", summary=title)
            lines = [gettext("Feedback on this interview was due %(when)s.", when=when),
                     gettext("Still to submit: %(names)s",
                             names=", ".join(profile.user.name for profile in missing))]
    url = (external_url("interviewer.feedback", interview_id=interview.id) if is_author else
           external_url("coordinator.application_feedback",
                        application_id=interview.application_id))
    return compose_and_enqueue(
        "feedback_nudge", to_addr=recipient.email, language=language, subject=subject,
        context=dict(recipient=recipient, summary=title, lines=lines, url=url,
                     is_author=is_author),
        stable_id=StableId(interview.calendar_uid, kind=f"reminder-{kind.name}",
                           sequence=interview.sequence),
        kind=f"reminder_{kind.name}", now=now, interview_id=interview.id)
