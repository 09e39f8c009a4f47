"""Read iCalendar data into busy intervals: parse with icalendar, expand with recurring-ical-events.

The rules (DESIGN.md §5 "Calendars in", issue 5):
- recurrences (RRULE, RDATE, EXDATE, moved instances via RECURRENCE-ID) are expanded by
  recurring-ical-events inside a window;
- all-day events block the interviewer's whole local day (multi-day ones every day they cover);
- floating times are in the interviewer's zone, unless the calendar's X-WR-TIMEZONE (Google)
  names another; recurring-ical-events applies X-WR-TIMEZONE through the x-wr-timezone package;
- a TZID naming a known IANA or Windows zone means that IANA zone; only unknown TZIDs use the
  file's VTIMEZONE, and that never leaks into another import (see zones.isolated_timezones);
- a start and an end written in different forms (one UTC or zoned, the other floating or under an
  unknown TZID) are each read by their own rule; the warning names the side read in the
  interviewer's zone, and a pair whose end is then not after its start is skipped (issue 14);
- cancelled, transparent and "free" events or occurrences are not busy; tentative ones are;
- a calendar is either refused with a CalendarError, or read completely with each defect
  reported as a warning that names the event and line; a bad event or series is skipped whole,
  never half-expanded;
- reading is bounded whatever the rules say: an estimate refuses the impossible before anything
  expands, and the expander's instants are counted as produced (repetition.py, issue 21).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.prop import vBroken

from scheduler.calendars.event_times import (
    UNKNOWN_ZONE, ZONED, prop_zone_label, time_form, wall_time, zone_label_of,
)
from scheduler.calendars.limits import DEFAULT_LIMITS, ImportLimits
from scheduler.calendars.problems import CalendarError, Problem
from scheduler.calendars.repetition import RepetitionBudget, RepetitionEstimate, counted_series
from scheduler.calendars.zones import isolated_timezones, resolve_zone_name, tzids_in, zone

# Properties whose breakage leaves an event without a knowable time: such an event is skipped.
_TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID")
# Properties that only add or remove occurrences: a broken value is dropped, the event kept.
_DATE_LIST_PROPERTIES = ("RDATE", "EXDATE")
# dateutil walks every instance from DTSTART to the window; these make that walk unbounded.
_UNSUPPORTED_FREQUENCIES = {"SECONDLY", "MINUTELY"}
# Wider than any UTC offset: floating and all-day occurrences are compared to the window in
# local time by the expander, so it is asked for a day more on each side and we clip after.
_SPAN_MARGIN = timedelta(days=1)
_MAX_WARNINGS = 50
_SUMMARY_IN_MESSAGES = 80

_BEGIN_VCALENDAR = re.compile(rb"^BEGIN:VCALENDAR\s*$", re.IGNORECASE | re.MULTILINE)
_BEGIN_VEVENT = re.compile(rb"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)
_QUOTED = re.compile(r"'(.+?)'")


@dataclass(frozen=True)
class BusyInterval:
    """One busy period [start_at, end_at) in UTC, from the event with *external_uid*."""

    start_at: datetime
    end_at: datetime
    external_uid: str
    summary: str


@dataclass
class ImportResult:
    """What a calendar yielded: its busy intervals (sorted) and the defects met while reading."""

    intervals: list[BusyInterval] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    event_count: int = 0


def read_busy_intervals(
    data: bytes | str,
    *,
    default_zone: str,
    window_start_at: datetime,
    window_end_at: datetime,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportResult:
    """Read one iCalendar file into the busy intervals that overlap the window; raise CalendarError."""
    return read_busy_intervals_from_parts([data], default_zone=default_zone, window_start_at=window_start_at,
                                          window_end_at=window_end_at, limits=limits)


def read_busy_intervals_from_parts(
    parts: Sequence[bytes | str],
    *,
    default_zone: str,
    window_start_at: datetime,
    window_end_at: datetime,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportResult:
    """Read several iCalendar documents (e.g. CalDAV objects) as one calendar; limits apply to the total."""
    if window_start_at.tzinfo is None or window_end_at.tzinfo is None:
        raise ValueError("the window must be given as aware datetimes")
    reader = _Reader(zone(default_zone), window_start_at, window_end_at, limits)
    reader.read([part.encode("utf-8") if isinstance(part, str) else part for part in parts])
    return reader.result()


class _Reader:
    """Reads the documents of one import into one merged calendar, then expands it once.

    Merging matters for CalDAV: some servers store a series' moved instances as separate
    resources, and only an expansion that sees master and exceptions together applies them.
    """

    def __init__(self, default_zone: tzinfo, window_start_at: datetime, window_end_at: datetime,
                 limits: ImportLimits):
        self.default_zone = default_zone
        self.window_start_at = window_start_at.astimezone(timezone.utc)
        self.window_end_at = window_end_at.astimezone(timezone.utc)
        self.limits = limits
        self.intervals: list[BusyInterval] = []
        self.warnings: list[Problem] = []
        self.suppressed_warnings = 0
        self.event_count = 0
        self.occurrence_count = 0
        self.estimate = RepetitionEstimate(limits, self.window_start_at, self.window_end_at,
                                           unsupported=frozenset(_UNSUPPORTED_FREQUENCIES))
        self.budget = RepetitionBudget(limits.max_expanded_occurrences)
        # UID -> where to point the user when that series fails to expand.
        self.who_by_uid: dict[str, dict] = {}

    # -- results -------------------------------------------------------------------------------

    def result(self) -> ImportResult:
        """Return the sorted intervals and the warnings."""
        warnings = list(self.warnings)
        if self.suppressed_warnings:
            warnings.append(Problem("more_problems", {"count": self.suppressed_warnings}))
        intervals = sorted(self.intervals, key=lambda i: (i.start_at, i.end_at, i.external_uid))
        return ImportResult(intervals=intervals, warnings=warnings, event_count=self.event_count)

    def warn(self, code: str, **params) -> None:
        """Record a tolerated defect (bounded, so a badly broken file cannot flood the report)."""
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(Problem(code, params))
        else:
            self.suppressed_warnings += 1

    # -- reading ---------------------------------------------------------------------------------

    def read(self, parts: list[bytes]) -> None:
        """Parse, check, merge and expand *parts*, or raise CalendarError with nothing kept."""
        total_bytes = sum(len(part) for part in parts)
        if total_bytes > self.limits.max_bytes:
            raise CalendarError("file_too_large", size=total_bytes, max_size=self.limits.max_bytes)
        raw_events = 0
        for part in parts:
            if not _BEGIN_VCALENDAR.search(part):
                raise CalendarError("not_icalendar")
            raw_events += len(_BEGIN_VEVENT.findall(part))
        # Counted before parsing, so an oversized calendar is refused without paying for the parse.
        if raw_events > self.limits.max_events:
            raise CalendarError("too_many_events", count=raw_events, max_count=self.limits.max_events)
        tzids = set().union(*(tzids_in(part) for part in parts)) if parts else set()
        with isolated_timezones(tzids):
            merged = icalendar.Calendar()
            for part in parts:
                lines = _LineIndex(part)
                calendars = self._parse(part, lines)
                # Before anything reads a time: a time in a zone the file defines walks that zone.
                events = [c for calendar in calendars for c in calendar.subcomponents if c.name == "VEVENT"]
                self.estimate.check(calendars, lambda n, events=events, lines=lines: {
                    "summary": _summary_for_message(events[n]), "line": lines.vevent_line(n)})
                for calendar in calendars:
                    event_total = sum(1 for c in calendar.subcomponents if c.name == "VEVENT")
                    for event in self._checked_events(calendar, lines):
                        merged.add_component(event)
                    lines.skip_vevents(event_total)
            self.intervals = self._expand(merged)

    def _parse(self, data: bytes, lines: _LineIndex) -> list[icalendar.Calendar]:
        try:
            calendars = icalendar.Calendar.from_ical(data, multiple=True)
        except MemoryError:
            raise  # the machine's limit (the job's memory cap names it), not the file's fault
        except Exception as exc:  # noqa: BLE001 - any parser failure is a refusal, never a crash
            raise CalendarError("unreadable", detail=_short(exc)) from exc
        calendars = [c for c in calendars if c.name == "VCALENDAR"]
        if not calendars:
            raise CalendarError("truncated", line=lines.count)
        return calendars

    def _checked_events(self, calendar: icalendar.Calendar, lines: _LineIndex) -> list:
        """Return the calendar's usable events, floating times already placed per X-WR-TIMEZONE."""
        scale = str(calendar.get("CALSCALE", "GREGORIAN")).upper()
        if scale != "GREGORIAN":
            raise CalendarError("unsupported_calendar_scale", scale=scale)
        for component in calendar.walk():
            for name, message in component.errors:
                if name is None:
                    self._warn_unreadable_line(message, lines)
        calendar_zone = self._calendar_zone(calendar)
        events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
        self.event_count += len(events)
        for index, event in enumerate(events):
            who = {"summary": _summary_for_message(event), "line": lines.vevent_line(index)}
            self.who_by_uid.setdefault(str(event.get("UID", "")), who)
            if not self._check_event(event, who, calendar_zone or self.default_zone):
                calendar.subcomponents.remove(event)
        if calendar_zone is not None:
            # Google's convention, applied by the x-wr-timezone package: floating times (and UTC
            # series) are in the calendar's zone. Done per document, before documents are merged.
            calendar = x_wr_timezone.to_standard(calendar, timezone=calendar_zone)
        return [c for c in calendar.subcomponents if c.name == "VEVENT"]

    def _calendar_zone(self, calendar: icalendar.Calendar) -> tzinfo | None:
        """Return the zone X-WR-TIMEZONE names, or None (absent, or unknown and reported)."""
        raw = calendar.get("X-WR-TIMEZONE")
        if raw is None:
            return None
        name = resolve_zone_name(str(raw))
        if name is None:
            self.warn("unknown_calendar_timezone", tzid=str(raw), zone=zone_label_of(self.default_zone))
            return None
        return zone(name)

    def _check_event(self, event, who: dict, floating_zone: tzinfo) -> bool:
        """Repair what can be repaired, warn; return False when the event must be skipped."""
        broken = {name for name, _ in event.errors if name is not None}
        for name in _TIME_PROPERTIES:
            if name in broken:
                self.warn("event_bad_time", property=name, **who)
                return False
        if "RRULE" in broken:
            self.warn("event_bad_recurrence", **who)
            return False
        for name in _DATE_LIST_PROPERTIES:
            if name in broken and _drop_broken_values(event, name):
                self.warn("property_ignored", property=name, **who)
        if "DTSTART" not in event:
            self.warn("event_bad_time", property="DTSTART", **who)
            return False
        if "DTEND" in event and "DURATION" in event:
            del event["DURATION"]
            self.warn("duration_and_end", **who)
        for rule in _as_list(event.get("RRULE")):
            frequency = str(_first(rule.get("FREQ"))).upper()
            if frequency in _UNSUPPORTED_FREQUENCIES:
                self.warn("unsupported_frequency", frequency=frequency, **who)
                return False
        try:
            # icalendar checks here what the expander relies on (e.g. DTSTART and DTEND of one type).
            event.start, event.end
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - icalendar signals bad events with varied errors
            self.warn("event_unreadable", detail=_short(exc), **who)
            return False
        start, end = event.get("DTSTART"), event.get("DTEND")
        start_form, end_form = time_form(start), time_form(end)
        if start_form and end_form and (start_form == ZONED) != (end_form == ZONED):
            return self._reconcile_mixed_forms(event, who, floating_zone)
        for prop in (start, end):
            if time_form(prop) == UNKNOWN_ZONE:
                # icalendar found neither a known zone nor a VTIMEZONE and left the time floating.
                self.warn("unknown_timezone", tzid=str(prop.params["TZID"]), zone=zone_label_of(floating_zone),
                          **who)
                break
        return True

    def _reconcile_mixed_forms(self, event, who: dict, floating_zone: tzinfo) -> bool:
        """Read a start and an end given in different forms each by its own rule (issue 14).

        One side is an instant (UTC or a zone), the other a wall time (floating, or a TZID nobody
        knows) read in *floating_zone*. The end is rewritten in the start's form, so the expander
        sees a consistent pair and the series keeps the start's form (an RRULE over a floating
        start stays floating). An end that is then not after the start cannot be reconciled: the
        event is skipped. The warning names the side that was read in *floating_zone*.
        """
        start, end = event["DTSTART"], event["DTEND"]
        zoned, local = (start, end) if time_form(start) == ZONED else (end, start)
        local_at = local.dt.replace(tzinfo=floating_zone)
        start_at, end_at = (zoned.dt, local_at) if zoned is start else (local_at, zoned.dt)
        zone_name, other_zone = zone_label_of(floating_zone), prop_zone_label(zoned)
        if end_at <= start_at:
            self.warn("end_not_after_start",
                      start=wall_time(start, zone_name), end=wall_time(end, zone_name), **who)
            return False
        del event["DTEND"]
        event.add("DTEND", end_at if zoned is start else end_at.astimezone(floating_zone).replace(tzinfo=None))
        side = "end" if zoned is start else "start"
        if time_form(local) == UNKNOWN_ZONE:
            self.warn(f"{side}_unknown_timezone", tzid=str(local.params["TZID"]), zone=zone_name,
                      other_zone=other_zone, **who)
        else:
            self.warn(f"{side}_floating", zone=zone_name, other_zone=other_zone, **who)
        return True

    def _expand(self, calendar) -> list[BusyInterval]:
        span_start = self.window_start_at - _SPAN_MARGIN
        span_end = self.window_end_at + _SPAN_MARGIN
        found: list[BusyInterval] = []
        for series in self._collect_series(calendar):
            try:
                found.extend(self._expand_series(series, span_start, span_end))
            except (CalendarError, MemoryError):
                raise
            except Exception as exc:  # noqa: BLE001 - one broken series is skipped whole, not fatal
                self.warn("event_unreadable", detail=_short(exc), **self._who(series.uid))
        return found

    def _collect_series(self, calendar) -> list:
        try:
            return list(self._query(calendar).series)
        except (CalendarError, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - find the culprit below, one UID at a time
            pass
        series_list = []
        for uid, members in _group_by_uid(calendar).items():
            single = icalendar.Calendar()
            for member in members:
                single.add_component(member)
            try:
                series_list.extend(self._query(single).series)
            except (CalendarError, MemoryError):
                raise
            except Exception as exc:  # noqa: BLE001 - skip the series, say which one
                self.warn("event_unreadable", detail=_short(exc), **self._who(uid))
        return series_list

    def _query(self, calendar):
        """Return the expander's query, its series counting what they produce into the budget."""
        return recurring_ical_events.of(calendar, components=[counted_series(self.budget, self.estimate)])

    def _who(self, uid) -> dict:
        return self.who_by_uid.get(str(uid), {"summary": str(uid), "line": "?"})

    def _expand_series(self, series, span_start: datetime, span_end: datetime) -> list[BusyInterval]:
        found = []
        for occurrence in series.between(span_start, span_end):
            self.occurrence_count += 1
            if self.occurrence_count > self.limits.max_occurrences:
                raise CalendarError("too_many_occurrences", max_count=self.limits.max_occurrences)
            # The VEVENT it comes from (the series or a moved instance) says what the copy would.
            component = occurrence.source
            if not _is_busy(component):
                continue
            start_at = self._instant(occurrence.start)
            end_at = self._instant(occurrence.end)
            if end_at <= start_at or end_at <= self.window_start_at or start_at >= self.window_end_at:
                continue
            found.append(BusyInterval(
                start_at=start_at,
                end_at=end_at,
                external_uid=str(component.get("UID", "")),
                summary=str(component.get("SUMMARY", "")).strip(),
            ))
        return found

    def _instant(self, value: date | datetime) -> datetime:
        """Turn an occurrence bound into a UTC instant (dates and floating times are local)."""
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(0), tzinfo=self.default_zone)
        elif value.tzinfo is None:
            value = value.replace(tzinfo=self.default_zone)
        return value.astimezone(timezone.utc)

    def _warn_unreadable_line(self, message: str, lines: _LineIndex) -> None:
        match = _QUOTED.search(message)
        text = match.group(1) if match else message
        self.warn("unreadable_line", line=lines.find(text), text=text[:_SUMMARY_IN_MESSAGES])


def _is_busy(component) -> bool:
    """Tell whether an occurrence blocks time: not cancelled, not transparent, not marked free."""
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return False
    if str(component.get("TRANSP", "")).upper() == "TRANSPARENT":
        return False
    return str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() != "FREE"


class _LineIndex:
    """Physical line numbers of a document, to name where a problem is."""

    def __init__(self, data: bytes):
        self._lines = data.decode("utf-8", "replace").splitlines()
        self.count = len(self._lines)
        self._vevents = [n for n, line in enumerate(self._lines, 1)
                         if line.strip().upper() == "BEGIN:VEVENT"]
        self._first_vevent = 0

    def skip_vevents(self, count: int) -> None:
        """Move past the events of one calendar (a file may hold several VCALENDARs)."""
        self._first_vevent += count

    def vevent_line(self, index: int) -> int | str:
        """Return the line of the *index*-th BEGIN:VEVENT of the current calendar, or "?"."""
        index += self._first_vevent
        return self._vevents[index] if index < len(self._vevents) else "?"

    def find(self, text: str) -> int | str:
        """Return the first line that starts with *text*, or "?"."""
        probe = text.strip()[:40]
        for number, line in enumerate(self._lines, 1):
            if probe and line.strip().startswith(probe):
                return number
        return "?"


def _drop_broken_values(event, name: str) -> bool:
    values = _as_list(event.get(name))
    kept = [v for v in values if not isinstance(v, vBroken)]
    if len(kept) == len(values):
        return False
    del event[name]
    for value in kept:
        event.add(name, value, encode=False)
    return True


def _group_by_uid(calendar) -> dict[str, list]:
    groups: dict[str, list] = {}
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            groups.setdefault(str(component.get("UID", "")), []).append(component)
    return groups


def _summary_for_message(event) -> str:
    summary = str(event.get("SUMMARY", "")).strip() or str(event.get("UID", "")).strip()
    if len(summary) > _SUMMARY_IN_MESSAGES:
        summary = summary[: _SUMMARY_IN_MESSAGES - 1] + "…"
    return summary


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _first(value):
    return value[0] if isinstance(value, list) and value else value


def _short(exc: Exception, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
