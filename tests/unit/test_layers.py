"""The one-way flow of DESIGN.md §3, checked on the source: web or job -> service -> domain.

Every import counts, including those inside functions. Lower layers (services, models, the
calendar, invite and mail adapters, jobs) never reach for the request — `flask.request`,
`flask.session`, `flask_login.current_user` — nor for a blueprint or the web-only helpers;
blueprints never import each other; and no module imports itself back through others. A
package's `__init__` importing its own view modules to register routes is the one allowed loop.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "scheduler"
BLUEPRINTS = ("admin", "auth", "availability", "candidate", "coordinator", "feeds", "health",
              "interviewer", "public")
LOWER_LAYERS = ("scheduler.services", "scheduler.models", "scheduler.calendars",
                "scheduler.domain", "scheduler.ical", "scheduler.mail", "scheduler.jobs",
                "scheduler.formatting", "scheduler.timeutil")
# The request, and the web layer's own modules, are off limits below the web.
REQUEST_NAMES = {("flask", "request"), ("flask", "session"), ("flask", "g"),
                 ("flask_login", "current_user")}
WEB_ONLY = tuple(f"scheduler.{name}" for name in BLUEPRINTS) + ("scheduler.web", "scheduler.i18n")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(name: str) -> str:
    """Return the scheduler module that *name* (a module or a name in one) refers to."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def imports_of(module: str) -> list[tuple[str, str | None]]:
    """Return (module, imported name or None) for every import in *module*, nested ones too."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found += [(base, alias.name) for alias in node.names]
    return found


def _edges(module: str) -> set[str]:
    targets = set()
    for base, name in imports_of(module):
        if not base.startswith("scheduler"):
            continue
        full = f"{base}.{name}" if name and f"{base}.{name}" in MODULES else base
        target = _resolve(full)
        # A package registering its own views (or re-exporting its own modules) is fine.
        if target and target != module and not target.startswith(module + "."):
            targets.add(target)
    return targets


def _layer_of(module: str) -> str | None:
    return next((layer for layer in LOWER_LAYERS
                 if module == layer or module.startswith(layer + ".")), None)


def _blueprint_of(module: str) -> str | None:
    return next((name for name in BLUEPRINTS
                 if module in (f"scheduler.{name}",) or module.startswith(f"scheduler.{name}.")),
                None)


def test_the_checker_sees_the_layers_it_guards():
    assert {"scheduler.services.booking", "scheduler.coordinator", "scheduler.domain.slots",
            "scheduler.jobs"} <= set(MODULES)
    assert all(f"scheduler.{name}" in MODULES for name in BLUEPRINTS)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer_of(m)))
def test_lower_layers_never_read_the_request_or_the_web_layer(module):
    offending = [f"{base}.{name}" if name else base for base, name in imports_of(module)
                 if (base, name) in REQUEST_NAMES
                 or (_resolve(f"{base}.{name}" if name else base) or "").startswith(WEB_ONLY)]
    assert offending == [], f"{module} imports {offending}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _blueprint_of(m)))
def test_blueprints_never_import_each_other(module):
    own = _blueprint_of(module)
    others = sorted(t for t in _edges(module) if _blueprint_of(t) not in (None, own))
    assert others == [], f"{module} imports {others}"


def _cycles() -> list[list[str]]:
    """Return every strongly connected group of two or more modules (Tarjan)."""
    graph = {m: _edges(m) for m in MODULES}
    index, low, stack, on_stack, groups, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def _is_package_with_its_views(group: list[str]) -> bool:
    # A blueprint package imports its view modules, which import `bp` from the package.
    package = min(group, key=len)
    return all(m == package or m.startswith(package + ".") for m in group) and (
        package.removeprefix("scheduler.") in BLUEPRINTS)


def test_no_import_cycles_even_through_imports_inside_functions():
    assert [g for g in _cycles() if not _is_package_with_its_views(g)] == []


def test_every_module_is_small_enough_to_read_except_the_engine():
    # DESIGN.md §3: split by noun; the engine's one sweep stays in one place.
    too_long = {name: lines for name, path in MODULES.items()
                if name != "scheduler.domain.slots"
                and (lines := len(path.read_text(encoding="utf-8").splitlines())) > 450}
    assert too_long == {}


def test_availability_and_slots_each_name_one_module():
    # Once three availability.py meant free-time maths, slot search and pages.
    # (The pages are the `scheduler/availability/` blueprint package: the same noun, another layer.)
    for basename in ("availability.py", "slots.py"):
        assert [name for name, path in MODULES.items() if path.name == basename] == [
            f"scheduler.domain.{basename.removesuffix('.py')}"]
