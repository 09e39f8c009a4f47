"""Browser-test harness: Playwright drives Debian's chromium against the real app on loopback.

The app runs on a migrated SQLite file with the demo loaded (`live_server`) — or with nothing in
it but one admin made by `flask users create` (`empty_live_server`) — served by werkzeug in a
thread on a free loopback port; each test gets its own copy of that database. Browser tests run on SQLite
only. Screenshots go to tests/artifacts/<test>/ (ignored by git).
"""
from __future__ import annotations

import re
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from scheduler import create_app
from scheduler.extensions import db
from tests.dbutil import app_config
from tests.clock import NOW

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    # Only loopback resolves: the pages must work with no network and no third-party assets.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's chromium (never a downloaded browser); skip when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}: "
                    "apt-get install -y --no-install-recommends chromium fonts-wqy-microhei")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


def _config(path: Path) -> dict:
    # Not TESTING: the browser should see the real error pages.
    return app_config(f"sqlite:///{path}", TESTING=False)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A SQLite file migrated to head with the demo loaded; tests copy it."""
    from flask_migrate import upgrade

    from scheduler.demo import load_demo

    path = tmp_path_factory.mktemp("e2e-template") / "demo.db"
    app = create_app(_config(path))
    with app.app_context():
        upgrade()
        load_demo(NOW)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return path


# The one account of the empty database.
EMPTY_ADMIN = {"email": "ada@example.com", "name": "Ada Admin",
               "password": "a long enough first password"}


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory) -> Path:
    """A SQLite file migrated to head with no demo: only the admin that the real
    `flask users create` command made (EMPTY_ADMIN), as a new team would start."""
    from flask_migrate import upgrade

    path = tmp_path_factory.mktemp("e2e-empty") / "empty.db"
    app = create_app(_config(path))
    with app.app_context():
        upgrade()
        db.session.remove()
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", EMPTY_ADMIN["email"], "--name", EMPTY_ADMIN["name"],
        "--role", "admin", "--zone", "Asia/Shanghai", "--language", "en",
        "--password", EMPTY_ADMIN["password"]])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
    return path


@dataclass
class LiveServer:
    url: str
    app: object


@contextmanager
def _serve(template: Path, tmp_path: Path):
    """Serve the real app on its own copy of *template* at http://127.0.0.1:<port>."""
    path = tmp_path / "live.db"
    shutil.copy(template, path)
    app = create_app(_config(path))
    # Port 0: the operating system picks a free port, read back from the bound socket.
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(demo_database, tmp_path):
    """Serve the real app on its own copy of the demo database."""
    with _serve(demo_database, tmp_path) as server:
        yield server


@pytest.fixture
def empty_live_server(empty_database, tmp_path):
    """Serve the real app on its own copy of the empty database (one admin, nothing else)."""
    with _serve(empty_database, tmp_path) as server:
        yield server


class Screenshots:
    """Saves numbered screenshots of each page a test visits (full-page unless asked)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def take(self, page, name: str, *, full_page: bool = True) -> Path:
        """Save a screenshot named *name* (the full page, or only what the window shows: a
        long page on a phone is otherwise too tall to read) and return its path."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def screenshots(request) -> Screenshots:
    """A fresh tests/artifacts/<test>/ folder for this test's screenshots."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Screenshots(folder)

