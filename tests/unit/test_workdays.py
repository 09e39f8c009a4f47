"""Office workdays: China's holidays and make-up weekends (调休), other countries, overrides,
and the estimate for a year China's data does not cover yet."""
from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from scheduler.domain.workdays import (
    HOLIDAY, MAKEUP_WORKDAY, SOURCE_ESTIMATE, SOURCE_OVERRIDE, WARNING_HOLIDAY_DATA_MISSING,
    WEEKEND, WORKDAY, WorkdayCalendar, warning_message,
)


@pytest.mark.parametrize("key, day, is_workday, kind", [
    ("CN", date(2026, 10, 10), True, MAKEUP_WORKDAY),   # Saturday worked for National Day (调休)
    ("GB-ENG", date(2026, 10, 10), False, WEEKEND),
    ("CN", date(2026, 9, 20), True, MAKEUP_WORKDAY),    # Sunday worked
    ("CN", date(2026, 10, 11), False, WEEKEND),
    ("CN", date(2026, 10, 9), True, WORKDAY),
    ("CN", date(2026, 10, 8), True, WORKDAY),
    ("GB-ENG", date(2026, 12, 28), False, HOLIDAY),     # Boxing Day (observed)
    ("GB-ENG", date(2026, 3, 31), True, WORKDAY),
    ("GB-ENG", date(2026, 4, 6), False, HOLIDAY),       # Easter Monday, England's bank holidays
    ("GB-ENG", date(2027, 3, 29), False, HOLIDAY),      # Easter Monday
    ("GB-ENG", date(2026, 8, 31), False, HOLIDAY),      # late-summer bank holiday
    ("GB-ENG", date(2027, 8, 30), False, HOLIDAY),      # late-summer bank holiday
    ("GB-SCT", date(2026, 4, 6), True, WORKDAY),        # Scotland: no Easter Monday, …
    ("GB-SCT", date(2026, 8, 3), False, HOLIDAY),       # … but a summer bank holiday in early August
    ("US-CA", date(2026, 3, 31), False, HOLIDAY),       # Cesar Chavez Day, California only
    ("SG", date(2026, 8, 10), False, HOLIDAY),          # National Day (observed)
    ("SG", date(2026, 8, 11), True, WORKDAY),
])
def test_day_kinds(key, day, is_workday, kind):
    calendar = WorkdayCalendar(key)
    assert calendar.is_workday(day) is is_workday
    assert calendar.kind(day) == kind


def test_national_day_week_is_off_in_beijing():
    calendar = WorkdayCalendar("CN")
    week = [date(2026, 10, 1) + timedelta(days=n) for n in range(7)]
    assert [calendar.is_workday(day) for day in week] == [False] * 7
    assert calendar.describe(date(2026, 10, 1)).name == "National Day"
    # The same week is ordinary in London apart from its own weekend.
    london = WorkdayCalendar("GB-ENG")
    assert [london.is_workday(day) for day in week] == [True, True, False, False, True, True, True]


def test_covered_year_has_no_warning():
    calendar = WorkdayCalendar("CN", covered_years=range(2004, 2027))
    assert calendar.warnings(date(2026, 1, 1), date(2026, 12, 31)) == []
    assert calendar.describe(date(2026, 10, 10)).source == "chinese_calendar"


def test_uncovered_year_uses_holidays_statutory_days_and_warns():
    # Coverage injected to stop before 2026, whatever the installed data knows.
    calendar = WorkdayCalendar("CN", covered_years=range(2004, 2026))
    assert calendar.uncovered_years(date(2025, 12, 1), date(2026, 2, 1)) == [2026]
    [warning] = calendar.warnings(date(2025, 12, 1), date(2026, 2, 1))
    assert (warning.code, warning.calendar_key, warning.year) == (WARNING_HOLIDAY_DATA_MISSING, "CN", 2026)
    assert "2026" in warning_message(warning)

    listed = holidays.country_holidays("CN", years=2026)
    makeup = {d for d in listed.weekend_workdays if d.year == 2026}
    day = date(2026, 1, 1)
    while day.year == 2026:
        expected = (day.weekday() < 5 and day not in listed) or day in makeup
        assert calendar.is_workday(day) is expected, day
        assert calendar.describe(day).source == SOURCE_ESTIMATE
        day += timedelta(days=1)
    # The statutory days from `holidays` are off, with their names.
    assert calendar.kind(date(2026, 10, 1)) == HOLIDAY
    assert calendar.describe(date(2026, 10, 1)).name == listed[date(2026, 10, 1)]


def test_uncovered_year_without_known_makeup_days_is_monday_to_friday_minus_holidays():
    # 2027 in `holidays` lists statutory days but no make-up weekends; injected coverage ends 2026.
    calendar = WorkdayCalendar("CN", covered_years=range(2004, 2027))
    listed = holidays.country_holidays("CN", years=2027)
    assert not {d for d in listed.weekend_workdays if d.year == 2027}
    days = [date(2027, 1, 1) + timedelta(days=n) for n in range(365)]
    assert [calendar.is_workday(d) for d in days] == [d.weekday() < 5 and d not in listed
                                                      for d in days]
    assert [w.year for w in calendar.warnings(date(2026, 12, 30), date(2027, 1, 2))] == [2027]


def test_injected_coverage_cannot_invent_data():
    # chinese_calendar has nothing for 1990: still estimated, still warned about.
    calendar = WorkdayCalendar("CN", covered_years=range(1900, 2100))
    assert calendar.uncovered_years(date(1990, 1, 1), date(1990, 12, 31)) == [1990]


def test_other_countries_never_warn():
    assert WorkdayCalendar("GB-ENG").warnings(date(2027, 1, 1), date(2030, 1, 1)) == []


@pytest.mark.parametrize("key, day, value, kind", [
    ("CN", date(2026, 10, 10), False, HOLIDAY),    # admin cancels a make-up Saturday
    ("CN", date(2026, 10, 1), True, WORKDAY),      # admin makes a holiday a workday
    ("GB-ENG", date(2026, 10, 10), True, MAKEUP_WORKDAY),
    ("GB-ENG", date(2026, 10, 12), False, HOLIDAY),
])
def test_overrides_win(key, day, value, kind):
    calendar = WorkdayCalendar(key, overrides={day: value})
    assert calendar.is_workday(day) is value
    assert calendar.kind(day) == kind
    assert calendar.describe(day).source == SOURCE_OVERRIDE
    assert WorkdayCalendar(key).is_workday(day) is not value


def test_day_off_override_on_a_weekend_stays_a_weekend():
    calendar = WorkdayCalendar("GB-ENG", overrides={date(2026, 10, 11): False})
    assert (calendar.is_workday(date(2026, 10, 11)), calendar.kind(date(2026, 10, 11))) == (False, WEEKEND)


def test_overrides_fill_an_uncovered_year():
    published_makeup_saturday = date(2026, 10, 10)
    calendar = WorkdayCalendar("CN", overrides={published_makeup_saturday: True, date(2026, 10, 9): False},
                               covered_years=range(2004, 2026))
    assert calendar.is_workday(published_makeup_saturday)
    assert not calendar.is_workday(date(2026, 10, 9))


def test_warning_message_goes_through_translate():
    [warning] = WorkdayCalendar("CN", covered_years=range(2004, 2026)).warnings(
        date(2026, 1, 1), date(2026, 1, 1))
    seen = []

    def translate(text):
        seen.append(text)
        return "节假日数据缺失：%(calendar)s %(year)s"
    assert warning_message(warning, translate) == "节假日数据缺失：CN 2026"
    assert seen == [warning.message_id]


def test_unknown_key_is_refused():
    with pytest.raises(ValueError):
        WorkdayCalendar("XX")
