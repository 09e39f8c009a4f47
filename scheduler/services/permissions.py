"""Who may see or change what: every object-level check, one function per question.

Role checks happen once per blueprint (scheduler/web.py `require_roles`); the questions here are
about one object: whose working hours, calendars, busy blocks and feed a person may manage or
see, who lists interviewers and edits their profiles, who sees the calendar board, and which
interviews they sit on. Services ask these before they change anything; views ask the same
functions to decide between a page, a 403 and a 404, so the answer has one source.
"""
from __future__ import annotations

from scheduler.models import Interview, InterviewerProfile, User
from scheduler.services.errors import N_, ServiceError

# Roles that may manage anyone's availability, open the list of interviewers and edit profiles.
STAFF_ROLES = ("coordinator", "admin")


class NotAllowed(ServiceError):
    """The actor may not do this to this object."""

    messages = {"not_allowed": N_("You may only manage your own availability."),
                "profiles_for_staff": N_("Only coordinators and admins may change interviewers' "
                                         "profiles."),
                "board_for_staff": N_("Only coordinators and admins may see the calendar board.")}

    def __init__(self, code: str = "not_allowed", field: str | None = None, **params):
        super().__init__(code, field, **params)


def is_own_profile(actor: User, profile: InterviewerProfile) -> bool:
    """Tell whether *profile* is *actor*'s own interviewer profile."""
    return actor.id == profile.user_id


def can_manage_availability(actor: User, profile: InterviewerProfile) -> bool:
    """Tell whether *actor* may see and change *profile*'s working hours, time off and calendars.

    An interviewer manages their own; coordinators and admins anyone's.
    """
    return is_own_profile(actor, profile) or actor.has_role(*STAFF_ROLES)


def check_can_manage_availability(actor: User, profile: InterviewerProfile) -> None:
    """Raise NotAllowed unless *actor* may manage *profile*'s availability."""
    if not can_manage_availability(actor, profile):
        raise NotAllowed()


def can_see_event_titles(actor: User, profile: InterviewerProfile) -> bool:
    """Tell whether *actor* may read the titles of *profile*'s imported events (only their owner)."""
    return is_own_profile(actor, profile)


def can_make_feed(actor: User, profile: InterviewerProfile) -> bool:
    """Tell whether *actor* may make *profile*'s secret feed address (it is shown to its owner only)."""
    return is_own_profile(actor, profile)


def can_list_interviewers(actor: User) -> bool:
    """Tell whether *actor* may open every interviewer's availability."""
    return actor.has_role(*STAFF_ROLES)


def can_view_board(actor: User) -> bool:
    """Tell whether *actor* may see every interviewer's week on the calendar board, and export it
    (busy time as "busy" only, interviews with their candidate): coordinators and admins."""
    return actor.has_role(*STAFF_ROLES)


def check_can_view_board(actor: User) -> None:
    """Raise NotAllowed unless *actor* may see the calendar board."""
    if not can_view_board(actor):
        raise NotAllowed("board_for_staff")


def can_edit_interviewer_profiles(actor: User) -> bool:
    """Tell whether *actor* may give interviewers a profile and change its office, zone,
    qualifications, caps and video room (coordinators and admins; not even one's own otherwise)."""
    return actor.has_role(*STAFF_ROLES)


def check_can_edit_interviewer_profiles(actor: User) -> None:
    """Raise NotAllowed unless *actor* may edit interviewers' profiles."""
    if not can_edit_interviewer_profiles(actor):
        raise NotAllowed("profiles_for_staff")


def can_decline(actor: User, interview: Interview) -> bool:
    """Tell whether *actor* sits on *interview*'s panel, the only people who may decline it."""
    profile = actor.interviewer_profile
    return profile is not None and any(
        seat.interviewer_id == profile.id for seat in interview.active_assignments)
