"""The migrations build the models' schema exactly, and downgrade back, on each database."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from scheduler import create_app
from scheduler.extensions import db
from tests.dbutil import DB_BACKENDS, TEST_DATABASE_URL, app_config, engine_options_for_schema, postgres_schema


@pytest.fixture(params=DB_BACKENDS)
def empty_database_config(request, tmp_path):
    if request.param == "sqlite":
        yield app_config(f"sqlite:///{tmp_path / 'empty.db'}")
        return
    with postgres_schema("mig") as schema:
        yield app_config(TEST_DATABASE_URL, engine_options_for_schema(schema))


def test_upgrade_matches_models_and_downgrades(empty_database_config):
    app = create_app(empty_database_config)
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            assert compare_metadata(context, db.metadata) == []
        tables = set(sa.inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


@pytest.mark.skipif("postgresql" not in DB_BACKENDS, reason="TEST_DATABASE_URL is not set")
def test_btree_gist_survives_downgrade():
    with postgres_schema("gist") as schema:
        app = create_app(app_config(TEST_DATABASE_URL, engine_options_for_schema(schema)))
        with app.app_context():
            upgrade()
            downgrade(revision="base")
            with db.engine.connect() as conn:
                names = conn.execute(sa.text("SELECT extname FROM pg_extension")).scalars().all()
            db.engine.dispose()
    assert "btree_gist" in names
