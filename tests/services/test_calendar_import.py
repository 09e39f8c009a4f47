"""Storing calendars: sources become busy blocks over a rolling horizon; failures keep the old blocks.

Real parts only: a loopback HTTP server for subscription URLs and Radicale for CalDAV.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import caldav
import pytest
import sqlalchemy as sa

from scheduler.domain import intervals as iv
from scheduler.domain.availability import prepared_busy
from scheduler.extensions import db
from scheduler.models import AuditEvent, BusyBlock, CalendarSource
from scheduler.services.slot_search import load_calendars
from scheduler.services.calendars import (
    CalendarRefused,
    HORIZON_MARGIN, PAST_MARGIN, add_caldav_account, add_calendar_url, add_manual_block, calendar_window,
    import_calendar_file, refresh_calendar_source, refresh_calendar_sources, source_problem,
)
from tests import factories as f
from tests.clock import NOW, at_local, local_today, weekday_on_or_after
from tests.helpers_servers import RadicaleServer, Route, StaticHTTPServer

UTC = timezone.utc
HOUR = timedelta(hours=1)


def vcalendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n".encode()


def _ics_date(day) -> str:
    return day.strftime("%Y%m%d")


def _ics_utc(instant) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# Mondays 10:00-11:00 in Shanghai (named by its Windows zone, as Outlook does), from the first
# Monday at least a day after NOW in Beijing: every meeting lies ahead of NOW.
FIRST_MONDAY = weekday_on_or_after(local_today() + timedelta(days=1), 0)
FIRST_MEETING = at_local(FIRST_MONDAY, "10:00")
WEEKLY = vcalendar(f"UID:weekly\r\nSUMMARY:Team sync\r\n"
                   f"DTSTART;TZID=China Standard Time:{_ics_date(FIRST_MONDAY)}T100000\r\n"
                   f"DTEND;TZID=China Standard Time:{_ics_date(FIRST_MONDAY)}T110000\r\n"
                   "RRULE:FREQ=WEEKLY")
# A day of leave two days after NOW's date in London.
LEAVE_DAY = local_today("Europe/London") + timedelta(days=2)
ALL_DAY = vcalendar(f"UID:leave\r\nSUMMARY:Leave\r\nDTSTART;VALUE=DATE:{_ics_date(LEAVE_DAY)}\r\n"
                    f"DTEND;VALUE=DATE:{_ics_date(LEAVE_DAY + timedelta(days=1))}")
BROKEN = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:"
          + _ics_utc(NOW + timedelta(days=1)).encode() + b"\r\n")


def meetings_before(end_at) -> list[datetime]:
    """Return the starts of the weekly meetings before *end_at* (Beijing keeps no summer time)."""
    starts, start = [], FIRST_MEETING
    while start < end_at:
        starts.append(start)
        start += timedelta(weeks=1)
    return starts


def blocks(source) -> list[tuple[datetime, datetime, str]]:
    rows = sa.select(BusyBlock).where(BusyBlock.source_id == source.id).order_by(BusyBlock.start_at)
    return [(b.start_at, b.end_at, b.summary) for b in db.session.scalars(rows)]


@pytest.fixture
def interviewer(db):
    return f.make_interviewer()


@pytest.fixture
def owner(interviewer):
    return interviewer.user


def test_a_file_becomes_busy_blocks_over_the_horizon(db, now, interviewer, owner):
    outcome = import_calendar_file(owner, interviewer, "work.ics", WEEKLY, now)
    db.session.commit()
    assert outcome.is_ok and outcome.warnings == []
    source = outcome.source
    assert (source.kind, source.name, source.content, source.last_refreshed_at) == ("file", "work.ics", WEEKLY, now)
    start_at, end_at = calendar_window(now)
    # No open requisition: the default 21-day horizon plus the margin.
    assert (start_at, end_at) == (now - PAST_MARGIN, now + timedelta(days=21) + HORIZON_MARGIN)
    found = blocks(source)
    # China Standard Time is UTC+8: Mondays 02:00-03:00 UTC, the first one through the last
    # before end_at.
    assert FIRST_MEETING.hour == 2
    assert found[0] == (FIRST_MEETING, FIRST_MEETING + HOUR, "Team sync")
    assert [b[0] for b in found] == meetings_before(end_at) and len(found) >= 4
    assert source.event_count == 1
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == source.id)) \
        == "calendar_source.added"
    # The slot engine's loader sees them: over eight days from the first, the first two.
    second = FIRST_MEETING + timedelta(weeks=1)
    end_at = FIRST_MEETING + timedelta(days=8)
    loaded = load_calendars([interviewer.id], now, end_at)
    # Prepared as the engine takes it (epoch seconds; the loader reads whole days around).
    assert iv.clip(list(prepared_busy(loaded[interviewer.id])), iv.to_epoch(now),
                   iv.to_epoch(end_at)) == [
        (iv.to_epoch(FIRST_MEETING), iv.to_epoch(FIRST_MEETING + HOUR)),
        (iv.to_epoch(second), iv.to_epoch(second + HOUR))]


def test_all_day_events_block_the_interviewers_own_day(db, now):
    london = f.make_interviewer(office=f.make_office(zone="Europe/London", calendar_key="GB-ENG"))
    outcome = import_calendar_file(london.user, london, "leave.ics", ALL_DAY, now)
    # From midnight to midnight in London (UTC+0 in winter, UTC+1 in summer).
    assert blocks(outcome.source) == [
        (at_local(LEAVE_DAY, "00:00", "Europe/London"),
         at_local(LEAVE_DAY + timedelta(days=1), "00:00", "Europe/London"), "Leave")]


def test_the_horizon_follows_the_longest_open_stage(db, now):
    f.make_requisition(stages=[{"horizon_days": 10}, {"horizon_days": 60, "position": 2, "kind": "hr_final"}])
    f.make_requisition(stages=[{"horizon_days": 90}], is_open=False)
    assert calendar_window(now)[1] == now + timedelta(days=60) + HORIZON_MARGIN


def test_refresh_extends_a_weekly_meeting_past_the_old_horizon(db, now, interviewer, owner):
    source = import_calendar_file(owner, interviewer, "work.ics", WEEKLY, now).source
    db.session.commit()
    before = blocks(source)
    a_week_later = now + timedelta(weeks=1)
    outcome = refresh_calendar_source(source, a_week_later)
    db.session.commit()
    after = blocks(source)
    assert outcome.is_ok
    assert after[-1][0] == before[-1][0] + timedelta(weeks=1)
    assert after[-1][0] > calendar_window(now)[1] - timedelta(weeks=1)
    assert source.last_refreshed_at == a_week_later


def test_a_bad_new_file_stores_nothing(db, now, interviewer, owner):
    with pytest.raises(CalendarRefused) as caught:
        import_calendar_file(owner, interviewer, "broken.ics", BROKEN, now)
    assert caught.value.code == "truncated"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarSource)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BusyBlock)) == 0


def test_a_bad_replacement_file_keeps_the_previous_file_and_blocks(db, now, interviewer, owner):
    source = import_calendar_file(owner, interviewer, "work.ics", WEEKLY, now).source
    db.session.commit()
    before = blocks(source)
    later = now + timedelta(hours=1)
    outcome = import_calendar_file(owner, interviewer, "broken.ics", BROKEN, later, source=source)
    db.session.commit()
    assert not outcome.is_ok and outcome.error.code == "truncated"
    assert blocks(source) == before
    assert (source.name, source.content, source.last_refreshed_at) == ("work.ics", WEEKLY, now)
    assert source.last_error_at == later
    assert source_problem(source).message() == \
        "The calendar file is incomplete: it ends before END:VCALENDAR (cut off at line 5)."
    # A good replacement clears the error and replaces the blocks.
    import_calendar_file(owner, interviewer, "leave.ics", ALL_DAY, later, source=source)
    assert source_problem(source) is None
    assert [b[2] for b in blocks(source)] == ["Leave"]


def test_warnings_come_back_with_the_import(db, now, interviewer, owner):
    start = now + timedelta(days=1)
    data = vcalendar(f"UID:ok\r\nDTSTART:{_ics_utc(start)}\r\nDTEND:{_ics_utc(start + HOUR)}",
                     "UID:bad\r\nSUMMARY:Broken\r\nDTSTART:2026120XT020000Z")
    outcome = import_calendar_file(owner, interviewer, "mixed.ics", data, now)
    assert [w.code for w in outcome.warnings] == ["event_bad_time"]
    assert outcome.block_count == 1


def test_only_the_owner_or_staff_may_change_someones_calendars(db, now, interviewer):
    stranger = f.make_user(roles=("interviewer",))
    with pytest.raises(CalendarRefused) as caught:
        import_calendar_file(stranger, interviewer, "work.ics", WEEKLY, now)
    assert caught.value.code == "not_allowed"
    coordinator = f.make_user(roles=("coordinator",))
    assert import_calendar_file(coordinator, interviewer, "work.ics", WEEKLY, now).is_ok


def test_manual_blocks_survive_refreshes(db, now, interviewer, owner):
    block = add_manual_block(owner, interviewer, now + timedelta(days=1), now + timedelta(days=1, hours=2), now,
                             summary="Dentist")
    import_calendar_file(owner, interviewer, "work.ics", WEEKLY, now)
    db.session.commit()
    assert refresh_calendar_sources(now + timedelta(days=1)) == {"refreshed": 1, "failed": 0}
    db.session.commit()
    assert blocks(block.source) == [(now + timedelta(days=1), now + timedelta(days=1, hours=2), "Dentist")]
    with pytest.raises(CalendarRefused) as caught:
        add_manual_block(owner, interviewer, now, now, now)
    assert caught.value.code == "manual_block_invalid"


# --- subscription URLs ------------------------------------------------------------------------------

@pytest.fixture
def feed():
    with StaticHTTPServer({"/work.ics": Route(body=WEEKLY)}) as server:
        yield server


def test_a_subscription_is_read_refreshed_and_survives_an_outage(app, db, now, interviewer, owner, feed):
    app.config["CALENDAR_ALLOW_PRIVATE_URLS"] = True  # the test server is on loopback
    outcome = add_calendar_url(owner, interviewer, feed.url("/work.ics"), now)
    db.session.commit()
    source = outcome.source
    assert (source.kind, source.url, source.content) == ("url", feed.url("/work.ics"), None)
    assert len(blocks(source)) == len(meetings_before(calendar_window(now)[1]))

    feed.routes["/work.ics"] = Route(body=ALL_DAY)  # the feed changes
    assert refresh_calendar_sources(now) == {"refreshed": 1, "failed": 0}
    db.session.commit()
    assert [b[2] for b in blocks(source)] == ["Leave"]

    feed.routes["/work.ics"] = Route(status=503, body=b"down")  # the feed breaks
    later = now + timedelta(hours=1)
    assert refresh_calendar_sources(later) == {"refreshed": 0, "failed": 1}
    db.session.commit()
    assert [b[2] for b in blocks(source)] == ["Leave"]
    assert source_problem(source).message() == "The calendar server answered with HTTP status 503."
    assert (source.last_refreshed_at, source.last_error_at) == (now, later)

    feed.stop()  # the server is gone
    outcome = refresh_calendar_source(source, later)
    assert outcome.error.code == "url_unreachable"
    assert [b[2] for b in blocks(source)] == ["Leave"]


def test_private_addresses_are_refused_by_default(app, db, now, interviewer, owner, feed):
    assert not app.config["CALENDAR_ALLOW_PRIVATE_URLS"]
    with pytest.raises(CalendarRefused) as caught:
        add_calendar_url(owner, interviewer, feed.url("/work.ics"), now)
    assert caught.value.code == "url_address_not_allowed"
    assert feed.hits == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarSource)) == 0


# --- CalDAV -----------------------------------------------------------------------------------------

@pytest.fixture
def radicale(tmp_path):
    with RadicaleServer(tmp_path / "radicale", users={"alice": "secret"}) as server:
        calendar = caldav.DAVClient(server.url, username="alice", password="secret").principal() \
            .make_calendar(name="Work")
        calendar.save_event(WEEKLY.decode())
        server.calendar = calendar
        yield server


def test_a_caldav_account_is_read_and_a_wrong_password_keeps_the_blocks(app, db, now, interviewer, owner, radicale):
    app.config["CALENDAR_ALLOW_PRIVATE_URLS"] = True
    outcome = add_caldav_account(owner, interviewer, radicale.url, "alice", "secret", now, name="Work")
    db.session.commit()
    source = outcome.source
    assert (source.kind, source.username, source.password) == ("caldav", "alice", "secret")
    meetings = len(meetings_before(calendar_window(now)[1]))
    assert len(blocks(source)) == meetings
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_id == source.id))
    assert "secret" not in str(audit.after)

    radicale.calendar.save_event(ALL_DAY.decode())
    assert refresh_calendar_source(source, now).is_ok
    assert sorted(b[2] for b in blocks(source)) == ["Leave"] + ["Team sync"] * meetings

    source.password = "changed elsewhere"
    outcome = refresh_calendar_source(source, now + timedelta(hours=1))
    db.session.commit()
    assert outcome.error.code == "caldav_login_failed"
    assert len(blocks(source)) == meetings + 1
    assert source_problem(source).message() == "The CalDAV server refused the user name or password."


def test_a_caldav_account_that_cannot_be_read_is_not_added(app, db, now, interviewer, owner, radicale):
    app.config["CALENDAR_ALLOW_PRIVATE_URLS"] = True
    with pytest.raises(CalendarRefused) as caught:
        add_caldav_account(owner, interviewer, radicale.url, "alice", "wrong", now)
    assert caught.value.code == "caldav_login_failed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarSource)) == 0
