"""Retention (issue 25 item 1): at fixed instants the job anonymises exactly what has passed its
opening's retention period — per application when it expires, the candidate's identity only when
every application has — never a candidate with an open or hired application; calibration does not
move; the dry-run report lists what the run then does; two job workers released together do each
piece once."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from scheduler.extensions import db as _db
from scheduler.jobs import apply_retention
from scheduler.models import (
    Application, AuditEvent, Candidate, Feedback, FeedbackScore, OutboxMessage, Reminder,
    SchedulingLink, StageDecision,
)
from scheduler.services.calibration import build_calibration
from scheduler.services.retention import retention_plan
from tests import factories as f
from tests.clock import NOW
from tests.feedback_setup import make_rubric_version, rubric_definition

DAY = timedelta(days=1)


@dataclass
class World:
    """Five candidates on a 30-day opening (SHORT) and a 365-day one (LONG)."""

    apps: dict[str, Application]
    candidates: dict[str, Candidate]
    admin: object


def _application(requisition, candidate, *, status, closed_days_ago, panel, rubric, key, n):
    """An application with a decision note, feedback with evidence, a link note, mail and a
    reminder about its interview, and an audit record with a note: all free text naming it."""
    closed_at = NOW - closed_days_ago * DAY if closed_days_ago is not None else None
    application = f.make_application(candidate=candidate, requisition=requisition,
                                     status=status, closed_at=closed_at)
    interview = f.make_interview(application=application, panel=panel,
                                 start_at=NOW - (400 + n) * DAY, cancel_reason=f"moved {key}")
    for seat, person in enumerate(panel):
        f.make_feedback(interview, person, rubric=rubric, scores={"requirements": 2 + seat},
                        submitted_at=NOW - 399 * DAY, strengths=f"strong {key}",
                        concerns=f"concern {key}")
    for score in _db.session.scalars(sa.select(FeedbackScore).join(Feedback).where(
            Feedback.interview_id == interview.id)):
        score.evidence = f"evidence {key}"
    _db.session.add(StageDecision(application=application, stage=application.current_stage,
                                   outcome="advance", note=f"decided {key}",
                                   decided_by_id=panel[0].user_id,
                                   decided_at=NOW - 398 * DAY))
    f.make_link(application, candidate_note=f"note {key}")
    f.make_outbox_message(to_addr=candidate.email, interview_id=interview.id,
                          subject=f"Invite {key}", sent_at=NOW - 400 * DAY,
                          raw_message=f"Subject: Invite {key}\r\n\r\nbody {key}\r\n".encode())
    f.make_reminder(interview, recipient=candidate.email, enqueued_at=NOW - 401 * DAY)
    f.make_audit_event(object_type="application", object_id=application.id,
                       action="application.decided", note=f"audit {key}",
                       after={"note": f"audit {key}", "status": status})
    return application


@pytest.fixture
def world(db):
    short = f.make_requisition(retention_days=30)
    long = f.make_requisition(retention_days=365)
    panel = [f.make_interviewer(), f.make_interviewer()]
    rubric = make_rubric_version(rubric_definition(criteria=("requirements",)))
    people = {key: f.make_candidate(name=f"Person {key}", email=f"{key}@example.org",
                                    phone=f"+86 139 0000 00{n:02d}")
              for n, key in enumerate(("expired_twice", "one_of_two", "open", "hired", "recent"))}

    made = []

    def app(key, requisition, who, status, days):
        made.append(key)  # each interview a day apart: a panel sits once at a time
        return _application(requisition, people[who], status=status, closed_days_ago=days,
                            panel=panel, rubric=rubric, key=key, n=len(made))

    apps = {
        # Every application expired: the identity goes too.
        "a1": app("a1", short, "expired_twice", "rejected", 31),
        "a2": app("a2", long, "expired_twice", "withdrawn", 366),
        # One expired, one closed but inside its 365 days: that one's data and the identity stay.
        "b1": app("b1", short, "one_of_two", "rejected", 100),
        "b2": app("b2", long, "one_of_two", "rejected", 100),
        # Expired, but the candidate has an open application elsewhere.
        "c1": app("c1", short, "open", "withdrawn", 100),
        "c2": app("c2", long, "open", "active", None),
        # Hired long ago: exempt.
        "h1": app("h1", short, "hired", "hired", 400),
        # Rejected 29 days ago on a 30-day opening: expires one day from NOW.
        "r1": app("r1", short, "recent", "rejected", 29),
    }
    admin = f.make_user(roles=("admin",))
    db.session.commit()
    return World(apps, people, admin)


def _fields(db, world) -> dict[tuple[str, str], object]:
    """The free text and identity of every application and candidate of the world."""
    fields = {}
    for key, application in world.apps.items():
        application = db.session.get(Application, application.id)
        interview_ids = [i for i in db.session.scalars(sa.text(
            "SELECT id FROM interview WHERE application_id = :a"), {"a": application.id})]
        feedback = db.session.scalars(sa.select(Feedback).where(
            Feedback.interview_id.in_(interview_ids))).all()
        fields[key, "strengths"] = sorted(x.strengths for x in feedback)
        fields[key, "concerns"] = sorted(x.concerns for x in feedback)
        fields[key, "evidence"] = sorted(s.evidence for x in feedback for s in x.scores)
        fields[key, "scores"] = sorted(s.score for x in feedback for s in x.scores)
        fields[key, "decision_note"] = db.session.scalar(sa.select(StageDecision.note).where(
            StageDecision.application_id == application.id))
        fields[key, "link_note"] = db.session.scalar(sa.select(
            SchedulingLink.candidate_note).where(SchedulingLink.application_id == application.id))
        fields[key, "cancel_reason"] = db.session.scalar(sa.text(
            "SELECT cancel_reason FROM interview WHERE application_id = :a"), {"a": application.id})
        fields[key, "mail"] = tuple(db.session.execute(sa.select(
            OutboxMessage.subject, OutboxMessage.raw_message).where(
            OutboxMessage.interview_id.in_(interview_ids))).one())
        fields[key, "reminders"] = db.session.scalar(sa.select(sa.func.count()).select_from(
            Reminder).where(Reminder.interview_id.in_(interview_ids)))
        fields[key, "audit_note"] = tuple(db.session.execute(sa.select(
            AuditEvent.note, AuditEvent.after).where(
            AuditEvent.object_type == "application", AuditEvent.object_id == application.id,
            AuditEvent.action == "application.decided")).one())
        fields[key, "status"] = application.status
    for key, candidate in world.candidates.items():
        candidate = db.session.get(Candidate, candidate.id)
        fields[key, "identity"] = (candidate.name, candidate.email, candidate.phone)
    return fields


def _scrubbed(key) -> dict:
    return {(key, "strengths"): ["", ""], (key, "concerns"): ["", ""],
            (key, "evidence"): ["", ""], (key, "decision_note"): "", (key, "link_note"): "",
            (key, "cancel_reason"): "", (key, "mail"): ("[erased]", b""), (key, "reminders"): 0,
            (key, "audit_note"): ("", {"note": "", "status": _STATUS[key]})}


_STATUS = {"a1": "rejected", "a2": "withdrawn", "b1": "rejected", "c1": "withdrawn",
           "r1": "rejected"}


def _changes(before: dict, after: dict) -> dict:
    return {k: after[k] for k in before if before[k] != after[k]}


def _calibration(admin, now):
    report = build_calibration(admin, now, "en")
    return ([(row.profile.id, row.calibration) for row in report.interviewers],
            [row.agreement for row in report.criteria], report.sheet_count)


def test_the_run_anonymises_exactly_what_has_expired_at_each_instant(app, db, world):
    before = _fields(db, world)
    calibration_before = _calibration(world.admin, NOW)
    assert calibration_before[2] == 16 and calibration_before[0]

    plan = retention_plan(NOW)
    db.session.rollback()
    assert {i.application_id for i in plan.applications} == {
        world.apps[k].id for k in ("a1", "a2", "b1", "c1")}
    assert plan.candidate_ids == [world.candidates["expired_twice"].id]

    assert apply_retention(NOW) == {"applications": 4, "candidates": 1}
    after = _fields(db, world)
    expected = {}
    for key in ("a1", "a2", "b1", "c1"):
        expected |= _scrubbed(key)
    expected["expired_twice", "identity"] = (
        "[erased]", f"erased-{world.candidates['expired_twice'].id}@erased.invalid", "")
    assert _changes(before, after) == expected
    # Scores, statuses and every calibration figure stay.
    assert _calibration(world.admin, NOW) == calibration_before

    # Nothing more until "recent" expires: one day later it does, and with it their identity.
    assert apply_retention(NOW + DAY / 2) == {"applications": 0, "candidates": 0}
    later = NOW + DAY + timedelta(minutes=1)
    plan = retention_plan(later)
    db.session.rollback()
    assert [i.application_id for i in plan.applications] == [world.apps["r1"].id]
    assert plan.candidate_ids == [world.candidates["recent"].id]
    assert apply_retention(later) == {"applications": 1, "candidates": 1}
    final = _fields(db, world)
    assert set(_changes(after, final)) == set(_scrubbed("r1")) | {("recent", "identity")}
    # Never: the open candidate's and the hired candidate's identities, the open application,
    # the one inside its 365 days, the hired one.
    for key in ("one_of_two", "open", "hired"):
        assert final[key, "identity"] == before[key, "identity"]
    for key in ("b2", "c2", "h1"):
        assert {k: v for k, v in final.items() if k[0] == key} == \
            {k: v for k, v in before.items() if k[0] == key}
    # Even a year on, while those stay open or hired.
    assert apply_retention(NOW + 3 * 365 * DAY)["candidates"] == 1  # only one_of_two's b2 ends
    final = _fields(db, world)
    assert final["open", "identity"] == before["open", "identity"]
    assert final["hired", "identity"] == before["hired", "identity"]
    assert _calibration(world.admin, NOW) == calibration_before


def test_the_report_command_lists_the_next_run_without_changing_anything(app, db, world):
    result = CliRunner().invoke(app.cli, ["retention", "report", "--now", NOW.isoformat()],
                                catch_exceptions=False)
    lines = result.output.splitlines()
    assert "applications to anonymise: 4" in lines
    assert "candidates whose name, email and phone go: 1" in lines
    assert f"  candidate {world.candidates['expired_twice'].id}" in lines
    assert any(line.startswith(f"  application {world.apps['b1'].id} ") for line in lines)
    assert "Person" not in result.output  # the report itself names nobody
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.anonymised_at.is_not(None))) == 0


def test_two_job_workers_released_together_anonymise_each_piece_once(app, db, world):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results.append(apply_retention(NOW))
                _db.session.remove()
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r["applications"] for r in results) == 4
    assert sum(r["candidates"] for r in results) == 1
    db.session.expire_all()
    events = db.session.execute(sa.select(AuditEvent.action, sa.func.count()).where(
        AuditEvent.action.in_(("application.anonymised", "candidate.anonymised")))
        .group_by(AuditEvent.action)).all()
    assert dict(events) == {"application.anonymised": 4, "candidate.anonymised": 1}


def test_a_namesake_candidate_and_a_namesake_colleague_keep_their_names(app, db):
    from scheduler.services.anonymisation import anonymise_candidate

    leaving, staying = f.make_candidate(name="王伟"), f.make_candidate(name="王伟")
    colleague = f.make_user(name="王伟")
    f.make_audit_event(object_type="application", object_id=1, note="王伟 called back")
    db.session.commit()
    anonymise_candidate(leaving, NOW)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Candidate, leaving.id).name == "[erased]"
    assert db.session.get(Candidate, staying.id).name == "王伟"
    assert _db.session.get(type(colleague), colleague.id).name == "王伟"
    # Free text elsewhere cannot tell the two apart: it is replaced (README says so).
    assert db.session.scalar(sa.select(AuditEvent.note)) == "[erased] called back"
