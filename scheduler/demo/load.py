"""Load the demo hiring process (scheduler/demo/people.py) into the database.

`load_demo(now)` is idempotent: every row is found by its natural key (office code, email,
requisition title, rubric code and version) and only created when missing, and a stage is given
its rubric only when it names none, so running it twice changes nothing.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from scheduler.demo.feedback import FEEDBACK_CANDIDATES, load_demo_feedback
from scheduler.demo.decisions import load_demo_decisions
from scheduler.demo.people import (
    CANDIDATES, DEMO_PASSWORD, INTERVIEWERS, LEVELS, OFFICES, STAFF, STAGE_RUBRICS, STAGES,
    WEEKDAYS, DemoInterviewer,
)
from scheduler.demo.team_calendars import load_demo_calendars
from scheduler.extensions import db
from scheduler.models import (
    Application, Candidate, InterviewerProfile, Office, Qualification, Requisition, Rubric,
    StageTemplate, User, UserRole, WorkingWindow,
)
from scheduler.services.availability_cache import bump_availability_version
from scheduler.services.rubrics import latest_rubric, load_rubric_files

def load_demo(now: datetime) -> str:
    """Create whatever part of the demo is missing; return a one-line summary."""
    password_hash = generate_password_hash(DEMO_PASSWORD)
    offices = {code: _office(code, *rest) for code, *rest in OFFICES}
    staff = [_user(email, name, roles, zone, language, password_hash, now)
             for email, name, roles, zone, language in STAFF]
    requisition = _requisition(list(offices.values()),
                               [user for user in staff if user.has_role("coordinator")])
    load_rubric_files(now, actor="demo")
    _name_stage_rubrics(requisition)
    for spec in INTERVIEWERS:
        _interviewer(spec, offices[spec.office], password_hash, now)
    for spec in (*CANDIDATES, *FEEDBACK_CANDIDATES):
        _candidate_application(spec, requisition, now)
    db.session.flush()
    load_demo_feedback(requisition, now)
    load_demo_decisions(now)
    load_demo_calendars(now)
    # Some demo rows (past interviews) are written directly: a running server must not keep
    # using what it cached about anyone.
    bump_availability_version(db.session.scalars(sa.select(InterviewerProfile.id)))
    counts = {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
              for name, model in (("offices", Office), ("interviewers", InterviewerProfile),
                                  ("candidates", Candidate), ("applications", Application),
                                  ("rubrics", Rubric))}
    return "Demo ready: " + ", ".join(f"{n} {name}" for name, n in counts.items())


def _office(code, name_zh, name_en, zone, key, address_zh, address_en) -> Office:
    office = db.session.scalar(sa.select(Office).where(Office.code == code))
    if office is None:
        office = Office(code=code, name_zh=name_zh, name_en=name_en, zone=zone,
                        calendar_key=key, address_zh=address_zh, address_en=address_en)
        db.session.add(office)
    return office


def _requisition(offices: list[Office], coordinators: list[User]) -> Requisition:
    title_en = "Machine Learning Engineer"
    requisition = db.session.scalar(sa.select(Requisition).where(Requisition.title_en == title_en))
    if requisition is not None:
        return requisition
    requisition = Requisition(title_zh="机器学习工程师", title_en=title_en, levels=LEVELS,
                              salary_min=28_000, salary_max=60_000, salary_currency="CNY",
                              salary_period="month", is_open=True)
    requisition.offices = offices
    requisition.coordinators = coordinators
    requisition.stages = [StageTemplate(position=i, **spec) for i, spec in enumerate(STAGES, 1)]
    db.session.add(requisition)
    db.session.flush()
    return requisition


def _name_stage_rubrics(requisition: Requisition) -> None:
    """Give each stage without a rubric the one its kind is scored on (the offer has none)."""
    for stage in requisition.stages:
        code = STAGE_RUBRICS.get(stage.kind)
        if code is not None and stage.rubric_id is None:
            stage.rubric = latest_rubric(code)


def _user(email, name, roles, zone, language, password_hash, now) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash, zone=zone,
                    language=language, is_active=True, created_at=now)
        user.role_rows = [UserRole(role=r) for r in roles]
        db.session.add(user)
    return user


def _interviewer(spec: DemoInterviewer, office: Office, password_hash: str, now) -> None:
    zone = spec.zone or office.zone
    user = _user(spec.email, spec.name, ("interviewer",), zone, spec.language, password_hash, now)
    if user.interviewer_profile is not None:
        return
    start, end = spec.hours
    profile = InterviewerProfile(
        user=user, office=office, zone=spec.zone, daily_cap=spec.daily_cap,
        weekly_cap=spec.weekly_cap, lock_version=0,
        # A neutral room id: the room link reaches candidates, who are not told the panel.
        video_room_url=f"https://meet.example.com/room-{_room_id(spec.email)}",
    )
    profile.working_windows = [WorkingWindow(weekday=d, start_local=start, end_local=end)
                               for d in WEEKDAYS]
    profile.qualifications = [Qualification(stage_kind=kind, level=level)
                              for kind, level in spec.qualifications.items()]
    db.session.add(profile)


def _room_id(email: str) -> str:
    import hashlib

    return hashlib.sha256(email.encode()).hexdigest()[:10]


def _candidate_application(spec, requisition: Requisition, now) -> None:
    name, email, phone, zone, language, level, position, status = spec
    candidate = db.session.scalar(sa.select(Candidate).where(Candidate.email == email))
    if candidate is None:
        candidate = Candidate(name=name, email=email, phone=phone, zone=zone, language=language,
                              created_at=now)
        db.session.add(candidate)
        db.session.flush()
    exists = db.session.scalar(sa.select(Application.id).where(
        Application.candidate_id == candidate.id, Application.requisition_id == requisition.id))
    if exists is None:
        db.session.add(Application(candidate=candidate, requisition=requisition, level=level,
                                   status=status, current_stage=requisition.stages[position - 1],
                                   created_at=now, updated_at=now,
                                   closed_at=now if status in Application.CLOSED_STATUSES
                                   else None))
