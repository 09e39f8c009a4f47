"""Stored time zones by their current names: Asia/Calcutta becomes Asia/Kolkata (issue 14).

Every zone column (users, interviewer profiles, offices, candidates) is rewritten through
scheduler.timeutil.canonical_zone(), the function every zone now enters the app through, so the
table is the one the app uses (CLDR's aliases as Babel ships them). Only names that have a
different current name change; unknown text is left as it is.

The downgrade is deliberately a no-op: a legacy name and its current name are the same zone with
the same rules, so the canonical names are valid for the previous schema too, and which rows
held a legacy spelling is not kept (nor worth keeping).

Revision ID: 2291999fd737
Revises: b211673eb66e
Create Date: 2026-12-02 01:00:00
"""
import sqlalchemy as sa
from alembic import op

from scheduler.timeutil import canonical_zone

revision = "2291999fd737"
down_revision = "b211673eb66e"
branch_labels = None
depends_on = None

ZONE_COLUMNS = (("user", "zone"), ("interviewer_profile", "zone"), ("office", "zone"),
                ("candidate", "zone"))


def upgrade():
    connection = op.get_bind()
    for table_name, column_name in ZONE_COLUMNS:
        table = sa.table(table_name, sa.column(column_name, sa.String(64)))
        column = table.c[column_name]
        stored = connection.execute(
            sa.select(column).where(column.is_not(None)).distinct()).scalars().all()
        for name in stored:
            current = canonical_zone(name)
            if current and current != name:
                connection.execute(table.update().where(column == name).values({column_name: current}))


def downgrade():
    # No-op on purpose: see the module docstring.
    pass
