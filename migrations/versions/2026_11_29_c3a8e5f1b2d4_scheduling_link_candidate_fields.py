"""Scheduling links: the candidate's widened hours, "none of these work" proposals, last send.

Revision ID: c3a8e5f1b2d4
Revises: b7e4c1a9d2f0
Create Date: 2026-11-29 08:00:00
"""
import sqlalchemy as sa
from alembic import op

import scheduler.models.types

revision = "c3a8e5f1b2d4"
down_revision = "b7e4c1a9d2f0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scheduling_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "candidate_note_at", scheduler.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("proposed_times", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("candidate_day_start", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("candidate_day_end", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column(
            "last_sent_at", scheduler.models.types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("scheduling_link", schema=None) as batch_op:
        batch_op.drop_column("last_sent_at")
        batch_op.drop_column("candidate_day_end")
        batch_op.drop_column("candidate_day_start")
        batch_op.drop_column("proposed_times")
        batch_op.drop_column("candidate_note_at")
