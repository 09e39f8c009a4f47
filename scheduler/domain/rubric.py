"""Rubric definitions and the checks on a submission against one (DESIGN.md §9). Pure.

A rubric is versioned data (the files in scheduler/rubrics/, stored in the Rubric table): its
criteria, each with a name and a question in Chinese and English, a written descriptor for every
score of the 1–4 scale (1 strong no, 2 no, 3 yes, 4 strong yes: no neutral middle) and what is
expected at each level of the opening. `RubricDefinition.from_dict` is the one reader of that
data, for a file and for a stored row alike, and refuses a definition that breaks a rule with
every problem named; `submission_problems` says what is wrong with a scorecard before it is saved.
The maths on submitted scores lives beside it: a scorecard's aggregation in scorecard.py,
calibration and agreement between interviewers in calibration.py.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

SCORES = (1, 2, 3, 4)                        # 1 strong no, 2 no, 3 yes, 4 strong yes
EVIDENCE_REQUIRED_SCORES = (1, 4)            # the extremes must say what was seen
RECOMMENDATIONS = ("strong_no", "no", "yes", "strong_yes")
LEVELS = ("junior", "mid", "senior")         # 3–5, 5–8, 8+ years (the opening's levels)
LANGUAGES = ("zh", "en")

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")


class RubricDefinitionError(ValueError):
    """A rubric definition breaks a rule; `problems` names each one, where it is and what."""

    def __init__(self, problems: list[str]):
        self.problems = tuple(problems)
        super().__init__("; ".join(problems))


def _pick(texts: Mapping[str, str], language: str) -> str:
    """Return the text in *language*, falling back to the other one."""
    other = "en" if language == "zh" else "zh"
    return texts.get(language) or texts.get(other) or ""


@dataclass(frozen=True)
class Criterion:
    """One scored criterion: what it is called, what to ask, what each score and level means."""

    code: str
    name: dict[str, str]                       # {"zh": …, "en": …}
    question: dict[str, str]
    descriptors: dict[int, dict[str, str]]     # score -> {"zh", "en"}; keys exactly SCORES
    expectations: dict[str, dict[str, str]]    # level -> {"zh", "en"}; keys exactly LEVELS
    probes: tuple[dict[str, str], ...] = ()    # follow-up questions, each {"zh", "en"}

    def text(self, attr: str, language: str) -> str:
        """Return the name or question (*attr*) in *language*."""
        return _pick(getattr(self, attr), language)

    def descriptor(self, score: int, language: str) -> str:
        """Return what *score* means on this criterion, in *language*."""
        return _pick(self.descriptors[score], language)

    def expectation(self, level: str, language: str) -> str:
        """Return what is expected at *level* on this criterion, in *language*."""
        return _pick(self.expectations[level], language)

    def probe_texts(self, language: str) -> list[str]:
        """Return the follow-up questions in *language*."""
        return [_pick(probe, language) for probe in self.probes]

    def to_dict(self) -> dict:
        return {
            "code": self.code, "name": dict(self.name), "question": dict(self.question),
            # JSON keys are text: the scores are stored as "1".."4" and read back as numbers.
            "descriptors": {str(score): dict(self.descriptors[score]) for score in SCORES},
            "expectations": {level: dict(self.expectations[level]) for level in LEVELS},
            "probes": [dict(probe) for probe in self.probes],
        }


@dataclass(frozen=True)
class RubricDefinition:
    """A version of a rubric: its code, the stage kind it scores and its criteria, in order."""

    code: str
    version: int
    stage_kind: str
    name: dict[str, str]
    description: dict[str, str]
    criteria: tuple[Criterion, ...]

    def text(self, attr: str, language: str) -> str:
        """Return the name or description (*attr*) in *language*."""
        return _pick(getattr(self, attr), language)

    @property
    def criterion_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria)

    def criterion(self, code: str) -> Criterion:
        """Return the criterion with *code* (KeyError when the rubric has none)."""
        for criterion in self.criteria:
            if criterion.code == code:
                return criterion
        raise KeyError(code)

    @classmethod
    def from_dict(cls, data: Mapping) -> RubricDefinition:
        """Read a definition (a parsed rubric file or a stored one); refuse it with every
        problem named when it breaks a rule."""
        problems: list[str] = []
        if not isinstance(data, Mapping):
            raise RubricDefinitionError(["a rubric is a table of code, version, stage_kind, "
                                         "name, description and criteria"])
        _unknown_keys(data, {"code", "version", "stage_kind", "name", "description", "criteria"},
                      "rubric", problems)
        code = _code(data.get("code"), "code", problems)
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            problems.append(f"version: must be a whole number from 1, not {version!r}")
        stage_kind = data.get("stage_kind")
        if not isinstance(stage_kind, str) or not _CODE.match(stage_kind):
            problems.append(f"stage_kind: must name a stage kind, not {stage_kind!r}")
        name = _texts(data.get("name"), "name", problems)
        description = _texts(data.get("description"), "description", problems)
        raw_criteria = data.get("criteria")
        criteria: list[Criterion] = []
        if not isinstance(raw_criteria, list) or not raw_criteria:
            problems.append("criteria: a rubric has at least one criterion")
        else:
            for index, raw in enumerate(raw_criteria):
                criterion = _criterion(raw, index, problems)
                if criterion is not None:
                    criteria.append(criterion)
            seen: set[str] = set()
            for criterion in criteria:
                if criterion.code in seen:
                    problems.append(f"criterion {criterion.code}: the code is used twice")
                seen.add(criterion.code)
        if problems:
            raise RubricDefinitionError(problems)
        return cls(code=code, version=version, stage_kind=stage_kind, name=name,
                   description=description, criteria=tuple(criteria))

    def to_dict(self) -> dict:
        """Return the definition as JSON-ready data (what the Rubric row stores)."""
        return {"code": self.code, "version": self.version, "stage_kind": self.stage_kind,
                "name": dict(self.name), "description": dict(self.description),
                "criteria": [c.to_dict() for c in self.criteria]}


def _unknown_keys(data: Mapping, known: set[str], where: str, problems: list[str]) -> None:
    unknown = sorted(str(key) for key in set(data) - known)
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")


def _code(value, where: str, problems: list[str]) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        problems.append(f"{where}: 2 to 50 lower-case letters, digits or _, "
                        f"starting with a letter, not {value!r}")
        return ""
    return value


def _texts(value, where: str, problems: list[str]) -> dict[str, str]:
    """Return {"zh": …, "en": …} from *value*, each text trimmed and present."""
    if not isinstance(value, Mapping):
        problems.append(f"{where}: needs a zh and an en text")
        return {}
    _unknown_keys(value, set(LANGUAGES), f"{where}: language", problems)
    texts = {}
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: the {language} text is missing")
        else:
            texts[language] = text.strip()
    return texts


def _criterion(raw, index: int, problems: list[str]) -> Criterion | None:
    if not isinstance(raw, Mapping):
        problems.append(f"criteria[{index}]: a criterion is a table")
        return None
    raw_code = raw.get("code")
    where = f"criterion {raw_code}" if isinstance(raw_code, str) and raw_code else (
        f"criteria[{index}]")
    before = len(problems)
    _unknown_keys(raw, {"code", "name", "question", "descriptors", "expectations", "probes"},
                  where, problems)
    code = _code(raw_code, f"{where}: code", problems)
    name = _texts(raw.get("name"), f"{where}: name", problems)
    question = _texts(raw.get("question"), f"{where}: question", problems)
    descriptors = _keyed_texts(raw.get("descriptors"), {str(s): s for s in SCORES},
                               f"{where}: descriptor for score", problems)
    expectations = _keyed_texts(raw.get("expectations"), {level: level for level in LEVELS},
                                f"{where}: expectation at level", problems)
    raw_probes = raw.get("probes", [])
    probes = []
    if not isinstance(raw_probes, list):
        problems.append(f"{where}: probes: a list of follow-up questions")
    else:
        probes = [_texts(p, f"{where}: probe {i + 1}", problems) for i, p in enumerate(raw_probes)]
    if len(problems) > before:
        return None
    return Criterion(code=code, name=name, question=question, descriptors=descriptors,
                     expectations=expectations, probes=tuple(probes))


def _keyed_texts(value, keys: dict[str, object], where: str, problems: list[str]) -> dict:
    """Return {key: texts} for exactly *keys* (given as text, e.g. "1" -> 1, "junior")."""
    if not isinstance(value, Mapping):
        problems.append(f"{where}: needs one entry for each of {', '.join(keys)}")
        return {}
    given = {str(key): texts for key, texts in value.items()}
    unknown = sorted(set(given) - set(keys))
    if unknown:
        problems.append(f"{where} {', '.join(unknown)}: there is no such "
                        f"{where.rsplit(' ', 1)[-1]} (only {', '.join(keys)})")
    result = {}
    for text_key, key in keys.items():
        if text_key not in given:
            problems.append(f"{where} {text_key}: missing")
        else:
            result[key] = _texts(given[text_key], f"{where} {text_key}", problems)
    return result


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submission: the field it concerns and what is wrong."""

    field: str    # "score:<criterion>", "evidence:<criterion>", "recommendation", "level"
    code: str     # "score_missing", "score_invalid", "evidence_required",
                  # "recommendation_missing", "recommendation_invalid", "level_missing",
                  # "level_invalid", "unknown_criterion"


def submission_problems(definition: RubricDefinition, scores: Mapping[str, int | None],
                        evidence: Mapping[str, str], recommendation: str | None,
                        level: str | None) -> list[Problem]:
    """Return what stops this scorecard from being submitted, in the rubric's order: every
    criterion scored 1–4, evidence for a 1 or a 4, a recommendation and a level."""
    problems = []
    for criterion in definition.criteria:
        score = scores.get(criterion.code)
        if score is None or score == "":
            problems.append(Problem(f"score:{criterion.code}", "score_missing"))
        elif isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
            problems.append(Problem(f"score:{criterion.code}", "score_invalid"))
        elif score in EVIDENCE_REQUIRED_SCORES and not (evidence.get(criterion.code) or "").strip():
            problems.append(Problem(f"evidence:{criterion.code}", "evidence_required"))
    known = set(definition.criterion_codes)
    for kind, given in (("score", scores), ("evidence", evidence)):
        problems += [Problem(f"{kind}:{code}", "unknown_criterion")
                     for code in sorted(set(given) - known)]
    problems += _choice_problem("recommendation", recommendation, RECOMMENDATIONS)
    problems += _choice_problem("level", level, LEVELS)
    return problems


def _choice_problem(field: str, value: str | None, allowed: tuple[str, ...]) -> list[Problem]:
    if value is None or value == "":
        return [Problem(field, f"{field}_missing")]
    if value not in allowed:
        return [Problem(field, f"{field}_invalid")]
    return []
