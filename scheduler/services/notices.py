"""Telling an opening's coordinators when something changes that they did not do themselves.

Events: an interviewer can't make an interview; a candidate books, moves or cancels through
their link (one mail per event, a loop's interviews together); a candidate says none of the
offered times work (with the times they propose). Whom to tell is `coordinators_to_tell`
(services/openings.py); each gets the mail in their own language, with times in their own zone,
labelled, through the outbox (`compose_and_enqueue`). Every mail carries a dedupe key naming the
event and the recipient, so a retried request or a double submit enqueues nothing more. The
dashboard's box of declined seats (coordinator/present.py) stays as it is.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from flask_babel import force_locale, gettext

from scheduler.formatting import format_local_datetime, format_local_range, localized
from scheduler.models import Application, Interview, InterviewerAssignment, SchedulingLink
from scheduler.services.emails import StableId, compose_and_enqueue, external_url
from scheduler.services.openings import coordinators_to_tell

DECLINED, BOOKED, MOVED, CANCELLED, NONE_WORK = (
    "declined", "booked", "moved", "cancelled", "none_work")


def _tell(application: Application, event: str, key: str, now: datetime, *, template: str,
          subject, context, reply_to: str | None = None) -> int:
    """Enqueue one mail per coordinator to tell; return how many were written now.

    *subject* and *context* are called with (language, zone) so each coordinator reads the
    mail in their language and times in their zone.
    """
    written = 0
    for user in coordinators_to_tell(application.requisition):
        language, zone = user.language, user.zone
        with force_locale(language):
            title = subject(language)
        row = compose_and_enqueue(
            template, to_addr=user.email, language=language, subject=title,
            context=dict(event=event, language=language, zone=zone, coordinator=user,
                         candidate=application.candidate,
                         role=localized(application.requisition, "title", language),
                         url=external_url("coordinator.application",
                                          application_id=application.id),
                         **context(language, zone)),
            stable_id=StableId(key, kind=f"notice-{event}"), kind=f"notice_{event}", now=now,
            reply_to=reply_to, dedupe_key=f"{key}:to-{user.id}")
        written += row is not None
    return written


def _stage_names(stages, language: str) -> str:
    with force_locale(language):
        return gettext(", ").join(localized(stage, "name", language) for stage in stages)


def _span(interviews: Sequence[Interview], zone: str, language: str) -> str:
    return format_local_range(interviews[0].start_at, interviews[-1].end_at, zone, language)


def interviewer_declined(seat: InterviewerAssignment, now: datetime) -> int:
    """Tell the coordinators that the interviewer of *seat* can't make its interview."""
    interview = seat.interview
    application = interview.application
    who = seat.interviewer.user.name

    def subject(language):
        return gettext("%(who)s can't make it: %(name)s, %(stage)s", who=who,
                       name=application.candidate.name,
                       stage=localized(interview.stage, "name", language))

    def context(language, zone):
        return dict(who=who, reason=seat.decline_reason,
                    stage_names=_stage_names([interview.stage], language),
                    when=_span([interview], zone, language))

    return _tell(application, DECLINED, f"seat-{seat.id}-declined", now,
                 template="coordinator_notice", subject=subject, context=context)


def candidate_changed(link: SchedulingLink, event: str, interviews: Sequence[Interview],
                      now: datetime, *, before: Sequence[Interview] | None = None,
                      before_at: tuple[datetime, datetime] | None = None, reason: str = "",
                      key: str) -> int:
    """Tell the coordinators that the candidate booked, moved (from *before_at*) or cancelled
    *interviews* (one stage or a whole loop) through *link*; *key* names this very change."""
    application = link.application
    interviews = list(interviews)
    stages = [i.stage for i in interviews]
    subjects = {
        BOOKED: lambda names: gettext("%(name)s booked %(stages)s",
                                      name=application.candidate.name, stages=names),
        MOVED: lambda names: gettext("%(name)s moved %(stages)s",
                                     name=application.candidate.name, stages=names),
        CANCELLED: lambda names: gettext("%(name)s cancelled %(stages)s",
                                         name=application.candidate.name, stages=names),
    }

    def subject(language):
        return subjects[event](_stage_names(stages, language))

    def context(language, zone):
        previous = (format_local_range(*before_at, zone, language)
                    if before_at is not None else "")
        return dict(stage_names=_stage_names(stages, language), reason=reason,
                    when=_span(interviews, zone, language), before=previous)

    return _tell(application, event, f"link-{link.id}-{key}", now,
                 template="coordinator_notice", subject=subject, context=context)


def candidate_proposed(link: SchedulingLink, stages, times: Sequence[datetime], note: str,
                       now: datetime) -> int:
    """Tell the coordinators that none of the offered times work, with the proposed times."""
    application = link.application
    candidate = application.candidate
    # The same proposal sent twice is one event; a different one is a new event.
    digest = hashlib.sha256(repr(([t.isoformat() for t in times], note)).encode()).hexdigest()

    def subject(language):
        return gettext("%(name)s: none of the offered times work (%(stages)s)",
                       name=candidate.name, stages=_stage_names(stages, language))

    def context(language, zone):
        return dict(stage_names=_stage_names(stages, language), note=note,
                    times=[(format_local_datetime(t, zone, language),
                            format_local_datetime(t, candidate.zone, language)) for t in times])

    return _tell(application, NONE_WORK, f"link-{link.id}-none-work-{digest[:24]}", now,
                 template="link_none_work", subject=subject, context=context,
                 reply_to=candidate.email)
