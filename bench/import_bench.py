"""Calendar import bench: our reader against icalendar + recurring-ical-events alone.

Run: ``python -m bench.import_bench`` (add ``--repeat N``). It builds a 2,000-event calendar with
100 weekly series (the rest one-off meetings, a few all-day days, Windows and IANA zones, moved
and cancelled instances), then times, over a 120-day window:

(a) the libraries alone: ``Calendar.from_ical`` + ``recurring_ical_events.of(...).between(...)``;
(b) ``read_busy_intervals``: the same work plus zone isolation, checks and the busy rules.

It prints the median milliseconds of each and the ratio b/a (target: at most 1.5). The store
step (file to database) can be added as a third entry of `time_interleaved()`, which times any
callables side by side.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

import icalendar
import recurring_ical_events

from scheduler.calendars import read_busy_intervals

EVENT_COUNT = 2000
SERIES_COUNT = 100
TARGET_RATIO = 1.5
# A fixed instant: the bench must not depend on the day it runs.
WINDOW_START_AT = datetime(2026, 11, 30, tzinfo=timezone.utc)
WINDOW_END_AT = WINDOW_START_AT + timedelta(days=120)
_ZONES = ("China Standard Time", "Asia/Shanghai", "Europe/London", "America/Los_Angeles")


def build_calendar(event_count: int = EVENT_COUNT, series_count: int = SERIES_COUNT) -> bytes:
    """Return an iCalendar file with *event_count* VEVENTs, *series_count* of them weekly series."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//interview-scheduler//import bench//EN"]
    first_day = WINDOW_START_AT - timedelta(days=60)
    for n in range(event_count):
        day = first_day + timedelta(days=n % 240)
        hour = 8 + n % 10
        zone = _ZONES[n % len(_ZONES)]
        start = f"{day:%Y%m%d}T{hour:02d}{(n % 2) * 30:02d}00"
        end = f"{day:%Y%m%d}T{hour + 1:02d}{(n % 2) * 30:02d}00"
        lines += ["BEGIN:VEVENT", f"UID:bench-{n}@example.com", f"DTSTAMP:{WINDOW_START_AT:%Y%m%dT%H%M%SZ}",
                  f"SUMMARY:Meeting {n}"]
        if n < series_count:
            lines += [f"DTSTART;TZID={zone}:{start}", f"DTEND;TZID={zone}:{end}",
                      f"RRULE:FREQ=WEEKLY;BYDAY={'MO TU WE TH FR'.split()[n % 5]}",
                      f"EXDATE;TZID={zone}:{(day + timedelta(weeks=9)):%Y%m%d}T{hour:02d}{(n % 2) * 30:02d}00"]
        elif n % 50 == 0:
            lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{(day + timedelta(days=1)):%Y%m%d}"]
        else:
            lines += [f"DTSTART;TZID={zone}:{start}", f"DTEND;TZID={zone}:{end}"]
            if n % 37 == 0:
                lines.append("STATUS:CANCELLED")
            elif n % 41 == 0:
                lines.append("TRANSP:TRANSPARENT")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def libraries_alone(data: bytes) -> int:
    """Parse and expand with icalendar + recurring-ical-events only; return the occurrence count."""
    calendar = icalendar.Calendar.from_ical(data)
    return len(recurring_ical_events.of(calendar).between(WINDOW_START_AT, WINDOW_END_AT))


def our_reader(data: bytes) -> int:
    """Read with scheduler.calendars; return the busy interval count."""
    return len(read_busy_intervals(data, default_zone="Asia/Shanghai", window_start_at=WINDOW_START_AT,
                                   window_end_at=WINDOW_END_AT).intervals)


def time_interleaved(works: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Return the median milliseconds of each work, runs interleaved so load drifts hit all alike."""
    samples: dict[str, list[float]] = {name: [] for name in works}
    for work in works.values():
        work()  # warm-up: imports, zone data, caches
    for _ in range(repeat):
        for name, work in works.items():
            gc.collect()  # start each sample without the previous one's garbage
            # A bench measures elapsed time: a monotonic clock, not the application's `now`.
            started = time.perf_counter()
            work()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    """Print the medians and the ratio; return 1 if the ratio misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    data = build_calendar()
    occurrences, intervals = libraries_alone(data), our_reader(data)
    medians = time_interleaved({"alone": lambda: libraries_alone(data), "ours": lambda: our_reader(data)},
                               args.repeat)
    alone_ms, ours_ms = medians["alone"], medians["ours"]
    ratio = ours_ms / alone_ms
    print(f"calendar: {EVENT_COUNT} events ({SERIES_COUNT} weekly series), {len(data) // 1024} KiB, "
          f"window {WINDOW_START_AT:%Y-%m-%d} + 120 days")
    print(f"{'step':<42} {'median ms':>10} {'result':>10}")
    print(f"{'(a) icalendar + recurring-ical-events':<42} {alone_ms:>10.1f} {occurrences:>10} occurrences")
    print(f"{'(b) read_busy_intervals':<42} {ours_ms:>10.1f} {intervals:>10} busy intervals")
    print(f"ratio b/a: {ratio:.2f} (target <= {TARGET_RATIO})")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
