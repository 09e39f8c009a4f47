"""The rubric domain: reading a definition (and refusing a broken one with the problem named),
and the checks on a scorecard before it is submitted."""
from __future__ import annotations

import copy

import pytest

from scheduler.domain.rubric import (
    LEVELS, SCORES, Problem, RubricDefinition, RubricDefinitionError, submission_problems,
)


def _texts(label: str) -> dict:
    return {"zh": f"{label}（中文）", "en": f"{label} (English)"}


def _criterion(code: str) -> dict:
    return {"code": code, "name": _texts(f"{code} name"), "question": _texts(f"{code} question"),
            "descriptors": {str(s): _texts(f"{code} score {s}") for s in SCORES},
            "expectations": {level: _texts(f"{code} at {level}") for level in LEVELS}}


def rubric_data(*codes: str) -> dict:
    return {"code": "sample", "version": 1, "stage_kind": "system_design",
            "name": _texts("Sample"), "description": _texts("About"),
            "criteria": [_criterion(c) for c in codes or ("framing", "serving")]}


DEFINITION = RubricDefinition.from_dict(rubric_data("framing", "serving"))


def test_a_definition_reads_its_criteria_in_order_with_numeric_scores():
    assert DEFINITION.criterion_codes == ("framing", "serving")
    serving = DEFINITION.criterion("serving")
    assert sorted(serving.descriptors) == [1, 2, 3, 4]
    assert serving.descriptor(4, "zh") == "serving score 4（中文）"
    assert serving.expectation("senior", "en") == "serving at senior (English)"
    assert serving.text("question", "en") == "serving question (English)"
    assert DEFINITION.text("name", "zh") == "Sample（中文）"


def test_to_dict_round_trips_through_json():
    import json

    stored = json.loads(json.dumps(DEFINITION.to_dict()))
    assert RubricDefinition.from_dict(stored) == DEFINITION
    assert stored["criteria"][0]["descriptors"].keys() == {"1", "2", "3", "4"}


def _broken(change) -> dict:
    data = copy.deepcopy(rubric_data("framing", "serving"))
    change(data)
    return data


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["criteria"][1]["descriptors"].pop("3"),
     "criterion serving: descriptor for score 3: missing"),
    (lambda d: d["criteria"][0]["descriptors"].update({"0": _texts("zero")}),
     "criterion framing: descriptor for score 0: there is no such score"),
    (lambda d: d["criteria"][0]["descriptors"].update({"5": _texts("five")}),
     "criterion framing: descriptor for score 5: there is no such score"),
    (lambda d: d["criteria"][0]["question"].pop("zh"),
     "criterion framing: question: the zh text is missing"),
    (lambda d: d["criteria"][1]["descriptors"]["2"].update(en="  "),
     "criterion serving: descriptor for score 2: the en text is missing"),
    (lambda d: d["criteria"][1].update(code="framing"),
     "criterion framing: the code is used twice"),
    (lambda d: d["criteria"][0]["expectations"].update(principal=_texts("p")),
     "criterion framing: expectation at level principal: there is no such level"),
    (lambda d: d["criteria"][0]["expectations"].pop("mid"),
     "criterion framing: expectation at level mid: missing"),
    (lambda d: d.update(criteria=[]), "criteria: a rubric has at least one criterion"),
    (lambda d: d.update(version=0), "version: must be a whole number from 1"),
    (lambda d: d["name"].update(fr="Exemple"), "name: language: unknown key(s) fr"),
])
def test_a_broken_definition_is_refused_naming_the_problem(change, expected):
    with pytest.raises(RubricDefinitionError) as refused:
        RubricDefinition.from_dict(_broken(change))
    assert any(p.startswith(expected) for p in refused.value.problems), refused.value.problems


ALL_THREES = {"framing": 3, "serving": 3}


@pytest.mark.parametrize("scores, evidence, recommendation, level, expected", [
    (ALL_THREES, {}, "yes", "mid", []),
    ({"framing": 2, "serving": 3}, {}, "no", "junior", []),                # 2/3 need no note
    ({"framing": 3}, {}, "yes", "mid", [Problem("score:serving", "score_missing")]),
    ({"framing": 3, "serving": None}, {}, "yes", "mid",
     [Problem("score:serving", "score_missing")]),
    ({"framing": 0, "serving": 5}, {}, "yes", "mid",
     [Problem("score:framing", "score_invalid"), Problem("score:serving", "score_invalid")]),
    ({"framing": "3", "serving": True}, {}, "yes", "mid",
     [Problem("score:framing", "score_invalid"), Problem("score:serving", "score_invalid")]),
    ({"framing": 1, "serving": 4}, {"framing": "  "}, "no", "mid",
     [Problem("evidence:framing", "evidence_required"),
      Problem("evidence:serving", "evidence_required")]),
    ({"framing": 1, "serving": 4}, {"framing": "No metric named.", "serving": "Batching."},
     "no", "mid", []),
    (ALL_THREES, {}, None, "mid", [Problem("recommendation", "recommendation_missing")]),
    (ALL_THREES, {}, "maybe", "mid", [Problem("recommendation", "recommendation_invalid")]),
    (ALL_THREES, {}, "yes", "", [Problem("level", "level_missing")]),
    (ALL_THREES, {}, "yes", "principal", [Problem("level", "level_invalid")]),
    (ALL_THREES | {"vibes": 3}, {"vibes": "nice"}, "yes", "mid",
     [Problem("score:vibes", "unknown_criterion"), Problem("evidence:vibes", "unknown_criterion")]),
])
def test_submission_problems(scores, evidence, recommendation, level, expected):
    assert submission_problems(DEFINITION, scores, evidence, recommendation, level) == expected
