"""The week's drawing units: each stretch of a local day as wall-clock minutes from its midnight.

The service's week is UTC instants; scheduler/availability/present.py turns them into the minutes
the page's 24-hour bars and time lists use (0–1440, a stretch running to midnight ends at 1440).
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from scheduler.availability.present import week_bars
from scheduler.services.week_view import week_view
from tests import factories as f


def test_bars_are_wall_clock_minutes_of_each_local_day(db):
    national_day_now = datetime(2026, 9, 30, 16, 0, tzinfo=timezone.utc)  # 1 Oct 00:00 Beijing
    beijing = f.make_interviewer(office=f.make_office(zone="Asia/Shanghai", calendar_key="CN"),
                                 windows=((0, 5), time(9, 30), time(18, 30)))
    source = f.make_calendar_source(beijing, kind="file", name="Work calendar")
    # Busy on the make-up Saturday 14:00–15:00 Beijing, and overnight Friday 22:00 to Saturday 02:00.
    f.make_busy_block(source, datetime(2026, 10, 10, 6, tzinfo=timezone.utc),
                      datetime(2026, 10, 10, 7, tzinfo=timezone.utc), summary="Team sync")
    f.make_busy_block(source, datetime(2026, 10, 9, 14, tzinfo=timezone.utc),
                      datetime(2026, 10, 9, 18, tzinfo=timezone.utc), summary="Release")
    f.make_interview(panel=[beijing], start_at=datetime(2026, 10, 9, 2, tzinfo=timezone.utc))
    db.session.commit()

    bars = week_bars(week_view(beijing, date(2026, 10, 10), national_day_now, language="zh"))

    saturday, friday = bars[date(2026, 10, 10)], bars[date(2026, 10, 9)]
    assert [(b.start_minute, b.end_minute) for b in saturday.free] == [(570, 840), (900, 1110)]
    assert [(b.start_minute, b.end_minute, b.label) for b in saturday.busy] == [
        (0, 120, "Release"), (840, 900, "Team sync")]
    assert [(b.start_minute, b.end_minute) for b in friday.interviews] == [(600, 660)]
    assert [(b.start_minute, b.end_minute) for b in friday.busy] == [(1320, 1440)]
    assert [(b.kind, b.start_minute) for b in friday.items] == [
        ("free", 570), ("interview", 600), ("free", 660), ("busy", 1320)]
    assert bars[date(2026, 10, 5)].free == []  # a public holiday
