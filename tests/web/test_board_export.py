"""The board's week as an ICS file: it parses with icalendar and holds exactly what the board
shows — each interview once, each busy stretch of each row as "Busy" (忙碌 in Chinese) with no
description and no title of the calendar event behind it — for the chosen offices or
interviewers; the events are for reference (no reminders, transparent). Only coordinators and
admins get it."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import icalendar
import sqlalchemy as sa
from lxml import html as lxml_html

from scheduler.models import User
from scheduler.services.board import BoardFilters, board_view, board_window
from tests import factories as f
from tests.web.helpers import csrf_token, sign_in
from tests.web.test_board import DECEMBER_9_AT_2, stretches, world  # noqa: F401 (a fixture)

PASSWORD = "correct horse battery staple"


def _with_busy_time(db, world):
    people = world["people"]
    work = f.make_calendar_source(people["BJ"], kind="file", name="Acme calendar")
    f.make_busy_block(work, DECEMBER_9_AT_2 - timedelta(minutes=30),
                      DECEMBER_9_AT_2 + timedelta(minutes=30), summary="Secret merger talks")
    # Two overlapping blocks are one busy stretch, as on the board.
    f.make_busy_block(work, DECEMBER_9_AT_2 + timedelta(hours=5),
                      DECEMBER_9_AT_2 + timedelta(hours=6), summary="Budget review")
    f.make_busy_block(f.make_calendar_source(people["BJ"]),
                      DECEMBER_9_AT_2 + timedelta(hours=5, minutes=30),
                      DECEMBER_9_AT_2 + timedelta(hours=7), summary="Dentist")
    f.make_busy_block(f.make_calendar_source(people["LON"], kind="url", name="Home"),
                      DECEMBER_9_AT_2 + timedelta(hours=10),
                      DECEMBER_9_AT_2 + timedelta(hours=11), summary="School run")
    # Outside the week: not exported.
    f.make_busy_block(work, DECEMBER_9_AT_2 + timedelta(days=9),
                      DECEMBER_9_AT_2 + timedelta(days=9, hours=1), summary="Later")
    db.session.commit()


def _events(body: bytes) -> list:
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["METHOD"] == "PUBLISH"
    return list(calendar.walk("VEVENT"))


def _board_items(db, filters=BoardFilters(), language="en"):
    """Return what the board's week shows: (start, end, summary) of busy stretches and
    interviews, from the board service the page draws."""
    coordinator = db.session.scalar(sa.select(User).where(User.email == "co@example.com"))
    board = board_view(coordinator, filters, board_window("Asia/Shanghai", date(2026, 12, 7), 7),
                       datetime(2026, 11, 30, tzinfo=timezone.utc), language)
    busy = {(a, b) for row in board.rows for a, b in row.busy}
    interviews = {item.interview.id for row in board.rows for item in row.interviews}
    return board, busy, interviews


def test_the_export_parses_and_matches_the_board(client, db, world):
    _with_busy_time(db, world)
    sign_in(client, "co@example.com", PASSWORD)
    response = client.get("/coordinator/board.ics?day=2026-12-09&zone=Asia/Shanghai",
                          headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert 'filename="board-2026-12-07.ics"' in response.headers["Content-Disposition"]
    assert b"Secret" not in response.data and b"Dentist" not in response.data
    assert b"Budget" not in response.data and b"School" not in response.data
    assert b"Acme" not in response.data and b"Home" not in response.data

    events = _events(response.data)
    busy = [e for e in events if str(e["SUMMARY"]) == "Busy"]
    interviews = [e for e in events if str(e["SUMMARY"]) != "Busy"]
    board, board_busy, board_interviews = _board_items(db)
    assert {(e.DTSTART, e.DTEND) for e in busy} == board_busy
    assert len(busy) == len(board_busy) == 3  # the two overlapping blocks are one stretch
    assert all("DESCRIPTION" not in e and "VALARM" not in [c.name for c in e.subcomponents]
               and e["TRANSP"] == "TRANSPARENT" for e in events)
    # Each interview once, however many rows it is on, labelled like the board.
    interview = world["interview"]
    assert len(interviews) == len(board_interviews) == 1
    assert str(interviews[0]["SUMMARY"]) == "System design · Hannah Wright"
    assert (interviews[0].DTSTART, interviews[0].DTEND) == (interview.start_at, interview.end_at)
    assert str(interviews[0]["UID"]) == f"board-{interview.calendar_uid}"
    assert sorted(interviews[0].categories) == ["James Miller", "Li Wei", "Oliver Smith"]
    # Whose busy time it is, as a category: the board's row.
    assert sorted(e.categories[0] for e in busy) == ["Li Wei", "Li Wei", "Oliver Smith"]
    # The page draws the same stretches.
    page = lxml_html.fromstring(
        client.get("/coordinator/board?day=2026-12-09&zone=Asia/Shanghai").text)
    assert sum(len(stretches(row, "busy")) for row in page.xpath('//div[@data-profile]')) == len(
        busy)


def test_the_export_in_chinese_says_busy_in_chinese(client, db, world):
    _with_busy_time(db, world)
    sign_in(client, "co@example.com", PASSWORD)
    page = client.get("/coordinator/board").text
    client.post("/language", data={"csrf_token": csrf_token(page), "language": "zh",
                                   "next": "/"})
    events = _events(client.get("/coordinator/board.ics?day=2026-12-09").data)
    assert {str(e["SUMMARY"]) for e in events} == {"忙碌", "系统设计 · Hannah Wright"}


def test_the_export_of_chosen_offices_or_interviewers(client, db, world):
    _with_busy_time(db, world)
    people, offices = world["people"], world["offices"]
    sign_in(client, "co@example.com", PASSWORD)

    def categories(query):
        events = _events(client.get(f"/coordinator/board.ics?day=2026-12-09&{query}").data)
        return sorted(c for e in events for c in e.categories)

    assert categories(f"office={offices['LON'].id}") == ["Oliver Smith", "Oliver Smith"]
    assert categories(f"interviewer={people['BJ'].id}") == ["Li Wei", "Li Wei", "Li Wei"]
    assert categories(f"interviewer={people['BJ'].id}&interviewer={people['LON'].id}") == [
        "Li Wei", "Li Wei", "Li Wei", "Oliver Smith", "Oliver Smith"]
    # Each row's own link on the board exports that person's week.
    page = client.get("/coordinator/board?day=2026-12-09").text
    assert (f"/coordinator/board.ics?view=week&amp;zone=Asia/Shanghai&amp;day=2026-12-09"
            f"&amp;interviewer={people['SFO'].id}") in page
    # The week is whole even from the day view.
    one_day = _events(client.get("/coordinator/board.ics?view=day&day=2026-12-13").data)
    assert len(one_day) == 4
