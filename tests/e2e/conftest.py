"""Browser-test harness: Playwright drives Debian's chromium against the real app on loopback.

The app runs on a migrated SQLite file with the demo loaded, served by werkzeug in a thread on
a free loopback port; each test gets its own copy of that database. Browser tests run on SQLite
only. Screenshots go to tests/artifacts/<test>/ (ignored by git).
"""
from __future__ import annotations

import re
import shutil
import threading
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


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture
def live_server(demo_database, tmp_path):
    """Serve the real app on its own copy of the demo database at http://127.0.0.1:<port>."""
    path = tmp_path / "live.db"
    shutil.copy(demo_database, path)
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

