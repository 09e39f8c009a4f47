"""Workday year marks: an admin's word that a calendar's year is entered in full as overrides.

For a year the official holiday data does not cover yet (China publishes late), a mark turns the
estimate and the coordinators' warning off: the year is Monday–Friday plus the overrides. One
row per calendar and year; the key has the same shape CHECK as office.calendar_key.

Revision ID: b211673eb66e
Revises: 12f3b3d0758f
Create Date: 2026-11-30 09:30:00
"""
import sqlalchemy as sa
from alembic import op

import scheduler.models.types

revision = "b211673eb66e"
down_revision = "12f3b3d0758f"
branch_labels = None
depends_on = None

SHAPE_CHECK = (
    "substr(calendar_key, 1, 2) = upper(substr(calendar_key, 1, 2)) AND "
    "(length(calendar_key) = 2 OR (length(calendar_key) > 3 AND substr(calendar_key, 3, 1) = '-'))"
)


def upgrade():
    op.create_table(
        "workday_year_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_key", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(SHAPE_CHECK, name=op.f("ck_workday_year_mark_calendar_key_shape")),
        sa.ForeignKeyConstraint(["marked_by_id"], ["user.id"], ondelete="SET NULL",
                                name=op.f("fk_workday_year_mark_marked_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workday_year_mark")),
        sa.UniqueConstraint("calendar_key", "year",
                            name=op.f("uq_workday_year_mark_calendar_key_year")),
    )


def downgrade():
    op.drop_table("workday_year_mark")
