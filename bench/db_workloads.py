"""Database-backed workloads: the coordinator's slots endpoint, end to end, on a SQLite file.

"endpoint M slots.json" stores the engine bench's M team (50 interviewers in 8 zones, 28 days,
about 4,000 busy intervals, booked interviews, time off and extra hours; see
bench/engine_workloads.py) as real rows — offices, profiles, working windows, qualifications,
calendar sources with busy blocks, interviews with their seats — signs a coordinator in through
the login form, and times ``GET /coordinator/applications/<id>/slots.json`` through Flask's test
client: routing, the role gate, loading every calendar from the database in a fixed number of
queries, the engine, and the JSON.

The endpoint searches from the request's ``now``; for a bench that must not depend on the day it
runs, the app's clock is frozen (FROZEN_NOW) at the engine bench's ``NOW`` (Monday 2027-03-01 UTC).
Each request gets a fresh app context and session, as in production, so nothing is cached
between runs except what a long-running worker also keeps (holiday data, zone tables).

The floor is reading the workload's busy blocks and booked seats from the database and turning
them into epoch seconds: the least any implementation of the endpoint must do.
"""
from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from datetime import time, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from bench.engine_workloads import NOW, OFFICES, team
from bench.registry import Prepared, Workload, register

# The engine bench's zones, each stored at an office with that zone's holiday calendar (any key
# the `holidays` package has: the schema checks only its shape).
OFFICE_OF_ZONE = dict(OFFICES)
OFFICE_ZONE = {key: zone for zone, key in OFFICES}
PASSWORD = "bench-password-2027"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _database() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bench-db-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder / "bench.db"


def _app(path: Path):
    from scheduler import create_app

    return create_app({
        "TESTING": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": False, "BASE_URL": "http://localhost",
        "FROZEN_NOW": NOW.isoformat(),
    })


def _store_team(calendars) -> int:
    """Write the generated calendars as rows; return the application id to search for."""
    from werkzeug.security import generate_password_hash

    from scheduler.extensions import db
    from scheduler.models import (
        Application, AvailabilityOverride, BusyBlock, CalendarSource, Candidate, Interview,
        InterviewerAssignment, InterviewerProfile, Office, Qualification, Requisition,
        StageTemplate, User, UserRole, WorkingWindow,
    )

    created_at = NOW - timedelta(days=30)
    offices = {key: Office(code=key, name_zh=key, name_en=key, zone=zone, calendar_key=key)
               for key, zone in OFFICE_ZONE.items()}
    requisition = Requisition(title_zh="机器学习工程师", title_en="Machine Learning Engineer",
                              levels=[{"code": "mid", "name_zh": "中级", "name_en": "Mid"}])
    requisition.offices = list(offices.values())
    # The engine bench's stage: one of the pool, 60 minutes, 10-minute buffers, 28 days.
    stage = StageTemplate(position=1, name_zh="项目经验", name_en="Project deep dive",
                          kind="project_deep_dive", mode="video", duration_minutes=60,
                          panel_size=1, buffer_before_minutes=10, buffer_after_minutes=10,
                          min_notice_minutes=24 * 60, horizon_days=28, step_minutes=30)
    requisition.stages = [stage]
    candidate = Candidate(name="Bench Candidate", email="candidate@example.org",
                          zone="Asia/Shanghai", created_at=created_at)
    application = Application(candidate=candidate, requisition=requisition, level="mid",
                              current_stage=stage, created_at=created_at, updated_at=created_at)
    coordinator = User(email="coordinator@example.com", name="Coordinator", zone="Asia/Shanghai",
                       language="en", password_hash=generate_password_hash(PASSWORD),
                       created_at=created_at)
    coordinator.role_rows = [UserRole(role="coordinator")]
    db.session.add_all([*offices.values(), requisition, application, coordinator])
    db.session.flush()

    busy_rows, seat_rows = [], []
    for calendar in calendars:
        key = OFFICE_OF_ZONE[calendar.zone]
        user = User(email=f"interviewer{calendar.interviewer_id}@example.com",
                    name=f"Interviewer {calendar.interviewer_id}", zone=calendar.zone,
                    language="en", created_at=created_at)
        user.role_rows = [UserRole(role="interviewer")]
        profile = InterviewerProfile(
            user=user, office=offices[key], lock_version=0, daily_cap=calendar.daily_cap,
            weekly_cap=calendar.weekly_cap,
            zone=None if calendar.zone == OFFICE_ZONE[key] else calendar.zone)
        profile.working_windows = [WorkingWindow(weekday=weekday, start_local=start, end_local=end)
                                   for weekday, windows in calendar.weekly_windows.items()
                                   for start, end in windows]
        profile.qualifications = [Qualification(stage_kind="project_deep_dive", level="qualified")]
        db.session.add(profile)
        db.session.flush()
        source = CalendarSource(interviewer_id=profile.id, kind="file", name="work.ics",
                                created_at=created_at, last_refreshed_at=NOW)
        db.session.add(source)
        db.session.flush()
        busy_rows += [{"interviewer_id": profile.id, "source_id": source.id, "start_at": start,
                       "end_at": end, "external_uid": "", "summary": "Meeting"}
                      for start, end in calendar.busy]
        for override in calendar.date_overrides:
            is_whole_day = override.start == override.end == time(0)
            db.session.add(AvailabilityOverride(
                interviewer_id=profile.id, day=override.day, is_available=not override.is_time_off,
                start_local=None if is_whole_day else override.start,
                end_local=None if is_whole_day else override.end))
        for start, end in calendar.booked_interviews:
            interview = Interview(application=application, stage=stage, start_at=start, end_at=end,
                                  status="completed", calendar_uid=f"bench-{len(seat_rows)}@bench",
                                  created_at=created_at, updated_at=created_at)
            db.session.add(interview)
            db.session.flush()
            seat_rows.append({"interview_id": interview.id, "interviewer_id": profile.id,
                              "role": "lead", "start_at": start, "end_at": end, "is_active": True})
    db.session.execute(sa.insert(BusyBlock), busy_rows)
    db.session.execute(sa.insert(InterviewerAssignment), seat_rows)
    db.session.commit()
    return application.id


def _signed_in_client(app):
    client = app.test_client()
    page = client.get("/login").text
    response = client.post("/login", data={"csrf_token": _CSRF.search(page).group(1),
                                           "email": "coordinator@example.com",
                                           "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError("the bench coordinator could not sign in")
    return client


def _endpoint_m():
    from flask_migrate import upgrade

    from scheduler.extensions import db

    calendars = team("M").calendars
    app = _app(_database())
    with app.app_context():
        upgrade()
        application_id = _store_team(calendars)
        db.session.remove()
    client = _signed_in_client(app)
    url = f"/coordinator/applications/{application_id}/slots.json"
    window_end = NOW + timedelta(days=29)

    def run() -> int:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return len(response.get_json()["slots"])

    busy = sum(len(c.busy) + len(c.booked_interviews) for c in calendars)
    return Prepared(run, lambda: read_busy_rows(app, window_end), busy)


def read_busy_rows(app, window_end) -> list[tuple[int, int]]:
    """The floor of the web workloads: only read the busy rows from the database."""
    from scheduler.extensions import db
    from scheduler.models import BusyBlock, InterviewerAssignment

    with app.app_context():
        rows = db.session.execute(sa.union_all(
            sa.select(BusyBlock.start_at, BusyBlock.end_at).where(
                BusyBlock.end_at > NOW, BusyBlock.start_at < window_end),
            sa.select(InterviewerAssignment.start_at, InterviewerAssignment.end_at).where(
                InterviewerAssignment.is_active.is_(True)))).all()
        epochs = [(int(start.replace(tzinfo=timezone.utc).timestamp()),
                   int(end.replace(tzinfo=timezone.utc).timestamp())) for start, end in rows]
        db.session.remove()
    return epochs


register(Workload("endpoint M slots.json",
                  "GET slots.json: 50 interviewers in 8 zones, 28 days, 1 of 50, from SQLite",
                  _endpoint_m, 60))
