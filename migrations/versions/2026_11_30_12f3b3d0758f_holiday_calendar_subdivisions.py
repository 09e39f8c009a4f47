"""Holiday calendars take a subdivision: the London office's `GB` becomes England's `GB-ENG`.

`GB` is the United Kingdom's common holidays only: it lacks England's Easter Monday and
late-summer bank holiday. Calendar keys are now whatever the `holidays` package has (a country
code, with the subdivision where it has one: GB-ENG, GB-SCT, US-CA, …), checked by the app
against the package. A CHECK can no longer list every key, so the enumerating CHECK on
office.calendar_key and workday_override.calendar_key is replaced by a shape CHECK (two
upper-case characters, alone or followed by "-" and a subdivision), and the columns grow from
10 to 32 characters (the package's longest key has 20). Offices and overrides on `GB` move to
`GB-ENG`.

Downgrade moves `GB-ENG` back to `GB` and restores the enumerating CHECKs. It refuses, before
changing anything, when the data holds what the old schema cannot: a key outside CN, GB, GB-ENG,
US-CA, SG, or a GB-ENG override on a date that also has a GB one.

Revision ID: 12f3b3d0758f
Revises: c3a8e5f1b2d4
Create Date: 2026-11-30 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "12f3b3d0758f"
down_revision = "c3a8e5f1b2d4"
branch_labels = None
depends_on = None

TABLES = ("office", "workday_override")
OLD_KEYS = ("CN", "GB", "US-CA", "SG")
OLD_CHECK = "calendar_key IN ('CN', 'GB', 'US-CA', 'SG')"
SHAPE_CHECK = (
    "substr(calendar_key, 1, 2) = upper(substr(calendar_key, 1, 2)) AND "
    "(length(calendar_key) = 2 OR (length(calendar_key) > 3 AND substr(calendar_key, 3, 1) = '-'))"
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_calendar_key"), type_="check")
            batch_op.alter_column("calendar_key", existing_type=sa.String(length=10),
                                  type_=sa.String(length=32), existing_nullable=False)
            batch_op.create_check_constraint(op.f(f"ck_{table}_calendar_key_shape"), SHAPE_CHECK)
        op.execute(f"UPDATE {table} SET calendar_key = 'GB-ENG' WHERE calendar_key = 'GB'")


def downgrade():
    bind = op.get_bind()
    for table in TABLES:
        keys = bind.execute(sa.text(f"SELECT DISTINCT calendar_key FROM {table}")).scalars()
        unknown = sorted(set(keys) - set(OLD_KEYS) - {"GB-ENG"})
        if unknown:
            raise RuntimeError(
                f"cannot downgrade: {table} uses holiday calendars the old schema does not allow "
                f"({', '.join(unknown)}); move them to one of {', '.join(OLD_KEYS)} first")
    clashes = bind.execute(sa.text(
        "SELECT a.day FROM workday_override a JOIN workday_override b ON a.day = b.day "
        "WHERE a.calendar_key = 'GB-ENG' AND b.calendar_key = 'GB' ORDER BY a.day")).scalars().all()
    if clashes:
        raise RuntimeError(
            "cannot downgrade: GB-ENG and GB both have workday overrides on "
            f"{', '.join(str(day) for day in clashes)}; remove one of each pair first")
    for table in TABLES:
        op.execute(f"UPDATE {table} SET calendar_key = 'GB' WHERE calendar_key = 'GB-ENG'")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_calendar_key_shape"), type_="check")
            batch_op.alter_column("calendar_key", existing_type=sa.String(length=32),
                                  type_=sa.String(length=10), existing_nullable=False)
            batch_op.create_check_constraint(op.f(f"ck_{table}_calendar_key"), OLD_CHECK)
