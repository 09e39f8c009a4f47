"""Every model can be written and read back on each database; instants stay aware UTC."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from scheduler.models import (
    AuditEvent, BusyBlock, Feedback, Interview, InterviewerProfile, NaiveDatetimeError,
    OutboxMessage, Requisition,
)
from tests import factories as f
from tests.clock import NOW, local_today, weekday_on_or_after

BEIJING = ZoneInfo("Asia/Shanghai")


def test_naive_datetime_is_refused(db):
    candidate = f.make_candidate()
    candidate.created_at = NOW.replace(tzinfo=None)  # naive
    with pytest.raises(StatementError) as info:
        db.session.flush()
    assert isinstance(info.value.orig, NaiveDatetimeError)
    db.session.rollback()


def test_aware_datetime_comes_back_as_utc(db):
    beijing_nine = datetime.combine(local_today(), time(9, 0), BEIJING)
    candidate = f.make_candidate(created_at=beijing_nine)
    db.session.commit()
    candidate_id = candidate.id
    db.session.expire_all()
    stored = db.session.get(type(candidate), candidate_id).created_at
    # Beijing is UTC+8: 09:00 there is 01:00 UTC the same day.
    assert stored == datetime.combine(local_today(), time(1, 0), timezone.utc)
    assert stored.utcoffset() == timedelta(0)
    assert stored.tzinfo == timezone.utc


def test_instants_compare_in_sql_across_zones(db):
    """A filter with a non-UTC aware bound compares instants, not wall clocks."""
    source = f.make_calendar_source(f.make_interviewer())
    day = local_today()
    start = datetime.combine(day, time(1, 0), timezone.utc)
    f.make_busy_block(source, start, start + timedelta(hours=1))
    db.session.commit()
    bound = datetime.combine(day, time(9, 30), BEIJING)  # 01:30 UTC
    found = db.session.scalars(sa.select(BusyBlock).where(BusyBlock.end_at > bound)).all()
    assert len(found) == 1
    later = datetime.combine(day, time(10, 0), BEIJING)  # 02:00 UTC
    assert db.session.scalars(sa.select(BusyBlock).where(BusyBlock.end_at > later)).all() == []


def test_every_model_round_trips(db):
    office = f.make_office(code="BJ", name_zh="北京", name_en="Beijing")
    interviewer = f.make_interviewer(office=office, daily_cap=2, weekly_cap=6,
                                     qualifications={"system_design": "senior"})
    requisition = f.make_requisition(stages=[{"kind": "phone_screen", "mode": "phone",
                                              "name_zh": "初步沟通", "name_en": "HR phone screen",
                                              "duration_minutes": 30},
                                             {"position": 2}])
    requisition.offices.append(office)
    application = f.make_application(requisition=requisition)
    group = f.make_booking_group(application)
    interview = f.make_interview(application=application, panel=[interviewer],
                                 booking_group=group)
    source = f.make_calendar_source(interviewer, kind="file", content=b"BEGIN:VCALENDAR")
    f.make_busy_block(source, f.NOW, f.NOW + timedelta(hours=1),
                      external_uid="uid-1", summary="周会")
    f.make_availability_override(interviewer, local_today() + timedelta(days=3), is_available=True,
                                 start_local=time(19, 0), end_local=time(20, 0))
    f.make_workday_override(weekday_on_or_after(local_today() + timedelta(days=60), 5), note="调休")
    f.make_link(application)
    f.make_feedback(interview, interviewer, scores={"requirements": 4, "tradeoffs": 2})
    message = f.make_outbox_message(interview_id=interview.id, subject="面试邀请")
    f.make_reminder(interview, outbox_message_id=message.id)
    booked_at = interview.start_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    f.make_audit_event(actor_user_id=interviewer.user_id, object_id=interview.id,
                       after={"start_at": booked_at})
    db.session.commit()
    db.session.expire_all()

    profile = db.session.get(InterviewerProfile, interviewer.id)
    assert profile.effective_zone == "Asia/Shanghai"
    assert profile.user.roles == {"interviewer"}
    assert [(w.weekday, w.start_local) for w in profile.working_windows][:1] == [(0, time(9, 30))]
    assert profile.qualifications[0].level == "senior"
    req = db.session.scalars(sa.select(Requisition)).one()
    assert [s.name_en for s in req.stages] == ["HR phone screen", "System design"]
    assert [o.code for o in req.offices] == ["BJ"]
    stored = db.session.scalars(sa.select(Interview)).one()
    assert stored.booking_group.interviews == [stored]
    assert [a.interviewer_id for a in stored.active_assignments] == [interviewer.id]
    assert stored.assignments[0].start_at == stored.start_at
    assert db.session.scalars(sa.select(BusyBlock)).one().summary == "周会"
    assert {s.criterion_code: s.score for s in db.session.scalars(sa.select(Feedback)).one().scores} \
        == {"requirements": 4, "tradeoffs": 2}
    assert db.session.scalars(sa.select(OutboxMessage)).one().subject == "面试邀请"
    assert db.session.scalars(sa.select(AuditEvent)).one().after == {"start_at": booked_at}


def test_one_live_interview_per_stage(db):
    application = f.make_application()
    f.make_interview(application=application)
    db.session.commit()
    with pytest.raises(IntegrityError):
        f.make_interview(application=application)
    db.session.rollback()
    # A cancelled interview does not hold the stage.
    first = db.session.scalars(sa.select(Interview)).one()
    first.status = "cancelled"
    db.session.commit()
    f.make_interview(application=application)
    db.session.commit()


def test_feedback_score_must_be_1_to_4(db):
    interviewer = f.make_interviewer()
    interview = f.make_interview(panel=[interviewer])
    with pytest.raises(IntegrityError):
        f.make_feedback(interview, interviewer, scores={"requirements": 5})
    db.session.rollback()


def test_raw_sql_and_orm_reads_agree(db):
    """The fast SQLite read path gives the same aware instants as the generic one."""
    moment = NOW + timedelta(minutes=2, seconds=3, microseconds=456789)
    source = f.make_calendar_source(f.make_interviewer())
    f.make_busy_block(source, moment, moment + timedelta(minutes=1))
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalars(sa.select(BusyBlock.start_at)).one() == moment
    assert db.session.scalars(sa.select(BusyBlock)).one().start_at.tzinfo == timezone.utc
