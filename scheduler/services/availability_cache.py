"""Availability versions, and the per-process cache of what a slot search loads per interviewer.

Every change that affects when an interviewer is free calls `bump_availability_version` in
the same transaction as the change (`bump_office_versions` and `bump_calendar_versions` for
office-wide changes: an office's zone or holiday calendar, workday overrides, year marks). It
writes a new random value into `interviewer_profile.availability_version`: imports and
refreshes, manual blocks, removed calendars (services/calendars.py); bookings, reschedules,
cancellations, swaps, declines (services/booking.py); weekly hours, zone, time off and extra
hours (services/working_hours.py); caps, qualifications, office and zone
(services/interviewers.py); deactivation (services/users.py); offices (services/offices.py);
workday overrides and year marks (services/workdays.py); the demo loader.

`services/slot_search.load_calendars` reads the versions of the interviewers it needs in one
statement and keeps what it loaded for each in `CACHE`, keyed by (interviewer id, version,
loaded range). An entry is used only while the version in the database is the one it was
loaded under, so it is safe with any number of workers and processes: each keeps its own
cache, the database decides. Random versions are never reused, not after a rolled-back change
nor across databases a process reads (tests); and a transaction that changed an interviewer
itself reads that interviewer from the database, never from the cache, until it ends (its own
change is not committed yet: its version must not name it). The booking's locked re-check
does not use the cache at all (DESIGN.md §6).

The cache is bounded (least recently used entries go first) and thread-safe.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Hashable, Iterable

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import InterviewerProfile, Office, User
from scheduler.models.user import new_availability_version

# At 400 interviewers and a few ranges each (the candidate page, the coordinator's page, the
# board's week): a few megabytes.
MAX_ENTRIES = 4096
_CHANGED = "availability_changed"


class AvailabilityCache:
    """A bounded, thread-safe map from (interviewer id, version, range) to what was loaded."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable):
        """Return the entry under *key*, or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        """Keep *value* under *key*, dropping the least recently used entries beyond the bound."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def keys(self) -> list[Hashable]:
        """Return the keys held now, least recently used first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


CACHE = AvailabilityCache()


def bump_availability_version(profile_ids: Iterable[int | None]) -> None:
    """Mark the availability of these interviewers (profile ids) as changed: nothing cached
    about them before is used again."""
    ids = sorted({i for i in profile_ids if i is not None})
    # One row at a time in ascending id order, as booking takes its locks (services/booking.py):
    # two transactions never wait for each other's rows in a circle.
    for profile_id in ids:
        db.session.execute(
            sa.update(InterviewerProfile).where(InterviewerProfile.id == profile_id)
            .values(availability_version=new_availability_version())
            .execution_options(synchronize_session=False))
    if ids:
        changed_in_this_transaction().update(ids)


def bump_office_versions(office_ids: Iterable[int]) -> None:
    """Mark every interviewer of these offices as changed (their zone or holidays changed)."""
    bump_availability_version(db.session.scalars(
        sa.select(InterviewerProfile.id).where(InterviewerProfile.office_id.in_(set(office_ids)))))


def bump_calendar_versions(calendar_key: str) -> None:
    """Mark every interviewer whose office uses holiday calendar *calendar_key* as changed."""
    bump_availability_version(db.session.scalars(
        sa.select(InterviewerProfile.id)
        .join(Office, Office.id == InterviewerProfile.office_id)
        .where(Office.calendar_key == calendar_key)))


def bump_user_versions(user: User) -> None:
    """Mark a staff user's interviewer profile, if any, as changed."""
    profile = user.interviewer_profile
    if profile is not None:
        bump_availability_version([profile.id])


def availability_versions(profile_ids: Iterable[int]) -> dict[int, int]:
    """Return each interviewer's availability version, in one statement."""
    return dict(db.session.execute(
        sa.select(InterviewerProfile.id, InterviewerProfile.availability_version)
        .where(InterviewerProfile.id.in_(sorted(set(profile_ids))))).all())


def changed_in_this_transaction() -> set[int]:
    """Return the ids this session's current transaction bumped (empty outside one)."""
    session = db.session()
    transaction = session.get_transaction()
    record = session.info.get(_CHANGED)
    if record is None or record[0] is not transaction:
        record = (transaction, set())
        if transaction is not None:
            session.info[_CHANGED] = record
    return record[1]
