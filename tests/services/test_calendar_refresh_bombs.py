"""The refresh job with a calendar bomb among good subscriptions (issue 21, item 1).

Three subscriptions served by the loopback HTTP server are read once; then two change and one
turns into a bomb. The job (`scheduler.jobs.refresh_calendars`) finishes, the good ones carry
their new busy time, and the bad one keeps its previous blocks and shows why. First the reader's
own estimate refuses the bomb; then, with that guard loosened, the job's backstop (each source read
in a child process with a deadline and a memory cap) stops it.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler import jobs
from scheduler.calendars import ImportLimits
from scheduler.extensions import db
from scheduler.models import BusyBlock, CalendarSource
from scheduler.services.calendars import add_calendar_url, source_problem
from tests import factories as f
from tests.calendar_bombs import build_bombs, calendar
from tests.helpers_servers import Route, StaticHTTPServer

# Run while no other test does (tests/alone.py): a reader's deadline on the real clock, and
# children using up to their memory cap.
pytestmark = pytest.mark.alone

BOMBS = build_bombs()
# The estimate is loosened so that only the backstop can stop the bomb.
UNGUARDED = {"max_expanded_occurrences": 10**15, "max_occurrences": 10**12}


def meeting(summary: str, start_at) -> bytes:
    stamp = "%Y%m%dT%H%M%SZ"
    return calendar(f"UID:{summary}\r\nSUMMARY:{summary}\r\nDTSTART:{start_at:{stamp}}\r\n"
                    f"DTEND:{start_at + timedelta(hours=1):{stamp}}")


def summaries(source) -> list[str]:
    return list(db.session.scalars(sa.select(BusyBlock.summary).where(BusyBlock.source_id == source.id)))


@pytest.fixture
def feeds(app, db, now):
    """Three subscriptions of one interviewer, read once: "a", "b" (the one to go bad) and "c"."""
    app.config["CALENDAR_ALLOW_PRIVATE_URLS"] = True  # the test server is on loopback
    interviewer = f.make_interviewer()
    routes = {f"/{name}.ics": Route(body=meeting(f"{name} before", now + timedelta(days=2))) for name in "abc"}
    with StaticHTTPServer(routes) as server:
        sources = {name: add_calendar_url(interviewer.user, interviewer, server.url(f"/{name}.ics"), now,
                                          name=name).source for name in "abc"}
        db.session.commit()
        yield server, sources


def turn_bad(server, bomb: str, now) -> None:
    for name in "ac":
        server.routes[f"/{name}.ics"] = Route(body=meeting(f"{name} after", now + timedelta(days=3)))
    server.routes["/b.ics"] = Route(body=BOMBS[bomb][0])


def assert_refreshed_around_the_bomb(sources, result, later, code: str):
    assert result == {"refreshed": 2, "failed": 1}
    db.session.expire_all()
    assert summaries(sources["a"]) == ["a after"] and summaries(sources["c"]) == ["c after"]
    bad = db.session.get(CalendarSource, sources["b"].id)
    assert summaries(bad) == ["b before"]  # the previous blocks are kept
    problem = source_problem(bad)
    assert problem.code == code and bad.last_error_at == later
    assert problem.message()  # shown on the page in the reader's language
    return problem


def test_a_bomb_among_good_subscriptions_is_refused_and_the_others_refreshed(db, now, feeds):
    server, sources = feeds
    turn_bad(server, "vtimezone_secondly", now)
    later = now + timedelta(minutes=15)
    problem = assert_refreshed_around_the_bomb(sources, jobs.refresh_calendars(later), later,
                                               "zone_changes_too_often")
    assert '"Bomb Seconds"' in problem.message()


@pytest.mark.parametrize("db_backend", ["sqlite"])  # the child process, not the database, is under test
def test_the_backstop_stops_a_read_that_outlives_its_deadline(app, db, now, feeds):
    server, sources = feeds
    # Walked day by day towards the year 9999 (some ten seconds) once the estimate lets it through.
    turn_bad(server, "never_matches_after_1970", now)
    app.config["CALENDAR_LIMITS"] = ImportLimits(reader_deadline_seconds=2, **UNGUARDED)
    later = now + timedelta(minutes=15)
    problem = assert_refreshed_around_the_bomb(sources, jobs.refresh_calendars(later), later,
                                               "read_timed_out")
    assert problem.message() == "Reading the calendar took longer than 2 seconds and was stopped."


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_the_backstop_stops_a_read_that_outgrows_its_memory_cap(app, db, now, feeds):
    server, sources = feeds
    # Sixty thousand dates parse into far more than the cap; the small calendars fit under it.
    turn_bad(server, "many_rdates", now)
    app.config["CALENDAR_LIMITS"] = ImportLimits(reader_memory_bytes=80_000_000, **UNGUARDED)
    later = now + timedelta(minutes=15)
    problem = assert_refreshed_around_the_bomb(sources, jobs.refresh_calendars(later), later,
                                               "read_out_of_memory")
    assert problem.message() == "Reading the calendar needed more than 80 MB of memory and was stopped."
