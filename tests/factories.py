"""Builders for test data: each makes a valid row with sensible defaults and flushes it.

Usage: `interviewer = make_interviewer(office=make_office())`; pass keyword arguments to
override any column. Builders flush (so ids exist) but never commit: the test decides. Builders of
rows that change when an interviewer is free bump their availability version, as the services do
(services/availability_cache.py), so a search made before sees the change.
"""
from __future__ import annotations

import itertools
import uuid
from datetime import time, timedelta

from scheduler.extensions import db
from scheduler.services.availability_cache import bump_availability_version, bump_calendar_versions
from scheduler.models import (
    Application, AuditEvent, AvailabilityOverride, BookingGroup, BusyBlock, CalendarSource,
    Candidate, Feedback, FeedbackScore, Interview, InterviewerAssignment, InterviewerProfile,
    Office, OutboxMessage, Qualification, Reminder, Requisition, Rubric, SchedulingLink,
    StageTemplate, User, UserRole, WorkdayOverride, WorkingWindow,
)
from tests.clock import NOW

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def _save(row):
    db.session.add(row)
    db.session.flush()
    return row


def make_office(**kw) -> Office:
    n = _n()
    defaults = dict(code=f"OFF{n}", name_zh=f"办公室{n}", name_en=f"Office {n}",
                    zone="Asia/Shanghai", calendar_key="CN", address_zh="", address_en="")
    return _save(Office(**(defaults | kw)))


def make_user(roles=("interviewer",), **kw) -> User:
    from werkzeug.security import generate_password_hash

    n = _n()
    password = kw.pop("password", "correct horse battery staple")
    defaults = dict(email=f"user{n}@example.com", name=f"User {n}",
                    # Few iterations: the default scrypt costs a quarter second per user.
                    password_hash=generate_password_hash(password, "pbkdf2:sha256:1000"),
                    zone="Asia/Shanghai",
                    language="zh", is_active=True, created_at=NOW)
    user = User(**(defaults | kw))
    user.role_rows = [UserRole(role=r) for r in roles]
    return _save(user)


def make_interviewer(office=None, user=None, qualifications=None,
                     windows=((0, 5), time(9, 30), time(18, 30)), **kw) -> InterviewerProfile:
    """Make an interviewer working *windows* = ((first_weekday, last_weekday), start, end)."""
    office = office or make_office()
    user = user or make_user(roles=("interviewer",))
    profile = InterviewerProfile(user=user, office=office, **({"lock_version": 0} | kw))
    (first, last), start, end = windows
    profile.working_windows = [
        WorkingWindow(weekday=d, start_local=start, end_local=end) for d in range(first, last)
    ]
    quals = qualifications if qualifications is not None else {"system_design": "qualified"}
    profile.qualifications = [Qualification(stage_kind=k, level=v) for k, v in quals.items()]
    return _save(profile)


def make_requisition(stages=None, **kw) -> Requisition:
    defaults = dict(title_zh="机器学习工程师", title_en="Machine Learning Engineer",
                    levels=[{"code": "mid", "name_zh": "中级", "name_en": "Mid", "years": "5-8"}],
                    salary_min=28000, salary_max=60000)
    req = Requisition(**(defaults | kw))
    for position, stage_kw in enumerate(stages or [{}], start=1):
        req.stages.append(make_stage(save=False, **({"position": position} | stage_kw)))
    return _save(req)


def coordinate(user: User, *requisitions: Requisition) -> User:
    """Make *user* a coordinator of *requisitions* (least access: a coordinator sees the
    candidates of the openings they coordinate)."""
    for requisition in requisitions:
        if user not in requisition.coordinators:
            requisition.coordinators.append(user)
    db.session.flush()
    return user


def coordinate_every_opening(user: User) -> User:
    """Make *user* a coordinator of every opening there is now."""
    return coordinate(user, *db.session.scalars(db.select(Requisition)))


def make_stage(save=True, **kw) -> StageTemplate:
    defaults = dict(position=1, name_zh="系统设计", name_en="System design", kind="system_design",
                    mode="video", duration_minutes=60, panel_size=1)
    stage = StageTemplate(**(defaults | kw))
    return _save(stage) if save else stage


def make_candidate(**kw) -> Candidate:
    n = _n()
    defaults = dict(name=f"候选人{n}", email=f"candidate{n}@example.org", phone="+86 138 0000 0000",
                    zone="Asia/Shanghai", language="zh", created_at=NOW)
    return _save(Candidate(**(defaults | kw)))


def make_application(candidate=None, requisition=None, **kw) -> Application:
    requisition = requisition or make_requisition()
    defaults = dict(level="mid", status="active", current_stage=requisition.stages[0],
                    created_at=NOW, updated_at=NOW)
    app = Application(candidate=candidate or make_candidate(), requisition=requisition,
                      **(defaults | kw))
    return _save(app)


def make_interview(application=None, panel=(), start_at=None, stage=None, **kw) -> Interview:
    application = application or make_application()
    stage = stage or application.current_stage
    start_at = start_at or NOW + timedelta(days=2)
    end_at = kw.pop("end_at", start_at + timedelta(minutes=stage.duration_minutes or 60))
    defaults = dict(status="scheduled", calendar_uid=f"{uuid.uuid4()}@test", sequence=0,
                    created_at=NOW, updated_at=NOW)
    interview = Interview(application=application, stage=stage, start_at=start_at,
                          end_at=end_at, **(defaults | kw))
    interview.assignments = [
        InterviewerAssignment(interviewer=p, role="lead" if i == 0 else "member",
                              start_at=start_at, end_at=end_at, is_active=True)
        for i, p in enumerate(panel)
    ]
    _save(interview)
    bump_availability_version(p.id for p in panel)
    return interview


def make_booking_group(application, **kw) -> BookingGroup:
    return _save(BookingGroup(application=application,
                              **(dict(break_minutes=15, created_at=NOW) | kw)))


def make_calendar_source(interviewer, **kw) -> CalendarSource:
    defaults = dict(kind="manual", name="Manual blocks", created_at=NOW)
    return _save(CalendarSource(interviewer_id=interviewer.id, **(defaults | kw)))


def make_busy_block(source, start_at, end_at, **kw) -> BusyBlock:
    block = _save(BusyBlock(source=source, interviewer_id=source.interviewer_id,
                            start_at=start_at, end_at=end_at, **kw))
    bump_availability_version([source.interviewer_id])
    return block


def make_availability_override(interviewer, day, **kw) -> AvailabilityOverride:
    defaults = dict(start_local=None, end_local=None, is_available=False, note="")
    override = _save(AvailabilityOverride(interviewer_id=interviewer.id, day=day,
                                          **(defaults | kw)))
    bump_availability_version([interviewer.id])
    return override


def make_workday_override(day, **kw) -> WorkdayOverride:
    defaults = dict(calendar_key="CN", is_workday=True, note="")
    override = _save(WorkdayOverride(day=day, **(defaults | kw)))
    bump_calendar_versions(override.calendar_key)
    return override


def make_link(application, stages=None, **kw) -> SchedulingLink:
    defaults = dict(token_hash=uuid.uuid4().hex * 2, break_minutes=0,
                    expires_at=NOW + timedelta(days=7), created_at=NOW)
    stage_ids = [s.id for s in (stages or [application.current_stage])]
    return _save(SchedulingLink(application=application, stage_ids=stage_ids, **(defaults | kw)))


def make_rubric(**kw) -> Rubric:
    n = _n()
    defaults = dict(code=f"rubric{n}", version=1, stage_kind="system_design",
                    name_zh="系统设计评分表", name_en="System design rubric",
                    definition={"criteria": [{"code": "requirements", "name_en": "Requirements",
                                              "name_zh": "需求分析"}]},
                    created_at=NOW)
    return _save(Rubric(**(defaults | kw)))


def make_feedback(interview, interviewer, rubric=None, scores=None, **kw) -> Feedback:
    rubric = rubric or make_rubric()
    defaults = dict(recommendation="yes", hire_level="mid", created_at=NOW, updated_at=NOW)
    feedback = Feedback(interview_id=interview.id, interviewer_id=interviewer.id,
                        rubric=rubric, **(defaults | kw))
    feedback.scores = [FeedbackScore(criterion_code=c, score=s)
                       for c, s in (scores or {"requirements": 3}).items()]
    return _save(feedback)


def make_outbox_message(**kw) -> OutboxMessage:
    n = _n()
    defaults = dict(kind="invite", to_addr=f"to{n}@example.org", subject="Invite",
                    message_id=f"<{n}@test>", raw_message=b"Subject: Invite\r\n\r\nhi\r\n",
                    created_at=NOW, next_attempt_at=NOW, attempts=0)
    return _save(OutboxMessage(**(defaults | kw)))


def make_reminder(interview, **kw) -> Reminder:
    defaults = dict(kind="24h", recipient="candidate@example.org",
                    due_at=interview.start_at - timedelta(hours=24))
    return _save(Reminder(interview_id=interview.id, **(defaults | kw)))


def make_audit_event(**kw) -> AuditEvent:
    defaults = dict(occurred_at=NOW, action="interview.booked", object_type="interview",
                    object_id=1, before=None, after={"start_at": "2026-12-02T01:00:00Z"})
    return _save(AuditEvent(**(defaults | kw)))
