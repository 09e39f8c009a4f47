"""`flask backup create PATH`: an online, consistent copy of the SQLite database (issue 26 item 5).

A thread books interviews one after another through the real booking service, committing each,
while the command copies the database; the copy is restored the way the README says (copied to
a new file) and opened with the app. Every booking committed before the backup began is there,
each interview with its whole panel (no half transaction), SQLite's integrity and foreign-key
checks pass, and the schema is at the migrations' head.
"""
from __future__ import annotations

import shutil
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from scheduler import create_app
from scheduler.config import PROJECT_ROOT
from scheduler.extensions import db as _db
from scheduler.models import Interview, InterviewerAssignment
from scheduler.services.backups import BackupError, back_up_database
from tests.clock import NOW
from tests.dbutil import app_config
from tests.services.booking_setup import WORKDAY_10, booking_world

BOOKINGS = 40


def _sqlite_app(path):
    return create_app(app_config(f"sqlite:///{path}"))


def _dispose(app) -> None:
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _book_all(app, plan, committed: list, failures: list) -> None:
    """Book each (application id, stage id, interviewer id) in turn, one commit each."""
    from scheduler.models import Application, StageTemplate
    from scheduler.services.booking import book_interview

    with app.app_context():
        for application_id, stage_id, interviewer_id in plan:
            try:
                application = _db.session.get(Application, application_id)
                stage = _db.session.get(StageTemplate, stage_id)
                book_interview("backup-test", application, stage, WORKDAY_10, [interviewer_id],
                               NOW)
                _db.session.commit()
            except Exception as error:  # reported to the test, which fails on it
                _db.session.rollback()
                failures.append(repr(error))
                return
            committed.append(application_id)
        _db.session.remove()


def test_backup_while_booking_restores_every_earlier_booking(sqlite_template, tmp_path):
    live = tmp_path / "live.db"
    shutil.copy(sqlite_template, live)
    app = _sqlite_app(live)
    with app.app_context():
        people, requisition, applications = booking_world(interviewers=BOOKINGS,
                                                          applications=BOOKINGS)
        plan = [(a.id, requisition.stages[0].id, p.id) for a, p in zip(applications, people)]
        _db.session.commit()
        _db.session.remove()

    committed: list[int] = []
    failures: list[str] = []
    writer = threading.Thread(target=_book_all, args=(app, plan, committed, failures))
    writer.start()
    deadline = time.monotonic() + 60
    while len(committed) < BOOKINGS // 4 and writer.is_alive() and time.monotonic() < deadline:
        time.sleep(0.005)
    before = list(committed)  # committed before the backup began
    backup = tmp_path / "backups" / "scheduler-backup.db"
    backup.parent.mkdir()
    result = app.test_cli_runner().invoke(args=["backup", "create", str(backup)])
    writer.join(timeout=120)
    _dispose(app)

    assert not failures, failures
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.output
    assert len(committed) == BOOKINGS
    # Mid-stream: bookings were committed before the backup began and after it.
    assert BOOKINGS // 4 <= len(before) < BOOKINGS

    # Restore as the README says: the app stopped, the copy put in place (here: a new file).
    restored = tmp_path / "restored.db"
    shutil.copy(backup, restored)
    assert not restored.with_name("restored.db-wal").exists()
    with sqlite3.connect(restored) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()

    app = _sqlite_app(restored)
    try:
        with app.app_context():
            heads = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_heads()
            assert [row[0] for row in revision] == heads
            booked = _db.session.scalars(sa.select(Interview.application_id)).all()
            assert set(before) <= set(booked)
            # Every transaction is whole: each interview has its one panel member's assignment.
            panel_sizes = dict(_db.session.execute(
                sa.select(InterviewerAssignment.interview_id, sa.func.count())
                .group_by(InterviewerAssignment.interview_id)).all())
            interview_ids = _db.session.scalars(sa.select(Interview.id)).all()
            assert {panel_sizes.get(i) for i in interview_ids} == {1}
        assert app.test_client().get("/healthz").status_code == 200
    finally:
        _dispose(app)


def test_backup_refuses_postgresql_an_existing_target_and_a_missing_file(tmp_path):
    with pytest.raises(BackupError) as refused:
        back_up_database("postgresql+psycopg://postgres@127.0.0.1:5432/test", tmp_path / "x.db")
    assert refused.value.code == "postgresql"
    assert "pg_dump -Fc" in refused.value.message

    source = tmp_path / "source.db"
    sqlite3.connect(source).close()
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"keep me")
    with pytest.raises(BackupError) as refused:
        back_up_database(f"sqlite:///{source}", taken)
    assert refused.value.code == "target_exists"
    assert taken.read_bytes() == b"keep me"

    with pytest.raises(BackupError) as refused:
        back_up_database(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "new.db")
    assert refused.value.code == "no_database"
    assert not (tmp_path / "new.db").exists()
