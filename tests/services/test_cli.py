"""Command-line entry points: calendar refresh and one-off job runs."""
from __future__ import annotations

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from scheduler.models import BusyBlock, CalendarSource
from tests import factories as f
from tests.clock import BEIJING, NOW


def _ics(instant) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


# A weekly one-hour meeting that began four weeks before NOW and goes on.
_FIRST = NOW - timedelta(weeks=4)
WEEKLY = f"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:weekly-1\r
DTSTAMP:{_ics(_FIRST - timedelta(days=1))}\r
DTSTART:{_ics(_FIRST)}\r
DTEND:{_ics(_FIRST + timedelta(hours=1))}\r
RRULE:FREQ=WEEKLY\r
SUMMARY:Team sync\r
END:VEVENT\r
END:VCALENDAR\r
""".encode()


def test_calendars_refresh_command_rereads_sources(app, db):
    interviewer = f.make_interviewer()
    f.make_calendar_source(interviewer, kind="file", name="team.ics", content=WEEKLY)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["calendars", "refresh"])
    assert result.exit_code == 0, result.output
    assert "refreshed: 1" in result.output
    blocks = db.session.scalars(sa.select(BusyBlock)).all()
    assert blocks and all(b.end_at - b.start_at == timedelta(hours=1) for b in blocks)
    assert db.session.scalars(sa.select(CalendarSource)).one().last_refreshed_at is not None


def test_jobs_run_once_refuses_unknown_names_and_naive_now(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["jobs", "run-once", "nonsense"]).exit_code != 0
    # `jobs run` takes job names too (a process for the outbox alone), and refuses unknown ones.
    result = runner.invoke(args=["jobs", "run", "send_outbox", "nonsense"])
    assert result.exit_code != 0 and "unknown job(s): nonsense" in result.output
    naive = NOW.astimezone(ZoneInfo(BEIJING)).replace(tzinfo=None).isoformat(timespec="minutes")
    result = runner.invoke(args=["jobs", "run-once", "send_outbox", "--now", naive])
    assert result.exit_code != 0 and "zone" in result.output
