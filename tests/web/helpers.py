"""Helpers for web tests: read the CSRF token from a page, sign in through the real form, pick an
ordinary week after NOW, and spell instants the way the pages do (for expected strings)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from scheduler.demo import DEMO_PASSWORD
from scheduler.domain.workdays import WorkdayCalendar
from scheduler.models import AuditEvent
from tests.clock import BEIJING, local_today, weekday_on_or_after

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    """Return the first CSRF token on a rendered page."""
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def consent_fields(confirm_html: str) -> dict:
    """Return what a candidate posts from the confirm step when they acknowledge the privacy
    notice it shows and agree to the countries outside mainland China it names (if any)."""
    def hidden(name: str) -> str:
        match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', confirm_html) or \
            re.search(rf'type="hidden" name="{name}" value="([^"]*)"', confirm_html) or \
            re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', confirm_html)
        assert match, f"the confirm page has no {name} field"
        return match.group(1)

    return {"notice_version": hidden("notice_version"), "acknowledge": "y",
            "countries": hidden("countries"), "cross_border": "y"}


def post_form(client, url: str, data: dict, *, page_url: str | None = None, **kwargs):
    """GET the page holding the form, then POST *data* with that page's CSRF token."""
    page = client.get(page_url or url, **kwargs)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data}, **kwargs)


# Signing in through the form is itself audited (issue 26 item 6): a test about what a page wrote
# to the audit log leaves the sign-ins out with this condition.
NOT_SIGN_IN = AuditEvent.action.not_in(("user.signed_in", "user.sign_in_failed"))


def audit_trail(db) -> list[AuditEvent]:
    """Return the audit events but sign-ins, oldest first."""
    return list(db.session.scalars(
        sa.select(AuditEvent).where(NOT_SIGN_IN).order_by(AuditEvent.id)))


def sign_in(client, email: str, password: str = DEMO_PASSWORD, **kwargs):
    """Sign in through the login form; return the response (302 on success)."""
    return post_form(client, "/login", {"email": email, "password": password}, **kwargs)


def without_csrf(html: str) -> str:
    """Return *html* with CSRF tokens blanked, so two renderings can be compared."""
    return _CSRF.sub('name="csrf_token" value=""', html)


# --- Days and the way pages print instants, computed here (not by the app) for assertions ----

_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ZH_WEEKDAYS = "一二三四五六日"


def ordinary_week(days: int = 7, calendar_key: str = "CN", zone: str = BEIJING) -> date:
    """Return the Monday of the first ordinary week starting at least *days* local days after NOW.

    Ordinary: Monday to Friday are workdays of *calendar_key* and the weekend is not worked, so a
    test can name "the Tuesday" or "the Saturday" of it and know what kind of day it is.
    """
    calendar = WorkdayCalendar(calendar_key)
    monday = weekday_on_or_after(local_today(zone) + timedelta(days=days), 0)
    while not all(calendar.is_workday(monday + timedelta(days=n)) == (n < 5) for n in range(7)):
        monday += timedelta(days=7)
    return monday


def gmt_offset(instant: datetime, zone: str) -> str:
    """Return the UTC offset of *zone* at *instant* as "GMT+08:00"."""
    offset = instant.astimezone(ZoneInfo(zone)).strftime("%z")
    return f"GMT{offset[:3]}:{offset[3:]}"


def en_zone(instant: datetime, zone: str) -> str:
    """Return how English pages label *zone* at *instant*: "Europe/London, GMT+00:00"."""
    return f"{zone}, {gmt_offset(instant, zone)}"


def en_day_time(instant: datetime, zone: str) -> str:
    """Return "Mon 30 Nov 2026, 04:00": the local date and time in *zone*, as English pages say."""
    local = instant.astimezone(ZoneInfo(zone))
    return (f"{_EN_WEEKDAYS[local.weekday()]} {local.day} {_EN_MONTHS[local.month - 1]} "
            f"{local.year}, {local:%H:%M}")


def zh_day_time(instant: datetime, zone: str) -> str:
    """Return "2026年11月30日 周一 04:00": the local date and time in *zone*, as Chinese pages say."""
    local = instant.astimezone(ZoneInfo(zone))
    return (f"{local.year}年{local.month}月{local.day}日 周{_ZH_WEEKDAYS[local.weekday()]} "
            f"{local:%H:%M}")
