"""The coordinators' calendar board, end to end, for 200 interviewers over one week on SQLite.

"board L week" stores the engine bench's L team (200 interviewers in 8 zones and offices, 28
days, about 16,000 busy intervals, booked interviews, time off and extra hours; see
bench/engine_workloads.py and the rows of bench/db_workloads.py) and times
``GET /coordinator/board`` for the week of the bench's ``NOW`` (Monday 2027-03-01), read in
Shanghai time, through Flask's test client: the role gate, the form, the profiles, their
calendars, interviews and office days in a fixed number of queries, conflicts and caps, and
rendering every row (about 4,000 busy stretches and 600 interviews that week). The target is a
median of at most 300 ms.

As in bench/db_workloads.py the app's clock is frozen at ``NOW`` and each request has a fresh
app context and session. The floor is reading the workload's busy blocks and booked seats of the
week from the database as epoch seconds.
"""
from __future__ import annotations

import re
from datetime import timedelta

from bench.db_workloads import _app, _database, _signed_in_client, _store_team, read_busy_rows
from bench.engine_workloads import NOW, team
from bench.registry import Prepared, Workload, register

_ROW = re.compile(r'<div class="board-line board-row"')
URL = f"/coordinator/board?view=week&day={NOW.date().isoformat()}&zone=Asia/Shanghai"


def _board_l_week():
    from flask_migrate import upgrade

    from scheduler.extensions import db

    calendars = team("L").calendars
    app = _app(_database())
    with app.app_context():
        upgrade()
        _store_team(calendars)
        db.session.remove()
    client = _signed_in_client(app)

    def run() -> int:
        response = client.get(URL, headers={"Accept-Language": "en"})
        if response.status_code != 200:
            raise RuntimeError(f"{URL} answered {response.status_code}")
        return len(_ROW.findall(response.text))

    busy = sum(len(c.busy) + len(c.booked_interviews) for c in calendars)
    return Prepared(run, lambda: read_busy_rows(app, NOW + timedelta(days=8)), busy)


register(Workload("board L week",
                  "GET /coordinator/board: 200 interviewers in 8 offices, one week in Shanghai "
                  "time, from SQLite", _board_l_week, 300))
