"""What every blueprint shares, and no layer below the web uses.

The request's one `now`, the role gate each blueprint installs once, safe redirect targets, day
labels in the viewer's language, and the holiday-data banner's text (a template global).
"""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from babel.dates import format_date
from flask import Blueprint, Flask, abort, g
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from scheduler.extensions import login_manager
from scheduler.timeutil import utc_now

DAY_PATTERNS = {"zh": ("M月d日 EEE", "y年M月d日"), "en": ("EEE d MMM", "d MMM y")}


def request_now() -> datetime:
    """Return the one `now` of this request (read from the clock at most once per request)."""
    if "now" not in g:
        g.now = utc_now()
    return g.now


def require_roles(blueprint: Blueprint, *roles: str) -> None:
    """Gate every view of *blueprint*: anonymous visitors go to login, other roles get 403."""

    @blueprint.before_request
    def _check_role():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(*roles):
            abort(403)
        return None


def safe_next(target: str | None) -> str | None:
    """Return *target* if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def day_label(day: date, *, long: bool = False) -> str:
    """Render a date in the viewer's language: "Sat 10 Oct" / "10月10日 周六" (with the year if long)."""
    from scheduler.i18n import current_language

    language = current_language()
    return format_date(day, DAY_PATTERNS[language][1 if long else 0], locale=language)


def warning_text(warning) -> str:
    """Render a holiday-data warning in the viewer's language, naming the calendar in it."""
    from scheduler.domain.workdays import warning_message
    from scheduler.i18n import calendar_name

    return warning_message(warning, _, calendar_name)


def holiday_data_warnings() -> list[str]:
    """Return, translated, a warning per office calendar and year the booking horizon reaches
    without official holiday data (the coordinators' banner)."""
    from scheduler.services.workdays import holiday_data_notices

    texts = []
    for notice in holiday_data_notices(request_now()):
        text = warning_text(notice.warning)
        if notice.override_count:
            text += " " + ngettext("%(num)d override is entered for %(year)s so far.",
                                   "%(num)d overrides are entered for %(year)s so far.",
                                   notice.override_count, year=notice.warning.year)
        texts.append(text)
    return texts


def register_template_globals(app: Flask) -> None:
    """Make the holiday-data banner available to every template (the coordinator pages show it)."""
    app.add_template_global(holiday_data_warnings)
