"""An online, consistent copy of the embedded SQLite database (README "Backups").

SQLite's backup API copies every page in one step while holding a read transaction, so the copy
is the database as of one instant (every commit before it, none after) while the app keeps
reading and writing (WAL mode: the readers and the one writer do not block each other). The copy
is written beside its target and renamed into place only after `PRAGMA integrity_check` passes,
so a half-written or damaged file never takes the target's name. PostgreSQL has its own tools,
pg_dump and pg_restore; this refuses it and says so.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from scheduler.services.errors import N_, ServiceError


class BackupError(ServiceError):
    messages = {
        "postgresql": N_("This database is PostgreSQL: back it up with pg_dump -Fc (and restore "
                         "with pg_restore), as the README's Backups section shows."),
        "not_sqlite": N_("Only the embedded SQLite database can be backed up this way "
                         "(this one is %(dialect)s)."),
        "no_database": N_("There is no database file at %(path)s."),
        "target_exists": N_("%(path)s already exists: choose a new file name for the backup."),
        "damaged": N_("The copy failed SQLite's integrity check and was not kept: %(result)s"),
    }


def back_up_database(database_url: str, target: Path) -> Path:
    """Copy the SQLite database at *database_url* to the new file *target*; return its path."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        raise BackupError("postgresql")
    if url.get_backend_name() != "sqlite":
        raise BackupError("not_sqlite", dialect=url.get_backend_name())
    source = Path(url.database or "")
    if not url.database or url.database == ":memory:" or not source.is_file():
        raise BackupError("no_database", path=str(source))
    target = Path(target)
    if target.exists():
        raise BackupError("target_exists", path=str(target))
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    origin = sqlite3.connect(source, timeout=15)
    copy = sqlite3.connect(partial)
    try:
        # pages=-1 (the default): all pages in one step, one consistent snapshot.
        origin.backup(copy)
        # A standalone file: no -wal beside it is needed to read it.
        copy.execute("PRAGMA journal_mode=DELETE")
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        origin.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError("damaged", result=result)
    os.replace(partial, target)
    return target
