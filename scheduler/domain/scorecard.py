"""One application's scorecard: submitted feedback aggregated per criterion (DESIGN.md §9). Pure.

The input is a list of `ScoreSheet`s, one interviewer's submitted feedback on one interview,
reduced to what the maths needs; the output is plain data for the scorecard page and the
calibration maths (`scheduler/domain/calibration.py`) beside it. The rubric definitions,
their rules and a submission's problems stay in `scheduler/domain/rubric.py`.

A criterion is named by its rubric's code and its own code: rubrics share criterion codes
("communication" is on the HR screens and on the project deep dive) that measure different
things, while a rubric's later versions keep a code whose meaning is unchanged (the rubric
README), so scores on one (rubric, criterion) stay comparable across versions.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from scheduler.domain.rubric import LEVELS, RECOMMENDATIONS, SCORES, RubricDefinition

# Scores on one criterion that differ by this much or more are a disagreement worth a look:
# on the 1–4 scale with no neutral middle, 2 apart means one "yes" against one "strong no".
DISAGREEMENT_SPREAD = 2


@dataclass(frozen=True)
class ScoreSheet:
    """One interviewer's submitted feedback on one interview, as the maths sees it."""

    interviewer_id: int
    interview_id: int
    application_id: int
    rubric_code: str
    scores: Mapping[str, int]                  # criterion code -> 1..4; a criterion may be missing
    recommendation: str | None = None          # one of RECOMMENDATIONS
    level: str | None = None                   # one of LEVELS
    submitted_at: datetime | None = None
    due_at: datetime | None = None             # None: the feedback had no due time


CriterionKey = tuple[str, str]                 # (rubric code, criterion code)


@dataclass(frozen=True)
class CriterionScore:
    """One score on a criterion: who gave it, in which interview."""

    interviewer_id: int
    interview_id: int
    score: int


@dataclass(frozen=True)
class CriterionSummary:
    """A criterion's row on the scorecard: every score on it, their mean and their spread."""

    rubric_code: str
    criterion_code: str
    scores: tuple[CriterionScore, ...]         # in the order of the sheets given
    mean: float | None                         # None when nobody scored it
    spread: int | None                         # highest minus lowest; None when nobody scored it
    is_disagreement: bool                      # spread >= DISAGREEMENT_SPREAD

    @property
    def key(self) -> CriterionKey:
        return (self.rubric_code, self.criterion_code)

    def scores_by(self, interviewer_id: int) -> tuple[int, ...]:
        """Return the scores *interviewer_id* gave on this criterion (one per interview)."""
        return tuple(s.score for s in self.scores if s.interviewer_id == interviewer_id)


@dataclass(frozen=True)
class Scorecard:
    """One application's submitted feedback, aggregated."""

    application_id: int
    criteria: tuple[CriterionSummary, ...]     # see criterion_order()
    recommendations: dict[str, int]            # every recommendation, in RECOMMENDATIONS order
    levels: dict[str, int]                     # every level, in LEVELS order
    interviewer_ids: tuple[int, ...]           # who submitted, in the order first seen

    @property
    def disagreements(self) -> tuple[CriterionSummary, ...]:
        return tuple(c for c in self.criteria if c.is_disagreement)


def criterion_order(rubrics: Sequence[RubricDefinition],
                    sheets: Iterable[ScoreSheet] = ()) -> list[CriterionKey]:
    """Return every criterion of *rubrics* and of the scores on *sheets*, each once, in order.

    The order is the rubrics' own: the criteria of the first rubric given, in its order, then
    those of the next that are not yet listed, and so on. When the feedback was written on
    several versions of one rubric, pass them oldest first: a criterion keeps the place its
    first version gave it and a later version's new criteria follow (the union of the criteria
    in first-seen rubric order). A scored criterion no rubric given names (a caller that left
    out a version) is appended in the order the sheets first show it, so no score is hidden.
    """
    seen: dict[CriterionKey, None] = {}
    for rubric in rubrics:
        for code in rubric.criterion_codes:
            seen.setdefault((rubric.code, code), None)
    for sheet in sheets:
        for code in sheet.scores:
            seen.setdefault((sheet.rubric_code, code), None)
    return list(seen)


def build_scorecard(application_id: int, sheets: Sequence[ScoreSheet],
                    rubrics: Sequence[RubricDefinition]) -> Scorecard:
    """Aggregate *sheets* (the submitted feedback on one application) per criterion, ordered
    as *rubrics* order them (see criterion_order()); tally recommendations and levels."""
    strangers = sorted({s.application_id for s in sheets} - {application_id})
    if strangers:
        raise ValueError(f"sheets of other applications {strangers} on the scorecard "
                         f"of application {application_id}")
    scores: dict[CriterionKey, list[CriterionScore]] = {
        key: [] for key in criterion_order(rubrics, sheets)}
    for sheet in sheets:
        for code, score in sheet.scores.items():
            if score not in SCORES:
                raise ValueError(f"score {score!r} on {code} is not one of {SCORES}")
            scores[(sheet.rubric_code, code)].append(
                CriterionScore(sheet.interviewer_id, sheet.interview_id, score))
    return Scorecard(
        application_id=application_id,
        criteria=tuple(_summary(key, given) for key, given in scores.items()),
        recommendations=tally((s.recommendation for s in sheets), RECOMMENDATIONS),
        levels=tally((s.level for s in sheets), LEVELS),
        interviewer_ids=tuple(dict.fromkeys(s.interviewer_id for s in sheets)),
    )


def _summary(key: CriterionKey, given: list[CriterionScore]) -> CriterionSummary:
    values = [s.score for s in given]
    spread = max(values) - min(values) if values else None
    return CriterionSummary(
        rubric_code=key[0], criterion_code=key[1], scores=tuple(given), mean=mean(values),
        spread=spread, is_disagreement=spread is not None and spread >= DISAGREEMENT_SPREAD)


def tally(choices: Iterable[str | None], allowed: tuple[str, ...]) -> dict[str, int]:
    """Count each of *allowed* among *choices* (every one present, 0 when unchosen); a missing
    choice (None) is not counted, an unknown one is an error."""
    counts = dict.fromkeys(allowed, 0)
    for choice in choices:
        if choice is None:
            continue
        if choice not in counts:
            raise ValueError(f"{choice!r} is not one of {allowed}")
        counts[choice] += 1
    return counts


def mean(values: Iterable[int | Fraction]) -> float | None:
    """Return the exact mean of *values* as a float, None when there are none."""
    values = list(values)
    if not values:
        return None
    return float(sum(Fraction(v) for v in values) / len(values))
