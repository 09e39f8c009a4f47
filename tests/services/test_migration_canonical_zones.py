"""The data migration that renames stored legacy zones (Asia/Calcutta -> Asia/Kolkata), both databases."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from scheduler import create_app
from scheduler.extensions import db
from tests.clock import NOW
from tests.dbutil import DB_BACKENDS, TEST_DATABASE_URL, app_config, engine_options_for_schema, postgres_schema

BEFORE, REVISION = "b211673eb66e", "2291999fd737"


@pytest.fixture(params=DB_BACKENDS)
def empty_database_config(request, tmp_path):
    if request.param == "sqlite":
        yield app_config(f"sqlite:///{tmp_path / 'zones.db'}")
        return
    with postgres_schema("zones") as schema:
        yield app_config(TEST_DATABASE_URL, engine_options_for_schema(schema))


def _zones(conn) -> dict[str, list]:
    return {table: conn.execute(sa.text(f'SELECT zone FROM "{table}" ORDER BY id')).scalars().all()
            for table in ("user", "interviewer_profile", "office", "candidate")}


def test_stored_legacy_zones_get_their_current_names_and_the_downgrade_keeps_them(empty_database_config):
    app = create_app(empty_database_config)
    with app.app_context():
        upgrade(revision=BEFORE)
        stamp = {"at": NOW}
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO office (id, code, name_zh, name_en, zone, calendar_key, address_zh, address_en) "
                "VALUES (1, 'BLR', '班加罗尔', 'Bangalore', 'Asia/Calcutta', 'CN', '', ''), "
                "(2, 'KBP', '基辅', 'Kyiv', 'Europe/Kiev', 'CN', '', ''), "
                "(3, 'PEK', '北京', 'Beijing', 'Asia/Shanghai', 'CN', '', '')"))
            conn.execute(sa.text(
                'INSERT INTO "user" (id, email, name, password_hash, zone, language, is_active, created_at) '
                "VALUES (1, 'a@example.com', 'A', 'x', 'Asia/Calcutta', 'en', true, :at), "
                "(2, 'b@example.com', 'B', 'x', 'US/Pacific', 'en', true, :at), "
                "(3, 'c@example.com', 'C', 'x', 'Europe/London', 'en', true, :at)"), stamp)
            conn.execute(sa.text(
                "INSERT INTO interviewer_profile (id, user_id, office_id, zone, video_room_url, lock_version) "
                "VALUES (1, 1, 1, NULL, '', 0), (2, 2, 3, 'PRC', '', 0), (3, 3, 2, 'Europe/London', '', 0)"))
            conn.execute(sa.text(
                "INSERT INTO candidate (id, name, email, phone, zone, language, created_at) "
                "VALUES (1, 'D', 'd@example.com', '', 'Asia/Calcutta', 'en', :at), "
                "(2, 'E', 'e@example.com', '', 'Asia/Saigon', 'en', :at), "
                "(3, 'F', 'f@example.com', '', 'Asia/Kolkata', 'en', :at), "
                "(4, 'G', 'g@example.com', '', 'Etc/UTC', 'en', :at)"), stamp)

        upgrade(revision=REVISION)
        expected = {
            "user": ["Asia/Kolkata", "America/Los_Angeles", "Europe/London"],
            "interviewer_profile": [None, "Asia/Shanghai", "Europe/London"],
            "office": ["Asia/Kolkata", "Europe/Kyiv", "Asia/Shanghai"],
            "candidate": ["Asia/Kolkata", "Asia/Ho_Chi_Minh", "Asia/Kolkata", "UTC"],
        }
        with db.engine.connect() as conn:
            assert _zones(conn) == expected

        # The downgrade is a no-op: the current names are the same zones for the older schema.
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert _zones(conn) == expected
        downgrade(revision="base")
        db.engine.dispose()
