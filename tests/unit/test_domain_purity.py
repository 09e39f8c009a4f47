"""scheduler/domain is pure: no web or database stack, only the standard library and the
holiday data packages (tests/unit/test_clock.py checks that it never reads the clock)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "scheduler" / "domain"
ALLOWED_THIRD_PARTY = {"chinese_calendar", "holidays"}


def test_importing_the_engine_loads_neither_flask_nor_sqlalchemy():
    # A fresh interpreter: this test process may already have Flask loaded by other tests.
    code = ("import scheduler.domain.slots, scheduler.domain.availability, "
            "scheduler.domain.workdays, sys; "
            "loaded = sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy')); "
            "assert not loaded, loaded")
    result = subprocess.run([sys.executable, "-c", code], cwd=DOMAIN.parents[1],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module)
    return roots


def test_domain_modules_import_only_the_standard_library_and_holiday_data():
    modules = sorted(DOMAIN.glob("*.py"))
    assert {"slots.py", "availability.py", "workdays.py"} <= {m.name for m in modules}
    for module in modules:
        for name in _imported_roots(module):
            root = name.split(".")[0]
            if root == "scheduler":
                assert name.startswith("scheduler.domain"), f"{module.name} imports {name}"
            else:
                assert root in sys.stdlib_module_names or root in ALLOWED_THIRD_PARTY, (
                    f"{module.name} imports {name}")

