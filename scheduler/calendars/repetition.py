"""How much a calendar's repeat rules ask for, and a budget that holds the expansion to it (issue 21).

dateutil, under recurring-ical-events (events) and icalendar (a file's own VTIMEZONE), walks
every instance of a rule from its DTSTART, building every BYxxx combination of each period, long
before it reaches the window: a few hundred bytes of RRULE can ask for billions of instants. And
it checks UNTIL, COUNT (and we the window) only on instants it produces: a rule whose filters
stop matching is walked period by period up to the year 9999. Two guards, both counted in
occurrences against `ImportLimits.max_expanded_occurrences`:

1. `RepetitionEstimate` looks at the parsed calendar before anything is expanded (or a zone
   consulted) and refuses what cannot be read within the limit: for each repeating event, the
   periods its rules walk from DTSTART to their end (UNTIL, COUNT, or the end of the window;
   the year 9999 for a rule whose filters may never match again) times what a period costs
   dateutil (the BYxxx candidates it builds; a year or a month is also slower to walk than a
   day), plus its RDATEs; for each VTIMEZONE the file defines for itself (a TZID no IANA or
   Windows name covers), the same up to the latest date the file mentions, as a look-up at that
   date walks the zone's changes up to it.
2. `counted_series()` gives recurring-ical-events a Series that counts each instant dateutil
   produces — before, inside and just after the window — and stops at the limit.

An instant in a zone the file defines costs more than one in a zone from the tz database:
comparing it looks its offset up, and dateutil's VTIMEZONE zones find an offset by walking the
zone's changes from its DTSTART; such instants count 1 + changes/20 occurrences (measured).

Nothing here expands a rule or converts a time: dateutil does, and this module only counts.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import gcd
from zoneinfo import ZoneInfo

from icalendar.prop import vDDDLists, vRecur
from icalendar.timezone import tzp
from recurring_ical_events import ComponentsWithName, EventAdapter, Occurrence, Series

from recurring_ical_events.util import compare_greater, convert_to_datetime

from scheduler.calendars.limits import ImportLimits
from scheduler.calendars.problems import CalendarError

# Expansion stops at the window's end plus this margin (floating and all-day times are local).
HORIZON_MARGIN = timedelta(days=2)
_SHORTEST_PERIOD = {
    "YEARLY": timedelta(days=365), "MONTHLY": timedelta(days=28), "WEEKLY": timedelta(days=7),
    "DAILY": timedelta(days=1), "HOURLY": timedelta(hours=1), "MINUTELY": timedelta(minutes=1),
    "SECONDLY": timedelta(seconds=1),
}
# What walking one period costs dateutil, in produced occurrences (measured: a year ~80 µs, a
# month ~23 µs, a week, day or hour ~7 µs, against ~7 µs per occurrence produced).
_PERIOD_COST = {"YEARLY": 12, "MONTHLY": 3}
_DISTINCT_VALUES = {"BYHOUR": 24, "BYMINUTE": 60, "BYSECOND": 61, "BYMONTH": 12, "BYMONTHDAY": 62,
                    "BYYEARDAY": 732, "BYWEEKNO": 106, "BYDAY": 7 * 107, "BYSETPOS": 732}
# The walk of a rule that may never match again ends where dateutil gives up.
_LAST_DAY = datetime(9999, 12, 31)
# A rule that matches only now and then (29 February, a fifth Monday) may walk this far past the
# window before it produces the instant that ends the walk.
_SPARSE_SLACK = timedelta(days=8 * 366)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_MONTH_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
_DAY_PARTS = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "BYSETPOS")
# A zone lookup walks its changes: one change step costs about a twentieth of an occurrence.
_CHANGES_PER_OCCURRENCE = 20


class RepetitionBudget:
    """Occurrences left for one import; `spend()` raises CalendarError when they run out."""

    def __init__(self, limit: int):
        self.limit = limit
        self.spent = 0

    def spend(self, count: int = 1) -> None:
        """Count *count* occurrences produced; refuse the calendar past the limit."""
        self.spent += count
        if self.spent > self.limit:
            raise CalendarError("calendar_repeats_too_often", count=self.spent, max_count=self.limit)


@dataclass
class RepetitionEstimate:
    """The static estimate of one import (all its documents), refusing before anything expands.

    *limits* give the bound (`max_expanded_occurrences`) and what may land in the window
    (`max_occurrences`); *unsupported* are frequencies the reader skips rather than expands, *who* names an event for
    a message ({"summary", "line"}); weights of the zones the documents define are kept for the
    count while expanding (`zone_weights`, by the zone object icalendar uses).
    """

    limits: ImportLimits
    window_start_at: datetime
    window_end_at: datetime
    unsupported: frozenset[str] = frozenset()
    total: int = 0
    in_window: int = 0
    zone_weights: dict[int, int] = field(default_factory=dict)
    changes_by_tzid: dict[str, int] = field(default_factory=dict)

    def check(self, calendars: list, who: Callable[[int], dict]) -> None:
        """Add one parsed document (its calendars); raise CalendarError when the import asks too much.

        Call it before anything reads a time of the document: an event's time in a zone the file
        defines would walk that zone. *who(n)* names the document's n-th VEVENT for a message.
        """
        horizon = _naive(self.window_end_at) + HORIZON_MARGIN
        events = [c for calendar in calendars for c in calendar.subcomponents if c.name == "VEVENT"]
        latest = max([horizon, *(_latest_date(event) for event in events)])
        for calendar in calendars:
            for zone in (c for c in calendar.subcomponents if c.name == "VTIMEZONE"):
                self._check_zone(zone, horizon, latest)
        for index, event in enumerate(events):
            if {_frequency(rule) for rule in _rules(event)} & self.unsupported:
                continue  # skipped whole by the reader, never expanded
            start = event.get("DTSTART")
            tzid = str(getattr(start, "params", {}).get("TZID", ""))
            weight = 1 + self.changes_by_tzid.get(tzid, 0) // _CHANGES_PER_OCCURRENCE
            self._add(_component_cost(event, horizon) * weight, "repeats_too_often", **who(index))
            # What lands in the window is kept: refuse too much of it before making it.
            self.in_window += _component_cost(event, horizon, is_cost=False,
                                              since=_naive(self.window_start_at) - HORIZON_MARGIN)
            if self.in_window > self.limits.max_occurrences:
                raise CalendarError("too_many_occurrences", max_count=self.limits.max_occurrences)

    def _check_zone(self, zone, horizon: datetime, latest: datetime) -> None:
        tzid = str(zone.get("TZID", ""))
        if not _is_defined_by_file(tzid):
            return  # icalendar uses the tz database's zone and never expands this one
        # A look-up at the latest date the file names walks every change up to it, once; each
        # look-up in the window walks the changes up to the window.
        cost = sum(_component_cost(part, latest) for part in zone.subcomponents)
        self._add(cost, "zone_changes_too_often", tzid=tzid)
        changes = sum(_component_cost(part, horizon, is_cost=False) for part in zone.subcomponents)
        self.changes_by_tzid[tzid] = changes
        self.zone_weights[id(tzp.timezone(tzid))] = 1 + changes // _CHANGES_PER_OCCURRENCE

    def _add(self, cost: int, code: str, **params) -> None:
        limit = self.limits.max_expanded_occurrences
        if cost > limit:
            raise CalendarError(code, count=cost, max_count=limit, **params)
        self.total += cost
        if self.total > limit:
            raise CalendarError("calendar_repeats_too_often", count=self.total, max_count=limit)


def counted_series(budget: RepetitionBudget, estimate: RepetitionEstimate) -> ComponentsWithName:
    """Return the VEVENT selection for recurring_ical_events.of() that counts into *budget*
    (an instant in a zone the file defines weighing what the *estimate* found for that zone)."""
    zone_weights = estimate.zone_weights

    class CountedSeries(Series):
        """A series whose instants are counted as dateutil produces them."""

        class RecurrenceRules(Series.RecurrenceRules):
            def rrule_between(self, span_start, span_stop) -> Iterator:
                # As the library's own, but walking each rule here so that every instant dateutil
                # produces is counted, those before the window included. Zones are zoneinfo or
                # the file's own (never pytz), so its pytz corrections are not needed.
                span_start_dt = convert_to_datetime(span_start, self.tzinfo)
                span_stop_dt = convert_to_datetime(span_stop, self.tzinfo)
                weight = zone_weights.get(id(self.tzinfo), 1)
                for rule in self.rrules:
                    for start in rule:
                        budget.spend(weight)
                        if start > span_stop_dt:
                            break
                        if start >= span_start_dt and (
                                rule.until is None or not compare_greater(start, rule.until)):
                            yield start

    return ComponentsWithName("VEVENT", adapter=_SourceAdapter, series=CountedSeries,
                              occurrence=SourceOccurrence)


class _SourceAdapter(EventAdapter):
    """An event adapter that keeps the VEVENT it adapts (read as-is: no copy per occurrence)."""

    def __init__(self, component):
        super().__init__(component)
        self.source = component


class SourceOccurrence(Occurrence):
    """An occurrence that names the VEVENT it comes from (`source`: the series or a moved instance)."""

    def __init__(self, adapter, start=None, end=None, sequence=-1):
        super().__init__(adapter, start, end, sequence)
        self.source = adapter.source


# --- the estimate ------------------------------------------------------------------------------------

def _is_defined_by_file(tzid: str) -> bool:
    """Tell whether icalendar uses the file's VTIMEZONE for *tzid* (it knows no zone by that name)."""
    zone = tzp.timezone(tzid) if tzid else None
    return zone is not None and not isinstance(zone, ZoneInfo)


def _component_cost(component, end: datetime, *, is_cost: bool = True,
                    since: datetime | None = None) -> int:
    """Return what expanding *component* up to *end* asks of dateutil, in occurrences.

    With *is_cost* False, count only the instants (not the cost of walking the periods); with
    *since*, only the instants from then on.
    """
    first = _moment(component.get("DTSTART"))
    if first is None:
        return 1  # skipped by the reader (a broken or missing start), never expanded
    dates = [_moment(value) for value in _date_values(component, "RDATE")]
    if since is None:
        total = 1 + len(dates)
    else:
        total = int(since <= first <= end) + sum(1 for moment in dates if moment and since <= moment <= end)
    for rule in _rules(component):
        total += _rule_cost(rule, first, end, is_cost, since)
    return total


def _moment(prop) -> datetime | None:
    """Return a DTSTART-like property (or one RDATE value) as a naive wall time, None if unusable."""
    try:
        value = prop.dt
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - a broken property (the reader reports it) has no time
        return None
    if isinstance(value, tuple):  # a PERIOD
        value = value[0]
    return _naive(value) if isinstance(value, date) else None


def _date_values(component, name: str) -> list:
    return [value for prop in _as_list(component.get(name)) if isinstance(prop, vDDDLists)
            for value in prop.dts]


def _rule_cost(rule, first: datetime, end: datetime, is_cost: bool, since: datetime | None = None) -> int:
    frequency = _frequency(rule)
    if frequency not in _SHORTEST_PERIOD:
        return 1
    interval = max(1, _int(_first(rule.get("INTERVAL")), 1))
    step = _SHORTEST_PERIOD[frequency] * interval
    parts = {key.upper(): list(values) for key, values in rule.items() if key.upper().startswith("BY")}
    per_period = _days_per_period(frequency, parts) * _times_per_day(frequency, parts)
    walk_cost = _PERIOD_COST.get(frequency, 1)
    if _may_stall(frequency, parts, interval, first, per_period):
        # Neither UNTIL nor COUNT nor the window ends this walk: only the year 9999 does.
        return (1 + int((_LAST_DAY - min(first, _LAST_DAY)) / step)) * walk_cost if is_cost else 1
    until = _first(rule.get("UNTIL"))
    last = min(end, _naive(until)) if isinstance(until, date) else end
    if any(parts.get(name) for name in _DAY_PARTS) and last == end:
        last += _SPARSE_SLACK
    if since is not None and since > first:
        # Instants from *since* on: whole steps skip to it (an upper bound, the phase aside).
        first += step * int((since - first) / step)
    periods = 1 + (int((last - first) / step) if last > first else 0)
    count = _int(_first(rule.get("COUNT")), 0)
    if count > 0 and not parts:
        periods = min(periods, count)  # every period yields one instant until COUNT is reached
    return periods * max(1, per_period + (walk_cost if is_cost else 0))


def _may_stall(frequency: str, parts: dict, interval: int, first: datetime, per_period: int) -> bool:
    """Tell whether the rule's filters may match nothing from some period on (or ever).

    Cautious: True unless each filter is known to match again within a few years whatever the
    start, so a rule this cannot vouch for is costed as walked to the year 9999.
    """
    def ints(name):
        return [_int(value, 0) for value in parts.get(name, [])]

    months = ints("BYMONTH") or list(_MONTH_DAYS)
    monthdays, yeardays, weeks = ints("BYMONTHDAY"), ints("BYYEARDAY"), ints("BYWEEKNO")
    byday = [str(value) for value in parts.get("BYDAY", [])]
    ordinals = [_int(value[:-2], 0) for value in byday if any(ch.isdigit() for ch in value)]
    plain = [value[-2:].upper() for value in byday if not any(ch.isdigit() for ch in value)]
    if yeardays and (monthdays or weeks or parts.get("BYMONTH")):
        return True
    if weeks and (frequency != "YEARLY" or monthdays or parts.get("BYMONTH")):
        return True
    if monthdays and not any(abs(day) <= _MONTH_DAYS.get(month, 0) for day in monthdays for month in months):
        return True
    if ordinals and (monthdays or all(abs(n) > (5 if frequency == "MONTHLY" else 53) for n in ordinals)):
        return True
    if any(abs(position) > per_period for position in ints("BYSETPOS")):
        return True
    if interval > 1 and any(parts.get(name) for name in _DAY_PARTS):
        # Stepping by whole weeks visits one weekday; by months sharing a factor with 12, some
        # months only. Other steps drift through every day and month.
        days = _SHORTEST_PERIOD[frequency] * interval / timedelta(days=1)
        if plain and days == int(days) and int(days) % 7 == 0 and not ordinals:
            return _WEEKDAYS[first.weekday()] not in plain
        if frequency == "MONTHLY" and parts.get("BYMONTH"):
            return not any((month - first.month) % gcd(interval, 12) == 0 for month in months)
    return False


def _days_per_period(frequency: str, parts: dict) -> int:
    """Return at most how many days of one period dateutil builds instants for."""
    def size(key):
        return _distinct(key, parts)

    byday = [str(value) for value in parts.get("BYDAY", [])]
    plain = sum(1 for value in set(byday) if not any(ch.isdigit() for ch in value))
    ordinal = len(set(byday)) - plain
    if frequency == "YEARLY":
        months = size("BYMONTH") or 12
        if size("BYYEARDAY"):
            days = size("BYYEARDAY")
        elif size("BYWEEKNO"):
            days = size("BYWEEKNO") * (plain or 7) + ordinal
        elif size("BYMONTHDAY"):
            days = size("BYMONTHDAY") * months
        elif byday:
            days = (plain * 5 + ordinal) * months if size("BYMONTH") else plain * 53 + ordinal
        else:
            days = size("BYMONTH") or 1
        return min(days, 366)
    if frequency == "MONTHLY":
        days = size("BYMONTHDAY") or (plain * 5 + ordinal) or 1
        return min(days, 31)
    if frequency == "WEEKLY":
        return min(len(set(byday)) or 1, 7)
    return 1


def _times_per_day(frequency: str, parts: dict) -> int:
    """Return at most how many times of day (or of the hour, or minute) each period builds."""
    expanding = {"SECONDLY": (), "MINUTELY": ("BYSECOND",), "HOURLY": ("BYMINUTE", "BYSECOND")}.get(
        frequency, ("BYHOUR", "BYMINUTE", "BYSECOND"))
    times = 1
    for key in expanding:
        times *= _distinct(key, parts) or 1
    return times


def _distinct(key: str, parts: dict) -> int:
    return min(len({str(value) for value in parts.get(key, [])}), _DISTINCT_VALUES[key])


def _latest_date(event) -> datetime:
    """Return the latest date or time an event names: its zone is looked up that far.

    (A series' own instants stop at the window's end; UNTIL is compared in UTC.)
    """
    moments = [_moment(event.get(name)) for name in ("DTSTART", "DTEND", "RECURRENCE-ID")]
    moments += [_moment(value) for name in ("RDATE", "EXDATE") for value in _date_values(event, name)]
    return max((moment for moment in moments if moment is not None), default=datetime.min)


def _rules(component) -> list:
    return [rule for rule in _as_list(component.get("RRULE")) if isinstance(rule, vRecur)]


def _frequency(rule) -> str:
    return str(_first(rule.get("FREQ")) or "").upper()


def _naive(value: date | datetime) -> datetime:
    """Return *value* as a naive wall time, without asking its zone anything."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0))
    return value.replace(tzinfo=None)


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _first(value):
    return value[0] if isinstance(value, list) and value else value
