"""The suite's one frozen instant, `NOW`, and helpers that pick days by property.

`NOW` is TEST_NOW when set, else Monday 2026-11-30 01:00 UTC. Every test, the app under test
(FROZEN_NOW), the live server of the browser tests, child processes and the demo they load run at
this instant, so the suite means the same thing at any hour of any day:
`TEST_NOW=2026-09-30T15:30:00Z python3 dev.py test` runs it at another one.

Tests never name a calendar date that depends on `NOW`: they ask for "the first workday at least a
day away" (`workday_after`) and build instants on it (`at_local`), so an evening, the eve of a
holiday, a 调休 weekend, year end or a DST weekend changes which day is picked, not what is proven.
"""
from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from scheduler.domain.workdays import WorkdayCalendar
from scheduler.timeutil import freeze_clock, parse_instant

DEFAULT_TEST_NOW = "2026-11-30T01:00:00Z"  # a Monday, 09:00 in Beijing
NOW = parse_instant(os.environ.get("TEST_NOW") or DEFAULT_TEST_NOW)

# This process is the test process: code under test that reads utc_now() gets NOW.
freeze_clock(NOW)

BEIJING = "Asia/Shanghai"


def local_today(zone: str = BEIJING) -> date:
    """Return NOW's date on the wall clock of *zone*."""
    return NOW.astimezone(ZoneInfo(zone)).date()


def at_local(day: date, clock: time | str, zone: str = BEIJING) -> datetime:
    """Return the UTC instant of *clock* (a time or "HH:MM") on *day* in *zone*."""
    if isinstance(clock, str):
        clock = time.fromisoformat(clock)
    return datetime.combine(day, clock, ZoneInfo(zone)).astimezone(timezone.utc)


def workdays_after(days: int = 1, calendar_key: str = "CN", zone: str = BEIJING, *,
                   count: int = 1, weekdays_only: bool = False) -> list[date]:
    """Return the first *count* workdays of *calendar_key* at least *days* local days after NOW.

    With *weekdays_only*, make-up working weekends (调休) are skipped too: for tests whose
    interviewers work a Monday–Friday pattern and that do not test 调休 itself.
    """
    calendar = WorkdayCalendar(calendar_key)
    day, found = local_today(zone) + timedelta(days=days), []
    while len(found) < count:
        if calendar.is_workday(day) and not (weekdays_only and day.weekday() >= 5):
            found.append(day)
        day += timedelta(days=1)
    return found


def workday_after(days: int = 1, calendar_key: str = "CN", zone: str = BEIJING, *,
                  weekdays_only: bool = False) -> date:
    """Return the first workday of *calendar_key* at least *days* local days after NOW."""
    return workdays_after(days, calendar_key, zone, weekdays_only=weekdays_only)[0]


def weekday_on_or_after(day: date, weekday: int) -> date:
    """Return the first date on or after *day* that falls on *weekday* (Monday is 0)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def monday_of(day: date) -> date:
    """Return the Monday of *day*'s week."""
    return day - timedelta(days=day.weekday())
