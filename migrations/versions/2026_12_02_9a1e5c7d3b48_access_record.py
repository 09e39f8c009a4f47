"""Who looked: the access_record table (issue 25 item 4).

One row per request that showed a candidate's personal data: who, when, what, through which
endpoint, and the candidate and application it was about (NULL for a list or a board).

Revision ID: 9a1e5c7d3b48
Revises: 7d3f1b9e5a42
Create Date: 2026-12-02 08:00:00
"""
import sqlalchemy as sa
from alembic import op

import scheduler.models.types

revision = "9a1e5c7d3b48"
down_revision = "7d3f1b9e5a42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "access_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("accessed_at", scheduler.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.String(length=40), nullable=False),
        sa.Column("endpoint", sa.String(length=100), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_access_record_user_id_user")),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"],
                                name=op.f("fk_access_record_candidate_id_candidate")),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_access_record_application_id_application")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_record")),
    )
    with op.batch_alter_table("access_record") as batch:
        batch.create_index("ix_access_record_accessed_at", ["accessed_at"])
        batch.create_index("ix_access_record_user_id", ["user_id"])
        batch.create_index("ix_access_record_candidate_id", ["candidate_id"])
        batch.create_index("ix_access_record_user_time", ["user_id", "accessed_at"])


def downgrade():
    op.drop_table("access_record")
