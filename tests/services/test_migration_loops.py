"""The migration that makes loops data: existing requisitions keep the loops the hard-wired rule
gave them (system design directly followed by project deep dive, both with a panel), on both
databases; the default break is 15 minutes; the downgrade refuses while stages are archived."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from scheduler import create_app
from scheduler.extensions import db
from tests.dbutil import DB_BACKENDS, TEST_DATABASE_URL, app_config, engine_options_for_schema, postgres_schema

BEFORE, REVISION = "5e1c7a3b9d20", "8c4d2e6f1a37"
# requisition id -> its stages in order: (kind, panel size)
PROCESSES = {
    1: [("phone_screen", 1), ("system_design", 2), ("project_deep_dive", 1), ("hr_final", 1)],
    2: [("system_design", 2), ("hr_final", 1), ("project_deep_dive", 1)],  # not adjacent
    3: [("project_deep_dive", 1), ("system_design", 1)],  # the old rule: a loop this way too
    4: [("system_design", 0), ("project_deep_dive", 1)],  # no panel: no loop
}


@pytest.fixture(params=DB_BACKENDS)
def empty_database_config(request, tmp_path):
    if request.param == "sqlite":
        yield app_config(f"sqlite:///{tmp_path / 'loops.db'}")
        return
    with postgres_schema("loops") as schema:
        yield app_config(TEST_DATABASE_URL, engine_options_for_schema(schema))


def _insert_processes(conn) -> None:
    stage_id = 0
    for requisition_id, stages in PROCESSES.items():
        conn.execute(sa.text(
            "INSERT INTO requisition (id, title_zh, title_en, levels, salary_currency, "
            "salary_period, is_open) VALUES (:id, '职位', 'Role', '[]', 'CNY', 'month', true)"),
            {"id": requisition_id})
        for position, (kind, panel) in enumerate(stages, start=1):
            stage_id += 1
            conn.execute(sa.text(
                "INSERT INTO stage_template (id, requisition_id, position, name_zh, name_en, kind, "
                "mode, duration_minutes, panel_size, required_level, is_senior_seat_required, "
                "buffer_before_minutes, buffer_after_minutes, min_notice_minutes, horizon_days, "
                "step_minutes, candidate_day_start, candidate_day_end, reschedule_cutoff_hours, "
                "description_zh, description_en) VALUES (:id, :req, :pos, 'x', 'x', :kind, "
                "'video', 60, :panel, 'qualified', false, 0, 0, 0, 14, 30, '08:00:00', "
                "'21:00:00', 24, '', '')"),
                {"id": stage_id, "req": requisition_id, "pos": position, "kind": kind,
                 "panel": panel})


def test_existing_loops_become_flags_and_the_downgrade_refuses_archived_stages(
        empty_database_config, capfd):
    app = create_app(empty_database_config)
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _insert_processes(conn)
        upgrade(revision=REVISION)
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT requisition_id, position, is_looped_with_next FROM stage_template "
                "ORDER BY requisition_id, position")).all()
            breaks = conn.execute(sa.text("SELECT loop_break_minutes FROM requisition")).scalars()
            assert set(breaks) == {15}
        flagged = {(requisition_id, position) for requisition_id, position, flag in rows if flag}
        assert flagged == {(1, 2), (3, 1)}

        # An archived stage may share its old position with a live one; the old schema could
        # not hold that, so the downgrade refuses and changes nothing.
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE stage_template SET archived_at = :at WHERE id = 4"),
                         {"at": "2026-12-01 00:00:00+00:00"})
            conn.execute(sa.text(
                "INSERT INTO stage_template (id, requisition_id, position, name_zh, name_en, kind, "
                "mode, duration_minutes, panel_size, required_level, is_senior_seat_required, "
                "buffer_before_minutes, buffer_after_minutes, min_notice_minutes, horizon_days, "
                "step_minutes, candidate_day_start, candidate_day_end, reschedule_cutoff_hours, "
                "description_zh, description_en, is_looped_with_next) VALUES (99, 1, 4, 'y', 'y', "
                "'hr_final', 'video', 45, 1, 'qualified', false, 0, 0, 0, 14, 30, '08:00:00', "
                "'21:00:00', 24, '', '', false)"))
        with pytest.raises(SystemExit):  # Flask-Migrate's answer to the migration's refusal
            downgrade(revision=BEFORE)
        assert "cannot downgrade: 1 archived stages" in capfd.readouterr().err
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM stage_template WHERE id = 4"))
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("stage_template")}
        assert "is_looped_with_next" not in columns
        downgrade(revision="base")
        db.engine.dispose()
