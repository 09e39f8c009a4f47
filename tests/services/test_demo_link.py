"""`flask demo link EMAIL`: a newcomer sees a demo candidate's scheduling link.

The command prints a working link for the candidate's current application through the link
service (a new link for the current stage, or a new token for the live link that holds it), which
emails it too and audits it. Run as the README says, without activating the virtual environment
(`.venv/bin/flask --app wsgi …`), the link follows PORT when BASE_URL is not set.
"""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from scheduler.models import AuditEvent, OutboxMessage
from scheduler.services.links import open_link
from tests import factories as f
from tests.clock import NOW
from tests.dbutil import subprocess_environment

ROOT = Path(__file__).resolve().parents[2]
ACTOR = "command line: flask demo link"


def _token(output: str, base: str = "http://localhost") -> str:
    [token] = re.findall(rf"^{re.escape(base)}/schedule/([A-Za-z0-9_-]+)$", output, re.M)
    return token


def test_it_prints_a_working_link_for_the_current_stage_and_audits_it(app, db):
    candidate = f.make_candidate(email="hannah@example.org", name="Hannah Wright")
    application = f.make_application(candidate=candidate)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo", "link", "HANNAH@example.org"])
    assert result.exit_code == 0, result.output
    assert "Hannah Wright · Machine Learning Engineer · System design" in result.output
    link = open_link(_token(result.output), NOW)
    assert link is not None and link.application_id == application.id
    assert link.stage_ids == [application.current_stage_id]
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "link.created")).one()
    assert (event.actor_label, event.object_id) == (ACTOR, link.id)
    assert db.session.scalars(sa.select(OutboxMessage.to_addr)).all() == ["hannah@example.org"]


def test_run_again_it_renews_the_same_links_token(app, db):
    application = f.make_application(candidate=f.make_candidate(email="hannah@example.org"))
    db.session.commit()
    runner = app.test_cli_runner()
    first = _token(runner.invoke(args=["demo", "link", "hannah@example.org"]).output)
    second = _token(runner.invoke(args=["demo", "link", "hannah@example.org"]).output)
    assert first != second
    assert open_link(first, NOW) is None  # the old token stops working, as after "Resend"
    assert open_link(second, NOW).application_id == application.id
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["link.created", "link.resent"]


def test_it_refuses_what_cannot_have_a_link_and_says_why(app, db):
    f.make_application(candidate=f.make_candidate(email="gone@example.org"), status="withdrawn")
    booked = f.make_application(candidate=f.make_candidate(email="booked@example.org"))
    f.make_interview(booked, start_at=NOW + timedelta(days=2))
    db.session.commit()
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["demo", "link", "nobody@example.org"])
    assert unknown.exit_code != 0 and "no candidate has the email address" in unknown.output
    closed = runner.invoke(args=["demo", "link", "gone@example.org"])
    assert closed.exit_code != 0 and "has no open application" in closed.output
    taken = runner.invoke(args=["demo", "link", "booked@example.org"])
    assert taken.exit_code != 0
    assert "System design is already booked: reschedule that interview instead." in taken.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_without_activating_the_venv_the_link_follows_port(app, db, database_config):
    f.make_application(candidate=f.make_candidate(email="hannah@example.org"))
    db.session.commit()
    environment = subprocess_environment(database_config) | {"PORT": "5123"}
    environment.pop("BASE_URL", None)
    flask = Path(sys.executable).with_name("flask")  # .venv/bin/flask, beside the interpreter
    run = subprocess.run([str(flask), "--app", "wsgi", "demo", "link", "hannah@example.org"],
                         cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    db.session.expire_all()
    assert open_link(_token(run.stdout, "http://127.0.0.1:5123"), NOW) is not None
