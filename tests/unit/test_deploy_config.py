"""deploy/gunicorn.conf.py, which the README's production command uses (issue 26 item 3): threaded
workers with a 30 s keep-alive (gthread's default 2 s reset 19 of 900 POSTs in bursts), and
gunicorn's own access log off, since it would print capability tokens in paths (the app's
redacted request log replaces it). The examples run what the README says."""
from __future__ import annotations

import logging
import os
import runpy
import subprocess
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_gunicorn_config_keeps_connections_and_logs_no_paths(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings["worker_class"] == "gthread"
    assert settings["keepalive"] == 30
    assert settings["accesslog"] is None
    assert settings["workers"] >= 2 and settings["threads"] >= 2


def test_gunicorn_config_sends_the_request_log_to_stderr(monkeypatch):
    logger = logging.getLogger("scheduler")
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["on_starting"](None)
    assert logging.getLogger("scheduler.requests").getEffectiveLevel() == logging.INFO
    assert [type(h) for h in logger.handlers] == [logging.StreamHandler]


def test_the_examples_migrate_then_serve_with_that_config_and_run_jobs():
    procfile = (DEPLOY / "Procfile").read_text()
    assert "release: flask --app wsgi db upgrade" in procfile
    assert "gunicorn --config deploy/gunicorn.conf.py" in procfile
    assert "jobs: flask --app wsgi jobs run" in procfile
    web = (DEPLOY / "systemd" / "scheduler-web.service").read_text()
    assert "ExecStartPre=/srv/scheduler/.venv/bin/flask --app wsgi db upgrade" in web
    assert "gunicorn --config deploy/gunicorn.conf.py wsgi:app" in web
    jobs = (DEPLOY / "systemd" / "scheduler-jobs@.service").read_text()
    assert "flask --app wsgi jobs run" in jobs


def test_the_wsgi_entry_point_freezes_its_start_up_objects(tmp_path):
    # In a process of its own: importing wsgi builds the production app from the environment.
    script = "import gc, wsgi; print(gc.get_freeze_count())"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
           "INSTANCE_PATH": str(tmp_path)}
    env.pop("FLASK_ENV", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=DEPLOY.parent, env=env,
                            capture_output=True, text=True, check=True)
    assert int(result.stdout.strip().splitlines()[-1]) > 10_000
