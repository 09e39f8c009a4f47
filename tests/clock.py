"""The suite's one frozen instant, `NOW`: TEST_NOW when set, else Monday 2026-11-30 01:00 UTC.

Every test, the app under test (FROZEN_NOW), the live server of the browser tests, child
processes and the demo they load run at this instant, so the suite means the same thing at any
hour of any day. `TEST_NOW=2026-09-30T15:30:00Z python3 dev.py test` runs it at another one.
"""
from __future__ import annotations

import os

from scheduler.timeutil import freeze_clock, parse_instant

DEFAULT_TEST_NOW = "2026-11-30T01:00:00Z"  # a Monday, 09:00 in Beijing
NOW = parse_instant(os.environ.get("TEST_NOW") or DEFAULT_TEST_NOW)

# This process is the test process: code under test that reads utc_now() gets NOW.
freeze_clock(NOW)
