"""Candidates get a lock_version: booking locks the candidate's row first (DESIGN.md §6).

Two bookings for one candidate (two stages, two links, two coordinators) are serialised by a
write to the candidate's row before the interviewers' rows, so the check that the candidate
has no other interview at that time sees the other booking. Existing rows start at 0.

Revision ID: 5e1c7a3b9d20
Revises: 2291999fd737
Create Date: 2026-12-02 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "5e1c7a3b9d20"
down_revision = "2291999fd737"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lock_version", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade():
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_column("lock_version")
