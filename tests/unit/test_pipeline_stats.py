"""The overview's maths (scheduler/domain/pipeline_stats.py) on a fixed data set whose figures are
worked out by hand in the comments beside it.

The domain takes `now` and the period as arguments and reads no clock, so these tests use fixed
instants: a four-week period from Wednesday 2026-03-04 00:00 in Beijing (so the weeks that
overlap it run from Monday 03-02 to Monday 03-30, five of them) across the UK's clock change on
Sunday 2026-03-29.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from scheduler.domain.pipeline_stats import (
    ApplicationFact, DecisionFact, FeedbackDueFact, InterviewerFact, InterviewFact, LinkFact,
    Period, SeatFact, StageFact, decision_delays, durations, feedback_on_time, funnel,
    link_timing, load, nearest_rank, offers_within_sla, period_weeks, pipeline_stats,
)

BEIJING, LONDON = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/London")
START = datetime(2026, 3, 4, tzinfo=BEIJING).astimezone(timezone.utc)
END = START + timedelta(days=28)               # Wednesday 2026-04-01 00:00 in Beijing
NOW = END - timedelta(hours=4)
PERIOD = Period(START, END)
H, D = timedelta(hours=1), timedelta(days=1)
BEFORE = START - 30 * D

STAGES = [StageFact(13, 3), StageFact(11, 1), StageFact(14, 4), StageFact(12, 2)]

APPLICATIONS = [
    ApplicationFact(1, START, "active", 1),                  # the first instant counts
    ApplicationFact(2, START + D, "rejected", 2),
    ApplicationFact(3, START + 2 * D, "on_hold", 3),
    ApplicationFact(4, START + 3 * D, "offer", 4, offer_due_at=START + 10 * D),
    ApplicationFact(5, START + 4 * D, "active", 4, offer_due_at=START + 20 * D),  # missed
    ApplicationFact(6, END, "active", 4),                    # the end is outside: not counted
    ApplicationFact(7, START + 5 * D, "active", None),       # no stage: reaches nothing
    # Older applications: outside the cohort, inside the offer figures.
    ApplicationFact(8, BEFORE, "offer", 4, offer_due_at=START + 14 * D),
    ApplicationFact(9, BEFORE, "offer", 4),
    ApplicationFact(10, BEFORE, "offer", 4, offer_due_at=END + D),
    ApplicationFact(11, BEFORE, "on_hold", 4, offer_due_at=END - H),   # runs out after now
    ApplicationFact(12, BEFORE, "rejected", 4, offer_due_at=START + 20 * D),  # closed
    ApplicationFact(13, BEFORE, "active", 4, offer_due_at=START - H),  # before the period
]


def test_funnel_counts_the_cohort_at_each_stage_and_its_conversion():
    steps = funnel(STAGES, APPLICATIONS, PERIOD)
    # Cohort: 1, 2, 3, 4, 5, 7. Stage 1: 1-5 (5); 2: 2-5 (4); 3: 3-5 (3); 4: 4, 5 (2);
    # offer made: 4 (1).
    assert [(s.stage_id, s.reached) for s in steps] == [
        (11, 5), (12, 4), (13, 3), (14, 2), (None, 1)]
    assert [s.conversion for s in steps] == [None, 4 / 5, 3 / 4, 2 / 3, 1 / 2]
    assert [s.share for s in steps] == [1, 4 / 5, 3 / 5, 2 / 5, 1 / 5]


def test_funnel_after_an_empty_step_has_no_conversion():
    steps = funnel([StageFact(1, 1), StageFact(2, 2)],
                   [ApplicationFact(1, START, "active", None)], PERIOD)
    assert [(s.reached, s.conversion, s.share) for s in steps] == [
        (0, None, None), (0, None, None), (0, None, None)]


LINKS = [
    LinkFact(START + D, START + D + 2 * H),                  # 2 h
    LinkFact(START - 2 * D, START + D),                      # sent before, booked in: 72 h
    LinkFact(START + 3 * D, START + 3 * D + H / 2),          # 30 min
    LinkFact(START + 5 * D, None),                           # waiting
    LinkFact(START + 10 * D, START + 10 * D + 10 * H),       # 10 h
    LinkFact(START - 10 * D, START - 9 * D),                 # wholly before: not counted
]


def test_link_to_booking_median_and_p90():
    timing = link_timing(LINKS, PERIOD)
    # Booked in the period: 0.5, 2, 10, 72 hours. Median (2 + 10) / 2 = 6 h; p90: the
    # ⌈0.9 × 4⌉ = 4th = 72 h. Sent in the period: 4, of which 1 is not booked.
    assert timing.durations.values == (H / 2, 2 * H, 10 * H, 72 * H)
    assert timing.durations.median == 6 * H
    assert timing.durations.p90 == 72 * H
    assert (timing.sent, timing.waiting) == (4, 1)


INTERVIEWS = [
    InterviewFact(1, 11, START + D),
    InterviewFact(1, 11, START + D + 5 * H),                 # the last before D1
    InterviewFact(2, 12, START + 3 * D + 12 * H),
    InterviewFact(3, 13, START + 4 * D),
    InterviewFact(4, 13, START + 8 * D),                     # another stage than D5's
    InterviewFact(1, 12, START + 13 * D),                    # after D7
]
DECISIONS = [
    DecisionFact(1, 11, "advance", START + 2 * D),           # 19 h after the last interview
    DecisionFact(2, 12, "reject", START + 4 * D),            # 12 h
    DecisionFact(3, 13, "hold", START + 5 * D),              # judges nothing: left out
    DecisionFact(3, 13, "advance", START + 8 * D),           # 96 h
    DecisionFact(4, 14, "offer", START + 9 * D),             # no interview at the offer stage
    DecisionFact(5, 12, "advance", START - H),               # before the period
    DecisionFact(1, 12, "advance", START + 12 * D),          # its interview comes later
    DecisionFact(8, 14, "offer", START + 15 * D),            # late: due at START + 14 d
    DecisionFact(9, 14, "offer", START + 16 * D),            # no clock
    DecisionFact(10, 14, "offer", END),                      # after the period
]


def test_interview_to_decision_from_the_last_interview_before_it():
    delays = decision_delays(DECISIONS, INTERVIEWS, PERIOD)
    # 12 h, 19 h, 96 h: the median is 19 h, p90 the ⌈2.7⌉ = 3rd, 96 h.
    assert delays.values == (12 * H, 19 * H, 96 * H)
    assert (delays.median, delays.p90) == (19 * H, 96 * H)


def test_offers_within_the_sla_and_clocks_missed():
    offers = offers_within_sla(APPLICATIONS, DECISIONS, PERIOD, NOW)
    # Within: 4 (day 9, due day 10). Late: 8. No clock: 9. Missed: 5 only (11 runs out after
    # now, 12 is closed, 13 ran out before the period).
    assert (offers.within, offers.late, offers.without_clock, offers.missed) == (1, 1, 1, 1)
    assert (offers.made, offers.rate) == (3, 0.5)


def _seat(interviewer_id, day, clock, zone):
    hour, minute = clock
    return SeatFact(interviewer_id, datetime(*day, hour, minute, tzinfo=zone))


INTERVIEWERS = [InterviewerFact(1, "Asia/Shanghai", 2), InterviewerFact(2, "Europe/London", None),
                InterviewerFact(3, "Asia/Shanghai", 1)]
SEATS = [
    _seat(1, (2026, 3, 1), (10, 0), BEIJING),               # Sunday: the week before, left out
    _seat(1, (2026, 3, 2), (10, 0), BEIJING),               # week of 03-02: 3 (over the cap 2)
    _seat(1, (2026, 3, 3), (10, 0), BEIJING),
    _seat(1, (2026, 3, 4), (10, 0), BEIJING),
    _seat(1, (2026, 3, 9), (10, 0), BEIJING),               # week of 03-09: 2 (at the cap)
    _seat(1, (2026, 3, 15), (20, 0), BEIJING),
    _seat(1, (2026, 3, 27), (10, 0), BEIJING),              # week of 03-23: 1
    # Sunday 23:30 in London is Monday 07:30 in Beijing: the interviewer's own week counts.
    _seat(2, (2026, 3, 8), (23, 30), LONDON),
    _seat(2, (2026, 3, 30), (9, 0), LONDON),                # after the clock change (BST)
    _seat(99, (2026, 3, 10), (10, 0), BEIJING),             # not one of the interviewers
]


def test_weeks_that_overlap_the_period_on_the_viewers_calendar():
    assert period_weeks(PERIOD, "Asia/Shanghai") == (
        date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23),
        date(2026, 3, 30))
    # The same instants in London start on Tuesday 03-03 16:00 and end on Tuesday 03-31 17:00.
    assert period_weeks(PERIOD, "Europe/London")[0] == date(2026, 3, 2)


def test_load_counts_seats_per_interviewer_week_against_the_cap():
    result = load(INTERVIEWERS, SEATS, PERIOD, "Asia/Shanghai")
    rows = {row.interviewer_id: row for row in result.rows}
    assert rows[1].counts == (3, 2, 0, 1, 0)
    assert (rows[1].weeks_over, rows[1].weeks_at, rows[1].total, rows[1].peak) == (1, 1, 6, 3)
    assert rows[2].counts == (1, 0, 0, 0, 1)
    assert (rows[2].weekly_cap, rows[2].weeks_over, rows[2].weeks_at) == (None, 0, 0)
    assert rows[3].counts == (0, 0, 0, 0, 0)
    assert (rows[3].weeks_over, rows[3].weeks_at, rows[3].peak) == (0, 0, 0)


FEEDBACK_DUE = [
    FeedbackDueFact(START + D, START + D - H),              # on time
    FeedbackDueFact(START + 2 * D, START + 2 * D),          # on time: by the due time
    FeedbackDueFact(START + 3 * D, START + 3 * D + timedelta(seconds=1)),  # late
    FeedbackDueFact(START + 4 * D, None),                   # missing past due: late
    FeedbackDueFact(END - H, None),                         # due after now: not counted
    FeedbackDueFact(END - 2 * H, NOW - H),                  # due after now, already in: on time
    FeedbackDueFact(START - timedelta(seconds=1), None),    # due before the period
    FeedbackDueFact(END, START),                            # due at the end: outside
]


def test_feedback_on_time_rate():
    result = feedback_on_time(FEEDBACK_DUE, PERIOD, NOW)
    assert (result.on_time, result.late, result.not_due) == (3, 2, 1)
    assert (result.counted, result.rate) == (5, 0.6)


def test_everything_together():
    stats = pipeline_stats(
        period=PERIOD, now=NOW, zone="Asia/Shanghai", stages=STAGES, applications=APPLICATIONS,
        links=LINKS, decisions=DECISIONS, interviews=INTERVIEWS, interviewers=INTERVIEWERS,
        seats=SEATS, feedback_due=FEEDBACK_DUE)
    assert [s.reached for s in stats.funnel] == [5, 4, 3, 2, 1]
    assert stats.link_to_booking.durations.median == 6 * H
    assert stats.interview_to_decision.median == 19 * H
    assert len(stats.load.weeks) == 5
    assert stats.feedback.rate == 0.6
    assert stats.offers.rate == 0.5


@pytest.mark.parametrize("values, median, p90", [
    ([], None, None),
    ([5], 5, 5),
    ([3, 1], 2, 3),                                  # the ⌈1.8⌉ = 2nd
    ([4, 1, 3, 2, 5, 6, 7, 8, 9, 10], 5.5, 9),       # the ⌈9⌉ = 9th
    ([1] * 10 + [100], 1, 1),                        # the ⌈9.9⌉ = 10th of eleven is a 1
    ([1] * 8 + [100, 100], 1, 100),                  # the ⌈9⌉ = 9th of ten is a 100
    (list(range(1, 71)), 35.5, 63),                  # the ⌈63⌉ = 63rd, exactly (no float creep)
])
def test_median_and_nearest_rank_p90(values, median, p90):
    result = durations(timedelta(hours=v) for v in values)
    assert result.median == (None if median is None else timedelta(hours=median))
    assert result.p90 == (None if p90 is None else timedelta(hours=p90))


def test_nearest_rank_is_a_value_of_the_list():
    assert nearest_rank([], 0.9) is None
    assert nearest_rank([1, 2, 3], Fraction(0)) == 1
    assert nearest_rank([1, 2, 3], Fraction(1)) == 3
