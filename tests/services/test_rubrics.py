"""Rubric files: every shipped file is valid; a broken or changed file is refused by name with its
problem and nothing is written; loading is idempotent; a new version becomes the latest while
feedback keeps the version it was written on; the command line; the demo's stages."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa

from scheduler.demo import load_demo
from scheduler.domain.rubric import LEVELS, SCORES
from scheduler.models import AuditEvent, Requisition, Rubric
from scheduler.models.requisition import STAGE_KINDS
from scheduler.services.rubrics import (
    RUBRICS_DIRECTORY, SCHEMA_PATH, RubricError, latest_rubric, load_rubric_files,
    read_rubric_file, rubric_choices, rubric_definition, rubric_for_stage,
)
from tests import factories as f

RUBRIC_FILES = sorted(RUBRICS_DIRECTORY.glob("*.toml"))
SAMPLE = RUBRICS_DIRECTORY / "hr_final.v1.toml"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_schema_is_valid_draft_2020_12_and_names_every_stage_kind_but_the_offer():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]["stage_kind"]["enum"]) == set(STAGE_KINDS) - {"offer"}


def test_the_five_rubrics_of_the_ml_engineer_process_ship():
    assert {path.name.split(".")[0] for path in RUBRIC_FILES} >= {
        "ml_system_design", "ml_project_deep_dive", "hr_phone_screen", "coding_test_review",
        "hr_final"}


def _all_texts(definition):
    yield "name", definition.name
    yield "description", definition.description
    for c in definition.criteria:
        yield f"{c.code} name", c.name
        yield f"{c.code} question", c.question
        for score in SCORES:
            yield f"{c.code} score {score}", c.descriptors[score]
        for level in LEVELS:
            yield f"{c.code} {level}", c.expectations[level]
        for i, probe in enumerate(c.probes, 1):
            yield f"{c.code} probe {i}", probe


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: p.name)
def test_every_rubric_file_passes_the_schema_and_the_domain_checks(path):
    definition = read_rubric_file(path)     # schema.json, then RubricDefinition.from_dict
    assert path.name == f"{definition.code}.v{definition.version}.toml"
    assert definition.criteria
    # Each text is in its own language: Chinese in zh, no Chinese in en (a swap is a typo).
    swapped = [where for where, texts in _all_texts(definition)
               if not _CJK.search(texts["zh"]) or _CJK.search(texts["en"])]
    assert swapped == []


def _copy(tmp_path: Path, text: str | None = None, name: str = SAMPLE.name) -> Path:
    directory = tmp_path / "rubrics"
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text if text is not None else SAMPLE.read_text(encoding="utf-8"),
                                  encoding="utf-8")
    return directory


def _without_line(text: str, start: str) -> str:
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(start))
    return "".join(lines[:index] + lines[index + 1:])


SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")
BROKEN = {
    "missing descriptor": (
        _without_line(_without_line(SAMPLE_TEXT, "descriptors.3.zh"), "descriptors.3.en"),
        "criterion motivation → descriptors: '3' is a required property"),
    "score 0": (SAMPLE_TEXT.replace("descriptors.1.", "descriptors.0.", 2),
                "criterion motivation → descriptors: Additional properties are not allowed "
                "('0' was unexpected)"),
    "score 5": (SAMPLE_TEXT.replace("descriptors.4.", "descriptors.5.", 2),
                "criterion motivation → descriptors: Additional properties are not allowed "
                "('5' was unexpected)"),
    "missing language": (_without_line(SAMPLE_TEXT, "question.en"),
                         "criterion motivation → question: 'en' is a required property"),
    "duplicate criterion": (SAMPLE_TEXT.replace('code = "collaboration"', 'code = "motivation"'),
                            "criterion motivation: the code is used twice"),
    "unknown level": (SAMPLE_TEXT.replace("expectations.senior.", "expectations.principal.", 2),
                      "criterion motivation → expectations: Additional properties are not "
                      "allowed ('principal' was unexpected)"),
    "not toml": (SAMPLE_TEXT.replace("version = 1", "version = "), "not readable TOML"),
    "wrong file name": (SAMPLE_TEXT.replace("version = 1", "version = 3"),
                        "the file of hr_final version 3 is named hr_final.v3.toml"),
}


@pytest.mark.parametrize("case", BROKEN, ids=str)
def test_a_broken_file_is_refused_with_its_name_and_problem_and_nothing_is_written(
        db, now, tmp_path, case):
    text, problem = BROKEN[case]
    directory = _copy(tmp_path, text)
    _copy(tmp_path, SAMPLE_TEXT.replace('code = "hr_final"', 'code = "hr_final_ok"'),
          name="hr_final_ok.v1.toml")               # a good file beside it is not loaded either
    with pytest.raises(RubricError) as refused:
        load_rubric_files(now, directory)
    assert refused.value.code == "invalid_file"
    message = refused.value.message
    assert message.startswith("The rubric file hr_final.v1.toml is invalid: "), message
    assert problem in message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rubric)) == 0


def test_loading_twice_adds_nothing_the_second_time(db, now):
    first = load_rubric_files(now)
    db.session.commit()
    assert len(first.loaded) == len(RUBRIC_FILES) and first.unchanged == []
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert events == len(RUBRIC_FILES)
    second = load_rubric_files(now)
    db.session.commit()
    assert second.loaded == [] and sorted(second.unchanged) == sorted(first.loaded)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rubric)) == len(RUBRIC_FILES)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events


def test_a_loaded_version_cannot_be_changed_only_followed(db, now, tmp_path):
    directory = _copy(tmp_path)
    load_rubric_files(now, directory)
    db.session.commit()
    _copy(tmp_path, SAMPLE_TEXT.replace("求职动机", "求职动因"))
    with pytest.raises(RubricError) as refused:
        load_rubric_files(now, directory)
    assert refused.value.code == "changed_file"
    assert refused.value.message == (
        "The rubric file hr_final.v1.toml differs from hr_final version 1, which is already "
        "loaded and may have feedback: put the change in a new version, hr_final.v2.toml.")
    assert rubric_definition(latest_rubric("hr_final")).criteria[0].name["zh"] == "求职动机"


def test_comments_and_layout_are_not_content(db, now, tmp_path):
    directory = _copy(tmp_path)
    load_rubric_files(now, directory)
    _copy(tmp_path, "# A note for the next author.\n" + SAMPLE_TEXT)
    assert load_rubric_files(now, directory).unchanged == [("hr_final", 1)]


def test_a_new_version_becomes_the_latest_and_old_feedback_keeps_its_own(db, now, tmp_path):
    directory = _copy(tmp_path)
    load_rubric_files(now, directory)
    v1 = latest_rubric("hr_final")
    stage = f.make_requisition(stages=[{"kind": "hr_final", "rubric_id": v1.id}]).stages[0]
    interviewer = f.make_interviewer(qualifications={"hr_final": "qualified"})
    interview = f.make_interview(f.make_application(requisition=stage.requisition), stage=stage,
                                 panel=[interviewer])
    feedback = f.make_feedback(interview, interviewer, rubric=rubric_for_stage(stage),
                               scores={"motivation": 3})
    db.session.commit()

    v2_text = SAMPLE_TEXT.replace("version = 1", "version = 2").replace("求职动机", "求职动因")
    _copy(tmp_path, v2_text, name="hr_final.v2.toml")
    report = load_rubric_files(now, directory)
    db.session.commit()
    assert report.loaded == [("hr_final", 2)] and report.unchanged == [("hr_final", 1)]
    v2 = latest_rubric("hr_final")
    assert v2.version == 2 and rubric_for_stage(stage) == v2
    assert stage.rubric_id == v1.id                      # the stage still names the rubric
    db.session.expire_all()
    assert feedback.rubric_id == v1.id
    assert rubric_definition(feedback.rubric).criteria[0].name["zh"] == "求职动机"
    assert [(r.code, r.version) for r in rubric_choices("hr_final")] == [("hr_final", 2)]


def test_rubric_choices_offer_the_latest_of_each_code_for_a_kind(db, now):
    load_rubric_files(now)
    assert [r.code for r in rubric_choices("system_design")] == ["ml_system_design"]
    assert [r.code for r in rubric_choices()] == sorted(p.name.split(".")[0] for p in RUBRIC_FILES)
    assert rubric_for_stage(f.make_requisition(stages=[{"kind": "offer"}]).stages[0]) is None


def test_the_command_loads_then_reports_nothing_new(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["rubrics", "load"])
    assert result.exit_code == 0, result.output
    assert "Rubrics loaded: " in result.output and "ml_system_design v1" in result.output
    result = runner.invoke(args=["rubrics", "load"])
    assert result.exit_code == 0, result.output
    assert "Rubrics loaded: none; already loaded: " in result.output


def test_the_command_refuses_a_broken_file_by_name(app, db, tmp_path):
    directory = _copy(tmp_path, BROKEN["score 5"][0])
    result = app.test_cli_runner().invoke(args=["rubrics", "load", "--directory", str(directory)])
    assert result.exit_code != 0
    assert "hr_final.v1.toml is invalid" in result.output and "'5' was unexpected" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rubric)) == 0


def test_the_demo_gives_each_interview_stage_its_rubric_and_loads_twice(db, now):
    load_demo(now)
    load_demo(now)
    db.session.commit()
    requisition = db.session.scalars(sa.select(Requisition)).one()
    named = {s.kind: (s.rubric.code if s.rubric else None) for s in requisition.stages}
    assert named == {"phone_screen": "hr_phone_screen", "coding_test": "coding_test_review",
                     "system_design": "ml_system_design",
                     "project_deep_dive": "ml_project_deep_dive", "hr_final": "hr_final",
                     "offer": None}
    assert all(s.rubric.stage_kind == s.kind for s in requisition.stages if s.rubric)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rubric)) == len(RUBRIC_FILES)


def test_a_new_version_cannot_score_another_stage_kind(db, now, tmp_path):
    directory = _copy(tmp_path)
    load_rubric_files(now, directory)
    v2_text = SAMPLE_TEXT.replace("version = 1", "version = 2").replace(
        'stage_kind = "hr_final"', 'stage_kind = "phone_screen"')
    _copy(tmp_path, v2_text, name="hr_final.v2.toml")
    with pytest.raises(RubricError) as refused:
        load_rubric_files(now, directory)
    assert refused.value.message == (
        "The rubric file hr_final.v2.toml is invalid: version 1 of hr_final scores hr_final, "
        "so every version does, not phone_screen")
    assert latest_rubric("hr_final").version == 1


def test_the_demo_command_refuses_a_changed_rubric_file_by_name(app, db, now, tmp_path,
                                                               monkeypatch):
    import scheduler.services.rubrics as rubrics

    directory = _copy(tmp_path)
    monkeypatch.setattr(rubrics, "RUBRICS_DIRECTORY", directory)
    load_rubric_files(now, directory)
    db.session.commit()
    _copy(tmp_path, SAMPLE_TEXT.replace("求职动机", "求职动因"))
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "hr_final.v1.toml differs from hr_final version 1" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Requisition)) == 0
