"""Problems met while reading calendars: refusals (errors) and tolerated defects (warnings).

Adapters never build user-facing sentences themselves: each problem is a code plus parameters,
and `problem_message()` turns it into text through the gettext function the caller passes in
(the app layer passes Flask-Babel's `gettext`). The English templates below are the msgids;
they are wrapped in `N_` so that `pybabel extract` finds them (N_ is one of Babel's default
keywords).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


def N_(message: str) -> str:
    """Mark *message* for translation without translating it now."""
    return message


MESSAGES: dict[str, str] = {
    # Refusals: the whole calendar is rejected and nothing is stored.
    "file_too_large": N_("The calendar is too large (%(size)s bytes; the limit is %(max_size)s bytes)."),
    "not_icalendar": N_("This is not an iCalendar (.ics) file: it has no BEGIN:VCALENDAR line."),
    "truncated": N_("The calendar file is incomplete: it ends before END:VCALENDAR (cut off at line %(line)s)."),
    "unreadable": N_("The calendar file could not be read: %(detail)s"),
    "too_many_events": N_("The calendar has too many events (%(count)s; the limit is %(max_count)s)."),
    "too_many_occurrences": N_(
        "The calendar has too many events in the imported period (more than %(max_count)s)."),
    "unsupported_calendar_scale": N_("Only Gregorian calendars can be imported (this one uses %(scale)s)."),
    # Repetition beyond what can be read (issue 21): refused before anything is expanded, or when
    # the expansion reaches the limit; the job process also stops a read that runs too long.
    "repeats_too_often": N_(
        "The repeating event \"%(summary)s\" (line %(line)s) repeats too often to be read: its rule "
        "asks for about %(count)s repetitions (the limit is %(max_count)s)."),
    "zone_changes_too_often": N_(
        "The time zone \"%(tzid)s\" defined in the file changes too often to be read: about %(count)s "
        "changes (the limit is %(max_count)s)."),
    "calendar_repeats_too_often": N_(
        "The calendar's repeating events together repeat too often to be read: more than %(max_count)s "
        "times up to the end of the imported period."),
    "read_timed_out": N_("Reading the calendar took longer than %(seconds)s seconds and was stopped."),
    "read_out_of_memory": N_(
        "Reading the calendar needed more than %(megabytes)s MB of memory and was stopped."),
    "read_failed": N_("Reading the calendar stopped unexpectedly; it was not read."),
    # Fetching a calendar from a URL.
    "url_invalid": N_("The calendar address is not a valid web address."),
    "url_scheme_not_allowed": N_("Only http:// and https:// calendar addresses are allowed (not %(scheme)s)."),
    "url_address_not_allowed": N_(
        "The calendar address %(host)s points to a private or local network address (%(address)s), "
        "which is not allowed."),
    "url_unreachable": N_("The calendar server %(host)s could not be reached: %(detail)s"),
    "url_timeout": N_("The calendar server did not answer within %(seconds)s seconds."),
    "url_http_status": N_("The calendar server answered with HTTP status %(status)s."),
    "url_too_large": N_("The calendar at that address is larger than the limit of %(max_size)s bytes."),
    "url_too_many_redirects": N_("The calendar address redirects too many times."),
    "not_a_calendar": N_("The address did not return a calendar (it returned %(content_type)s)."),
    # CalDAV accounts: the kind of failure only, never the server's answer, an address or a detail.
    "caldav_login_failed": N_("The CalDAV server refused the user name or password."),
    "caldav_timeout": N_("The CalDAV server did not answer within %(seconds)s seconds."),
    "caldav_unreachable": N_("The CalDAV server could not be reached."),
    "caldav_not_found": N_("The CalDAV address was not found on the server."),
    "caldav_address_not_allowed": N_(
        "The CalDAV address leads to a private or local network address, or to another server, "
        "which is not allowed."),
    "caldav_no_calendars": N_("The CalDAV account has no calendars."),
    "caldav_error": N_("The CalDAV server answered with an error."),
    # Storing calendars (services).
    "not_allowed": N_("You may only manage your own calendars."),
    "manual_block_invalid": N_("A busy block needs a start and an end, and the start must come first."),
    "calendar_gone": N_("That calendar no longer exists."),
    "block_gone": N_("That entry no longer exists."),
    # Warnings: the calendar is read; the named part is skipped or read as described.
    "unreadable_line": N_("Line %(line)s could not be read and was ignored: %(text)s"),
    "event_bad_time": N_(
        "The event \"%(summary)s\" (line %(line)s) has an unreadable %(property)s and was skipped."),
    "event_bad_recurrence": N_(
        "The repeating event \"%(summary)s\" (line %(line)s) has an unreadable repeat rule and was skipped."),
    "event_unreadable": N_("The event \"%(summary)s\" (line %(line)s) could not be read and was skipped: %(detail)s"),
    "property_ignored": N_(
        "The event \"%(summary)s\" (line %(line)s) has an unreadable %(property)s, which was ignored."),
    "duration_and_end": N_(
        "The event \"%(summary)s\" (line %(line)s) has both an end and a duration; its end was used."),
    "unsupported_frequency": N_(
        "The event \"%(summary)s\" (line %(line)s) repeats every %(frequency)s, which is not supported; "
        "it was skipped."),
    "unknown_timezone": N_(
        "The time zone \"%(tzid)s\" of the event \"%(summary)s\" (line %(line)s) is unknown and not defined "
        "in the file; its times were read in %(zone)s."),
    "start_floating": N_(
        "The event \"%(summary)s\" (line %(line)s) has its end in %(other_zone)s but its start without a "
        "time zone; its start was read in %(zone)s."),
    "end_floating": N_(
        "The event \"%(summary)s\" (line %(line)s) has its start in %(other_zone)s but its end without a "
        "time zone; its end was read in %(zone)s."),
    "start_unknown_timezone": N_(
        "The time zone \"%(tzid)s\" of the start of the event \"%(summary)s\" (line %(line)s) is unknown "
        "and not defined in the file; its start was read in %(zone)s and its end in %(other_zone)s."),
    "end_unknown_timezone": N_(
        "The time zone \"%(tzid)s\" of the end of the event \"%(summary)s\" (line %(line)s) is unknown "
        "and not defined in the file; its end was read in %(zone)s and its start in %(other_zone)s."),
    "end_not_after_start": N_(
        "The event \"%(summary)s\" (line %(line)s) starts at %(start)s and ends at %(end)s, which is not "
        "after its start; it was skipped."),
    "unknown_calendar_timezone": N_(
        "The calendar's time zone \"%(tzid)s\" is unknown and was ignored; times without a zone were read "
        "in %(zone)s."),
    "more_problems": N_("%(count)s more problems were found and are not listed."),
}


@dataclass(frozen=True)
class Problem:
    """One problem: a code from MESSAGES and the parameters its message needs."""

    code: str
    params: dict = field(default_factory=dict)

    def message(self, gettext: Callable[[str], str] = N_) -> str:
        """Return the problem as a sentence, translated by *gettext*."""
        return problem_message(self, gettext)


class CalendarError(Exception):
    """A calendar was refused; `problem` says why. Nothing from it may be stored."""

    def __init__(self, code: str, **params):
        self.problem = Problem(code, params)
        super().__init__(problem_message(self.problem))

    @property
    def code(self) -> str:
        """Return the problem code."""
        return self.problem.code

    @property
    def params(self) -> dict:
        """Return the problem parameters."""
        return self.problem.params


def problem_message(problem: Problem, gettext: Callable[[str], str] = N_) -> str:
    """Render *problem* through *gettext* (identity by default: English)."""
    template = gettext(MESSAGES[problem.code])
    try:
        return template % problem.params
    except (KeyError, TypeError, ValueError):
        # A translation with a broken placeholder must not turn a clear error into a crash.
        return MESSAGES[problem.code] % problem.params
