"""A year the official data does not cover, once an admin marks it as entered, is Monday–Friday
plus the overrides: no estimate and no warning; without the mark the estimate comes back."""
from __future__ import annotations

from datetime import date, timedelta

import holidays

from scheduler.domain.workdays import (
    SOURCE_CHINESE_CALENDAR, SOURCE_ENTERED, SOURCE_ESTIMATE, SOURCE_OVERRIDE, WorkdayCalendar,
)

COVERED = range(2004, 2027)  # injected: the data stops before 2027, whatever is installed
# An admin's entry of 2027's schedule (a made-up one: the test needs its shape, not the dates).
ENTERED = {date(2027, 2, 6): True,    # a make-up working Saturday
           date(2027, 2, 8): False, date(2027, 2, 9): False, date(2027, 2, 10): False,
           date(2027, 10, 1): False}


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


def test_a_marked_uncovered_year_is_monday_to_friday_plus_the_overrides_without_a_warning():
    calendar = WorkdayCalendar("CN", ENTERED, covered_years=COVERED, marked_years={2027})
    for day in _days(2027):
        expected = ENTERED.get(day, day.weekday() < 5)
        assert calendar.is_workday(day) is expected, day
        assert calendar.describe(day).source == (SOURCE_OVERRIDE if day in ENTERED
                                                 else SOURCE_ENTERED), day
    assert calendar.warnings(date(2026, 12, 1), date(2027, 12, 31)) == []
    assert calendar.uncovered_years(date(2027, 1, 1), date(2027, 12, 31)) == [2027]
    assert calendar.estimated_years(date(2027, 1, 1), date(2027, 12, 31)) == []
    # The statutory days `holidays` lists are no longer guessed: a weekday the admin did not
    # enter as a day off is worked.
    listed = [d for d in holidays.country_holidays("CN", years=2027)
              if d.year == 2027 and d.weekday() < 5 and d not in ENTERED]
    assert listed and all(calendar.is_workday(d) for d in listed)


def test_without_the_mark_the_estimate_and_its_warning_come_back():
    calendar = WorkdayCalendar("CN", ENTERED, covered_years=COVERED)
    [warning] = calendar.warnings(date(2026, 12, 1), date(2027, 12, 31))
    assert warning.year == 2027
    listed = holidays.country_holidays("CN", years=2027)
    weekday_holiday = next(d for d in sorted(listed) if d.weekday() < 5 and d not in ENTERED)
    assert not calendar.is_workday(weekday_holiday)
    assert calendar.describe(weekday_holiday).source == SOURCE_ESTIMATE


def test_a_mark_covers_its_own_year_only_and_never_hides_official_data():
    calendar = WorkdayCalendar("CN", covered_years=range(2004, 2026), marked_years={2026, 2027})
    # 2026 is marked but the injected coverage leaves it uncovered; 2028 is not marked.
    assert [w.year for w in calendar.warnings(date(2026, 1, 1), date(2028, 12, 31))] == [2028]
    covered = WorkdayCalendar("CN", covered_years=COVERED, marked_years={2026})
    assert covered.describe(date(2026, 10, 10)).source == SOURCE_CHINESE_CALENDAR
    assert covered.is_workday(date(2026, 10, 10))   # the official make-up Saturday stays
    assert not covered.is_workday(date(2026, 10, 1))
    # Keys whose data covers every year have nothing to mark.
    assert WorkdayCalendar("GB-ENG", marked_years={2027}).kind(date(2027, 3, 29)) == "holiday"
