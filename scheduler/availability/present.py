"""How the availability pages draw things: a week's days as 24-hour bars.

The week itself (days, free and busy time as UTC instants) comes from
scheduler/services/week_view.py; here each stretch becomes wall-clock minutes of its local day
(0–1440), the units of the SVG bar and of the times listed beside it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from scheduler.models import Interview
from scheduler.services.week_view import Segment, WeekDay, WeekView

DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class Bar:
    """One stretch of a day's bar, in wall-clock minutes from local midnight."""

    kind: str
    start_minute: int
    end_minute: int
    label: str = ""
    interview: Interview | None = None


@dataclass(frozen=True)
class DayBars:
    """Everything drawn for one local day: working hours, free time, busy time, interviews."""

    working: list[Bar]
    free: list[Bar]
    busy: list[Bar]
    interviews: list[Bar]
    items: list[Bar]


def week_bars(week: WeekView) -> dict[date, DayBars]:
    """Return the bars of each day of *week*, by local date."""
    return {day.day: _day_bars(day, week.zone) for day in week.days}


def _day_bars(day: WeekDay, zone: str) -> DayBars:
    def bars(segments: list[Segment]) -> list[Bar]:
        return [_bar(segment, day, zone) for segment in segments]

    return DayBars(bars(day.working), bars(day.free), bars(day.busy), bars(day.interviews),
                   bars(day.items))


def _bar(segment: Segment, day: WeekDay, zone: str) -> Bar:
    # A stretch that runs to the next midnight ends at minute 1440, not at 0.
    end_minute = DAY_MINUTES if segment.end_at >= day.end_at else _minute_of_day(segment.end_at, zone)
    return Bar(segment.kind, _minute_of_day(segment.start_at, zone), end_minute, segment.label,
               segment.interview)


def _minute_of_day(instant: datetime, zone: str) -> int:
    """Return the wall-clock minute of the day (0–1439) of *instant* in *zone*."""
    local = instant.astimezone(ZoneInfo(zone))
    return local.hour * 60 + local.minute

