"""One candidate never holds two interviews at once (issue 14 item 9).

The slot search leaves out times that overlap the candidate's own live interviews (other stages,
other applications; a move leaves out the interview being moved), and booking refuses such a
time with `candidate_busy`, naming the interview it clashes with. Touching times are fine.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import Candidate, Interview
from scheduler.services.booking import (
    BookingError, book_interview, cancel_interview, reschedule_interview,
)
from scheduler.services.link_booking import LinkBookingError, book_from_link
from scheduler.services.links import create_link
from scheduler.services.slot_search import check_booking, find_slots
from tests import factories as f
from tests.services.booking_setup import WORKDAY_10, booking_world

MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
TWO_STAGES = [
    dict(kind="system_design", duration_minutes=60, panel_size=1, step_minutes=15,
         min_notice_minutes=0, horizon_days=14, is_looped_with_next=True),
    dict(kind="project_deep_dive", name_en="Project deep dive", name_zh="项目经验",
         duration_minutes=60, panel_size=1, step_minutes=15, min_notice_minutes=0,
         horizon_days=14),
]


@pytest.fixture
def world(db):
    """Alice, Bob and Carol (both kinds); one candidate applying with two interview stages."""
    people, requisition, [application] = booking_world(interviewers=3, stages=TWO_STAGES)
    return people, list(requisition.stages), application


def _starts(application, stages, now, **kw):
    return {s.start_at for s in find_slots(application, stages, now, **kw).slots}


def test_booking_a_second_stage_over_the_first_is_refused_naming_the_first(db, now, world):
    (alice, bob, _), (design, deep_dive), application = world
    first = book_interview("test", application, design, WORKDAY_10, [alice.id], now)
    db.session.commit()
    with pytest.raises(BookingError) as info:
        book_interview("test", application, deep_dive, WORKDAY_10 + 30 * MIN, [bob.id], now)
    db.session.rollback()
    assert info.value.code == "candidate_busy"
    assert info.value.params == dict(interview_id=first.id, stage_id=design.id,
                                     start_at=WORKDAY_10, end_at=WORKDAY_10 + HOUR)
    assert db.session.scalars(sa.select(Interview.stage_id)).all() == [design.id]
    # Back to back is no overlap ([start, end)): the second stage can follow the first.
    second = book_interview("test", application, deep_dive, WORKDAY_10 + HOUR, [bob.id], now)
    db.session.commit()
    assert (second.start_at, second.end_at) == (WORKDAY_10 + HOUR, WORKDAY_10 + 2 * HOUR)


def test_booking_takes_the_candidates_lock(db, now, world):
    (alice, *_), (design, _), application = world
    before = db.session.get(Candidate, application.candidate_id).lock_version
    book_interview("test", application, design, WORKDAY_10, [alice.id], now)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Candidate, application.candidate_id).lock_version == before + 1


def test_the_slot_search_leaves_out_the_candidates_own_interviews(db, now, world):
    (alice, bob, _), (design, deep_dive), application = world
    before = _starts(application, [deep_dive], now)
    clashing = {WORKDAY_10 + n * 15 * MIN for n in range(-3, 4)}  # 09:15 … 10:45 start
    assert clashing <= before
    book_interview("test", application, design, WORKDAY_10, [alice.id], now)
    db.session.commit()
    after = _starts(application, [deep_dive], now)
    # Bob and Carol are still free then: only the candidate's own interview takes those times.
    assert after == before - clashing
    assert {WORKDAY_10 - HOUR, WORKDAY_10 + HOUR} <= after
    assert [p.code for p in check_booking(application, [deep_dive], WORKDAY_10 + 30 * MIN,
                                          [[bob.id]], now)] == ["candidate_busy"]
    # Cancelled interviews free the candidate's time again.
    cancel_interview("test", db.session.scalars(sa.select(Interview)).one(), now)
    db.session.commit()
    assert _starts(application, [deep_dive], now) == before


def test_a_move_ignores_the_interview_being_moved_but_not_the_others(db, now, world):
    (alice, bob, _), (design, deep_dive), application = world
    first = book_interview("test", application, design, WORKDAY_10, [alice.id], now)
    second = book_interview("test", application, deep_dive, WORKDAY_10 + 2 * HOUR, [bob.id], now)
    db.session.commit()
    moving = _starts(application, [design], now, exclude_interview_ids=[first.id])
    assert WORKDAY_10 + 30 * MIN in moving             # overlaps only its own old time
    assert WORKDAY_10 + 2 * HOUR + 30 * MIN not in moving  # overlaps the deep dive
    with pytest.raises(BookingError) as info:
        reschedule_interview("test", first, WORKDAY_10 + 2 * HOUR + 30 * MIN, now)
    db.session.rollback()
    assert (info.value.code, info.value.params["interview_id"]) == ("candidate_busy", second.id)
    reschedule_interview("test", db.session.get(Interview, first.id), WORKDAY_10 + 30 * MIN, now)
    db.session.commit()
    assert db.session.get(Interview, first.id).start_at == WORKDAY_10 + 30 * MIN


def test_another_application_of_the_same_candidate_counts_other_candidates_do_not(db, now, world):
    (alice, bob, carol), (design, _), application = world
    other_role = f.make_requisition(title_en="Research Scientist", title_zh="研究科学家",
                                    stages=TWO_STAGES[:1])
    same_person = f.make_application(candidate=application.candidate, requisition=other_role)
    someone_else = f.make_application(requisition=other_role)
    db.session.commit()
    book_interview("test", application, design, WORKDAY_10, [alice.id], now)
    db.session.commit()
    with pytest.raises(BookingError) as info:
        book_interview("test", same_person, other_role.stages[0], WORKDAY_10, [bob.id], now)
    db.session.rollback()
    assert info.value.code == "candidate_busy"
    book_interview("test", someone_else, other_role.stages[0], WORKDAY_10, [bob.id], now)
    db.session.commit()


def test_a_link_booking_over_the_candidates_other_interview_says_so(db, now, world):
    (alice, *_), (design, deep_dive), application = world
    coordinator = f.make_user(roles=("coordinator",))
    application.current_stage = deep_dive  # a link is for the current stage (or its loop)
    link, _token = create_link(coordinator, application, [deep_dive], 0, now + 7 * 24 * HOUR, now)
    first = book_interview("test", application, design, WORKDAY_10, [alice.id], now)
    db.session.commit()
    with pytest.raises(LinkBookingError) as info:  # the booking's refusal, in the candidate's words
        book_from_link(link, WORKDAY_10 + 15 * MIN, now)
    db.session.rollback()
    assert (info.value.code, info.value.params["interview_id"]) == ("candidate_busy", first.id)
