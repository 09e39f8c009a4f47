"""What must hold after concurrent bookings, read with plain SQL from the tables themselves (so
the same check serves any revision the load bench measures): no interviewer holds two active
seats that overlap, and every scheduled interview has its invitations in the outbox — one
``invite_request`` row to the candidate and one to each active panel member.

Both return the offending rows; empty means the check holds.
"""
from __future__ import annotations

import sqlalchemy as sa

# Half-open intervals [start, end): seats that only touch do not overlap.
OVERLAPPING_SEATS = sa.text("""
    SELECT a.interviewer_id, a.interview_id, b.interview_id
    FROM interviewer_assignment a
    JOIN interviewer_assignment b
      ON b.interviewer_id = a.interviewer_id AND b.id > a.id
     AND b.is_active AND b.start_at < a.end_at AND a.start_at < b.end_at
    WHERE a.is_active
    ORDER BY 1, 2, 3
""")

MISSING_INVITES = sa.text("""
    SELECT i.id, c.email
    FROM interview i
    JOIN application ap ON ap.id = i.application_id
    JOIN candidate c ON c.id = ap.candidate_id
    WHERE i.status = 'scheduled' AND NOT EXISTS (
        SELECT 1 FROM outbox_message o
        WHERE o.interview_id = i.id AND o.kind = 'invite_request' AND o.to_addr = c.email)
    UNION ALL
    SELECT i.id, u.email
    FROM interview i
    JOIN interviewer_assignment s ON s.interview_id = i.id AND s.is_active
    JOIN interviewer_profile p ON p.id = s.interviewer_id
    JOIN "user" u ON u.id = p.user_id
    WHERE i.status = 'scheduled' AND NOT EXISTS (
        SELECT 1 FROM outbox_message o
        WHERE o.interview_id = i.id AND o.kind = 'invite_request' AND o.to_addr = u.email)
    ORDER BY 1, 2
""")

SCHEDULED_INTERVIEWS = sa.text("SELECT count(*) FROM interview WHERE status = 'scheduled'")


def overlapping_seats(connection) -> list[tuple]:
    """Return (interviewer, interview, other interview) for every overlapping pair of active
    seats of one interviewer."""
    return [tuple(row) for row in connection.execute(OVERLAPPING_SEATS)]


def missing_invites(connection) -> list[tuple]:
    """Return (interview, address) for every scheduled interview's participant without an
    invitation in the outbox."""
    return [tuple(row) for row in connection.execute(MISSING_INVITES)]


def scheduled_interviews(connection) -> int:
    """Return how many interviews are scheduled."""
    return connection.execute(SCHEDULED_INTERVIEWS).scalar_one()
