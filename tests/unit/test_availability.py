"""Free time per interviewer: local windows across daylight-saving changes, overrides, busy
time with buffers, caps on local days and weeks."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from scheduler.domain import intervals as iv
from scheduler.domain.availability import (
    DateOverride, InterviewerCalendar, Load, free_time, load_at, wall_clock_epoch,
    working_intervals,
)
from scheduler.domain.workdays import WorkdayCalendar

UTC = timezone.utc
NINE_TO_FIVE = {weekday: [(time(9), time(17))] for weekday in range(5)}
GOOD_FRIDAY_2027 = date(2027, 3, 26)
EASTER_MONDAY_2027 = date(2027, 3, 29)  # a bank holiday in England, the Monday after the change


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def calendar(zone="Europe/London", office="GB-ENG", windows=None, **fields) -> InterviewerCalendar:
    return InterviewerCalendar(interviewer_id=fields.pop("interviewer_id", 1), zone=zone,
                               weekly_windows=NINE_TO_FIVE if windows is None else windows,
                               workdays=fields.pop("workdays", WorkdayCalendar(office)), **fields)


def free_on(cal: InterviewerCalendar, day: date, **buffers) -> list[tuple[datetime, datetime]]:
    """Return the free time within the interviewer's local date *day*."""
    zone = ZoneInfo(cal.zone)
    return free_time(cal, datetime.combine(day, time(0), zone),
                     datetime.combine(day + timedelta(days=1), time(0), zone), **buffers)


# Weekdays around the 2027 daylight-saving changes. Good Friday (26 March) and Easter Monday
# (29 March) are bank holidays in England; the offices here have overrides to work them, so the
# clock change is what shows.
@pytest.mark.parametrize("zone, office, day, expected", [
    ("Europe/London", "GB-ENG", date(2027, 3, 26), [(utc(2027, 3, 26, 9), utc(2027, 3, 26, 17))]),
    ("Europe/London", "GB-ENG", date(2027, 3, 29), [(utc(2027, 3, 29, 8), utc(2027, 3, 29, 16))]),
    ("Europe/London", "GB-ENG", date(2027, 10, 29), [(utc(2027, 10, 29, 8), utc(2027, 10, 29, 16))]),
    ("Europe/London", "GB-ENG", date(2027, 11, 1), [(utc(2027, 11, 1, 9), utc(2027, 11, 1, 17))]),
    ("America/Los_Angeles", "US-CA", date(2027, 3, 12), [(utc(2027, 3, 12, 17), utc(2027, 3, 13, 1))]),
    ("America/Los_Angeles", "US-CA", date(2027, 3, 15), [(utc(2027, 3, 15, 16), utc(2027, 3, 16, 0))]),
    ("America/Los_Angeles", "US-CA", date(2027, 11, 5), [(utc(2027, 11, 5, 16), utc(2027, 11, 6, 0))]),
    ("America/Los_Angeles", "US-CA", date(2027, 11, 8), [(utc(2027, 11, 8, 17), utc(2027, 11, 9, 1))]),
    ("Asia/Shanghai", "CN", date(2027, 3, 15), [(utc(2027, 3, 15, 1), utc(2027, 3, 15, 9))]),
])
def test_nine_to_five_across_clock_changes(zone, office, day, expected):
    cal = calendar(zone, workdays=WorkdayCalendar(office, {GOOD_FRIDAY_2027: True,
                                                           EASTER_MONDAY_2027: True}))
    assert free_on(cal, day) == expected


def test_good_friday_and_easter_monday_are_off_in_london_without_an_override():
    assert free_on(calendar(), GOOD_FRIDAY_2027) == []
    assert free_on(calendar(), EASTER_MONDAY_2027) == []


def test_edge_in_spring_forward_gap_moves_to_the_transition():
    # London 2027-03-28: 01:00 GMT jumps to 02:00 BST; 01:30 does not exist.
    cal = calendar(windows={}, date_overrides=[DateOverride(date(2027, 3, 28), False, time(1, 30), time(5))])
    assert free_on(cal, date(2027, 3, 28)) == [(utc(2027, 3, 28, 1), utc(2027, 3, 28, 4))]


def test_time_off_across_a_gap():
    # Los Angeles 2027-03-14: 02:00 PST jumps to 03:00 PDT. Time off 01:30–02:30 ends at the jump.
    cal = calendar("America/Los_Angeles", "US-CA", windows={}, date_overrides=[
        DateOverride(date(2027, 3, 14), False, time(0), time(6)),
        DateOverride(date(2027, 3, 14), True, time(1, 30), time(2, 30)),
    ])
    assert free_on(cal, date(2027, 3, 14)) == [
        (utc(2027, 3, 14, 8), utc(2027, 3, 14, 9, 30)),   # 00:00–01:30 PST
        (utc(2027, 3, 14, 10), utc(2027, 3, 14, 13)),     # 03:00–06:00 PDT
    ]


def test_repeated_wall_time_means_its_first_occurrence():
    # London 2027-10-31: 02:00 BST falls back to 01:00 GMT; 01:00–02:00 happens twice.
    starts = DateOverride(date(2027, 10, 31), False, time(1, 30), time(3))
    ends = DateOverride(date(2027, 10, 31), False, time(0), time(1, 30))
    assert free_on(calendar(windows={}, date_overrides=[starts]), date(2027, 10, 31)) == [
        (utc(2027, 10, 31, 0, 30), utc(2027, 10, 31, 3))]   # 2.5 hours, not 1.5
    assert free_on(calendar(windows={}, date_overrides=[ends]), date(2027, 10, 31)) == [
        (utc(2027, 10, 30, 23), utc(2027, 10, 31, 0, 30))]


def test_half_hour_gap_in_lord_howe():
    # Australia/Lord_Howe moves from +10:30 to +11:00 at 02:00 on 2027-10-03: 02:15 does not exist.
    epoch = wall_clock_epoch("Australia/Lord_Howe", date(2027, 10, 3), 2 * 3600 + 15 * 60)
    assert iv.from_epoch(epoch) == utc(2027, 10, 2, 15, 30)


def test_every_window_edge_agrees_with_zoneinfo_on_ordinary_days():
    for zone in ("Asia/Kathmandu", "America/St_Johns", "Europe/London", "Asia/Shanghai"):
        for offset in range(0, 400, 7):
            day = date(2027, 1, 1) + timedelta(days=offset)
            expected = datetime.combine(day, time(13, 45), ZoneInfo(zone))
            if expected.utcoffset() == datetime.combine(day, time(0), ZoneInfo(zone)).utcoffset():
                assert iv.from_epoch(wall_clock_epoch(zone, day, 13 * 3600 + 45 * 60)) == expected


def test_overnight_window():
    cal = calendar("Asia/Shanghai", "CN", windows={0: [(time(22), time(2))]})
    # Monday 2027-03-15 22:00 to Tuesday 02:00 in Shanghai.
    assert free_time(cal, utc(2027, 3, 14), utc(2027, 3, 18)) == [
        (utc(2027, 3, 15, 14), utc(2027, 3, 15, 18))]


def test_whole_day_off_and_extra_hours_on_a_weekend():
    cal = calendar(date_overrides=[DateOverride(date(2027, 6, 14), True),
                                   DateOverride(date(2027, 6, 19), False, time(10), time(12))])
    week = free_time(cal, utc(2027, 6, 14), utc(2027, 6, 21))
    assert week[0] == (utc(2027, 6, 15, 8), utc(2027, 6, 15, 16))  # Monday gone
    assert week[-1] == (utc(2027, 6, 19, 9), utc(2027, 6, 19, 11))  # Saturday 10–12 BST


def test_beijing_works_the_makeup_saturday_london_does_not():
    beijing = calendar("Asia/Shanghai", "CN")
    london = calendar()
    assert free_on(beijing, date(2026, 10, 10)) == [(utc(2026, 10, 10, 1), utc(2026, 10, 10, 9))]
    assert free_on(london, date(2026, 10, 10)) == []
    for offset in range(7):
        day = date(2026, 10, 1) + timedelta(days=offset)
        assert free_time(beijing, datetime.combine(day, time(0), ZoneInfo("Asia/Shanghai")),
                         datetime.combine(day, time(23, 59), ZoneInfo("Asia/Shanghai"))) == []


def test_makeup_day_follows_the_first_weekday_with_windows_unless_it_has_its_own():
    windows = {0: [(time(10), time(16))], 1: [(time(9), time(17))]}
    beijing = calendar("Asia/Shanghai", "CN", windows=windows)
    assert free_on(beijing, date(2026, 10, 10)) == [(utc(2026, 10, 10, 2), utc(2026, 10, 10, 8))]
    own_saturday = calendar("Asia/Shanghai", "CN", windows={**windows, 5: [(time(13), time(15))]})
    assert free_on(own_saturday, date(2026, 10, 10)) == [(utc(2026, 10, 10, 5), utc(2026, 10, 10, 7))]
    # An ordinary weekday without windows stays free of work (a part-timer's Wednesday).
    assert free_on(beijing, date(2026, 10, 14)) == []
    # An admin override that makes a London Sunday a workday works the same way.
    london = calendar(windows=windows, workdays=WorkdayCalendar("GB-ENG", {date(2027, 6, 13): True}))
    assert free_on(london, date(2027, 6, 13)) == [(utc(2027, 6, 13, 9), utc(2027, 6, 13, 15))]


def test_touching_busy_intervals_and_touching_free_edges():
    cal = calendar(busy=[(utc(2027, 6, 14, 10), utc(2027, 6, 14, 11)),
                         (utc(2027, 6, 14, 11), utc(2027, 6, 14, 12))])
    assert free_on(cal, date(2027, 6, 14)) == [
        (utc(2027, 6, 14, 8), utc(2027, 6, 14, 10)), (utc(2027, 6, 14, 12), utc(2027, 6, 14, 16))]


def test_buffers_widen_busy_time():
    cal = calendar(busy=[(utc(2027, 6, 14, 11), utc(2027, 6, 14, 12))])
    assert free_on(cal, date(2027, 6, 14), buffer_before=timedelta(minutes=15),
                   buffer_after=timedelta(minutes=10)) == [
        # A slot ending before the meeting needs 10 minutes after it; one starting after needs 15 before.
        (utc(2027, 6, 14, 8), utc(2027, 6, 14, 10, 50)), (utc(2027, 6, 14, 12, 15), utc(2027, 6, 14, 16))]


def test_booked_interviews_are_busy_too():
    cal = calendar(booked_interviews=[(utc(2027, 6, 14, 9), utc(2027, 6, 14, 10))])
    assert free_on(cal, date(2027, 6, 14)) == [
        (utc(2027, 6, 14, 8), utc(2027, 6, 14, 9)), (utc(2027, 6, 14, 10), utc(2027, 6, 14, 16))]


def test_daily_cap_counts_the_local_day():
    # Shanghai (UTC+8). 2027-06-14 17:00 UTC is already Tuesday 01:00 local.
    cal = calendar("Asia/Shanghai", "CN", daily_cap=1,
                   booked_interviews=[(utc(2027, 6, 14, 17), utc(2027, 6, 14, 17, 30))])
    assert free_on(cal, date(2027, 6, 14)) == [(utc(2027, 6, 14, 1), utc(2027, 6, 14, 9))]  # Monday
    assert free_on(cal, date(2027, 6, 15)) == []                                               # Tuesday
    assert free_on(calendar("Asia/Shanghai", "CN", daily_cap=2, booked_interviews=cal.booked_interviews),
                   date(2027, 6, 15)) == [(utc(2027, 6, 15, 1), utc(2027, 6, 15, 9))]


def test_weekly_cap_counts_the_local_monday_to_sunday_week():
    # Los Angeles: Sunday 2027-06-13 20:00 PDT is Monday 03:00 UTC, but belongs to the week before.
    sunday_evening = (utc(2027, 6, 14, 3), utc(2027, 6, 14, 4))
    thursday = (utc(2027, 6, 10, 17), utc(2027, 6, 10, 18))
    cal = calendar("America/Los_Angeles", "US-CA", weekly_cap=2,
                   booked_interviews=[thursday, sunday_evening])
    assert free_time(cal, utc(2027, 6, 7), utc(2027, 6, 14, 7)) == []      # that week is full
    assert free_on(cal, date(2027, 6, 14)) == [(utc(2027, 6, 14, 16), utc(2027, 6, 15, 0))]


def test_naive_busy_interval_is_refused():
    cal = calendar(busy=[(datetime(2027, 6, 14, 10), datetime(2027, 6, 14, 11))])
    with pytest.raises(ValueError):
        free_on(cal, date(2027, 6, 14))


def test_interviewers_sharing_a_pattern_share_the_expansion_but_keep_their_overrides():
    shared: dict = {}
    office = WorkdayCalendar("GB-ENG")
    plain = calendar(workdays=office)
    off = calendar(workdays=office, date_overrides=[DateOverride(date(2027, 6, 14), True)])
    start, end = iv.to_epoch(utc(2027, 6, 14)), iv.to_epoch(utc(2027, 6, 15))
    assert working_intervals(plain, start, end, shared) == [
        (iv.to_epoch(utc(2027, 6, 14, 8)), iv.to_epoch(utc(2027, 6, 14, 16)))]
    assert working_intervals(off, start, end, shared) == []
    assert len(shared) == 1


def local(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize("zone, monday, now_day", [
    # Beijing, UTC+8: its Monday 00:30 is Sunday in UTC, its next Monday 00:30 too.
    ("Asia/Shanghai", date(2026, 12, 7), date(2026, 12, 9)),
    # Los Angeles in the week summer time ends (Sunday 1 November 2026): its Sunday 23:30 is
    # Monday 07:30 in UTC, an hour later in UTC than the same wall time a week before.
    ("America/Los_Angeles", date(2026, 10, 26), date(2026, 10, 28)),
])
def test_the_load_counts_the_interviewers_own_monday_to_sunday_and_day(zone, monday, now_day):
    sunday = monday + timedelta(days=6)
    inside = [local(zone, monday.year, monday.month, monday.day, 0, 30),
              local(zone, sunday.year, sunday.month, sunday.day, 23, 30),
              local(zone, now_day.year, now_day.month, now_day.day, 23, 59)]
    before, after = monday - timedelta(days=1), sunday + timedelta(days=1)
    outside = [local(zone, before.year, before.month, before.day, 23, 30),
               local(zone, after.year, after.month, after.day, 0, 30)]
    now = local(zone, now_day.year, now_day.month, now_day.day, 0, 1)
    assert load_at(zone, inside + outside, now) == Load(today=1, week=3)
    # Seen from UTC, the edges fall in other weeks: the count is not of UTC days.
    assert inside[0].date() < monday or inside[1].date() > sunday


def test_the_load_counts_what_has_already_happened_this_week_too():
    monday = local("Europe/London", 2027, 3, 22, 10)
    assert load_at("Europe/London", [monday], monday + timedelta(days=4)) == Load(today=0, week=1)
    assert load_at("Europe/London", [], monday) == Load(today=0, week=0)
