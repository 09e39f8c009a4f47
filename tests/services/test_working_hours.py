"""Working hours, zone, time off, extra hours and workday overrides: edits change the slots;
bad entries are refused with a message and change nothing; the week view marks 调休 and holidays.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from scheduler.domain.workdays import WorkdayCalendar
from scheduler.models import AuditEvent, AvailabilityOverride, WorkdayOverride
from scheduler.services import permissions, workdays
from scheduler.services import working_hours as wh
from scheduler.services.errors import ServiceError
from scheduler.services.interviewers import InterviewerFilters, list_interviewers
from scheduler.services.slot_search import find_slots
from scheduler.services.week_view import week_view
from tests import factories as f
from tests.clock import at_local, local_today, weekday_on_or_after, workday_after, workdays_after

BEIJING = ZoneInfo("Asia/Shanghai")
HORIZON_DAYS = 21


def _weekday_workdays() -> tuple[date, date]:
    """Return the first two Monday–Friday CN workdays at least a day away, on different weekdays."""
    first, *later = workdays_after(1, count=6, weekdays_only=True)
    return first, next(day for day in later if day.weekday() != first.weekday())


def _saturday_off() -> date:
    """Return the first Saturday at least a day away that CN does not work (not a 调休 day)."""
    saturday = weekday_on_or_after(local_today() + timedelta(days=1), 5)
    while WorkdayCalendar("CN").is_workday(saturday):
        saturday += timedelta(days=7)
    return saturday


# Days picked by their property, relative to NOW (see tests/clock.py); all lie inside the
# stage's horizon, so the slots show what the edits did to them.
# FIRST, SECOND: Monday–Friday workdays (of different weekdays) at least a day away.
# SATURDAY: a Saturday at least a day away that the office does not work.
FIRST, SECOND = _weekday_workdays()
SATURDAY = _saturday_off()
assert max(FIRST, SECOND, SATURDAY) < local_today() + timedelta(days=HORIZON_DAYS)


@pytest.fixture
def world(db):
    """One Beijing interviewer (Mon–Fri 09:00–18:00) and a one-hour stage on the hour, 21 days
    ahead (long enough to hold workdays after the week of National Day or Spring Festival)."""
    office = f.make_office(code="BJ", zone="Asia/Shanghai", calendar_key="CN")
    interviewer = f.make_interviewer(office=office, windows=((0, 5), time(9), time(18)))
    requisition = f.make_requisition(stages=[dict(
        kind="system_design", duration_minutes=60, panel_size=1, step_minutes=60,
        min_notice_minutes=0, horizon_days=HORIZON_DAYS)])
    requisition.offices = [office]
    application = f.make_application(requisition=requisition,
                                     candidate=f.make_candidate(zone="Asia/Shanghai"))
    db.session.commit()
    return interviewer, application, requisition.stages[0]


def starts(application, stage, now, zone=BEIJING) -> dict[date, list[int]]:
    """Return the local start hours of the slots, per local date."""
    found: dict[date, list[int]] = {}
    for slot in find_slots(application, [stage], now).slots:
        local = slot.start_at.astimezone(zone)
        found.setdefault(local.date(), []).append(local.hour)
    return found


def audit_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def test_weekly_hours_change_the_slots_and_apply_on_workdays_only(db, world, now):
    interviewer, application, stage = world
    before = starts(application, stage, now)
    assert before[FIRST] == list(range(9, 18)) and SATURDAY not in before

    # Every weekday 14:00–16:00, SECOND's weekday also 09:00–11:00, and Saturdays 10:00–12:00.
    special = SECOND.weekday()
    wh.set_weekly_windows(interviewer.user, interviewer,
                          {day: [(time(14), time(16))] for day in range(5)}
                          | {special: [(time(9), time(11)), (time(14), time(16))],
                             5: [(time(10), time(12))]},
                          now)
    db.session.commit()
    after = starts(application, stage, now)
    assert after[FIRST] == [14, 15]
    assert after[SECOND] == [9, 10, 14, 15]
    assert SATURDAY not in after  # a weekly Saturday window counts only when Saturday is worked
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "working_hours.changed")).one()
    assert event.actor_user_id == interviewer.user_id
    assert event.before[str(special)] == ["09:00–18:00"]
    assert event.after[str(special)] == ["09:00–11:00", "14:00–16:00"]


def test_time_off_and_extra_hours_change_the_slots(db, world, now):
    interviewer, application, stage = world
    user = interviewer.user
    day_off = wh.add_date_override(user, interviewer, day=FIRST, is_available=False, start=None,
                                   end=None, note="Dentist", now=now)
    wh.add_date_override(user, interviewer, day=SECOND, is_available=False, start=time(9),
                         end=time(12), note="", now=now)
    wh.add_date_override(user, interviewer, day=SATURDAY, is_available=True, start=time(10),
                         end=time(12), note="Hiring push", now=now)
    db.session.commit()
    found = starts(application, stage, now)
    assert FIRST not in found
    assert found[SECOND] == list(range(12, 18))
    assert found[SATURDAY] == [10, 11]

    wh.remove_date_override(user, interviewer, day_off.id, now)
    db.session.commit()
    assert starts(application, stage, now)[FIRST] == list(range(9, 18))
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["availability_override.added"] * 3 + ["availability_override.removed"]


def test_workday_overrides_change_the_slots(db, world, now):
    _interviewer, application, stage = world
    admin = f.make_user(roles=("admin",))
    before = starts(application, stage, now)
    assert SECOND in before and SATURDAY not in before
    rows = workdays.add_workday_overrides(admin, "CN", [
        workdays.WorkdayEntry(SECOND, False, "Company day off"),
        workdays.WorkdayEntry(SATURDAY, True, "调休"),
    ], now)
    db.session.commit()
    found = starts(application, stage, now)
    assert SECOND not in found
    assert found[SATURDAY] == list(range(9, 18))  # a worked Saturday uses Monday's hours

    workdays.remove_workday_override(admin, next(r for r in rows if r.day == SATURDAY).id, now)
    db.session.commit()
    assert SATURDAY not in starts(application, stage, now)
    # Another office's calendar is untouched by CN overrides.
    assert workdays.workday_overrides("GB-ENG") == []


def _windows(profile):
    return [(w.weekday, w.start_local, w.end_local) for w in profile.working_windows]


# The fixture of the test below gives SECOND time off 10:00–12:00 and makes it a CN day off.
YESTERDAY = local_today() - timedelta(days=1)
ANOTHER_SATURDAY = SATURDAY + timedelta(days=7)  # no override yet

BAD_ENTRIES = [
    pytest.param(lambda p, u, now: wh.set_weekly_windows(u, p, {0: [(time(18), time(9))]}, now),
                 "Monday: the window 18:00–09:00 ends before it starts", id="window-end-before-start"),
    pytest.param(lambda p, u, now: wh.set_weekly_windows(
        u, p, {1: [(time(9), time(12)), (time(11), time(13))]}, now),
        "Tuesday: the windows 09:00–12:00 and 11:00–13:00 overlap", id="overlapping-windows"),
    pytest.param(lambda p, u, now: wh.set_zone(u, p, "Mars/Olympus_Mons", now),
                 "Unknown time zone", id="unknown-zone"),
    pytest.param(lambda p, u, now: wh.add_date_override(
        u, p, day=FIRST, is_available=False, start=time(15), end=time(10), note="", now=now),
        "The end 10:00 is not after the start 15:00", id="override-end-before-start"),
    pytest.param(lambda p, u, now: wh.add_date_override(
        u, p, day=FIRST, is_available=False, start=time(15), end=None, note="", now=now),
        "Give both a start and an end time", id="override-one-time"),
    pytest.param(lambda p, u, now: wh.add_date_override(
        u, p, day=SATURDAY, is_available=True, start=None, end=None, note="", now=now),
        "Extra hours need a start and an end time", id="extra-hours-without-times"),
    pytest.param(lambda p, u, now: wh.add_date_override(
        u, p, day=SECOND, is_available=False, start=time(11), end=time(13), note="", now=now),
        f"This overlaps an entry you already have on {SECOND.isoformat()} (10:00–12:00)",
        id="overlapping-time-off"),
    pytest.param(lambda p, u, now: wh.add_date_override(
        u, p, day=YESTERDAY, is_available=False, start=None, end=None, note="", now=now),
        f"{YESTERDAY.isoformat()} has already passed", id="past-day"),
    pytest.param(lambda p, u, now: workdays.add_workday_overrides(
        u, "CN", [workdays.WorkdayEntry(ANOTHER_SATURDAY, True), workdays.WorkdayEntry(SECOND, False)],
        now),
        f"{SECOND.isoformat()} already has an override for China (mainland)",
        id="duplicate-workday-date"),
    pytest.param(lambda p, u, now: workdays.add_workday_overrides(
        u, "GB-England", [workdays.WorkdayEntry(ANOTHER_SATURDAY, True)], now),
        "Unknown holiday calendar GB-England: use a country code of the holiday data, with the "
        "region where the data has regions, e.g. GB-ENG for England", id="unknown-calendar-key"),
]


@pytest.mark.parametrize("edit, message", BAD_ENTRIES)
def test_bad_entries_are_refused_with_a_message_and_change_nothing(db, world, now, edit, message):
    interviewer, application, stage = world
    user = f.make_user(roles=("admin", "interviewer"))
    f.make_availability_override(interviewer, SECOND, start_local=time(10), end_local=time(12))
    f.make_workday_override(SECOND, is_workday=False)
    db.session.commit()
    state = (_windows(interviewer), interviewer.zone, interviewer.user.zone,
             db.session.scalar(sa.select(sa.func.count()).select_from(AvailabilityOverride)),
             db.session.scalar(sa.select(sa.func.count()).select_from(WorkdayOverride)),
             audit_count(db))
    slots_before = starts(application, stage, now)

    with pytest.raises(ServiceError) as refused:
        edit(interviewer, user, now)
    assert message in str(refused.value.message)
    db.session.flush()  # whatever the service left pending would now reach the database
    db.session.rollback()  # as the view does
    db.session.expire_all()
    assert (_windows(interviewer), interviewer.zone, interviewer.user.zone,
            db.session.scalar(sa.select(sa.func.count()).select_from(AvailabilityOverride)),
            db.session.scalar(sa.select(sa.func.count()).select_from(WorkdayOverride)),
            audit_count(db)) == state
    assert starts(application, stage, now) == slots_before


def test_only_the_interviewer_or_a_coordinator_may_edit(db, world, now):
    interviewer, application, stage = world
    colleague = f.make_interviewer(office=interviewer.office, qualifications={})
    with pytest.raises(permissions.NotAllowed):
        wh.set_weekly_windows(colleague.user, interviewer, {0: [(time(9), time(10))]}, now)
    with pytest.raises(permissions.NotAllowed):
        list_interviewers(colleague.user, InterviewerFilters(), now)
    coordinator = f.make_user(roles=("coordinator",))
    wh.set_weekly_windows(coordinator, interviewer, {FIRST.weekday(): [(time(9), time(10))]}, now)
    db.session.commit()
    assert starts(application, stage, now)[FIRST] == [9]
    assert {row.profile.id for row in list_interviewers(coordinator, InterviewerFilters(), now).rows} == {
        interviewer.id, colleague.id}


def test_a_new_zone_keeps_the_wall_clock_hours(db, world, now):
    interviewer, application, stage = world
    wh.set_zone(interviewer.user, interviewer, "Europe/London", now)
    db.session.commit()
    assert interviewer.zone == "Europe/London" and interviewer.user.zone == "Europe/London"
    application.candidate.zone = "Europe/London"
    db.session.commit()
    london = starts(application, stage, now, ZoneInfo("Europe/London"))
    # The first Monday–Friday office workday at least a day away on London's calendar.
    london_day = workday_after(1, "CN", "Europe/London", weekdays_only=True)
    assert london[london_day] == list(range(9, 18))  # 09:00–18:00 now means London time
    # Back to the office's zone: stored as "the office's", so it follows the office.
    wh.set_zone(interviewer.user, interviewer, "Asia/Shanghai", now)
    db.session.commit()
    assert interviewer.zone is None and interviewer.effective_zone == "Asia/Shanghai"


def _week_day(view, day):
    return next(d for d in view.days if d.day == day)


def _spans(view, segments):
    """Return each segment's local start and end ("HH:MM") in the view's zone."""
    zone = ZoneInfo(view.zone)
    return [(s.start_at.astimezone(zone).strftime("%H:%M"), s.end_at.astimezone(zone).strftime("%H:%M"))
            for s in segments]


def test_week_view_marks_makeup_workdays_holidays_busy_time_and_interviews(db):
    # The published 2026 schedule at an instant of its own, whatever NOW is: National Day is
    # 1–7 October and Saturday 10 October is worked in exchange (调休).
    national_day_now = datetime(2026, 9, 30, 16, 0, tzinfo=timezone.utc)  # 1 Oct 00:00 Beijing
    beijing = f.make_interviewer(office=f.make_office(zone="Asia/Shanghai", calendar_key="CN"),
                                 windows=((0, 5), time(9, 30), time(18, 30)))
    london = f.make_interviewer(office=f.make_office(zone="Europe/London", calendar_key="GB-ENG"),
                                windows=((0, 5), time(9), time(17, 30)))
    source = f.make_calendar_source(beijing, kind="file", name="Work calendar")
    # Busy on the make-up Saturday 14:00–15:00 Beijing; an interview on Friday 10:00–11:00.
    f.make_busy_block(source, datetime(2026, 10, 10, 6, tzinfo=timezone.utc),
                      datetime(2026, 10, 10, 7, tzinfo=timezone.utc), summary="Team sync")
    f.make_interview(panel=[beijing], start_at=datetime(2026, 10, 9, 2, tzinfo=timezone.utc))
    db.session.commit()

    view = week_view(beijing, date(2026, 10, 10), national_day_now, language="zh")
    assert view.monday == date(2026, 10, 5)
    saturday = _week_day(view, date(2026, 10, 10))
    assert saturday.is_workday and saturday.is_makeup_workday and saturday.holiday_name == "国庆节"
    assert _spans(view, saturday.free) == [("09:30", "14:00"), ("15:00", "18:30")]
    assert _spans(view, saturday.busy) == [("14:00", "15:00")]
    assert [s.label for s in saturday.busy] == ["Team sync"]
    monday = _week_day(view, date(2026, 10, 5))
    assert monday.is_holiday and not monday.is_workday and monday.free == []
    friday = _week_day(view, date(2026, 10, 9))
    assert _spans(view, friday.interviews) == [("10:00", "11:00")]
    assert _spans(view, friday.free) == [("09:30", "10:00"), ("11:00", "18:30")]
    assert not _week_day(view, date(2026, 10, 11)).is_workday
    # A coordinator's view leaves the event titles out.
    hidden = week_view(beijing, date(2026, 10, 10), national_day_now, show_summaries=False)
    assert [s.label for s in _week_day(hidden, date(2026, 10, 10)).busy] == [""]

    london_view = week_view(london, date(2026, 10, 10), national_day_now, language="en")
    london_saturday = _week_day(london_view, date(2026, 10, 10))
    assert not london_saturday.is_workday and not london_saturday.is_makeup_workday
    assert london_saturday.free == [] and london_saturday.working == []
    assert _week_day(london_view, date(2026, 10, 5)).is_workday


def test_week_view_shows_no_free_time_before_now(db, now):
    interviewer = f.make_interviewer(windows=((0, 5), time(9), time(18)))
    noon = at_local(FIRST, "12:00")  # the view is asked for at noon, Beijing time, on a workday
    view = week_view(interviewer, FIRST, noon)
    day = _week_day(view, FIRST)
    assert _spans(view, day.free) == [("12:00", "18:00")]
    assert _spans(view, day.working) == [("09:00", "18:00")]


def test_holiday_notices_follow_each_offices_horizon_and_count_overrides(db, now, monkeypatch):
    # Which years China has published depends on NOW (at year end, or once a new year has begun,
    # even a short horizon reaches an unpublished year), so the test fixes it: the schedule is
    # published up to the first 1 January at least 20 days away, and not from then on.
    unpublished = date((now.date() + timedelta(days=20)).year + 1, 1, 1)

    class Published(WorkdayCalendar):
        def is_year_covered(self, year: int) -> bool:
            return self.key != "CN" or year < unpublished.year

    monkeypatch.setattr(workdays, "WorkdayCalendar", Published)
    china = f.make_office(zone="Asia/Shanghai", calendar_key="CN")
    britain = f.make_office(zone="Europe/London", calendar_key="GB-ENG")
    requisition = f.make_requisition(stages=[dict(horizon_days=14)])
    requisition.offices = [china, britain]
    db.session.flush()
    assert workdays.holiday_data_notices(now) == []  # 14 days stay in published data

    requisition.stages[0].horizon_days = (unpublished - now.date()).days + 30
    admin = f.make_user(roles=("admin",))
    # A make-up Saturday in the unpublished year counts; a day off on 31 December before it does not.
    makeup = weekday_on_or_after(unpublished + timedelta(days=40), 5)
    workdays.add_workday_overrides(admin, "CN", [workdays.WorkdayEntry(makeup, True),
                                                 workdays.WorkdayEntry(unpublished - timedelta(days=1),
                                                                       False)], now)
    notices = workdays.holiday_data_notices(now)
    assert [(n.warning.calendar_key, n.warning.year, n.override_count) for n in notices] == [
        ("CN", unpublished.year, 1)]
    # A closed requisition no longer books into the unpublished year.
    requisition.is_open = False
    assert workdays.holiday_data_notices(now) == []


def test_the_engines_holiday_warning_is_in_the_catalogue():
    # The domain marks its template with N_, so extraction puts it in the catalogue.
    from babel.messages.pofile import read_po

    from scheduler.domain.workdays import WARNING_HOLIDAY_DATA_MISSING, WorkdayWarning

    warning = WorkdayWarning(WARNING_HOLIDAY_DATA_MISSING, "CN", 2027)
    catalogue = Path(__file__).resolve().parents[2] / "scheduler" / "translations" / "zh" / \
        "LC_MESSAGES" / "messages.po"
    with catalogue.open("rb") as po:
        assert read_po(po, locale="zh").get(warning.message_id).string
