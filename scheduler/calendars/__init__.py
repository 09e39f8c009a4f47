"""Calendars in: busy time from ICS files, ICS subscription URLs and CalDAV accounts.

Adapters only (no database): `read_busy_intervals` turns iCalendar data into UTC busy intervals,
`fetch_calendar_url` downloads a subscription safely, `read_caldav_busy_intervals` reads a CalDAV
account; `read_source` reads one source described by plain values, and `read_source_in_sandbox`
does so in a child process with a memory cap and a deadline (the job process's backstop).
Problems are `Problem(code, params)`; refusals raise `CalendarError`.
"""
from scheduler.calendars.caldav_source import CalDAVCalendar, list_caldav_calendars, read_caldav_busy_intervals
from scheduler.calendars.fetch import fetch_calendar_url
from scheduler.calendars.ics import (
    BusyInterval,
    ImportResult,
    read_busy_intervals,
    read_busy_intervals_from_parts,
)
from scheduler.calendars.limits import DEFAULT_LIMITS, ImportLimits
from scheduler.calendars.problems import MESSAGES, CalendarError, Problem, problem_message
from scheduler.calendars.sandbox import SourceRequest, read_source, read_source_in_sandbox

__all__ = [
    "BusyInterval",
    "CalDAVCalendar",
    "CalendarError",
    "DEFAULT_LIMITS",
    "ImportLimits",
    "ImportResult",
    "fetch_calendar_url",
    "list_caldav_calendars",
    "read_caldav_busy_intervals",
    "MESSAGES",
    "Problem",
    "problem_message",
    "read_busy_intervals",
    "read_busy_intervals_from_parts",
    "read_source",
    "read_source_in_sandbox",
    "SourceRequest",
]
