"""The coordinator's slot list as JSON: the route, reading its query, and describing each slot.

`GET /coordinator/applications/<id>/slots.json?stages=3,4&zone=Europe/London&break=15`

* ``stages``: the current stage's id (the default) or the ids of the opening's loop from it, in
  order — the same rule as the page and the links (`stages_to_book`), any other list is refused
  400 ``not_stage_or_loop``; a loop is searched back to back with ``break`` minutes between
  (default: the opening's `loop_break_minutes`);
* ``zone``: the candidate's zone to search in (default: the one stored on the candidate).

Every slot carries its UTC instants, the local start in the candidate's zone, each stage's panel
(ids, names, and each member's zone and local start there) and alternatives, the humane-hours
score and flags (translated), and the answer carries the holiday-data warnings (translated).
Names and zones are read in one query, whatever the size of the answer, and per-flag messages
are formatted from templates translated once.

Whether anything may be booked is the booking service's one rule (`booking_refusal`), which the
application page asks too: a closed application (rejected, withdrawn, hired, an offer) or a stage
already booked (alone or in a loop) is answered 409, a list of stages that could never be booked
(none, one twice, one that is not an interview) 400. Every refusal is a body
``{"code", "error", "details"}``: the refusal's code, its words in the coordinator's language, and
its parameters (the application's status, a stage's id).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scheduler.coordinator import bp
from scheduler.coordinator.access import application_or_404
from scheduler.domain.slots import EARLY, LATE, LoopSlot, Slot, SlotSearch
from scheduler.domain.workdays import warning_message
from scheduler.extensions import db
from scheduler.i18n import calendar_name, localized, zone_label
from scheduler.models import Application, InterviewerProfile, Office, StageTemplate, User
from scheduler.services.booking import BookingError, booking_refusal, stages_to_book
from scheduler.services.slot_search import CandidateHours, candidate_hours, find_slots
from scheduler.timeutil import canonical_zone, is_valid_zone
from scheduler.web import request_now, shows_candidate_data

MAX_BREAK_MINUTES = 240


# Refusals that are the application's state, not a fault of the query.
CONFLICT_CODES = frozenset({"application_closed", "already_booked"})


class SlotQueryError(ValueError):
    """The query string was refused: *code* names why, *message* says it (translatable)."""

    def __init__(self, code: str, message, **details):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.details = details


@dataclass(frozen=True)
class SlotQuery:
    """What to search: the stages in order, the candidate's hours and the break of a loop."""

    stages: tuple[StageTemplate, ...]
    hours: CandidateHours
    break_minutes: int


def read_slot_query(application: Application, args: Mapping[str, str]) -> SlotQuery:
    """Turn ?stages=&zone=&break= into a SlotQuery; raise SlotQueryError for a bad value."""
    by_id = {stage.id: stage for stage in application.requisition.stages}
    text = (args.get("stages") or "").strip()
    if text:
        try:
            ids = [int(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise SlotQueryError("bad_stages",
                                 _l("List stages by their ids, separated by commas.")) from None
    else:
        ids = [application.current_stage_id] if application.current_stage_id else []
    stages = []
    for stage_id in ids:
        stage = by_id.get(stage_id)
        if stage is None:
            raise SlotQueryError("unknown_stage", _l(
                "Stage %(id)s is not a stage of this application's requisition.", id=stage_id),
                stage_id=stage_id)
        stages.append(stage)
    zone = canonical_zone(args.get("zone")) or None
    if zone is not None and not is_valid_zone(zone):
        raise SlotQueryError("unknown_zone", _l("Unknown time zone: choose one from the list, "
                                                "such as Asia/Shanghai or Europe/London."))
    default_break = application.requisition.loop_break_minutes if len(stages) > 1 else 0
    try:
        break_minutes = int(args.get("break") or default_break)
    except ValueError:
        break_minutes = -1
    if not 0 <= break_minutes <= MAX_BREAK_MINUTES:
        raise SlotQueryError("bad_break", _l("The break must be between 0 and %(max)d minutes.",
                                             max=MAX_BREAK_MINUTES))
    return SlotQuery(tuple(stages), candidate_hours(application, stages[0], zone=zone),
                     break_minutes)


def scope_refusal(application: Application, stages) -> SlotQueryError | None:
    """Refuse a list that is neither the current stage nor the opening's loop from it: the page
    and the links offer only those (`stages_to_book`), so the JSON does too."""
    allowed = ([s.id for s in stages_to_book(application, as_loop=False)],
               [s.id for s in stages_to_book(application, as_loop=True)])
    if [stage.id for stage in stages] in allowed:
        return None
    return SlotQueryError("not_stage_or_loop", _l(
        "Search the current stage alone, or the opening's loop from it."))


def refusal_answer(refusal: BookingError, stages) -> tuple[dict, int]:
    """Answer the booking rule's refusal of *stages*: its code, words and parameters, with 409
    for the application's state and 400 for a list of stages that could never be booked."""
    if refusal.code == "no_stages":
        message = _("Choose at least one stage.")
    elif refusal.code == "repeated_stage":
        message = _("A stage is listed twice.")
    elif refusal.code == "stage_not_schedulable":
        stage = next(s for s in stages if s.id == refusal.params["stage_id"])
        message = _("The stage “%(name)s” is not an interview and has no times.",
                    name=localized(stage))
    else:  # the application's state, in the booking service's own words
        message = refusal.message
    status = 409 if refusal.code in CONFLICT_CODES else 400
    return {"code": refusal.code, "error": message, "details": refusal.params}, status


def _utc(instant: datetime) -> str:
    """Render an instant as ISO 8601 UTC with a Z (isoformat: several times faster than strftime)."""
    return instant.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _people(search: SlotSearch) -> dict[int, tuple[str, str]]:
    """Return the name and zone (their own, else their office's) of everyone on any panel, in
    one query."""
    ids = set()
    for slot in search.slots:
        for stage_slot in slot.stage_slots:
            ids.update(stage_slot.panel)
    if not ids:
        return {}
    return {who: (name, own_zone or office_zone) for who, name, own_zone, office_zone
            in db.session.execute(
                sa.select(InterviewerProfile.id, User.name, InterviewerProfile.zone, Office.zone)
                .join(User, User.id == InterviewerProfile.user_id)
                .join(Office, Office.id == InterviewerProfile.office_id)
                .where(InterviewerProfile.id.in_(ids)))}


def slots_payload(application: Application, query: SlotQuery, search: SlotSearch,
                  now: datetime) -> dict:
    """Describe a search for the coordinator's JSON: slots, panels, flags and warnings."""
    found = _people(search)
    names = {who: name for who, (name, _zone) in found.items()}
    zone = query.hours.zone
    tz = ZoneInfo(zone)
    # Translated once per answer; a long list would otherwise translate the same text per flag.
    templates = {
        (EARLY, True): _("Early for the candidate"),
        (LATE, True): _("Late for the candidate"),
        (EARLY, False): _("Early for %(name)s"),
        (LATE, False): _("Late for %(name)s"),
    }

    def flag(item) -> dict:
        is_candidate = item.interviewer_id is None
        name = "" if is_candidate else names.get(item.interviewer_id, str(item.interviewer_id))
        message = templates[(item.kind, is_candidate)]
        return {"kind": item.kind, "who": "candidate" if is_candidate else "interviewer",
                "interviewer_id": item.interviewer_id, "name": name,
                "message": message if is_candidate else message % {"name": name}}

    zones = {who: ZoneInfo(member_zone) for who, (_name, member_zone) in found.items()}
    stage_ids = [stage.id for stage in query.stages]

    def member(who: int, start: datetime) -> dict:
        if who not in found:
            return {"id": who, "name": "", "zone": "", "start_local": ""}
        name, member_zone = found[who]
        return {"id": who, "name": name, "zone": member_zone,
                "start_local": start.astimezone(zones[who]).isoformat()}

    def stage_part(stage_id: int, slot: Slot, start_at: str, end_at: str) -> dict:
        return {"stage_id": stage_id, "start_at": start_at, "end_at": end_at,
                "panel": [member(who, slot.start_at) for who in slot.panel],
                "alternatives": slot.alternatives}

    slots = []
    for slot in search.slots:
        start_at, end_at = _utc(slot.start_at), _utc(slot.end_at)
        if isinstance(slot, LoopSlot):
            parts = [stage_part(stage_id, part, _utc(part.start_at), _utc(part.end_at))
                     for stage_id, part in zip(stage_ids, slot.stages)]
        else:  # one stage: its times are the slot's
            parts = [stage_part(stage_ids[0], slot, start_at, end_at)]
        slots.append({
            "start_at": start_at,
            "end_at": end_at,
            "start_local": slot.start_at.astimezone(tz).isoformat(),
            "humane_score": slot.humane_score,
            "is_humane": not slot.flags,
            "flags": [flag(item) for item in slot.flags],
            "stages": parts,
        })
    return {
        "application_id": application.id,
        "candidate": {"name": application.candidate.name, "zone": application.candidate.zone},
        "zone": zone,
        "zone_label": zone_label(now, zone),
        "break_minutes": query.break_minutes if len(query.stages) > 1 else 0,
        "stages": [{"id": stage.id, "name": localized(stage), "kind": stage.kind,
                    "duration_minutes": stage.duration_minutes, "panel_size": stage.panel_size}
                   for stage in query.stages],
        "slots": slots,
        "warnings": [{"code": warning.code, "calendar_key": warning.calendar_key,
                      "year": warning.year,
                      "message": warning_message(warning, _, calendar_name)}
                     for warning in search.warnings],
    }


@bp.get("/applications/<int:application_id>/slots.json")
@shows_candidate_data("slots_json")
def application_slots(application_id: int):
    """Return an application's bookable slots as JSON (?stages=ids&zone=&break=)."""
    application = application_or_404(application_id)
    try:
        query = read_slot_query(application, request.args)
    except SlotQueryError as error:
        return jsonify(code=error.code, error=str(error.message), details=error.details), 400
    refusal = booking_refusal(application, query.stages)
    if refusal is not None:
        body, status = refusal_answer(refusal, query.stages)
        return jsonify(body), status
    scope = scope_refusal(application, query.stages)
    if scope is not None:
        return jsonify(code=scope.code, error=str(scope.message), details=scope.details), 400
    now = request_now()
    search = find_slots(application, query.stages, now, hours=query.hours,
                        break_minutes=query.break_minutes)
    return jsonify(slots_payload(application, query, search, now))
