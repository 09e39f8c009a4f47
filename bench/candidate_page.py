"""The candidate's scheduling page, end to end, for the M-size pool on a SQLite file.

"candidate page M" stores the engine bench's M team (50 interviewers in 8 zones, 28 days, about
4,000 busy intervals; see bench/db_workloads.py, whose rows it reuses) with a scheduling link for
the one-of-50 stage, then times ``GET /schedule/<token>`` through Flask's test client: the rate
limiter, the token lookup, loading every calendar in a fixed number of queries, the engine, and
rendering the first week of slots grouped by day in the candidate's zone (Europe/London, so every
time is converted). The target is a median of at most 100 ms.

The page searches from the request's ``now``; as in bench/db_workloads.py, the app's clock is
frozen at the engine bench's ``NOW`` so the bench does not depend on the day it runs. The floor
is reading the workload's busy blocks and booked seats from the database as epoch seconds.
"""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from bench.db_workloads import _app, _database, _store_team, read_busy_rows
from bench.engine_workloads import NOW, team
from bench.registry import Prepared, Workload, register

_SLOT_LINK = re.compile(r'<a class="slot[ "]')


def _link_for(application_id: int) -> str:
    """Send the bench candidate a link for their stage; return the token."""
    from scheduler.extensions import db
    from scheduler.models import Application, User
    from scheduler.services.links import create_link

    application = db.session.get(Application, application_id)
    application.candidate.zone = "Europe/London"
    coordinator = db.session.scalar(sa.select(User).where(User.email == "coordinator@example.com"))
    _, token = create_link(coordinator, application, [application.current_stage], 0,
                           NOW + timedelta(days=7), NOW)
    db.session.commit()
    return token


def _candidate_page_m():
    from flask_migrate import upgrade

    from scheduler.extensions import db

    calendars = team("M").calendars
    app = _app(_database())
    with app.app_context():
        upgrade()
        token = _link_for(_store_team(calendars))
        db.session.remove()
    client = app.test_client()
    url = f"/schedule/{token}"
    window_end = NOW + timedelta(days=29)

    def run() -> int:
        response = client.get(url, headers={"Accept-Language": "en"})
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return len(_SLOT_LINK.findall(response.text))

    busy = sum(len(c.busy) + len(c.booked_interviews) for c in calendars)
    return Prepared(run, lambda: read_busy_rows(app, window_end), busy)


register(Workload("candidate page M",
                  "GET /schedule/<token>: 50 interviewers in 8 zones, 28 days, 1 of 50, "
                  "first week rendered in London time, from SQLite", _candidate_page_m, 100))
