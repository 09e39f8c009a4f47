"""Rubrics: load the versioned files of scheduler/rubrics/ into the Rubric table, and find the
rubric a stage's new feedback is written on (DESIGN.md §9).

A file is `<code>.v<version>.toml`; it must match schema.json and the domain's own rules
(`RubricDefinition.from_dict`). A loaded version is never changed: a file whose (code, version)
is stored with other content is refused, so a change is a new version, and feedback keeps the
version it was written on while new feedback takes the latest.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import jsonschema
import sqlalchemy as sa

from scheduler.domain.rubric import RubricDefinition, RubricDefinitionError
from scheduler.extensions import db
from scheduler.models import Rubric, StageTemplate, User
from scheduler.services.audit import record_event
from scheduler.services.errors import N_, ServiceError

RUBRICS_DIRECTORY = Path(__file__).resolve().parents[1] / "rubrics"
SCHEMA_PATH = RUBRICS_DIRECTORY / "schema.json"
_FILE_NAME = re.compile(r"^(?P<code>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.toml$")


class RubricError(ServiceError):
    """A rubric file was refused; nothing was loaded."""

    messages = {
        "invalid_file": N_("The rubric file %(file)s is invalid: %(problem)s"),
        "changed_file": N_("The rubric file %(file)s differs from %(rubric_code)s version "
                           "%(version)d, which is already loaded and may have feedback: put the "
                           "change in a new version, %(rubric_code)s.v%(next)d.toml."),
    }


@dataclass
class LoadReport:
    """What a load did: the versions it added and those already stored unchanged."""

    loaded: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)

    def __str__(self) -> str:
        def names(pairs):
            return ", ".join(f"{code} v{version}" for code, version in pairs) or "none"

        return f"Rubrics loaded: {names(self.loaded)}; already loaded: {names(self.unchanged)}."


def load_rubric_files(now: datetime, directory: Path | None = None, *,
                      actor: User | str = "rubric files") -> LoadReport:
    """Check every rubric file in *directory* (default scheduler/rubrics/) and add the versions
    not yet stored; refuse the lot, naming each bad file and its problem, when any is invalid or
    changes a stored version. Running it twice changes nothing."""
    directory = Path(directory or RUBRICS_DIRECTORY)
    definitions, refusals = {}, []
    for path in sorted(directory.glob("*.toml")):
        try:
            definitions[path.name] = read_rubric_file(path)
        except RubricError as refusal:
            refusals.append(refusal)
    stored = {(r.code, r.version): r for r in db.session.scalars(sa.select(Rubric))}
    first_kinds = _first_stage_kinds(stored.values(), definitions.values())
    report, new = LoadReport(), []
    for file_name, definition in definitions.items():
        key = (definition.code, definition.version)
        row = stored.get(key)
        first_version, first_kind = first_kinds[definition.code]
        if definition.stage_kind != first_kind:
            # A stage names a rubric by its code: every version must score the same kind.
            refusals.append(RubricError(
                "invalid_file", file_name, file=file_name,
                problem=f"version {first_version} of {definition.code} scores {first_kind}, "
                        f"so every version does, not {definition.stage_kind}"))
        elif row is None:
            new.append(definition)
        elif any(getattr(row, name) != value for name, value in _columns(definition).items()):
            refusals.append(RubricError("changed_file", file_name, file=file_name,
                                        rubric_code=definition.code,
                                        version=definition.version,
                                        next=_next_version(definition.code, stored, definitions)))
        else:
            report.unchanged.append(key)
    if refusals:
        raise RubricError.together(refusals)
    for definition in new:
        rubric = Rubric(**_columns(definition), created_at=now)
        db.session.add(rubric)
        db.session.flush()
        record_event(actor, "rubric.loaded", rubric, now=now,
                     after={"code": rubric.code, "version": rubric.version})
        report.loaded.append((definition.code, definition.version))
    return report


def read_rubric_file(path: Path) -> RubricDefinition:
    """Read and check one rubric file; refuse it with its name and every problem found."""
    definition, problems = _read(path)
    if problems:
        raise RubricError("invalid_file", path.name, file=path.name, problem="; ".join(problems))
    return definition


def _read(path: Path) -> tuple[RubricDefinition | None, list[str]]:
    """Return the file's definition, or None and what is wrong with it: not TOML, against the
    schema, against the domain's rules, or misnamed."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return None, [f"not readable TOML ({error})"]
    errors = sorted(_schema_validator().iter_errors(data),
                    key=lambda error: [str(step) for step in error.absolute_path])
    if errors:
        return None, [f"{_where(e.absolute_path, data)}: {e.message}" for e in errors]
    try:
        definition = RubricDefinition.from_dict(data)
    except RubricDefinitionError as error:
        return None, list(error.problems)
    expected = f"{definition.code}.v{definition.version}.toml"
    if path.name != expected:
        return None, [f"the file of {definition.code} version {definition.version} "
                      f"is named {expected}"]
    return definition, []


@cache
def _schema_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _where(path, data) -> str:
    """Name a place in a rubric file: "criterion leakage → descriptors → 3", not "criteria/2/…"."""
    parts, node = [], data
    for step in path:
        node = node[step] if isinstance(node, (dict, list)) else None
        if isinstance(step, int) and parts and parts[-1] == "criteria":
            code = node.get("code") if isinstance(node, dict) else None
            parts[-1] = f"criterion {code}" if isinstance(code, str) else f"criteria[{step}]"
        else:
            parts.append(str(step))
    return " → ".join(parts) or "the file"


def _columns(definition: RubricDefinition) -> dict:
    """Return the Rubric row's columns for *definition* (what a stored version must equal)."""
    return {"code": definition.code, "version": definition.version,
            "stage_kind": definition.stage_kind, "name_zh": definition.name["zh"],
            "name_en": definition.name["en"], "definition": definition.to_dict()}


def _first_stage_kinds(rows, definitions) -> dict[str, tuple[int, str]]:
    """Return, per rubric code, the lowest version known (stored or in a file) and its kind."""
    first: dict[str, tuple[int, str]] = {}
    for code, version, kind in [(r.code, r.version, r.stage_kind) for r in rows] + [
            (d.code, d.version, d.stage_kind) for d in definitions]:
        if code not in first or version < first[code][0]:
            first[code] = (version, kind)
    return first


def _next_version(code: str, stored: dict, definitions: dict) -> int:
    versions = [v for c, v in stored if c == code] + [
        d.version for d in definitions.values() if d.code == code]
    return max(versions) + 1


def latest_rubric(code: str) -> Rubric | None:
    """Return the newest stored version of the rubric *code*, else None."""
    return db.session.scalar(sa.select(Rubric).where(Rubric.code == code)
                             .order_by(Rubric.version.desc()).limit(1))


def rubric_for_stage(stage: StageTemplate) -> Rubric | None:
    """Return the rubric new feedback on *stage* is written on: the latest version of the
    rubric the stage names (None when it names none)."""
    if stage.rubric_id is None:
        return None
    return latest_rubric(stage.rubric.code)


def rubric_definition(rubric: Rubric) -> RubricDefinition:
    """Return the definition stored on *rubric*."""
    return RubricDefinition.from_dict(rubric.definition)


def rubric_choices(stage_kind: str | None = None) -> list[Rubric]:
    """Return the latest version of each rubric (for *stage_kind* only, when given), by code:
    the choices of a stage's rubric select (label each with `localized(rubric)`)."""
    newest = (sa.select(Rubric.code, sa.func.max(Rubric.version).label("version"))
              .group_by(Rubric.code).subquery())
    query = (sa.select(Rubric)
             .join(newest, sa.and_(Rubric.code == newest.c.code,
                                   Rubric.version == newest.c.version))
             .order_by(Rubric.code))
    if stage_kind is not None:
        query = query.where(Rubric.stage_kind == stage_kind)
    return list(db.session.scalars(query))
