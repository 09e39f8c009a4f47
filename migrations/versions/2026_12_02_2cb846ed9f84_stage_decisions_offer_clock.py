"""Decisions per stage, the offer clock, and reminders about an application.

- `stage_decision`: a coordinator's decision on an application at one stage (advance, reject
  with a reason from a short list, hold, offer), whether it overrode missing feedback and why,
  whether the candidate was written to, who and when.
- `application.offer_due_at`: the offer clock, set when the stage before the offer stage is
  passed.
- `reminder.application_id`: a reminder is about an interview or, like the offer clock's alert,
  about an application; exactly one of the two is set.

Downgrade deletes the reminders about applications first (the old table cannot hold them).

Revision ID: 2cb846ed9f84
Revises: 4b7e9d2a6c15
Create Date: 2026-12-02 09:00:00
"""
import sqlalchemy as sa
from alembic import op

import scheduler.models.types

revision = "2cb846ed9f84"
down_revision = "4b7e9d2a6c15"
branch_labels = None
depends_on = None

OUTCOMES = "('advance', 'reject', 'hold', 'offer')"
REASONS = ("('skills', 'experience_level', 'communication', 'salary_expectations', "
           "'candidate_withdrew', 'other')")


def upgrade():
    op.create_table(
        "stage_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason_code", sa.String(length=30), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("is_override", sa.Boolean(), nullable=False),
        sa.Column("override_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("is_candidate_told", sa.Boolean(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(outcome = 'reject') = (reason_code IS NOT NULL)",
                           name=op.f("ck_stage_decision_reject_reason")),
        sa.CheckConstraint("NOT is_override OR override_reason <> ''",
                           name=op.f("ck_stage_decision_override_reason")),
        sa.CheckConstraint(f"outcome IN {OUTCOMES}", name=op.f("ck_stage_decision_outcome")),
        sa.CheckConstraint(f"reason_code IS NULL OR reason_code IN {REASONS}",
                           name=op.f("ck_stage_decision_reason_code")),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_stage_decision_application_id_application")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"],
                                name=op.f("fk_stage_decision_decided_by_id_user")),
        sa.ForeignKeyConstraint(["stage_id"], ["stage_template.id"],
                                name=op.f("fk_stage_decision_stage_id_stage_template")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_decision")),
    )
    with op.batch_alter_table("stage_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_decision_application_id"), ["application_id"],
                              unique=False)
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offer_due_at",
                                      scheduler.models.types.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch_op.alter_column("interview_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_reminder_application_id_kind_recipient"),
                                          ["application_id", "kind", "recipient"])
        batch_op.create_foreign_key(batch_op.f("fk_reminder_application_id_application"),
                                    "application", ["application_id"], ["id"], ondelete="CASCADE")
        batch_op.create_check_constraint(op.f("ck_reminder_subject"),
                                         "(interview_id IS NULL) <> (application_id IS NULL)")


def downgrade():
    op.execute("DELETE FROM reminder WHERE application_id IS NOT NULL")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_reminder_subject"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_reminder_application_id_application"),
                                 type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_reminder_application_id_kind_recipient"),
                                 type_="unique")
        batch_op.alter_column("interview_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("application_id")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("offer_due_at")
    with op.batch_alter_table("stage_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_decision_application_id"))
    op.drop_table("stage_decision")
