"""What the interviewer's home shows of each upcoming interview at a glance: when, in their zone
and the candidate's (one line when the two are the same zone), and how it happens — the video
call's address, the number to call for a phone screen, or the place.

The candidate's phone number is shown only where `permissions.can_see_candidate_phone` allows
(a phone screen, to its panel); the candidate's email address never is (DESIGN.md §7).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from scheduler.i18n import current_language, format_local_range
from scheduler.models import Interview, User
from scheduler.services.invites import interview_location, join_url
from scheduler.services.permissions import can_see_candidate_phone


@dataclass(frozen=True)
class Glance:
    """One interview as its panel member needs it: *times* are (whose, when with its zone);
    *video_url* is set for a video call, *phone* (possibly "") for a call to make, *place* where
    the interview happens when it has one."""

    times: list[tuple[str, str]]
    is_video: bool
    video_url: str
    is_call: bool
    phone: str
    place: str


def interview_glance(interview: Interview, viewer: User, zone: str) -> Glance:
    """Describe *interview* for *viewer*, who reads times in *zone*."""
    language = current_language()
    candidate = interview.application.candidate
    mine = format_local_range(interview.start_at, interview.end_at, zone, language)
    if candidate.zone == zone:
        times = [(_("Your time and the candidate's"), mine)]
    else:
        times = [(_("Your time"), mine),
                 (_("Candidate's time"), format_local_range(interview.start_at, interview.end_at,
                                                            candidate.zone, language))]
    mode = interview.stage.mode
    is_call = can_see_candidate_phone(viewer, interview)
    return Glance(
        times=times,
        is_video=mode == "video", video_url=join_url(interview) if mode == "video" else "",
        is_call=is_call, phone=candidate.phone if is_call else "",
        # On site: the booked place, else the lead's office address; otherwise only a place
        # the coordinator wrote down (a phone call or video call has none of its own).
        place=interview_location(interview, language) if mode == "onsite" else interview.location,
    )
