"""One way to refuse: every refusal a service raises is a ServiceError subclass whose message
for each code it raises is beside the class, in both languages; the engine's slot problems are
translated too."""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from scheduler.domain import slots as engine_slots
from scheduler.services.errors import ServiceError

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "scheduler" / "services"
ZH_PO = ROOT / "scheduler" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
# Not refusals a user sees: guards against programming mistakes (searching for no stage, a
# ServiceError raised with a code that has no message).
# A deployment without its privacy notice files is broken, not a refusal anyone could act on.
PROGRAMMING_ERRORS = {("slot_search", "ValueError"), ("errors", "KeyError"),
                      ("privacy_notices", "FileNotFoundError")}


def _dotted(node) -> str | None:
    """Return "a.b.c" for the expression a.b.c, None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head is not None else None
    return None


def _raised(module, dotted: str | None):
    """Return what `raise <dotted>(...)` raises in *module*: a class (also one reached through a
    module, as `booking.SlotTaken`), or the class whose classmethod builds the refusal (as
    `SlotTaken.with_fresh_slots`); None for anything else, such as a plain function."""
    value = module
    for part in (dotted or "").split("."):
        value = getattr(value, part, None)
    if inspect.ismethod(value) and isinstance(value.__self__, type):
        return value.__self__
    return value if isinstance(value, type) else None


def _raised_classes(path: Path, module):
    """Yield (name as written, class raised or None, first positional argument or None) for
    each `raise Name(...)`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            dotted = _dotted(node.exc.func)
            first = node.exc.args[0] if node.exc.args else None
            yield (dotted, _raised(module, dotted),
                   first.value if isinstance(first, ast.Constant) else None)


def _service_modules():
    return sorted(p for p in SERVICES.glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", _service_modules(), ids=lambda p: p.stem)
def test_services_refuse_only_with_service_errors_whose_codes_have_messages(path):
    module = importlib.import_module(f"scheduler.services.{path.stem}")
    for name, raised, code in _raised_classes(path, module):
        if (path.stem, name) in PROGRAMMING_ERRORS:
            continue
        assert raised is not None and issubclass(raised, ServiceError), (
            f"services/{path.name} raises {name}, which is not a ServiceError")
        if code is not None:
            assert code in raised.messages, f"{name}({code!r}) has no message beside the class"


def test_a_refusal_renders_its_message_with_its_parameters_and_refuses_unknown_codes(app):
    class Refusal(ServiceError):
        messages = {"late": "%(day)s has already passed (%(count)d left)."}

    assert Refusal("late", "day", day="2026-12-01", count=2).message == (
        "2026-12-01 has already passed (2 left).")
    with pytest.raises(KeyError):
        Refusal("no-such-code")


def _subclasses(cls: type):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_every_refusal_and_every_engine_problem_has_a_chinese_translation():
    for path in _service_modules():
        importlib.import_module(f"scheduler.services.{path.stem}")
    # The app's refusals only: a test's own subclass (as below) is not in the catalogue.
    refusals = [cls for cls in _subclasses(ServiceError) if cls.__module__.startswith("scheduler.")]
    assert len(refusals) >= 10  # the walk really found the services' refusals
    wanted = {f"{cls.__name__}.{code}": msgid
              for cls in refusals for code, msgid in cls.messages.items()}
    wanted |= {f"slot problem {code}": msgid
               for code, msgid in engine_slots._PROBLEM_MESSAGES.items()}
    with ZH_PO.open("rb") as handle:
        catalog = {m.id: m.string for m in read_po(handle, locale="zh")
                   if m.id and "fuzzy" not in m.flags}
    missing = sorted(name for name, msgid in wanted.items() if not catalog.get(msgid))
    assert not missing, f"no Chinese translation in messages.po for: {missing}"
