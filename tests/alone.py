"""The `alone` marker: a test so marked runs while no other test of the run does.

Under pytest-xdist (`dev.py test` runs two workers) a test that measures real time (leases, a
reader's deadline, a sign-in delay kept by Redis) or starts many processes would otherwise share
the two cores with whatever the other worker runs, and its margins would depend on that. Every
test of the run holds one lock file: marked tests exclusively, the others shared. A second lock,
the turnstile, gives a waiting marked test priority: while it waits, no new test takes the shared
lock, so the other worker finishes its current test and then waits too. A test lets go of its
lock when it ends, except that consecutive marked tests keep the exclusive lock between them, so
module fixtures (two app processes, say) are started and stopped inside it. Mark whole files
(`pytestmark = pytest.mark.alone`). fcntl locks belong to the process and die with it, so a
crashed worker cannot leave the others stuck. Without xdist there is one process and the locks
are never contended.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

MARKER = "alone"


class AloneLock:
    """The run's two lock files (in *folder*, shared by every worker process of the run)."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self._main = os.open(folder / "alone.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self._turnstile = os.open(folder / "alone-turnstile.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self.held: str | None = None  # "shared", "exclusive" or None

    def acquire(self, *, is_alone: bool) -> None:
        """Take the lock a test of this kind needs (a marked test may find it held already)."""
        wanted = "exclusive" if is_alone else "shared"
        if self.held == wanted:
            return
        self.release()
        fcntl.flock(self._turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(self._main, fcntl.LOCK_EX if is_alone else fcntl.LOCK_SH)
        finally:
            fcntl.flock(self._turnstile, fcntl.LOCK_UN)
        self.held = wanted

    def release(self) -> None:
        """Let the others go."""
        if self.held is not None:
            fcntl.flock(self._main, fcntl.LOCK_UN)
            self.held = None

    def close(self) -> None:
        self.release()
        os.close(self._main)
        os.close(self._turnstile)


def is_alone(item) -> bool:
    """Tell whether *item* (a pytest test item) carries the `alone` marker."""
    return item.get_closest_marker(MARKER) is not None
