"""The overview's figures (services/pipeline_stats.py) on a small opening built here, each figure
equal to the value worked out by hand beside the data; on both databases. And the overview reads
in the same number of statements for few and many applications.

The period is the coordinator's days from 20 days before today to tomorrow (Beijing), so that
everything placed "d days and h hours after its start" with d < 20 is in the past, and a due time
a day after now is still inside it, at any NOW.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.domain.availability import local_date
from scheduler.domain.intervals import to_epoch
from scheduler.models import Requisition, StageDecision, User
from scheduler.services.pipeline_stats import PipelineStatsRefused, build_pipeline_overview
from tests import factories as f
from tests.clock import BEIJING, at_local, local_today, monday_of
from tests.services.test_find_slots_queries import counted_statements

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
FIRST_DAY = local_today() - timedelta(days=20)
LAST_DAY = local_today() + timedelta(days=1)
START = at_local(FIRST_DAY, "00:00")
END = at_local(LAST_DAY + timedelta(days=1), "00:00")


def T(days, hours=0):
    """The instant *days* and *hours* after the period's start (Beijing has no DST)."""
    return START + days * DAY + hours * HOUR


def _decide(application, stage, outcome, at, by, **kw):
    return f._save(StageDecision(application=application, stage=stage, outcome=outcome,
                                 decided_at=at, decided_by_id=by.id, **kw))


def _held(application, stage, panel, start_at, submitted=()):
    interview = f.make_interview(application=application, stage=stage, panel=panel,
                                 start_at=start_at)
    for person, at in submitted:
        f.make_feedback(interview, person, submitted_at=at)
    return interview


@pytest.fixture
def opening(db, now):
    """The opening of the hand-worked figures; returns (requisition, coordinator, p1, p2)."""
    coordinator = f.make_user(roles=("coordinator",), zone=BEIJING)
    requisition = f.make_requisition(stages=[
        {"kind": "phone_screen", "name_en": "Phone screen", "feedback_due_hours": 24},
        {"kind": "system_design", "panel_size": 2, "feedback_due_hours": 48},
        {"kind": "hr_final", "name_en": "HR final"},
        {"kind": "offer", "name_en": "Offer", "panel_size": 0, "sla_days": 14}])
    s1, s2, _s3, s4 = requisition.stages
    p1 = f.make_interviewer(weekly_cap=2, qualifications={"phone_screen": "qualified"})
    london = f.make_office(zone="Europe/London", calendar_key="GB-ENG")
    p2 = f.make_interviewer(office=london)
    inactive = f.make_user(is_active=False)
    f.make_interviewer(user=inactive)                                # no seats: not listed

    # Funnel cohort (created in the period): a1 at s1, a2 at s2, a3 rejected at s2, a4 offer.
    a1 = f.make_application(requisition=requisition, created_at=T(1))
    a2 = f.make_application(requisition=requisition, created_at=T(2), current_stage=s2)
    a3 = f.make_application(requisition=requisition, created_at=T(3), current_stage=s2,
                            status="rejected")
    a4 = f.make_application(requisition=requisition, created_at=T(4), current_stage=s4,
                            status="offer", offer_due_at=T(18))
    # Older: a5's clock ran out in the period with no offer; a6's offer came a day late.
    a5 = f.make_application(requisition=requisition, created_at=START - 5 * DAY,
                            current_stage=s4, offer_due_at=T(10))
    a6 = f.make_application(requisition=requisition, created_at=START - 30 * DAY,
                            current_stage=s4, status="offer", offer_due_at=T(11))

    # Links: booked after 3 h, 24 h and 54 h (a5's was sent before the period); a3's waits.
    f.make_link(a1, created_at=T(1, 2), booked_at=T(1, 5))
    f.make_link(a2, stages=[s1], created_at=T(2), booked_at=T(3))
    f.make_link(a3, stages=[s2], created_at=T(3))
    f.make_link(a5, stages=[s1], created_at=START - 2 * DAY, booked_at=T(0, 6))
    f.make_link(a6, stages=[s1], created_at=START - 40 * DAY, booked_at=START - 39 * DAY)

    # Interviews, feedback and decisions.
    _held(a2, s1, [p1], T(2, 10), submitted=[(p1, T(3, 1))])        # due T(3, 11): on time
    _decide(a2, s1, "advance", T(3, 11), coordinator)               # 24 h after its end
    _held(a3, s2, [p1, p2], T(5, 2), submitted=[(p1, T(7, 5))])     # due T(7, 3): p1 late,
    _decide(a3, s2, "reject", T(5, 9), coordinator,                 # p2 missing; 6 h after
            reason_code="skills")
    _decide(a1, s1, "hold", T(6), coordinator)                      # a hold: not timed
    _decide(a4, s4, "offer", T(8), coordinator)                     # no interview; in time
    _decide(a6, s4, "offer", T(12), coordinator)                    # late (due T(11))
    # Held two hours ago: due in 22 h, inside the period, not submitted: not due yet.
    _held(a1, s1, [p2], now - 3 * HOUR)
    # Cancelled: its seats are freed; it counts nowhere.
    cancelled = f.make_interview(application=a2, stage=s2, panel=[p1, p2], start_at=T(9))
    cancelled.status = "cancelled"
    for seat in cancelled.assignments:
        seat.is_active = False
    # Another opening's interviews: they count toward p1's weekly load (a cap is across
    # openings) and nowhere else.
    other = f.make_requisition(title_en="Data Engineer", title_zh="数据工程师",
                               stages=[{"kind": "phone_screen", "feedback_due_hours": 24}])
    for hours in (12, 14):
        _held(f.make_application(requisition=other, created_at=T(1)), other.stages[0], [p1],
              T(2, hours))
    db.session.flush()
    return requisition, coordinator, p1, p2


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
    with pytest.raises(PipelineStatsRefused) as refused:
        build_pipeline_overview(p1.user, requisition, start_at=START, end_at=END, now=now)
    assert refused.value.code == "not_allowed"
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
            _held(application, s1, [person], T(2, 9 + n % 8), submitted=[(person, T(2, 20))])
            _decide(application, s1, "advance", T(3), coordinator)

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
