"""The holiday-calendar migration moves GB to GB-ENG on offices and overrides, swaps the CHECKs,
and downgrades back, on each database, with offices (referred to by interviewers) and overrides
in it; a downgrade the old schema cannot hold is refused before anything changes."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from scheduler import create_app
from scheduler.extensions import db
from scheduler.models.types import UTCDateTime
from tests.dbutil import DB_BACKENDS, TEST_DATABASE_URL, app_config, engine_options_for_schema, postgres_schema

CALENDAR_KEYS = "12f3b3d0758f"
# The revision before the calendar-key migration, read from it (so a merge that puts another
# migration first keeps this test right).
BEFORE = ScriptDirectory(str(Path(__file__).resolve().parents[2] / "migrations")) \
    .get_revision(CALENDAR_KEYS).down_revision
CREATED = datetime(2026, 11, 1, tzinfo=timezone.utc)

office = sa.table("office", sa.column("id"), sa.column("code"), sa.column("name_zh"),
                  sa.column("name_en"), sa.column("zone"), sa.column("calendar_key"),
                  sa.column("address_zh"), sa.column("address_en"))
override = sa.table("workday_override", sa.column("id"), sa.column("calendar_key"),
                    sa.column("day", sa.Date), sa.column("is_workday", sa.Boolean),
                    sa.column("note"))
user = sa.table("user", sa.column("id"), sa.column("email"), sa.column("name"),
                sa.column("password_hash"), sa.column("zone"), sa.column("language"),
                sa.column("is_active", sa.Boolean), sa.column("created_at", UTCDateTime))
profile = sa.table("interviewer_profile", sa.column("id"), sa.column("user_id"),
                   sa.column("office_id"), sa.column("video_room_url"), sa.column("lock_version"))


@pytest.fixture(params=DB_BACKENDS)
def app(request, tmp_path):
    if request.param == "sqlite":
        config = app_config(f"sqlite:///{tmp_path / 'calendar-keys.db'}")
        schema = None
    else:
        schema = postgres_schema("calkeys")
        config = app_config(TEST_DATABASE_URL, engine_options_for_schema(schema.__enter__()))
    app = create_app(config)
    with app.app_context():
        yield app
        db.engine.dispose()
    if schema is not None:
        schema.__exit__(None, None, None)


def _office_row(n: int, code: str, key: str) -> dict:
    return dict(id=n, code=code, name_zh=code, name_en=code, zone="Europe/London",
                calendar_key=key, address_zh="", address_en="")


def _fill(conn) -> None:
    conn.execute(office.insert(), [_office_row(1, "BJ", "CN"), _office_row(2, "LON", "GB"),
                                   _office_row(3, "SFO", "US-CA")])
    conn.execute(user.insert(), [dict(id=1, email="oliver@example.com", name="Oliver",
                                      password_hash="x", zone="Europe/London", language="en",
                                      is_active=True, created_at=CREATED)])
    # An interviewer refers to the London office: recreating `office` must keep that link.
    conn.execute(profile.insert(), [dict(id=1, user_id=1, office_id=2, video_room_url="",
                                         lock_version=0)])
    conn.execute(override.insert(), [
        dict(id=1, calendar_key="GB", day=date(2027, 3, 29), is_workday=True, note="Easter Monday"),
        dict(id=2, calendar_key="GB", day=date(2027, 8, 30), is_workday=False, note=""),
        dict(id=3, calendar_key="CN", day=date(2027, 2, 20), is_workday=True, note="春节调休"),
    ])


def _keys(conn) -> tuple[list, list]:
    offices = conn.execute(sa.select(office.c.code, office.c.calendar_key)
                           .order_by(office.c.id)).all()
    overrides = conn.execute(sa.select(override.c.calendar_key, override.c.day)
                             .order_by(override.c.id)).all()
    return [tuple(row) for row in offices], [tuple(row) for row in overrides]


def _refused(key: str) -> bool:
    """Tell whether the office table's CHECK refuses *key* (nothing is kept either way)."""
    try:
        with db.engine.begin() as conn:
            conn.execute(office.insert(), [_office_row(99, "TRY", key)])
            conn.execute(office.delete().where(office.c.id == 99))
    except sa.exc.IntegrityError:
        return True
    return False


def _override_refused(key: str) -> bool:
    try:
        with db.engine.begin() as conn:
            conn.execute(override.insert(), [dict(id=99, calendar_key=key, day=date(2030, 1, 1),
                                                  is_workday=True, note="")])
            conn.execute(override.delete().where(override.c.id == 99))
    except sa.exc.IntegrityError:
        return True
    return False


def test_gb_moves_to_gb_eng_and_back_with_offices_and_overrides_in_place(app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        _fill(conn)
    assert _refused("GB-ENG") and _override_refused("GB-ENG")  # the old enumerating CHECKs

    upgrade()
    with db.engine.connect() as conn:
        assert _keys(conn) == (
            [("BJ", "CN"), ("LON", "GB-ENG"), ("SFO", "US-CA")],
            [("GB-ENG", date(2027, 3, 29)), ("GB-ENG", date(2027, 8, 30)), ("CN", date(2027, 2, 20))])
        assert conn.execute(sa.select(profile.c.office_id)).scalar_one() == 2
    # Any key of the right shape is stored (the app checks it against `holidays`); others are not.
    assert not _refused("GB-SCT") and not _refused("BR-São Paulo Capital")
    assert not _override_refused("US-NY")
    assert _refused("gb-eng") and _refused("GBR") and _refused("GB-") and _refused("")
    assert _override_refused("england")

    downgrade(revision=BEFORE)
    with db.engine.connect() as conn:
        assert _keys(conn) == (
            [("BJ", "CN"), ("LON", "GB"), ("SFO", "US-CA")],
            [("GB", date(2027, 3, 29)), ("GB", date(2027, 8, 30)), ("CN", date(2027, 2, 20))])
        assert conn.execute(sa.select(profile.c.office_id)).scalar_one() == 2
    assert _refused("GB-ENG") and _override_refused("US-NY") and not _refused("SG")

    upgrade()  # and up again, to the models' schema
    with db.engine.connect() as conn:
        assert _keys(conn)[0][1] == ("LON", "GB-ENG")


def _refused_downgrade() -> str:
    """Downgrade, expecting the migration's refusal; return its message.

    Flask-Migrate's command logs a RuntimeError and exits 1; the function it wraps raises it.
    """
    with pytest.raises(RuntimeError) as refusal:
        downgrade.__wrapped__(revision=BEFORE)
    return str(refusal.value)


def test_a_downgrade_the_old_schema_cannot_hold_is_refused_before_it_changes_anything(app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        _fill(conn)
    upgrade(revision=CALENDAR_KEYS)
    with db.engine.begin() as conn:
        conn.execute(office.insert(), [_office_row(4, "EDI", "GB-SCT")])
    assert "cannot downgrade: office uses holiday calendars the old schema does not allow " \
        "(GB-SCT)" in _refused_downgrade()
    with db.engine.connect() as conn:
        assert _keys(conn)[0] == [("BJ", "CN"), ("LON", "GB-ENG"), ("SFO", "US-CA"),
                                  ("EDI", "GB-SCT")]

    with db.engine.begin() as conn:
        conn.execute(office.delete().where(office.c.id == 4))
        conn.execute(override.insert(), [dict(id=4, calendar_key="GB", day=date(2027, 3, 29),
                                              is_workday=False, note="")])
    assert "GB-ENG and GB both have workday overrides on 2027-03-29" in _refused_downgrade()
    with db.engine.connect() as conn:
        assert ("GB-ENG", date(2027, 3, 29)) in _keys(conn)[1]
