"""Background jobs and the one process that runs them (`flask jobs run`).

Web workers never start a scheduler: they write rows (outbox, reminders, sources) and this
process polls those tables on short intervals with APScheduler 3's in-memory store. Each job
function owns its transactions and returns counts; `run_job` gives it an app context and logs one
line per run saying what it did ("send_outbox: sent 3, failed 1, 0 left"). APScheduler's own
two lines per run ("Running job …", "… executed successfully") are quieted to warnings.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

from scheduler.extensions import db
from scheduler.timeutil import utc_now, wall_clock_now

log = logging.getLogger("scheduler.jobs")


def mail_transport():
    """Return the configured transport: SMTP when SMTP_URL is set, else .eml files."""
    from scheduler.mail import transport_from_settings

    return transport_from_settings(current_app.config["SMTP_URL"], current_app.config["MAIL_DIR"])


def send_outbox(now: datetime, transport=None, limit: int = 50) -> dict:
    """Claim due outbox rows, send each, and record the outcome; return counts."""
    from scheduler.services.outbox import claim_due_messages, count_due_messages, deliver_claimed

    claimed = claim_due_messages(now, limit=limit)
    db.session.commit()
    counts = {"claimed": len(claimed), "sent": 0, "retry": 0, "failed": 0, "dropped": 0}
    if claimed:
        transport = transport or mail_transport()
    for message_id in claimed:
        delivery = deliver_claimed(message_id, transport, now)
        db.session.commit()
        counts[delivery.outcome] += 1
        if delivery.outcome not in ("sent", "dropped"):
            log.warning("outbox %s: %s (%s)", message_id, delivery.outcome, delivery.error)
    # Due now but not taken by this run: more than `limit`, for the next run.
    counts["left"] = count_due_messages(now)
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

    def describe(self, result: dict) -> str:
        """Say in one line what a run did, e.g. "send_outbox: sent 3, failed 1, 0 left"."""
        try:
            text = self.summary.format(**result)
        except (KeyError, IndexError, ValueError):
            text = ""
        return f"{self.name}: {text or ', '.join(f'{k} {v}' for k, v in result.items())}"


JOBS = [
    Job("send_outbox", send_outbox, 30,
        "sent {sent}, failed {failed}, to retry later {retry}, dropped {dropped}, {left} left"),
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


def job_scheduler(app: Flask):
    """Return a blocking APScheduler with every job on its interval (one instance each, missed
    runs coalesced), not started."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone="UTC")
    for job in JOBS:
        scheduler.add_job(run_job, "interval", args=[app, job], seconds=job.every_seconds,
                          id=job.name, name=job.name, max_instances=1, coalesce=True,
                          # APScheduler wakes on the real clock even when business time is frozen.
                          next_run_time=wall_clock_now())
    return scheduler


def run_job_process(app: Flask) -> None:
    """Block, running every job on its interval, one log line per run."""
    quiet_scheduler_logs()
    scheduler = job_scheduler(app)
    log.info("job process started with %s", ", ".join(j.name for j in JOBS))
    scheduler.start()
