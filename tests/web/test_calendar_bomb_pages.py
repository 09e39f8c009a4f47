"""Hostile calendars on the availability page: an upload or a subscription of each answers with a
clear message (the page again, status 200) and stores nothing; never a 500 (issue 21, item 1).

SQLite only: a refused calendar is refused before anything is written, so nothing here crosses
the database (tests/unit/test_calendar_bombs.py proves the bounds; this proves the pages).
"""
from __future__ import annotations

from io import BytesIO

import pytest
import sqlalchemy as sa

from scheduler.models import CalendarSource
from tests.calendar_bombs import build_bombs
from tests.helpers_servers import Route, StaticHTTPServer
from tests.web.test_availability_pages import people, post, signed_in  # noqa: F401 - the fixture

BOMBS = build_bombs()
# What each refusal says, in the English the London interviewer reads.
SAYS = {
    "repeats_too_often": "repeats too often to be read",
    "zone_changes_too_often": "changes too often to be read",
    "calendar_repeats_too_often": "together repeat too often to be read",
    "too_many_occurrences": "too many events in the imported period",
}
REFUSED = {
    "byxxx_lists_daily_from_1970": "repeats_too_often", "bysetpos_hides_the_work": "repeats_too_often",
    "vtimezone_secondly": "zone_changes_too_often", "vtimezone_hourly": "zone_changes_too_often",
    "hourly_from_1900_prime_interval": "repeats_too_often", "huge_count": "repeats_too_often",
    "never_matches_after_1970": "repeats_too_often", "many_rdates": "too_many_occurrences",
    "many_rules_in_one_event": "repeats_too_often",
    "many_daily_series_since_1970": "calendar_repeats_too_often",
    "moved_instances_rewalk_the_series": "calendar_repeats_too_often",
}


@pytest.mark.parametrize("db_backend", ["sqlite"])
@pytest.mark.parametrize("name", sorted(BOMBS))
def test_an_upload_or_a_subscription_of_each_answers_with_its_message(app, db, people, name):
    _, oliver = people
    app.config["CALENDAR_ALLOW_PRIVATE_URLS"] = True
    data, _ = BOMBS[name]
    client = signed_in(app, "oliver@example.com")
    upload = post(client, oliver, "calendars/file", {"file-submit_file": "1"},
                  files={"file-file": (BytesIO(data), f"{name}.ics")})
    with StaticHTTPServer({"/cal.ics": Route(body=data)}) as server:
        subscription = post(client, oliver, "calendars/url", {"url-url": server.url("/cal.ics"),
                                                              "url-name": name})
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(CalendarSource))
    if name not in REFUSED:  # read within bounds: stored like any calendar
        assert (upload.status_code, subscription.status_code, stored) == (302, 302, 2)
        return
    for response in (upload, subscription):
        assert response.status_code == 200
        assert SAYS[REFUSED[name]] in response.text
    assert stored == 0
