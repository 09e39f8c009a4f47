"""An opening's ordered stages: add, edit, move up or down, remove; and its loops, which are data.

Every value of a stage is checked here, each bad one refused beside its field and all of them
together, so nothing is written on a refusal. A loop is a run of consecutive live stages joined
by `is_looped_with_next`, each an interview with a panel (`StageTemplate.is_loopable`);
`loop_run` is the one reading of that data (the coordinator's booking and the candidate links
both ask it through services/booking.py `loop_stages`). A stage in a loop keeps the loop valid:
it cannot lose its panel, move or be removed until it is taken out of the loop.

Removing a stage is refused while an application still in the process (active, on hold or at
offer) stands at it, or an interview of it is still to come. A stage that anything refers to
(past or cancelled interviews, links, closed applications) is archived — kept for history,
hidden from the process — and any other is deleted; the live stages after it move up one.
Live positions stay unique at every statement (the database checks each row on both SQLite and
PostgreSQL), so a swap parks one stage at position 0, which no live stage uses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import Application, Interview, Requisition, SchedulingLink, StageTemplate, User
from scheduler.models.requisition import STAGE_KINDS, STAGE_MODES
from scheduler.models.user import QUALIFICATION_LEVELS
from scheduler.services.audit import record_event
from scheduler.services.errors import N_, ServiceError
from scheduler.services.permissions import check_can_manage_openings

# Interviews whose kind needs a panel; a coding test may run without a proctor.
PANEL_KINDS = ("phone_screen", "system_design", "project_deep_dive", "hr_final")
OFFER = "offer"
STEP_CHOICES = (5, 10, 15, 20, 30, 60)
LOOP_BREAK_CHOICES = (0, 10, 15, 20, 30)
# (field, lowest, highest) of every whole-number field.
RANGES = {
    "duration_minutes": (5, 480), "panel_size": (0, 6), "buffer_before_minutes": (0, 120),
    "buffer_after_minutes": (0, 120), "min_notice_minutes": (0, 20160), "horizon_days": (1, 90),
    "reschedule_cutoff_hours": (0, 168), "feedback_due_hours": (1, 336), "sla_days": (1, 90),
}
NAME_MAX, DESCRIPTION_MAX = 100, 2000
FIELDS = ("name_zh", "name_en", "kind", "mode", "duration_minutes", "panel_size", "required_level",
          "is_senior_seat_required", "buffer_before_minutes", "buffer_after_minutes",
          "min_notice_minutes", "horizon_days", "step_minutes", "candidate_day_start",
          "candidate_day_end", "reschedule_cutoff_hours", "feedback_due_hours", "sla_days",
          "description_zh", "description_en")


class StageError(ServiceError):
    """A stage, its place in the order, its removal or the opening's loops were refused."""

    messages = {
        "name_missing": N_("Give the stage a name."),
        "too_long": N_("At most %(max)d characters."),
        "bad_kind": N_("Choose a kind of stage from the list."),
        "bad_mode": N_("Choose how the stage takes place from the list."),
        "bad_level": N_("Choose a qualification level from the list."),
        "bad_step": N_("Choose a start-time granularity from the list."),
        "out_of_range": N_("Enter a whole number from %(min)d to %(max)d."),
        "time_missing": N_("Give a time, such as 09:00."),
        "hours_order": N_("The candidate's hours must start before they end."),
        "horizon_within_notice": N_("The booking horizon must reach past the minimum notice."),
        "panel_needed": N_("This kind of interview needs a panel of at least one interviewer."),
        "senior_needs_panel": N_("A senior seat needs a panel of at least one interviewer."),
        "offer_no_duration": N_("An offer is not an interview: leave the duration at 0."),
        "offer_no_panel": N_("An offer has no panel: leave it at 0."),
        "offer_no_senior": N_("An offer has no panel, so no senior seat."),
        "sla_missing": N_("Give the number of days within which the offer must go out."),
        "sla_offer_only": N_("Only an offer stage has an SLA: leave this empty."),
        "loop_keeps_panel": N_("Stage %(position)d is booked in a loop, which needs an interview "
                               "with a panel: take it out of the loop first."),
        "in_loop": N_("Stage %(position)d is part of a loop: take it out of the loop first."),
        "at_edge": N_("Stage %(position)d cannot move further that way."),
        "applications_at_stage": N_("Applications still at this stage: %(num)d. Move them on, "
                                    "or close them, before removing it."),
        "interviews_to_come": N_("Interviews of this stage still to come: %(num)d. Cancel or "
                                 "move them before removing it."),
        "loop_unknown_stage": N_("Stage %(position)d is not a stage of this opening."),
        "loop_last_stage": N_("Stage %(position)d is the last stage: there is no next stage "
                              "to book it with."),
        "loop_not_loopable": N_("Stages %(position)d and %(next)d cannot be booked back to "
                                "back: both must be interviews with a panel."),
        "bad_break": N_("Choose a break from the list."),
    }


# --- reading the loops ------------------------------------------------------------------------


def loop_run(stages: list[StageTemplate], first: StageTemplate) -> list[StageTemplate]:
    """Return *first* and the stages after it that its loop joins, in order (empty when *first*
    is not in *stages* — the opening's live stages — or starts no loop)."""
    if first not in stages:
        return []
    index = stages.index(first)
    run = [first]
    while (run[-1].is_looped_with_next and run[-1].is_loopable and index + 1 < len(stages)
           and stages[index + 1].is_loopable):
        index += 1
        run.append(stages[index])
    return run if len(run) > 1 else []


def loops_of(requisition: Requisition) -> list[list[StageTemplate]]:
    """Return the opening's loops, each a run of stages, in order."""
    stages = list(requisition.stages)
    loops = []
    for index, stage in enumerate(stages):
        if index and stages[index - 1].is_looped_with_next:
            continue  # inside a loop that started earlier
        run = loop_run(stages, stage)
        if run:
            loops.append(run)
    return loops


def _is_in_loop(stage: StageTemplate) -> bool:
    """Tell whether a loop joins *stage* to the stage before or after it."""
    stages = list(stage.requisition.stages)
    if stage not in stages:
        return False
    index = stages.index(stage)
    return stage.is_looped_with_next or (index > 0 and stages[index - 1].is_looped_with_next)


# --- adding and editing -----------------------------------------------------------------------


def _text(value) -> str:
    return (value or "").strip()


# An offer leaves these empty (or 0): it is not an interview. (Its feedback hours are not
# asked: they are cleared.)
_OFFER_EMPTY = {"duration_minutes": "offer_no_duration", "panel_size": "offer_no_panel"}


def _number_refusals(values: dict, is_offer: bool) -> list[StageError]:
    """Refuse each whole-number field out of its range, or set where the kind has none."""
    refusals = []
    for name, (low, high) in RANGES.items():
        value = values[name]
        if is_offer and name in _OFFER_EMPTY:
            if value:
                refusals.append(StageError(_OFFER_EMPTY[name], name))
        elif is_offer and name == "feedback_due_hours":
            continue
        elif name == "sla_days" and not is_offer:
            if value is not None:
                refusals.append(StageError("sla_offer_only", name))
        elif name == "sla_days" and value is None:
            refusals.append(StageError("sla_missing", name))
        elif value is None or not low <= value <= high:
            refusals.append(StageError("out_of_range", name, min=low, max=high))
    return refusals


def _checked(values: dict, stage: StageTemplate | None) -> list[StageError]:
    """Return every refusal of *values* (a stage's fields), each naming its field."""
    refusals = []
    for name in ("name_zh", "name_en"):
        if not values[name]:
            refusals.append(StageError("name_missing", name))
        elif len(values[name]) > NAME_MAX:
            refusals.append(StageError("too_long", name, max=NAME_MAX))
    for name in ("description_zh", "description_en"):
        if len(values[name]) > DESCRIPTION_MAX:
            refusals.append(StageError("too_long", name, max=DESCRIPTION_MAX))
    kind = values["kind"]
    if kind not in STAGE_KINDS:
        refusals.append(StageError("bad_kind", "kind"))
    if values["mode"] not in STAGE_MODES:
        refusals.append(StageError("bad_mode", "mode"))
    if values["required_level"] not in QUALIFICATION_LEVELS:
        refusals.append(StageError("bad_level", "required_level"))
    if values["step_minutes"] not in STEP_CHOICES:
        refusals.append(StageError("bad_step", "step_minutes"))
    is_offer = kind == OFFER
    refusals += _number_refusals(values, is_offer)
    panel = values["panel_size"] or 0
    if kind in PANEL_KINDS and values["panel_size"] == 0:
        refusals.append(StageError("panel_needed", "panel_size"))
    if values["is_senior_seat_required"]:
        if is_offer:
            refusals.append(StageError("offer_no_senior", "is_senior_seat_required"))
        elif panel < 1:
            refusals.append(StageError("senior_needs_panel", "is_senior_seat_required"))
    start, end = values["candidate_day_start"], values["candidate_day_end"]
    for name, value in (("candidate_day_start", start), ("candidate_day_end", end)):
        if not isinstance(value, time):
            refusals.append(StageError("time_missing", name))
    if isinstance(start, time) and isinstance(end, time) and not start < end:
        refusals.append(StageError("hours_order", "candidate_day_end"))
    notice, horizon = values["min_notice_minutes"], values["horizon_days"]
    if not is_offer and notice is not None and horizon is not None \
            and horizon * 24 * 60 <= notice:
        refusals.append(StageError("horizon_within_notice", "horizon_days"))
    if stage is not None and _is_in_loop(stage) and (is_offer or panel < 1):
        refusals.append(StageError("loop_keeps_panel", "panel_size" if not is_offer else "kind",
                                   position=stage.position))
    return refusals


def _values(details: dict) -> dict:
    """Return *details* trimmed; an offer's empty duration and panel are 0, and it has no
    feedback to wait for."""
    values = {name: details.get(name) for name in FIELDS}
    for name in ("name_zh", "name_en", "description_zh", "description_en", "kind", "mode",
                 "required_level"):
        values[name] = _text(values[name])
    values["is_senior_seat_required"] = bool(values["is_senior_seat_required"])
    if values["kind"] == OFFER:
        values["duration_minutes"] = values["duration_minutes"] or 0
        values["panel_size"] = values["panel_size"] or 0
        values["feedback_due_hours"] = None
    return values


def new_stage_defaults() -> dict:
    """Return the model's defaults for a new stage's fields (what the add form starts with)."""
    columns = StageTemplate.__table__.columns
    return {name: columns[name].default.arg for name in FIELDS
            if columns[name].default is not None and not callable(columns[name].default.arg)}


def snapshot(stage: StageTemplate) -> dict:
    """Return what the audit trail keeps of a stage (times as HH:MM)."""
    values = {name: getattr(stage, name) for name in FIELDS}
    for name in ("candidate_day_start", "candidate_day_end"):
        values[name] = values[name].strftime("%H:%M")
    return values | {"position": stage.position, "is_looped_with_next": stage.is_looped_with_next}


def create_stage(actor: User, requisition: Requisition, details: dict, now: datetime
                 ) -> StageTemplate:
    """Check *details* (the stage's FIELDS) and add the stage at the end of the process."""
    check_can_manage_openings(actor)
    values = _values(details)
    refusals = _checked(values, None)
    if refusals:
        raise StageError.together(refusals)
    last = max((s.position for s in requisition.stages), default=0)
    # A None would let the column's default (24 hours) fill it in on insert: say NULL.
    nulls = {name: sa.null() for name in ("feedback_due_hours", "sla_days")
             if values[name] is None}
    stage = StageTemplate(requisition_id=requisition.id, position=last + 1, **(values | nulls))
    db.session.add(stage)
    db.session.flush()
    db.session.expire(requisition, ["stages"])
    record_event(actor, "stage.created", stage, now=now, after=snapshot(stage))
    return stage


def update_stage(actor: User, stage: StageTemplate, details: dict, now: datetime
                 ) -> StageTemplate:
    """Check *details* and change the stage; every bad field is refused together."""
    check_can_manage_openings(actor)
    values = _values(details)
    refusals = _checked(values, stage)
    if refusals:
        raise StageError.together(refusals)
    before = snapshot(stage)
    for name, value in values.items():
        setattr(stage, name, value)
    db.session.flush()
    after = snapshot(stage)
    if after != before:
        record_event(actor, "stage.updated", stage, now=now, before=before, after=after)
    return stage


# --- order and removal ------------------------------------------------------------------------


def _set_position(stage: StageTemplate, position: int) -> None:
    """Move one stage, flushed at once so the database checks one row at a time."""
    stage.position = position
    db.session.flush()


def move_stage(actor: User, stage: StageTemplate, direction: str, now: datetime) -> None:
    """Swap *stage* with the live stage before it ("up") or after it ("down")."""
    check_can_manage_openings(actor)
    stages = list(stage.requisition.stages)
    index = stages.index(stage) + (-1 if direction == "up" else 1)
    if direction not in ("up", "down") or not 0 <= index < len(stages):
        raise StageError("at_edge", position=stage.position)
    other = stages[index]
    for moving in (stage, other):
        if _is_in_loop(moving):
            raise StageError("in_loop", position=moving.position)
    mine, theirs = stage.position, other.position
    _set_position(stage, 0)  # parked: no live stage is at 0
    _set_position(other, mine)
    _set_position(stage, theirs)
    db.session.expire(stage.requisition, ["stages"])
    record_event(actor, "stage.moved", stage, now=now, before={"position": mine},
                 after={"position": theirs})


@dataclass(frozen=True)
class RemovalPlan:
    """What removing a stage would do: the refusal, or whether the row is kept (archived)."""

    refusal: StageError | None
    is_archived: bool
    interview_count: int


def removal_plan(stage: StageTemplate, now: datetime) -> RemovalPlan:
    """Say whether *stage* may be removed now and whether it would be archived or deleted."""
    in_process = db.session.scalar(sa.select(sa.func.count(Application.id)).where(
        Application.current_stage_id == stage.id,
        Application.status.in_(Application.OPEN_STATUSES + (Application.OFFER,))))
    to_come = db.session.scalar(sa.select(sa.func.count(Interview.id)).where(
        Interview.stage_id == stage.id, Interview.status == Interview.SCHEDULED,
        Interview.end_at > now))
    interviews = db.session.scalar(sa.select(sa.func.count(Interview.id)).where(
        Interview.stage_id == stage.id))
    refusal = None
    if in_process:
        refusal = StageError("applications_at_stage", num=in_process)
    elif to_come:
        refusal = StageError("interviews_to_come", num=to_come)
    elif _is_in_loop(stage):
        refusal = StageError("in_loop", position=stage.position)
    closed_here = db.session.scalar(sa.select(sa.func.count(Application.id)).where(
        Application.current_stage_id == stage.id))
    links = db.session.scalars(sa.select(SchedulingLink.stage_ids).join(Application).where(
        Application.requisition_id == stage.requisition_id))
    is_referred_to = bool(interviews or closed_here) or any(stage.id in ids for ids in links)
    return RemovalPlan(refusal, is_referred_to, interviews)


def remove_stage(actor: User, stage: StageTemplate, now: datetime) -> RemovalPlan:
    """Take *stage* out of the process (archived if anything refers to it, else deleted); the
    stages after it move up one."""
    check_can_manage_openings(actor)
    plan = removal_plan(stage, now)
    if plan.refusal is not None:
        raise plan.refusal
    requisition = stage.requisition
    after = [s for s in requisition.stages if s.position > stage.position]
    record_event(actor, "stage.archived" if plan.is_archived else "stage.deleted", stage,
                 now=now, before=snapshot(stage))
    if plan.is_archived:
        stage.archived_at = now
        db.session.flush()
    else:
        db.session.delete(stage)
        db.session.flush()
    for later in after:  # in order: each moves into the place just freed
        _set_position(later, later.position - 1)
    db.session.expire(requisition, ["stages"])
    return plan


def archived_stages(requisition: Requisition) -> list[StageTemplate]:
    """Return the opening's archived stages, most recently archived first."""
    return list(db.session.scalars(sa.select(StageTemplate).where(
        StageTemplate.requisition_id == requisition.id, StageTemplate.archived_at.is_not(None))
        .order_by(StageTemplate.archived_at.desc(), StageTemplate.id.desc())))


# --- loops ------------------------------------------------------------------------------------


def set_loops(actor: User, requisition: Requisition, looped_stage_ids, break_minutes: int | None,
              now: datetime) -> None:
    """Join each stage in *looped_stage_ids* to the next one as a loop (the others not), and set
    the default break; refused beside the field when a pair could not be a loop."""
    check_can_manage_openings(actor)
    stages = list(requisition.stages)
    by_id = {stage.id: stage for stage in stages}
    wanted = set(looped_stage_ids)
    refusals = []
    for stage_id in sorted(wanted, key=lambda i: by_id[i].position if i in by_id else 0):
        stage = by_id.get(stage_id)
        if stage is None:
            refusals.append(StageError("loop_unknown_stage", "looped", position=stage_id))
            continue
        index = stages.index(stage)
        if index + 1 == len(stages):
            refusals.append(StageError("loop_last_stage", "looped", position=stage.position))
        elif not (stage.is_loopable and stages[index + 1].is_loopable):
            refusals.append(StageError("loop_not_loopable", "looped", position=stage.position,
                                       next=stages[index + 1].position))
    if break_minutes not in LOOP_BREAK_CHOICES:
        refusals.append(StageError("bad_break", "break_minutes"))
    if refusals:
        raise StageError.together(refusals)
    before = {"looped": [s.id for s in stages if s.is_looped_with_next],
              "break_minutes": requisition.loop_break_minutes}
    for stage in stages:
        stage.is_looped_with_next = stage.id in wanted
    requisition.loop_break_minutes = break_minutes
    db.session.flush()
    after = {"looped": [s.id for s in stages if s.is_looped_with_next],
             "break_minutes": requisition.loop_break_minutes}
    if after != before:
        record_event(actor, "requisition.loops_changed", requisition, now=now, before=before,
                     after=after)
