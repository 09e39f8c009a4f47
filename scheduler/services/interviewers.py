"""Interviewers: their profiles (office, own zone, qualifications, caps, video room), given and
edited by coordinators and admins, and the list of interviewers with this week's load.

A profile edit is checked as a whole before anything is written: every bad field is refused at
once (InterviewerProfileError naming its field) and nothing changes; an accepted change is audited
with the changed fields before and after. Who may edit is asked of permissions.py. The load is
counted as the caps count it (scheduler/domain/availability.py): active seats by the local day
they start, in the interviewer's own zone, Monday–Sunday. Services flush; the calling view commits.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from scheduler.domain.availability import Load, load_at
from scheduler.extensions import db
from scheduler.models import (
    InterviewerAssignment, InterviewerProfile, Office, Qualification, User, UserRole,
)
from scheduler.models.requisition import INTERVIEW_KINDS
from scheduler.models.user import QUALIFICATION_LEVELS
from scheduler.services.audit import record_event
from scheduler.services.availability_cache import bump_availability_version
from scheduler.services.errors import N_, ServiceError
from scheduler.services.permissions import (
    NotAllowed, can_list_interviewers, check_can_edit_interviewer_profiles,
)
from scheduler.services.slot_search import qualifies
from scheduler.services.users import add_interviewer_profile, future_interviews
from scheduler.services.working_hours import stored_zone
from scheduler.timeutil import canonical_zone, is_valid_zone

# More interviews than this in a day or a week is a typing mistake, not a limit (and the columns
# are small integers).
MAX_CAP = 100
VIDEO_ROOM_MAX = 500
# A local Monday–Sunday week seen from any zone lies within this distance of `now`.
WEEK_REACH = timedelta(days=8)


class InterviewerProfileError(ServiceError):
    """An interviewer's profile was refused."""

    messages = {
        "office_missing": N_("Choose an office."),
        "unknown_zone": N_("Unknown time zone %(zone)s: use an IANA name such as Asia/Shanghai."),
        "bad_cap": N_("Give a whole number from 1 to %(max)d, or leave it empty for no limit."),
        "daily_above_weekly": N_("The daily limit (%(daily)d) is above the weekly limit "
                                 "(%(weekly)d): lower it, or raise the weekly one."),
        "unknown_stage_kind": N_("Unknown kind of stage: %(kind)s."),
        "bad_level": N_("Choose shadow, reverse shadow, qualified or senior, or none."),
        "bad_video_room": N_("Give the room's full address, starting with https://, e.g. "
                             "https://meet.example.com/wang-fang."),
        "video_room_too_long": N_("At most %(max)d characters."),
        "has_profile": N_("%(name)s already has an interviewer profile."),
        "not_interviewer": N_("%(name)s does not have the interviewer role: an admin can give it "
                              "on the Staff page."),
    }


@dataclass(frozen=True)
class ProfileDetails:
    """What a coordinator sets on a profile; *zone* "" means the office's zone."""

    office: Office | None
    zone: str = ""
    qualifications: Mapping[str, str] = field(default_factory=dict)
    daily_cap: int | None = None
    weekly_cap: int | None = None
    video_room_url: str = ""


@dataclass(frozen=True)
class CapUse:
    """Interviews counted in a day or a week against its cap (None: no cap)."""

    count: int
    cap: int | None

    @property
    def is_full(self) -> bool:
        """Tell whether no more interviews can be booked in this day or week."""
        return self.cap is not None and self.count >= self.cap

    @property
    def is_over(self) -> bool:
        """Tell whether more interviews are booked than the cap allows (it was lowered since)."""
        return self.cap is not None and self.count > self.cap


def cap_uses(profile: InterviewerProfile, load: Load) -> tuple[CapUse, CapUse]:
    """Return today's and this week's interviews against *profile*'s daily and weekly caps."""
    return CapUse(load.today, profile.daily_cap), CapUse(load.week, profile.weekly_cap)


@dataclass(frozen=True)
class ProfileSaved:
    """What an accepted edit did, for the page to say: a move, and caps now below the load."""

    profile: InterviewerProfile
    is_changed: bool
    # The office or the zone changed: the future interviews keep their times, and the weekly
    # working hours are read as local wall-clock time in the (new) zone.
    is_moved: bool
    future_interview_count: int
    today: CapUse
    week: CapUse


# --- checking and saving ---------------------------------------------------------------------

def check_profile_details(details: ProfileDetails) -> tuple[str | None, dict[str, str], str]:
    """Return the zone (None: the office's), the qualifications and the video room, checked;
    raise every refusal together. Writes nothing."""
    refusals = []
    zone = canonical_zone(details.zone) or None
    if details.office is None:
        refusals.append(InterviewerProfileError("office_missing", "office"))
    if zone is not None and not is_valid_zone(zone):
        refusals.append(InterviewerProfileError("unknown_zone", "zone", zone=zone))
    for name, cap in (("daily_cap", details.daily_cap), ("weekly_cap", details.weekly_cap)):
        if cap is not None and not 1 <= cap <= MAX_CAP:
            refusals.append(InterviewerProfileError("bad_cap", name, max=MAX_CAP))
    if (details.daily_cap is not None and details.weekly_cap is not None
            and 1 <= details.weekly_cap < details.daily_cap <= MAX_CAP):
        refusals.append(InterviewerProfileError("daily_above_weekly", "daily_cap",
                                                daily=details.daily_cap, weekly=details.weekly_cap))
    qualifications = {}
    for kind, level in details.qualifications.items():
        if kind not in INTERVIEW_KINDS:
            refusals.append(InterviewerProfileError("unknown_stage_kind", kind=kind))
        elif level not in QUALIFICATION_LEVELS:
            refusals.append(InterviewerProfileError("bad_level", f"qualification_{kind}"))
        else:
            qualifications[kind] = level
    video_room_url = (details.video_room_url or "").strip()
    if len(video_room_url) > VIDEO_ROOM_MAX:
        refusals.append(InterviewerProfileError("video_room_too_long", "video_room_url",
                                                max=VIDEO_ROOM_MAX))
    elif video_room_url and not _is_https_address(video_room_url):
        refusals.append(InterviewerProfileError("bad_video_room", "video_room_url"))
    if refusals:
        raise InterviewerProfileError.together(refusals)
    return zone, qualifications, video_room_url


def _is_https_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (parts.scheme == "https" and bool(parts.hostname)
            and not any(c.isspace() or c in "<>\"" for c in url))


def _snapshot(profile: InterviewerProfile) -> dict:
    return {"office": profile.office.code, "zone": profile.zone, "display_zone": profile.user.zone,
            "qualifications": {q.stage_kind: q.level
                               for q in sorted(profile.qualifications, key=lambda q: q.stage_kind)},
            "daily_cap": profile.daily_cap, "weekly_cap": profile.weekly_cap,
            "video_room_url": profile.video_room_url}


def _apply(profile: InterviewerProfile, office: Office, zone: str | None,
           qualifications: dict[str, str], details: ProfileDetails, video_room_url: str) -> None:
    """Write the checked values onto *profile* (qualifications added, changed, removed)."""
    old_zone = profile.effective_zone
    profile.office = office
    profile.zone = stored_zone(office, zone)
    # The person reads their own pages in their working zone (as on the availability page).
    if profile.effective_zone != old_zone:
        profile.user.zone = profile.effective_zone
    profile.daily_cap, profile.weekly_cap = details.daily_cap, details.weekly_cap
    profile.video_room_url = video_room_url
    rows = {q.stage_kind: q for q in profile.qualifications}
    for kind, row in rows.items():
        if kind not in qualifications:
            profile.qualifications.remove(row)
        else:
            row.level = qualifications[kind]
    profile.qualifications.extend(Qualification(stage_kind=kind, level=level)
                                  for kind, level in sorted(qualifications.items())
                                  if kind not in rows)
    db.session.flush()
    # Office, zone, caps and qualifications all change who is free when.
    bump_availability_version([profile.id])


def create_interviewer_profile(actor: User, user: User, details: ProfileDetails,
                               now: datetime) -> InterviewerProfile:
    """Give *user*, who has the interviewer role but no profile, one with *details* (the office
    is required); audited. It has no working hours yet: they are set on the availability page."""
    check_can_edit_interviewer_profiles(actor)
    if user.interviewer_profile is not None:
        raise InterviewerProfileError("has_profile", name=user.name)
    if not user.has_role("interviewer"):
        raise InterviewerProfileError("not_interviewer", name=user.name)
    zone, qualifications, video_room_url = check_profile_details(details)
    profile = add_interviewer_profile(user, details.office)
    _apply(profile, details.office, zone, qualifications, details, video_room_url)
    record_event(actor, "interviewer_profile.created", profile, now=now, after=_snapshot(profile))
    return profile


def update_interviewer_profile(actor: User, profile: InterviewerProfile, details: ProfileDetails,
                               now: datetime) -> ProfileSaved:
    """Change *profile* to *details*; audited with the changed fields before and after.

    Nothing booked moves: a new office or zone leaves future interviews at their times, and a cap
    lowered below what is already booked this day or week cancels nothing (it stops new bookings).
    """
    check_can_edit_interviewer_profiles(actor)
    zone, qualifications, video_room_url = check_profile_details(details)
    before = _snapshot(profile)
    old_place = (profile.office_id, profile.effective_zone)
    _apply(profile, details.office, zone, qualifications, details, video_room_url)
    after = _snapshot(profile)
    changed = sorted(key for key in after if after[key] != before[key])
    if changed:
        record_event(actor, "interviewer_profile.updated", profile, now=now,
                     before={key: before[key] for key in changed},
                     after={key: after[key] for key in changed})
    is_moved = old_place != (profile.office_id, profile.effective_zone)
    today, week = cap_uses(profile, loads_of([profile], now)[profile.id])
    return ProfileSaved(profile=profile, is_changed=bool(changed), is_moved=is_moved,
                        future_interview_count=len(future_interviews(profile.user, now))
                        if is_moved else 0,
                        today=today, week=week)


# --- the list --------------------------------------------------------------------------------

@dataclass(frozen=True)
class InterviewerFilters:
    """What the list is narrowed to; empty values do not narrow it."""

    office_id: int | None = None
    stage_kind: str = ""
    min_level: str = ""
    text: str = ""
    is_active_only: bool = True

    @property
    def needs_profile(self) -> bool:
        """Tell whether the filters ask about profiles (so people without one cannot match)."""
        return bool(self.office_id or self.stage_kind or self.min_level)


@dataclass(frozen=True)
class InterviewerRow:
    """One interviewer of the list with today's and this week's interviews against the caps."""

    profile: InterviewerProfile
    today: CapUse
    week: CapUse


@dataclass(frozen=True)
class InterviewerList:
    rows: list[InterviewerRow]
    # Staff with the interviewer role and no profile yet: they cannot be booked until given one.
    without_profile: list[User]


def levels_at_least(level: str) -> list[str]:
    """Return the qualification levels that meet *level* (all of them for "")."""
    return [each for each in QUALIFICATION_LEVELS if not level or qualifies(each, level)]


def loads_of(profiles: Iterable[InterviewerProfile], now: datetime) -> dict[int, Load]:
    """Return each profile's interviews on its local day and in its local week at *now*, in one
    query."""
    profiles = list(profiles)
    starts = defaultdict(list)
    if profiles:
        for interviewer_id, start_at in db.session.execute(
                sa.select(InterviewerAssignment.interviewer_id, InterviewerAssignment.start_at)
                .where(InterviewerAssignment.interviewer_id.in_([p.id for p in profiles]),
                       InterviewerAssignment.is_active.is_(True),
                       InterviewerAssignment.start_at > now - WEEK_REACH,
                       InterviewerAssignment.start_at < now + WEEK_REACH)):
            starts[interviewer_id].append(start_at)
    return {p.id: load_at(p.effective_zone, starts[p.id], now) for p in profiles}


def matches_text(text: str):
    """Return the condition that a user's name or email contains *text* (any case)."""
    needle = text.strip().lower()
    return sa.or_(sa.func.lower(User.name).contains(needle, autoescape=True),
                  sa.func.lower(User.email).contains(needle, autoescape=True))


def interviewer_query(*, office_ids: Collection[int] = (), stage_kind: str = "",
                      min_level: str = "", is_active_only: bool = True) -> sa.Select:
    """Return the query of interviewer profiles (with their user, office and qualifications), by
    office code and name, in *office_ids* (any when empty) and qualified for *stage_kind* at
    *min_level* or above (either may be empty: any kind, any level)."""
    query = (sa.select(InterviewerProfile)
             .join(User, User.id == InterviewerProfile.user_id)
             .join(Office, Office.id == InterviewerProfile.office_id)
             .options(selectinload(InterviewerProfile.user), selectinload(InterviewerProfile.office),
                      selectinload(InterviewerProfile.qualifications))
             .order_by(Office.code, User.name, User.id))
    if is_active_only:
        query = query.where(User.is_active.is_(True))
    if office_ids:
        query = query.where(InterviewerProfile.office_id.in_(sorted(office_ids)))
    if stage_kind or min_level:
        qualified = sa.select(Qualification.id).where(
            Qualification.interviewer_id == InterviewerProfile.id,
            Qualification.level.in_(levels_at_least(min_level)))
        if stage_kind:
            qualified = qualified.where(Qualification.stage_kind == stage_kind)
        query = query.where(qualified.exists())
    return query


def list_interviewers(actor: User, filters: InterviewerFilters, now: datetime) -> InterviewerList:
    """Return the interviewers *filters* select, by office and name, with their load at *now*,
    in a fixed number of queries whatever their number; raise NotAllowed for others than
    coordinators and admins."""
    if not can_list_interviewers(actor):
        raise NotAllowed()
    query = interviewer_query(office_ids=[filters.office_id] if filters.office_id else (),
                              stage_kind=filters.stage_kind, min_level=filters.min_level,
                              is_active_only=filters.is_active_only)
    if filters.text.strip():
        query = query.where(matches_text(filters.text))
    profiles = list(db.session.scalars(query))
    loads = loads_of(profiles, now)
    rows = [InterviewerRow(p, *cap_uses(p, loads[p.id])) for p in profiles]
    return InterviewerList(rows=rows, without_profile=[] if filters.needs_profile
                           else _without_profile(filters))


def _without_profile(filters: InterviewerFilters) -> list[User]:
    query = (sa.select(User)
             .where(User.role_rows.any(UserRole.role == "interviewer"),
                    ~sa.exists().where(InterviewerProfile.user_id == User.id))
             .order_by(User.name, User.id))
    if filters.is_active_only:
        query = query.where(User.is_active.is_(True))
    if filters.text.strip():
        query = query.where(matches_text(filters.text))
    return list(db.session.scalars(query))
