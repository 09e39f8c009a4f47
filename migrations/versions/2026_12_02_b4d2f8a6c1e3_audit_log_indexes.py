"""The admins' audit log (issue 26 item 6): indexes for its newest-first pages, overall and by
the person who acted.

Revision ID: b4d2f8a6c1e3
Revises: e3b5d7a1c9f4
Create Date: 2026-12-02 12:00:00
"""
from alembic import op

revision = "b4d2f8a6c1e3"
down_revision = "e3b5d7a1c9f4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_event") as batch:
        batch.create_index("ix_audit_event_occurred_at", ["occurred_at"], unique=False)
        batch.create_index("ix_audit_event_actor_time", ["actor_user_id", "occurred_at"],
                           unique=False)


def downgrade():
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_index("ix_audit_event_actor_time")
        batch.drop_index("ix_audit_event_occurred_at")
