"""Calibration (domain/calibration.py): Krippendorff's alpha checked against Krippendorff's own
published example, the agreement per criterion over interview panels, and each interviewer's
score distribution, offset against their panels and on-time rate, worked out by hand."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest

from scheduler.domain.calibration import (
    MIN_CONSTANT_VALUES, MIN_PAIRABLE_UNITS, NO_PAIRABLE_VALUES, NO_VARIATION, NOT_ENOUGH_DATA,
    calibrate_interviewers, coincidences, criterion_agreement, krippendorff_alpha,
)
from scheduler.domain.scorecard import ScoreSheet
from tests.unit.test_scorecard import rubric

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the example with any number
# of observers and missing values: observers A-D, units 1-12 (None: the observer gave nothing).
_ = None
PUBLISHED = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    "C": [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
}
PUBLISHED_UNITS = [[v for v in unit if v is not None] for unit in zip(*PUBLISHED.values())]


def test_the_published_coincidence_matrix():
    matrix, pairable = coincidences(PUBLISHED_UNITS)
    # Unit 12 has one value and drops out: 11 pairable units, 40 pairable values. Unit 6 alone
    # (1, 2, 3, 4 from four observers) adds 1/3 to every off-diagonal pair of 1-4.
    assert pairable == 11
    f = Fraction
    assert matrix == {
        (1, 1): 7, (1, 2): f(4, 3), (1, 3): f(1, 3), (1, 4): f(1, 3),
        (2, 1): f(4, 3), (2, 2): 10, (2, 3): f(4, 3), (2, 4): f(1, 3),
        (3, 1): f(1, 3), (3, 2): f(4, 3), (3, 3): 8, (3, 4): f(1, 3),
        (4, 1): f(1, 3), (4, 2): f(1, 3), (4, 3): f(1, 3), (4, 4): 4,
        (5, 5): 3,
    }
    marginals = {c: sum(o for (row, _k), o in matrix.items() if row == c) for c in range(1, 6)}
    assert marginals == {1: 9, 2: 13, 3: 10, 4: 5, 5: 3}      # n = 40


@pytest.mark.parametrize("metric, published", [
    # Nominal by hand: 1 - (n-1) * Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k
    #   = 1 - 39 * 8 / (40² - (9² + 13² + 10² + 5² + 3²)) = 1 - 312/1216 = 0.743.
    ("nominal", 0.743),
    ("ordinal", 0.815),
    ("interval", 0.849),
])
def test_alpha_matches_krippendorffs_published_example(metric, published):
    alpha = krippendorff_alpha(PUBLISHED_UNITS, metric)
    assert round(alpha.value, 3) == published
    assert (alpha.reason, alpha.pairable_units, alpha.pairable_values) == (None, 11, 40)


def test_alpha_on_a_small_example_worked_by_hand():
    # Units (1,1) (1,2) (2,3) (3,3), two coders each, so every pair weighs 1/(2-1) = 1:
    # o_11 = 2, o_12 = o_21 = 1, o_23 = o_32 = 1, o_33 = 2; n_1 = 3, n_2 = 2, n_3 = 3, n = 8.
    units = [[1, 1], [1, 2], [2, 3], [3, 3]]
    # Ordinal: δ²_12 = (n_1 + n_2 - (n_1 + n_2)/2)² = 2.5² = 6.25, δ²_23 = 2.5² = 6.25,
    #   δ²_13 = (3 + 2 + 3 - (3 + 3)/2)² = 5² = 25.
    #   Σ o δ² = 4 * 6.25 = 25; Σ n_c n_k δ² = 2 (6 * 6.25 + 6 * 6.25 + 9 * 25) = 600;
    #   alpha = 1 - 7 * 25 / 600 = 17/24.
    assert krippendorff_alpha(units, "ordinal").value == pytest.approx(17 / 24)
    # Interval: δ² = 1, 1, 4; Σ o δ² = 4; Σ n_c n_k δ² = 2 (6 + 6 + 9 * 4) = 96;
    #   alpha = 1 - 7 * 4 / 96 = 17/24 too (evenly used, evenly spaced values).
    assert krippendorff_alpha(units, "interval").value == pytest.approx(17 / 24)
    # Nominal: Σ o δ² = 4; Σ n_c n_k δ² = 2 (6 + 6 + 9) = 42; alpha = 1 - 28/42 = 1/3.
    assert krippendorff_alpha(units, "nominal").value == pytest.approx(1 / 3)


def test_perfect_agreement_is_one():
    alpha = krippendorff_alpha([[1, 1], [2, 2, 2], [4, 4]], "ordinal")
    assert (alpha.value, alpha.reason) == (1.0, None)


def test_all_values_identical_leave_alpha_undefined_with_a_reason_not_a_division_by_zero():
    alpha = krippendorff_alpha([[3, 3], [3, 3, 3], [3]], "ordinal")
    # D_e = 0: nothing varies, so agreement cannot be told from chance.
    assert (alpha.value, alpha.reason, alpha.pairable_units, alpha.pairable_values) == (
        None, NO_VARIATION, 2, 5)


def test_units_with_one_value_drop_out():
    assert krippendorff_alpha([[1], [4], []], "ordinal").reason == NO_PAIRABLE_VALUES
    with_singles = krippendorff_alpha([[1, 1], [1, 2], [2, 3], [3, 3], [4], [1]], "ordinal")
    assert with_singles.value == pytest.approx(17 / 24)
    assert (with_singles.pairable_units, with_singles.pairable_values) == (4, 8)


def test_an_unknown_metric_is_refused():
    with pytest.raises(ValueError):
        krippendorff_alpha([[1, 2]], "ratio")


# --- Per criterion, over interview panels -----------------------------------------------------

BASE = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


def sheet(interviewer_id, interview_id, rubric_code="design", application_id=None,
          submitted_at=None, due_at=None, **scores) -> ScoreSheet:
    return ScoreSheet(interviewer_id=interviewer_id, interview_id=interview_id,
                      application_id=interview_id if application_id is None else application_id,
                      rubric_code=rubric_code, scores=scores, recommendation="yes",
                      level="mid", submitted_at=submitted_at, due_at=due_at)


def panels(criterion, *units, rubric_code="design"):
    """One interview per unit, its panel interviewers 1, 2, … giving the unit's scores."""
    return [sheet(interviewer, interview, rubric_code, **{criterion: score})
            for interview, unit in enumerate(units, 1)
            for interviewer, score in enumerate(unit, 1)]


def test_the_stated_minimums():
    assert MIN_PAIRABLE_UNITS == 5 and MIN_CONSTANT_VALUES == 10


def test_agreement_on_a_criterion_worked_by_hand():
    # Five panels of two: (3,3) (3,4) (2,3) (2,2) (4,4).
    # o_33 = 2, o_34 = o_43 = 1, o_23 = o_32 = 1, o_22 = 2, o_44 = 2; n_2 = 3, n_3 = 4, n_4 = 3.
    # δ²_23 = (n_2 + n_3 - (n_2 + n_3)/2)² = 3.5² = 12.25, δ²_34 = 3.5² = 12.25,
    # δ²_24 = (n_2 + n_3 + n_4 - (n_2 + n_4)/2)² = (10 - 3)² = 49.
    # Σ o δ² = 2 * 12.25 + 2 * 12.25 = 49; Σ n_c n_k δ² = 2 (12 * 12.25 + 12 * 12.25 + 9 * 49)
    # = 1470; alpha = 1 - 9 * 49 / 1470 = 1 - 0.3 = 0.7.
    sheets = panels("framing", (3, 3), (3, 4), (2, 3), (2, 2), (4, 4))
    [agreement] = criterion_agreement(sheets, [rubric("design", 1, "framing")])
    assert agreement.key == ("design", "framing")
    assert agreement.alpha == pytest.approx(0.7)
    assert (agreement.reason, agreement.pairable_units, agreement.pairable_values,
            agreement.value_count, agreement.is_constant) == (None, 5, 10, 10, False)


def test_below_the_minimum_is_not_enough_data():
    # Four perfectly agreeing panels would give alpha 1.0, but four are too few to say so.
    [agreement] = criterion_agreement(panels("framing", (1, 1), (2, 2), (3, 3), (4, 4)))
    assert (agreement.alpha, agreement.reason, agreement.pairable_units) == (
        None, NOT_ENOUGH_DATA, 4)
    # The fifth panel makes it a number.
    [agreement] = criterion_agreement(panels("framing", (1, 1), (2, 2), (3, 3), (4, 4), (2, 2)))
    assert (agreement.alpha, agreement.reason) == (1.0, None)


def test_the_unit_is_an_interview_not_an_application():
    # The same application's two system design interviews, one interviewer each: two
    # performances scored once each, nothing to pair, whatever the application.
    sheets = [sheet(1, 10, application_id=7, framing=1), sheet(2, 11, application_id=7, framing=4)]
    [agreement] = criterion_agreement(sheets)
    assert (agreement.pairable_units, agreement.value_count) == (0, 2)
    assert calibrate_interviewers(sheets)[0].mean_offset is None


def test_interviewers_alone_on_an_interview_count_as_values_but_not_as_pairs():
    sheets = panels("framing", (3, 3), (3, 4), (2, 3), (2, 2), (4, 4)) + [
        sheet(9, 50, framing=1), sheet(9, 51, framing=4)]
    [agreement] = criterion_agreement(sheets)
    assert agreement.alpha == pytest.approx(0.7)
    assert (agreement.pairable_units, agreement.pairable_values, agreement.value_count) == (
        5, 10, 12)


def test_a_criterion_that_never_varies_is_flagged():
    [agreement] = criterion_agreement(panels("framing", *[(3, 3)] * 5))
    # Ten 3s: constant, and alpha is undefined rather than "perfect".
    assert (agreement.is_constant, agreement.alpha, agreement.reason, agreement.value_count) == (
        True, None, NO_VARIATION, 10)
    # Nine are too few to call it constant.
    [agreement] = criterion_agreement(panels("framing", *[(3, 3)] * 4, (3,)))
    assert (agreement.is_constant, agreement.reason, agreement.value_count) == (
        False, NOT_ENOUGH_DATA, 9)
    # Ten values of which one differs are not constant.
    [agreement] = criterion_agreement(panels("framing", *[(3, 3)] * 4, (3, 2)))
    assert agreement.is_constant is False


def test_criteria_are_listed_in_rubric_order_and_kept_apart_by_rubric():
    sheets = (panels("communication", *[(2, 3)] * 5)
              + panels("communication", *[(4, 4)] * 5, rubric_code="hr"))
    result = criterion_agreement(sheets, [rubric("design", 1, "framing", "communication"),
                                          rubric("hr", 1, "communication")])
    assert [a.key for a in result] == [
        ("design", "framing"), ("design", "communication"), ("hr", "communication")]
    framing, design_communication, hr_communication = result
    assert (framing.value_count, framing.reason) == (0, NOT_ENOUGH_DATA)
    # Always one 2 against one 3: the panels never agree. n_2 = n_3 = 5, n = 10; δ²_23 = 5² = 25;
    # Σ o δ² = 10 * 25; Σ n_c n_k δ² = 2 * 25 * 25; alpha = 1 - 9 * 250 / 1250 = -0.8.
    assert design_communication.alpha == pytest.approx(-0.8)
    assert hr_communication.is_constant and hr_communication.reason == NO_VARIATION


def test_no_scores_at_all():
    assert criterion_agreement([]) == []
    assert calibrate_interviewers([]) == []


# --- Per interviewer --------------------------------------------------------------------------

DUE = BASE + timedelta(hours=24)
CALIBRATION_SHEETS = [
    # Interview 10: a panel of three on framing; interviewer 3 left serving out.
    sheet(1, 10, framing=4, serving=3, submitted_at=DUE - timedelta(hours=1), due_at=DUE),
    sheet(2, 10, framing=2, serving=3, submitted_at=DUE + timedelta(minutes=1), due_at=DUE),
    sheet(3, 10, framing=3, submitted_at=DUE),                       # no due time
    # Interview 11: interviewers 1 and 2; 1 submits exactly at the due time (on time).
    sheet(1, 11, framing=3, submitted_at=DUE, due_at=DUE),
    sheet(2, 11, framing=2, submitted_at=DUE - timedelta(days=1), due_at=DUE),
    # Interview 12: interviewer 1 alone.
    sheet(1, 12, framing=1, submitted_at=DUE),
]


def test_interviewer_calibration_worked_by_hand():
    one, two, three = calibrate_interviewers(CALIBRATION_SHEETS)
    # Offsets. Interview 10 framing (4, 2, 3): 1 -> 4 - (2+3)/2 = +1.5, 2 -> 2 - (4+3)/2 = -1.5,
    # 3 -> 3 - (4+2)/2 = 0. Interview 10 serving (3, 3): 0 and 0. Interview 11 framing (3, 2):
    # 1 -> +1, 2 -> -1. Interview 12: alone, no offset.
    # Interviewer 1: (1.5 + 0 + 1)/3 = 5/6; interviewer 2: -5/6; interviewer 3: 0/1.
    assert one.interviewer_id == 1
    assert (one.mean_offset, one.offset_count) == (pytest.approx(5 / 6), 3)
    assert (two.mean_offset, two.offset_count) == (pytest.approx(-5 / 6), 3)
    assert (three.mean_offset, three.offset_count) == (0.0, 1)
    # Scores. Interviewer 1: 4, 3, 3, 1 -> one 1, two 3s, one 4; mean 11/4 = 2.75.
    assert one.score_counts == {1: 1, 2: 0, 3: 2, 4: 1}
    assert (one.score_count, one.mean_score) == (4, 2.75)
    # Interviewer 2: 2, 3, 2 -> mean 7/3.
    assert two.score_counts == {1: 0, 2: 2, 3: 1, 4: 0}
    assert two.mean_score == pytest.approx(7 / 3)
    assert (three.score_counts, three.mean_score) == ({1: 0, 2: 0, 3: 1, 4: 0}, 3.0)
    # Interviews: 1 sat on 10, 11, 12; 2 on 10, 11; 3 on 10.
    assert [c.interview_count for c in (one, two, three)] == [3, 2, 1]
    # On time. 1: an hour early and exactly on time; interview 12 had no due time -> 2 of 2.
    # 2: a minute late, then a day early -> 1 of 2. 3: nothing had a due time -> no rate.
    assert (one.on_time_count, one.timed_count, one.on_time_rate) == (2, 2, 1.0)
    assert (two.on_time_count, two.timed_count, two.on_time_rate) == (1, 2, 0.5)
    assert (three.on_time_count, three.timed_count, three.on_time_rate) == (0, 0, None)


def test_one_interviewer_only_has_no_offset():
    [alone] = calibrate_interviewers([sheet(5, 20, framing=2, serving=4)])
    assert (alone.mean_offset, alone.offset_count, alone.mean_score) == (None, 0, 3.0)


def test_a_panel_that_ties_gives_offset_zero_not_none():
    first, second = calibrate_interviewers([sheet(1, 20, framing=3), sheet(2, 20, framing=3)])
    assert (first.mean_offset, second.mean_offset) == (0.0, 0.0)


def test_feedback_without_scores_has_no_mean_but_counts_its_interview():
    [quiet] = calibrate_interviewers([sheet(6, 30, submitted_at=DUE, due_at=DUE)])
    assert quiet.score_counts == {1: 0, 2: 0, 3: 0, 4: 0}
    assert (quiet.mean_score, quiet.mean_offset, quiet.interview_count, quiet.on_time_rate) == (
        None, None, 1, 1.0)


def test_an_impossible_score_is_an_error():
    with pytest.raises(ValueError):
        calibrate_interviewers([sheet(1, 20, framing=7)])
