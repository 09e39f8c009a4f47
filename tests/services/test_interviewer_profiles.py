"""Interviewers' profiles as a service: office, own zone, qualifications, caps and video room
changed by coordinators and admins, checked as a whole (every refusal at once, nothing written),
audited with before and after; a profile given to someone with the role and none; what a move
or a lowered cap means for what is booked; and the list's filters and its load in each
interviewer's own local day and Monday–Sunday week."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, InterviewerProfile, Qualification
from scheduler.services.interviewers import (
    InterviewerFilters, InterviewerProfileError, ProfileDetails, create_interviewer_profile,
    list_interviewers, update_interviewer_profile,
)
from scheduler.services.permissions import NotAllowed
from scheduler.services.slot_search import stage_pool
from tests import factories as f
from tests.clock import NOW, at_local, weekday_on_or_after

SHANGHAI, LONDON, LOS_ANGELES = "Asia/Shanghai", "Europe/London", "America/Los_Angeles"
# A Monday at least a week away; on its Wednesday at 12:00 UTC it is Wednesday in Beijing
# (20:00), London and Los Angeles (04:00 or 05:00) alike, so "this week" has the same dates.
MONDAY = weekday_on_or_after(NOW.date() + timedelta(days=7), 0)
WEDNESDAY_NOON_UTC = datetime.combine(MONDAY + timedelta(days=2), time(12), timezone.utc)


@pytest.fixture
def world(db):
    shanghai = f.make_office(code="SH", name_en="Shanghai", zone=SHANGHAI)
    london = f.make_office(code="LDN", name_en="London", zone=LONDON, calendar_key="GB-ENG")
    wang = f.make_interviewer(office=shanghai, user=f.make_user(name="Wang Fang",
                                                                email="wang@example.com"),
                              qualifications={"system_design": "qualified",
                                              "phone_screen": "shadow"})
    coordinator = f.make_user(roles=("coordinator",), name="Lin")
    return shanghai, london, wang, coordinator


def details(office, **fields) -> ProfileDetails:
    return ProfileDetails(office=office, **fields)


def audit_rows(db, action=None):
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def test_an_edit_saves_every_field_and_audits_what_changed(db, world, now):
    shanghai, london, wang, coordinator = world
    saved = update_interviewer_profile(coordinator, wang, details(
        shanghai, zone=" Asia/Calcutta ", daily_cap=2, weekly_cap=6,
        qualifications={"system_design": "qualified", "phone_screen": "shadow"},
        video_room_url="https://meet.example.com/wang"), now)
    db.session.commit()
    assert saved.is_changed and saved.is_moved  # a new zone
    assert (wang.zone, wang.effective_zone, wang.daily_cap, wang.weekly_cap, wang.video_room_url) == (
        "Asia/Kolkata", "Asia/Kolkata", 2, 6, "https://meet.example.com/wang")
    # The person reads their own pages in their working zone, as after the availability page.
    assert wang.user.zone == "Asia/Kolkata"
    [event] = audit_rows(db)
    assert (event.action, event.actor_user_id, event.object_type, event.object_id) == (
        "interviewer_profile.updated", coordinator.id, "interviewer_profile", wang.id)
    assert event.before == {"zone": None, "display_zone": SHANGHAI, "daily_cap": None,
                            "weekly_cap": None, "video_room_url": ""}
    assert event.after == {"zone": "Asia/Kolkata", "display_zone": "Asia/Kolkata", "daily_cap": 2,
                           "weekly_cap": 6, "video_room_url": "https://meet.example.com/wang"}


def test_saving_the_same_values_changes_and_audits_nothing(db, world, now):
    shanghai, _london, wang, coordinator = world
    saved = update_interviewer_profile(coordinator, wang, details(
        shanghai, zone="", qualifications={"system_design": "qualified", "phone_screen": "shadow"}),
        now)
    assert not saved.is_changed and not saved.is_moved
    assert audit_rows(db) == []


def test_an_empty_zone_or_the_offices_own_follows_the_office(db, world, now):
    shanghai, london, wang, coordinator = world
    update_interviewer_profile(coordinator, wang, details(shanghai, zone=LONDON), now)
    assert wang.zone == LONDON
    update_interviewer_profile(coordinator, wang, details(shanghai, zone=SHANGHAI), now)
    assert wang.zone is None  # stored as "the office's", like the availability page stores it
    saved = update_interviewer_profile(coordinator, wang, details(london, zone=""), now)
    assert (wang.zone, wang.effective_zone, wang.office_id, saved.is_moved) == (
        None, LONDON, london.id, True)


def test_qualifications_are_added_changed_and_removed_in_one_save(db, world, now):
    shanghai, _london, wang, coordinator = world
    update_interviewer_profile(coordinator, wang, details(
        shanghai, qualifications={"system_design": "senior", "hr_final": "reverse_shadow"}), now)
    db.session.commit()
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Qualification).where(
        Qualification.interviewer_id == wang.id)).all()
    assert {q.stage_kind: q.level for q in rows} == {"system_design": "senior",
                                                     "hr_final": "reverse_shadow"}
    [event] = audit_rows(db)
    assert event.before == {"qualifications": {"phone_screen": "shadow", "system_design": "qualified"}}
    assert event.after == {"qualifications": {"hr_final": "reverse_shadow", "system_design": "senior"}}
    # The slot engine's pool sees it at once: senior now, no longer a phone screener.
    assert stage_pool(f.make_stage(save=False, kind="system_design", required_level="qualified")) == (
        [wang.id], frozenset({wang.id}))
    assert stage_pool(f.make_stage(save=False, kind="phone_screen", required_level="shadow"))[0] == []


def test_every_bad_value_is_refused_at_once_and_nothing_is_written(db, world, now):
    shanghai, _london, wang, coordinator = world
    db.session.commit()
    before = (wang.office_id, wang.zone, wang.daily_cap, wang.weekly_cap, wang.video_room_url,
              sorted((q.stage_kind, q.level) for q in wang.qualifications))
    with pytest.raises(InterviewerProfileError) as refused:
        update_interviewer_profile(coordinator, wang, details(
            None, zone="Mars/Olympus", daily_cap=0, weekly_cap=101,
            qualifications={"system_design": "guru", "juggling": "senior", "offer": "senior"},
            video_room_url="http://meet.example.com/wang"), now)
    assert sorted((r.code, r.field) for r in refused.value.refusals) == [
        ("bad_cap", "daily_cap"), ("bad_cap", "weekly_cap"),
        ("bad_level", "qualification_system_design"), ("bad_video_room", "video_room_url"),
        ("office_missing", "office"), ("unknown_stage_kind", None),
        ("unknown_stage_kind", None), ("unknown_zone", "zone")]
    db.session.flush()
    db.session.rollback()  # as the request's edge does
    db.session.expire_all()
    assert (wang.office_id, wang.zone, wang.daily_cap, wang.weekly_cap, wang.video_room_url,
            sorted((q.stage_kind, q.level) for q in wang.qualifications)) == before
    assert audit_rows(db) == []


@pytest.mark.parametrize("daily, weekly, refusals", [
    (None, None, []),
    (3, None, []),
    (None, 3, []),
    (3, 3, []),
    (4, 3, [("daily_above_weekly", "daily_cap")]),
    (-1, 5, [("bad_cap", "daily_cap")]),
    (1, 0, [("bad_cap", "weekly_cap")]),
    (100, 100, []),
    (101, None, [("bad_cap", "daily_cap")]),
])
def test_caps_are_none_or_positive_whole_numbers_and_the_day_within_the_week(
        db, world, now, daily, weekly, refusals):
    shanghai, _london, wang, coordinator = world
    try:
        update_interviewer_profile(coordinator, wang, details(
            shanghai, daily_cap=daily, weekly_cap=weekly,
            qualifications={"system_design": "qualified", "phone_screen": "shadow"}), now)
    except InterviewerProfileError as error:
        assert [(r.code, r.field) for r in error.refusals] == refusals
    else:
        assert refusals == []
        assert (wang.daily_cap, wang.weekly_cap) == (daily, weekly)


@pytest.mark.parametrize("url, is_accepted", [
    ("", True),
    ("https://meet.example.com/r/wang?pwd=1", True),
    ("  https://zoom.example.com/j/123  ", True),
    ("http://meet.example.com/wang", False),
    ("meet.example.com/wang", False),
    ("https://", False),
    ("https://meet.example.com/a room", False),
    ("javascript:alert(1)", False),
    ("https://example.com/" + "x" * 500, False),
])
def test_the_video_room_is_an_https_address(db, world, now, url, is_accepted):
    shanghai, _london, wang, coordinator = world
    try:
        update_interviewer_profile(coordinator, wang, details(shanghai, video_room_url=url), now)
    except InterviewerProfileError as error:
        assert not is_accepted and error.field == "video_room_url"
    else:
        assert is_accepted and wang.video_room_url == url.strip()


def test_a_member_of_staff_with_the_role_and_no_profile_is_given_one(db, world, now):
    shanghai, london, _wang, coordinator = world
    ivy = f.make_user(roles=("interviewer",), name="Ivy")
    with pytest.raises(InterviewerProfileError) as refused:
        create_interviewer_profile(coordinator, ivy, details(None, daily_cap=2), now)
    assert [(r.code, r.field) for r in refused.value.refusals] == [("office_missing", "office")]
    assert ivy.interviewer_profile is None

    profile = create_interviewer_profile(coordinator, ivy, details(
        london, qualifications={"phone_screen": "qualified"}, weekly_cap=5), now)
    db.session.commit()
    assert (profile.office_id, profile.zone, profile.weekly_cap, ivy.interviewer_profile) == (
        london.id, None, 5, profile)
    [event] = audit_rows(db, "interviewer_profile.created")
    assert event.after["office"] == "LDN" and event.after["qualifications"] == {
        "phone_screen": "qualified"}
    with pytest.raises(InterviewerProfileError, match="has_profile"):
        create_interviewer_profile(coordinator, ivy, details(london), now)
    lin = f.make_user(roles=("coordinator",), name="Lin Two")
    with pytest.raises(InterviewerProfileError, match="not_interviewer"):
        create_interviewer_profile(coordinator, lin, details(london), now)


def test_only_coordinators_and_admins_edit_profiles_not_even_an_interviewer_their_own(
        db, world, now):
    shanghai, _london, wang, _coordinator = world
    colleague = f.make_interviewer(office=shanghai)
    role_only = f.make_user(roles=("interviewer",))
    for actor in (wang.user, colleague.user):
        with pytest.raises(NotAllowed):
            update_interviewer_profile(actor, wang, details(shanghai, daily_cap=9), now)
        with pytest.raises(NotAllowed):
            create_interviewer_profile(actor, role_only, details(shanghai), now)
        with pytest.raises(NotAllowed):
            list_interviewers(actor, InterviewerFilters(), now)
    assert wang.daily_cap is None
    admin = f.make_user(roles=("admin",))
    update_interviewer_profile(admin, wang, details(shanghai, daily_cap=9), now)
    assert wang.daily_cap == 9


def test_a_move_keeps_the_future_interviews_and_the_wall_clock_hours(db, world, now):
    shanghai, london, wang, coordinator = world
    interviews = [f.make_interview(panel=[wang], start_at=now + timedelta(days=d)) for d in (2, 3)]
    f.make_interview(panel=[wang], start_at=now - timedelta(days=2))  # over: not counted
    windows = [(w.weekday, w.start_local, w.end_local) for w in wang.working_windows]
    starts = [i.start_at for i in interviews]
    saved = update_interviewer_profile(coordinator, wang, details(london), now)
    db.session.commit()
    assert (saved.is_moved, saved.future_interview_count) == (True, 2)
    assert [i.start_at for i in interviews] == starts
    assert [(w.weekday, w.start_local, w.end_local) for w in wang.working_windows] == windows
    assert wang.effective_zone == LONDON


def test_a_cap_lowered_below_this_weeks_load_is_saved_and_said(db, world):
    shanghai, _london, wang, coordinator = world
    now = WEDNESDAY_NOON_UTC
    for day, clock in ((0, "10:00"), (1, "10:00"), (2, "09:00"), (2, "14:00")):
        f.make_interview(panel=[wang], start_at=at_local(MONDAY + timedelta(days=day), clock))
    saved = update_interviewer_profile(coordinator, wang, details(
        shanghai, daily_cap=1, weekly_cap=3,
        qualifications={"system_design": "qualified", "phone_screen": "shadow"}), now)
    assert (wang.daily_cap, wang.weekly_cap) == (1, 3)
    assert (saved.today.count, saved.today.is_over, saved.week.count, saved.week.is_over) == (
        2, True, 4, True)
    saved = update_interviewer_profile(coordinator, wang, details(
        shanghai, daily_cap=2, weekly_cap=4,
        qualifications={"system_design": "qualified", "phone_screen": "shadow"}), now)
    assert (saved.today.is_over, saved.today.is_full, saved.week.is_over, saved.week.is_full) == (
        False, True, False, True)


# --- the list ---------------------------------------------------------------------------------

@pytest.fixture
def team(db):
    """Three offices, interviewers at several levels, one inactive, one without a profile."""
    shanghai = f.make_office(code="SH", name_en="Shanghai", zone=SHANGHAI)
    london = f.make_office(code="LDN", name_en="London", zone=LONDON, calendar_key="GB-ENG")
    sf = f.make_office(code="SFO", name_en="San Francisco", zone=LOS_ANGELES, calendar_key="US-CA")
    people = {
        "wang": f.make_interviewer(office=shanghai, user=f.make_user(
            name="Wang Fang", email="wang.fang@example.com"), daily_cap=1, weekly_cap=2,
            qualifications={"system_design": "senior", "phone_screen": "qualified"}),
        "oliver": f.make_interviewer(office=london, user=f.make_user(
            name="Oliver Smith", email="oliver@example.co.uk"),
            qualifications={"system_design": "reverse_shadow"}),
        "maria": f.make_interviewer(office=sf, user=f.make_user(
            name="María García", email="maria@example.com"), weekly_cap=5,
            qualifications={"project_deep_dive": "qualified", "system_design": "shadow"}),
        "gone": f.make_interviewer(office=shanghai, user=f.make_user(
            name="Wang Lei", email="lei@example.com", is_active=False),
            qualifications={"system_design": "senior"}),
    }
    role_only = f.make_user(roles=("interviewer",), name="Ivy New", email="ivy@example.com")
    coordinator = f.make_user(roles=("coordinator",), name="Lin", email="lin@example.com")
    return (shanghai, london, sf), people, role_only, coordinator


def names(listing) -> list[str]:
    return [row.profile.user.name for row in listing.rows]


@pytest.mark.parametrize("filters, expected, shows_role_only", [
    (InterviewerFilters(), ["Oliver Smith", "María García", "Wang Fang"], True),
    (InterviewerFilters(is_active_only=False),
     ["Oliver Smith", "María García", "Wang Fang", "Wang Lei"], True),
    (InterviewerFilters(stage_kind="system_design"), ["Oliver Smith", "María García", "Wang Fang"],
     False),
    (InterviewerFilters(stage_kind="system_design", min_level="reverse_shadow"),
     ["Oliver Smith", "Wang Fang"], False),
    (InterviewerFilters(stage_kind="system_design", min_level="senior", is_active_only=False),
     ["Wang Fang", "Wang Lei"], False),
    (InterviewerFilters(min_level="qualified"), ["María García", "Wang Fang"], False),
    (InterviewerFilters(stage_kind="hr_final"), [], False),
    (InterviewerFilters(text="WANG"), ["Wang Fang"], False),  # no role-only "Wang"
    (InterviewerFilters(text="example.co.uk"), ["Oliver Smith"], False),
    (InterviewerFilters(text="ivy"), [], True),
    (InterviewerFilters(text="100%"), [], False),  # % and _ are letters here, not wildcards
    (InterviewerFilters(text="_"), [], False),
])
def test_the_list_filters(db, team, now, filters, expected, shows_role_only):
    offices, people, role_only, coordinator = team
    listing = list_interviewers(coordinator, filters, now)
    assert names(listing) == expected
    assert (listing.without_profile == [role_only]) is shows_role_only


def test_the_list_filters_by_office(db, team, now):
    (shanghai, london, sf), people, role_only, coordinator = team
    listing = list_interviewers(coordinator, InterviewerFilters(office_id=shanghai.id,
                                                                is_active_only=False), now)
    assert names(listing) == ["Wang Fang", "Wang Lei"] and listing.without_profile == []


def test_the_load_is_counted_in_each_interviewers_own_week_and_day(db, team):
    offices, people, role_only, coordinator = team
    wang, maria = people["wang"], people["maria"]
    now = WEDNESDAY_NOON_UTC
    sunday, next_monday = MONDAY + timedelta(days=6), MONDAY + timedelta(days=7)
    for person, zone in ((wang, SHANGHAI), (maria, LOS_ANGELES)):
        # The edges of the local week: its Monday 00:30 and its Sunday 23:30 count ...
        for instant in (at_local(MONDAY, "00:30", zone), at_local(sunday, "23:30", zone),
                        at_local(MONDAY + timedelta(days=2), "09:00", zone)):
            f.make_interview(panel=[person], start_at=instant)
        # ... the Sunday before and the Monday after do not, nor a cancelled seat.
        for instant in (at_local(MONDAY - timedelta(days=1), "23:30", zone),
                        at_local(next_monday, "00:30", zone)):
            f.make_interview(panel=[person], start_at=instant)
        cancelled = f.make_interview(panel=[person], start_at=at_local(sunday, "10:00", zone),
                                     status="cancelled")
        cancelled.assignments[0].is_active = False
    db.session.flush()
    # Beijing's Monday 00:30 is Sunday in UTC; Los Angeles' Sunday 23:30 is Monday in UTC.
    assert at_local(MONDAY, "00:30", SHANGHAI).date() < MONDAY
    assert at_local(sunday, "23:30", LOS_ANGELES).date() == next_monday

    rows = {row.profile.user.name: row
            for row in list_interviewers(coordinator, InterviewerFilters(), now).rows}
    assert (rows["Wang Fang"].week.count, rows["Wang Fang"].week.cap,
            rows["Wang Fang"].today.count, rows["Wang Fang"].today.cap) == (3, 2, 1, 1)
    assert rows["Wang Fang"].week.is_over and not rows["Wang Fang"].today.is_over
    assert rows["Wang Fang"].today.is_full
    assert (rows["María García"].week.count, rows["María García"].week.cap,
            rows["María García"].today.count, rows["María García"].today.cap) == (3, 5, 1, None)
    assert not rows["María García"].week.is_full and not rows["María García"].today.is_full
    assert (rows["Oliver Smith"].week.count, rows["Oliver Smith"].today.count) == (0, 0)
