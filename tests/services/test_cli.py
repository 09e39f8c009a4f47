"""Command-line entry points: calendar refresh and one-off job runs."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from scheduler.models import BusyBlock, CalendarSource
from tests import factories as f

WEEKLY = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:weekly-1\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261102T020000Z\r
DTEND:20261102T030000Z\r
RRULE:FREQ=WEEKLY\r
SUMMARY:Team sync\r
END:VEVENT\r
END:VCALENDAR\r
"""


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
    result = runner.invoke(args=["jobs", "run-once", "send_outbox", "--now", "2026-12-01T09:00"])
    assert result.exit_code != 0 and "zone" in result.output
