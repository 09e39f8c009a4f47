"""Which local dates are working days for an office (DESIGN.md §4 rule 6).

Mainland China offices (key ``"CN"``) use ``chinese_calendar``: statutory holidays *and* the
make-up working weekends (调休). Other offices use the ``holidays`` package, keyed by its ISO
country code with the subdivision where the package has one (``"GB-ENG"``, ``"US-CA"``, ``"SG"``):
England's bank holidays (Easter Monday, the late-summer bank holiday) are England's, not the
United Kingdom's, so a London office's key is ``GB-ENG``. Which keys exist is the package's
answer (:func:`is_calendar_key`), not a list kept here. Per-date overrides (an admin-edited
table) win over both.

China publishes each year's schedule late in the year before, so ``chinese_calendar`` may not
know a year yet. For such an *uncovered* year the calendar falls back to Monday–Friday minus
the holidays that the ``holidays`` package lists for China in that year (its public category,
in-lieu days included; plus any make-up weekends it knows, usually none), and :meth:`WorkdayCalendar.warnings` reports the year so coordinators
see that the days are an estimate until an admin enters the published ones as overrides. Once an
admin has entered a year's schedule and *marked* the year as entered (the calendar's
*marked_years*), that year is Monday–Friday plus the overrides only: no estimate, no warning.

Holiday names come from the same data, in the language the caller asks for (:func:`holiday_name`).
The warning templates are English msgids marked with ``N_`` so that Babel's extraction finds
them here; the app translates them where they are shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable, Mapping

import chinese_calendar
import holidays

CHINA = "CN"

# The kinds of day, as plain strings so templates and JSON can use them directly.
WORKDAY = "workday"
WEEKEND = "weekend"
HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"  # a weekend day worked in exchange for a holiday (调休)

# Where the answer for a date came from.
SOURCE_OVERRIDE = "override"
SOURCE_CHINESE_CALENDAR = "chinese_calendar"
SOURCE_HOLIDAYS = "holidays"
SOURCE_ESTIMATE = "estimate"  # uncovered Chinese year: Monday–Friday minus `holidays` days
SOURCE_ENTERED = "entered"  # uncovered year an admin marked as entered: Monday–Friday + overrides


def N_(text: str) -> str:
    """Mark *text* as a msgid for extraction; it is translated where it is shown."""
    return text


WARNING_HOLIDAY_DATA_MISSING = "holiday_data_missing"
_WARNING_MESSAGES = {
    WARNING_HOLIDAY_DATA_MISSING: N_(
        "The official %(calendar)s holiday schedule for %(year)s is not available yet: working days "
        "in %(year)s are estimated as Monday to Friday minus statutory holidays. Enter the published "
        "days, including make-up working weekends, as workday overrides."
    ),
}


@dataclass(frozen=True)
class DayInfo:
    """What one date is for an office, and why."""

    day: date
    kind: str
    is_workday: bool
    name: str | None
    source: str


@dataclass(frozen=True)
class WorkdayWarning:
    """A problem with the holiday data, as a code plus parameters the app layer translates."""

    code: str
    calendar_key: str
    year: int
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def message_id(self) -> str:
        """Return the English message template (the msgid) for this warning."""
        return _WARNING_MESSAGES[self.code]


def warning_message(warning: WorkdayWarning, translate=lambda text: text,
                    name=lambda key: key) -> str:
    """Render a warning in English, or through *translate* (e.g. gettext) when given.

    *name* turns the calendar key into the name people read (e.g. formatting.calendar_name in
    the reader's language); by default the key itself is shown.
    """
    return translate(warning.message_id) % {"calendar": name(warning.calendar_key),
                                            "year": warning.year, **warning.params}


class WorkdayCalendar:
    """Working days of one office: holiday data for *key*, with per-date *overrides* on top.

    *overrides* maps a date to True (a working day) or False (a day off). *covered_years*, when
    given, is the set of years for which ``chinese_calendar`` is trusted (tests inject it; by
    default every year the installed data answers for is covered). It matters only for
    ``"CN"``: the other keys use rule-based data that covers every year. *marked_years* are the
    years an admin has marked as entered: an uncovered one of them is Monday–Friday plus the
    overrides, with no estimate and no warning (a covered year keeps its official data).
    """

    def __init__(self, key: str, overrides: Mapping[date, bool] | None = None,
                 covered_years: range | frozenset[int] | None = None,
                 marked_years: Iterable[int] = ()):
        self.key = key
        self.overrides = dict(overrides or {})
        self.covered_years = covered_years
        self.marked_years = frozenset(marked_years)
        _check_key(key)
        # Per-instance memo: the engine asks about the same dates for every interviewer.
        self._by_date: dict[date, DayInfo] = {}

    def __repr__(self) -> str:
        return f"WorkdayCalendar({self.key!r}, overrides={len(self.overrides)})"

    def is_workday(self, day: date) -> bool:
        """Tell whether *day* is a working day for this office."""
        return self.describe(day).is_workday

    def kind(self, day: date) -> str:
        """Return 'workday', 'weekend', 'holiday' or 'makeup_workday' for *day*."""
        return self.describe(day).kind

    def describe(self, day: date) -> DayInfo:
        """Return the kind of *day*, whether it is worked, its holiday name and the data source."""
        info = self._by_date.get(day)
        if info is None:
            info = self._describe(day)
            self._by_date[day] = info
        return info

    def is_year_covered(self, year: int) -> bool:
        """Tell whether the official data knows *year* (always True for keys other than CN)."""
        if self.key != CHINA:
            return True
        if self.covered_years is not None and year not in self.covered_years:
            return False
        return _china_has_data(year)

    def is_year_entered(self, year: int) -> bool:
        """Tell whether *year* is uncovered and an admin has marked its schedule as entered."""
        return year in self.marked_years and not self.is_year_covered(year)

    def uncovered_years(self, start: date, end: date) -> list[int]:
        """Return the years from *start* to *end* (inclusive) the official data does not cover."""
        return [year for year in range(start.year, end.year + 1) if not self.is_year_covered(year)]

    def estimated_years(self, start: date, end: date) -> list[int]:
        """Return the uncovered years from *start* to *end* not marked as entered: estimated."""
        return [year for year in self.uncovered_years(start, end) if year not in self.marked_years]

    def warnings(self, start: date, end: date) -> list[WorkdayWarning]:
        """Return one warning per year between *start* and *end* whose working days are estimated."""
        return [WorkdayWarning(WARNING_HOLIDAY_DATA_MISSING, self.key, year)
                for year in self.estimated_years(start, end)]

    def _describe(self, day: date) -> DayInfo:
        if self.key == CHINA and self.is_year_covered(day.year):
            kind, name = _china_year(day.year).get(day, (None, None))
            source = SOURCE_CHINESE_CALENDAR
        elif self.is_year_entered(day.year):
            kind, name, source = None, None, SOURCE_ENTERED
        else:
            kind, name = _holiday_year(self.key, day.year).get(day, (None, None))
            source = SOURCE_HOLIDAYS if self.key != CHINA else SOURCE_ESTIMATE
        if kind is None:
            kind = WEEKEND if day.weekday() in _weekend_days(self.key) else WORKDAY
        is_workday = kind in (WORKDAY, MAKEUP_WORKDAY)
        if day in self.overrides:
            is_workday = bool(self.overrides[day])
            source = SOURCE_OVERRIDE
            if is_workday:
                kind = WORKDAY if day.weekday() not in _weekend_days(self.key) else MAKEUP_WORKDAY
            else:
                kind = WEEKEND if kind == WEEKEND else HOLIDAY
        return DayInfo(day, kind, is_workday, name, source)


def split_calendar_key(key: str) -> tuple[str, str | None]:
    """Return (country code, subdivision code or None) of a calendar key: "GB-ENG" -> ("GB", "ENG")."""
    country, _, subdivision = key.partition("-")
    return country, subdivision or None


@lru_cache(maxsize=1)
def _supported() -> dict[str, frozenset[str]]:
    """Return the `holidays` package's countries (ISO alpha-2 codes) and their subdivision codes."""
    return {country: frozenset(subdivisions) for country, subdivisions
            in holidays.list_supported_countries(include_aliases=False).items()}


def is_calendar_key(key: str) -> bool:
    """Tell whether *key* names a holiday calendar the data has: "CN", "SG", "GB-ENG", "US-CA".

    A key is a country code the `holidays` package supports, optionally with "-" and one of
    that country's subdivision codes, spelled as the package spells them (no aliases: "UK",
    "GBR" and "GB-England" are not keys).
    """
    if not isinstance(key, str):
        return False
    country, subdivision = split_calendar_key(key)
    subdivisions = _supported().get(country)
    if subdivisions is None or key.endswith("-"):
        return False
    return subdivision is None or subdivision in subdivisions


@lru_cache(maxsize=None)
def subdivision_name(key: str) -> str | None:
    """Return the English name the data gives the subdivision of *key* ("GB-ENG" -> "England")."""
    country, subdivision = split_calendar_key(key)
    if subdivision is None or not is_calendar_key(key):
        return None
    aliases = getattr(holidays.country_holidays(country), "subdivisions_aliases", None) or {}
    # The aliases map names (and some short codes) to codes; the first with a lower-case letter
    # is the name the package leads with.
    return next((alias for alias, code in aliases.items()
                 if code == subdivision and any(c.islower() for c in alias)), None)


@lru_cache(maxsize=None)
def _check_key(key: str) -> None:
    if not is_calendar_key(key):
        raise ValueError(f"unknown holiday calendar key {key!r}")


@lru_cache(maxsize=None)
def _weekend_days(key: str) -> frozenset[int]:
    country, subdivision = split_calendar_key(key)
    return frozenset(holidays.country_holidays(country, subdiv=subdivision).weekend)


@lru_cache(maxsize=None)
def _china_has_data(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=256)
def _china_year(year: int) -> dict[date, tuple[str, str | None]]:
    """Return the non-ordinary days of a covered Chinese year: holidays and make-up workdays."""
    days: dict[date, tuple[str, str | None]] = {}
    day = date(year, 1, 1)
    while day.year == year:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        is_weekend = day.weekday() >= 5
        if is_holiday and (name or not is_weekend):
            days[day] = (HOLIDAY, name)
        elif not is_holiday and is_weekend:
            days[day] = (MAKEUP_WORKDAY, name)
        day += timedelta(days=1)
    return days


@lru_cache(maxsize=256)
def _holiday_year(key: str, year: int) -> dict[date, tuple[str, str | None]]:
    """Return the public holidays the `holidays` package lists for *key* in *year*."""
    country, subdivision = split_calendar_key(key)
    listed = holidays.country_holidays(country, subdiv=subdivision, years=year)
    days = {day: (HOLIDAY, name) for day, name in listed.items() if day.year == year}
    # Some countries' data also knows weekend days worked in exchange for a holiday.
    for day in getattr(listed, "weekend_workdays", ()):
        if day.year == year and day not in days:
            days[day] = (MAKEUP_WORKDAY, None)
    return days


def holiday_name(info: DayInfo, calendar_key: str, language: str) -> str | None:
    """Return the name of the holiday *info* is (or is worked for), in *language* when known.

    *language* is "en" or "zh"; the data's own (English) name is the fallback.
    """
    if not info.name:
        return None
    if language == "zh":
        if info.source == SOURCE_CHINESE_CALENDAR or (info.source == SOURCE_OVERRIDE
                                                      and calendar_key == CHINA):
            chinese = _chinese_calendar_names().get(info.name)
            if chinese:
                return chinese
        return _holidays_names(calendar_key, info.day.year, "zh_CN").get(info.day, info.name)
    return info.name


@lru_cache(maxsize=1)
def _chinese_calendar_names() -> dict[str, str]:
    return {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}


@lru_cache(maxsize=64)
def _holidays_names(calendar_key: str, year: int, language: str) -> dict[date, str]:
    """Return the `holidays` package's names for one year in *language*, if it has them."""
    country, subdivision = split_calendar_key(calendar_key)
    try:
        listed = holidays.country_holidays(country, subdiv=subdivision, years=year,
                                           language=language)
    except NotImplementedError:
        return {}
    if language not in (getattr(listed, "supported_languages", ()) or ()):
        return {}
    return dict(listed.items())
