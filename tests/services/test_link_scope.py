"""What a scheduling link may cover: the application's current stage alone, or the opening's loop
from it — the loop being data on the opening (a stage's "booked with the next" flag) — and
nothing else; and whom to tell about an opening."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.demo import load_demo
from scheduler.models import Requisition, SchedulingLink
from scheduler.services.booking import booking_refusal, loop_stages
from scheduler.services.links import LinkError, create_link, link_stages, stages_for_link
from scheduler.services.openings import coordinators_to_tell
from scheduler.services.permissions import NotAllowed
from scheduler.services.stages import loops_of, move_stage, remove_stage, set_loops
from tests import factories as f
from tests.services.booking_setup import booking_world

WEEK = timedelta(days=7)
FIVE = [dict(kind=kind, name_en=kind, duration_minutes=45, panel_size=1, min_notice_minutes=0,
             horizon_days=14)
        for kind in ("phone_screen", "system_design", "project_deep_dive", "hr_final",
                     "system_design")]


@pytest.fixture
def five(db):
    """An application at stage 2 of five interview stages, none looped yet."""
    _, requisition, [application] = booking_world(interviewers=2, stages=FIVE)
    application.current_stage = requisition.stages[1]
    coordinator = f.make_user(roles=("coordinator",))
    db.session.commit()
    return requisition, application, coordinator


def test_a_link_for_any_set_of_stages_is_refused(db, now, five):
    requisition, application, coordinator = five
    # The five-stage "loop" a candidate was once offered.
    with pytest.raises(LinkError) as info:
        create_link(coordinator, application, list(requisition.stages), 15, now + WEEK, now)
    assert (info.value.code, info.value.field) == ("not_stage_or_loop", "scope")
    assert "current stage alone, or for the opening's loop" in info.value.message
    for stages in ([requisition.stages[2]], requisition.stages[1:3], requisition.stages[0:2]):
        with pytest.raises(LinkError):
            create_link(coordinator, application, stages, 15, now + WEEK, now)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(SchedulingLink.id))) == 0


def test_the_loop_of_a_link_is_the_openings_loop(db, now, five):
    requisition, application, coordinator = five
    stages = list(requisition.stages)
    with pytest.raises(LinkError) as info:
        stages_for_link(application, as_loop=True)
    assert info.value.code == "no_loop"
    assert stages_for_link(application, as_loop=False) == [stages[1]]
    set_loops(coordinator, requisition, [stages[1].id, stages[2].id], 20, now)
    assert loop_stages(application) == stages[1:4]
    assert loops_of(requisition) == [stages[1:4]]
    link, _ = create_link(coordinator, application, stages_for_link(application, as_loop=True),
                          requisition.loop_break_minutes, now + WEEK, now)
    assert (link.stage_ids, link.break_minutes) == ([s.id for s in stages[1:4]], 20)
    # The flag changes; the loop a new link offers follows.
    set_loops(coordinator, requisition, [stages[1].id], 20, now)
    assert stages_for_link(application, as_loop=True) == stages[1:3]
    with pytest.raises(LinkError):
        create_link(coordinator, application, stages[1:4], 20, now + WEEK, now)
    set_loops(coordinator, requisition, [], 20, now)
    assert loop_stages(application) == []


def test_a_loop_starts_at_the_current_stage(db, now, five):
    requisition, application, coordinator = five
    stages = list(requisition.stages)
    set_loops(coordinator, requisition, [stages[2].id], 15, now)
    assert loop_stages(application) == []  # stage 2 is not in the loop of stages 3 and 4
    application.current_stage = stages[2]
    assert loop_stages(application) == stages[2:4]
    application.current_stage = stages[3]
    assert loop_stages(application) == []


def test_reordering_keeps_positions_unique_and_respects_loops(db, now, five):
    requisition, _, coordinator = five
    first, second, third, fourth, fifth = requisition.stages
    move_stage(coordinator, fifth, "up", now)
    move_stage(coordinator, fifth, "up", now)
    db.session.commit()
    db.session.expire_all()
    assert [s.id for s in requisition.stages] == [first.id, second.id, fifth.id, third.id,
                                                  fourth.id]
    assert [s.position for s in requisition.stages] == [1, 2, 3, 4, 5]


def test_only_coordinators_and_admins_set_up_openings(db, now, five):
    requisition, _, _ = five
    interviewer = f.make_user(roles=("interviewer",))
    with pytest.raises(NotAllowed):
        set_loops(interviewer, requisition, [], 15, now)
    with pytest.raises(NotAllowed):
        move_stage(interviewer, requisition.stages[0], "down", now)


def test_whom_to_tell_is_the_openings_active_coordinators_else_every_coordinator(db):
    lin = f.make_user(roles=("coordinator",), name="Lin")
    max_ = f.make_user(roles=("coordinator", "admin"), name="Max")
    f.make_user(roles=("admin",), name="Ada")  # an admin alone is not told
    gone = f.make_user(roles=("coordinator",), name="Gone", is_active=False)
    requisition = f.make_requisition()
    assert coordinators_to_tell(requisition) == [lin, max_]
    requisition.coordinators = [max_, gone]
    assert coordinators_to_tell(requisition) == [max_]
    requisition.coordinators = [gone]
    assert coordinators_to_tell(requisition) == [lin, max_]


def test_the_demo_loops_stages_3_and_4_and_assigns_its_coordinators(db, now):
    load_demo(now)
    requisition = db.session.scalars(sa.select(Requisition)).one()
    assert [[stage.position for stage in run] for run in loops_of(requisition)] == [[3, 4]]
    assert {user.email for user in requisition.coordinators} == {
        "admin@example.com", "coordinator@example.com"}


def test_an_archived_stage_cannot_be_booked_even_through_an_old_link(db, now, five):
    requisition, application, coordinator = five
    first, second = requisition.stages[:2]
    link = f.make_link(application, [first])  # sent before the application moved on
    f.make_interview(application, stage=first, start_at=now - timedelta(days=2),
                     status="completed")
    remove_stage(coordinator, first, now)
    db.session.commit()
    assert first.archived_at == now and requisition.stages[0] == second
    assert booking_refusal(application, link_stages(link)).code == "stage_not_schedulable"
