"""Calendar secrets at rest: subscription addresses and CalDAV passwords stored encrypted.

- `calendar_source.url` and `.password` become TEXT holding Fernet tokens under the configured
  ENCRYPTION_KEYS (scheduler/encryption.py; the first key encrypts); existing rows are encrypted
  here, so the migration needs the same keys as the app that will read them.
- A source that was named after its full address (the default before) is renamed to the address's
  host and "…", the most of it anyone is shown now.
- Audit events on calendar sources keep only that host of an address, never the address (nor a
  name that was the address).
- A stored last error of a CalDAV account or an invalid address keeps its problem code only: the
  old messages carried the server's answer, an address or the address itself.

Downgrade decrypts back into the old column types. The renamed sources, the shortened audit
addresses and the last errors stay as they are: the full addresses are not put back into them.

Revision ID: 7469dee6b054
Revises: 2cb846ed9f84
Create Date: 2026-12-02 12:00:00
"""
import json
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op
from flask import current_app

from scheduler.encryption import decrypt_text, encrypt_text

revision = "7469dee6b054"
down_revision = "2cb846ed9f84"
branch_labels = None
depends_on = None

SOURCES = sa.table("calendar_source", sa.column("id", sa.Integer), sa.column("name", sa.String),
                   sa.column("url", sa.Text), sa.column("password", sa.Text),
                   sa.column("last_error", sa.Text))
AUDIT = sa.table("audit_event", sa.column("id", sa.Integer), sa.column("object_type", sa.String),
                 sa.column("before", sa.JSON), sa.column("after", sa.JSON))
# Problems whose stored parameters may hold an echoed body, an address or the address itself.
KIND_ONLY_CODES = ("url_invalid", "caldav_unreachable", "caldav_not_found", "caldav_error")


def upgrade():
    with op.batch_alter_table("calendar_source", schema=None) as batch_op:
        batch_op.alter_column("url", existing_type=sa.String(length=1000), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column("password", existing_type=sa.String(length=500), type_=sa.Text(),
                              existing_nullable=False)
    keys = tuple(current_app.config["ENCRYPTION_KEYS"])
    conn = op.get_bind()
    for row in conn.execute(sa.select(SOURCES)).all():
        values = {"url": encrypt_text(row.url, keys), "password": encrypt_text(row.password, keys),
                  "last_error": _kind_only(row.last_error)}
        if row.url and row.name.strip() == row.url.strip()[:200]:
            values["name"] = _shown(row.url)
        conn.execute(sa.update(SOURCES).where(SOURCES.c.id == row.id).values(**values))
    events = conn.execute(sa.select(AUDIT).where(AUDIT.c.object_type == "calendar_source")).all()
    for event in events:
        before, after = _without_address(event.before), _without_address(event.after)
        if (before, after) != (event.before, event.after):
            conn.execute(sa.update(AUDIT).where(AUDIT.c.id == event.id).values(before=before, after=after))


def downgrade():
    keys = tuple(current_app.config["ENCRYPTION_KEYS"])
    conn = op.get_bind()
    for row in conn.execute(sa.select(SOURCES.c.id, SOURCES.c.url, SOURCES.c.password)).all():
        conn.execute(sa.update(SOURCES).where(SOURCES.c.id == row.id).values(
            url=decrypt_text(row.url, keys), password=decrypt_text(row.password, keys)))
    with op.batch_alter_table("calendar_source", schema=None) as batch_op:
        batch_op.alter_column("password", existing_type=sa.Text(), type_=sa.String(length=500),
                              existing_nullable=False)
        batch_op.alter_column("url", existing_type=sa.Text(), type_=sa.String(length=1000),
                              existing_nullable=False)


def _shown(url: str) -> str:
    # A copy of services/calendars.py shown_address() as it is today (a migration must not change
    # when the app's code does).
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return "…"
    if not host:
        return "…"
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}…" if port else f"{host}…"


def _without_address(values):
    if not isinstance(values, dict) or not values.get("url"):
        return values
    shown = _shown(values["url"])
    # A source named after its address (the old default) had it in its name too.
    is_named_after_it = str(values.get("name", "")).strip() == str(values["url"]).strip()[:200]
    return {**values, "url": shown, **({"name": shown} if is_named_after_it else {})}


def _kind_only(last_error: str) -> str:
    if not last_error:
        return last_error
    try:
        stored = json.loads(last_error)
    except ValueError:
        return ""
    if stored.get("code") not in KIND_ONLY_CODES:
        return last_error
    return json.dumps({"code": stored["code"], "params": {}})
