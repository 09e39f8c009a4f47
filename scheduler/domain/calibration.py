"""Calibration: how each interviewer scores, and how far the panels agree on each criterion
(DESIGN.md §9, issue 18). Pure: submitted `ScoreSheet`s in, plain data out.

The unit of comparison is one candidate's performance on one criterion in one interview, as
its panel scored it: (interview, rubric, criterion). Only scores of the same performance are
compared — those of another interview of the same candidate saw another day's performance, so
a difference there says as much about the candidate as about the interviewer. The same unit
serves an interviewer's offset against the rest of the panel and the agreement statistic.

Agreement is Krippendorff's alpha with the ordinal metric: the 1–4 scale is ordered, but its
steps need not be equal (strong no -> no is not yes -> strong yes). A unit scored by one
interviewer only is not pairable and drops out. Below MIN_PAIRABLE_UNITS pairable units the
agreement is "not enough data" rather than a number that a few interviews would swing.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from scheduler.domain.rubric import SCORES, RubricDefinition
from scheduler.domain.scorecard import CriterionKey, ScoreSheet, criterion_order, mean

# Alpha over fewer than 5 pairable units (panels of two or more on one criterion) is "not
# enough data": one unit more would move it by a lot. Five units are at least 10 paired values.
MIN_PAIRABLE_UNITS = 5
# A criterion "never varies" when at least this many of its scores are all the same number.
MIN_CONSTANT_VALUES = 10

NOT_ENOUGH_DATA = "not_enough_data"        # fewer than MIN_PAIRABLE_UNITS pairable units
NO_PAIRABLE_VALUES = "no_pairable_values"  # no unit has two values: alpha has nothing to compare
NO_VARIATION = "no_variation"              # every paired value is the same: alpha is 0/0
METRICS = ("nominal", "ordinal", "interval")


# --- Krippendorff's alpha ---------------------------------------------------------------------

@dataclass(frozen=True)
class Alpha:
    """Krippendorff's alpha, or why there is none, and how much data it rests on."""

    value: float | None
    reason: str | None           # None with a number; else NO_PAIRABLE_VALUES or NO_VARIATION
    pairable_units: int          # units with two or more values
    pairable_values: int         # the values in them (n, the coincidence matrix's total)


def coincidences(units: Iterable[Sequence[Hashable]]) -> tuple[dict[tuple, Fraction], int]:
    """Return the coincidence matrix {(c, k): o_ck} of *units* (each the values its coders gave,
    missing ones left out) and the number of pairable units.

    Every ordered pair of values from different coders of one unit adds 1/(m_u - 1), m_u being
    the unit's number of values; a unit with one value pairs with nothing and adds nothing.
    """
    matrix: dict[tuple, Fraction] = defaultdict(Fraction)
    pairable = 0
    for unit in units:
        counts = Counter(unit)
        m = sum(counts.values())
        if m < 2:
            continue
        pairable += 1
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - 1) if c == k else n_c * n_k
                if pairs:
                    matrix[(c, k)] += Fraction(pairs, m - 1)
    return dict(matrix), pairable


def _distances(values: list, marginals: dict, metric: str) -> dict[tuple, Fraction]:
    """Return δ²_ck for every pair of *values* (sorted) under *metric*."""
    if metric == "nominal":
        return {(c, k): Fraction(c != k) for c in values for k in values}
    if metric == "interval":
        return {(c, k): Fraction(c - k) ** 2 for c in values for k in values}
    if metric == "ordinal":
        # δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²: the distance is how many values lie between,
        # so only the order of the values counts, not the numbers.
        distances = {}
        for i, c in enumerate(values):
            for j in range(i, len(values)):
                k = values[j]
                between = sum(marginals[g] for g in values[i:j + 1])
                distances[(c, k)] = distances[(k, c)] = (
                    between - (marginals[c] + marginals[k]) / 2) ** 2
        return distances
    raise ValueError(f"metric {metric!r} is not one of {METRICS}")


def krippendorff_alpha(units: Iterable[Sequence[Hashable]], metric: str = "ordinal") -> Alpha:
    """Return Krippendorff's alpha = 1 − D_o/D_e over *units*, the values each unit was given.

    D_o = Σ o_ck δ²_ck / n and D_e = Σ n_c n_k δ²_ck / (n (n − 1)), with o the coincidence
    matrix, n_c its marginals and n its total (Krippendorff, "Computing Krippendorff's
    Alpha-Reliability", 2011). Computed exactly in fractions. None, with the reason, when no
    unit has two values or every paired value is the same (D_e = 0: nothing to agree on).
    """
    matrix, pairable_units = coincidences(units)
    marginals: dict = defaultdict(Fraction)
    for (c, _k), o_ck in matrix.items():
        marginals[c] += o_ck
    n = sum(marginals.values())
    if not pairable_units:
        return Alpha(None, NO_PAIRABLE_VALUES, 0, 0)
    distances = _distances(sorted(marginals), marginals, metric)
    observed = sum(o_ck * distances[pair] for pair, o_ck in matrix.items())
    expected = sum(marginals[c] * marginals[k] * distances[(c, k)]
                   for c in marginals for k in marginals)
    if not expected:
        return Alpha(None, NO_VARIATION, pairable_units, int(n))
    return Alpha(float(1 - (n - 1) * observed / expected), None, pairable_units, int(n))


# --- Agreement per criterion ------------------------------------------------------------------

@dataclass(frozen=True)
class CriterionAgreement:
    """How far the panels agree on one criterion, and whether its scores ever vary."""

    rubric_code: str
    criterion_code: str
    alpha: float | None          # ordinal alpha over the panels; None: see reason
    reason: str | None           # NOT_ENOUGH_DATA, NO_VARIATION or None
    pairable_units: int
    pairable_values: int
    value_count: int             # every score on the criterion, paired or not
    is_constant: bool            # at least MIN_CONSTANT_VALUES scores, all the same

    @property
    def key(self) -> CriterionKey:
        return (self.rubric_code, self.criterion_code)


def criterion_agreement(sheets: Iterable[ScoreSheet],
                        rubrics: Sequence[RubricDefinition] = ()) -> list[CriterionAgreement]:
    """Return the agreement on every criterion of *rubrics* and of the scores on *sheets*, in
    the rubrics' order (scorecard.criterion_order()); a unit is one interview's panel."""
    sheets = list(sheets)
    units: dict[CriterionKey, dict[int, list[int]]] = {
        key: {} for key in criterion_order(rubrics, sheets)}
    for sheet in sheets:
        for code, score in sheet.scores.items():
            units[(sheet.rubric_code, code)].setdefault(sheet.interview_id, []).append(score)
    return [_agreement(key, list(panels.values())) for key, panels in units.items()]


def _agreement(key: CriterionKey, units: list[list[int]]) -> CriterionAgreement:
    values = [score for unit in units for score in unit]
    alpha = krippendorff_alpha(units, "ordinal")
    if alpha.pairable_units < MIN_PAIRABLE_UNITS:
        value, reason = None, NOT_ENOUGH_DATA
    else:
        value, reason = alpha.value, alpha.reason
    return CriterionAgreement(
        rubric_code=key[0], criterion_code=key[1], alpha=value, reason=reason,
        pairable_units=alpha.pairable_units, pairable_values=alpha.pairable_values,
        value_count=len(values),
        is_constant=len(values) >= MIN_CONSTANT_VALUES and len(set(values)) == 1)


# --- Per interviewer --------------------------------------------------------------------------

@dataclass(frozen=True)
class InterviewerCalibration:
    """How one interviewer scores, against the panels they sat on, and how punctually."""

    interviewer_id: int
    score_counts: dict[int, int]     # every score 1–4, how often they gave it
    mean_score: float | None         # None when they gave no score
    mean_offset: float | None        # see calibrate_interviewers(); None when offset_count is 0
    offset_count: int                # their scores that had another panel member's beside them
    interview_count: int             # interviews they submitted feedback on
    on_time_count: int
    timed_count: int                 # their feedback that had a due time
    on_time_rate: float | None       # on_time_count / timed_count; None when timed_count is 0

    @property
    def score_count(self) -> int:
        return sum(self.score_counts.values())


def calibrate_interviewers(sheets: Iterable[ScoreSheet]) -> list[InterviewerCalibration]:
    """Return each interviewer's calibration, by interviewer id.

    The mean offset: for each score they gave on a criterion that at least one other panel
    member of the same interview also scored, their score minus the mean of the others' scores
    on it; then the mean of those differences. Above 0 they score more kindly than their
    panels, below 0 more harshly. On time: submitted at or before the due time; feedback with
    no due time (or no submission time) is left out of the rate.
    """
    sheets = list(sheets)
    panels: dict[tuple[int, str, str], list[tuple[int, int]]] = defaultdict(list)
    for sheet in sheets:
        for code, score in sheet.scores.items():
            panels[(sheet.interview_id, sheet.rubric_code, code)].append(
                (sheet.interviewer_id, score))
    offsets: dict[int, list[Fraction]] = defaultdict(list)
    for panel in panels.values():
        if len(panel) < 2:
            continue
        total = sum(score for _interviewer, score in panel)
        for interviewer_id, score in panel:
            offsets[interviewer_id].append(score - Fraction(total - score, len(panel) - 1))

    by_interviewer: dict[int, list[ScoreSheet]] = defaultdict(list)
    for sheet in sheets:
        by_interviewer[sheet.interviewer_id].append(sheet)
    return [_interviewer(interviewer_id, own, offsets[interviewer_id])
            for interviewer_id, own in sorted(by_interviewer.items())]


def _interviewer(interviewer_id: int, sheets: list[ScoreSheet],
                 offsets: list[Fraction]) -> InterviewerCalibration:
    scores = [score for sheet in sheets for score in sheet.scores.values()]
    counts = Counter(scores)
    unknown = sorted(set(counts) - set(SCORES))
    if unknown:
        raise ValueError(f"scores {unknown} are not among {SCORES}")
    timed = [s for s in sheets if s.due_at is not None and s.submitted_at is not None]
    on_time = sum(1 for s in timed if s.submitted_at <= s.due_at)
    return InterviewerCalibration(
        interviewer_id=interviewer_id,
        score_counts={score: counts[score] for score in SCORES},
        mean_score=mean(scores),
        mean_offset=mean(offsets),
        offset_count=len(offsets),
        interview_count=len({s.interview_id for s in sheets}),
        on_time_count=on_time,
        timed_count=len(timed),
        on_time_rate=on_time / len(timed) if timed else None,
    )
