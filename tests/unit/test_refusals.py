"""One way to refuse: every refusal a service raises is a ServiceError subclass whose message
for each code it raises is beside the class, in both languages."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from scheduler.services.errors import ServiceError

SERVICES = Path(__file__).resolve().parents[2] / "scheduler" / "services"
# Not refusals a user sees: guards against programming mistakes (searching for no stage, a
# ServiceError raised with a code that has no message) and a job's own inconsistency, which the
# job runner logs.
PROGRAMMING_ERRORS = {("slot_search", "ValueError"), ("errors", "KeyError"),
                      ("reminders", "LookupError")}


def _raised_classes(path: Path):
    """Yield (class name, first positional argument or None) for each `raise Name(...)`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "of":  # SomeError.of(adapter_error): a classmethod building the refusal
                name = func.value.id if isinstance(func.value, ast.Name) else None
            first = node.exc.args[0] if node.exc.args else None
            yield name, first.value if isinstance(first, ast.Constant) else None


def _service_modules():
    return sorted(p for p in SERVICES.glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", _service_modules(), ids=lambda p: p.stem)
def test_services_refuse_only_with_service_errors_whose_codes_have_messages(path):
    module = importlib.import_module(f"scheduler.services.{path.stem}")
    for name, code in _raised_classes(path):
        if (path.stem, name) in PROGRAMMING_ERRORS:
            continue
        raised = getattr(module, name, None)
        assert isinstance(raised, type) and issubclass(raised, ServiceError), (
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
