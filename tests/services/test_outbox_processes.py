"""Two job processes send one outbox through a slow mail server (issue 21, item 4).

Real `flask jobs run send_outbox` processes share one database (a SQLite file, and PostgreSQL
when TEST_DATABASE_URL is set); an aiosmtpd server takes DELAY seconds over each message; the
lease, batch size and polling come from the settings, scaled from minutes down to seconds so
that a batch outlives its lease, as a claim of 50 once outlived its 5 minutes (58 deliveries
for 50 messages). Mail is counted at the server by Message-ID.
"""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from scheduler.jobs import send_outbox
from scheduler.mail import SmtpTransport, build_message
from scheduler.models import OutboxMessage
from scheduler.services.outbox import enqueue_email
from scheduler.timeutil import wall_clock_now
from tests.dbutil import subprocess_environment
from tests.smtp_server import SmtpTestServer

# Run while no other test does (tests/alone.py): leases timed on the real clock and three processes.
pytestmark = pytest.mark.alone

ROOT = Path(__file__).resolve().parents[2]
DELAY = 0.2  # seconds the server takes over each message
BATCH = 10  # so a batch takes BATCH × DELAY = 2 s, longer than …
LEASE = 1.5  # … a lease, which still covers one send seven times over
POLL = 0.2
WAIT = 25.0  # the longest any step may take before the test gives up


@pytest.fixture
def slow_smtp():
    with SmtpTestServer(delay=DELAY) as server:
        yield server


class JobProcess:
    """`flask jobs run send_outbox` in a process of its own, its log in a file."""

    def __init__(self, name: str, env: dict, log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "jobs", "run", "send_outbox"],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    @property
    def owner_part(self) -> str:
        # jobs.process_owner() is host/pid/random.
        return f"/{self.process.pid}/"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def sent(self) -> int:
        """How many messages this process says it sent (one log line per run)."""
        return sum(int(n) for n in re.findall(r"send_outbox: sent (\d+)", self.log()))

    def stop(self, sig=signal.SIGTERM) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return None


@pytest.fixture
def job_processes(database_config, slow_smtp, tmp_path):
    env = subprocess_environment(database_config) | {
        "SMTP_URL": slow_smtp.url, "OUTBOX_LEASE_SECONDS": str(LEASE),
        "OUTBOX_BATCH_SIZE": str(BATCH), "OUTBOX_POLL_SECONDS": str(POLL)}
    started: list[JobProcess] = []

    def start(name: str) -> JobProcess:
        started.append(JobProcess(name, env, tmp_path))
        return started[-1]

    yield start
    for process in started:
        process.stop(signal.SIGKILL)


def _enqueue(db, now, numbers: range) -> list[str]:
    ids = [f"<lease-{n}@example.com>" for n in numbers]
    for n, message_id in zip(numbers, ids):
        message = build_message(from_addr="ml-hr@example.com", to_addr=f"p{n}@example.org",
                                subject=f"面试邀请 {n}", text_body="你好", html_body="<p>你好</p>",
                                message_id=message_id, date_at=now)
        enqueue_email(message, kind="invite_request", now=now)
    db.session.commit()
    return ids


def _rows(db) -> list[OutboxMessage]:
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    db.session.rollback()  # read afresh next time; hold no snapshot while the processes write
    return rows


def _wait_for(what: str, condition, processes, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    logs = "\n".join(f"--- {p.name} ---\n{p.log()[-3000:]}" for p in processes)
    pytest.fail(f"gave up waiting for {what} after {timeout:.0f} s\n{logs}")


def _mid_batch(db, smtp, process: JobProcess):
    """Return (message in flight, rows held) when *process* is sending one message of its batch
    (the server has its data, not yet accepted) with others waiting behind it; else None."""
    in_flight = Counter(smtp.started) - Counter(m.message["Message-ID"] for m in smtp.messages)
    held = [r for r in _rows(db) if r.sent_at is None and process.owner_part in (r.claimed_by or "")]
    sending = [r.message_id for r in held if r.message_id in in_flight]
    if sending and len(held) >= 2:
        return sending[0], held
    return None


def _all_sent(db) -> bool:
    return all(r.sent_at is not None and r.claimed_by is None for r in _rows(db))


def _held_by(db, process: JobProcess) -> list[OutboxMessage]:
    return [r for r in _rows(db) if process.owner_part in (r.claimed_by or "")]


def test_two_processes_send_each_message_once_and_a_killed_one_costs_one_message_and_one_lease(
        app, db, now, slow_smtp, job_processes):
    assert BATCH * DELAY > LEASE >= 5 * DELAY  # the scale this test is about
    doomed, stopped = job_processes("doomed"), job_processes("stopped")
    processes = [doomed, stopped]
    _wait_for("both processes to poll the empty outbox",
              lambda: all("send_outbox: sent 0" in p.log() for p in processes), processes)

    # One process claims a whole batch, which outlives its lease; the other claims the last two
    # and then sits idle, polling, while that lease would run out under the batch.
    first_wave = _enqueue(db, now, range(BATCH + 2))
    _wait_for("the first wave to be sent", lambda: _all_sent(db), processes)
    _wait_for("both processes to say what they sent",
              lambda: doomed.sent() + stopped.sent() >= len(first_wave), processes)
    received = Counter(m.message["Message-ID"] for m in slow_smtp.messages)
    assert received == Counter(first_wave)  # each message once
    assert sorted([doomed.sent(), stopped.sent()]) == [2, BATCH]

    # A batch for one, four for the other; kill -9 the doomed one in the middle of its batch:
    # the rows it held stay its own until its lease ends, one lease after it began its last
    # send (it renews the batch before each send).
    second_wave = _enqueue(db, now, range(BATCH + 2, 2 * BATCH + 6))
    in_flight, _ = _wait_for("the doomed process to be mid-batch",
                             lambda: _mid_batch(db, slow_smtp, doomed), processes)
    doomed.stop(signal.SIGKILL)
    killed_at = wall_clock_now()
    assert max(r.claimed_until for r in _held_by(db, doomed)) <= killed_at + timedelta(
        seconds=LEASE)

    # SIGTERM in the middle of a batch: the message in flight is finished and recorded, the
    # rest given back at once.
    stopped_in_flight, _ = _wait_for("the other process to be mid-batch",
                                     lambda: _mid_batch(db, slow_smtp, stopped), processes)
    assert stopped.stop() == 0
    assert not _held_by(db, stopped)
    assert next(r for r in _rows(db) if r.message_id == stopped_in_flight).sent_at == now

    # A restart (this test's own send loop) takes what was given back at once, and what the
    # dead process held once its lease has ended: nothing waits longer than that.
    restarted_at = time.monotonic()
    left = sum(r.sent_at is None for r in _rows(db))
    transport = SmtpTransport.from_url(slow_smtp.url)
    while not _all_sent(db):
        assert time.monotonic() - restarted_at < LEASE + left * DELAY + 5, "mail left waiting"
        send_outbox(now, transport)
        time.sleep(POLL)

    received = Counter(m.message["Message-ID"] for m in slow_smtp.messages)
    assert set(received) == set(first_wave + second_wave)
    # Each message once, but the one in flight when the process died, which may go twice (the
    # server took it as the process died, and its row still said unsent).
    assert {i for i, n in received.items() if n > 1} <= {in_flight}
    assert received[in_flight] <= 2
