"""Openings get their coordinators, a loop that is data, and stages that can be archived.

- `requisition_coordinator`: the coordinators of each requisition (many to many with users);
  those told when something happens to it.
- `requisition.loop_break_minutes` (default 15, the break the coordinator's page offered by
  default) and `stage_template.is_looped_with_next`: which consecutive stages may be booked back
  to back as one loop was hard-wired to system design + project deep dive; it is now a flag on a
  stage joining it to the next. Existing data keeps its behaviour: the flag is set wherever the
  old rule made a loop, i.e. on a stage of one of those two kinds with a panel directly followed
  (next position of the same requisition) by another such stage — system design followed by
  project deep dive in the demo.
- `stage_template.archived_at`: a stage that past interviews or links refer to is archived
  rather than deleted when it is removed. Only live stages need distinct positions, so the
  unique constraint on (requisition_id, position) becomes a unique index over live stages.

Downgrade refuses, before changing anything, while archived stages exist (the old schema would
put them back in the process).

Revision ID: 8c4d2e6f1a37
Revises: 123f24bf89a3
Create Date: 2026-12-03 09:00:00
"""
import sqlalchemy as sa
from alembic import op

import scheduler.models.types

revision = "8c4d2e6f1a37"
down_revision = "123f24bf89a3"
branch_labels = None
depends_on = None

OLD_LOOP_KINDS = ("system_design", "project_deep_dive")
LIVE = sa.text("archived_at IS NULL")


def upgrade():
    op.create_table(
        "requisition_coordinator",
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["requisition_id"], ["requisition.id"],
                                name=op.f("fk_requisition_coordinator_requisition_id_requisition"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_requisition_coordinator_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("requisition_id", "user_id", name=op.f("pk_requisition_coordinator")),
    )
    with op.batch_alter_table("requisition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("loop_break_minutes", sa.Integer(), nullable=False,
                                      server_default="15"))
        batch_op.create_check_constraint(op.f("ck_requisition_loop_break"),
                                         "loop_break_minutes >= 0")
    with op.batch_alter_table("stage_template", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_looped_with_next", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("archived_at", scheduler.models.types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.drop_constraint(op.f("uq_stage_template_requisition_id_position"), type_="unique")
        batch_op.create_index("uq_stage_template_live_position", ["requisition_id", "position"],
                              unique=True, sqlite_where=LIVE, postgresql_where=LIVE)
    _flag_old_loops()


def _flag_old_loops():
    """Set the flag where the hard-wired rule made a loop, so booking behaves as before."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, requisition_id, position, kind, panel_size FROM stage_template "
        "ORDER BY requisition_id, position")).all()
    flagged = [
        this.id for this, after in zip(rows, rows[1:])
        if this.requisition_id == after.requisition_id and after.position == this.position + 1
        and this.kind in OLD_LOOP_KINDS and after.kind in OLD_LOOP_KINDS
        and this.panel_size > 0 and after.panel_size > 0
    ]
    for stage_id in flagged:
        bind.execute(sa.text("UPDATE stage_template SET is_looped_with_next = :yes WHERE id = :id"),
                     {"yes": True, "id": stage_id})


def downgrade():
    bind = op.get_bind()
    archived = bind.execute(sa.text(
        "SELECT count(*) FROM stage_template WHERE archived_at IS NOT NULL")).scalar()
    if archived:
        raise RuntimeError(
            f"cannot downgrade: {archived} archived stages would come back into their openings' "
            "process; delete them (and what refers to them) first")
    with op.batch_alter_table("stage_template", schema=None) as batch_op:
        batch_op.drop_index("uq_stage_template_live_position")
        batch_op.create_unique_constraint(op.f("uq_stage_template_requisition_id_position"),
                                          ["requisition_id", "position"])
        batch_op.drop_column("archived_at")
        batch_op.drop_column("is_looped_with_next")
    with op.batch_alter_table("requisition", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_requisition_loop_break"), type_="check")
        batch_op.drop_column("loop_break_minutes")
    op.drop_table("requisition_coordinator")
