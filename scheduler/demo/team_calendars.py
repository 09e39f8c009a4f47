"""Demo calendars: each demo interviewer gets an .ics file imported through the real import path.

`load_demo_calendars(now)` writes, for every interviewer of the demo, an iCalendar file around
*now* (built with the icalendar library) and imports it with
`scheduler.services.calendars.import_calendar_file`, exactly as an upload would be:

* recurring team meetings (a stand-up three times a week, a weekly team sync, a fortnightly
  one-to-one), open-ended so the refresh job keeps re-expanding them;
* a few one-off meetings in the coming weeks, at times that differ per person;
* an all-day event (an offsite or a training day);
* a week of leave (Monday to Friday), staggered so that only some people are away at a time;
* a "focus time" block marked free (transparent), which must not block anything.

Times are local wall-clock times in the interviewer's own zone. Everything is derived from the
interviewer's position in the demo list, so the demo is the same on every run for a given `now`.
Idempotent: an interviewer who already has the demo file is left alone.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import sqlalchemy as sa

from scheduler.demo.people import INTERVIEWERS
from scheduler.extensions import db
from scheduler.models import CalendarSource, InterviewerProfile, User
from scheduler.services.calendars import import_calendar_file

DEMO_FILE_NAME = "demo-team-calendar.ics"
PRODID = "-//Interview scheduler//demo calendars//EN"

# Summaries in the interviewer's language.
TEXT = {
    "standup": {"zh": "团队站会", "en": "Team stand-up"},
    "sync": {"zh": "周例会", "en": "Weekly team sync"},
    "one_on_one": {"zh": "与主管一对一", "en": "1:1 with manager"},
    "focus": {"zh": "专注时间（可安排）", "en": "Focus time (free)"},
    "leave": {"zh": "年假", "en": "Annual leave"},
    "all_day": [{"zh": "团队外出活动", "en": "Team offsite"},
                {"zh": "全天培训", "en": "All-day training"}],
    "one_off": [{"zh": "项目评审", "en": "Project review"},
                {"zh": "客户电话", "en": "Customer call"},
                {"zh": "架构讨论", "en": "Architecture discussion"},
                {"zh": "季度规划", "en": "Quarterly planning"},
                {"zh": "面试官培训", "en": "Interviewer training"}],
}


def load_demo_calendars(now: datetime) -> int:
    """Import the demo calendar of every demo interviewer who lacks it; return how many were added."""

    emails = [spec.email for spec in INTERVIEWERS]
    profiles = {user.email: user.interviewer_profile for user in db.session.scalars(
        sa.select(User).where(User.email.in_(emails)))}
    done = set(db.session.scalars(sa.select(CalendarSource.interviewer_id).where(
        CalendarSource.kind == "file", CalendarSource.name == DEMO_FILE_NAME)))
    added = 0
    for position, email in enumerate(emails):
        profile = profiles.get(email)
        if profile is None or profile.id in done:
            continue
        data = demo_calendar(profile, position, now)
        import_calendar_file(profile.user, profile, DEMO_FILE_NAME, data, now)
        added += 1
    return added


def demo_calendar(profile: InterviewerProfile, position: int, now: datetime) -> bytes:
    """Return the demo .ics file of one interviewer (*position* in the demo list) around *now*."""
    zone = profile.effective_zone
    tz = ZoneInfo(zone)
    language = profile.user.language if profile.user.language in ("zh", "en") else "en"
    today = now.astimezone(tz).date()
    this_monday = today - timedelta(days=today.weekday())
    # Series start two weeks back, so the first expanded week is an ordinary one.
    series_monday = this_monday - timedelta(weeks=2)
    start, end = _day_span(profile)
    seed = int(hashlib.sha256(profile.user.email.encode()).hexdigest()[:8], 16)

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{profile.user.name} · demo")

    def event(key: str, summary: str, first: datetime | date, last: datetime | date, *,
              rrule: dict | None = None, is_free: bool = False) -> None:
        item = icalendar.Event()
        item.add("uid", f"demo-{key}-{profile.user.email}")
        item.add("dtstamp", now)
        item.add("summary", summary)
        item.add("dtstart", first)
        item.add("dtend", last)
        if rrule:
            item.add("rrule", rrule)
        if is_free:
            item.add("transp", "TRANSPARENT")
        calendar.add_component(item)

    def at(day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tz)

    # Recurring meetings, 30 minutes after the day starts, and in the afternoon.
    standup = _plus(start, 30)
    event("standup", TEXT["standup"][language], at(series_monday, standup),
          at(series_monday, _plus(standup, 15)), rrule={"freq": "weekly", "byday": ["MO", "WE", "FR"]})
    sync_day = series_monday + timedelta(days=1 + position % 3)
    sync_start = _plus(start, 270)  # mid-afternoon
    event("sync", TEXT["sync"][language], at(sync_day, sync_start), at(sync_day, _plus(sync_start, 60)),
          rrule={"freq": "weekly"})
    one_on_one_day = series_monday + timedelta(days=3)
    one_on_one = _plus(end, -90)
    event("one-on-one", TEXT["one_on_one"][language], at(one_on_one_day, one_on_one),
          at(one_on_one_day, _plus(one_on_one, 30)), rrule={"freq": "weekly", "interval": 2})
    focus_day = series_monday + timedelta(days=2)
    event("focus", TEXT["focus"][language], at(focus_day, _plus(start, 60)), at(focus_day, _plus(start, 180)),
          rrule={"freq": "weekly"}, is_free=True)

    # One-off meetings on working days of the next three weeks.
    for n, names in enumerate(TEXT["one_off"]):
        day = _weekday_after(today, 1 + (seed >> (3 * n)) % 15)
        offset = 60 + 30 * ((seed >> (4 * n + 1)) % 10)  # 1 h to 5.5 h after the day starts
        length = (60, 90, 45, 60, 30)[n]
        event(f"one-off-{n}", names[language], at(day, _plus(start, offset)),
              at(day, _plus(start, offset + length)))

    # An all-day event and a week of leave (all-day dates: DTEND is the day after).
    all_day = _weekday_after(today, 2 + (seed % 9))
    names = TEXT["all_day"][position % 2]
    event("all-day", names[language], all_day, all_day + timedelta(days=1))
    leave_monday = this_monday + timedelta(weeks=1 + position % 4)
    event("leave", TEXT["leave"][language], leave_monday, leave_monday + timedelta(days=5))

    # No VTIMEZONE: the TZIDs are IANA names, which the reader maps directly (as Google's are).
    return calendar.to_ical()


def _day_span(profile: InterviewerProfile) -> tuple[time, time]:
    """Return the start of the earliest and the end of the latest working window, Monday first."""
    windows = sorted((w.weekday, w.start_local, w.end_local) for w in profile.working_windows)
    if not windows:
        return time(9), time(18)
    first_day = windows[0][0]
    of_day = [w for w in windows if w[0] == first_day]
    return of_day[0][1], max(w[2] for w in of_day)


def _plus(clock: time, minutes: int) -> time:
    """Return a wall-clock time *minutes* later (or earlier) on the same day."""
    total = min(max(clock.hour * 60 + clock.minute + minutes, 0), 23 * 60 + 59)
    return time(total // 60, total % 60)


def _weekday_after(day: date, count: int) -> date:
    """Return the *count*-th Monday-to-Friday date after *day*."""
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day
