"""Retention and erasure (issue 25 items 1 and 3).

- `application.closed_at`: when the application became rejected, withdrawn or hired; the
  opening's `retention_days` run from it. Backfilled for closed applications from their latest
  decision, else their `updated_at`.
- `application.anonymised_at`: when its free text was scrubbed (claimed once by the job).
- `candidate.erasure_requested_at`: erasure asked for; the job finishes it after the CANCELs.
- `candidate.anonymised_at`: when the name, email and phone were replaced.

Revision ID: e3b5d7a1c9f4
Revises: 9a4f1c7e2d58
Create Date: 2026-12-02 16:00:00
"""
import sqlalchemy as sa
from alembic import op

import scheduler.models.types

revision = "e3b5d7a1c9f4"
down_revision = "9a4f1c7e2d58"
branch_labels = None
depends_on = None


def _instant():
    return scheduler.models.types.UTCDateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("closed_at", _instant(), nullable=True))
        batch.add_column(sa.Column("anonymised_at", _instant(), nullable=True))
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("erasure_requested_at", _instant(), nullable=True))
        batch.add_column(sa.Column("anonymised_at", _instant(), nullable=True))
    # Closed applications close when their latest decision was taken, or when last updated.
    latest = ("(SELECT MAX(d.decided_at) FROM stage_decision d "
              "WHERE d.application_id = application.id)")
    op.execute(f"UPDATE application SET closed_at = COALESCE({latest}, updated_at) "
               "WHERE status IN ('hired', 'rejected', 'withdrawn')")


def downgrade():
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("anonymised_at")
        batch.drop_column("erasure_requested_at")
    with op.batch_alter_table("application") as batch:
        batch.drop_column("anonymised_at")
        batch.drop_column("closed_at")
