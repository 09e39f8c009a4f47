"""One candidate, several stages, overlapping times, different interviewers, released together
by a barrier: exactly one booking wins and the candidate holds no overlapping pair (issue 14
item 9). The interviewers' locks alone cannot see this race; the candidate's row lock does.

Runs on a SQLite file and on PostgreSQL (the `app` fixture's backends), in threads and in
processes, with the harness of test_booking_concurrency.py.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.extensions import db as _db
from scheduler.models import Application, Interview
from tests import factories as f
from tests.services.booking_setup import WORKDAY_10, booking_world
from tests.services.concurrency_worker import Attempt
from tests.services.test_booking_concurrency import (
    _assert_no_overlaps, _run_processes, _run_threads,
)

# Run while no other test does (tests/alone.py): threads and processes released together.
pytestmark = pytest.mark.alone

MIN = timedelta(minutes=1)
STAGES = [
    dict(kind="system_design", duration_minutes=60, panel_size=1, step_minutes=15,
         min_notice_minutes=0, horizon_days=14, is_looped_with_next=True),
    dict(kind="project_deep_dive", name_en="Project deep dive", name_zh="项目经验",
         duration_minutes=60, panel_size=1, step_minutes=15, min_notice_minutes=0,
         horizon_days=14),
]


def _two_stages_of_one_candidate():
    """Stage 1 with Alice at 10:00 and stage 2 with Bob at 10:30, for one candidate."""
    (alice, bob), requisition, [application] = booking_world(interviewers=2, stages=STAGES)
    design, deep_dive = requisition.stages
    return [Attempt(application.id, (design.id,), WORKDAY_10, ((alice.id,),)),
            Attempt(application.id, (deep_dive.id,), WORKDAY_10 + 30 * MIN, ((bob.id,),))]


def _four_stages_of_one_candidate():
    """Two applications of one candidate, two stages each: four interviewers, four times 15
    minutes apart, every pair overlapping."""
    people, requisition, [application] = booking_world(interviewers=4, stages=STAGES)
    other = f.make_requisition(title_en="Research Scientist", title_zh="研究科学家", stages=STAGES)
    second = f.make_application(candidate=application.candidate, requisition=other)
    _db.session.commit()
    pairs = [(application, s) for s in requisition.stages] + [(second, s) for s in other.stages]
    return [Attempt(app.id, (stage.id,), WORKDAY_10 + 15 * n * MIN, ((people[n].id,),))
            for n, (app, stage) in enumerate(pairs)]


SCENARIOS = {"two stages": _two_stages_of_one_candidate,
             "four stages, two applications": _four_stages_of_one_candidate}


def _assert_candidate_has_no_overlaps(db):
    rows = db.session.execute(
        sa.select(Application.candidate_id, Interview.start_at, Interview.end_at)
        .join(Application, Application.id == Interview.application_id)
        .where(Interview.status == Interview.SCHEDULED)
        .order_by(Application.candidate_id, Interview.start_at)).all()
    for (who, _, first_end), (other, second_start, _) in zip(rows, rows[1:]):
        assert who != other or first_end <= second_start, f"candidate {who} double-booked"


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("runner", ["threads", "processes"])
def test_one_candidate_gets_exactly_one_of_overlapping_bookings(app, db, database_config, now,
                                                                runner, scenario):
    attempts = SCENARIOS[scenario]()
    db.session.remove()
    if runner == "threads":
        outcomes = _run_threads(app, attempts, now)
    else:
        outcomes = _run_processes(database_config, attempts, now)
    assert Counter(outcomes) == {"booked": 1, "refused:candidate_busy": len(attempts) - 1}, \
        outcomes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interview)) == 1
    _assert_candidate_has_no_overlaps(db)
    _assert_no_overlaps(db)
