"""The candidate's booking POST, end to end, measured in CPU time on PostgreSQL (or SQLite).

"booking POST" stores the engine bench's M team (50 interviewers in 8 zones and offices, 28
days, about 4,000 busy intervals; the rows of bench/db_workloads.py) in a PostgreSQL schema of
its own (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server's ``test`` database),
with CANDIDATES candidates, each with an application at the one-of-50 stage and a scheduling
link, half of them reading Chinese and half English. Each run books one candidate through
Flask's test client as a browser would: before the timing it opens the link's page and the
confirm step of a time (the candidate's k-th offered start, so bookings spread over the pool)
and reads the form there (CSRF token, notice version, countries); the timed part is the
``POST /schedule/<token>/book`` with both boxes ticked, answered by a redirect — the lock, the
re-check, the interview and its seats, audit, consents, invites and reminders written to the
outbox, the commit.

The measure is CPU, not wall time: the app process's (``time.process_time``) plus the
PostgreSQL backends' serving this app (``/proc/<pid>/schedstat``, nanoseconds, of every backend
whose ``application_name`` is this process's), in ms per booking. ``parts`` gives the two
halves; bench.compare prints them. "booking POST SQLite" is the same on a SQLite file (app CPU
only: SQLite runs in the app process). "link page GET" is the candidate's ``GET /schedule/<token>``
of the same setup on PostgreSQL, in CPU ms too.

The app's clock is frozen at the engine bench's ``NOW``, so the bench does not depend on the day
it runs.
"""
from __future__ import annotations

import atexit
import dataclasses
import html
import os
import re
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa

from bench.db_workloads import _database, _store_team
from bench.engine_workloads import NOW, team
from bench.registry import Prepared, Workload, register

# Enough for bench.run's default 30 runs plus the cold one; bench.compare uses 11.
CANDIDATES = 40
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_SLOT = re.compile(r'<a class="slot[^"]*" href="([^"]+)"')
_INPUT = re.compile(r"<input\b[^>]*>")
_ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


def _database_url() -> str:
    return (os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
            or DEFAULT_DATABASE_URL)


def _postgres_app(application_name: str):
    """Create the app on a fresh PostgreSQL schema, dropped when the process ends."""
    from scheduler import create_app

    url = _database_url()
    schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public"))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    atexit.register(drop)
    app = create_app({
        "TESTING": False, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret",
        "RATELIMIT_ENABLED": False, "BASE_URL": "http://localhost",
        "FROZEN_NOW": NOW.isoformat(),
        # As in production (scheduler/config.py): a pinged pool.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "connect_args": {
            "options": f"-csearch_path={schema},public",
            "application_name": application_name}},
    })
    return app, admin


def _sqlite_app():
    from scheduler import create_app

    return create_app({
        "TESTING": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{_database()}",
        "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://localhost", "FROZEN_NOW": NOW.isoformat(),
    })


def _links(application_id: int, count: int) -> list[str]:
    """Give *count* new candidates an application like *application_id*'s and a link each."""
    from scheduler.extensions import db
    from scheduler.models import Application, Candidate, User
    from scheduler.services.links import create_link

    template = db.session.get(Application, application_id)
    coordinator = db.session.scalar(sa.select(User).where(User.email == "coordinator@example.com"))
    created_at = NOW - timedelta(days=30)
    tokens = []
    for number in range(count):
        candidate = Candidate(name=f"Bench Candidate {number}",
                              email=f"candidate{number}@example.org",
                              zone=("Asia/Shanghai", "Europe/London")[number % 2],
                              language=("zh", "en")[number % 2], created_at=created_at)
        application = Application(candidate=candidate, requisition=template.requisition,
                                  level="mid", current_stage=template.current_stage,
                                  created_at=created_at, updated_at=created_at)
        db.session.add(application)
        db.session.flush()
        _, token = create_link(coordinator, application, [application.current_stage], 0,
                               NOW + timedelta(days=7), NOW)
        tokens.append(token)
    db.session.commit()
    return tokens


def _form_fields(page: str) -> dict[str, str]:
    """Return the booking form's fields as a browser posts them with every box ticked."""
    fields = {}
    for tag in _INPUT.findall(page):
        attributes = {key: html.unescape(value) for key, value in _ATTRIBUTE.findall(tag)}
        name = attributes.get("name")
        if not name:
            continue
        if attributes.get("type") == "checkbox":
            fields[name] = attributes.get("value", "y")
        else:
            fields[name] = attributes.get("value", "")
    return fields


def _backend_cpu_ns(admin, application_name: str) -> int:
    """Return the CPU time so far of the PostgreSQL backends serving *application_name*."""
    with admin.connect() as connection:
        pids = connection.execute(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
            {"name": application_name}).scalars().all()
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/schedstat") as stat:
                total += int(stat.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # a backend that ended took its time with it; the pool keeps them open
    return total


class _Booker:
    """Book one prepared candidate per call and keep the CPU parts of the last booking."""

    def __init__(self, app, tokens, admin=None, application_name=""):
        self.client = app.test_client()
        self.tokens = list(tokens)
        self.admin, self.application_name = admin, application_name
        self.parts: dict[str, float] = {}
        self.count = 0

    def _database_ns(self) -> int:
        return _backend_cpu_ns(self.admin, self.application_name) if self.admin else 0

    def _cpu(self, request):
        database_before, app_before = self._database_ns(), time.process_time()
        response = request()
        app_ms = (time.process_time() - app_before) * 1000
        database_ms = (self._database_ns() - database_before) / 1e6
        self.parts = {"app": app_ms, "db": database_ms}
        return response

    def book(self) -> int:
        """Open the next candidate's page and confirm step, then time the booking POST."""
        if not self.tokens:
            raise RuntimeError(f"all {CANDIDATES} bench candidates have booked")
        token = self.tokens.pop(0)
        page = self.client.get(f"/schedule/{token}").text
        starts = _SLOT.findall(page)
        if not starts:
            raise RuntimeError("the link page offers no time")
        confirm = self.client.get(html.unescape(starts[(self.count * 7) % len(starts)]))
        self.count += 1
        fields = _form_fields(confirm.text)
        response = self._cpu(lambda: self.client.post(f"/schedule/{token}/book", data=fields))
        if response.status_code != 302:
            raise RuntimeError(f"booking answered {response.status_code}: {response.text[:500]}")
        return 1

    def open_page(self) -> int:
        """Time the candidate's GET of one link's page (never booked: the same times each run)."""
        token = self.tokens[0]
        response = self._cpu(lambda: self.client.get(f"/schedule/{token}",
                                                     headers={"Accept-Language": "en"}))
        if response.status_code != 200:
            raise RuntimeError(f"the link page answered {response.status_code}")
        return len(_SLOT.findall(response.text))


def _calendars():
    """Return the M team with no two booked interviews of one person overlapping (the engine's
    generated team has a few; PostgreSQL's exclusion constraint refuses them)."""
    calendars = []
    for calendar in team("M").calendars:
        kept = []
        for start, end in sorted(calendar.booked_interviews):
            if not kept or start >= kept[-1][1]:
                kept.append((start, end))
        calendars.append(dataclasses.replace(calendar, booked_interviews=tuple(kept)))
    return calendars


def _seed(app) -> list[str]:
    from flask_migrate import upgrade

    from scheduler.extensions import db

    with app.app_context():
        upgrade()
        tokens = _links(_store_team(_calendars()), CANDIDATES)
        db.session.remove()
    return tokens


def _total_clock(booker: _Booker):
    """Return a clock of the CPU of the last timed request, as bench's timer expects."""
    def parts_total() -> float:
        return booker.parts.get("app", 0.0) + booker.parts.get("db", 0.0)
    return parts_total


def _prepared(booker: _Booker, run) -> Prepared:
    busy = sum(len(c.busy) + len(c.booked_interviews) for c in _calendars())
    return Prepared(run, lambda: None, busy, cpu_ms=_total_clock(booker),
                    parts=lambda: dict(booker.parts))


def _booking_post_postgres():
    name = f"bench-booking-{os.getpid()}"
    app, admin = _postgres_app(name)
    booker = _Booker(app, _seed(app), admin, name)
    return _prepared(booker, booker.book)


def _booking_post_sqlite():
    app = _sqlite_app()
    booker = _Booker(app, _seed(app))
    return _prepared(booker, booker.book)


def _link_page_postgres():
    name = f"bench-page-{os.getpid()}"
    app, admin = _postgres_app(name)
    booker = _Booker(app, _seed(app), admin, name)
    return _prepared(booker, booker.open_page)


register(Workload("booking POST",
                  "POST /schedule/<token>/book: 50 interviewers in 8 zones, 1 of 50, "
                  "PostgreSQL; CPU ms per booking (app + database backends)",
                  _booking_post_postgres))
register(Workload("booking POST SQLite",
                  "POST /schedule/<token>/book as 'booking POST', on a SQLite file; "
                  "app CPU ms per booking", _booking_post_sqlite))
register(Workload("link page GET",
                  "GET /schedule/<token> of the 'booking POST' setup, PostgreSQL; CPU ms "
                  "(app + database backends)", _link_page_postgres))
