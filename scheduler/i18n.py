"""Language and zone for each request, localized names, and date-times labelled with their zone.

The language is this session's explicit choice (the switch on every page), else the signed-in
user's stored preference, else the browser's Accept-Language, else the default. Every time a
person sees is rendered in a zone and says which zone that is (DESIGN.md §4 rule 3).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from babel.dates import format_datetime, get_timezone_gmt, get_timezone_name
from babel.numbers import format_decimal
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler.models.user import LANGUAGES
from scheduler.timeutil import to_zone

SESSION_KEY = "language"
# Each language is offered in its own name, so a reader of either can find theirs.
LANGUAGE_AUTONYMS = {"zh": "中文", "en": "English"}
# The HTML lang attribute: Simplified Chinese as written in mainland China.
HTML_LANG = {"zh": "zh-CN", "en": "en"}

_DATETIME_PATTERNS = {"zh": "y年M月d日 EEE HH:mm", "en": "EEE d MMM y, HH:mm"}
_TIME_PATTERN = "HH:mm"
# CLDR calls this zone 中国标准时间; people in mainland China say 北京时间.
_ZH_ZONE_NAMES = {"Asia/Shanghai": "北京时间"}

APPLICATION_STATUS_LABELS = {
    "active": _l("Active"),
    "on_hold": _l("On hold"),
    "offer": _l("Offer"),
    "hired": _l("Hired"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
STAGE_MODE_LABELS = {
    "phone": _l("Phone"),
    "video": _l("Video"),
    "onsite": _l("On site"),
    "online": _l("Online"),
}
_SALARY_BANDS = {
    "month": _l("%(currency)s %(low)s–%(high)s a month"),
    "year": _l("%(currency)s %(low)s–%(high)s a year"),
}
LANGUAGE_LABELS = {"zh": _l("Chinese"), "en": _l("English")}


def select_locale() -> str:
    """Pick this request's language: session choice, then user preference, then the browser."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    if current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return request.accept_languages.best_match(LANGUAGES) or default


def current_language() -> str:
    """Return the active language code, "zh" or "en"."""
    locale = get_locale()
    return locale.language if locale is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


def viewer_zone() -> str:
    """Return the zone the current viewer reads times in."""
    if has_request_context() and current_user.is_authenticated:
        return current_user.zone
    return current_app.config["DEFAULT_TIMEZONE"]


def localized(obj, field: str = "name", language: str | None = None) -> str:
    """Return obj.<field>_<language> (or a mapping's key), falling back to the other language."""
    language = language or current_language()
    other = "en" if language == "zh" else "zh"
    if isinstance(obj, Mapping):
        return obj.get(f"{field}_{language}") or obj.get(f"{field}_{other}") or ""
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_{other}", "") or ""


def zone_label(instant: datetime, zone: str, language: str | None = None) -> str:
    """Name *zone* as it is at *instant*: "北京时间 Asia/Shanghai" or "Asia/Shanghai, GMT+08:00"."""
    language = language or current_language()
    local = to_zone(instant, zone)
    if language == "zh":
        return f"{_ZH_ZONE_NAMES.get(zone) or get_timezone_name(local, locale='zh')} {zone}"
    return f"{zone}, {get_timezone_gmt(local, width='long', locale='en')}"


def format_local_datetime(instant: datetime, zone: str, language: str | None = None) -> str:
    """Render an instant as local date and time in *zone*, labelled with the zone."""
    language = language or current_language()
    local = to_zone(instant, zone)
    text = format_datetime(local, _DATETIME_PATTERNS[language], locale=language)
    return f"{text} ({zone_label(instant, zone, language)})"


def format_local_range(start: datetime, end: datetime, zone: str,
                       language: str | None = None) -> str:
    """Render [start, end) in *zone*: one date when both ends fall on the same local day."""
    language = language or current_language()
    local_start, local_end = to_zone(start, zone), to_zone(end, zone)
    pattern = _DATETIME_PATTERNS[language]
    first = format_datetime(local_start, pattern, locale=language)
    same_day = local_start.date() == local_end.date()
    last = format_datetime(local_end, _TIME_PATTERN if same_day else pattern, locale=language)
    return f"{first}–{last} ({zone_label(start, zone, language)})"


def salary_band(requisition, language: str | None = None) -> str:
    """Render a requisition's salary band, e.g. "CNY 28,000–60,000 a month"; "" when unset."""
    if requisition.salary_min is None or requisition.salary_max is None:
        return ""
    language = language or current_language()
    pattern = _SALARY_BANDS.get(requisition.salary_period, _SALARY_BANDS["month"])
    return str(pattern) % {
        "currency": requisition.salary_currency,
        "low": format_decimal(requisition.salary_min, locale=language),
        "high": format_decimal(requisition.salary_max, locale=language),
    }
