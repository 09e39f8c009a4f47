"""What a candidate does through a scheduling link: see the times, book one, move or cancel
the booking before the stage's cutoff, change their time zone, language or acceptable hours.

Every booking goes through scheduler/services/booking.py (lock, re-check, write, invites), with
the panel a fresh search assigns to the chosen start; actions are audited with the link's actor
label. Creating, sending and opening links is scheduler/services/links.py. A refusal is a
`LinkBookingError`, worded for the candidate with the recruiting team's address; the booking
service's refusals reach the candidate in those words too (a time just taken stays `SlotTaken`,
with fresh times). Services flush; the request's edge commits.

Booking or moving through a link needs the candidate's acknowledgement of the current privacy
notice (its version, posted by the confirm step, is stored with the time), and, when the panel,
the opening's coordinators or the admins include staff outside mainland China, their separate
consent for each such country not already covered (services/consents.py): the confirm step asks
for both, and a refusal names what is missing.
"""
from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from scheduler.domain.slots import SlotProblem, SlotSearch, slot_at as engine_slot_at
from scheduler.extensions import db
from scheduler.models import Interview, SchedulingLink, StageTemplate
from scheduler.models.user import LANGUAGES
from scheduler.services import booking, consents, notices, slot_search
from scheduler.services.audit import record_event
from scheduler.services.booking_errors import clash_params
from scheduler.services.emails import organizer_address
from scheduler.services.errors import N_, reader_language
from scheduler.services.privacy_notices import current_version
from scheduler.services.links import (
    LinkError, actor_label, link_stages, live_interviews, proposal,
)
from scheduler.services.slot_search import CandidateHours
from scheduler.timeutil import canonical_zone, is_valid_zone, same_zone


class LinkBookingError(LinkError):
    """What the candidate tried through their link was refused; every message can name the
    recruiting team's address (`contact`) to write to."""

    messages = {
        "past_cutoff": N_("Changes through this page close %(hours)d hours before the interview. "
                          "To change it now, write to %(contact)s."),
        "expired": N_("The time to choose has passed. Write to %(contact)s for a new link."),
        "cancelled": N_("This interview was cancelled. Write to %(contact)s to arrange a new "
                        "time."),
        "not_booked": N_("Nothing is booked through this link yet."),
        "unknown_zone": N_("We do not know that time zone. Choose one from the list, for "
                           "example Asia/Shanghai or Europe/London."),
        "bad_hours": N_("The end must be later than the start."),
        # The booking service's refusals (services/booking.py), as the candidate reads them.
        "already_booked": N_("This interview is already booked. Write to %(contact)s if you "
                             "need to change it."),
        "application_closed": N_("This application is closed, so nothing can be booked. Write "
                                 "to %(contact)s with any questions."),
        "interview_not_live": N_("This interview is no longer scheduled. Write to %(contact)s."),
        "candidate_busy": N_("You already have an interview at this time: %(stage)s, %(time)s."),
        "unknown_language": N_("Choose one of the languages on the page."),
        "refused": N_("This could not be done. Write to %(contact)s."),
        "notice_not_acknowledged": N_("Tick the box to confirm that you have read the privacy "
                                      "notice, then book."),
        "notice_changed": N_("The privacy notice has changed since this page was shown: read "
                             "it again and tick the box."),
        "cross_border_missing": N_("To book this time, agree separately to your information "
                                   "going to our staff in %(countries)s. If you do not agree, "
                                   "write to %(contact)s and we will arrange your interview "
                                   "another way."),
    }

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code, field, contact=organizer_address(), **params)

    @classmethod
    def of(cls, error: booking.BookingError, zone: str | None = None) -> LinkBookingError:
        """Return the booking service's refusal *error* in the candidate's words (a clash with
        another interview is said in the candidate's *zone*)."""
        if error.code == "candidate_busy":
            return cls("candidate_busy", **{**error.params, "zone": zone})
        if error.code == "cross_border_missing":
            return cls("cross_border_missing", "cross_border", **error.params)
        return cls(error.code if error.code in cls.messages else "refused")

    def render(self, params) -> str:
        """Name the clashing interview of a `candidate_busy` refusal by its stage and time."""
        if self.code == "cross_border_missing":
            params = {**params, "countries": consents.country_list(params["countries"],
                                                                   reader_language())}
        return super().render(clash_params(params) if self.code == "candidate_busy"
                              else params)


@contextmanager
def _in_candidate_words(link: SchedulingLink) -> Iterator[None]:
    """Pass a lost time on as it is (it carries fresh times); word other booking refusals for
    the link's candidate."""
    try:
        yield
    except booking.SlotTaken:
        raise
    except booking.BookingError as error:
        raise LinkBookingError.of(error, link.application.candidate.zone) from error


def candidate_hours(link: SchedulingLink, stages: list[StageTemplate] | None = None
                    ) -> CandidateHours:
    """Return the candidate's zone and acceptable hours for this link (widened or the stage's)."""
    return slot_search.candidate_hours(link.application, (stages or link_stages(link))[0],
                                       day_start=link.candidate_day_start,
                                       day_end=link.candidate_day_end)


def available_slots(link: SchedulingLink, now: datetime) -> SlotSearch:
    """Return the slots the candidate may pick now (leaving out their own booked time)."""
    stages = link_stages(link)
    own = [i.id for i in live_interviews(link)]
    return slot_search.find_slots(link.application, stages, now,
                                  hours=candidate_hours(link, stages),
                                  break_minutes=link.break_minutes, exclude_interview_ids=own)


def slot_at(link: SchedulingLink, start_at: datetime, now: datetime,
            stages: list[StageTemplate] | None = None, *,
            within_countries: Collection[str] | None = None):
    """Return the option `available_slots` offers at exactly *start_at*, or None (*stages*:
    the link's, when the caller has read them). With *within_countries*, only interviewers in
    mainland China or in those countries sit on the panel."""
    stages = stages or link_stages(link)
    own = [i.id for i in live_interviews(link)]
    # The search's own input, asked about that one start: not the whole horizon.
    plan = slot_search.plan_stages(link.application, stages, now,
                                   hours=candidate_hours(link, stages),
                                   break_minutes=link.break_minutes, exclude_interview_ids=own)
    requests = plan.requests
    if within_countries is not None:
        allowed = consents.interviewers_within(plan.calendars, within_countries)
        requests = [replace(request, pool=tuple(i for i in request.pool if i in allowed),
                            senior_ids=request.senior_ids & allowed) for request in requests]
    return engine_slot_at(requests, plan.calendars, start_at, now, plan.break_between)


def change_deadline(link: SchedulingLink) -> datetime | None:
    """Return the last instant the candidate may move or cancel the booking; None if unbooked."""
    live = live_interviews(link)
    if not live:
        return None
    return min(i.start_at - timedelta(hours=i.stage.reschedule_cutoff_hours) for i in live)


def can_change(link: SchedulingLink, now: datetime) -> bool:
    """Tell whether the candidate may still reschedule or cancel through the link."""
    deadline = change_deadline(link)
    return deadline is not None and now < deadline


def book_from_link(link: SchedulingLink, start_at: datetime, now: datetime, *,
                   reason: str = "", notice_version: str | None = None,
                   cross_border_countries: Collection[str] = ()) -> list[Interview]:
    """Book the slot starting at *start_at* (or move the booking there when already booked).

    The panel is the fair one a fresh search assigns to that start. *notice_version* is the
    privacy notice the candidate acknowledged (it must be the current one), and
    *cross_border_countries* the countries outside mainland China they agreed to on the page.
    Raises SlotTaken with fresh slots when the time is no longer free, LinkBookingError when the
    link no longer allows it, the notice is not acknowledged, a country the booking reaches is
    not agreed to, or the time overlaps another interview of the candidate's.
    """
    stages = link_stages(link)
    interviews = live_interviews(link)
    if link.booked_at is not None and not interviews:
        raise LinkBookingError("cancelled")
    if interviews and not can_change(link, now):
        raise LinkBookingError("past_cutoff", hours=_cutoff_hours(stages))
    if interviews and interviews[0].start_at == start_at:
        # A repeated request for the time already booked (a double submit) changes nothing.
        return interviews
    if link.booked_at is None and (link.expired_at is not None or link.expires_at <= now):
        raise LinkBookingError("expired")
    # Only that start is asked about; the whole search runs when it is not offered (fresh times).
    slot = slot_at(link, start_at, now, stages)
    if slot is None:
        end_at = booking.loop_stage_starts(stages, start_at, link.break_minutes)[-1][1]
        refusal = booking.candidate_busy_refusal(link.application, start_at, end_at,
                                                 exclude_interview_ids=[i.id for i in interviews])
        if refusal is not None:
            raise LinkBookingError.of(refusal, link.application.candidate.zone)
        raise booking.SlotTaken([], available_slots(link, now))
    hours = candidate_hours(link, stages)
    actor = actor_label(link)
    # Both boxes are checked together, so a candidate who ticked neither hears of both.
    version = current_version()
    refusals = []
    if not notice_version:
        refusals.append(LinkBookingError("notice_not_acknowledged", "acknowledge"))
    elif notice_version != version:
        refusals.append(LinkBookingError("notice_changed", "acknowledge"))
    missing = consents.missing_countries(link.application, slot.panels)
    if set(missing) - set(cross_border_countries):
        # The fair panel can change between the confirm step and this request (someone else
        # booked): a panel the candidate has agreed to, at the same time, beats asking again.
        agreed = consents.consented_countries(link.application) | set(cross_border_countries)
        within = slot_at(link, start_at, now, stages, within_countries=agreed)
        if within is not None:
            slot = within
            missing = consents.missing_countries(link.application, slot.panels)
    if set(missing) - set(cross_border_countries):
        refusals.append(LinkBookingError("cross_border_missing", "cross_border",
                                         countries=sorted(missing)))
    if refusals:
        raise LinkBookingError.together(refusals)
    consent = consents.GivenConsent(frozenset(cross_border_countries), link=link)
    with _in_candidate_words(link):
        if interviews:
            before_at = (interviews[0].start_at, interviews[-1].end_at)
            # What this request saw: two submits of one move name the same change.
            key = f"moved-{interviews[0].id}-{interviews[0].sequence}-{start_at.isoformat()}"
            moved = booking.reschedule_interview(actor, interviews[0], start_at, now,
                                                 panels=slot.panels, hours=hours,
                                                 reason=reason.strip(), consent=consent)
            consents.record_notice_acknowledgement(actor, link, version, now)
            notices.candidate_changed(link, notices.MOVED, moved, now, before_at=before_at,
                                      reason=reason.strip(), key=key)
            return moved
        if len(stages) == 1:
            booked = [booking.book_interview(actor, link.application, stages[0], start_at,
                                             slot.panels[0], now, hours=hours, consent=consent)]
        else:
            booked = booking.book_loop(actor, link.application, stages, start_at, slot.panels,
                                       now, hours=hours, break_minutes=link.break_minutes,
                                       consent=consent)
    consents.record_notice_acknowledgement(actor, link, version, now)
    link.booked_at = now
    link.interview_id = booked[0].id
    link.booking_group_id = booked[0].booking_group_id
    record_event(actor, "link.booked", link, now=now,
                 after={"interview_ids": [i.id for i in booked], "start_at": start_at.isoformat()})
    db.session.flush()
    notices.candidate_changed(link, notices.BOOKED, booked, now, key=f"booked-{booked[0].id}")
    return booked


def cancel_from_link(link: SchedulingLink, now: datetime, *, reason: str = "") -> list[Interview]:
    """Cancel the booking (the whole loop) before the cutoff."""
    interviews = live_interviews(link)
    if not interviews:
        raise LinkBookingError("cancelled" if link.booked_at is not None else "not_booked")
    if not can_change(link, now):
        raise LinkBookingError("past_cutoff", hours=_cutoff_hours(link_stages(link)))
    with _in_candidate_words(link):
        cancelled = booking.cancel_interview(actor_label(link), interviews[0], now,
                                             reason=reason.strip())
    notices.candidate_changed(link, notices.CANCELLED, cancelled, now, reason=reason.strip(),
                              key=f"cancelled-{cancelled[0].id}")
    return cancelled


def _cutoff_hours(stages: list[StageTemplate]) -> int:
    """Return how many hours before the interview changes through the link close."""
    return max((stage.reschedule_cutoff_hours for stage in stages), default=24)


def switch_zone(link: SchedulingLink, zone: str, now: datetime) -> None:
    """Store *zone* as the candidate's time zone (slots are then shown and checked in it).

    The change is kept on the application's history, where its coordinator sees it.
    """
    zone = canonical_zone(zone)
    if not is_valid_zone(zone):
        raise LinkBookingError("unknown_zone", "zone", zone=zone[:64])
    candidate = link.application.candidate
    if same_zone(candidate.zone, zone):
        return
    before = {"zone": candidate.zone}
    candidate.zone = zone
    record_event(actor_label(link), "candidate.zone_changed", link.application, now=now,
                 before=before, after={"zone": zone})
    db.session.flush()


def switch_language(link: SchedulingLink, language: str, now: datetime) -> bool:
    """Store *language* as the candidate's: their pages and every email to them use it.

    The change is recorded on the application (where its coordinator sees it); returns whether
    anything changed.
    """
    if language not in LANGUAGES:
        raise LinkBookingError("unknown_language", language=str(language)[:8])
    candidate = link.application.candidate
    if candidate.language == language:
        return False
    before = {"language": candidate.language}
    candidate.language = language
    record_event(actor_label(link), "candidate.language_changed", link.application, now=now,
                 before=before, after={"language": language})
    db.session.flush()
    return True


def set_hours(link: SchedulingLink, day_start: time, day_end: time, now: datetime) -> None:
    """Store the candidate's acceptable local hours; an end of 00:00 means midnight."""
    if day_end != time(0) and day_end <= day_start:
        raise LinkBookingError("bad_hours", "day_end")
    before = {"day_start": _hhmm(link.candidate_day_start), "day_end": _hhmm(link.candidate_day_end)}
    link.candidate_day_start, link.candidate_day_end = day_start, day_end
    record_event(actor_label(link), "link.hours_changed", link, now=now, before=before,
                 after={"day_start": _hhmm(day_start), "day_end": _hhmm(day_end)})
    db.session.flush()


@dataclass(frozen=True)
class ProposedTime:
    """A time the candidate proposed, as the coordinator may book it: offered by the engine (then
    the confirm page books it), or why not — the time's own problems (too soon, outside the
    candidate's hours…), the interviewers' working hours, or nobody qualified being free."""

    start_at: datetime
    is_offered: bool
    reason: str = ""  # "", "time", "outside_working_hours" or "nobody_free"
    problems: tuple[SlotProblem, ...] = ()


def judge_proposals(link: SchedulingLink, now: datetime) -> list[ProposedTime]:
    """Say for each time the candidate proposed whether the coordinator's booking (the current
    stage, or the opening's loop when the link was for a loop, with the link's break) is offered
    then; nothing when no proposal is left or nothing may be booked now."""
    found = proposal(link)
    application = link.application
    stages = booking.stages_to_book(application, as_loop=len(link.stage_ids) > 1)
    if found is None or not found.times or booking.booking_refusal(application, stages):
        return []
    brk = link.break_minutes if len(stages) > 1 else 0
    offered = {slot.start_at for slot in
               slot_search.find_slots(application, stages, now, break_minutes=brk).slots}
    pools = [slot_search.stage_pool(stage)[0] for stage in stages]
    judged = []
    for start_at in found.times:
        if start_at in offered:
            judged.append(ProposedTime(start_at, True))
            continue
        # The whole pool as the panel: what is left besides the panel's size says why.
        problems = slot_search.check_booking(application, stages, start_at, pools, now,
                                             break_minutes=brk, use_cache=True)
        of_time = tuple(p for p in problems if p.code in slot_search.TIME_PROBLEMS)
        if of_time:
            judged.append(ProposedTime(start_at, False, "time", of_time))
            continue
        off_hours = {(p.stage_index, p.interviewer_id) for p in problems
                     if p.code == "outside_working_hours"}
        is_off_hours = any(pool and all((index, who) in off_hours for who in pool)
                           for index, pool in enumerate(pools))
        judged.append(ProposedTime(start_at, False,
                                   "outside_working_hours" if is_off_hours else "nobody_free"))
    return judged


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None
