"""create_candidate_with_application: what it refuses, what it writes, and that it only flushes."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from scheduler.models import Application, AuditEvent, Candidate
from scheduler.services.candidates import (
    CandidateInputError, create_candidate_with_application, requisitions_with_stages,
)
from tests.factories import make_candidate, make_requisition, make_user


def _create(requisition, now, actor=None, **overrides):
    values = dict(name=" 林美 ", email="Mei.Lin@Example.ORG", phone=" +86 138 0000 1234 ",
                  zone="Asia/Shanghai", language="zh", requisition_id=requisition.id,
                  level="mid") | overrides
    return create_candidate_with_application(actor, now=now, **values)


def test_it_writes_candidate_application_and_audit_event_and_only_flushes(app, db, now):
    requisition = make_requisition(stages=[{}, {"name_en": "Second"}])
    actor = make_user(roles=("coordinator",))
    db.session.commit()
    application = _create(requisition, now, actor=actor)
    candidate = application.candidate
    assert (candidate.name, candidate.email, candidate.phone) == \
        ("林美", "Mei.Lin@example.org", "+86 138 0000 1234")  # the domain part is normalised
    assert application.current_stage is requisition.stages[0]
    assert (application.created_at, application.updated_at, candidate.created_at) == (now,) * 3
    event = db.session.scalar(sa.select(AuditEvent))
    assert (event.action, event.actor_user_id, event.object_type, event.object_id) == \
        ("application.created", actor.id, "application", application.id)
    db.session.rollback()  # nothing was committed by the service
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 0


@pytest.mark.parametrize("overrides, field", [
    ({"name": "   "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"email": "mei.lin@"}, "email"),
    ({"email": ""}, "email"),
    ({"phone": "1" * 41}, "phone"),
    ({"zone": "Asia/Beijing"}, "zone"),
    ({"zone": ""}, "zone"),
    ({"language": "fr"}, "language"),
    ({"requisition_id": None}, "requisition_id"),
    ({"requisition_id": 999_999}, "requisition_id"),
    ({"level": "principal"}, "level"),
])
def test_each_bad_field_is_named_and_nothing_is_added(app, db, now, overrides, field):
    requisition = make_requisition()
    with pytest.raises(CandidateInputError) as raised:
        _create(requisition, now, **overrides)
    assert [refusal.field for refusal in raised.value.refusals] == [field]
    assert all(refusal.message for refusal in raised.value.refusals)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_a_closed_requisition_is_refused(app, db, now):
    with pytest.raises(CandidateInputError) as raised:
        _create(make_requisition(is_open=False), now)
    assert [refusal.field for refusal in raised.value.refusals] == ["requisition_id"]


def test_an_email_already_on_file_is_refused_whatever_its_case(app, db, now):
    make_candidate(email="mei.lin@example.org")
    with pytest.raises(CandidateInputError) as raised:
        _create(make_requisition(), now, email="MEI.LIN@example.org")
    assert [refusal.field for refusal in raised.value.refusals] == ["email"]


def test_several_errors_are_reported_together(app, db, now):
    with pytest.raises(CandidateInputError) as raised:
        _create(make_requisition(), now, email="bad", zone="Nowhere/City", level="x")
    assert {refusal.field for refusal in raised.value.refusals} == {"email", "zone", "level"}


def test_the_requisitions_open_ones_first(app, db, now):
    make_requisition(title_en="Closed role", is_open=False)
    make_requisition(title_en="Open role")
    assert [r.title_en for r in requisitions_with_stages()] == ["Open role", "Closed role"]
    assert [r.title_en for r in requisitions_with_stages(only_open=True)] == ["Open role"]
