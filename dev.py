#!/usr/bin/env python3
"""Set-up and run in one step on a machine with only Python 3.11+.

    python3 dev.py run     # venv + pinned packages, migrate, demo data, web on :5000 (or $PORT)
                           # + job process
    python3 dev.py test    # venv + pinned packages, then the whole test suite on two worker
                           # processes (pytest -n 2 --dist loadfile); extra args go to pytest
                           # and win: `python3 dev.py test -n 0 tests/unit` runs serially

Both install requirements-test.txt, which includes requirements.txt (what production runs) and adds
the test-only packages; production installs requirements.txt alone (README "Deploying").

Only the standard library is used here: this file runs before anything is installed.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".requirements.sha256"
# The file pip installs, then every file it includes: the stamp covers them all.
REQUIREMENTS = ROOT / "requirements-test.txt"
REQUIREMENT_FILES = (ROOT / "requirements.txt", REQUIREMENTS)
TRANSLATIONS = ROOT / "scheduler" / "translations"


def ensure_environment() -> None:
    """Create the virtual environment and install pinned requirements when they changed."""
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = requirements_digest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        print("Installing pinned requirements …", flush=True)
        _run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        _run([PYTHON, "-m", "pip", "install", "--quiet", "-r", REQUIREMENTS])
        STAMP.write_text(digest)
    compile_translations()


def requirements_digest() -> str:
    """Return one hash of every requirements file, so a change to either reinstalls."""
    digest = hashlib.sha256()
    for path in REQUIREMENT_FILES:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def compile_translations() -> None:
    """Build the .mo catalogues from the .po sources (compiled files are never committed)."""
    if any(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        _run([VENV / "bin" / "pybabel", "-q", "compile", "-d", TRANSLATIONS])


def _run(command, **kwargs) -> None:
    subprocess.run([str(c) for c in command], check=True, cwd=ROOT, **kwargs)


def _flask(*args: str) -> list:
    return [VENV / "bin" / "flask", "--app", "wsgi", *args]


def run_app() -> int:
    """Migrate, load the demo data, then run the web server and the job process together."""
    _run(_flask("db", "upgrade"))
    _run(_flask("demo", "load"))
    port = os.environ.get("PORT", "5000")
    jobs = subprocess.Popen([str(c) for c in _flask("jobs", "run")], cwd=ROOT)
    print(f"Serving on http://127.0.0.1:{port}; the job process is running too "
          "(mail goes to instance/mail/*.eml unless SMTP_URL is set). Ctrl-C stops both.",
          flush=True)
    try:
        return subprocess.call(
            [str(c) for c in _flask("run", "--host", "127.0.0.1", "--port", port)], cwd=ROOT)
    except KeyboardInterrupt:
        return 0
    finally:
        jobs.terminate()
        jobs.wait(timeout=10)


# Two pytest-xdist workers, each given whole files (module fixtures, such as two app processes,
# are then built once); a later -n or --dist among the caller's arguments overrides these.
PARALLEL_ARGS = ("-n", "2", "--dist", "loadfile")


def run_tests(pytest_args: list[str]) -> int:
    """Run the suite (all of it unless the arguments say otherwise); the exit status is pytest's."""
    return subprocess.call([str(PYTHON), "-m", "pytest", *PARALLEL_ARGS, *pytest_args], cwd=ROOT)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in ("run", "test"):
        print(__doc__)
        return 2
    ensure_environment()
    return run_app() if argv[1] == "run" else run_tests(argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
