"""Background jobs and the job process that runs them (`flask jobs run`).

Web workers never start a scheduler: they write rows (outbox, reminders, sources) and a job
process polls those tables on short intervals with APScheduler 3's in-memory store. Every step is
claimed in the database (outbox rows under a lease, reminders by a conditional update), so any
number of job processes may run side by side. Each job function owns its transactions and
returns counts; `run_job` gives it an app context and logs one line per run saying what it did
("send_outbox: sent 3, failed 1, 0 left"). APScheduler's own two lines per run ("Running job …",
"… executed successfully") are quieted to warnings.
"""
from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app

from scheduler.extensions import db
from scheduler.timeutil import utc_now, wall_clock_now

log = logging.getLogger("scheduler.jobs")


def mail_transport():
    """Return the configured transport: SMTP when SMTP_URL is set, else .eml files."""
    from scheduler.mail import transport_from_settings

    return transport_from_settings(current_app.config["SMTP_URL"], current_app.config["MAIL_DIR"])


# Set when the job process is asked to stop: a send run finishes the message in flight, gives
# back the rest of its claims and returns.
STOP = threading.Event()
_owner: tuple[int, str] | None = None


def process_owner() -> str:
    """Name this process as the holder of outbox leases: host/pid/random (random, so that a
    recycled pid never inherits a dead process's claims)."""
    global _owner
    if _owner is None or _owner[0] != os.getpid():
        _owner = (os.getpid(),
                  f"{socket.gethostname()[:60]}/{os.getpid()}/{secrets.token_hex(4)}")
    return _owner[1]


def outbox_lease():
    """Return this process's outbox lease: OUTBOX_LEASE_SECONDS on the real clock, which a frozen
    business `now` does not stop (services/outbox.py `Lease` says why)."""
    from scheduler.services.outbox import Lease

    return Lease(process_owner(), timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"]),
                 wall_clock_now)


def send_outbox(now: datetime, transport=None, limit: int | None = None, lease=None) -> dict:
    """Send due outbox rows, a small batch at a time, until none is left (or *limit* were
    claimed, or the process is stopping); record each outcome; return counts.

    *now* is business time, read once at the job's edge: what is due, when it was sent. The
    lease runs on *lease*'s own clock (real time), renewed before each send, so a run of any
    length never sends a row another process has taken over.
    """
    from scheduler.services.outbox import (
        claim_due_messages, count_due_messages, drop_account_only_message, record_delivery,
        release_claims, renew_claim, send_claimed_message,
    )

    lease = lease or outbox_lease()
    batch_size = current_app.config["OUTBOX_BATCH_SIZE"]
    counts = {"claimed": 0, "sent": 0, "retry": 0, "failed": 0, "dropped": 0}
    while not STOP.is_set():
        room = batch_size if limit is None else min(batch_size, limit - counts["claimed"])
        if room <= 0:
            break
        claimed = claim_due_messages(now, lease, limit=room)
        db.session.commit()
        if not claimed:
            break
        counts["claimed"] += len(claimed)
        transport = transport or mail_transport()
        for message_id in claimed:
            if STOP.is_set():
                break
            message = renew_claim(message_id, lease)
            if message is None:
                db.session.commit()
                log.warning("outbox %s: the lease ran out before sending; left to the "
                            "next claim", message_id)
                continue
            is_dropped = drop_account_only_message(message, lease)
            db.session.commit()
            if is_dropped:
                counts["dropped"] += 1
                continue
            delivery = send_claimed_message(message, transport)
            is_recorded = record_delivery(delivery, now, lease)
            db.session.commit()
            counts[delivery.outcome] += 1
            if not is_recorded:
                log.warning("outbox %s: %s, but another process took it over meanwhile and "
                            "will record it (it may send it again, same Message-ID)",
                            message_id, delivery.outcome)
            if delivery.outcome != "sent":
                log.warning("outbox %s: %s (%s)", message_id, delivery.outcome,
                            delivery.error)
    # What was claimed but not sent (the process is stopping) goes back at once, not after the
    # lease. A run that fails instead is rolled back by run_job and its claims end with their
    # lease, as after a crash: a message that broke a run is not handed straight back.
    release_claims(lease.owner)
    db.session.commit()
    # Due now and free, but not sent by this run (its limit, or the process is stopping).
    counts["left"] = count_due_messages(now, lease.clock())
    return counts


def enqueue_reminders(now: datetime) -> dict:
    """Turn due reminders into outbox rows, each exactly once."""
    from scheduler.services.reminders import due_reminder_ids, enqueue_reminder

    enqueued = 0
    for reminder_id in due_reminder_ids(now):
        if enqueue_reminder(reminder_id, now):
            enqueued += 1
        db.session.commit()
    return {"enqueued": enqueued}


def refresh_calendars(now: datetime) -> dict:
    """Re-read every calendar source over the rolling horizon."""
    from scheduler.services.calendars import refresh_calendar_sources

    result = refresh_calendar_sources(now)
    db.session.commit()
    return result if isinstance(result, dict) else {"refreshed": result}


def expire_links(now: datetime) -> dict:
    """Mark scheduling links whose picking window has passed unbooked as expired."""
    from scheduler.services.links import expire_links as expire

    result = expire(now)
    db.session.commit()
    return result


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable[[datetime], dict]
    every_seconds: int
    # How the run's log line words the counts the function returns; empty: each count by name.
    summary: str = ""
    # A setting that overrides every_seconds (tests scale the outbox's polling down).
    every_setting: str = ""

    def describe(self, result: dict) -> str:
        """Say in one line what a run did, e.g. "send_outbox: sent 3, failed 1, 0 left"."""
        try:
            text = self.summary.format(**result)
        except (KeyError, IndexError, ValueError):
            text = ""
        return f"{self.name}: {text or ', '.join(f'{k} {v}' for k, v in result.items())}"


JOBS = [
    Job("send_outbox", send_outbox, 30,
        "sent {sent}, failed {failed}, to retry later {retry}, dropped {dropped}, {left} left",
        every_setting="OUTBOX_POLL_SECONDS"),
    Job("enqueue_reminders", enqueue_reminders, 60, "{enqueued} reminders put in the outbox"),
    Job("refresh_calendars", refresh_calendars, 15 * 60,
        "{refreshed} calendars read, {failed} failed"),
    Job("expire_links", expire_links, 10 * 60, "{expired} scheduling links expired"),
]


def run_job(app: Flask, job: Job, now: datetime | None = None) -> dict:
    """Run one job in its own app context and log one line saying what it did; never let an
    error kill the process (it is logged with its traceback instead)."""
    with app.app_context():
        try:
            result = job.function(now or utc_now())
        except Exception:
            db.session.rollback()
            log.exception("%s: failed", job.name)
            return {"error": True}
        finally:
            db.session.remove()
    log.info("%s", job.describe(result))
    return result


def quiet_scheduler_logs() -> None:
    """Keep APScheduler to warnings (a missed run, a job still running): `run_job` says what each
    run did, so its "Running job …" and "… executed successfully" lines only repeat that."""
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def job_scheduler(app: Flask, names: Iterable[str] = ()):
    """Return an APScheduler running the named jobs (default: every job) in its own threads, each
    on its interval (one instance each, missed runs coalesced), not started."""
    from apscheduler.schedulers.background import BackgroundScheduler

    names = set(names)
    scheduler = BackgroundScheduler(timezone="UTC")
    for job in JOBS:
        if names and job.name not in names:
            continue
        seconds = app.config.get(job.every_setting) or job.every_seconds
        scheduler.add_job(run_job, "interval", args=[app, job], seconds=seconds,
                          id=job.name, name=job.name, max_instances=1, coalesce=True,
                          # APScheduler wakes on the real clock even when business time is frozen.
                          next_run_time=wall_clock_now())
    return scheduler


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def wait_for_stop_signal() -> signal.Signals:
    """Block until SIGTERM or SIGINT arrives; return which.

    The handlers do nothing but wake this wait (through a pipe, Python's wakeup fd), so a signal
    never interrupts a send or a transaction half-way, and no signal is left blocked for the
    processes the jobs start (the calendar readers).
    """
    reader, writer = os.pipe()
    os.set_blocking(writer, False)
    previous_fd = signal.set_wakeup_fd(writer)
    previous = {sig: signal.signal(sig, lambda signum, frame: None) for sig in STOP_SIGNALS}
    try:
        while True:
            for number in os.read(reader, 64):
                if number in STOP_SIGNALS:
                    return signal.Signals(number)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(previous_fd)
        os.close(reader)
        os.close(writer)


def run_job_process(app: Flask, names: Iterable[str] = ()) -> None:
    """Run the named jobs (default: all) on their intervals, one log line per run, until SIGTERM
    or SIGINT; then let the message in flight finish and give back unsent outbox claims."""
    quiet_scheduler_logs()
    scheduler = job_scheduler(app, names)
    try:
        scheduler.start()
        log.info("job process %s started with %s", process_owner(),
                 ", ".join(job.id for job in scheduler.get_jobs()))
        received = wait_for_stop_signal()
        log.info("job process stopping on %s: finishing the message in flight", received.name)
    finally:
        STOP.set()
        if scheduler.running:
            scheduler.shutdown(wait=True)
        release_process_claims(app)


def release_process_claims(app: Flask) -> None:
    """Give back the outbox rows this process claimed but did not send (a send run does so
    itself; this is the backstop when it could not), logging how many."""
    from scheduler.services.outbox import release_claims

    with app.app_context():
        try:
            released = release_claims(process_owner())
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("could not give back this process's outbox claims; they end with "
                          "their lease")
            return
        finally:
            db.session.remove()
    if released:
        log.info("gave back %s unsent outbox claims", released)
