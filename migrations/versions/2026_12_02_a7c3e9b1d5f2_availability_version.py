"""Interviewer profiles get an availability_version: a search's per-process cache of an
interviewer's calendar is used only while it is unchanged (issue 23).

Every change that affects when an interviewer is free writes a new random value into it
(scheduler/services/availability_cache.py). Existing rows get a random value each; the server
default 0 only serves rows written by hand.

Revision ID: a7c3e9b1d5f2
Revises: 9a1e5c7d3b48
Create Date: 2026-12-02 12:00:00
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "a7c3e9b1d5f2"
down_revision = "9a1e5c7d3b48"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interviewer_profile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("availability_version", sa.BigInteger(), nullable=False,
                                      server_default="0"))
    profile = sa.table("interviewer_profile", sa.column("id", sa.Integer()),
                       sa.column("availability_version", sa.BigInteger()))
    connection = op.get_bind()
    for (profile_id,) in connection.execute(sa.select(profile.c.id)).all():
        connection.execute(sa.update(profile).where(profile.c.id == profile_id)
                           .values(availability_version=secrets.randbits(62)))


def downgrade():
    with op.batch_alter_table("interviewer_profile", schema=None) as batch_op:
        batch_op.drop_column("availability_version")
