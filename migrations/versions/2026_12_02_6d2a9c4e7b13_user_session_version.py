"""Users get a session_version: signing out, a password change or reset, deactivation and a role
change raise it, and a session made with an older one no longer loads the user (issue 22).

Existing rows start at 0; sessions from before this revision carry no version and end at once.

Revision ID: 6d2a9c4e7b13
Revises: 7469dee6b054
Create Date: 2026-12-02 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "6d2a9c4e7b13"
down_revision = "7469dee6b054"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
