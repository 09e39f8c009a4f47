"""Read busy time from a CalDAV account (Feishu, DingTalk, WeCom, iCloud, Fastmail, Nextcloud, ...).

The `caldav` library talks to the server; the server selects the calendar objects that overlap
the window (a CalDAV time-range REPORT), and we expand them locally with the same reader as ICS
files, so a calendar gives the same busy time whichever way it arrives. Server-side expansion is
not used: caldav's own compatibility notes list servers that drop RECURRENCE-IDs or keep
overridden instances when expanding, and a server would apply its own reading of VTIMEZONEs and
floating times instead of ours (Windows zone names, the interviewer's zone).

The account URL passes the same address guard as ICS subscription URLs; calendar URLs the server
hands back must stay on that host.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import caldav
from caldav.elements import dav
from caldav.lib import error as caldav_error

from scheduler.calendars.fetch import check_url, normalise_url
from scheduler.calendars.ics import ImportResult, read_busy_intervals_from_parts
from scheduler.calendars.limits import DEFAULT_LIMITS, ImportLimits
from scheduler.calendars.problems import CalendarError

# The server is asked for a day more on each side: floating and all-day events are matched in
# the server's idea of local time; the reader clips to the exact window.
_SEARCH_MARGIN = timedelta(days=1)
_CALENDAR_TYPE = "{urn:ietf:params:xml:ns:caldav}calendar"


@dataclass(frozen=True)
class CalDAVCalendar:
    """One calendar collection of an account."""

    url: str
    name: str


def list_caldav_calendars(url: str, username: str, password: str, *, limits: ImportLimits = DEFAULT_LIMITS,
                          is_private_allowed: bool = False) -> list[CalDAVCalendar]:
    """Return the account's calendars (to let the interviewer pick one); raise CalendarError."""
    with _Session(url, username, password, limits, is_private_allowed) as session:
        return [CalDAVCalendar(url=str(c.url), name=_display_name(c)) for c in session.calendars(None)]


def read_caldav_busy_intervals(
    url: str,
    username: str,
    password: str,
    *,
    calendar_url: str | None = None,
    default_zone: str,
    window_start_at: datetime,
    window_end_at: datetime,
    limits: ImportLimits = DEFAULT_LIMITS,
    is_private_allowed: bool = False,
) -> ImportResult:
    """Read the busy intervals in the window of *calendar_url*, or of *url* if that is a calendar,
    or else of every calendar of the account."""
    parts: list[str] = []
    with _Session(url, username, password, limits, is_private_allowed) as session:
        for calendar in session.calendars(calendar_url):
            found = session.call(lambda c=calendar: c.search(
                start=window_start_at - _SEARCH_MARGIN,
                end=window_end_at + _SEARCH_MARGIN,
                event=True,
                expand=False,
                post_filter=False,
            ))
            parts.extend(obj.data for obj in found if obj.data)
    if not parts:
        return ImportResult()
    return read_busy_intervals_from_parts(
        parts,
        default_zone=default_zone,
        window_start_at=window_start_at,
        window_end_at=window_end_at,
        limits=limits,
    )


class _Session:
    """A DAVClient whose failures come out as CalendarErrors with the caldav_* codes."""

    def __init__(self, url: str, username: str, password: str, limits: ImportLimits, is_private_allowed: bool):
        self.url = normalise_url(url)
        # Same scheme and address rules as subscription URLs (resolved here; caldav connects itself).
        self.host = check_url(self.url, is_private_allowed=is_private_allowed).host
        self.limits = limits
        self.client = caldav.DAVClient(
            url=self.url,
            username=username or None,
            password=password or None,
            timeout=limits.fetch_timeout_seconds,
            # The URL is given in full; no DNS discovery that could lead somewhere unvetted.
            enable_rfc6764=False,
        )

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc_info) -> None:
        self.client.close()

    def calendars(self, calendar_url: str | None) -> list:
        """Return the chosen calendar; else the account URL itself if it is a calendar; else all."""
        if calendar_url:
            self._check_same_host(calendar_url)
            calendar = self.client.calendar(url=calendar_url)
            if not self._is_calendar(calendar, calendar_url):
                raise CalendarError("caldav_not_found", url=calendar_url)
            return [calendar]
        # Providers hand out either an account URL or one calendar's URL; both are accepted.
        itself = self.client.calendar(url=self.url)
        if self._is_calendar(itself, self.url):
            return [itself]
        calendars = self.call(lambda: self.client.principal().calendars())
        if not calendars:
            raise CalendarError("caldav_no_calendars")
        for calendar in calendars:
            self._check_same_host(str(calendar.url))
        return calendars

    def call(self, action, *, url: str | None = None):
        """Run one caldav call, translating its failures (*url* names what was asked for)."""
        try:
            return action()
        except CalendarError:
            raise
        except caldav_error.AuthorizationError as exc:
            raise CalendarError("caldav_login_failed") from exc
        except caldav_error.NotFoundError as exc:
            raise CalendarError("caldav_not_found", url=url or self.url) from exc
        except caldav_error.DAVError as exc:
            raise CalendarError("caldav_error", detail=_reason(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - the HTTP layer (niquests/requests) has its own types
            if _is_timeout(exc):
                raise CalendarError("caldav_timeout", seconds=f"{self.limits.fetch_timeout_seconds:g}") from exc
            if _is_connection_error(exc):
                raise CalendarError("caldav_unreachable", host=self.host, detail=_reason(exc)) from exc
            raise CalendarError("caldav_error", detail=_reason(exc)) from exc

    def _is_calendar(self, collection, url: str) -> bool:
        """Tell whether *url* is a calendar collection (fails clearly if it does not exist)."""
        properties = self.call(lambda: collection.get_properties([dav.ResourceType()]), url=url)
        return _CALENDAR_TYPE in (properties.get(dav.ResourceType.tag) or [])

    def _check_same_host(self, url: str) -> None:
        host = urlsplit(url).hostname
        if host and host.lower() != self.host.lower():
            raise CalendarError("url_address_not_allowed", host=host, address=host)


def _display_name(calendar) -> str:
    try:
        return calendar.get_display_name() or str(calendar.url)
    except Exception:  # noqa: BLE001 - a name is a nicety; the URL identifies the calendar
        return str(calendar.url)


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _is_timeout(exc: BaseException) -> bool:
    return any(isinstance(e, TimeoutError) or "timeout" in type(e).__name__.lower() for e in _chain(exc))


def _is_connection_error(exc: BaseException) -> bool:
    return any(isinstance(e, ConnectionError) or "connection" in type(e).__name__.lower()
               or "resolution" in type(e).__name__.lower() for e in _chain(exc))


def _reason(exc: BaseException) -> str:
    # The HTTP layer wraps the socket error several times; its innermost words are the clearest.
    for inner in reversed(list(_chain(exc))):
        if getattr(inner, "strerror", None):
            return str(inner.strerror)[:200]
    return " ".join(str(exc).split())[:200] or type(exc).__name__
