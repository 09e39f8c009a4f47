"""Least access as queries (issue 24 item 4), on SQLite and PostgreSQL: whose applications each
person sees (`permissions.visible_applications` and the questions built on it), which board
interviews may name their candidate, which failed mail a coordinator sees, and that whom the
notifications tell about an opening is whom it shows its candidates to.

An opening with no active coordinator is every coordinator's: `openings.coordinators_to_tell`
tells them all about it, and the cross-border consent names them all.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.extensions import db as _db
from scheduler.models import Application, OutboxMessage
from scheduler.services import permissions
from scheduler.services.openings import coordinators_to_tell, openings_seen_by
from scheduler.services.pipeline import ApplicationCriteria, search_applications
from tests import factories as f
from tests.clock import NOW


@pytest.fixture
def people(db):
    office = f.make_office()
    lin = f.make_user(roles=("coordinator",), name="Lin")
    max_ = f.make_user(roles=("coordinator",), name="Max")
    ada = f.make_user(roles=("admin",), name="Ada")
    gone = f.make_user(roles=("coordinator",), name="Gone", is_active=False)
    ivan = f.make_interviewer(office=office)
    reviewer = f.make_interviewer(office=office)
    # Both a coordinator (of B) and an interviewer (on one of A's interviews).
    both_user = f.make_user(roles=("coordinator", "interviewer"), name="Both")
    both = f.make_interviewer(office=office, user=both_user)
    a, b = f.make_requisition(title_en="A"), f.make_requisition(title_en="B")
    orphan = f.make_requisition(title_en="Nobody's")        # no coordinator at all
    left = f.make_requisition(title_en="Left")              # its coordinator left
    f.coordinate(lin, a)
    f.coordinate(max_, b)
    f.coordinate(both_user, b)
    f.coordinate(gone, left)
    apps = {name: f.make_application(requisition=req)
            for name, req in (("a1", a), ("a2", a), ("b1", b), ("orphan", orphan),
                              ("left", left))}
    on_a1 = f.make_interview(apps["a1"], [ivan, both], NOW + timedelta(days=2))
    reviewed = f.make_interview(apps["a2"], [], NOW + timedelta(days=3), reviewer_id=reviewer.id)
    on_b1 = f.make_interview(apps["b1"], [ivan], NOW + timedelta(days=4))
    _db.session.commit()
    return dict(lin=lin, max=max_, ada=ada, ivan=ivan, reviewer=reviewer, both=both_user,
                a=a, b=b, orphan=orphan, left=left, apps=apps, on_a1=on_a1, reviewed=reviewed,
                on_b1=on_b1)


def _seen(people, user) -> set[str]:
    """Return the names of the world's applications *user* sees."""
    ids = set(_db.session.scalars(sa.select(Application.id).where(
        permissions.visible_applications(user))))
    return {name for name, app in people["apps"].items() if app.id in ids}


@pytest.fixture
def seen(people):
    return lambda user: _seen(people, user)


def test_each_person_sees_the_applications_least_access_allows(people, seen):
    assert seen(people["ada"]) == {"a1", "a2", "b1", "orphan", "left"}
    # Their own openings, and the openings with no active coordinator.
    assert seen(people["lin"]) == {"a1", "a2", "orphan", "left"}
    assert seen(people["max"]) == {"b1", "orphan", "left"}
    # An interviewer: the applications of the interviews they sit on (or review).
    assert seen(people["ivan"].user) == {"a1", "b1"}
    assert seen(people["reviewer"].user) == {"a2"}
    # Several roles add up.
    assert seen(people["both"]) == {"a1", "b1", "orphan", "left"}


def test_a_seat_given_up_no_longer_shows_the_application(people, seen, db):
    seat = next(s for s in people["on_b1"].assignments
                if s.interviewer_id == people["ivan"].id)
    seat.is_active = False
    db.session.commit()
    assert seen(people["ivan"].user) == {"a1"}


def test_the_questions_about_one_object_agree_with_the_filter(people):
    lin, max_, apps = people["lin"], people["max"], people["apps"]
    assert permissions.can_see_application(lin, apps["a1"])
    assert not permissions.can_see_application(max_, apps["a1"])
    assert permissions.coordinates(lin, people["a"]) and not permissions.coordinates(
        max_, people["a"])
    assert permissions.coordinates(max_, people["orphan"])
    assert permissions.coordinates(people["ada"], people["a"])
    assert permissions.can_see_candidate(lin, apps["a1"].candidate)
    assert not permissions.can_see_candidate(max_, apps["a1"].candidate)
    assert permissions.can_change_coordinators(lin, people["a"])
    assert not permissions.can_change_coordinators(max_, people["a"])
    assert permissions.can_change_coordinators(people["ada"], people["a"])
    assert [r.title_en for r in openings_seen_by(max_)] == ["B", "Left", "Nobody's"]


def test_a_candidate_of_two_openings_is_seen_by_both_but_exported_by_those_who_see_both(
        people, db):
    candidate = people["apps"]["a1"].candidate
    f.make_application(candidate=candidate, requisition=people["b"])
    db.session.commit()
    assert permissions.can_see_candidate(people["max"], candidate)
    assert not permissions.can_export_all_of(people["max"], candidate)
    assert not permissions.can_export_all_of(people["lin"], candidate)
    assert permissions.can_export_all_of(people["ada"], candidate)
    assert not permissions.can_export_all_of(people["ivan"].user, candidate)


def test_the_list_searches_only_the_visible_applications(people, now):
    found = search_applications(people["max"], ApplicationCriteria(), now)
    assert {row.application.id for row in found.rows} == {
        people["apps"][name].id for name in ("b1", "orphan", "left")}
    assert found.total == 3


def test_board_interviews_name_their_candidate_only_to_those_who_see_it(people):
    interviews = [people["on_a1"], people["reviewed"], people["on_b1"]]
    assert permissions.named_interviews(people["max"], interviews) == {people["on_b1"].id}
    assert permissions.named_interviews(people["lin"], interviews) == {
        people["on_a1"].id, people["reviewed"].id}
    assert permissions.named_interviews(people["ada"], interviews) == {i.id for i in interviews}


def test_failed_mail_about_another_openings_candidate_is_not_shown(people, db):
    a1, b1 = people["apps"]["a1"], people["apps"]["b1"]
    about_a = f.make_outbox_message(to_addr=a1.candidate.email, failed_at=NOW,
                                    interview_id=people["on_a1"].id)
    to_a = f.make_outbox_message(to_addr=a1.candidate.email, failed_at=NOW)
    to_b = f.make_outbox_message(to_addr=b1.candidate.email, failed_at=NOW,
                                 interview_id=people["on_b1"].id)
    staff = f.make_outbox_message(to_addr="someone@example.com", failed_at=NOW)
    db.session.commit()

    def shown(user):
        return set(db.session.scalars(sa.select(OutboxMessage.id).where(
            permissions.visible_messages(user))))

    assert shown(people["max"]) == {to_b.id, staff.id}
    assert shown(people["lin"]) == {about_a.id, to_a.id, staff.id}
    assert shown(people["ada"]) >= {about_a.id, to_a.id, to_b.id, staff.id}


def test_whom_notifications_tell_is_whom_the_opening_shows_its_candidates(people):
    coordinators = [people["lin"], people["max"], people["both"]]
    for requisition in (people["a"], people["b"], people["orphan"], people["left"]):
        told = set(coordinators_to_tell(requisition))
        assert told == {user for user in coordinators
                        if permissions.coordinates(user, requisition)}, requisition.title_en
