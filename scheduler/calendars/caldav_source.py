"""Read busy time from a CalDAV account (Feishu, DingTalk, WeCom, iCloud, Fastmail, Nextcloud, ...).

The `caldav` library talks to the server; the server selects the calendar objects that overlap
the window (a CalDAV time-range REPORT), and we expand them locally with the same reader as ICS
files, so a calendar gives the same busy time whichever way it arrives. Server-side expansion is
not used: caldav's own compatibility notes list servers that drop RECURRENCE-IDs or keep
overridden instances when expanding, and a server would apply its own reading of VTIMEZONEs and
floating times instead of ours (Windows zone names, the interviewer's zone).

The account URL passes the same address guard as ICS subscription URLs (fetch.check_url), and
every request the caldav library makes goes through a session pinned to the addresses that guard
vetted: the name is never resolved again, a URL on any other host (a server's href, a redirect's
Location, an IP literal) is refused before anything connects, and redirects are followed here,
one vetted hop at a time. A failure says which kind it was (sign-in failed, not found,
unreachable, timed out, address not allowed, server error) and nothing else: never the server's
response, an address or a detail of the network error.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

import caldav
import niquests
from caldav.elements import dav
from caldav.lib import error as caldav_error
from niquests.packages.urllib3.contrib.resolver.in_memory import InMemoryResolver

from scheduler.calendars.fetch import Target, check_url, normalise_url
from scheduler.calendars.ics import ImportResult, read_busy_intervals_from_parts
from scheduler.calendars.limits import DEFAULT_LIMITS, ImportLimits
from scheduler.calendars.problems import CalendarError

# The server is asked for a day more on each side: floating and all-day events are matched in
# the server's idea of local time; the reader clips to the exact window.
_SEARCH_MARGIN = timedelta(days=1)
_CALENDAR_TYPE = "{urn:ietf:params:xml:ns:caldav}calendar"
# What the address guard's own refusals become for a CalDAV account: the kind, without the
# host or the address.
_GUARD_CODES = {"url_address_not_allowed": "caldav_address_not_allowed", "url_unreachable": "caldav_unreachable"}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CalDAVCalendar:
    """One calendar collection of an account."""

    url: str
    name: str


def list_caldav_calendars(url: str, username: str, password: str, *, limits: ImportLimits = DEFAULT_LIMITS,
                          is_private_allowed: bool = False,
                          private_networks: tuple[str, ...] = ()) -> list[CalDAVCalendar]:
    """Return the account's calendars (to let the interviewer pick one); raise CalendarError."""
    with _Session(url, username, password, limits, is_private_allowed, private_networks) as session:
        return session.call(lambda: [CalDAVCalendar(url=str(c.url), name=_display_name(c))
                                     for c in session.calendars(None)])


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
    private_networks: tuple[str, ...] = (),
) -> ImportResult:
    """Read the busy intervals in the window of *calendar_url*, or of *url* if that is a calendar,
    or else of every calendar of the account."""
    parts: list[str] = []
    with _Session(url, username, password, limits, is_private_allowed, private_networks) as session:
        for calendar in session.call(lambda: session.calendars(calendar_url)):
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


class _PinnedSession(niquests.Session):
    """The HTTP session of one CalDAV account: it reaches the vetted addresses of one host only.

    Its resolver knows that host's vetted addresses and nothing else, so no request resolves the
    name again (a DNS answer that changes after the check cannot move a request). Every request's
    URL must be on that host: a href or Location naming another host, or an IP literal (which needs
    no resolver), is refused before anything connects. The HTTP library follows no redirect; this
    session follows each one after vetting it the same way. No proxy or .netrc from the
    environment, no HTTP/3 (an Alt-Svc answer could name another authority), and no certificate
    revocation look-ups (requests to other servers). The Host header and the TLS server name stay
    the account's host name: only the name-to-address step is replaced.
    """

    def __init__(self, target: Target, max_redirects: int):
        resolver = InMemoryResolver()
        for address in target.addresses:
            resolver.register(target.host, address)
        super().__init__(resolver=resolver, disable_http3=True, revocation_configuration=None)
        self.trust_env = False
        self.target = target
        self.max_redirects = max_redirects
        # The first refusal, kept because caldav may catch an exception and try another way.
        self.refusal: CalendarError | None = None

    def request(self, method, url, *args, **kwargs):
        """Send one request to the pinned host, following vetted redirects."""
        kwargs["allow_redirects"] = False
        for _ in range(self.max_redirects + 1):
            self._vet(str(url))
            response = super().request(method, url, *args, **kwargs)
            if not response.is_redirect:
                return response
            url = urljoin(str(url), response.headers["Location"])
            response.close()
        raise self._refuse("caldav_error")

    def _vet(self, url: str) -> None:
        try:
            parts = urlsplit(url)
            host, scheme = (parts.hostname or "").lower(), parts.scheme.lower()
        except ValueError:
            raise self._refuse("caldav_address_not_allowed") from None
        # Same host (hence the vetted addresses); never from https down to plain http.
        if host != self.target.host.lower() or scheme not in {self.target.scheme, "https"}:
            raise self._refuse("caldav_address_not_allowed")

    def _refuse(self, code: str) -> CalendarError:
        if self.refusal is None:
            self.refusal = CalendarError(code)
        return self.refusal


class _Session:
    """A DAVClient on a pinned session, whose failures come out as CalendarErrors of one kind."""

    def __init__(self, url: str, username: str, password: str, limits: ImportLimits, is_private_allowed: bool,
                 private_networks: tuple[str, ...]):
        self.url = normalise_url(url)
        self.limits = limits
        try:
            target = check_url(self.url, is_private_allowed=is_private_allowed, private_networks=private_networks)
        except CalendarError as error:
            if error.code in _GUARD_CODES:
                raise CalendarError(_GUARD_CODES[error.code]) from error
            raise
        self.host = target.host
        self.client = caldav.DAVClient(
            url=self.url,
            username=username or None,
            password=password or None,
            timeout=limits.fetch_timeout_seconds,
            # The URL is given in full; no DNS discovery that could lead somewhere unvetted.
            enable_rfc6764=False,
        )
        # Every request caldav makes goes through self.client.session: swap in the pinned one.
        self.client.session.close()
        self.http = _PinnedSession(target, limits.max_redirects)
        self.client.session = self.http

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc_info) -> None:
        self.client.close()

    def calendars(self, calendar_url: str | None) -> list:
        """Return the chosen calendar; else the account URL itself if it is a calendar; else all."""
        if calendar_url:
            self._check_same_host(calendar_url)
            calendar = self.client.calendar(url=calendar_url)
            if not self._is_calendar(calendar):
                raise CalendarError("caldav_not_found")
            return [calendar]
        # Providers hand out either an account URL or one calendar's URL; both are accepted.
        itself = self.client.calendar(url=self.url)
        if self._is_calendar(itself):
            return [itself]
        calendars = self.call(lambda: self.client.principal().calendars())
        if not calendars:
            raise CalendarError("caldav_no_calendars")
        for calendar in calendars:
            self._check_same_host(str(calendar.url))
        return calendars

    def call(self, action):
        """Run caldav calls, turning any failure into a CalendarError that names its kind only."""
        try:
            return action()
        except MemoryError:
            raise  # the job's memory cap, which the sandbox names; not a CalDAV failure
        except Exception as exc:  # noqa: BLE001 - caldav and the HTTP layer have many types
            error = self.http.refusal or _kind_of(exc, self.limits)
            if error is not exc:
                # The log gets the kind and the exception's type: no response, address or secret.
                log.info("CalDAV read failed: %s (%s)", error.code, type(exc).__name__)
                raise error from None
            raise

    def _is_calendar(self, collection) -> bool:
        """Tell whether *collection* is a calendar collection (fails clearly if it does not exist)."""
        properties = self.call(lambda: collection.get_properties([dav.ResourceType()]))
        return _CALENDAR_TYPE in (properties.get(dav.ResourceType.tag) or [])

    def _check_same_host(self, url: str) -> None:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if not host or host.lower() != self.host.lower():
            raise CalendarError("caldav_address_not_allowed")


def _kind_of(exc: BaseException, limits: ImportLimits) -> CalendarError:
    """Return the CalendarError naming the kind of *exc* (itself if it is one already)."""
    if isinstance(exc, CalendarError):
        return exc
    if isinstance(exc, caldav_error.AuthorizationError):
        return CalendarError("caldav_login_failed")
    if isinstance(exc, caldav_error.NotFoundError):
        return CalendarError("caldav_not_found")
    if _is_timeout(exc):
        return CalendarError("caldav_timeout", seconds=f"{limits.fetch_timeout_seconds:g}")
    if _is_connection_error(exc):
        return CalendarError("caldav_unreachable")
    return CalendarError("caldav_error")


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
