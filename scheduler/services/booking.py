"""Booking without double-booking: book, move, cancel and swap interviews and loops.

Every change follows DESIGN.md §6:
1. lock the candidate's row (when the candidate's time is set: booking, moving), then the
   panel's profile rows (`UPDATE … SET lock_version = lock_version + 1`, one row at a time in
   ascending id order) — row locks on PostgreSQL; on SQLite the first write of the
   transaction, which takes the database write lock;
2. refuse a time that overlaps one of the candidate's own live interviews (`candidate_busy`),
   then re-run the engine's check for exactly that slot and panel with fresh data (busy time,
   buffers, working windows, caps);
3. write the interview(s) and one assignment row per panel member, kept in step, and bump the
   availability version of everyone whose seats changed (services/availability_cache.py).
On PostgreSQL an exclusion constraint on active assignments is the safety net under the lock.
A race's loser gets `SlotTaken` with fresh slots; other refusals are `BookingError`s, a missing
cross-border consent a `ConsentError` (services/consents.py), a person who may not see the
application `NotAllowed` (permissions.check_sees_application). Each change sends its invites and
sets its reminders; services flush, the request's or job's edge commits.

`booking_refusal` is the one rule for "can these stages be booked for this application now"
(open application, stages of its requisition that are interviews, none booked already), asked
by the coordinator's page, scheduling links and every booking here. `loop_stages` says which
stages may be booked back to back from the current one (loops are data: services/stages.py).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from scheduler.domain.slots import SlotProblem, loop_times
from scheduler.extensions import db
from scheduler.models import (
    Application, BookingGroup, Candidate, Interview, InterviewerAssignment, InterviewerProfile,
    StageTemplate, User,
)
from scheduler.services import invites, notices, reminders
from scheduler.services.consents import GivenConsent, require_cross_border
from scheduler.services.audit import record_event
from scheduler.services.availability_cache import bump_availability_version
from scheduler.services.booking_errors import BookingError, SlotTaken
from scheduler.services.candidate_time import candidate_interviews, interviews_around
from scheduler.services.emails import mail_domain
from scheduler.services.permissions import can_decline, check_sees_application
from scheduler.services.slot_search import TIME_PROBLEMS, CandidateHours, check_booking
from scheduler.services.stages import loop_run


Actor = User | str


def lock_candidate(candidate_id: int) -> None:
    """Take the booking lock on the candidate's row, before any interviewer's (one order for all:
    no two bookings wait for each other in a circle); on SQLite, the transaction's first write."""
    db.session.execute(
        sa.update(Candidate).where(Candidate.id == candidate_id)
        .values(lock_version=Candidate.lock_version + 1)
        .execution_options(synchronize_session=False)
    )


def candidate_busy_refusal(application: Application, start_at: datetime, end_at: datetime, *,
                           exclude_interview_ids=(), candidate_own=None) -> BookingError | None:
    """Say which live interview of the candidate's (any application) overlaps
    [start_at, end_at), leaving out *exclude_interview_ids*; None when there is none.

    The refusal names that interview's stage and time (ids and UTC instants: the page says
    them in its reader's language and zone). *candidate_own*: see `candidate_interviews`.
    """
    clash = candidate_interviews(application.candidate_id, start_at, end_at,
                                 exclude_interview_ids=exclude_interview_ids, among=candidate_own)
    if not clash:
        return None
    return BookingError("candidate_busy", interview_id=clash[0].id, stage_id=clash[0].stage_id,
                        start_at=clash[0].start_at, end_at=clash[0].end_at)


def lock_interviewers(interviewer_ids) -> None:
    """Take the booking lock on each interviewer's profile row, in ascending id order."""
    for interviewer_id in sorted(set(interviewer_ids)):
        db.session.execute(
            sa.update(InterviewerProfile).where(InterviewerProfile.id == interviewer_id)
            .values(lock_version=InterviewerProfile.lock_version + 1)
            .execution_options(synchronize_session=False)
        )
    # Everything read before the lock may be stale: read it again from here on.
    db.session.expire_all()


def read_again(application_id: int) -> None:
    """Read the application, its candidate, opening and current stage again in one statement."""
    db.session.execute(sa.select(Application).where(Application.id == application_id).options(
        joinedload(Application.candidate), joinedload(Application.requisition),
        joinedload(Application.current_stage))).all()


def loop_stage_starts(stages: Sequence[StageTemplate], start_at: datetime,
                      break_minutes: int) -> list[tuple[datetime, datetime]]:
    """Return each stage's [start, end) when a loop starts at *start_at* (the engine's rule)."""
    return loop_times([timedelta(minutes=s.duration_minutes) for s in stages], start_at,
                      timedelta(minutes=break_minutes))


def _snapshot(interview: Interview) -> dict:
    return {
        "start_at": interview.start_at.isoformat(), "end_at": interview.end_at.isoformat(),
        "status": interview.status, "sequence": interview.sequence,
        "panel": [a.interviewer_id for a in interview.active_assignments],
    }


def _new_uid() -> str:
    return f"interview-{uuid.uuid4()}@{mail_domain()}"


def loop_stages(application: Application) -> list[StageTemplate]:
    """Return the opening's loop that starts at the application's current stage: that stage and
    the stages joined to it (empty when it starts none)."""
    if application.current_stage is None:
        return []
    return loop_run(list(application.requisition.stages), application.current_stage)


def stages_to_book(application: Application, *, as_loop: bool) -> list[StageTemplate]:
    """Return the loop from the current stage when asked for and there is one, else the
    current stage alone (nothing when the application has no current stage)."""
    loop = loop_stages(application) if as_loop else []
    if loop:
        return loop
    return [application.current_stage] if application.current_stage is not None else []


def stages_refusal(application: Application, stages: Sequence[StageTemplate]
                   ) -> BookingError | None:
    """Say why *stages* could never be booked together for *application* (none, one listed
    twice, one that is not an interview of its requisition's process — archived stages are
    not), or return None."""
    if not stages:
        return BookingError("no_stages")
    if len({stage.id for stage in stages}) != len(stages):
        return BookingError("repeated_stage")
    for stage in stages:
        if (stage.requisition_id != application.requisition_id or not stage.is_schedulable
                or stage.archived_at is not None):
            return BookingError("stage_not_schedulable", stage_id=stage.id)
    return None


def booking_refusal(application: Application, stages: Sequence[StageTemplate]
                    ) -> BookingError | None:
    """Say why *stages* cannot be booked for *application* now, or return None: the one rule.

    The application must be open for booking, the stages must pass `stages_refusal`, and none
    of them may hold a scheduled interview already (the refusal names the first such stage).
    """
    if not application.is_open_for_booking:
        return BookingError("application_closed", status=application.status)
    refusal = stages_refusal(application, stages)
    if refusal is not None:
        return refusal
    booked = set(db.session.scalars(sa.select(Interview.stage_id).where(
        Interview.application_id == application.id,
        Interview.stage_id.in_([stage.id for stage in stages]),
        Interview.status == Interview.SCHEDULED)))
    stage = next((stage for stage in stages if stage.id in booked), None)
    return BookingError("already_booked", stage_id=stage.id) if stage is not None else None


def _insert_checked(write, application, stages, now, hours, break_minutes, exclude=()):
    """Run *write* in a savepoint; turn a database-level refusal into a clear error."""
    try:
        with db.session.begin_nested():
            return write()
    except IntegrityError as error:
        text = str(error.orig)
        if "uq_interview_live_stage" in text or "interview.application_id" in text:
            raise BookingError("already_booked") from error
        if "ex_interviewer_assignment_no_overlap" in text:
            raise SlotTaken.with_fresh_slots(
                [SlotProblem("busy")], application, stages, now, hours=hours,
                break_minutes=break_minutes, exclude_interview_ids=exclude) from error
        raise


def book_interview(actor: Actor, application: Application, stage: StageTemplate,
                   start_at: datetime, panel: Sequence[int], now: datetime, *,
                   hours: CandidateHours | None = None, video_url: str = "",
                   location: str = "", consent: GivenConsent | None = None) -> Interview:
    """Book one stage at *start_at* with *panel* (interviewer ids), after a fresh check."""
    group = book_loop(actor, application, [stage], start_at, [panel], now, hours=hours,
                      break_minutes=0, video_url=video_url, location=location, as_group=False,
                      consent=consent)
    return group[0]


def book_loop(actor: Actor, application: Application, stages: Sequence[StageTemplate],
              start_at: datetime, panels: Sequence[Sequence[int]], now: datetime, *,
              hours: CandidateHours | None = None, break_minutes: int = 0, video_url: str = "",
              location: str = "", as_group: bool = True,
              consent: GivenConsent | None = None) -> list[Interview]:
    """Book several stages back to back as one group: all of them or none.

    *consent* is a cross-border consent given with the booking (services/consents.py).
    """
    check_sees_application(actor, application)
    stages = list(stages)
    application_id = application.id  # read before the lock expires it
    lock_candidate(application.candidate_id)
    lock_interviewers(i for panel in panels for i in panel)
    read_again(application_id)
    # Asked after the lock (which may have waited for another booking), so what committed
    # meanwhile is seen; the unique index on live interviews catches the rest.
    refusal = booking_refusal(application, stages)
    if refusal is not None:
        raise refusal
    end_at = loop_stage_starts(stages, start_at, break_minutes)[-1][1]
    # The candidate's own interviews, read once: for the clash and the re-check's busy time.
    own = interviews_around(application.candidate_id, stages, start_at, end_at, now)
    refusal = candidate_busy_refusal(application, start_at, end_at, candidate_own=own)
    if refusal is not None:
        raise refusal
    problems = check_booking(application, stages, start_at, panels, now, hours=hours,
                             break_minutes=break_minutes, candidate_own=own)
    if problems:
        raise SlotTaken.with_fresh_slots(problems, application, stages, now, hours=hours,
                                         break_minutes=break_minutes)
    require_cross_border(actor, application, panels, now, consent)

    def write() -> list[Interview]:
        group = None
        if as_group and len(stages) > 1:
            group = BookingGroup(application_id=application.id, break_minutes=break_minutes,
                                 created_at=now)
            db.session.add(group)
        interviews = []
        for stage, panel, (stage_start, stage_end) in zip(
                stages, panels, loop_stage_starts(stages, start_at, break_minutes)):
            interview = Interview(
                application_id=application.id, stage_id=stage.id, booking_group=group,
                start_at=stage_start, end_at=stage_end, status=Interview.SCHEDULED,
                video_url=video_url, location=location, calendar_uid=_new_uid(), sequence=0,
                booked_by_id=actor.id if isinstance(actor, User) else None,
                created_at=now, updated_at=now,
            )
            interview.assignments = [
                InterviewerAssignment(interviewer_id=i, role="lead" if n == 0 else "member",
                                      start_at=stage_start, end_at=stage_end, is_active=True)
                for n, i in enumerate(panel)
            ]
            db.session.add(interview)
            interviews.append(interview)
        db.session.flush()
        return interviews

    interviews = _insert_checked(write, application, stages, now, hours, break_minutes)
    bump_availability_version(i for panel in panels for i in panel)
    for interview in interviews:
        record_event(actor, "interview.booked", interview, now=now, after=_snapshot(interview))
        invites.interview_booked(interview, actor=actor, now=now)
        reminders.schedule_reminders(interview, now, is_new=True)
    db.session.flush()
    return interviews


def _require_live(interview: Interview) -> None:
    if interview.status != Interview.SCHEDULED:
        raise BookingError("interview_not_live", status=interview.status)


def reschedule_interview(actor: Actor, interview: Interview, start_at: datetime,
                         now: datetime, *, panels: Sequence[Sequence[int]] | None = None,
                         hours: CandidateHours | None = None, reason: str = "",
                         consent: GivenConsent | None = None) -> list[Interview]:
    """Move an interview (its whole loop, if any) to *start_at*; UIDs stay, sequences rise.

    A new panel that reaches a country the candidate has not consented to needs *consent*.
    """
    check_sees_application(actor, interview.application)
    interviews = interview.live_group
    old_panels = [[a.interviewer_id for a in i.active_assignments] for i in interviews]
    panels = [list(p) for p in (panels or old_panels)]
    lock_candidate(interview.application.candidate_id)
    lock_interviewers({i for p in old_panels + panels for i in p})
    for item in interviews:
        db.session.refresh(item)
        _require_live(item)
    application = interview.application
    stages = [i.stage for i in interviews]
    break_minutes = interview.booking_group.break_minutes if interview.booking_group else 0
    excluded = [i.id for i in interviews]
    refusal = candidate_busy_refusal(
        application, start_at, loop_stage_starts(stages, start_at, break_minutes)[-1][1],
        exclude_interview_ids=excluded)
    if refusal is not None:
        raise refusal
    problems = check_booking(application, stages, start_at, panels, now, hours=hours,
                             break_minutes=break_minutes, exclude_interview_ids=excluded)
    if problems:
        raise SlotTaken.with_fresh_slots(problems, application, stages, now, hours=hours,
                                         break_minutes=break_minutes,
                                         exclude_interview_ids=excluded)
    require_cross_border(actor, application, panels, now, consent)

    befores = [_snapshot(i) for i in interviews]
    states = [invites.state_of(i) for i in interviews]

    def write():
        for item, panel, (stage_start, stage_end) in zip(
                interviews, panels, loop_stage_starts(stages, start_at, break_minutes)):
            item.start_at, item.end_at = stage_start, stage_end
            item.sequence += 1
            item.updated_at = now
            _set_panel(item, panel)
        db.session.flush()

    _insert_checked(write, application, stages, now, hours, break_minutes, excluded)
    bump_availability_version(i for p in old_panels + panels for i in p)
    for item, before, state in zip(interviews, befores, states):
        record_event(actor, "interview.rescheduled", item, now=now, before=before,
                     after=_snapshot(item), note=reason)
        invites.interview_changed(item, before=state, actor=actor, now=now)
        reminders.schedule_reminders(item, now)
    db.session.flush()
    return interviews


def _set_panel(interview: Interview, panel: Sequence[int]) -> None:
    """Make the active seats match *panel* and the interview's time (the invites tell who left)."""
    by_interviewer = {a.interviewer_id: a for a in interview.active_assignments}
    for interviewer_id, seat in by_interviewer.items():
        if interviewer_id not in panel:
            seat.is_active = False
    for n, interviewer_id in enumerate(panel):
        seat = by_interviewer.get(interviewer_id)
        if seat is None:
            seat = InterviewerAssignment(interviewer_id=interviewer_id, is_active=True,
                                         role="lead" if n == 0 else "member",
                                         start_at=interview.start_at, end_at=interview.end_at)
            interview.assignments.append(seat)
        seat.start_at, seat.end_at = interview.start_at, interview.end_at


def cancel_interview(actor: Actor, interview: Interview, now: datetime, *,
                     reason: str = "") -> list[Interview]:
    """Cancel an interview (its whole loop, if any); time is freed, sequences rise."""
    check_sees_application(actor, interview.application)
    interviews = interview.live_group
    panel_ids = {a.interviewer_id for i in interviews for a in i.active_assignments}
    lock_interviewers(panel_ids)
    for item in interviews:
        db.session.refresh(item)
        _require_live(item)
    bump_availability_version(panel_ids)
    for item in interviews:
        before = _snapshot(item)
        state = invites.state_of(item)  # the panel as it was, before its seats are freed
        item.status = Interview.CANCELLED
        item.cancel_reason = reason
        item.sequence += 1
        item.updated_at = now
        for seat in item.assignments:
            seat.is_active = False
        db.session.flush()
        record_event(actor, "interview.cancelled", item, now=now, before=before,
                     after=_snapshot(item), note=reason)
        invites.interview_cancelled(item, before=state, actor=actor, now=now)
        reminders.drop_reminders(item)
    db.session.flush()
    return interviews


def _person_name(interviewer_id: int) -> str:
    """Name an interviewer in a refusal (the web layer may name them with their office)."""
    profile = db.session.get(InterviewerProfile, interviewer_id)
    return profile.user.name if profile is not None else str(interviewer_id)


def swap_interviewer(actor: Actor, interview: Interview, old_interviewer_id: int,
                     new_interviewer_id: int, now: datetime, *, reason: str = "",
                     consent: GivenConsent | None = None) -> Interview:
    """Replace one panel member, keeping the time and the UID; the sequence rises.

    A newcomer from a country the candidate has not consented to needs *consent*.
    """
    check_sees_application(actor, interview.application)
    lock_interviewers([old_interviewer_id, new_interviewer_id])
    db.session.refresh(interview)
    _require_live(interview)
    panel = [a.interviewer_id for a in interview.active_assignments]
    if old_interviewer_id not in panel:
        raise BookingError("not_on_panel", "old", interviewer_id=old_interviewer_id,
                           name=_person_name(old_interviewer_id))
    if new_interviewer_id in panel:
        raise BookingError("already_on_panel", "new", interviewer_id=new_interviewer_id,
                           name=_person_name(new_interviewer_id))
    new_panel = [new_interviewer_id if i == old_interviewer_id else i for i in panel]
    others = interview.live_group
    group_panels = [new_panel if i.id == interview.id else
                    [a.interviewer_id for a in i.active_assignments] for i in others]
    stages = [i.stage for i in others]
    break_minutes = interview.booking_group.break_minutes if interview.booking_group else 0
    problems = check_booking(interview.application, stages, others[0].start_at, group_panels, now,
                             break_minutes=break_minutes,
                             exclude_interview_ids=[i.id for i in others])
    # Notice and horizon concern the candidate's choice of time, which a swap does not change.
    problems = [p for p in problems if p.code not in TIME_PROBLEMS]
    if problems:
        raise SlotTaken(problems, None)
    require_cross_border(actor, interview.application, group_panels, now, consent)
    before = _snapshot(interview)
    state = invites.state_of(interview)

    def write():
        _set_panel(interview, new_panel)
        interview.sequence += 1
        interview.updated_at = now
        db.session.flush()

    _insert_checked(write, interview.application, stages, now, None, break_minutes)
    bump_availability_version([old_interviewer_id, new_interviewer_id])
    record_event(actor, "interview.panel_swapped", interview, now=now, before=before,
                 after=_snapshot(interview), note=reason)
    invites.interview_changed(interview, before=state, actor=actor, now=now)
    reminders.schedule_reminders(interview, now)
    db.session.flush()
    return interview


def decline_interview(actor: User, interview: Interview, reason: str, now: datetime) -> None:
    """Record that a panel member cannot make it and tell the opening's coordinators, who
    then swap someone in."""
    _require_live(interview)
    profile = actor.interviewer_profile
    if not can_decline(actor, interview):
        raise BookingError("not_on_panel", interviewer_id=profile.id if profile else None,
                           name=actor.name)
    seat = next(a for a in interview.active_assignments if a.interviewer_id == profile.id)
    if not reason.strip():
        raise BookingError("reason_required", "reason")
    seat.declined_at = now
    seat.decline_reason = reason.strip()
    # The seat still counts until someone is swapped in; what shows the decline must not be stale.
    bump_availability_version([profile.id])
    record_event(actor, "interview.declined", interview, now=now,
                 after={"interviewer_id": profile.id}, note=reason.strip())
    db.session.flush()
    notices.interviewer_declined(seat, now)
