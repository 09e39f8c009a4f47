"""A stage names its rubric where openings are edited: the stage form offers the latest version
of each rubric, refuses one that scores another kind of stage (and any on an offer) beside the
field with nothing saved, audits the change like the other stage fields, and the opening's page
shows each stage's rubric."""
from __future__ import annotations

import re

import sqlalchemy as sa

from scheduler.models import AuditEvent
from tests import factories as f
from tests.web.helpers import NOT_SIGN_IN, post_form, sign_in
from tests.web.test_stage_pages import GOOD_STAGE, OFFER, PASSWORD


def _rubric_options(page: str) -> list[tuple[str, bool]]:
    """Return the rubric select's options as (value, is_selected)."""
    select = re.search(r'<select[^>]*id="rubric_id".*?</select>', page, re.S).group(0)
    return [(value, "selected" in attrs) for attrs, value in
            re.findall(r'<option([^>]*?)value="([^"]*)"', select)]


def _setup(client, db):
    """An opening with a system-design stage and an offer, three rubrics (two versions of the
    design one) and a signed-in coordinator."""
    requisition = f.make_requisition(stages=[dict(kind="system_design", name_en="Design"),
                                             dict(kind="offer", name_en="Offer", panel_size=0,
                                                  duration_minutes=0, sla_days=14,
                                                  feedback_due_hours=None)])
    old = f.make_rubric(code="design", version=1, name_en="Design rubric")
    design = f.make_rubric(code="design", version=2, name_en="Design rubric")
    deep_dive = f.make_rubric(code="deep", version=1, stage_kind="project_deep_dive",
                              name_en="Deep-dive rubric")
    me = f.make_user(email="lin@example.com", roles=("coordinator",), password=PASSWORD,
                     language="en")
    db.session.commit()
    assert sign_in(client, "lin@example.com", PASSWORD).status_code == 302
    return requisition, old, design, deep_dive, me


def test_choose_a_rubric_for_a_stage(client, db):
    requisition, old, design, deep_dive, me = _setup(client, db)
    stage = requisition.stages[0]
    edit = f"/coordinator/openings/{requisition.id}/stages/{stage.id}"
    page = client.get(edit).text
    # The latest version of each code is offered, labelled with the kind it scores.
    assert _rubric_options(page) == [("", True), (str(deep_dive.id), False),
                                     (str(design.id), False)]
    assert "Design rubric · System design" in page
    assert post_form(client, edit, GOOD_STAGE | {"rubric_id": str(design.id)}).status_code == 302
    db.session.expire_all()
    assert stage.rubric_id == design.id
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "stage.updated")).one()
    assert (event.actor_user_id, event.before["rubric_id"], event.after["rubric_id"]) == (
        me.id, None, design.id)
    opening = client.get(f"/coordinator/openings/{requisition.id}").text
    assert "Rubric: Design rubric, version 2" in opening
    # A stage on an older version shows (and offers as chosen) the latest of its code.
    stage.rubric_id = old.id
    db.session.commit()
    assert (str(design.id), True) in _rubric_options(client.get(edit).text)
    assert "Rubric: Design rubric, version 2" in client.get(
        f"/coordinator/openings/{requisition.id}").text


def test_a_new_stage_names_its_rubric(client, db):
    requisition, _old, _design, deep_dive, _me = _setup(client, db)
    url = f"/coordinator/openings/{requisition.id}/stages/new"
    details = GOOD_STAGE | {"kind": "project_deep_dive", "rubric_id": str(deep_dive.id)}
    assert post_form(client, url, details).status_code == 302
    db.session.expire_all()
    assert requisition.stages[-1].rubric_id == deep_dive.id
    created = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "stage.created")).one()
    assert created.after["rubric_id"] == deep_dive.id


def test_a_rubric_for_another_kind_is_refused_beside_its_field(client, db):
    requisition, _old, design, deep_dive, _me = _setup(client, db)
    stage, offer = requisition.stages
    edit = f"/coordinator/openings/{requisition.id}/stages/{stage.id}"
    response = post_form(client, edit, GOOD_STAGE | {"rubric_id": str(deep_dive.id),
                                                     "duration_minutes": "75"})
    assert response.status_code == 200
    assert 'id="rubric_id-errors"' in response.text
    assert "This rubric scores another kind of stage" in response.text
    offer_edit = f"/coordinator/openings/{requisition.id}/stages/{offer.id}"
    response = post_form(client, offer_edit, OFFER | {"rubric_id": str(design.id)})
    assert response.status_code == 200
    assert "An offer has no interview, so no rubric." in response.text
    db.session.expire_all()
    assert (stage.rubric_id, stage.duration_minutes, offer.rubric_id) == (None, 60, None)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(NOT_SIGN_IN)) == 0
    assert "No rubric yet" in client.get(f"/coordinator/openings/{requisition.id}").text
