"""Who may see or change what: every object-level check, one function per question.

Role checks happen once per blueprint (scheduler/web.py `require_roles`); the questions here are
about one object: whose working hours, calendars, busy blocks and feed a person may manage or
see, who lists interviewers and edits their profiles, who sees the calendar board, which
interviews they sit on, who writes feedback on an interview, and whose feedback a person may
read. Services ask these before they change anything; views ask the same functions to decide
between a page, a 403 and a 404, so the answer has one source.

Feedback is blind until submitted (DESIGN.md §9): `visible_feedback` is the one filter every
page, JSON answer, export or email that shows feedback passes it through.

Least access (issue 24, DESIGN.md §7): admins see every candidate; a coordinator sees the
candidates of the openings they coordinate (`coordinated_requisitions`) — an opening with no active
coordinator is every coordinator's, as `openings.coordinators_to_tell` tells them all about it and
the cross-border consent names them all; an interviewer sees the applications of the interviews
they sit on or review. `visible_applications` is that rule as one SQL condition, so lists, searches,
exports and boards filter in the database; `can_see_application`, `can_see_candidate`,
`named_interviews` and `visible_messages` ask the same condition about one object or a set.
"""
from __future__ import annotations

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import (
    Application, Candidate, Feedback, Interview, InterviewerAssignment, InterviewerProfile,
    OutboxMessage, Requisition, User, UserRole, requisition_coordinator,
)
from scheduler.services.errors import N_, ServiceError

# Roles that may manage anyone's availability, open the list of interviewers and edit profiles.
STAFF_ROLES = ("coordinator", "admin")


class NotAllowed(ServiceError):
    """The actor may not do this to this object."""

    messages = {
        "not_allowed": N_("You may only manage your own availability."),
        "profiles_for_staff": N_("Only coordinators and admins may change interviewers' "
                                 "profiles."),
        "openings": N_("Only coordinators and admins may set up openings and their stages."),
        "board_for_staff": N_("Only coordinators and admins may see the calendar board."),
        "applications_for_staff": N_("Only coordinators and admins may see the applications."),
        "not_your_opening": N_("You see the candidates of the openings you coordinate only."),
        "audit_for_admins": N_("Only admins may read the audit log."),
    }

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


def can_manage_openings(actor: User) -> bool:
    """Tell whether *actor* may create and edit openings, their stages and their loops."""
    return actor.has_role(*STAFF_ROLES)


def check_can_manage_openings(actor: User) -> None:
    """Raise NotAllowed unless *actor* may manage openings."""
    if not can_manage_openings(actor):
        raise NotAllowed("openings")


def can_see_candidate_phone(actor: User, interview: Interview) -> bool:
    """Tell whether *actor* may read the candidate's phone number for *interview*: only a member
    of its panel, and only on a phone screen by phone, the call they make (least access,
    DESIGN.md §7: interviewers never get the candidate's email address; a phone number only
    where the call needs it, as their invitation's location already says)."""
    return (interview.stage.kind == "phone_screen" and interview.stage.mode == "phone"
            and can_decline(actor, interview))


def can_decline(actor: User, interview: Interview) -> bool:
    """Tell whether *actor* sits on *interview*'s panel, the only people who may decline it."""
    profile = actor.interviewer_profile
    return profile is not None and any(
        seat.interviewer_id == profile.id for seat in interview.active_assignments)


def can_mark_no_show(actor: User, interview: Interview) -> bool:
    """Tell whether *actor* may mark *interview* a no-show: its panel, or a coordinator who sees
    its application."""
    return can_decline(actor, interview) or (actor.has_role(*STAFF_ROLES)
                                              and can_see_application(actor, interview.application))


def can_assign_reviewer(actor: User) -> bool:
    """Tell whether *actor* may choose who reviews a coding test (coordinators and admins)."""
    return actor.has_role(*STAFF_ROLES)


def can_list_applications(actor: User) -> bool:
    """Tell whether *actor* may list, search and export every application with its state
    (coordinators and admins)."""
    return actor.has_role(*STAFF_ROLES)


def check_can_list_applications(actor: User) -> None:
    """Raise NotAllowed unless *actor* may list the applications."""
    if not can_list_applications(actor):
        raise NotAllowed("applications_for_staff")


def can_export_candidate(actor: User) -> bool:
    """Tell whether *actor* may export everything held about a candidate (coordinators and
    admins; interviewers never: they see only what their interview needs)."""
    return actor.is_authenticated and actor.has_role(*STAFF_ROLES)


def can_see_access_records(actor: User) -> bool:
    """Tell whether *actor* may read who looked at candidates' data (admins)."""
    return actor.is_authenticated and actor.has_role("admin")


def can_see_audit_log(actor: User) -> bool:
    """Tell whether *actor* may read and export the audit log (admins)."""
    return actor.is_authenticated and actor.has_role("admin")


def check_can_see_audit_log(actor: User) -> None:
    """Raise NotAllowed unless *actor* may read the audit log."""
    if not can_see_audit_log(actor):
        raise NotAllowed("audit_for_admins")


def can_decide(actor: User) -> bool:
    """Tell whether *actor* may read scorecards and decide (coordinators and admins)."""
    return actor.has_role(*STAFF_ROLES)


# --- Feedback: who writes it, and whose a person may read ------------------------------------


def feedback_author_ids(interview: Interview) -> set[int]:
    """Return the interviewer profiles that write feedback on *interview*: each active panel
    seat, and a coding test's reviewer (who need not sit on the panel)."""
    ids = {seat.interviewer_id for seat in interview.active_assignments}
    if interview.reviewer_id is not None:
        ids.add(interview.reviewer_id)
    return ids


def is_feedback_author(actor: User, interview: Interview) -> bool:
    """Tell whether *actor* writes feedback on *interview*."""
    profile = getattr(actor, "interviewer_profile", None)
    return profile is not None and profile.id in feedback_author_ids(interview)


def can_see_all_feedback(actor: User) -> bool:
    """Tell whether *actor* reads every submitted feedback (coordinators and admins)."""
    return actor.has_role(*STAFF_ROLES)


def authored_interviews(profile_id: int):
    """Return a SELECT of the ids of the interviews *profile_id* writes feedback on
    (`feedback_author_ids`), not cancelled or a no-show; future ones too, their feedback to come."""
    on_panel = sa.exists().where(InterviewerAssignment.interview_id == Interview.id,
                                 InterviewerAssignment.interviewer_id == profile_id,
                                 InterviewerAssignment.is_active.is_(True))
    return sa.select(Interview.id).where(Interview.status.in_(Interview.TAKING_PLACE),
                                         sa.or_(on_panel, Interview.reviewer_id == profile_id))


def _submitted_interview_ids(profile_id: int, interview_ids) -> set[int]:
    """Return which of *interview_ids* *profile_id* has submitted feedback on."""
    return set(db.session.scalars(sa.select(Feedback.interview_id).where(
        Feedback.interviewer_id == profile_id, Feedback.submitted_at.is_not(None),
        Feedback.interview_id.in_(list(interview_ids)))))


def is_clear_for_candidate(profile_id: int, candidate_id: int) -> bool:
    """Tell whether an interviewer has submitted feedback on the candidate (any application)
    and has none left to submit: only then may they read feedback on the candidate's other
    interviews. An interview they sit on later still counts as left to submit."""
    of_candidate = (sa.select(Interview.id).join(Application,
                                                 Application.id == Interview.application_id)
                    .where(Application.candidate_id == candidate_id))
    authored = set(db.session.scalars(
        authored_interviews(profile_id).where(Interview.id.in_(of_candidate))))
    submitted = set(db.session.scalars(sa.select(Feedback.interview_id).where(
        Feedback.interviewer_id == profile_id, Feedback.submitted_at.is_not(None),
        Feedback.interview_id.in_(of_candidate))))
    return bool(submitted) and authored <= submitted


def visible_feedback(actor: User, feedbacks) -> list[Feedback]:
    """Return the feedback of *feedbacks* that *actor* may read, in the given order.

    The one rule: a draft is read by its author alone. Coordinators and admins read every
    submitted feedback. An interviewer reads other authors' submitted feedback on an interview
    once they have submitted their own on it, and on the candidate's other interviews once they
    have submitted feedback on the candidate and have nothing left to submit for them.
    """
    feedbacks = list(feedbacks)
    profile = getattr(actor, "interviewer_profile", None) if actor.is_authenticated else None
    own_id = profile.id if profile is not None else None
    is_staff = actor.is_authenticated and can_see_all_feedback(actor)
    submitted_here: set[int] = set()
    if own_id is not None and not is_staff:
        submitted_here = _submitted_interview_ids(
            own_id, {f.interview_id for f in feedbacks if f.interviewer_id != own_id})
    clear: dict[int, bool] = {}  # candidate id -> is_clear_for_candidate, asked once each

    def may_read(feedback: Feedback) -> bool:
        if own_id is not None and feedback.interviewer_id == own_id:
            return True
        if not feedback.is_submitted:
            return False
        if is_staff:
            return True
        if own_id is None:
            return False
        if feedback.interview_id in submitted_here:
            return True
        candidate_id = feedback.interview.application.candidate_id
        if candidate_id not in clear:
            clear[candidate_id] = is_clear_for_candidate(own_id, candidate_id)
        return clear[candidate_id]

    return [feedback for feedback in feedbacks if may_read(feedback)]


def can_see_feedback(actor: User, feedback: Feedback) -> bool:
    """Tell whether *actor* may read *feedback* (see `visible_feedback`)."""
    return bool(visible_feedback(actor, [feedback]))


# --- Least access: whose candidates a person sees (issue 24 item 4) ---------------------------


def _staffed_requisitions():
    """Return a SELECT of the ids of the openings with at least one active coordinator."""
    return (sa.select(requisition_coordinator.c.requisition_id)
            .join(User, User.id == requisition_coordinator.c.user_id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.is_active.is_(True), UserRole.role == "coordinator"))


def coordinated_requisitions(actor: User):
    """Return a SELECT of the ids of the openings *actor* coordinates: those they are a
    coordinator of, and those with no active coordinator (every coordinator's, as
    `openings.coordinators_to_tell` says); none unless they hold the coordinator role."""
    if not (actor.is_authenticated and actor.has_role("coordinator")):
        return sa.select(Requisition.id).where(sa.false())
    mine = sa.select(requisition_coordinator.c.requisition_id).where(
        requisition_coordinator.c.user_id == actor.id)
    return sa.select(Requisition.id).where(sa.or_(Requisition.id.in_(mine),
                                                  Requisition.id.not_in(_staffed_requisitions())))


def coordinates(actor: User, requisition: Requisition) -> bool:
    """Tell whether *actor* sees the candidates of *requisition*: an admin, or one of its
    coordinators (every coordinator when it has no active one)."""
    if not actor.is_authenticated:
        return False
    if actor.has_role("admin"):
        return True
    return bool(db.session.scalar(coordinated_requisitions(actor).where(
        Requisition.id == requisition.id)))


def check_coordinates(actor: User, requisition: Requisition) -> None:
    """Raise NotAllowed unless *actor* sees *requisition*'s candidates (`coordinates`)."""
    if not coordinates(actor, requisition):
        raise NotAllowed("not_your_opening")


def can_change_coordinators(actor: User, requisition: Requisition | None) -> bool:
    """Tell whether *actor* may choose *requisition*'s coordinators: an admin, or a coordinator
    of it (of a new opening: any coordinator)."""
    if requisition is None:
        return actor.has_role(*STAFF_ROLES)
    return actor.has_role("admin") or (actor.has_role("coordinator")
                                        and coordinates(actor, requisition))


def _interviews_sat_on(profile_id: int):
    """Return a SELECT of the ids of the applications whose interviews *profile_id* sits on
    (an active seat) or reviews."""
    seat = sa.exists().where(InterviewerAssignment.interview_id == Interview.id,
                             InterviewerAssignment.interviewer_id == profile_id,
                             InterviewerAssignment.is_active.is_(True))
    return sa.select(Interview.application_id).where(
        sa.or_(seat, Interview.reviewer_id == profile_id))


def visible_applications(actor: User):
    """Return the SQL condition on Application that *actor* may see it: every one for an admin;
    a coordinator's openings' (`coordinated_requisitions`); those an interviewer sits on or
    reviews an interview of; none for anyone else."""
    if not actor.is_authenticated:
        return sa.false()
    if actor.has_role("admin"):
        return sa.true()
    conditions = []
    if actor.has_role("coordinator"):
        conditions.append(Application.requisition_id.in_(coordinated_requisitions(actor)))
    # Asked of interviewers only: a coordinator's list then loads no profile it does not need.
    profile = actor.interviewer_profile if actor.has_role("interviewer") else None
    if profile is not None:
        conditions.append(Application.id.in_(_interviews_sat_on(profile.id)))
    return sa.or_(*conditions) if conditions else sa.false()


def can_see_application(actor: User, application: Application) -> bool:
    """Tell whether *actor* may see *application* and its candidate (see
    `visible_applications`)."""
    return bool(db.session.scalar(sa.select(Application.id).where(
        Application.id == application.id, visible_applications(actor))))


def check_sees_application(actor: User | str, application: Application) -> None:
    """Raise NotAllowed unless *actor* may see *application*: services ask it behind the pages'
    404s; a candidate acting through their link (a text actor) passes, the link being theirs."""
    if isinstance(actor, User) and not can_see_application(actor, application):
        raise NotAllowed("not_your_opening")


def check_sees_candidate(actor: User, candidate: Candidate) -> None:
    """Raise NotAllowed unless *actor* may see *candidate* (`can_see_candidate`)."""
    if not can_see_candidate(actor, candidate):
        raise NotAllowed("not_your_opening")


def visible_application_ids(actor: User, application_ids) -> set[int]:
    """Return which of *application_ids* *actor* may see, in one query."""
    ids = set(application_ids)
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(Application.id).where(
        Application.id.in_(ids), visible_applications(actor))))


def can_see_candidate(actor: User, candidate: Candidate) -> bool:
    """Tell whether *actor* may see *candidate*'s details: an admin, or whoever sees one of their
    applications."""
    if actor.is_authenticated and actor.has_role("admin"):
        return True
    return bool(db.session.scalar(sa.select(Application.id).where(
        Application.candidate_id == candidate.id, visible_applications(actor)).limit(1)))


def sees_every_application(actor: User, candidate: Candidate) -> bool:
    """Tell whether *actor* sees *candidate* and every one of their applications."""
    hidden = sa.select(Application.id).where(Application.candidate_id == candidate.id,
                                             sa.not_(visible_applications(actor)))
    return can_see_candidate(actor, candidate) and db.session.scalar(hidden.limit(1)) is None


def can_erase_candidate(actor: User, candidate: Candidate) -> bool:
    """Tell whether *actor* may erase *candidate*'s data on their request: a coordinator or admin
    who sees every one of their applications (an erasure cancels and scrubs them all)."""
    return actor.has_role(*STAFF_ROLES) and sees_every_application(actor, candidate)


def can_export_all_of(actor: User, candidate: Candidate) -> bool:
    """Tell whether *actor* may export everything held about *candidate*: a coordinator or admin
    who sees every one of their applications (an export holds them all)."""
    return can_export_candidate(actor) and sees_every_application(actor, candidate)


def named_interviews(actor: User, interviews) -> set[int]:
    """Return the ids of *interviews* whose candidate *actor* may be shown (by name, on the
    board, its export and the pipeline): those of applications they see; the others are shown
    as time taken by an interview of another opening."""
    interviews = list(interviews)
    visible = visible_application_ids(actor, {i.application_id for i in interviews})
    return {interview.id for interview in interviews if interview.application_id in visible}


def can_see_message(actor: User, message: OutboxMessage) -> bool:
    """Tell whether *actor* may see *message* on the failed-mail pages (`visible_messages`)."""
    return db.session.scalar(sa.select(OutboxMessage.id).where(
        OutboxMessage.id == message.id, visible_messages(actor))) is not None


def visible_messages(actor: User):
    """Return the SQL condition on OutboxMessage that *actor* may see it on the failed-mail pages:
    every one for an admin; for others, none about an interview of an application they do not
    see, nor to a candidate none of whose applications they see."""
    if actor.is_authenticated and actor.has_role("admin"):
        return sa.true()
    seen_interviews = sa.select(Interview.id).join(
        Application, Application.id == Interview.application_id).where(
        visible_applications(actor))
    unseen_candidates = sa.select(Candidate.email).where(~sa.exists().where(
        Application.candidate_id == Candidate.id, visible_applications(actor)))
    return sa.and_(sa.or_(OutboxMessage.interview_id.is_(None),
                          OutboxMessage.interview_id.in_(seen_interviews)),
                   OutboxMessage.to_addr.not_in(unseen_candidates))
