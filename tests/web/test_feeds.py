"""Interviewer calendar feeds: valid ICS at the right instants; revoked or wrong tokens get 404."""
from __future__ import annotations

from datetime import timedelta

import vobject
from icalendar import Calendar

from scheduler.services.booking import book_interview, cancel_interview
from scheduler.services.feeds import issue_feed_token, revoke_feed
from tests.clock import at_local, workday_after
from tests.services.booking_setup import booking_world


def test_feed_lists_interviews_at_the_right_instants(client, db, now):
    (alice, *_), requisition, [first, second] = booking_world(applications=2)
    stage = requisition.stages[0]
    # 10:00 Beijing on the first Monday–Friday workday at least a day away (the staff's hours).
    ten = at_local(workday_after(1, weekdays_only=True), "10:00")
    kept = book_interview("test", first, stage, ten, [alice.id], now)
    dropped = book_interview("test", second, stage, ten + timedelta(hours=3), [alice.id], now)
    cancel_interview("test", dropped, now)
    token = issue_feed_token(alice.user, alice, now)
    db.session.commit()

    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert events[kept.calendar_uid].start == ten
    assert events[kept.calendar_uid].end == ten + timedelta(hours=1)
    assert str(events[dropped.calendar_uid]["STATUS"]) == "CANCELLED"
    assert "METHOD" not in calendar
    parsed = vobject.readOne(response.data.decode("utf-8"))
    assert {e.uid.value for e in parsed.vevent_list} == set(events)
    assert alice.feed_token_hash != token  # only a hash is stored


def test_revoked_regenerated_and_wrong_tokens_get_404(client, db, now):
    (alice, *_), _, _ = booking_world()
    first = issue_feed_token(alice.user, alice, now)
    db.session.commit()
    assert client.get(f"/feeds/{first}.ics").status_code == 200
    second = issue_feed_token(alice.user, alice, now)
    db.session.commit()
    assert client.get(f"/feeds/{first}.ics").status_code == 404
    assert client.get(f"/feeds/{second}.ics").status_code == 200
    revoke_feed(alice.user, alice, now)
    db.session.commit()
    assert client.get(f"/feeds/{second}.ics").status_code == 404
    assert client.get("/feeds/not-a-token.ics").status_code == 404
