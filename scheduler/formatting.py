"""Pure formatting for people: instants labelled with their zone, localized names, salaries.

The language ("zh" or "en") is always an argument: nothing here reads the request, the session
or the active locale, so a service or a job writes for a recipient exactly as a page writes for
its viewer (the web layer, scheduler/i18n.py, passes the viewer's language). Every time a person
sees says which zone it is in (DESIGN.md §4 rule 3). Like the date patterns, the few phrases
here are tables per language rather than catalogue entries, so this module needs no app.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from babel.dates import format_datetime, get_timezone_gmt, get_timezone_name
from babel.numbers import format_decimal

from scheduler.timeutil import to_zone

_DATETIME_PATTERNS = {"zh": "y年M月d日 EEE HH:mm", "en": "EEE d MMM y, HH:mm"}
_TIME_PATTERN = "HH:mm"
# CLDR calls this zone 中国标准时间; people in mainland China say 北京时间.
_ZH_ZONE_NAMES = {"Asia/Shanghai": "北京时间"}
_SALARY_BANDS = {
    "en": {"month": "%(currency)s %(low)s–%(high)s a month",
           "year": "%(currency)s %(low)s–%(high)s a year"},
    "zh": {"month": "每月 %(low)s–%(high)s %(currency)s",
           "year": "每年 %(low)s–%(high)s %(currency)s"},
}


def localized(obj, field: str, language: str) -> str:
    """Return obj.<field>_<language> (or a mapping's key), falling back to the other language."""
    other = "en" if language == "zh" else "zh"
    if isinstance(obj, Mapping):
        return obj.get(f"{field}_{language}") or obj.get(f"{field}_{other}") or ""
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_{other}", "") or ""


def zone_label(instant: datetime, zone: str, language: str) -> str:
    """Name *zone* as it is at *instant*: "北京时间 Asia/Shanghai" or "Asia/Shanghai, GMT+08:00"."""
    local = to_zone(instant, zone)
    if language == "zh":
        return f"{_ZH_ZONE_NAMES.get(zone) or get_timezone_name(local, locale='zh')} {zone}"
    return f"{zone}, {get_timezone_gmt(local, width='long', locale='en')}"


def format_local_datetime(instant: datetime, zone: str, language: str) -> str:
    """Render an instant as local date and time in *zone*, labelled with the zone."""
    local = to_zone(instant, zone)
    text = format_datetime(local, _DATETIME_PATTERNS[language], locale=language)
    return f"{text} ({zone_label(instant, zone, language)})"


def format_local_range(start: datetime, end: datetime, zone: str, language: str) -> str:
    """Render [start, end) in *zone*: one date when both ends fall on the same local day."""
    local_start, local_end = to_zone(start, zone), to_zone(end, zone)
    pattern = _DATETIME_PATTERNS[language]
    first = format_datetime(local_start, pattern, locale=language)
    same_day = local_start.date() == local_end.date()
    last = format_datetime(local_end, _TIME_PATTERN if same_day else pattern, locale=language)
    return f"{first}–{last} ({zone_label(start, zone, language)})"


def salary_band(requisition, language: str) -> str:
    """Render a requisition's salary band, e.g. "CNY 28,000–60,000 a month"; "" when unset."""
    if requisition.salary_min is None or requisition.salary_max is None:
        return ""
    patterns = _SALARY_BANDS[language]
    return patterns.get(requisition.salary_period, patterns["month"]) % {
        "currency": requisition.salary_currency,
        "low": format_decimal(requisition.salary_min, locale=language),
        "high": format_decimal(requisition.salary_max, locale=language),
    }
