"""Calendar import bench: our reader against icalendar + recurring-ical-events alone.

Run: ``python -m bench.import_bench`` (add ``--repeat N``). It builds a 2,000-event calendar with
100 weekly series (the rest one-off meetings, a few all-day days, Windows and IANA zones, moved
and cancelled instances), then times, over a 120-day window:

(a) the libraries alone: ``Calendar.from_ical`` + ``recurring_ical_events.of(...).between(...)``;
(b) ``read_busy_intervals``: the same work plus zone isolation, checks and the busy rules;
(c) file to database: ``import_calendar_file`` replacing the source's busy blocks in a migrated
    SQLite file, committed (the window there is the service's own: 1 day back, 120 ahead).

It prints the median milliseconds of each and the ratios b/a and c/a (target: at most 1.5).
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


def file_to_database(data: bytes):
    """Return a callable that imports *data* into a fresh SQLite database and commits."""
    import tempfile
    from pathlib import Path

    from flask_migrate import upgrade

    from scheduler import create_app
    from scheduler.extensions import db
    from scheduler.models import CalendarSource, InterviewerProfile, Office, Requisition, StageTemplate, User
    from scheduler.services.calendars import import_calendar_file

    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
                      "SECRET_KEY": "bench"})
    context = app.app_context()
    context.push()
    upgrade()
    now = WINDOW_START_AT + timedelta(days=1)
    office = Office(code="BJ", name_zh="北京", name_en="Beijing", zone="Asia/Shanghai",
                    calendar_key="CN")
    user = User(email="bench@example.com", name="Bench", zone="Asia/Shanghai", created_at=now)
    interviewer = InterviewerProfile(user=user, office=office, lock_version=0)
    # The service reads the longest open stage horizon plus a margin: 106 + 14 = 120 days.
    requisition = Requisition(title_zh="基准", title_en="Bench", levels=[])
    requisition.stages = [StageTemplate(position=1, name_zh="面试", name_en="Interview",
                                        kind="system_design", mode="video", horizon_days=106)]
    db.session.add_all([interviewer, requisition])
    db.session.commit()
    state = {"source": None}

    def run() -> int:
        outcome = import_calendar_file(user, interviewer, "bench.ics", data, now,
                                       source=state["source"])
        db.session.commit()
        state["source"] = db.session.get(CalendarSource, outcome.source.id)
        return outcome.block_count

    return run


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
    store = file_to_database(data)
    occurrences, intervals, stored = libraries_alone(data), our_reader(data), store()
    medians = time_interleaved({"alone": lambda: libraries_alone(data), "ours": lambda: our_reader(data),
                                "store": store}, args.repeat)
    alone_ms, ours_ms, store_ms = medians["alone"], medians["ours"], medians["store"]
    ratio, store_ratio = ours_ms / alone_ms, store_ms / alone_ms
    print(f"calendar: {EVENT_COUNT} events ({SERIES_COUNT} weekly series), {len(data) // 1024} KiB, "
          f"window {WINDOW_START_AT:%Y-%m-%d} + 120 days")
    print(f"{'step':<42} {'median ms':>10} {'result':>10}")
    print(f"{'(a) icalendar + recurring-ical-events':<42} {alone_ms:>10.1f} {occurrences:>10} occurrences")
    print(f"{'(b) read_busy_intervals':<42} {ours_ms:>10.1f} {intervals:>10} busy intervals")
    print(f"{'(c) file to database (import_calendar_file)':<42} {store_ms:>10.1f} {stored:>10} busy blocks")
    print(f"ratio b/a: {ratio:.2f}; c/a: {store_ratio:.2f} (target <= {TARGET_RATIO})")
    return 0 if max(ratio, store_ratio) <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
