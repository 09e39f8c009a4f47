"""Where an application stands, in words (services/pipeline.py ApplicationState): its label and a
line of details, the same on the list, its CSV export and the pipeline board.

Every time said is in the viewer's zone and labelled with it; durations ("3 days") are rough, in
the viewer's language. The details say: how long ago a link was sent and whether it has been
opened or has expired; when the interview is; who owes feedback and how late; how many days the
offer clock has left, or how long since it ran out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from scheduler.coordinator.links import LINK_STATE_LABELS
from scheduler.i18n import APPLICATION_STATE_LABELS, format_duration, format_local_datetime
from scheduler.services.pipeline import ApplicationState


@dataclass(frozen=True)
class StateText:
    """An application's state for a reader: its kind, label, details and whether it is late."""

    kind: str
    label: str
    details: list[str]
    is_overdue: bool


def describe_state(state: ApplicationState, zone: str, now: datetime) -> StateText:
    """Say *state* in the viewer's language, its times in *zone* (labelled)."""
    details: list[str] = []
    if state.kind == "link_sent" and state.link_status:
        details.append(_("%(status)s · sent %(age)s ago",
                         status=LINK_STATE_LABELS[state.link_status],
                         age=format_duration(now - state.link_sent_at)))
    elif state.kind == "booked" and state.interview_start_at:
        details.append(format_local_datetime(state.interview_start_at, zone))
    elif state.kind == "feedback_pending":
        for name, due_at, is_late in state.pending:
            when = (_("Overdue by %(duration)s", duration=format_duration(now - due_at))
                    if is_late else _("due in %(duration)s",
                                      duration=format_duration(due_at - now)))
            details.append(f"{name}{_(': ')}{when}")
    elif state.kind == "offer":
        details.append(_offer_text(state, zone, now))
    return StateText(state.kind, str(APPLICATION_STATE_LABELS[state.kind]), details,
                     state.is_overdue)


def _offer_text(state: ApplicationState, zone: str, now: datetime) -> str:
    if state.is_offer_made:
        return _("Offer made")
    if state.offer_due_at is None:
        return _("No offer deadline")
    when = format_local_datetime(state.offer_due_at, zone)
    days_left = state.days_left(now)
    if not state.is_overdue:
        return (ngettext("%(num)d day left", "%(num)d days left", days_left)
                + " · " + _("due %(when)s", when=when))
    days_overdue = -days_left  # whole days past, rounded down: ceil of a negative
    if days_overdue:
        return ngettext("Overdue: the offer was due %(when)s, %(num)d day ago.",
                        "Overdue: the offer was due %(when)s, %(num)d days ago.",
                        days_overdue, when=when)
    return _("Overdue: the offer was due %(when)s.", when=when)
