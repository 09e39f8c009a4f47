"""Holiday calendar keys are the `holidays` package's (a country, with the subdivision where it
has one), every such key fits the database's shape CHECK, London is England's calendar, and
calendars are shown by name in both languages."""
from __future__ import annotations

import sqlite3
from datetime import date

import holidays
import pytest

from scheduler.demo.people import OFFICES
from scheduler.domain.workdays import HOLIDAY, WORKDAY, WorkdayCalendar, is_calendar_key
from scheduler.formatting import _SUBDIVISION_NAMES_ZH, calendar_name
from scheduler.models.office import CALENDAR_KEY_LENGTH, CALENDAR_KEY_SHAPE


@pytest.mark.parametrize("key", ["CN", "SG", "GB", "GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR",
                                 "US-CA", "US-NY", "DE-BY", "AU-VIC"])
def test_keys_the_package_has(key):
    assert is_calendar_key(key)
    WorkdayCalendar(key)


@pytest.mark.parametrize("key", ["UK", "GBR", "GB-England", "gb-eng", "GB-", "GB-XYZ", "XX",
                                 "CN-BJ", "", "-ENG", "US-CA-SF"])
def test_keys_it_does_not_have_are_refused(key):
    assert not is_calendar_key(key)
    with pytest.raises(ValueError):
        WorkdayCalendar(key)


def _all_package_keys() -> list[str]:
    supported = holidays.list_supported_countries(include_aliases=False)
    return list(supported) + [f"{country}-{sub}" for country, subs in supported.items()
                              for sub in subs]


def test_every_key_of_the_package_fits_the_column_and_the_shape_check():
    keys = _all_package_keys()
    assert len(keys) > 500 and all(is_calendar_key(key) for key in keys)
    assert max(len(key) for key in keys) <= CALENDAR_KEY_LENGTH
    with sqlite3.connect(":memory:") as conn:
        conn.execute(f"CREATE TABLE t (calendar_key TEXT CHECK ({CALENDAR_KEY_SHAPE}))")
        conn.executemany("INSERT INTO t VALUES (?)", [(key,) for key in keys])
        for bad in ("gb-eng", "GBR", "GB-", "G", ""):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute("INSERT INTO t VALUES (?)", (bad,))


ENGLAND_ONLY = [date(2026, 4, 6), date(2027, 3, 29),    # Easter Monday
                date(2026, 8, 31), date(2027, 8, 30)]   # the late-summer bank holiday


def test_the_demo_london_office_keeps_englands_bank_holidays():
    keys = {code: key for code, _zh, _en, _zone, key, *_address in OFFICES}
    assert keys["LON"] == "GB-ENG"
    assert all(is_calendar_key(key) for key in keys.values())
    london, united_kingdom = WorkdayCalendar(keys["LON"]), WorkdayCalendar("GB")
    for day in ENGLAND_ONLY:
        assert (london.kind(day), london.is_workday(day)) == (HOLIDAY, False), day
        # The UK-wide calendar lists only the days common to its four nations.
        assert (united_kingdom.kind(day), united_kingdom.is_workday(day)) == (WORKDAY, True), day


@pytest.mark.parametrize("key, english, chinese", [
    ("GB-ENG", "England", "英格兰"),
    ("GB-SCT", "Scotland", "苏格兰"),
    ("US-CA", "California", "加利福尼亚州"),
    ("US-NY", "New York", "纽约州"),
    ("CN", "China (mainland)", "中国大陆"),
    ("SG", "Singapore", "新加坡"),
    ("GB", "United Kingdom", "英国"),
    ("AU-VIC", "Victoria", "澳大利亚（Victoria）"),  # no Chinese name here: country, then the data's
])
def test_calendars_are_named_in_both_languages(key, english, chinese):
    assert calendar_name(key, "en") == english
    assert calendar_name(key, "zh") == chinese


def test_every_uk_and_us_subdivision_has_a_chinese_name():
    expected = {f"{country}-{sub}" for country in ("GB", "US")
                for sub in holidays.list_supported_countries()[country]}
    assert set(_SUBDIVISION_NAMES_ZH) == expected
