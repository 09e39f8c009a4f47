"""Booking refusals: BookingError (a ServiceError with its messages beside it) and SlotTaken,
the refusal of a time someone else got first, which carries fresh times to offer instead."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from scheduler.domain.slots import SlotProblem, SlotSearch
from scheduler.extensions import db
from scheduler.formatting import format_local_range, localized
from scheduler.models import Application, StageTemplate
from scheduler.services.errors import N_, ServiceError, reader_language
from scheduler.services.slot_search import CandidateHours, find_slots


class BookingError(ServiceError):
    """A booking, move, cancellation, swap or decline was refused."""

    messages = {
        "application_closed": N_("This application is closed, so nothing can be booked for it."),
        "no_stages": N_("Choose at least one stage."),
        "repeated_stage": N_("A stage is listed twice."),
        "stage_not_schedulable": N_("This stage is not booked as an interview."),
        "already_booked": N_("This stage already has a booked interview: reschedule or cancel "
                             "that one instead."),
        "slot_taken": N_("This time was just taken."),
        "interview_not_live": N_("This interview is no longer scheduled, so it cannot be "
                                 "changed."),
        "not_on_panel": N_("%(name)s is not on this interview's panel."),
        "already_on_panel": N_("%(name)s is already on this interview's panel."),
        "reason_required": N_("Give a reason."),
        "candidate_busy": N_("The candidate already has an interview at this time: %(stage)s, "
                             "%(time)s."),
    }

    def render(self, params) -> str:
        """Name the clashing interview of a `candidate_busy` refusal by its stage and time."""
        return super().render(clash_params(params) if self.code == "candidate_busy" else params)


def clash_params(params) -> dict:
    """Return *params* of a `candidate_busy` refusal with the clashing interview's stage and time
    in the reader's language, the time in the params' `zone` (the reader's; UTC if none)."""
    language = reader_language()
    stage = db.session.get(StageTemplate, params["stage_id"])
    return {**params, "stage": localized(stage, "name", language) if stage is not None else "—",
            "time": format_local_range(params["start_at"], params["end_at"],
                                       params.get("zone") or "UTC", language)}


# Problems that mean someone else got there first (or time moved on), not a bad panel choice.
TIME_LOST_CODES = frozenset({"busy", "daily_cap", "weekly_cap", "outside_working_hours",
                             "unknown_interviewer", "too_soon", "too_far", "candidate_busy"})


class SlotTaken(BookingError):
    """The slot is no longer bookable; carries the engine's reasons (SlotProblem, worded by the
    web layer) and fresh slots to offer instead."""

    def __init__(self, problems: Sequence[SlotProblem], fresh: SlotSearch | None):
        super().__init__("slot_taken")
        self.problems = list(problems)
        self.fresh = fresh

    @classmethod
    def with_fresh_slots(cls, problems: Sequence[SlotProblem], application: Application,
                         stages: Sequence[StageTemplate], now: datetime, *,
                         hours: CandidateHours | None = None, break_minutes: int = 0,
                         exclude_interview_ids: Sequence[int] = ()) -> SlotTaken:
        """Return the refusal with the times still free for *stages*, searched again now."""
        return cls(problems, find_slots(application, stages, now, hours=hours,
                                        break_minutes=break_minutes,
                                        exclude_interview_ids=exclude_interview_ids))

    @property
    def is_time_lost(self) -> bool:
        """Tell whether the time itself is gone (so fresh times are the answer), rather than
        the chosen panel being wrong for it."""
        return not TIME_LOST_CODES.isdisjoint(p.code for p in self.problems)
