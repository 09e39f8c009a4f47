"""What the interviewer's home shows of each upcoming interview at a glance: when, in their zone
and the candidate's (one line when the two are the same zone), and how it happens — the video
call's address, the number to call for a phone screen, or the place.

The candidate's phone number is shown only where `permissions.can_see_candidate_phone` allows
(a phone screen, to its panel); the candidate's email address never is (DESIGN.md §7).
"""
from __future__ import annotations

from dataclasses import dataclass

from scheduler.i18n import current_language, format_local_range, zone_columns
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
    # Their own zone first, then the candidate's: one line, "yours and the candidate's", when
    # the two are the same zone (as on the coordinator's pages).
    times = [(column.heading,
              format_local_range(interview.start_at, interview.end_at, column.zone, language))
             for column in zone_columns(zone, zone, candidate.zone)]
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
