"""The demo's calendars: imported through the real path, realistic, and leaving slots for every
candidate at a scheduling stage."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from scheduler.demo import INTERVIEWERS, load_demo
from scheduler.demo.team_calendars import DEMO_FILE_NAME, TEXT
from scheduler.models import Application, AuditEvent, BusyBlock, CalendarSource, InterviewerProfile
from scheduler.services.slot_search import find_slots


def test_demo_interviewers_have_imported_calendars_and_candidates_have_slots(db, now):
    load_demo(now)
    db.session.commit()
    sources = db.session.scalars(sa.select(CalendarSource).where(
        CalendarSource.name == DEMO_FILE_NAME)).all()
    assert len(sources) == len(INTERVIEWERS)
    assert all(s.kind == "file" and s.last_refreshed_at == now and not s.last_error and s.content
               for s in sources)
    added = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "calendar_source.added"))
    assert added == len(INTERVIEWERS)  # the real import path writes its audit event

    for source in sources:
        profile = db.session.get(InterviewerProfile, source.interviewer_id)
        zone = ZoneInfo(profile.effective_zone)
        language = profile.user.language
        blocks = db.session.scalars(sa.select(BusyBlock).where(BusyBlock.source_id == source.id)).all()
        by_summary: dict[str, list[BusyBlock]] = {}
        for block in blocks:
            by_summary.setdefault(block.summary, []).append(block)
        # Recurring meetings repeat every week of the imported window.
        assert len(by_summary[TEXT["standup"][language]]) >= 12
        assert len(by_summary[TEXT["sync"][language]]) >= 4
        assert len(by_summary[TEXT["one_on_one"][language]]) >= 2
        assert sum(len(by_summary.get(n[language], ())) for n in TEXT["one_off"]) == 5
        assert TEXT["focus"][language] not in by_summary  # marked free: never busy
        # A week of leave: Monday to Friday, whole local days.
        leave = by_summary[TEXT["leave"][language]]
        total = sum((b.end_at - b.start_at for b in leave), timedelta())
        assert total == timedelta(days=5)
        first_day = min(b.start_at for b in leave).astimezone(zone)
        assert first_day.weekday() == 0 and (first_day.hour, first_day.minute) == (0, 0)
        all_day = [b for n in TEXT["all_day"] for b in by_summary.get(n[language], ())]
        assert sum((b.end_at - b.start_at for b in all_day), timedelta()) == timedelta(days=1)

    applications = db.session.scalars(sa.select(Application).where(
        Application.status == "active")).all()
    scheduling = [a for a in applications if a.current_stage.is_schedulable]
    assert len(scheduling) >= 8
    for application in scheduling:
        search = find_slots(application, [application.current_stage], now)
        assert search.slots, f"{application.candidate.name}: no slots at {application.current_stage.kind}"
    design, deep_dive = application.requisition.stages[2:4]
    for application in scheduling:
        if application.current_stage.kind == "system_design":
            loop = find_slots(application, [design, deep_dive], now, break_minutes=15)
            assert loop.slots, f"{application.candidate.name}: no loop slots"

    load_demo(now)  # loading again adds no second calendar
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarSource)) == len(sources)
