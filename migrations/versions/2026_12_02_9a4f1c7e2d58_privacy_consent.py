"""Candidates' privacy: each opening's retention period and the consent records (issue 24).

- `requisition.retention_days` (default 180): how long a candidate's data is kept after the
  application closes; the privacy notice names it per opening.
- `consent`: a candidate's acknowledgement of a privacy notice version, and their separate
  consent to recipients outside mainland China (the countries it covers), given on the link's
  confirm step or entered by a coordinator as received by email on a date.

Revision ID: 9a4f1c7e2d58
Revises: 9a1e5c7d3b48
Create Date: 2026-12-02 15:00:00
"""
import sqlalchemy as sa
from alembic import op

import scheduler.models.types

revision = "9a4f1c7e2d58"
down_revision = "9a1e5c7d3b48"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("requisition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), nullable=False,
                                      server_default="180"))
        batch_op.create_check_constraint(op.f("ck_requisition_retention_days"),
                                         "retention_days > 0")
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("notice_version", sa.String(length=20), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("given_at", scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("given_by", sa.String(length=20), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("email_received_on", sa.Date(), nullable=True),
        sa.CheckConstraint("kind IN ('notice', 'cross_border')", name=op.f("ck_consent_kind")),
        sa.CheckConstraint("given_by IN ('candidate', 'coordinator')",
                           name=op.f("ck_consent_given_by")),
        sa.CheckConstraint("given_by = 'candidate' OR email_received_on IS NOT NULL",
                           name=op.f("ck_consent_email_date")),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_consent_application_id_application"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"],
                                name=op.f("fk_consent_candidate_id_candidate"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["link_id"], ["scheduling_link.id"],
                                name=op.f("fk_consent_link_id_scheduling_link"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"],
                                name=op.f("fk_consent_recorded_by_id_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    op.create_index("ix_consent_application_kind", "consent", ["application_id", "kind"])


def downgrade():
    op.drop_index("ix_consent_application_kind", table_name="consent")
    op.drop_table("consent")
    with op.batch_alter_table("requisition", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_requisition_retention_days"), type_="check")
        batch_op.drop_column("retention_days")
