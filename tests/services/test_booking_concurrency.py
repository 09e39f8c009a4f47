"""Booking under concurrency: threads and processes released together; exactly one wins.

Runs on a SQLite file and on PostgreSQL (the `app` fixture's backends). After each race no
interviewer has two overlapping active assignments.
"""
from __future__ import annotations

import multiprocessing
import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import InterviewerAssignment
from tests.services.booking_setup import WORKDAY_10, booking_world
from tests.services.concurrency_worker import Attempt, attempt_booking, process_main

# Run while no other test does (tests/alone.py): many threads and processes released together.
pytestmark = pytest.mark.alone

MIN = timedelta(minutes=1)
THREADS = 16
PROCESSES = 4


def _overlap_scenario(count):
    """*count* candidates each book a 2-hour interview with Alice, 5 minutes apart."""
    (alice, *_), requisition, apps = booking_world(interviewers=1, duration=120, step=5,
                                                   applications=count)
    stage = requisition.stages[0]
    return [Attempt(a.id, (stage.id,), WORKDAY_10 + 5 * n * MIN, ((alice.id,),))
            for n, a in enumerate(apps)]


def _shared_panel_scenario(count):
    """Panels of two that all share Alice, each with a different second member."""
    (alice, *others), requisition, apps = booking_world(interviewers=count + 1, panel_size=2,
                                                        duration=120, step=5, applications=count)
    stage = requisition.stages[0]
    return [Attempt(a.id, (stage.id,), WORKDAY_10 + 5 * n * MIN, ((alice.id, others[n].id),))
            for n, a in enumerate(apps)]


def _loop_scenario(count):
    """Two loops that share Bob, in the second stage of one and the first stage of the other."""
    stages = [dict(kind="system_design", duration_minutes=60, panel_size=1, step_minutes=5,
                   min_notice_minutes=0, horizon_days=14),
              dict(kind="project_deep_dive", name_en="Project deep dive", duration_minutes=60,
                   panel_size=1, step_minutes=5, min_notice_minutes=0, horizon_days=14)]
    (alice, bob, carol, dave), requisition, apps = booking_world(interviewers=4, stages=stages,
                                                                 applications=count)
    ids = tuple(s.id for s in requisition.stages)
    patterns = [(WORKDAY_10, ((alice.id,), (bob.id,))),           # Bob 11:00-12:00
                (WORKDAY_10 + 30 * MIN, ((bob.id,), (carol.id,)))]  # Bob 10:30-11:30
    return [Attempt(a.id, ids, *patterns[n % 2]) for n, a in enumerate(apps)]


def _daily_cap_scenario(count):
    """Alice may do one interview a day; each candidate asks for a different hour."""
    (alice, *_), requisition, apps = booking_world(interviewers=1, daily_cap=1,
                                                   applications=count)
    stage = requisition.stages[0]
    return [Attempt(a.id, (stage.id,), WORKDAY_10 + 60 * (n % 7) * MIN, ((alice.id,),))
            for n, a in enumerate(apps)]


SCENARIOS = {
    "overlapping slots": (_overlap_scenario, THREADS),
    "panels sharing one interviewer": (_shared_panel_scenario, THREADS),
    "loops sharing an interviewer": (_loop_scenario, 2),
    "daily cap": (_daily_cap_scenario, 7),
}


def _run_threads(app, attempts, now):
    barrier = threading.Barrier(len(attempts))
    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(lambda a: attempt_booking(app, a, now, barrier), attempts))


def _run_processes(config, attempts, now):
    # fork: the children start with everything imported; each builds its own app and engine.
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(attempts))
    results = context.Queue()
    workers = [context.Process(target=process_main, args=(config, a, now, barrier, results))
               for a in attempts]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    return outcomes


def _assert_no_overlaps(db):
    seats = defaultdict(list)
    for seat in db.session.scalars(sa.select(InterviewerAssignment).where(
            InterviewerAssignment.is_active.is_(True))):
        seats[seat.interviewer_id].append((seat.start_at, seat.end_at))
    for interviewer_id, ranges in seats.items():
        ranges.sort()
        for (_, first_end), (second_start, _) in zip(ranges, ranges[1:]):
            assert first_end <= second_start, f"interviewer {interviewer_id} double-booked"


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("runner", ["threads", "processes"])
def test_exactly_one_booking_wins(app, db, database_config, now, scenario, runner):
    build, count = SCENARIOS[scenario]
    if runner == "processes":
        count = min(count, PROCESSES)
    attempts = build(count)
    db.session.remove()
    if runner == "threads":
        outcomes = _run_threads(app, attempts, now)
    else:
        outcomes = _run_processes(database_config, attempts, now)
    assert Counter(outcomes) == {"booked": 1, "taken": len(attempts) - 1}, outcomes
    _assert_no_overlaps(db)
