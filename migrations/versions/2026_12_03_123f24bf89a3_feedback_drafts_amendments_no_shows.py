"""Feedback is written as a draft, submitted and locked, then amended; interviews can be marked a
no-show; an online coding test has a reviewer (issue 17).

- feedback: strengths, concerns and the level the author would hire at; the unused free-text
  `notes` goes (strengths and concerns replace it); submitted feedback must carry a
  recommendation and a hire level; an index on interview_id (every feedback page reads by it).
- feedback_score: the score may be empty while the feedback is a draft.
- feedback_amendment: notes added to submitted feedback, with their author and time.
- interview.reviewer_id: who reviews a coding test (not a panel seat).
- interview_no_show: why an interview was not held (the candidate or one interviewer did not
  come), with the note, who marked it and when. One per interview.

No feedback could be written before this revision, so no existing row breaks the new CHECK.
Downgrade drops what was added (amendments, no-show marks, reviewers, strengths, concerns, hire
levels); it refuses, before changing anything, while a draft score is empty, which the old
schema cannot hold.

Revision ID: 123f24bf89a3
Revises: 5e1c7a3b9d20
Create Date: 2026-12-03 09:00:00
"""
import sqlalchemy as sa
from alembic import op

import scheduler.models.types

revision = "123f24bf89a3"
down_revision = "5e1c7a3b9d20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hire_level", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("strengths", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("concerns", sa.Text(), nullable=False, server_default=""))
        batch_op.drop_column("notes")
        batch_op.create_index(batch_op.f("ix_feedback_interview_id"), ["interview_id"],
                              unique=False)
        batch_op.create_check_constraint(
            op.f("ck_feedback_submitted_complete"),
            "submitted_at IS NULL OR (recommendation IS NOT NULL AND hire_level IS NOT NULL)")

    with op.batch_alter_table("feedback_score", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_feedback_score_score"), type_="check")
        batch_op.alter_column("score", existing_type=sa.SmallInteger(), nullable=True)
        batch_op.create_check_constraint(op.f("ck_feedback_score_score"),
                                         "score IS NULL OR score BETWEEN 1 AND 4")

    op.create_table(
        "feedback_amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", scheduler.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"],
                                name=op.f("fk_feedback_amendment_author_id_user")),
        sa.ForeignKeyConstraint(["feedback_id"], ["feedback.id"],
                                name=op.f("fk_feedback_amendment_feedback_id_feedback"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_amendment")),
    )
    with op.batch_alter_table("feedback_amendment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_amendment_feedback_id"), ["feedback_id"],
                              unique=False)

    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_interview_reviewer_id_interviewer_profile"),
                                    "interviewer_profile", ["reviewer_id"], ["id"])

    op.create_table(
        "interview_no_show",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=20), nullable=False),
        sa.Column("absent_interviewer_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", scheduler.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.CheckConstraint("party IN ('candidate', 'interviewer')",
                           name=op.f("ck_interview_no_show_party")),
        sa.CheckConstraint("(party = 'interviewer') = (absent_interviewer_id IS NOT NULL)",
                           name=op.f("ck_interview_no_show_absent_interviewer")),
        sa.ForeignKeyConstraint(
            ["absent_interviewer_id"], ["interviewer_profile.id"],
            name=op.f("fk_interview_no_show_absent_interviewer_id_interviewer_profile")),
        sa.ForeignKeyConstraint(["interview_id"], ["interview.id"],
                                name=op.f("fk_interview_no_show_interview_id_interview"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["marked_by_id"], ["user.id"],
                                name=op.f("fk_interview_no_show_marked_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_no_show")),
        sa.UniqueConstraint("interview_id", name=op.f("uq_interview_no_show_interview_id")),
    )


def downgrade():
    bind = op.get_bind()
    empty = bind.execute(sa.text("SELECT count(*) FROM feedback_score WHERE score IS NULL"))
    if empty.scalar():
        raise RuntimeError("cannot downgrade: some draft feedback has criteria without a score, "
                           "which the old schema cannot hold; submit or delete those drafts first")
    op.drop_table("interview_no_show")
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_interview_reviewer_id_interviewer_profile"),
                                 type_="foreignkey")
        batch_op.drop_column("reviewer_id")

    with op.batch_alter_table("feedback_amendment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_amendment_feedback_id"))
    op.drop_table("feedback_amendment")

    with op.batch_alter_table("feedback_score", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_feedback_score_score"), type_="check")
        batch_op.alter_column("score", existing_type=sa.SmallInteger(), nullable=False)
        batch_op.create_check_constraint(op.f("ck_feedback_score_score"),
                                         "score BETWEEN 1 AND 4")

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_feedback_submitted_complete"), type_="check")
        batch_op.drop_index(batch_op.f("ix_feedback_interview_id"))
        batch_op.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))
        batch_op.drop_column("concerns")
        batch_op.drop_column("strengths")
        batch_op.drop_column("hire_level")
