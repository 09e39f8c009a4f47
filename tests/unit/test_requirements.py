"""Production installs requirements.txt alone, so it must hold everything the app runs and nothing
only the tests need (issue 26 item 3); requirements-test.txt adds the rest on top of it.

Checked against the installed packages' own metadata: every dependency of a package pinned in
requirements.txt is pinned there too (markers and extras honoured), the test-only packages are
not, and each package is pinned in exactly one of the two files. `.ci/production-install` proves
the same by installing requirements.txt alone into a fresh environment and serving a page.
"""
from __future__ import annotations

import importlib.metadata as metadata
import re
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
TEST_ONLY = {"pytest", "playwright", "radicale", "aiosmtpd", "hypothesis", "execnet"}


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not pinned with =="
            pins[_name(name)] = version
    return pins


def _dependencies(name: str) -> set[str]:
    found = set()
    for text in metadata.distribution(name).requires or []:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            found.add(_name(requirement.name))
    return found


def test_the_test_file_builds_on_the_production_file_without_repeating_it():
    lines = (ROOT / "requirements-test.txt").read_text().splitlines()
    assert "-r requirements.txt" in lines
    production, test = _pins(ROOT / "requirements.txt"), _pins(ROOT / "requirements-test.txt")
    assert not set(production) & set(test)


def test_production_pins_no_test_only_package():
    production = _pins(ROOT / "requirements.txt")
    assert not {n for n in production if n in TEST_ONLY or n.startswith("pytest")}


def test_production_pins_every_dependency_of_what_it_pins():
    production = _pins(ROOT / "requirements.txt")
    missing = {f"{name} needs {dependency}" for name in production
               for dependency in _dependencies(name) if dependency not in production}
    assert not missing, sorted(missing)


def test_the_pins_are_what_is_installed():
    pins = {**_pins(ROOT / "requirements.txt"), **_pins(ROOT / "requirements-test.txt")}
    wrong = {name: (version, metadata.version(name)) for name, version in pins.items()
             if metadata.version(name) != version}
    assert not wrong
