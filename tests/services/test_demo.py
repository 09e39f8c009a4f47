"""The demo hiring process loads exactly as DESIGN.md §2 describes, and loading twice is safe."""
from __future__ import annotations

import sqlalchemy as sa

from scheduler.demo import DEMO_LOGINS, load_demo
from scheduler.models import Application, Candidate, InterviewerProfile, Office, Requisition, User


def test_demo_loads_the_ml_engineer_process(db, now):
    load_demo(now)
    db.session.commit()
    requisition = db.session.scalars(sa.select(Requisition)).one()
    assert requisition.title_en == "Machine Learning Engineer"
    assert (requisition.salary_min, requisition.salary_max) == (28_000, 60_000)
    assert [level["code"] for level in requisition.levels] == ["junior", "mid", "senior"]
    stages = [(s.kind, s.duration_minutes, s.panel_size) for s in requisition.stages]
    assert stages == [
        ("phone_screen", 30, 1), ("coding_test", 90, 0), ("system_design", 60, 2),
        ("project_deep_dive", 60, 1), ("hr_final", 45, 1), ("offer", 0, 0),
    ]
    assert requisition.stages[2].is_senior_seat_required
    assert requisition.stages[5].sla_days == 14
    zones = {o.code: o.zone for o in db.session.scalars(sa.select(Office))}
    assert zones == {"BJ": "Asia/Shanghai", "SH": "Asia/Shanghai", "SZ": "Asia/Shanghai",
                     "HZ": "Asia/Shanghai", "LON": "Europe/London",
                     "SFO": "America/Los_Angeles", "SIN": "Asia/Singapore"}
    profiles = db.session.scalars(sa.select(InterviewerProfile)).all()
    assert len(profiles) >= 20
    assert {p.office.code for p in profiles} == set(zones)
    assert all(p.working_windows for p in profiles)
    candidate_zones = set(db.session.scalars(sa.select(Candidate.zone)))
    assert {"Europe/London", "America/Los_Angeles", "Asia/Shanghai"} <= candidate_zones
    positions = {a.current_stage.position for a in db.session.scalars(sa.select(Application))}
    assert len(positions) >= 5
    emails = set(db.session.scalars(sa.select(User.email)))
    assert {email for _, email in DEMO_LOGINS["accounts"]} <= emails


def test_loading_twice_changes_nothing(db, now):
    load_demo(now)
    db.session.commit()

    def counts():
        return [db.session.scalar(sa.select(sa.func.count()).select_from(m))
                for m in (Office, User, InterviewerProfile, Candidate, Application, Requisition)]

    first = counts()
    load_demo(now)
    db.session.commit()
    assert counts() == first


def test_the_demo_has_feedback_in_every_state_and_calibration_has_data(db, now):
    from scheduler.models import Feedback, Interview, Reminder
    from scheduler.services.calibration import build_calibration
    from scheduler.services.feedback import feedback_to_write

    load_demo(now)
    db.session.commit()
    interviews = db.session.scalars(sa.select(Interview)).all()
    assert interviews and all(i.is_held(now) for i in interviews)
    feedback = db.session.scalars(sa.select(Feedback)).all()
    assert any(f.is_submitted for f in feedback) and any(not f.is_submitted for f in feedback)
    oliver = db.session.scalars(sa.select(InterviewerProfile).join(User).where(
        User.email == "oliver.smith@example.com")).one()
    owed, _done = feedback_to_write(oliver, now)
    assert [owed_one.is_overdue(now) for owed_one in owed] == [True, False]
    assert owed[1].draft is not None and owed[0].draft is None
    # The feedback still owed and not yet overdue has its nudges waiting.
    assert db.session.scalars(sa.select(Reminder).where(Reminder.kind == "feedback_due")).all()
    admin = db.session.scalars(sa.select(User).where(User.email == "admin@example.com")).one()
    report = build_calibration(admin, now, "en")
    assert any(row.agreement.alpha is not None for row in report.criteria)
    offsets = {row.profile.user.email: row.calibration.mean_offset for row in report.interviewers}
    assert offsets["oliver.smith@example.com"] > 0 > offsets["sun.li@example.com"]
    count = len(interviews)
    load_demo(now)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interview)) == count


def test_the_demo_has_decisions_and_an_offer_clock_running(db, now):
    from datetime import timedelta

    from scheduler.models import StageDecision
    from scheduler.services.decisions import offer_clock

    load_demo(now)
    db.session.commit()
    by_email = {d.application.candidate.email: d for d in db.session.scalars(
        sa.select(StageDecision))}
    assert by_email["yuxuan.lin@example.org"].outcome == "advance"
    assert by_email["yuxuan.lin@example.org"].application.current_stage.kind == "system_design"
    rejected = by_email["lukas.becker@example.org"]
    assert (rejected.outcome, rejected.reason_code) == ("reject", "skills")
    assert rejected.application.status == "rejected"
    at_offer = by_email["haoran.sun@example.org"].application
    assert at_offer.current_stage.kind == "offer"
    assert at_offer.offer_due_at == now + timedelta(days=12)
    assert offer_clock(at_offer, now).days_left == 12
    assert not any(d.is_override for d in by_email.values())
    load_demo(now)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(StageDecision.id))) == 3
