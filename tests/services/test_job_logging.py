"""The job process logs one line per job run saying what it did ("send_outbox: sent 2, failed 1,
…"), and APScheduler's own two lines per run ("Running job …", "… executed successfully") are
quieted. The runs go through APScheduler's real executor function, as the process runs them."""
from __future__ import annotations

import logging

import pytest
from apscheduler.executors.base import run_job as apscheduler_run_job

from scheduler.jobs import JOBS, job_scheduler, quiet_scheduler_logs, run_job, send_outbox
from scheduler.models import OutboxMessage
from tests import factories as f
from tests.smtp_server import SmtpTestServer


@pytest.fixture
def scheduler_logs():
    """Put APScheduler's log level back as it was after the test."""
    logger = logging.getLogger("apscheduler")
    level = logger.level
    yield logger
    logger.setLevel(level)


def _mail(to_addr: str, n: int) -> OutboxMessage:
    raw = (f"From: hr@example.com\r\nTo: {to_addr}\r\nSubject: Interview\r\n"
           f"Message-ID: <{n}@test>\r\n\r\nHello\r\n").encode()
    return f.make_outbox_message(to_addr=to_addr, raw_message=raw, message_id=f"<{n}@test>")


def test_each_run_is_one_line_and_apscheduler_says_nothing(app, db, now, caplog, scheduler_logs):
    with SmtpTestServer() as server:
        server.refuse("550 5.1.1 No such user", address="ghost@example.org")
        app.config["SMTP_URL"] = server.url
        for n, address in enumerate(("a@example.org", "ghost@example.org", "b@example.org")):
            _mail(address, n)
        db.session.commit()
        scheduler = job_scheduler(app)
        quiet_scheduler_logs()
        with caplog.at_level(logging.INFO):
            for job in scheduler.get_jobs():
                job.misfire_grace_time = None  # this test runs them when it likes
                apscheduler_run_job(job, "default", [job.next_run_time],
                                    "apscheduler.executors.default")
    # (The test SMTP server logs as "mail.log"; the job process's own loggers are these.)
    ours = [r for r in caplog.records if r.name.startswith(("scheduler", "apscheduler"))]
    runs = [r for r in ours if r.levelno == logging.INFO]
    assert [r.name for r in runs] == ["scheduler.jobs"] * len(JOBS)
    assert [r.getMessage() for r in runs] == [
        "send_outbox: sent 2, failed 1, to retry later 0, dropped 0, 0 left",
        "enqueue_reminders: 0 reminders put in the outbox",
        "refresh_calendars: 0 calendars read, 0 failed",
        "expire_links: 0 scheduling links expired",
        "apply_retention: 0 applications and 0 candidates anonymised",
        "finish_erasures: 0 candidates erased, 0 waiting for their cancellations to be sent",
    ]
    # The failure itself is a warning of its own, naming the message and the server's answer.
    [warning] = [r for r in ours if r.levelno == logging.WARNING]
    assert "failed" in warning.getMessage() and "550" in warning.getMessage()


def test_a_run_that_leaves_mail_behind_says_how_much(app, db, now):
    for n in range(3):
        _mail(f"p{n}@example.org", n)
    db.session.commit()

    class Accepting:
        def send(self, message):
            pass

    assert send_outbox(now, Accepting(), limit=1) == {
        "claimed": 1, "sent": 1, "retry": 0, "failed": 0, "dropped": 0, "left": 2}


def test_a_failing_run_is_logged_with_its_traceback_and_the_process_goes_on(app, caplog):
    def broken(now):
        raise RuntimeError("database is on fire")

    job = JOBS[0].__class__("broken", broken, 60)
    with caplog.at_level(logging.INFO, logger="scheduler.jobs"):
        assert run_job(app, job) == {"error": True}
    [record] = caplog.records
    assert record.getMessage() == "broken: failed" and record.exc_info is not None
