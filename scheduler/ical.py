"""Build iCalendar invites (iTIP REQUEST/CANCEL), subscription feeds and downloads.

Pure builders: plain dataclasses in, RFC 5545 bytes (CRLF, folded by icalendar) out. No Flask,
no database, no clock: every instant, including DTSTAMP, is a parameter (DESIGN.md §7).

Three shapes, one VEVENT builder:
- ``build_invite``: what an email carries. METHOD REQUEST or CANCEL (RFC 5546), ORGANIZER and
  ATTENDEEs, times in UTC (``…Z``) so no client has to trust a VTIMEZONE.
- ``build_feed``: an interviewer's subscription (no METHOD, RFC 7986 name and refresh interval).
- ``build_download``: a ``.ics`` file to open by hand (METHOD:PUBLISH), optionally in a local
  zone with the matching VTIMEZONE; *as_reference* marks other people's time (the coordinators'
  board): no reminders, and nothing makes the holder busy.
Feeds and downloads carry no ORGANIZER/ATTENDEE: they are copies for the holder's own calendar,
and a client that sees attendees would treat the copy as a meeting it can answer.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration

PRODID = "-//Interview Scheduler//Interview Scheduler//EN"

METHOD_REQUEST = "REQUEST"
METHOD_CANCEL = "CANCEL"
METHODS = (METHOD_REQUEST, METHOD_CANCEL)

STATUS_CONFIRMED = "CONFIRMED"
STATUS_TENTATIVE = "TENTATIVE"
STATUS_CANCELLED = "CANCELLED"
STATUSES = (STATUS_CONFIRMED, STATUS_TENTATIVE, STATUS_CANCELLED)

ROLE_CHAIR = "CHAIR"
ROLE_REQUIRED = "REQ-PARTICIPANT"
ROLE_OPTIONAL = "OPT-PARTICIPANT"
ROLE_NON_PARTICIPANT = "NON-PARTICIPANT"
ROLES = (ROLE_CHAIR, ROLE_REQUIRED, ROLE_OPTIONAL, ROLE_NON_PARTICIPANT)

ALARM_BEFORE = timedelta(minutes=15)
DEFAULT_REFRESH_INTERVAL = timedelta(hours=1)

GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_LIVE_URL = "https://outlook.live.com/calendar/0/deeplink/compose"
OUTLOOK_OFFICE_URL = "https://outlook.office.com/calendar/0/deeplink/compose"


def _require_aware(name: str, value: datetime) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


@dataclass(frozen=True)
class Attendee:
    """One invited person: address, display name and RFC 5545 ROLE."""

    email: str
    name: str
    role: str = ROLE_REQUIRED

    def __post_init__(self) -> None:
        if "@" not in self.email:
            raise ValueError(f"attendee email looks wrong: {self.email!r}")
        if self.role not in ROLES:
            raise ValueError(f"unknown attendee role {self.role!r}; use one of {ROLES}")


@dataclass(frozen=True)
class InviteEvent:
    """Everything an invite, feed entry or link says about one interview.

    ``description`` is already in the recipient's language (with the local times spelled out);
    ``attendees`` is exactly who this copy names (the candidate's copy lists only the candidate).
    ``alarm_text`` is the reminder's text; it defaults to ``summary``. ``categories`` (RFC 5545
    CATEGORIES) let a calendar group the events, e.g. by whose time they are.
    """

    uid: str
    sequence: int
    start_at: datetime
    end_at: datetime
    summary: str
    description: str
    location: str | None
    organizer_email: str
    organizer_name: str
    attendees: Sequence[Attendee] = field(default_factory=tuple)
    status: str = STATUS_CONFIRMED
    alarm_text: str | None = None
    categories: Sequence[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.uid:
            raise ValueError("an invite needs a UID")
        if self.sequence < 0:
            raise ValueError(f"SEQUENCE must not be negative, got {self.sequence}")
        _require_aware("start_at", self.start_at)
        _require_aware("end_at", self.end_at)
        if self.end_at <= self.start_at:
            raise ValueError("end_at must be after start_at")
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; use one of {STATUSES}")
        # A tuple keeps the frozen dataclass hashable whatever sequence the caller passed.
        object.__setattr__(self, "attendees", tuple(self.attendees))
        object.__setattr__(self, "categories", tuple(self.categories))


def _as_utc(instant: datetime) -> datetime:
    return instant.astimezone(timezone.utc)


def _vevent(
    event: InviteEvent,
    dtstamp_at: datetime,
    *,
    zone: ZoneInfo | None = None,
    method: str | None = None,
    is_uninvite: bool = False,
    as_reference: bool = False,
) -> Event:
    """Build the VEVENT; ``method`` None means a feed/download copy without people, and
    ``as_reference`` a copy of someone else's time (transparent, no reminder)."""
    to_output = (lambda t: t.astimezone(zone)) if zone is not None else _as_utc
    if method == METHOD_CANCEL:
        # RFC 5546 §3.2.5: STATUS:CANCELLED cancels the whole event; when only some attendees
        # are being removed it MUST NOT be present.
        status = None if is_uninvite else STATUS_CANCELLED
    else:
        status = event.status
    vevent = Event.new(
        uid=event.uid,
        sequence=event.sequence,
        stamp=_as_utc(dtstamp_at),
        start=to_output(event.start_at),
        end=to_output(event.end_at),
        summary=event.summary,
        description=event.description or None,
        location=event.location or None,
        status=status,
    )
    if method is not None:
        vevent.organizer = vCalAddress.new(event.organizer_email, cn=event.organizer_name)
        # Nobody is asked to answer a cancellation, so RSVP is only requested on REQUEST.
        rsvp = True if method == METHOD_REQUEST else None
        vevent.attendees = [
            vCalAddress.new(
                a.email, cn=a.name, role=a.role, partstat="NEEDS-ACTION", rsvp=rsvp
            )
            for a in event.attendees
        ]
    if event.categories:
        vevent.add("CATEGORIES", list(event.categories))
    is_cancelled = method == METHOD_CANCEL or status == STATUS_CANCELLED
    # A cancelled interview no longer makes anyone busy, and needs no reminder; nor does
    # someone else's time copied for reference.
    vevent.add("TRANSP", "TRANSPARENT" if is_cancelled or as_reference else "OPAQUE")
    if not is_cancelled and not as_reference:
        vevent.add_component(
            Alarm.new_display(
                description=event.alarm_text or event.summary, trigger=-ALARM_BEFORE
            )
        )
    return vevent


def _calendar(method: str | None) -> Calendar:
    # Calendar() rather than Calendar.new(): new() adds a calendar-level UID (RFC 7986), which
    # iTIP messages do not have and older clients do not expect.
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if method is not None:
        calendar.add("METHOD", method)
    return calendar


def build_invite(
    event: InviteEvent,
    method: str,
    dtstamp_at: datetime,
    *,
    is_uninvite: bool = False,
) -> bytes:
    """Return an iTIP REQUEST or CANCEL calendar for one recipient's email, times in UTC.

    For CANCEL, ``event.attendees`` lists who is cancelled: everyone when the interview is
    cancelled (STATUS:CANCELLED), or only the removed people with ``is_uninvite=True``.
    ``event.sequence`` must already be the new, higher number.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    _require_aware("dtstamp_at", dtstamp_at)
    if is_uninvite and method != METHOD_CANCEL:
        raise ValueError("is_uninvite only applies to CANCEL")
    if method == METHOD_REQUEST and event.status == STATUS_CANCELLED:
        raise ValueError("a cancelled interview is sent as CANCEL, not REQUEST")
    if not event.attendees:
        raise ValueError("an iTIP message needs at least one ATTENDEE")
    calendar = _calendar(method)
    calendar.add_component(_vevent(event, dtstamp_at, method=method, is_uninvite=is_uninvite))
    return calendar.to_ical()


def build_feed(
    events: Iterable[InviteEvent],
    name: str,
    dtstamp_at: datetime,
    *,
    refresh_interval: timedelta = DEFAULT_REFRESH_INTERVAL,
) -> bytes:
    """Return a subscription feed (no METHOD) of *events* in UTC, named *name*."""
    _require_aware("dtstamp_at", dtstamp_at)
    calendar = _calendar(None)
    calendar.calendar_name = name  # writes both NAME (RFC 7986) and X-WR-CALNAME
    # RFC 7986 requires VALUE=DURATION on REFRESH-INTERVAL; Outlook reads X-PUBLISHED-TTL.
    calendar.add("REFRESH-INTERVAL", refresh_interval, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh_interval))
    for event in events:
        calendar.add_component(_vevent(event, dtstamp_at))
    return calendar.to_ical()


def build_download(
    events: Iterable[InviteEvent],
    dtstamp_at: datetime,
    *,
    zone: str | None = None,
    name: str | None = None,
    as_reference: bool = False,
) -> bytes:
    """Return a ``.ics`` file (METHOD:PUBLISH); with *zone*, local times plus its VTIMEZONE.

    *as_reference*: the events are other people's time, shown for reference (no reminder, and
    TRANSP:TRANSPARENT, so importing them does not make the holder busy).
    """
    _require_aware("dtstamp_at", dtstamp_at)
    events = list(events)
    tzinfo = ZoneInfo(zone) if zone else None
    calendar = _calendar("PUBLISH")
    if name:
        calendar.calendar_name = name
    for event in events:
        calendar.add_component(_vevent(event, dtstamp_at, zone=tzinfo, as_reference=as_reference))
    if tzinfo is not None and events:
        # Only the years the events touch: a VTIMEZONE back to 1970 would dwarf the event.
        first = min(e.start_at.astimezone(tzinfo) for e in events).year
        last = max(e.end_at.astimezone(tzinfo) for e in events).year
        calendar.add_missing_timezones(first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1))
    return calendar.to_ical()


def _compact_utc(instant: datetime) -> str:
    return _as_utc(instant).strftime("%Y%m%dT%H%M%SZ")


def _query(params: dict[str, str]) -> str:
    # %20 rather than "+": "+" means a space only in form encoding, which a deep link may not use.
    # "/" and ":" stay literal, as in the services' own examples (dates=…Z/…Z, path=/calendar/…).
    return urlencode(params, safe="/:", quote_via=quote)


def google_calendar_url(event: InviteEvent) -> str:
    """Return a Google Calendar "add event" link prefilled from *event*."""
    params = {
        "action": "TEMPLATE",
        "text": event.summary,
        "dates": f"{_compact_utc(event.start_at)}/{_compact_utc(event.end_at)}",
        "details": event.description,
        "location": event.location or "",
    }
    return f"{GOOGLE_CALENDAR_URL}?{_query(params)}"


def outlook_calendar_url(event: InviteEvent, *, is_office365: bool = False) -> str:
    """Return an Outlook on the web "add event" link (outlook.com, or Microsoft 365)."""
    iso = "%Y-%m-%dT%H:%M:%SZ"
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.summary,
        "startdt": _as_utc(event.start_at).strftime(iso),
        "enddt": _as_utc(event.end_at).strftime(iso),
        "body": event.description,
        "location": event.location or "",
    }
    base = OUTLOOK_OFFICE_URL if is_office365 else OUTLOOK_LIVE_URL
    return f"{base}?{_query(params)}"
