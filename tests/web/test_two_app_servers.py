"""Bookings raced across two app servers (issue 26, item 1).

Two gunicorn instances (bench/app_server.py: the production command's ``wsgi:app``, settings by
environment, two gthread workers each) on two loopback ports serve one PostgreSQL schema and count
their rate limits in one Redis under this module's own key prefix, behind one trusted proxy hop
(each candidate sends their own address), at the suite's frozen instant. Twelve candidates hold
links to one stage whose panel is the same two interviewers; each opens their page and the
confirm step as a browser does, half on each server, then all post at once, released by a
barrier: six for two overlapping times (one seat), six for a later time (another seat).

Exactly one booking wins each seat; every loser gets the page's friendly "just taken" answer
with fresh times (409, never a 5xx); no interviewer holds overlapping active seats; every
booking has its invitations in the outbox; and the limits were counted in Redis.
"""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from bench.app_server import AppServer, serving
from bench.booking_checks import missing_invites, overlapping_seats, scheduled_interviews
from bench.candidate_client import Browser, Candidate, offered_times
from scheduler.services.links import create_link
from scheduler.timeutil import parse_instant
from tests import factories as f
from tests.clock import NOW
from tests.dbutil import REDIS_URL, TEST_DATABASE_URL, subprocess_environment
from tests.services.booking_setup import booking_world

# Run while no other test does (tests/alone.py): two gunicorn servers and racing clients.
pytestmark = [pytest.mark.alone, pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="the two-server race needs PostgreSQL: set TEST_DATABASE_URL (CI does)")]

ROOT = Path(__file__).resolve().parents[2]
PER_SEAT = 6
TAKEN_TEXT = "Sorry, that time was just taken."


def _candidates_with_links(db) -> list[str]:
    """Two Beijing interviewers, one stage needing both; 2 × PER_SEAT candidates (reading
    English) with a link each. Return the tokens."""
    _, requisition, applications = booking_world(interviewers=2, panel_size=2,
                                                 applications=2 * PER_SEAT)
    coordinator = f.make_user(roles=("coordinator",), language="en")
    tokens = []
    for application in applications:
        application.candidate.language = "en"
        _, token = create_link(coordinator, application, requisition.stages[:1], 0,
                               NOW + timedelta(days=7), NOW)
        tokens.append(token)
    db.session.commit()
    return tokens


def _two_seats(offered: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Pick two contested seats by property from the times offered: the first time whose
    half-hour later start is offered too (both times, overlapping: one seat), and the first time
    at least three hours after it (clear of it and its buffers: another seat)."""
    by_start = {parse_instant(start): (path, start) for path, start in offered}
    first = next(s for s in sorted(by_start) if s + timedelta(minutes=30) in by_start)
    later = next(s for s in sorted(by_start) if s >= first + timedelta(hours=3))
    return [[by_start[first], by_start[first + timedelta(minutes=30)]], [by_start[later]]]


def _environment(database_config: dict, prefix: str, folder: Path) -> dict:
    return subprocess_environment(database_config) | {
        "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
        "TRUSTED_PROXY_HOPS": "1", "BASE_URL": "http://localhost",
        "INSTANCE_PATH": str(folder), "MAIL_DIR": str(folder / "mail")}


@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_bookings_raced_across_two_app_servers(app, db, database_config, redis_prefix, tmp_path):
    tokens = _candidates_with_links(db)
    db.session.remove()
    environment = _environment(database_config, redis_prefix, tmp_path)
    with serving(AppServer(ROOT, environment, workers=2),
                 AppServer(ROOT, environment, workers=2)) as (one, two):
        candidates = [Candidate(Browser((one, two)[n % 2].base_url, f"198.51.100.{n + 1}"), token)
                      for n, token in enumerate(tokens)]
        pages = [candidate.open_page() for candidate in candidates]
        assert [page.status for page in pages] == [200] * len(candidates)
        offered = offered_times(pages[0].text)
        seats = _two_seats(offered)
        # Half of each seat's candidates on each server (candidates alternate servers).
        chosen = [(seat, seats[seat][n % len(seats[seat])])
                  for seat in range(2) for n in range(PER_SEAT)]
        for candidate, page, (_, (_, start)) in zip(candidates, pages, chosen):
            own = {start: path for path, start in offered_times(page.text)}
            assert candidate.confirm(own[start]).status == 200
            assert candidate.form["start"] == start and not candidate.is_consent_asked

        barrier = threading.Barrier(len(candidates))
        results: list = [None] * len(candidates)

        def race(index: int) -> None:
            barrier.wait(timeout=30)
            results[index] = candidates[index].book()

        threads = [threading.Thread(target=race, args=(n,)) for n in range(len(candidates))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for candidate in candidates:
            candidate.browser.close()
        logs = one.log_text() + two.log_text()

    assert all(result is not None for result in results), "a booking thread did not finish"
    assert "Traceback" not in logs, logs[-3000:]
    for seat in range(2):
        outcomes = Counter(results[n][0].kind for n, (s, _) in enumerate(chosen) if s == seat)
        assert outcomes == {"booked": 1, "taken": PER_SEAT - 1}, (seat, results)
    for outcome, answer in results:
        if outcome.kind == "taken":
            # The friendly answer: the link's page again, saying so, with the times free now.
            assert answer.status == 409 and TAKEN_TEXT in answer.text
            assert offered_times(answer.text)
    connection = db.session.connection()
    assert scheduled_interviews(connection) == 2
    assert overlapping_seats(connection) == []
    assert missing_invites(connection) == []
    # The limits were counted in the shared Redis, under this test's prefix.
    client = redis.Redis.from_url(REDIS_URL)
    assert list(client.scan_iter(match=f"*{redis_prefix}*"))
    client.close()
