"""What the coordinator's booking pages show: slots by day, seat choices, interview cards with
their history in readable form, seats someone declined, and people named with their office; and
refusals in words: a service's (`refusal_message`, ids turned into names), the engine's problems
with a slot (`problem_text`), and why an application page offers nothing to book.

Times are shown in the zone the coordinator chose and, beside them, in the coordinator's own and
the candidate's zone (one column per distinct zone), each panel member in their own zone with the
humane flags beside whom they concern: present_times.py says how. People are loaded in one query
per page part (with their user and office), never one per slot or per seat.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa
from babel.dates import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from scheduler.coordinator.present_times import (
    clock_range, column_ranges, column_times, member_time,
)
from scheduler.domain.slots import Slot, SlotProblem, SlotSearch, problem_message
from scheduler.extensions import db
from scheduler.i18n import (
    APPLICATION_STATUS_LABELS, ZoneColumn, current_language, format_local_datetime,
    format_local_range, localized, viewer_zone,
)
from scheduler.models import (
    Application, AuditEvent, Interview, InterviewerAssignment, InterviewerProfile, StageTemplate,
    User,
)
from scheduler.services import permissions
from scheduler.services.booking import BookingError
from scheduler.services.errors import ServiceError
from scheduler.services.slot_search import suggest_replacements
from scheduler.timeutil import to_zone
from scheduler.web import day_label, iso_utc

DAYS_SHOWN = 2
_HEADING_PATTERNS = {"zh": "y年M月d日 EEEE", "en": "EEEE d MMMM y"}
INTERVIEW_STATUS_LABELS = {
    Interview.SCHEDULED: _l("Scheduled"), Interview.CANCELLED: _l("Cancelled"),
    Interview.COMPLETED: _l("Completed"), Interview.NO_SHOW: _l("No-show"),
}
HELD_LABEL = _l("Held")
AUDIT_ACTION_LABELS = {
    "interview.booked": _l("Booked"),
    "interview.rescheduled": _l("Moved to a new time"),
    "interview.cancelled": _l("Cancelled"),
    "interview.panel_swapped": _l("Panel changed"),
    "interview.declined": _l("An interviewer can't make it"),
    "interview.no_show": _l("Marked a no-show"),
    "interview.reviewer_assigned": _l("Reviewer chosen"),
}
# The application page's words for why nothing can be booked (the booking rule's refusals, as a
# state of the page rather than an answer to an action).
_BLOCKER_TEXTS = {
    "no_stages": _l("This application has no current stage."),
    "stage_not_schedulable": _l("The current stage is not an interview, so it has no times."),
    "already_booked": _l("This stage is already booked. To change it, use “Reschedule” on the "
                         "interview above."),
}


def blocker_text(refusal: BookingError) -> str:
    """Say on the application page why nothing can be booked."""
    if refusal.code == "application_closed":
        status = refusal.params["status"]
        return _("This application is %(status)s, so nothing can be booked for it.",
                 status=APPLICATION_STATUS_LABELS.get(status, status))
    return str(_BLOCKER_TEXTS[refusal.code])


def refusal_message(error: ServiceError) -> str:
    """Word a service's refusal for the coordinator: an interviewer it names by id with their
    office, a stage by id in the viewer's language."""
    params = dict(error.params)
    if params.get("interviewer_id") is not None:
        params["name"] = labels([params["interviewer_id"]]).get(params["interviewer_id"],
                                                                params.get("name", "—"))
    if params.get("stage_id") is not None:
        stage = db.session.get(StageTemplate, params["stage_id"])
        params["stage"] = localized(stage) if stage is not None else "—"
    params.setdefault("zone", viewer_zone())  # a clash's time, in the coordinator's zone
    return error.render(params)


def problem_text(problem: SlotProblem, names: dict[int, str] | None = None,
                 stages=None) -> str:
    """Render one of the engine's problems with a slot in the viewer's language, naming the
    interviewer (*names* by id) and, in a loop of *stages*, the stage."""
    names = names or {}
    named = replace(problem, interviewer_id=names.get(problem.interviewer_id,
                                                      problem.interviewer_id))
    text = problem_message(named, translate=_)
    if stages is not None and len(stages) > 1:
        return _("%(stage)s: %(problem)s", stage=localized(stages[problem.stage_index]),
                 problem=text)
    return text


def people(ids) -> dict[int, InterviewerProfile]:
    """Load interviewer profiles with their user and office, in one query."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(
        sa.select(InterviewerProfile).where(InterviewerProfile.id.in_(ids))
        .options(selectinload(InterviewerProfile.user), selectinload(InterviewerProfile.office)))}


def person_label(profile: InterviewerProfile | None) -> str:
    """Name an interviewer with their office, e.g. "Oliver Smith (London)"."""
    if profile is None:
        return "—"
    return _("%(name)s (%(office)s)", name=profile.user.name, office=localized(profile.office))


def labels(ids) -> dict[int, str]:
    """Return "name (office)" for each interviewer id, loaded in one query."""
    return {i: person_label(p) for i, p in people(ids).items()}


def problem_texts(problems, stages) -> list[str]:
    """Render the engine's problems with a slot, naming interviewers and (in a loop) stages."""
    names = labels(p.interviewer_id for p in problems)
    return [problem_text(p, names, stages) for p in problems]


def _heading(day: date) -> str:
    language = current_language()
    return format_date(day, _HEADING_PATTERNS[language], locale=language)


def _alternatives_text(slot: Slot) -> str:
    if not slot.panel:
        return _("No interviewer needed")
    if not slot.alternatives:
        return _("No other panel is free")
    return ngettext("%(num)d other panel is free", "%(num)d other panels are free",
                    slot.alternatives)


def _search_people(slots) -> dict[int, InterviewerProfile]:
    return people(i for slot in slots for part in slot.stage_slots for i in part.panel)


def panel_times(panel, start_at: datetime, end_at: datetime, who: dict[int, InterviewerProfile],
                flags=(), day: date | None = None) -> list[dict]:
    """Describe each member of *panel* (ids) at [start, end): name and office, their local time
    in their own zone, and their flags among *flags*."""
    return [member_time(who[i], person_label(who[i]), start_at, end_at, flags, day)
            for i in panel if i in who]


@dataclass
class SlotDays:
    """Slots grouped by local day in the first column's zone, a few days at a time, each read
    in every column's zone."""

    columns: list[ZoneColumn]
    days: list  # (date, chip label, number of slots) for every day with slots
    shown: list  # (day label, [row, ...]) for the days on this page
    day: date | None
    earlier: date | None
    later: date | None


def slot_days(search: SlotSearch, stages, columns: list[ZoneColumn],
              wanted: date | None) -> SlotDays:
    """Group *search* by day in the first of *columns*; describe the slots of DAYS_SHOWN days
    from *wanted* in every column's zone, each panel member in their own."""
    zone = columns[0].zone
    by_day: dict[date, list] = {}
    for slot in search.slots:
        by_day.setdefault(to_zone(slot.start_at, zone).date(), []).append(slot)
    days = sorted(by_day)
    index = days.index(wanted) if wanted in by_day else 0
    page = days[index:index + DAYS_SHOWN]
    who = _search_people(s for d in page for s in by_day[d])
    shown = []
    for day in page:
        rows = []
        for slot in by_day[day]:
            rows.append({
                "start": iso_utc(slot.start_at),
                "times": column_times(columns, slot.start_at, slot.end_at, day, slot.flags),
                "parts": [{"stage": localized(stage),
                           "time": clock_range(part.start_at, part.end_at, zone),
                           "panel": panel_times(part.panel, part.start_at, part.end_at, who,
                                                part.flags, day),
                           "alternatives": _alternatives_text(part)}
                          for stage, part in zip(stages, slot.stage_slots)],
                "is_humane": not slot.flags,
            })
        shown.append((_heading(day), rows))
    return SlotDays(
        columns=columns, days=[(d, day_label(d), len(by_day[d])) for d in days],
        shown=shown, day=page[0] if page else None,
        earlier=days[max(index - DAYS_SHOWN, 0)] if index > 0 else None,
        later=days[index + DAYS_SHOWN] if index + DAYS_SHOWN < len(days) else None)


def seat_choices(stages, panels, replacements, who: dict[int, InterviewerProfile],
                 stage_times, flags=()) -> list[dict]:
    """Describe each seat of the confirm form: its field name, label, choices and the default;
    each choice says the person's local time in their own zone and their flags among *flags*,
    and each stage lists its panel so (see `panel_times`)."""
    parts = []
    for index, (stage, panel, (start_at, end_at)) in enumerate(zip(stages, panels, stage_times)):
        def choice(interviewer_id: int) -> tuple[int, str]:
            if interviewer_id not in who:
                return interviewer_id, "—"
            local = member_time(who[interviewer_id], person_label(who[interviewer_id]),
                                start_at, end_at, flags)
            return interviewer_id, " · ".join(
                [local["who"], f"{local['time']} ({local['zone']})", *local["flags"]])

        seats = []
        for n, member in enumerate(panel):
            options = [choice(member)] + [choice(p.id) for p in replacements[index][n]]
            seats.append({"name": f"seat-{index}-{n}", "member": member, "options": options,
                          "label": (_("Lead interviewer") if n == 0 and len(panel) > 1
                                    else _("Interviewer %(n)d", n=n + 1))})
        parts.append({"stage": stage, "seats": seats,
                      "panel": panel_times(panel, start_at, end_at, who, flags)})
    return parts


def _audit_trails(interviews, zone: str) -> dict[int, list[dict]]:
    """Return each interview's history, oldest first, in readable form."""
    ids = [i.id for i in interviews]
    if not ids:
        return {}
    events = list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "interview",
                                    AuditEvent.object_id.in_(ids))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)))
    users = {u.id: u.name for u in db.session.scalars(sa.select(User).where(
        User.id.in_({e.actor_user_id for e in events if e.actor_user_id})))}
    panel_ids = set()
    for event in events:
        for side in (event.before or {}, event.after or {}):
            panel_ids.update(side.get("panel") or ())
            panel_ids.add(side.get("interviewer_id"))
            panel_ids.add(side.get("reviewer_id"))
    who = people(panel_ids)
    trails: dict[int, list[dict]] = {i: [] for i in ids}
    for event in events:
        trails[event.object_id].append({
            "when": format_local_datetime(event.occurred_at, zone),
            "who": users.get(event.actor_user_id) or event.actor_label or _("The system"),
            "what": AUDIT_ACTION_LABELS.get(event.action, event.action),
            "changes": _audit_changes(event.before or {}, event.after or {}, zone, who),
            "note": event.note,
        })
    return trails


def _audit_changes(before: dict, after: dict, zone: str, who) -> list[tuple[str, str, str]]:
    """Return (what, before, after) for each field an audit event shows, "" where absent."""

    def when(side):
        if not side.get("start_at"):
            return ""
        return format_local_range(datetime.fromisoformat(side["start_at"]),
                                  datetime.fromisoformat(side["end_at"]), zone)

    def panel(side):
        if "panel" not in side:
            return ""
        return _(", ").join(person_label(who.get(i)) for i in side["panel"]) or "—"

    def status(side):
        value = side.get("status")
        return str(INTERVIEW_STATUS_LABELS.get(value, value)) if value else ""

    # The calendar's update number (SEQUENCE) changes with every one of these; the card shows it
    # behind "Calendar details", and the history keeps to what people changed.
    rows = []
    for label, read in ((_("Time"), when), (_("Panel"), panel), (_("Status"), status)):
        old, new = read(before), read(after)
        if new and old != new:
            rows.append((label, old, new))
    if after.get("interviewer_id") is not None and "panel" not in after:
        rows.append((_("Interviewer"), "", person_label(who.get(after["interviewer_id"]))))
    if "reviewer_id" in after:
        old, new = before.get("reviewer_id"), after["reviewer_id"]
        rows.append((_("Reviewer"), person_label(who.get(old)) if old else "",
                     person_label(who.get(new)) if new else _("Nobody yet")))
    return rows


def interview_cards(interviews, columns: list[ZoneColumn], now: datetime) -> list[dict]:
    """Describe each interview of an application: its time in each column's zone, status, seats
    (each in their own zone) and its history (in the first column's zone)."""
    trails = _audit_trails(interviews, columns[0].zone)
    cards = []
    for interview in interviews:
        seats = interview.active_assignments
        who = {seat.interviewer_id: seat.interviewer for seat in seats}
        times = panel_times([seat.interviewer_id for seat in seats], interview.start_at,
                            interview.end_at, who,
                            day=to_zone(interview.start_at, columns[0].zone).date())
        cards.append({
            "interview": interview,
            "times": column_ranges(columns, interview.start_at, interview.end_at),
            "status": (HELD_LABEL if interview.is_held(now)
                       else INTERVIEW_STATUS_LABELS.get(interview.status, interview.status)),
            "is_changeable": interview.status == Interview.SCHEDULED and interview.end_at > now,
            "is_loop": interview.booking_group is not None,
            "seats": [{"seat": seat, **local} for seat, local in zip(seats, times)],
            "trail": trails.get(interview.id, []),
        })
    return cards


def declined_seats(now: datetime, actor: User, application_id: int | None = None
                   ) -> list[dict]:
    """Return the panel seats whose interviewer can't make it, of the applications *actor* sees
    (least access), with the engine's suggestions."""
    seen = sa.select(Application.id).where(permissions.visible_applications(actor))
    query = (sa.select(InterviewerAssignment).join(Interview)
             .where(Interview.application_id.in_(seen),
                    InterviewerAssignment.is_active.is_(True),
                    InterviewerAssignment.declined_at.is_not(None),
                    Interview.status == Interview.SCHEDULED, Interview.end_at > now)
             .options(selectinload(InterviewerAssignment.interview)
                      .selectinload(Interview.application).selectinload(Application.candidate),
                      selectinload(InterviewerAssignment.interviewer)
                      .selectinload(InterviewerProfile.user))
             .order_by(Interview.start_at, InterviewerAssignment.id))
    if application_id is not None:
        query = query.where(Interview.application_id == application_id)
    flagged = []
    for seat in db.session.scalars(query):
        suggestions = suggest_replacements(seat.interview, seat.interviewer_id, now)
        names = labels([seat.interviewer_id] + [p.id for p in suggestions])
        flagged.append({"seat": seat, "interview": seat.interview,
                        "who": names.get(seat.interviewer_id, "—"),
                        "suggestions": [(p.id, names.get(p.id, "—")) for p in suggestions]})
    return flagged
