"""The overview's figures (services/pipeline_stats.py) on the small opening of
tests/pipeline_setup.py, each figure equal to the value worked out by hand there; on both
databases. And the overview reads in the same number of statements for few and many applications.
"""
from __future__ import annotations

import pytest

from scheduler.domain.availability import local_date
from scheduler.domain.intervals import to_epoch
from scheduler.models import Requisition, User
from scheduler.services.permissions import NotAllowed
from scheduler.services.pipeline_stats import PipelineStatsRefused, build_pipeline_overview
from tests import factories as f
from tests.clock import BEIJING, monday_of
from tests.pipeline_setup import (
    DAY, END, FIRST_DAY, HOUR, LAST_DAY, START, T, build_opening, decide, held,
)
from tests.services.test_find_slots_queries import counted_statements


@pytest.fixture
def opening(db, now):
    world = build_opening(db, now)
    return world.requisition, world.coordinator, world.p1, world.p2


def _weeks(instants, zone):
    counts = {}
    for instant in instants:
        week = monday_of(local_date(zone, to_epoch(instant)))
        counts[week] = counts.get(week, 0) + 1
    return counts


def test_every_figure_equals_the_hand_worked_value(app, db, now, opening):
    requisition, coordinator, p1, p2 = opening
    result = build_pipeline_overview(coordinator, requisition, start_at=START, end_at=END,
                                     now=now)
    stats = result.stats
    # Funnel: a1-a4 reached the phone screen (4), a2-a4 the system design (3), a4 alone the HR
    # final and the offer stage (1, 1), and a4 has the offer (1).
    assert [step.reached for step in stats.funnel] == [4, 3, 1, 1, 1]
    assert [step.conversion for step in stats.funnel] == [None, 3 / 4, 1 / 3, 1, 1]
    assert [step.share for step in stats.funnel] == [1, 3 / 4, 1 / 4, 1 / 4, 1 / 4]
    assert [step.stage_id for step in stats.funnel] == [s.id for s in requisition.stages] + [None]

    # Link to booking: 3 h, 24 h, 54 h; median 24 h, p90 the 3rd. Sent in the period: 3.
    timing = stats.link_to_booking
    assert timing.durations.values == (3 * HOUR, 24 * HOUR, 54 * HOUR)
    assert (timing.durations.median, timing.durations.p90) == (24 * HOUR, 54 * HOUR)
    assert (timing.sent, timing.waiting) == (3, 1)

    # Interview to decision: 6 h (a3) and 24 h (a2); median 15 h, p90 the 2nd.
    delays = stats.interview_to_decision
    assert delays.values == (6 * HOUR, 24 * HOUR)
    assert (delays.median, delays.p90) == (15 * HOUR, 24 * HOUR)

    # Feedback: p1 on a2 on time; p1 late and p2 missing on a3; p2 on a1 not due yet.
    assert (stats.feedback.on_time, stats.feedback.late, stats.feedback.not_due) == (1, 2, 1)

    # Offers: a4 within, a6 late, none without a clock; a5's clock ran out with no offer.
    offers = stats.offers
    assert (offers.within, offers.late, offers.without_clock, offers.missed) == (1, 1, 0, 1)

    # Load: p1 sat at T(2, 10), T(2, 12), T(2, 14) (two of another opening) and T(5, 2), in
    # Beijing weeks; p2 at T(5, 2) and now - 3 h, in London weeks. The inactive interviewer
    # without seats is not listed.
    weeks = stats.load.weeks
    assert weeks[0] == monday_of(FIRST_DAY) and weeks[-1] == monday_of(LAST_DAY)
    rows = {row.interviewer_id: row for row in stats.load.rows}
    assert set(rows) == {p1.id, p2.id}
    p1_weeks = _weeks([T(2, 10), T(2, 12), T(2, 14), T(5, 2)], BEIJING)
    p2_weeks = _weeks([T(5, 2), now - 3 * HOUR], "Europe/London")
    assert rows[p1.id].counts == tuple(p1_weeks.get(week, 0) for week in weeks)
    assert rows[p2.id].counts == tuple(p2_weeks.get(week, 0) for week in weeks)
    assert rows[p1.id].weeks_over == sum(1 for n in p1_weeks.values() if n > 2) >= 1
    assert (rows[p2.id].weekly_cap, rows[p2.id].weeks_over) == (None, 0)
    assert result.interviewers[p2.id].zone == "Europe/London"


def test_interviewers_are_refused_and_a_backwards_period_too(app, db, now, opening):
    requisition, coordinator, p1, _p2 = opening
    with pytest.raises(NotAllowed):
        build_pipeline_overview(p1.user, requisition, start_at=START, end_at=END, now=now)
    with pytest.raises(PipelineStatsRefused) as refused:
        build_pipeline_overview(coordinator, requisition, start_at=END, end_at=START, now=now)
    assert refused.value.code == "period_order"
    with pytest.raises(PipelineStatsRefused) as refused:
        build_pipeline_overview(coordinator, requisition, start_at=START - 400 * DAY,
                                end_at=END, now=now)
    assert refused.value.code == "period_too_long"


def test_the_overview_reads_the_same_statements_for_few_and_many(app, db, now, opening):
    requisition_id, coordinator_id = opening[0].id, opening[1].id

    def add(count):
        requisition = db.session.get(Requisition, requisition_id)
        s1, s2 = requisition.stages[:2]
        coordinator = db.session.get(User, coordinator_id)
        for n in range(count):
            person = f.make_interviewer()
            application = f.make_application(requisition=requisition, created_at=T(1),
                                             current_stage=s2)
            f.make_link(application, stages=[s1], created_at=T(1), booked_at=T(1, 1))
            held(application, s1, [person], T(2, 9 + n % 8), submitted=[(person, T(2, 20))])
            decide(application, s1, "advance", T(3), coordinator)

    def measure():
        db.session.commit()
        db.session.expunge_all()
        requisition = db.session.get(Requisition, requisition_id)
        coordinator = db.session.get(User, coordinator_id)
        with counted_statements(db) as statements:
            build_pipeline_overview(coordinator, requisition, start_at=START, end_at=END,
                                    now=now)
        return len(statements)

    add(1)
    few = measure()
    add(10)
    assert measure() == few
