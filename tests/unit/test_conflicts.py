"""What is wrong with booked time: clashes with busy time and other interviews, time outside
working hours (holidays, 调休 and the interviewer's own zone included), and days and weeks over
the caps, counted by the local day each interview starts."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from scheduler.domain.availability import DateOverride, InterviewerCalendar
from scheduler.domain.conflicts import (
    DAY, OUTSIDE_HOURS, OVERLAPS_BUSY, OVERLAPS_INTERVIEW, WEEK, CapOverrun, cap_overruns,
    interview_conflicts,
)
from scheduler.domain.workdays import WorkdayCalendar

UTC = timezone.utc
NINE_TO_SIX = {weekday: [(time(9), time(18))] for weekday in range(5)}
# Wednesday 9 December 2026, an ordinary workday in Beijing: 09:00–18:00 is 01:00–10:00 UTC.
WEDNESDAY = date(2026, 12, 9)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def beijing(**fields) -> InterviewerCalendar:
    return InterviewerCalendar(interviewer_id=1, zone="Asia/Shanghai", weekly_windows=NINE_TO_SIX,
                               workdays=fields.pop("workdays", WorkdayCalendar("CN")), **fields)


def test_an_interview_inside_the_day_and_clear_of_busy_time_has_nothing_wrong():
    calendar = beijing(busy=[(utc(2026, 12, 9, 1), utc(2026, 12, 9, 2))])
    # Back to back with the busy block and with the next interview: half-open intervals.
    interviews = [("a", utc(2026, 12, 9, 2), utc(2026, 12, 9, 3)),
                  ("b", utc(2026, 12, 9, 3), utc(2026, 12, 9, 4))]
    assert interview_conflicts(calendar, interviews) == {}


def test_busy_time_over_an_interview_is_a_clash():
    calendar = beijing(busy=[(utc(2026, 12, 9, 2, 30), utc(2026, 12, 9, 2, 45))])
    assert interview_conflicts(calendar, [("a", utc(2026, 12, 9, 2), utc(2026, 12, 9, 3))]) == {
        "a": (OVERLAPS_BUSY,)}


def test_two_interviews_of_one_interviewer_that_overlap_are_both_flagged():
    interviews = [("a", utc(2026, 12, 9, 2), utc(2026, 12, 9, 3)),
                  ("b", utc(2026, 12, 9, 2, 30), utc(2026, 12, 9, 3, 30)),
                  ("c", utc(2026, 12, 9, 5), utc(2026, 12, 9, 6))]
    assert interview_conflicts(beijing(), interviews) == {
        "a": (OVERLAPS_INTERVIEW,), "b": (OVERLAPS_INTERVIEW,)}


def test_an_interview_running_past_the_working_day_is_outside_hours():
    # 17:30–18:30 Beijing: the last half hour is after 18:00.
    interview = ("late", utc(2026, 12, 9, 9, 30), utc(2026, 12, 9, 10, 30))
    assert interview_conflicts(beijing(), [interview]) == {"late": (OUTSIDE_HOURS,)}


def test_hours_are_the_interviewers_own_zone_and_their_offices_days():
    # 02:00 UTC is 10:00 in Beijing but 18:00 the day before in San Francisco.
    interview = ("a", utc(2026, 12, 9, 2), utc(2026, 12, 9, 3))
    san_francisco = InterviewerCalendar(
        interviewer_id=2, zone="America/Los_Angeles", weekly_windows=NINE_TO_SIX,
        workdays=WorkdayCalendar("US-CA"))
    assert interview_conflicts(beijing(), [interview]) == {}
    assert interview_conflicts(san_francisco, [interview]) == {"a": (OUTSIDE_HOURS,)}


def test_a_holiday_and_time_off_are_outside_hours_and_a_makeup_saturday_is_not():
    # 1 October 2026 is National Day; Saturday 10 October is worked in exchange (调休).
    national_day = ("holiday", utc(2026, 10, 1, 2), utc(2026, 10, 1, 3))
    makeup = ("makeup", utc(2026, 10, 10, 2), utc(2026, 10, 10, 3))
    day_off = ("off", utc(2026, 10, 9, 2), utc(2026, 10, 9, 3))
    calendar = beijing(date_overrides=[DateOverride(date(2026, 10, 9), True)])
    assert interview_conflicts(calendar, [national_day, makeup, day_off]) == {
        "holiday": (OUTSIDE_HOURS,), "off": (OUTSIDE_HOURS,)}


def test_everything_wrong_at_once_is_said_in_order():
    calendar = beijing(busy=[(utc(2026, 12, 9, 9), utc(2026, 12, 9, 11))])
    interviews = [("a", utc(2026, 12, 9, 9, 30), utc(2026, 12, 9, 10, 30)),
                  ("b", utc(2026, 12, 9, 10), utc(2026, 12, 9, 11))]
    assert interview_conflicts(calendar, interviews)["a"] == (
        OVERLAPS_BUSY, OVERLAPS_INTERVIEW, OUTSIDE_HOURS)


def _booked(*starts):
    return tuple((start, start + timedelta(hours=1)) for start in starts)


def test_days_over_the_daily_cap_count_by_the_local_day_an_interview_starts():
    # 23:30 UTC on Tuesday is 07:30 on Wednesday in Beijing: three interviews that Wednesday.
    calendar = beijing(daily_cap=2, booked_interviews=_booked(
        utc(2026, 12, 8, 23, 30), utc(2026, 12, 9, 2), utc(2026, 12, 9, 5), utc(2026, 12, 10, 2)))
    assert cap_overruns(calendar, date(2026, 12, 7), date(2026, 12, 13)) == [
        CapOverrun(DAY, WEDNESDAY, 3, 2)]


def test_a_day_at_its_cap_is_not_over_it_and_days_outside_the_range_are_left_out():
    calendar = beijing(daily_cap=2, booked_interviews=_booked(
        utc(2026, 12, 9, 2), utc(2026, 12, 9, 5),
        utc(2026, 12, 15, 2), utc(2026, 12, 15, 3), utc(2026, 12, 15, 4)))
    assert cap_overruns(calendar, date(2026, 12, 7), date(2026, 12, 13)) == []


def test_weeks_over_the_weekly_cap_are_local_monday_to_sunday_weeks():
    # Four interviews from Monday 7 December in Beijing (the first is Sunday evening in UTC).
    calendar = beijing(weekly_cap=3, booked_interviews=_booked(
        utc(2026, 12, 6, 17), utc(2026, 12, 8, 2), utc(2026, 12, 9, 2), utc(2026, 12, 11, 2),
        utc(2026, 12, 14, 2)))
    assert cap_overruns(calendar, date(2026, 12, 9), date(2026, 12, 9)) == [
        CapOverrun(WEEK, date(2026, 12, 7), 4, 3)]
    assert cap_overruns(calendar, date(2026, 12, 14), date(2026, 12, 20)) == []


def test_no_caps_no_overruns():
    calendar = beijing(booked_interviews=_booked(*(utc(2026, 12, 9, h) for h in range(1, 9))))
    assert cap_overruns(calendar, date(2026, 12, 7), date(2026, 12, 13)) == []
