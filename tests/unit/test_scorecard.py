"""One application's scorecard (domain/scorecard.py): per-criterion means, spreads and
disagreement flags, tallies, and the rubric's order, on examples worked out by hand."""
from __future__ import annotations

import pytest

from scheduler.domain.rubric import LEVELS, RECOMMENDATIONS, RubricDefinition
from scheduler.domain.scorecard import (
    DISAGREEMENT_SPREAD, CriterionScore, ScoreSheet, build_scorecard, criterion_order, tally,
)
from tests.unit.test_rubric import rubric_data


def rubric(code: str, version: int, *criteria: str) -> RubricDefinition:
    return RubricDefinition.from_dict(rubric_data(*criteria) | {"code": code, "version": version})


# Version 2 of the system design rubric puts a new criterion, monitoring, second.
DESIGN_V1 = rubric("design", 1, "framing", "serving", "communication")
DESIGN_V2 = rubric("design", 2, "framing", "monitoring", "serving", "communication")
# The HR screen also has a "communication": another question, so another criterion.
HR = rubric("hr", 1, "communication", "motivation")


def sheet(interviewer_id, interview_id, rubric_code="design", application_id=7,
          recommendation="yes", level="mid", **scores) -> ScoreSheet:
    return ScoreSheet(interviewer_id=interviewer_id, interview_id=interview_id,
                      application_id=application_id, rubric_code=rubric_code, scores=scores,
                      recommendation=recommendation, level=level)


SHEETS = [
    # Interview 100, system design v1, panel of interviewers 1 and 2.
    sheet(1, 100, recommendation="yes", level="mid", framing=3, serving=4, communication=2),
    sheet(2, 100, recommendation="no", level="junior", framing=1, serving=3, communication=2),
    # Interview 101, system design v2, interviewer 3 alone.
    sheet(3, 101, recommendation="yes", level="mid",
          framing=2, monitoring=3, serving=4, communication=3),
    # Interview 102, the HR screen, interviewer 4.
    sheet(4, 102, rubric_code="hr", recommendation="strong_yes", level="mid",
          communication=4, motivation=3),
]


def _row(card, rubric_code, criterion_code):
    return next(c for c in card.criteria if c.key == (rubric_code, criterion_code))


def test_criteria_follow_the_rubrics_first_version_first_then_new_ones():
    # v1 gives framing, serving, communication; v2 adds monitoring (after them, though v2 puts it
    # second); then the HR rubric's own two.
    assert criterion_order([DESIGN_V1, DESIGN_V2, HR]) == [
        ("design", "framing"), ("design", "serving"), ("design", "communication"),
        ("design", "monitoring"), ("hr", "communication"), ("hr", "motivation")]
    card = build_scorecard(7, SHEETS, [DESIGN_V1, DESIGN_V2, HR])
    assert [c.key for c in card.criteria] == criterion_order([DESIGN_V1, DESIGN_V2, HR])


def test_means_spreads_and_disagreement_flags_worked_by_hand():
    card = build_scorecard(7, SHEETS, [DESIGN_V1, DESIGN_V2, HR])
    framing = _row(card, "design", "framing")
    # 3, 1, 2: mean 6/3 = 2.0; spread 3 - 1 = 2 >= 2, a disagreement.
    assert [s.score for s in framing.scores] == [3, 1, 2]
    assert (framing.mean, framing.spread, framing.is_disagreement) == (2.0, 2, True)
    serving = _row(card, "design", "serving")
    # 4, 3, 4: mean 11/3; spread 1.
    assert serving.mean == pytest.approx(11 / 3)
    assert (serving.spread, serving.is_disagreement) == (1, False)
    communication = _row(card, "design", "communication")
    # 2, 2, 3: mean 7/3, spread 1. Merged with the HR screen's 4 it would read 2, 2, 3, 4 and be
    # flagged: the HR question is another criterion.
    assert communication.mean == pytest.approx(7 / 3)
    assert (communication.spread, communication.is_disagreement) == (1, False)
    monitoring = _row(card, "design", "monitoring")
    # Only v2 asks it: one score, 3; mean 3.0, spread 0.
    assert (monitoring.mean, monitoring.spread, monitoring.is_disagreement) == (3.0, 0, False)
    assert monitoring.scores == (CriterionScore(interviewer_id=3, interview_id=101, score=3),)
    hr_communication = _row(card, "hr", "communication")
    assert (hr_communication.mean, hr_communication.spread) == (4.0, 0)
    assert [c.key for c in card.disagreements] == [("design", "framing")]


def test_scores_are_kept_by_interviewer_and_interview():
    card = build_scorecard(7, SHEETS, [DESIGN_V1, DESIGN_V2, HR])
    framing = _row(card, "design", "framing")
    assert framing.scores_by(2) == (1,)
    assert framing.scores_by(4) == ()
    assert card.interviewer_ids == (1, 2, 3, 4)


def test_recommendations_and_levels_are_tallied_with_every_choice_present():
    card = build_scorecard(7, SHEETS, [DESIGN_V1, DESIGN_V2, HR])
    # yes (1), no (2), yes (3), strong_yes (4).
    assert card.recommendations == {"strong_no": 0, "no": 1, "yes": 2, "strong_yes": 1}
    assert list(card.recommendations) == list(RECOMMENDATIONS)
    # mid, junior, mid, mid.
    assert card.levels == {"junior": 1, "mid": 3, "senior": 0}
    assert list(card.levels) == list(LEVELS)


@pytest.mark.parametrize("scores, spread, flagged", [
    ((2, 4), 2, True),         # exactly DISAGREEMENT_SPREAD apart
    ((1, 4), 3, True),
    ((1, 2), 1, False),        # one step apart is ordinary
    ((3, 3, 3), 0, False),     # a tie
    ((2, 3, 4, 3), 2, True),   # the extremes count, not the neighbours
])
def test_the_disagreement_threshold(scores, spread, flagged):
    assert DISAGREEMENT_SPREAD == 2
    sheets = [sheet(i, 100, framing=s) for i, s in enumerate(scores, 1)]
    row = build_scorecard(7, sheets, [rubric("design", 1, "framing")]).criteria[0]
    assert (row.spread, row.is_disagreement) == (spread, flagged)


def test_no_feedback_yet_lists_every_criterion_without_numbers():
    card = build_scorecard(7, [], [DESIGN_V1])
    assert [c.criterion_code for c in card.criteria] == ["framing", "serving", "communication"]
    assert all(c.scores == () and c.mean is None and c.spread is None and not c.is_disagreement
               for c in card.criteria)
    assert card.recommendations == dict.fromkeys(RECOMMENDATIONS, 0)
    assert card.levels == dict.fromkeys(LEVELS, 0)
    assert card.interviewer_ids == () and card.disagreements == ()


def test_one_interviewer_only():
    card = build_scorecard(7, [sheet(5, 100, framing=4, serving=1, communication=3)],
                           [DESIGN_V1])
    # One score per criterion: the mean is the score, the spread 0, never a disagreement,
    # however far apart the criteria are from each other.
    assert [(c.mean, c.spread, c.is_disagreement) for c in card.criteria] == [
        (4.0, 0, False), (1.0, 0, False), (3.0, 0, False)]


def test_a_missing_criterion_only_leaves_its_score_out():
    # Interviewer 2 scored framing only: serving's mean is interviewer 1's alone.
    sheets = [sheet(1, 100, framing=2, serving=4), sheet(2, 100, framing=4)]
    card = build_scorecard(7, sheets, [rubric("design", 1, "framing", "serving")])
    framing, serving = card.criteria
    assert (framing.mean, framing.spread, framing.is_disagreement) == (3.0, 2, True)
    assert (serving.mean, serving.spread, [s.interviewer_id for s in serving.scores]) == (
        4.0, 0, [1])


def test_a_scored_criterion_no_given_rubric_names_is_appended_not_hidden():
    sheets = [sheet(1, 100, framing=3, legacy=2)]
    card = build_scorecard(7, sheets, [rubric("design", 1, "framing")])
    assert [c.key for c in card.criteria] == [("design", "framing"), ("design", "legacy")]
    assert card.criteria[1].mean == 2.0


def test_a_missing_recommendation_or_level_is_not_counted():
    card = build_scorecard(7, [sheet(1, 100, recommendation=None, level=None, framing=3)],
                           [rubric("design", 1, "framing")])
    assert sum(card.recommendations.values()) == 0 and sum(card.levels.values()) == 0


@pytest.mark.parametrize("bad", [
    dict(application_id=8),
    dict(recommendation="maybe"),
    dict(level="principal"),
    dict(scores={"framing": 5}),
    dict(scores={"framing": 0}),
])
def test_data_that_cannot_be_on_this_scorecard_is_an_error(bad):
    fields = dict(interviewer_id=1, interview_id=100, application_id=7, rubric_code="design",
                  scores={"framing": 3}, recommendation="yes", level="mid") | bad
    with pytest.raises(ValueError):
        build_scorecard(7, [ScoreSheet(**fields)], [rubric("design", 1, "framing")])


def test_tally_counts_only_known_choices():
    assert tally(["a", None, "b", "a"], ("a", "b", "c")) == {"a": 2, "b": 1, "c": 0}
