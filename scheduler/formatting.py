"""Pure formatting for people: instants labelled with their zone, localized names, salaries,
holiday calendars by name.

The language ("zh" or "en") is always an argument: nothing here reads the request, the session
or the active locale, so a service or a job writes for a recipient exactly as a page writes for
its viewer (the web layer, scheduler/i18n.py, passes the viewer's language). Every time a person
sees says which zone it is in (DESIGN.md §4 rule 3). Like the date patterns, the few phrases
here are tables per language rather than catalogue entries, so this module needs no app.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from babel import Locale
from babel.dates import format_datetime, format_timedelta, get_timezone_gmt, get_timezone_name
from babel.numbers import format_decimal

from scheduler.domain.workdays import split_calendar_key, subdivision_name
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


def zone_offset_label(instant: datetime, zone: str, language: str) -> str:
    """Name *zone* with its UTC offset at *instant*, in both languages: "北京时间 Asia/Shanghai
    （GMT+08:00）" or "Asia/Shanghai, GMT+08:00" (the English label already carries it)."""
    if language != "zh":
        return zone_label(instant, zone, language)
    offset = get_timezone_gmt(to_zone(instant, zone), width="long", locale="zh")
    return f"{zone_label(instant, zone, language)}（{offset}）"


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


def format_duration(delta: timedelta, language: str) -> str:
    """Render a length of time roughly, in its largest sensible unit: "30 hours", "3天"."""
    # A threshold of 2 keeps "30 hours" from rounding to "1 day".
    return format_timedelta(delta, threshold=2, locale=language)


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


# Holiday calendars (office calendar keys) by name. Countries are CLDR's names (Babel); a key
# named here is named differently, and subdivisions have their Chinese names here (the holiday
# data names them in English only).
_CALENDAR_NAMES = {
    "CN": {"en": "China (mainland)", "zh": "中国大陆"},
}
_SUBDIVISION_NAMES_ZH = {
    "GB-ENG": "英格兰", "GB-NIR": "北爱尔兰", "GB-SCT": "苏格兰", "GB-WLS": "威尔士",
    "US-AK": "阿拉斯加州", "US-AL": "亚拉巴马州", "US-AR": "阿肯色州", "US-AS": "美属萨摩亚",
    "US-AZ": "亚利桑那州", "US-CA": "加利福尼亚州", "US-CO": "科罗拉多州", "US-CT": "康涅狄格州",
    "US-DC": "哥伦比亚特区", "US-DE": "特拉华州", "US-FL": "佛罗里达州", "US-GA": "佐治亚州",
    "US-GU": "关岛", "US-HI": "夏威夷州", "US-IA": "艾奥瓦州", "US-ID": "爱达荷州",
    "US-IL": "伊利诺伊州", "US-IN": "印第安纳州", "US-KS": "堪萨斯州", "US-KY": "肯塔基州",
    "US-LA": "路易斯安那州", "US-MA": "马萨诸塞州", "US-MD": "马里兰州", "US-ME": "缅因州",
    "US-MI": "密歇根州", "US-MN": "明尼苏达州", "US-MO": "密苏里州", "US-MP": "北马里亚纳群岛",
    "US-MS": "密西西比州", "US-MT": "蒙大拿州", "US-NC": "北卡罗来纳州", "US-ND": "北达科他州",
    "US-NE": "内布拉斯加州", "US-NH": "新罕布什尔州", "US-NJ": "新泽西州", "US-NM": "新墨西哥州",
    "US-NV": "内华达州", "US-NY": "纽约州", "US-OH": "俄亥俄州", "US-OK": "俄克拉何马州",
    "US-OR": "俄勒冈州", "US-PA": "宾夕法尼亚州", "US-PR": "波多黎各", "US-RI": "罗得岛州",
    "US-SC": "南卡罗来纳州", "US-SD": "南达科他州", "US-TN": "田纳西州", "US-TX": "得克萨斯州",
    "US-UM": "美国本土外小岛屿", "US-UT": "犹他州", "US-VA": "弗吉尼亚州", "US-VI": "美属维尔京群岛",
    "US-VT": "佛蒙特州", "US-WA": "华盛顿州", "US-WI": "威斯康星州", "US-WV": "西弗吉尼亚州",
    "US-WY": "怀俄明州",
}


def calendar_name(key: str, language: str) -> str:
    """Name a holiday calendar key in *language*: "GB-ENG" is "England" / "英格兰".

    A country's calendar is named as CLDR names the country ("Singapore" / "新加坡"); a
    subdivision by its own name ("California" / "加利福尼亚州"). A subdivision without a Chinese
    name here is "country (English subdivision name)" in Chinese, e.g. "澳大利亚（Victoria）".
    """
    names = _CALENDAR_NAMES.get(key)
    if names:
        return names[language]
    country, subdivision = split_calendar_key(key)
    country_name = Locale.parse(language).territories.get(country, country)
    if subdivision is None:
        return country_name
    if language == "zh" and key in _SUBDIVISION_NAMES_ZH:
        return _SUBDIVISION_NAMES_ZH[key]
    english = subdivision_name(key) or subdivision
    return english if language == "en" else f"{country_name}（{english}）"
