"""Each application's state (services/pipeline.py): one case per kind built at NOW, and a fixed
number of statements whatever the number of applications. `expected_kind` says the kind from the
decisions, links and feedback services one question at a time: tests/web/test_application_list.py
holds every demo application's state on the list against it."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import object_session

from scheduler.models import Application, Interview, Requisition
from scheduler.services.decisions import waiting_for
from scheduler.services.links import link_state, links_for_application
from scheduler.services.pipeline import STATE_KINDS, application_states
from tests import factories as f
from tests.services.test_find_slots_queries import counted_statements

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def world(db, now):
    """An opening (system design with a panel of two, a coding test with a reviewer, the offer)
    and two interviewers."""
    requisition = f.make_requisition(stages=[
        {"kind": "system_design", "panel_size": 2, "feedback_due_hours": 24},
        {"kind": "coding_test", "name_en": "Coding test", "panel_size": 0, "mode": "online",
         "duration_minutes": 90},
        {"kind": "offer", "name_en": "Offer", "panel_size": 0, "sla_days": 14}])
    people = [f.make_interviewer(user=f.make_user(name=name)) for name in ("Ann Lee", "Bo Wu")]
    return requisition, people


def _held(application, people, now, *, ended_ago, submitted=(), stage=None, **kw):
    """An interview of the current stage that ended *ended_ago*, with feedback from *submitted*."""
    stage = stage or application.current_stage
    start = now - ended_ago - timedelta(minutes=stage.duration_minutes or 60)
    interview = f.make_interview(application=application, panel=people, start_at=start,
                                 stage=stage, **kw)
    for person in submitted:
        f.make_feedback(interview, person, submitted_at=interview.end_at + HOUR)
    return interview


def test_each_kind_with_its_details(app, db, now, world):
    requisition, (ann, bo) = world
    design, coding, offer = requisition.stages
    apps = {}

    def application(name, **kw):
        apps[name] = f.make_application(requisition=requisition, **kw)
        return apps[name]

    application("fresh")
    f.make_link(application("sent"), created_at=now - 2 * DAY, last_sent_at=now - DAY)
    f.make_link(application("opened"), first_opened_at=now - HOUR)
    f.make_link(application("expired"), created_at=now - 9 * DAY, expires_at=now - 2 * DAY)
    f.make_link(application("revoked"), revoked_at=now - HOUR)
    f.make_link(application("other stage"), stages=[coding])
    booked = f.make_interview(application=application("booked"), panel=[ann, bo],
                              start_at=now + 2 * DAY)
    f.make_interview(application=application("cancelled"), panel=[ann], start_at=now + DAY,
                     status=Interview.CANCELLED)
    under_way = f.make_interview(application=application("under way"), panel=[ann],
                                 start_at=now - 10 * timedelta(minutes=1))
    late = _held(application("late"), [ann, bo], now, ended_ago=2 * DAY, submitted=[ann])
    due = _held(application("due"), [ann, bo], now, ended_ago=HOUR)
    _held(application("all in"), [ann, bo], now, ended_ago=DAY, submitted=[ann, bo])
    _held(application("no-show"), [ann], now, ended_ago=3 * DAY, status=Interview.NO_SHOW)
    _held(application("reviewer owes", current_stage=coding), [], now, ended_ago=HOUR,
          reviewer_id=bo.id)
    _held(application("reviewed", current_stage=coding), [], now, ended_ago=HOUR,
          reviewer_id=bo.id, submitted=[bo])
    application("on hold", status="on_hold")
    for status in ("hired", "rejected", "withdrawn"):
        application(status, status=status)
    application("offer due", current_stage=offer, offer_due_at=now + 2 * DAY + HOUR)
    application("offer late", current_stage=offer, offer_due_at=now - 2 * HOUR)
    application("offer made", current_stage=offer, status="offer", offer_due_at=now + DAY)
    db.session.commit()

    states = application_states(apps.values(), now)
    kinds = {name: states[a.id].kind for name, a in apps.items()}
    assert kinds == {
        "fresh": "needs_scheduling", "sent": "link_sent", "opened": "link_sent",
        "expired": "link_sent", "revoked": "needs_scheduling", "other stage": "needs_scheduling",
        "booked": "booked", "cancelled": "needs_scheduling", "under way": "booked",
        "late": "feedback_pending", "due": "feedback_pending", "all in": "decision_needed",
        "no-show": "needs_scheduling", "reviewer owes": "feedback_pending",
        "reviewed": "decision_needed", "on hold": "on_hold", "hired": "hired",
        "rejected": "rejected", "withdrawn": "withdrawn", "offer due": "offer",
        "offer late": "offer", "offer made": "offer"}
    assert set(kinds.values()) == set(STATE_KINDS)
    state = {name: states[a.id] for name, a in apps.items()}
    assert all(s.stage_id == apps[name].current_stage_id for name, s in state.items())
    assert (state["sent"].link_status, state["sent"].link_sent_at) == ("sent", now - DAY)
    assert (state["opened"].link_status, state["opened"].link_sent_at) == ("opened", now)
    assert state["expired"].link_status == "expired"
    assert state["booked"].interview_start_at == booked.start_at
    assert state["under way"].interview_start_at == under_way.start_at
    assert state["late"].pending == (("Bo Wu", late.end_at + DAY, True),)
    assert state["late"].is_overdue
    assert state["due"].pending == (("Ann Lee", due.end_at + DAY, False),
                                    ("Bo Wu", due.end_at + DAY, False))
    assert not state["due"].is_overdue
    assert [name for name, _due, _late in state["reviewer owes"].pending] == ["Bo Wu"]
    assert (state["offer due"].days_left(now), state["offer due"].is_overdue) == (3, False)
    assert state["offer late"].days_left(now) <= 0 and state["offer late"].is_overdue
    assert state["offer made"].is_offer_made and state["offer made"].days_left(now) is None
    assert state["fresh"].days_left(now) is None


def expected_kind(application: Application, now) -> str:
    """Say an application's kind from the services that answer each question one at a time."""
    stage = application.current_stage
    if application.status != "active":  # each other status is a kind of its own name
        return application.status
    if stage.kind == "offer":
        return "offer"
    taking_place = object_session(application).scalars(sa.select(Interview).where(
        Interview.application_id == application.id, Interview.stage_id == stage.id,
        Interview.status.in_(Interview.TAKING_PLACE))).all()
    if any(i.end_at > now for i in taking_place):
        return "booked"
    if taking_place:
        return "feedback_pending" if waiting_for(application, stage, now).missing \
            else "decision_needed"
    if any(link.stage_ids[0] == stage.id and link_state(link, now) in ("sent", "opened", "expired")
           for link in links_for_application(application)):
        return "link_sent"
    return "needs_scheduling"


def test_states_take_the_same_statements_for_few_and_many(app, db, now, world):
    requisition_id = world[0].id

    def add(count):
        requisition = db.session.get(Requisition, requisition_id)
        offer = requisition.stages[-1]
        for _ in range(count):
            # People of their own: one interviewer's interviews may not overlap.
            ann, bo = f.make_interviewer(), f.make_interviewer()
            f.make_link(f.make_application(requisition=requisition))
            f.make_interview(application=f.make_application(requisition=requisition),
                             panel=[ann], start_at=now + 3 * DAY)
            _held(f.make_application(requisition=requisition), [ann, bo], now, ended_ago=DAY,
                  submitted=[ann])
            f.make_application(requisition=requisition, current_stage=offer,
                               offer_due_at=now + DAY)

    def measure():
        db.session.commit()
        db.session.expunge_all()
        applications = db.session.scalars(sa.select(Application)).all()
        with counted_statements(db) as statements:
            states = application_states(applications, now)
        assert len(states) == len(applications)
        return len(statements)

    add(1)
    few = measure()
    add(12)
    assert measure() == few


def test_every_kind_has_a_label_in_the_pipeline_order():
    from scheduler.i18n import APPLICATION_STATE_LABELS

    assert tuple(APPLICATION_STATE_LABELS) == STATE_KINDS
