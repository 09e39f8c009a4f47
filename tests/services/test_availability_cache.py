"""The per-interviewer cache of what a slot search loads is never used once it is stale.

services/availability_cache.py keeps, per process, what `load_calendars` read for each
interviewer under the interviewer's availability version; every change that affects when an
interviewer is free writes a new version in the same transaction. Each kind of change is made
here through its service, as a request would, after a search has filled the cache; the search
after it must equal a search with an empty cache. To make that comparison strict even for a
change that moves no slot (a decline), the entries cached before the change are first replaced
by "free at every hour" entries (for A, whom every change concerns): a search that used one would offer night and weekend times.
A bump does not touch this process's cache, so this process sees a change exactly as another
worker or process would: through the version in the database.
"""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from scheduler.domain.workdays import HOLIDAY, WorkdayCalendar
from scheduler.models import Application, BusyBlock, CalendarSource, Interview, InterviewerProfile
from scheduler.services import booking, calendars, interviewers
from scheduler.services import users, working_hours, workdays
from scheduler.services.availability_cache import (
    CACHE, AvailabilityCache, availability_versions, bump_availability_version,
)
from scheduler.services.booking_errors import SlotTaken
from scheduler.services.offices import update_office
from scheduler.services.slot_search import find_slots, load_calendars, loaded_range
from tests import factories as f
from tests.clock import NOW, local_today
from tests.services.booking_setup import booking_world
from tests.services.test_find_slots_queries import counted_statements

HOUR = timedelta(hours=1)
ALL_DAY = (time(0), time(0))


def _ics(start_at, end_at) -> bytes:
    stamp = "%Y%m%dT%H%M%SZ"
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:meeting-{start_at:{stamp}}\r\nDTSTART:{start_at:{stamp}}\r\n"
            f"DTEND:{end_at:{stamp}}\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            ).encode()


def _first_closed_weekday_of_an_entered_year() -> date | None:
    """Return the first Monday–Friday statutory holiday of the first year China's official data
    does not cover (marking that year as entered makes it a workday)."""
    calendar = WorkdayCalendar("CN")
    day = local_today() + timedelta(days=1)
    while calendar.is_year_covered(day.year):
        day = date(day.year + 1, 1, 1)
    while calendar.kind(day) != HOLIDAY or day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class World:
    """Two Beijing interviewers, A and B, both in the pool of a one-seat stage whose candidate
    takes any hour; two applications (the searched one and another to book); a coordinator."""

    def __init__(self, db, now, horizon_days=14):
        (self.a, self.b), requisition, (self.application, self.other) = booking_world(
            interviewers=2, applications=2, stages=[dict(
                kind="system_design", duration_minutes=60, panel_size=1, step_minutes=60,
                min_notice_minutes=0, horizon_days=horizon_days,
                candidate_day_start=time(0), candidate_day_end=time(23, 59))])
        self.stage = requisition.stages[0]
        self.coordinator = f.make_user(roles=("admin", "coordinator"))
        self.db, self.now = db, now
        self.known: list[tuple] | None = None  # the slots before a change: times are picked here
        db.session.commit()

    def search(self) -> list[tuple]:
        """Return the application's slots as (start, panels, alternatives)."""
        application = self.db.session.get(Application, self.application.id)
        return [(s.start_at, s.panels, s.alternatives) for s in
                find_slots(application, [application.current_stage], self.now).slots]

    def truth(self) -> list[tuple]:
        """Return the slots from the database alone (an empty cache)."""
        CACHE.clear()
        return self.search()

    def later_slot(self, days: int = 1, *, skip=()):
        """Return the start of the first slot at least *days* days away, not in *skip*."""
        return next(start for start, _, _ in (self.known or self.search())
                    if start - self.now >= timedelta(days=days) and start not in skip)

    def book(self, start_at, panel=None):
        """Book the other application at *start_at* (A by default) and commit."""
        other = self.db.session.get(Application, self.other.id)
        interview = booking.book_interview(self.coordinator, other, other.current_stage,
                                           start_at, panel or [self.a.id], self.now)
        self.db.session.commit()
        return interview

    def profile(self, person) -> InterviewerProfile:
        return self.db.session.get(InterviewerProfile, person.id)


def _poison(ids) -> int:
    """Replace every cached entry of *ids* by one that is free at every hour; return how many."""
    keys = [key for key in CACHE.keys() if key[0] in ids]
    for key in keys:
        entry = CACHE.get(key)
        CACHE.put(key, replace(entry, weekly_windows={d: (ALL_DAY,) for d in range(7)},
                               date_overrides=(), busy_seconds=(), seats=(), last_before=None))
    return len(keys)


# Each change: name -> (prepare(world) -> state, change(world, state), moves slots). A changes
# in each; B too where the change is office-wide or gives B a seat.
BOTH = {"swap", "office zone", "workday override", "workday override removed", "year mark"}
def _import(w, _):
    start = w.later_slot()
    calendars.import_calendar_file(w.a.user, w.profile(w.a), "work.ics", _ics(start, start + HOUR),
                                   w.now)


def _prepare_file_source(w):
    calendars.import_calendar_file(w.a.user, w.profile(w.a), "work.ics", _ics(NOW, NOW), w.now)
    w.db.session.commit()


def _refresh(w, _):
    start = w.later_slot()
    source = w.db.session.scalar(sa.select(CalendarSource).where(
        CalendarSource.interviewer_id == w.a.id))
    source.content = _ics(start, start + HOUR)  # a changed file; only the refresh reads it
    calendars.refresh_calendar_sources(w.now)


def _remove_source(w, _):
    source = w.db.session.scalar(sa.select(CalendarSource).where(
        CalendarSource.interviewer_id == w.a.id))
    calendars.remove_calendar_source(w.a.user, w.profile(w.a), source.id, w.now)


def _prepare_busy_source(w):
    start = w.later_slot()
    calendars.import_calendar_file(w.a.user, w.profile(w.a), "work.ics",
                                   _ics(start, start + HOUR), w.now)
    w.db.session.commit()


def _add_block(w, _):
    start = w.later_slot()
    calendars.add_manual_block(w.a.user, w.profile(w.a), start, start + HOUR, w.now)


def _prepare_block(w):
    start = w.later_slot()
    block = calendars.add_manual_block(w.a.user, w.profile(w.a), start, start + HOUR, w.now)
    w.db.session.commit()
    return block.id


def _remove_block(w, block_id):
    calendars.remove_manual_block(w.a.user, w.profile(w.a), block_id, w.now)


def _prepare_booking(w):
    return w.book(w.later_slot()).id


def _book(w, _):
    w.book(w.later_slot())


def _reschedule(w, interview_id):
    interview = w.db.session.get(Interview, interview_id)
    booking.reschedule_interview(w.coordinator, interview,
                                 w.later_slot(2, skip={interview.start_at}), w.now)


def _cancel(w, interview_id):
    booking.cancel_interview(w.coordinator, w.db.session.get(Interview, interview_id), w.now)


def _swap(w, interview_id):
    booking.swap_interviewer(w.coordinator, w.db.session.get(Interview, interview_id),
                             w.a.id, w.b.id, w.now)


def _decline(w, interview_id):
    booking.decline_interview(w.a.user, w.db.session.get(Interview, interview_id),
                              "A clash with a board meeting", w.now)


def _windows(w, _):
    working_hours.set_weekly_windows(w.coordinator, w.profile(w.a),
                                     {d: [(time(14), time(18))] for d in range(5)}, w.now)


def _local_day(instant) -> date:
    return instant.astimezone(ZoneInfo("Asia/Shanghai")).date()


def _day_off(w, _):
    working_hours.add_date_override(w.coordinator, w.profile(w.a),
                                    day=_local_day(w.later_slot()), is_available=False,
                                    start=None, end=None, note="", now=w.now)


def _extra_hours(w, _):
    calendar = WorkdayCalendar("CN")
    day = local_today() + timedelta(days=1)
    while calendar.is_workday(day):
        day += timedelta(days=1)
    working_hours.add_date_override(w.coordinator, w.profile(w.a), day=day, is_available=True,
                                    start=time(10), end=time(12), note="", now=w.now)


def _prepare_day_off(w):
    override = working_hours.add_date_override(
        w.coordinator, w.profile(w.a), day=_local_day(w.later_slot()), is_available=False,
        start=None, end=None, note="", now=w.now)
    w.db.session.commit()
    return override.id


def _remove_day_off(w, override_id):
    working_hours.remove_date_override(w.coordinator, w.profile(w.a), override_id, w.now)


def _zone(w, _):
    working_hours.set_zone(w.coordinator, w.profile(w.a), "Europe/London", w.now)


def _details(profile, **changes):
    values = dict(office=profile.office, zone=profile.zone or "",
                  qualifications={q.stage_kind: q.level for q in profile.qualifications},
                  daily_cap=profile.daily_cap, weekly_cap=profile.weekly_cap)
    return interviewers.ProfileDetails(**(values | changes))


def _caps(w, _):
    profile = w.profile(w.a)
    interviewers.update_interviewer_profile(w.coordinator, profile,
                                            _details(profile, daily_cap=1), w.now)


def _qualifications(w, _):
    profile = w.profile(w.a)
    interviewers.update_interviewer_profile(
        w.coordinator, profile, _details(profile, qualifications={"project_deep_dive": "qualified"}),
        w.now)


def _deactivate(w, _):
    users.set_user_active(w.coordinator, w.profile(w.a).user, False, w.now)


def _close_day(w, _):
    workdays.add_workday_overrides(w.coordinator, "CN", [workdays.WorkdayEntry(
        _local_day(w.later_slot()), is_workday=False)], w.now)


def _prepare_closed_day(w):
    [row] = workdays.add_workday_overrides(w.coordinator, "CN", [workdays.WorkdayEntry(
        _local_day(w.later_slot()), is_workday=False)], w.now)
    w.db.session.commit()
    return row.id


def _reopen_day(w, override_id):
    workdays.remove_workday_override(w.coordinator, override_id, w.now)


def _mark_year(w, _):
    workdays.mark_workday_year(w.coordinator, "CN", _first_closed_weekday_of_an_entered_year().year,
                               w.now)


def _office_zone(w, _):
    office = w.profile(w.a).office
    update_office(w.coordinator, office, {
        "code": office.code, "name_zh": office.name_zh, "name_en": office.name_en,
        "zone": "Europe/London",
        "calendar_key": office.calendar_key, "address_zh": "", "address_en": ""}, w.now)


def _nothing(_w):
    return None


CHANGES = {
    "calendar import": (_nothing, _import, True),
    "calendar refresh": (_prepare_file_source, _refresh, True),
    "calendar removed": (_prepare_busy_source, _remove_source, True),
    "manual block added": (_nothing, _add_block, True),
    "manual block removed": (_prepare_block, _remove_block, True),
    "booking": (_nothing, _book, True),
    "reschedule": (_prepare_booking, _reschedule, True),
    "cancellation": (_prepare_booking, _cancel, True),
    "swap": (_prepare_booking, _swap, True),
    "decline": (_prepare_booking, _decline, False),
    "working windows": (_nothing, _windows, True),
    "time off": (_nothing, _day_off, True),
    "extra hours": (_nothing, _extra_hours, True),
    "time off removed": (_prepare_day_off, _remove_day_off, True),
    "zone": (_nothing, _zone, True),
    "caps": (_prepare_booking, _caps, True),
    "qualifications": (_nothing, _qualifications, True),
    "deactivation": (_nothing, _deactivate, True),
    "office zone": (_nothing, _office_zone, True),
    "workday override": (_nothing, _close_day, True),
    "workday override removed": (_prepare_closed_day, _reopen_day, True),
    "year mark": (_nothing, _mark_year, True),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_a_stale_cache_is_never_used_after_a_change(db, now, kind):
    prepare, change, moves_slots = CHANGES[kind]
    horizon = 14
    if kind == "year mark":
        horizon = (_first_closed_weekday_of_an_entered_year() - local_today()).days + 2
    w = World(db, now, horizon)
    state = prepare(w)
    before = w.known = w.truth()
    assert before and w.search() == before  # a search fills the cache, and reads it back
    ids = {w.a.id, w.b.id}
    versions = availability_versions(ids)
    assert _poison({w.a.id}) == 1
    assert w.search() != before  # the cache is what a search reads

    change(w, state)
    db.session.commit()  # the request's edge

    changed = {i for i, v in availability_versions(ids).items() if v != versions[i]}
    assert changed == (ids if kind in BOTH else {w.a.id})
    after = w.search()
    assert after == w.truth()
    assert (after != before) == moves_slots


def test_a_change_in_progress_reads_the_database_not_the_cache(db, now):
    """A transaction that bumped an interviewer reads them fresh until it ends, so nothing it
    caches can outlive a write it makes after the bump."""
    w = World(db, now)
    before = w.truth()
    start = w.later_slot()
    bump_availability_version([w.a.id])
    assert w.search() == before  # read from the database: cached under nothing
    source = f.make_calendar_source(w.profile(w.a))
    # Written after the bump, without another one (the order a careless service might use).
    db.session.execute(sa.insert(BusyBlock), [dict(
        interviewer_id=w.a.id, source_id=source.id, start_at=start, end_at=start + HOUR,
        external_uid="", summary="")])
    db.session.commit()
    assert w.search() == w.truth() != before


def test_the_booking_re_check_reads_the_database_not_the_cache(db, now):
    w = World(db, now)
    # B leaves the pool: A alone decides whether a time is free.
    users.set_user_active(w.coordinator, w.profile(w.b).user, False, now)
    db.session.commit()
    start = w.later_slot()
    assert start in [s for s, _, _ in w.search()]
    # A busy block written behind the services' back: the cache is stale on purpose.
    source = f.make_calendar_source(w.profile(w.a))
    db.session.execute(sa.insert(BusyBlock), [dict(
        interviewer_id=w.a.id, source_id=source.id, start_at=start, end_at=start + HOUR,
        external_uid="", summary="")])
    db.session.commit()
    assert start in [s for s, _, _ in w.search()]  # the stale entry is used by searches
    other = db.session.get(Application, w.other.id)
    with pytest.raises(SlotTaken) as refused:
        booking.book_interview(w.coordinator, other, other.current_stage, start, [w.a.id], now)
    db.session.rollback()
    assert "busy" in {p.code for p in refused.value.problems}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interview)) == 0


def test_a_warm_search_reads_every_version_in_one_statement_and_no_rows(db, now):
    w = World(db, now)
    office = w.profile(w.a).office
    many = [f.make_interviewer(office=office) for _ in range(10)]
    db.session.commit()
    end_at = now + timedelta(days=15)
    # Later the same UTC day: the same loaded range, so the same entries.
    later = min(now + HOUR, loaded_range(now, end_at)[0] + timedelta(days=2) - timedelta(seconds=1))
    counts = {}
    two = [w.a.id, w.b.id]
    for ids in (two, two + [p.id for p in many]):
        load_calendars(ids, now, end_at, now=now)
        db.session.commit()
        db.session.expunge_all()
        with counted_statements(db) as statements:
            calendars_ = load_calendars(ids, later, end_at + (later - now), now=later)
        assert sorted(calendars_) == sorted(ids)
        reading = [s for s in statements if "availability_version" in s]
        assert len(reading) == 1
        rows = [s for s in statements if any(table in s for table in (
            "busy_block", "working_window", "availability_override", "interviewer_assignment"))]
        assert rows == []
        counts[len(ids)] = len(statements)
    assert len(set(counts.values())) == 1


def test_the_cache_is_bounded_and_shared_by_threads():
    cache = AvailabilityCache(max_entries=50)
    errors = []

    def work(offset):
        try:
            for n in range(400):
                cache.put((offset, n), n)
                value = cache.get((offset, n))
                assert value in (n, None)  # another thread may have pushed it out already
                assert len(cache) <= 50
        except AssertionError as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(cache) == 50
    small = AvailabilityCache(max_entries=2)
    small.put("a", 1)
    small.put("b", 2)
    assert small.get("a") == 1  # "a" is now the most recently used
    small.put("c", 3)
    assert (small.get("a"), small.get("b"), small.get("c")) == (1, None, 3)
