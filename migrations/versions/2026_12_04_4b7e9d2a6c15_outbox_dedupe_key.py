"""Outbox rows get a dedupe key: one mail per event and recipient.

`outbox_message.dedupe_key` (nullable, unique) names the event a mail tells of and its
recipient (e.g. a candidate booking through their link, told to one coordinator). A retried
request or a double submit writes the same key, and the unique constraint keeps the second
row out. Existing rows keep NULL (many NULLs are allowed by a unique constraint).

Revision ID: 4b7e9d2a6c15
Revises: 8c4d2e6f1a37
Create Date: 2026-12-04 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "4b7e9d2a6c15"
down_revision = "8c4d2e6f1a37"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("dedupe_key", sa.String(length=255), nullable=True))
        batch.create_unique_constraint("uq_outbox_message_dedupe_key", ["dedupe_key"])


def downgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_constraint("uq_outbox_message_dedupe_key", type_="unique")
        batch.drop_column("dedupe_key")
