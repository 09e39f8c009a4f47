"""What a candidate does through a scheduling link: see the times, book one, move or cancel
the booking before the stage's cutoff, change their time zone, language or acceptable hours.

Every booking goes through scheduler/services/booking.py (lock, re-check, write, invites), with
the panel a fresh search assigns to the chosen start; actions are audited with the link's actor
label. Creating, sending and opening links is scheduler/services/links.py. Services flush; the
caller commits.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from scheduler.domain.slots import SlotSearch
from scheduler.extensions import db
from scheduler.models import Interview, SchedulingLink, StageTemplate
from scheduler.models.user import LANGUAGES
from scheduler.services import booking, slot_search
from scheduler.services.audit import record_event
from scheduler.services.links import LinkError, actor_label, link_stages, live_interviews
from scheduler.services.slot_search import CandidateHours
from scheduler.timeutil import is_valid_zone


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
                   reason: str = "") -> list[Interview]:
    """Book the slot starting at *start_at* (or move the booking there when already booked).

    The panel is the fair one a fresh search assigns to that start. Raises SlotTaken with fresh
    slots when the time is no longer free, BookingError("candidate_busy") when it overlaps
    another interview of the candidate's, LinkError when the link no longer allows it.
    """
    stages = link_stages(link)
    interviews = live_interviews(link)
    if link.booked_at is not None and not interviews:
        raise LinkError("cancelled")
    if interviews and not can_change(link, now):
        raise LinkError("past_cutoff")
    if link.booked_at is None and (link.expired_at is not None or link.expires_at <= now):
        raise LinkError("expired")
    search = available_slots(link, now)
    slot = next((s for s in search.slots if s.start_at == start_at), None)
    if slot is None:
        end_at = booking.loop_stage_starts(stages, start_at, link.break_minutes)[-1][1]
        refusal = booking.candidate_busy_refusal(link.application, start_at, end_at,
                                                 exclude_interview_ids=[i.id for i in interviews])
        if refusal is not None:
            raise refusal
        raise booking.SlotTaken([], search)
    hours = candidate_hours(link, stages)
    actor = actor_label(link)
    if interviews:
        return booking.reschedule_interview(actor, interviews[0], start_at, now,
                                            panels=slot.panels, hours=hours,
                                            reason=reason.strip())
    if len(stages) == 1:
        booked = [booking.book_interview(actor, link.application, stages[0], start_at,
                                         slot.panels[0], now, hours=hours)]
    else:
        booked = booking.book_loop(actor, link.application, stages, start_at, slot.panels,
                                   now, hours=hours, break_minutes=link.break_minutes)
    link.booked_at = now
    link.interview_id = booked[0].id
    link.booking_group_id = booked[0].booking_group_id
    record_event(actor, "link.booked", link, now=now,
                 after={"interview_ids": [i.id for i in booked], "start_at": start_at.isoformat()})
    db.session.flush()
    return booked


def cancel_from_link(link: SchedulingLink, now: datetime, *, reason: str = "") -> list[Interview]:
    """Cancel the booking (the whole loop) before the cutoff."""
    interviews = live_interviews(link)
    if not interviews:
        raise LinkError("cancelled" if link.booked_at is not None else "not_booked")
    if not can_change(link, now):
        raise LinkError("past_cutoff")
    return booking.cancel_interview(actor_label(link), interviews[0], now, reason=reason.strip())


def switch_zone(link: SchedulingLink, zone: str, now: datetime) -> None:
    """Store *zone* as the candidate's time zone (slots are then shown and checked in it)."""
    zone = (zone or "").strip()
    if not is_valid_zone(zone):
        raise LinkError("unknown_zone", zone=zone[:64])
    candidate = link.application.candidate
    if candidate.zone == zone:
        return
    before = {"zone": candidate.zone}
    candidate.zone = zone
    record_event(actor_label(link), "candidate.zone_changed", candidate, now=now, before=before,
                 after={"zone": zone})
    db.session.flush()


def switch_language(link: SchedulingLink, language: str, now: datetime) -> bool:
    """Store *language* as the candidate's: their pages and every email to them use it.

    The change is recorded on the application (where its coordinator sees it); returns whether
    anything changed.
    """
    if language not in LANGUAGES:
        raise LinkError("unknown_language", language=str(language)[:8])
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
        raise LinkError("bad_hours")
    before = {"day_start": _hhmm(link.candidate_day_start), "day_end": _hhmm(link.candidate_day_end)}
    link.candidate_day_start, link.candidate_day_end = day_start, day_end
    record_event(actor_label(link), "link.hours_changed", link, now=now, before=before,
                 after={"day_start": _hhmm(day_start), "day_end": _hhmm(day_end)})
    db.session.flush()


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None
