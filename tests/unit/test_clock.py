"""One clock: only scheduler/timeutil.py reads it, FROZEN_NOW freezes it (never in production),
and a request reads it once."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from scheduler import create_app, timeutil
from scheduler.config import ConfigError
from tests.clock import NOW

ROOT = Path(__file__).resolve().parents[2]
# Reading the wall clock for business time; time.perf_counter() and monotonic() measure speed.
WALL_CLOCK = re.compile(r"\b(datetime|date)\.(now|utcnow|today)\(|\btime\.time\(\)")


def _sources():
    for folder in ("scheduler", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name != "timeutil.py" and path != Path(__file__).resolve():
                yield path


def test_nothing_but_timeutil_reads_the_wall_clock_not_even_tests_or_the_bench():
    readers = [f"{path.relative_to(ROOT)}:{number}"
               for path in _sources()
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if WALL_CLOCK.search(line)]
    assert readers == []


def test_the_suite_runs_frozen_at_now():
    assert timeutil.is_clock_frozen()
    assert timeutil.utc_now() == NOW


def test_frozen_now_is_parsed_with_its_zone_and_naive_values_are_refused():
    assert timeutil.parse_instant("2026-09-30T23:30:00+08:00") == datetime(
        2026, 9, 30, 15, 30, tzinfo=timezone.utc)
    assert timeutil.parse_instant("2026-12-31T23:30:00Z").tzinfo == timezone.utc
    with pytest.raises(ValueError, match="no zone"):
        timeutil.parse_instant("2026-12-31T23:30:00")
    with pytest.raises(ValueError):
        timeutil.freeze_clock(datetime(2026, 12, 31, 23, 30))


def test_the_app_refuses_to_start_with_a_frozen_clock_in_production():
    with pytest.raises(ConfigError, match="FROZEN_NOW must not be set in production"):
        create_app({"APP_ENV": "production", "SECRET_KEY": "s" * 40,
                    "SQLALCHEMY_DATABASE_URI": "sqlite://", "FROZEN_NOW": NOW.isoformat()})
    assert timeutil.utc_now() == NOW  # the refused app changed nothing


def test_a_frozen_app_freezes_its_process_and_a_request_reads_the_clock_once():
    later = NOW + timedelta(days=3)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test",
                      "FROZEN_NOW": later.isoformat().replace("+00:00", "Z")})
    try:
        from scheduler.web import request_now

        assert timeutil.utc_now() == later
        with app.test_request_context("/"):
            app.preprocess_request()
            first = request_now()
            timeutil.freeze_clock(later + timedelta(hours=1))  # the clock moves mid-request
            assert request_now() == first == later
        with app.test_request_context("/"):
            app.preprocess_request()
            assert request_now() == later + timedelta(hours=1)  # a new request reads it anew
    finally:
        timeutil.freeze_clock(NOW)
