"""The migration that encrypts stored calendar secrets (issue 21, item 3), on both databases:
plain rows written at the previous revision come out encrypted with the configured key, a source
named after its address is renamed to its host, audit events and last errors lose the address;
the downgrade decrypts."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade

from scheduler import create_app
from scheduler.extensions import db
from tests.clock import NOW
from tests.dbutil import (
    DB_BACKENDS, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY, app_config, engine_options_for_schema, postgres_schema,
)

BEFORE, REVISION = "2cb846ed9f84", "7469dee6b054"
ADDRESS = "https://calendar.example.com/private-5b1e9c0d7a3f/basic.ics"
PASSWORD = "pw-Zq8!secret"


@pytest.fixture(params=DB_BACKENDS)
def empty_database_config(request, tmp_path):
    if request.param == "sqlite":
        yield app_config(f"sqlite:///{tmp_path / 'secrets.db'}")
        return
    with postgres_schema("secrets") as schema:
        yield app_config(TEST_DATABASE_URL, engine_options_for_schema(schema))


def _sources(conn) -> list:
    return conn.execute(sa.text("SELECT name, url, password, last_error FROM calendar_source ORDER BY id")).all()


def test_plain_secrets_are_encrypted_by_the_upgrade_and_decrypted_by_the_downgrade(empty_database_config):
    app = create_app(empty_database_config)
    fernet = Fernet(TEST_ENCRYPTION_KEY)
    unreachable = json.dumps({"code": "caldav_error", "params": {"detail": "500 <internal> 10.0.0.7"}})
    with app.app_context():
        upgrade(revision=BEFORE)
        stamp = {"at": NOW, "address": ADDRESS, "password": PASSWORD, "error": unreachable,
                 "after": json.dumps({"kind": "url", "name": ADDRESS, "url": ADDRESS})}
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO office (id, code, name_zh, name_en, zone, calendar_key, address_zh, address_en) "
                "VALUES (1, 'PEK', '北京', 'Beijing', 'Asia/Shanghai', 'CN', '', '')"))
            conn.execute(sa.text(
                'INSERT INTO "user" (id, email, name, password_hash, zone, language, is_active, created_at) '
                "VALUES (1, 'a@example.com', 'A', 'x', 'Asia/Shanghai', 'en', true, :at)"), stamp)
            conn.execute(sa.text(
                "INSERT INTO interviewer_profile (id, user_id, office_id, zone, video_room_url, lock_version) "
                "VALUES (1, 1, 1, NULL, '', 0)"))
            conn.execute(sa.text(
                "INSERT INTO calendar_source (id, interviewer_id, kind, name, content, url, username, password, "
                "is_active, event_count, last_error, created_at) VALUES "
                "(1, 1, 'url', :address, NULL, :address, '', '', true, 0, '', :at), "
                "(2, 1, 'caldav', 'Work', NULL, 'https://dav.example/alice/', 'alice', :password, true, 0, "
                ":error, :at), "
                "(3, 1, 'manual', 'Manual blocks', NULL, '', '', '', true, 0, '', :at)"), stamp)
            conn.execute(sa.text(
                "INSERT INTO audit_event (id, occurred_at, actor_user_id, actor_label, action, object_type, "
                "object_id, before, after, note) VALUES "
                "(1, :at, 1, '', 'calendar_source.added', 'calendar_source', 1, NULL, :after, '')"), stamp)

        upgrade(revision=REVISION)
        with db.engine.connect() as conn:
            (name1, url1, password1, _), (name2, url2, password2, error2), manual = _sources(conn)
            audit = conn.execute(sa.text("SELECT after FROM audit_event")).scalar_one()
        assert fernet.decrypt(url1.encode()).decode() == ADDRESS
        assert fernet.decrypt(url2.encode()).decode() == "https://dav.example/alice/"
        assert fernet.decrypt(password2.encode()).decode() == PASSWORD
        assert (name1, password1, name2) == ("calendar.example.com…", "", "Work")
        assert json.loads(error2) == {"code": "caldav_error", "params": {}}
        assert manual == ("Manual blocks", "", "", "")
        audit = audit if isinstance(audit, dict) else json.loads(audit)
        assert audit["url"] == "calendar.example.com…" and "private-5b1e9c0d7a3f" not in json.dumps(audit)

        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            rows = _sources(conn)
        assert [(r.url, r.password) for r in rows] == [
            (ADDRESS, ""), ("https://dav.example/alice/", PASSWORD), ("", "")]
        downgrade(revision="base")
        db.engine.dispose()
