"""Refuse overlapping active assignments of one interviewer on PostgreSQL.

The booking service serialises bookings per interviewer with a row lock; this exclusion
constraint is the safety net under it (DESIGN.md §6): no two active assignment rows of one
interviewer may have overlapping half-open [start_at, end_at) ranges. It needs btree_gist
(created by the initial migration in schema public, never dropped). SQLite has no exclusion
constraints: there the lock alone serialises bookings.

Revision ID: b7e4c1a9d2f0
Revises: f6d958854225
Create Date: 2026-11-29 07:30:00
"""
from alembic import op

revision = "b7e4c1a9d2f0"
down_revision = "f6d958854225"
branch_labels = None
depends_on = None

CONSTRAINT = "ex_interviewer_assignment_no_overlap"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"ALTER TABLE interviewer_assignment ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (interviewer_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&) "
        "WHERE (is_active)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE interviewer_assignment DROP CONSTRAINT {CONSTRAINT}")
