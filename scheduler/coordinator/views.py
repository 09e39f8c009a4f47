"""Coordinator views: requisitions and applications, adding candidates, booking on an
application (slots, confirm with swaps, reschedule, cancel, swap, audit trail), and failed mail."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import sqlalchemy as sa
from babel.dates import format_date, format_datetime
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from scheduler.booking_messages import booking_error_text, problem_text
from scheduler.coordinator import bp
from scheduler.coordinator.forms import (
    BREAK_CHOICES, DEFAULT_BREAK, BookForm, CancelForm, CandidateForm, RescheduleForm, ResendForm,
    SlotViewForm, SwapForm,
)
from scheduler.coordinator.slots_json import SlotQueryError, read_slot_query, slots_payload
from scheduler.domain.slots import EARLY, LoopSlot, Slot, SlotSearch
from scheduler.extensions import db
from scheduler.i18n import (
    APPLICATION_STATUS_LABELS, current_language, format_local_datetime, format_local_range,
    localized, zone_label,
)
from scheduler.models import (
    Application, AuditEvent, Interview, InterviewerAssignment, InterviewerProfile, OutboxMessage,
    StageTemplate, User,
)
from scheduler.services.slot_search import check_booking, find_slots
from scheduler.services.booking import (
    BookingError, SlotTaken, book_interview, book_loop, cancel_interview, loop_stage_starts,
    reschedule_interview, seat_replacements, suggest_replacements, swap_interviewer,
)
from scheduler.services.candidates import (
    CandidateInputError, applications_overview, create_candidate_with_application,
    requisitions_with_stages,
)
from scheduler.services.outbox import failed_messages, resend_message
from scheduler.timeutil import is_valid_zone, sorted_zone_names, to_zone
from scheduler.web import request_now

@bp.get("/")
def home():
    """Show the requisitions with their stages and every application."""
    return render_template("coordinator/home.html", requisitions=requisitions_with_stages(),
                           applications=applications_overview(),
                           flagged=_declined_seats(request_now()),
                           failed_count=db.session.scalar(
                               sa.select(sa.func.count()).select_from(OutboxMessage)
                               .where(OutboxMessage.failed_at.is_not(None))),
                           swap_form=SwapForm())


@bp.route("/candidates/new", methods=["GET", "POST"])
def new_candidate():
    """Add a candidate with an application to an open requisition."""
    form = CandidateForm()
    form.offer(requisitions_with_stages(only_open=True))
    if not form.is_submitted():
        form.language.data = current_language()
        form.zone.data = current_user.zone
    if form.validate_on_submit():
        try:
            application = create_candidate_with_application(
                current_user, name=form.name.data, email=form.email.data, phone=form.phone.data,
                zone=form.zone.data, language=form.language.data,
                requisition_id=form.requisition_id.data, level=form.level.data, now=request_now())
        except CandidateInputError as error:
            db.session.rollback()
            for name, messages in error.errors.items():
                form[name].errors = list(form[name].errors) + messages
        else:
            db.session.commit()
            flash(_("Added %(name)s.", name=application.candidate.name), "success")
            return redirect(url_for("coordinator.home"))
    return render_template("coordinator/new_candidate.html", form=form,
                           zones=sorted_zone_names())


@bp.get("/applications/<int:application_id>/slots.json")
def application_slots(application_id: int):
    """Return an application's bookable slots as JSON (?stages=ids&zone=&break=)."""
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    try:
        query = read_slot_query(application, request.args)
    except SlotQueryError as error:
        return jsonify(error=str(error.message)), 400
    now = request_now()
    search = find_slots(application, query.stages, now, hours=query.hours,
                        break_minutes=query.break_minutes)
    return jsonify(slots_payload(application, query, search, now))


# --- An application: its interviews, and booking, moving, cancelling and swapping them -----
#
# Times are shown in a zone the coordinator chooses (their own by default) and in the
# candidate's zone, each labelled. Every change goes through scheduler/services/booking.py,
# which locks, re-checks and writes the audit trail and the invites; these views only read
# the forms, call it, and commit.

# Stages 3 and 4 of the process may be booked back to back as one loop (DESIGN.md §2).
LOOP_KINDS = ("system_design", "project_deep_dive")
DAYS_SHOWN = 2
# Problems that mean someone else got there first (or time moved on), not a bad panel choice.
TAKEN_CODES = frozenset({"busy", "daily_cap", "weekly_cap", "outside_working_hours",
                         "unknown_interviewer", "too_soon", "too_far"})
_DAY_PATTERNS = {"zh": "y年M月d日 EEEE", "en": "EEEE d MMMM y"}
_CHIP_PATTERNS = {"zh": "M月d日 EEE", "en": "EEE d MMM"}
INTERVIEW_STATUS_LABELS = {
    "scheduled": _l("Scheduled"), "cancelled": _l("Cancelled"), "completed": _l("Completed"),
    "no_show": _l("No-show"),
}
AUDIT_ACTION_LABELS = {
    "interview.booked": _l("Booked"),
    "interview.rescheduled": _l("Moved to a new time"),
    "interview.cancelled": _l("Cancelled"),
    "interview.panel_swapped": _l("Panel changed"),
    "interview.declined": _l("An interviewer can't make it"),
}


def _application_or_404(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    return application


def _interview_or_404(interview_id: int) -> Interview:
    interview = db.session.get(Interview, interview_id)
    if interview is None:
        abort(404)
    return interview


def _zone_from(form: SlotViewForm) -> str:
    """Return the zone typed in *form*, or the coordinator's own (noting a bad one on the form)."""
    zone = (form.zone.data or "").strip()
    if zone and not is_valid_zone(zone):
        form.zone.errors = [_("Unknown time zone: choose one from the list, such as "
                              "Asia/Shanghai or Europe/London.")]
        zone = ""
    form.zone.data = zone or current_user.zone
    return form.zone.data


def _people(ids) -> dict[int, InterviewerProfile]:
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


def _clock_range(start_at: datetime, end_at: datetime, zone: str) -> str:
    """Render [start, end) as local clock times in *zone*, without the date."""
    language = current_language()
    start, end = to_zone(start_at, zone), to_zone(end_at, zone)
    first = format_datetime(start, "HH:mm", locale=language)
    last = format_datetime(end, "HH:mm", locale=language)
    if end.date() != start.date():
        last = _("%(time)s next day", time=last)
    return f"{first}–{last}"


def _day_label(day: date, pattern: dict[str, str]) -> str:
    language = current_language()
    return format_date(day, pattern[language], locale=language)


def _flag_text(flag, people: dict[int, InterviewerProfile]) -> str:
    if flag.interviewer_id is None:
        return (_("Early in the candidate's day") if flag.kind == EARLY
                else _("Late in the candidate's day"))
    who = person_label(people.get(flag.interviewer_id))
    return _("Early for %(who)s", who=who) if flag.kind == EARLY else _("Late for %(who)s", who=who)


def _alternatives_text(slot: Slot) -> str:
    if not slot.panel:
        return _("No interviewer needed")
    if not slot.alternatives:
        return _("No other panel is free")
    return ngettext("%(num)d other panel is free", "%(num)d other panels are free",
                    slot.alternatives)


def _search_people(search: SlotSearch) -> dict[int, InterviewerProfile]:
    ids = set()
    for slot in search.slots:
        for part in (slot.stages if isinstance(slot, LoopSlot) else (slot,)):
            ids.update(part.panel)
            ids.update(f.interviewer_id for f in part.flags)
    return _people(ids)


@dataclass
class SlotDays:
    """Slots grouped by local day in the viewer's zone, a few days at a time."""

    days: list  # (date, chip label, number of slots) for every day with slots
    shown: list  # (day label, [row, ...]) for the days on this page
    day: date | None
    earlier: date | None
    later: date | None


def _slot_days(search: SlotSearch, stages, zone: str, candidate_zone: str,
               wanted: date | None) -> SlotDays:
    """Group *search* by day in *zone*; describe the slots of DAYS_SHOWN days from *wanted*."""
    by_day: dict[date, list] = {}
    for slot in search.slots:
        by_day.setdefault(to_zone(slot.start_at, zone).date(), []).append(slot)
    days = sorted(by_day)
    index = days.index(wanted) if wanted in by_day else 0
    page = days[index:index + DAYS_SHOWN]
    people = _search_people(SlotSearch(tuple(s for d in page for s in by_day[d])))
    shown = []
    for day in page:
        rows = []
        for slot in by_day[day]:
            parts = slot.stages if isinstance(slot, LoopSlot) else (slot,)
            rows.append({
                "start": iso_utc(slot.start_at),
                "time": _clock_range(slot.start_at, slot.end_at, zone),
                "zone": zone_label(slot.start_at, zone),
                "candidate_time": (_clock_range(slot.start_at, slot.end_at, candidate_zone)
                                   if candidate_zone != zone else ""),
                "candidate_day": (_day_label(to_zone(slot.start_at, candidate_zone).date(),
                                             _CHIP_PATTERNS)
                                  if to_zone(slot.start_at, candidate_zone).date() != day else ""),
                "candidate_zone": zone_label(slot.start_at, candidate_zone),
                "parts": [{"stage": localized(stage),
                           "time": _clock_range(part.start_at, part.end_at, zone),
                           "panel": [person_label(people.get(i)) for i in part.panel],
                           "alternatives": _alternatives_text(part)}
                          for stage, part in zip(stages, parts)],
                "flags": [_flag_text(f, people) for f in slot.flags],
            })
        shown.append((_day_label(day, _DAY_PATTERNS), rows))
    return SlotDays(
        days=[(d, _day_label(d, _CHIP_PATTERNS), len(by_day[d])) for d in days],
        shown=shown, day=page[0] if page else None,
        earlier=days[max(index - DAYS_SHOWN, 0)] if index > 0 else None,
        later=days[index + DAYS_SHOWN] if index + DAYS_SHOWN < len(days) else None)


def iso_utc(instant: datetime) -> str:
    """Write an instant for a URL or a hidden field: UTC, to the minute."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def _parse_instant(text: str | None) -> datetime | None:
    try:
        instant = datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return instant.astimezone(timezone.utc) if instant.tzinfo is not None else None


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _loop_stages(application: Application) -> list[StageTemplate]:
    """Return the current stage and the stages after it that may join it in one loop."""
    stages = list(application.requisition.stages)
    current = application.current_stage
    if current is None or current not in stages:
        return []
    run = []
    for stage in stages[stages.index(current):]:
        if stage.kind not in LOOP_KINDS or not stage.panel_size:
            break
        run.append(stage)
    return run if len(run) > 1 else []


def _planned_stages(application: Application, plan: str) -> list[StageTemplate]:
    if plan == "loop":
        loop = _loop_stages(application)
        if loop:
            return loop
    return [application.current_stage] if application.current_stage is not None else []


def _booking_blocker(application: Application, stages, interviews) -> str:
    """Say why nothing can be booked for *stages*, or return "" when slots may be offered."""
    if application.status not in ("active", "on_hold"):
        return _("This application is %(status)s, so nothing can be booked for it.",
                 status=APPLICATION_STATUS_LABELS.get(application.status, application.status))
    if not stages:
        return _("This application has no current stage.")
    if not all(stage.is_schedulable for stage in stages):
        return _("The current stage is not an interview, so it has no times.")
    live = {i.stage_id for i in interviews if i.status == "scheduled"}
    if any(stage.id in live for stage in stages):
        return _("This stage is already booked. To change it, use “Reschedule” on the "
                 "interview above.")
    return ""


def _application_interviews(application: Application) -> list[Interview]:
    return list(db.session.scalars(
        sa.select(Interview).where(Interview.application_id == application.id)
        .options(selectinload(Interview.stage), selectinload(Interview.booking_group),
                 selectinload(Interview.assignments).selectinload(InterviewerAssignment.interviewer)
                 .selectinload(InterviewerProfile.user),
                 selectinload(Interview.assignments).selectinload(InterviewerAssignment.interviewer)
                 .selectinload(InterviewerProfile.office))
        .order_by(Interview.start_at, Interview.id)))


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
    people = _people(panel_ids)
    trails: dict[int, list[dict]] = {i: [] for i in ids}
    for event in events:
        trails[event.object_id].append({
            "when": format_local_datetime(event.occurred_at, zone),
            "who": users.get(event.actor_user_id) or event.actor_label or _("The system"),
            "what": AUDIT_ACTION_LABELS.get(event.action, event.action),
            "changes": _audit_changes(event.before or {}, event.after or {}, zone, people),
            "note": event.note,
        })
    return trails


def _audit_changes(before: dict, after: dict, zone: str, people) -> list[tuple[str, str, str]]:
    """Return (what, before, after) for each field an audit event shows, "" where absent."""

    def when(side):
        if not side.get("start_at"):
            return ""
        return format_local_range(datetime.fromisoformat(side["start_at"]),
                                  datetime.fromisoformat(side["end_at"]), zone)

    def panel(side):
        if "panel" not in side:
            return ""
        return _(", ").join(person_label(people.get(i)) for i in side["panel"]) or "—"

    def status(side):
        value = side.get("status")
        return str(INTERVIEW_STATUS_LABELS.get(value, value)) if value else ""

    def sequence(side):
        return str(side["sequence"]) if "sequence" in side else ""

    rows = []
    for label, read in ((_("Time"), when), (_("Panel"), panel), (_("Status"), status),
                        (_("Calendar update number"), sequence)):
        old, new = read(before), read(after)
        if new and old != new:
            rows.append((label, old, new))
    if after.get("interviewer_id") is not None and "panel" not in after:
        rows.append((_("Interviewer"), "", person_label(people.get(after["interviewer_id"]))))
    return rows


def _declined_seats(now: datetime, application_id: int | None = None) -> list[dict]:
    """Return the panel seats whose interviewer can't make it, with the engine's suggestions."""
    query = (sa.select(InterviewerAssignment).join(Interview)
             .where(InterviewerAssignment.is_active.is_(True),
                    InterviewerAssignment.declined_at.is_not(None),
                    Interview.status == "scheduled", Interview.end_at > now)
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
        people = _people([seat.interviewer_id] + [p.id for p in suggestions])
        flagged.append({"seat": seat, "interview": seat.interview,
                        "who": person_label(people.get(seat.interviewer_id)),
                        "suggestions": [(p.id, person_label(people.get(p.id)))
                                        for p in suggestions]})
    return flagged


def _interview_cards(interviews, zone: str, candidate_zone: str, now: datetime) -> list[dict]:
    trails = _audit_trails(interviews, zone)
    cards = []
    for interview in interviews:
        group = interview.booking_group
        cards.append({
            "interview": interview,
            "when": format_local_range(interview.start_at, interview.end_at, zone),
            "candidate_when": format_local_range(interview.start_at, interview.end_at,
                                                 candidate_zone),
            "status": INTERVIEW_STATUS_LABELS.get(interview.status, interview.status),
            "is_changeable": interview.status == "scheduled" and interview.end_at > now,
            "is_loop": group is not None,
            "seats": [{"seat": seat, "who": person_label(seat.interviewer)}
                      for seat in interview.active_assignments],
            "trail": trails.get(interview.id, []),
        })
    return cards


def _render_application(application: Application, form: SlotViewForm, *, taken=None,
                        status: int = 200):
    """Render the application page; *taken* (a SlotTaken) says the chosen time was lost."""
    now = request_now()
    zone = _zone_from(form)
    loop = _loop_stages(application)
    plan = form.plan.data if form.plan.data == "loop" and loop else "stage"
    form.plan.data = plan
    brk = form.brk.data if form.brk.data in BREAK_CHOICES else DEFAULT_BREAK
    stages = _planned_stages(application, plan)
    interviews = _application_interviews(application)
    blocker = _booking_blocker(application, stages, interviews)
    days = None
    if not blocker:
        search = (taken.fresh if taken is not None and taken.fresh is not None
                  else find_slots(application, stages, now,
                                  break_minutes=brk if len(stages) > 1 else 0))
        days = _slot_days(search, stages, zone, application.candidate.zone,
                          _parse_day(request.args.get("day")))
    taken_problems = []
    if taken is not None:
        names = {i: person_label(p) for i, p in _people(
            p.interviewer_id for p in taken.problems).items()}
        taken_problems = [problem_text(p, names, stages) for p in taken.problems]
    return render_template(
        "coordinator/application.html", application=application, form=form, zone=zone,
        zones=sorted_zone_names(), loop_stages=loop, stages=stages, plan=plan, brk=brk,
        blocker=blocker, days=days, taken_problems=taken_problems, is_taken=taken is not None,
        cards=_interview_cards(interviews, zone, application.candidate.zone, now),
        flagged=_declined_seats(now, application.id),
        swap_form=SwapForm(), cancel_form=CancelForm(),
    ), status


@bp.get("/applications/<int:application_id>")
def application(application_id: int):
    """Show an application: its interviews with their history, and free times to book."""
    application = _application_or_404(application_id)
    return _render_application(application, SlotViewForm(request.args))


def _seat_choices(stages, panels, replacements, people) -> list[dict]:
    """Describe each seat of the confirm form: its field name, label, choices and the default."""
    parts = []
    for index, (stage, panel) in enumerate(zip(stages, panels)):
        seats = []
        for n, member in enumerate(panel):
            options = [(member, person_label(people.get(member)))]
            options += [(p.id, person_label(people.get(p.id))) for p in replacements[index][n]]
            seats.append({"name": f"seat-{index}-{n}", "member": member, "options": options,
                          "label": (_("Lead interviewer") if n == 0 and len(panel) > 1
                                    else _("Interviewer %(n)d", n=n + 1))})
        parts.append({"stage": stage, "seats": seats})
    return parts


def _posted_panels(sizes) -> list[list[int]] | None:
    """Read the seat selects of the confirm form; None when one is missing or not a number."""
    panels = []
    for index, size in enumerate(sizes):
        panel = []
        for n in range(size):
            value = request.form.get(f"seat-{index}-{n}", "")
            if not value.isdigit():
                return None
            panel.append(int(value))
        panels.append(panel)
    return panels


def _render_confirm(*, mode: str, application: Application, stages, start_at: datetime,
                    end_at: datetime, panels, form, zone: str, back: str, action: str,
                    brk: int = 0, exclude=(), errors=(), status: int = 200):
    now = request_now()
    replacements = seat_replacements(application, stages, start_at, panels, now,
                                     break_minutes=brk, exclude_interview_ids=exclude)
    people = _people({i for panel in panels for i in panel}
                     | {p.id for stage in replacements for seat in stage for p in seat})
    times = loop_stage_starts(stages, start_at, brk)
    parts = _seat_choices(stages, panels, replacements, people)
    for part, (stage_start, stage_end) in zip(parts, times):
        part["time"] = format_local_range(stage_start, stage_end, zone)
    return render_template(
        "coordinator/confirm.html", mode=mode, application=application, form=form,
        parts=parts, when=format_local_range(start_at, end_at, zone),
        candidate_when=format_local_range(start_at, end_at, application.candidate.zone),
        back=back, action=action, errors=list(errors), brk=brk,
    ), status


def _problem_texts(problems, stages) -> list[str]:
    names = {i: person_label(p) for i, p in _people(p.interviewer_id for p in problems).items()}
    return [problem_text(p, names, stages) for p in problems]


@bp.route("/applications/<int:application_id>/book", methods=["GET", "POST"])
def book(application_id: int):
    """Confirm a chosen time (swap a panel member, set the place), then book it."""
    application = _application_or_404(application_id)
    source = request.form if request.method == "POST" else request.args
    view = SlotViewForm(formdata=None, zone=source.get("zone"), plan=source.get("plan"),
                        brk=int(source.get("brk")) if (source.get("brk") or "").isdigit()
                        else DEFAULT_BREAK)
    zone = _zone_from(view)
    plan = "loop" if view.plan.data == "loop" and _loop_stages(application) else "stage"
    stages = _planned_stages(application, plan)
    if view.brk.data not in BREAK_CHOICES:
        view.brk.data = DEFAULT_BREAK
    brk = view.brk.data if len(stages) > 1 else 0
    back = url_for(".application", application_id=application.id, zone=zone, plan=plan,
                   brk=view.brk.data)
    start_at = _parse_instant(source.get("start"))
    interviews = _application_interviews(application)
    blocker = _booking_blocker(application, stages, interviews)
    if start_at is None or blocker:
        flash(blocker or _("Choose a time from the list."), "error")
        return redirect(back)
    now = request_now()
    form = BookForm()
    if request.method == "GET":
        search = find_slots(application, stages, now, break_minutes=brk)
        slot = next((s for s in search.slots if s.start_at == start_at), None)
        if slot is None:
            return _render_application(application, view, taken=SlotTaken([], search),
                                       status=409)
        panels = [list(p.panel) for p in (slot.stages if isinstance(slot, LoopSlot) else (slot,))]
        form.start.data, form.plan.data, form.brk.data, form.zone.data = (
            iso_utc(start_at), plan, str(view.brk.data), zone)
        return _render_confirm(mode="book", application=application, stages=stages,
                               start_at=start_at, end_at=slot.end_at, panels=panels, form=form,
                               zone=zone, back=back, action=request.full_path, brk=brk)

    panels = _posted_panels([stage.panel_size for stage in stages])
    end_at = loop_stage_starts(stages, start_at, brk)[-1][1]
    if panels is None or not form.validate_on_submit():
        errors = [] if panels is not None else [_("Choose who sits on each seat.")]
        fallback = panels or [[] for _stage in stages]
        return _render_confirm(mode="book", application=application, stages=stages,
                               start_at=start_at, end_at=end_at, panels=fallback, form=form,
                               zone=zone, back=back, action=request.full_path, brk=brk,
                               errors=errors, status=400)
    try:
        if len(stages) == 1:
            booked = [book_interview(current_user, application, stages[0], start_at, panels[0],
                                     now, video_url=form.video_url.data or "",
                                     location=form.location.data or "")]
        else:
            booked = book_loop(current_user, application, stages, start_at, panels, now,
                               break_minutes=brk, video_url=form.video_url.data or "",
                               location=form.location.data or "")
    except SlotTaken as taken:
        db.session.rollback()
        if TAKEN_CODES.intersection(p.code for p in taken.problems):
            return _render_application(application, view, taken=taken, status=409)
        return _render_confirm(mode="book", application=application, stages=stages,
                               start_at=start_at, end_at=end_at, panels=panels, form=form,
                               zone=zone, back=back, action=request.full_path, brk=brk,
                               errors=_problem_texts(taken.problems, stages), status=409)
    except BookingError as error:
        db.session.rollback()
        flash(booking_error_text(error), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Booked %(stage)s for %(name)s: %(when)s.",
            stage=_(", ").join(localized(i.stage) for i in booked),
            name=application.candidate.name,
            when=format_local_range(booked[0].start_at, booked[-1].end_at, zone)), "success")
    return redirect(back)


def _group(interview: Interview) -> list[Interview]:
    """Return the live interviews that move and cancel together with *interview*."""
    if interview.booking_group is None:
        return [interview]
    return [i for i in interview.booking_group.interviews if i.status == "scheduled"]


@bp.route("/interviews/<int:interview_id>/reschedule", methods=["GET", "POST"])
def reschedule(interview_id: int):
    """Pick a new time for an interview (its whole loop), confirm the panel, give a reason."""
    interview = _interview_or_404(interview_id)
    application = interview.application
    source = request.form if request.method == "POST" else request.args
    view = SlotViewForm(formdata=None, zone=source.get("zone"))
    zone = _zone_from(view)
    back = url_for(".application", application_id=application.id, zone=zone)
    now = request_now()
    if interview.status != "scheduled" or interview.end_at <= now:
        flash(booking_error_text(BookingError("interview_not_live")), "error")
        return redirect(back)
    group = _group(interview)
    stages = [i.stage for i in group]
    brk = interview.booking_group.break_minutes if interview.booking_group else 0
    exclude = [i.id for i in group]
    old_panels = [[a.interviewer_id for a in i.active_assignments] for i in group]
    start_at = _parse_instant(source.get("start"))

    def slot_page(taken=None, status=200):
        search = (taken.fresh if taken is not None and taken.fresh is not None
                  else find_slots(application, stages, now, break_minutes=brk,
                                  exclude_interview_ids=exclude))
        days = _slot_days(search, stages, zone, application.candidate.zone,
                          _parse_day(request.args.get("day")))
        return render_template(
            "coordinator/reschedule.html", interview=interview, group=group,
            application=application, form=view, zone=zone, zones=sorted_zone_names(),
            days=days, stages=stages, back=back, is_taken=taken is not None,
            taken_problems=_problem_texts(taken.problems, stages) if taken else [],
            when=format_local_range(group[0].start_at, group[-1].end_at, zone),
        ), status

    if start_at is None:
        return slot_page()
    form = RescheduleForm()
    end_at = loop_stage_starts(stages, start_at, brk)[-1][1]
    confirm = dict(mode="reschedule", application=application, stages=stages, start_at=start_at,
                   end_at=end_at, form=form, zone=zone, back=back, action=request.full_path,
                   brk=brk, exclude=exclude)
    if request.method == "GET":
        search = find_slots(application, stages, now, break_minutes=brk,
                            exclude_interview_ids=exclude)
        slot = next((s for s in search.slots if s.start_at == start_at), None)
        if slot is None:
            return slot_page(SlotTaken([], search), 409)
        # Keep the people already invited when they are free at the new time.
        panels = old_panels
        if check_booking(application, stages, start_at, old_panels, now, break_minutes=brk,
                         exclude_interview_ids=exclude):
            panels = [list(p.panel) for p in
                      (slot.stages if isinstance(slot, LoopSlot) else (slot,))]
        form.start.data, form.zone.data = iso_utc(start_at), zone
        return _render_confirm(panels=panels, **confirm)

    panels = _posted_panels([len(p) for p in old_panels])
    if panels is None or not form.validate_on_submit():
        errors = [] if panels is not None else [_("Choose who sits on each seat.")]
        return _render_confirm(panels=panels or old_panels, errors=errors, status=400, **confirm)
    try:
        moved = reschedule_interview(current_user, interview, start_at, now, panels=panels,
                                     reason=form.reason.data.strip())
    except SlotTaken as taken:
        db.session.rollback()
        if TAKEN_CODES.intersection(p.code for p in taken.problems):
            return slot_page(taken, 409)
        return _render_confirm(panels=panels, errors=_problem_texts(taken.problems, stages),
                               status=409, **confirm)
    except BookingError as error:
        db.session.rollback()
        flash(booking_error_text(error), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Moved to %(when)s. Everyone gets an updated invitation.",
            when=format_local_range(moved[0].start_at, moved[-1].end_at, zone)), "success")
    return redirect(back)


@bp.post("/interviews/<int:interview_id>/cancel")
def cancel(interview_id: int):
    """Cancel an interview (its whole loop) with a reason."""
    interview = _interview_or_404(interview_id)
    back = url_for(".application", application_id=interview.application_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Say why the interview is cancelled."), "error")
        return redirect(back)
    try:
        cancelled = cancel_interview(current_user, interview, request_now(),
                                     reason=form.reason.data.strip())
    except BookingError as error:
        db.session.rollback()
        flash(booking_error_text(error), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Cancelled the interview. Everyone gets a cancellation.") if len(cancelled) == 1
          else _("Cancelled all %(num)d interviews of the loop. Everyone gets a cancellation.",
                 num=len(cancelled)), "success")
    return redirect(back)


def _safe_back(target: str | None) -> str | None:
    """Return *target* when it is one of the coordinator's own pages, else None."""
    if target and target.startswith("/coordinator/") and "//" not in target and "\\" not in target:
        return target
    return None


@bp.route("/interviews/<int:interview_id>/swap", methods=["GET", "POST"])
def swap(interview_id: int):
    """Replace one panel member with someone the engine finds free at the same time."""
    interview = _interview_or_404(interview_id)
    form = SwapForm()
    back = (_safe_back(form.next.data if request.method == "POST" else request.args.get("next"))
            or url_for(".application", application_id=interview.application_id))
    now = request_now()
    if request.method == "GET":
        old = request.args.get("interviewer", type=int)
        seat = next((a for a in interview.active_assignments if a.interviewer_id == old), None)
        if seat is None or interview.status != "scheduled":
            abort(404)
        suggestions = suggest_replacements(interview, old, now)
        people = _people([old] + [p.id for p in suggestions])
        form.old.data, form.next.data = old, back
        return render_template(
            "coordinator/swap.html", interview=interview, seat=seat, form=form, back=back,
            who=person_label(people.get(old)),
            suggestions=[(p.id, person_label(people.get(p.id))) for p in suggestions],
            when=format_local_range(interview.start_at, interview.end_at, current_user.zone))
    if not form.validate_on_submit():
        flash(_("Choose who takes the seat."), "error")
        return redirect(back)
    try:
        swap_interviewer(current_user, interview, form.old.data, form.new.data, now,
                         reason=(form.reason.data or "").strip())
    except SlotTaken as taken:
        db.session.rollback()
        for text in _problem_texts(taken.problems, [interview.stage]):
            flash(text, "error")
        return redirect(back)
    except BookingError as error:
        db.session.rollback()
        names = {i: person_label(p) for i, p in _people([form.old.data, form.new.data]).items()}
        flash(booking_error_text(error, names), "error")
        return redirect(back)
    db.session.commit()
    people = _people([form.old.data, form.new.data])
    flash(_("%(new)s replaces %(old)s. The time and the calendar entry stay the same; "
            "everyone gets an update.", new=person_label(people.get(form.new.data)),
            old=person_label(people.get(form.old.data))), "success")
    return redirect(back)


# --- Mail that could not be sent ----------------------------------------------------------


@bp.get("/outbox")
def outbox():
    """List the emails that failed after their last try, each with "send again"."""
    messages = failed_messages()
    applications = dict(db.session.execute(
        sa.select(Interview.id, Interview.application_id).where(
            Interview.id.in_({m.interview_id for m in messages if m.interview_id}))).all())
    return render_template("coordinator/outbox.html", messages=messages, form=ResendForm(),
                           applications=applications)


@bp.post("/outbox/<int:message_id>/resend")
def resend(message_id: int):
    """Put a failed email back in the queue."""
    form = ResendForm()
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    if message.failed_at is None:
        flash(_("This message is already queued or sent."), "info")
    else:
        resend_message(current_user, message, request_now())
        db.session.commit()
        flash(_("The message to %(to)s will be sent again shortly.", to=message.to_addr),
              "success")
    return redirect(url_for(".outbox"))
