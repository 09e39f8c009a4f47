"""The candidate's booking POST sends a fixed, small number of SQL statements, whatever the pool.

Its CPU is mostly the statements it sends (issue 26 item 2: bench/booking_post.py measures it).
The booking asks the engine about the chosen start only and reads each interviewer's rows in a
fixed number of statements, so a pool of 3 or of 20 interviewers costs the same; and everything
it writes — the interview and its seat, audit, consents, the invites' and the coordinators'
outbox rows, reminders — goes in the request's one transaction, committed once.
"""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from scheduler.services.links import create_link
from tests import factories as f
from tests.clock import NOW
from tests.services.booking_setup import booking_world
from tests.web.helpers import consent_fields, csrf_token

EN = {"Accept-Language": "en"}
_SLOT = re.compile(r'href="(/schedule/[\w-]+/confirm\?start=([0-9T:-]+Z))"')
# Measured at 43 on SQLite (no multi-row INSERT) and 39 on PostgreSQL with one seat and one
# coordinator; 75 and 71 at 75dde18, and 60 and 56 before the lock's reload, the seats'
# people, the link's application and the candidate's own interviews were read in one statement
# each, the coordinators became a subquery, and a deduplicated mail was one INSERT.
MAX_STATEMENTS = 43


def _booking_statements(db, client, coordinator, requisition, application) -> list[str]:
    """Book *application* through a fresh link from *coordinator*; return the POST's
    statements."""
    _, token = create_link(coordinator, application, requisition.stages[:1], 0,
                           NOW + timedelta(days=7), NOW)
    db.session.commit()
    page = client.get(f"/schedule/{token}", headers=EN).text
    # A start at least two days ahead: far from the notice period at any instant of the suite.
    url, start = next((url, start) for url, start in _SLOT.findall(page)
                      if start >= (NOW + timedelta(days=2)).strftime("%Y-%m-%dT%H:%MZ"))
    confirm = client.get(url.replace("&amp;", "&"), headers=EN).text
    data = {"csrf_token": csrf_token(confirm), "start": start, **consent_fields(confirm)}
    statements, commits = [], []

    def on_execute(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    def on_commit(_conn):
        commits.append(list(statements))

    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    sa.event.listen(db.engine, "commit", on_commit)
    try:
        response = client.post(f"/schedule/{token}/book", headers=EN, data=data)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", on_execute)
        sa.event.remove(db.engine, "commit", on_commit)
    assert response.status_code == 302, response.text[:500]
    # Every write came before the one commit: nothing is written after it.
    assert len(commits) == 1 and commits[0] == statements
    return statements


def test_the_booking_post_sends_the_same_few_statements_for_3_and_20_interviewers(db, client):
    people, requisition, [first, second] = booking_world(interviewers=20, applications=2)
    coordinator = f.make_user(roles=("coordinator",))  # told of each booking: one mail
    for person in people[3:]:
        person.user.is_active = False  # a pool of 3
    small = _booking_statements(db, client, coordinator, requisition, first)
    for person in people[3:]:
        person.user.is_active = True  # a pool of 20
    large = _booking_statements(db, client, coordinator, requisition, second)
    assert len(small) == len(large) <= MAX_STATEMENTS
    inserts = [s.split("(")[0].split()[2] for s in large if s.lstrip().startswith("INSERT")]
    # The booking, its invites (candidate and interviewer) and the coordinator's notice.
    assert {"interview", "interviewer_assignment", "outbox_message", "reminder",
            "consent", "audit_event"} <= set(inserts)
    assert inserts.count("outbox_message") == 3
