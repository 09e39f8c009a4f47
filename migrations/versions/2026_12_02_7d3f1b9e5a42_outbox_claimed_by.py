"""Outbox rows name the job process that holds their lease.

`outbox_message.claimed_by` (nullable) says which job process claimed a row; with
`claimed_until` it is the lease. A process sends a row, and records what happened to it, only
while the row is still claimed by that process, so any number of job processes may run. The
index serves "release this process's claims" on shutdown. Existing rows keep NULL (unclaimed;
a claim left by the old code still ends at its `claimed_until`).

Revision ID: 7d3f1b9e5a42
Revises: 6d2a9c4e7b13
Create Date: 2026-12-02 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "7d3f1b9e5a42"
down_revision = "6d2a9c4e7b13"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
        batch.create_index("ix_outbox_message_claimed_by", ["claimed_by"])


def downgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index("ix_outbox_message_claimed_by")
        batch.drop_column("claimed_by")
