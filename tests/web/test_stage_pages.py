"""An opening's stages on the coordinator's pages: add and edit with every bad value answered
beside its field and nothing saved, move up and down without JavaScript, remove (refused while
applications or coming interviews are there; archived when past interviews refer to it), and
the loop as data: the application page's loop option and the links follow the opening's flag."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, StageTemplate
from tests import factories as f
from tests.clock import NOW
from tests.web.helpers import NOT_SIGN_IN, audit_trail, post_form, sign_in

PASSWORD = "correct horse battery staple"

GOOD_STAGE = {
    "name_zh": "技术面试", "name_en": "Technical interview", "kind": "system_design",
    "mode": "video", "duration_minutes": "60", "panel_size": "2", "required_level": "qualified",
    "is_senior_seat_required": "y", "buffer_before_minutes": "10", "buffer_after_minutes": "5",
    "min_notice_minutes": "1440", "horizon_days": "21", "step_minutes": "30",
    "candidate_day_start": "08:00", "candidate_day_end": "21:00",
    "reschedule_cutoff_hours": "24", "feedback_due_hours": "24", "sla_days": "",
    "description_zh": "", "description_en": "Design a system.",
}
# An offer leaves duration and panel empty; feedback hours typed anyway are cleared.
OFFER = GOOD_STAGE | {"name_zh": "发放Offer", "name_en": "Offer", "kind": "offer",
                      "mode": "online", "duration_minutes": "", "panel_size": "",
                      "is_senior_seat_required": "", "feedback_due_hours": "24", "sla_days": "14"}


def _coordinator(client, db, language="en"):
    user = f.make_user(email="lin@example.com", roles=("coordinator",), password=PASSWORD,
                       language=language)
    db.session.commit()
    assert sign_in(client, "lin@example.com", PASSWORD).status_code == 302
    return user


def _stages(db, requisition) -> list[tuple[int, str]]:
    db.session.expire_all()
    return [(s.position, s.name_en) for s in requisition.stages]


def test_add_a_stage_then_an_offer_then_edit(client, db):
    requisition = f.make_requisition(stages=[dict(kind="phone_screen", name_en="Phone")])
    me = _coordinator(client, db)
    url = f"/coordinator/openings/{requisition.id}/stages/new"
    page = client.get(url).text
    # The form starts from the model's defaults: 60 minutes, a panel of 1, 08:00–21:00.
    assert 'name="duration_minutes" type="text" value="60"' in page or 'value="60"' in page
    assert 'value="08:00"' in page and 'value="21:00"' in page
    assert "No rubric" in page  # a new stage names no rubric until one is chosen
    assert post_form(client, url, GOOD_STAGE).status_code == 302
    assert post_form(client, url, OFFER).status_code == 302
    assert _stages(db, requisition) == [(1, "Phone"), (2, "Technical interview"), (3, "Offer")]
    design, offer = requisition.stages[1:]
    assert (design.panel_size, design.is_senior_seat_required, design.buffer_before_minutes,
            design.feedback_due_hours, design.sla_days) == (2, True, 10, 24, None)
    assert (offer.duration_minutes, offer.panel_size, offer.feedback_due_hours,
            offer.sla_days) == (0, 0, None, 14)
    edit = f"/coordinator/openings/{requisition.id}/stages/{design.id}"
    assert 'value="Technical interview"' in client.get(edit).text
    response = post_form(client, edit, GOOD_STAGE | {"duration_minutes": "75",
                                                     "candidate_day_start": "07:30"})
    assert response.status_code == 302
    db.session.expire_all()
    assert design.duration_minutes == 75 and design.candidate_day_start.strftime("%H:%M") == "07:30"
    events = audit_trail(db)
    assert [(e.action, e.object_id, e.actor_user_id) for e in events] == [
        ("stage.created", design.id, me.id), ("stage.created", offer.id, me.id),
        ("stage.updated", design.id, me.id)]
    assert (events[2].before["duration_minutes"], events[2].after["duration_minutes"]) == (60, 75)


BAD_STAGES = [
    (GOOD_STAGE | {"name_en": " "}, "name_en", "Give the stage a name."),
    (GOOD_STAGE | {"candidate_day_start": "21:00", "candidate_day_end": "08:00"},
     "candidate_day_end", "The candidate's hours must start before they end."),
    (GOOD_STAGE | {"candidate_day_end": "25:00"}, "candidate_day_end", "Not a valid time value"),
    (GOOD_STAGE | {"panel_size": "0", "is_senior_seat_required": ""}, "panel_size",
     "This kind of interview needs a panel of at least one interviewer."),
    (GOOD_STAGE | {"panel_size": "9"}, "panel_size", "Enter a whole number from 0 to 6."),
    (GOOD_STAGE | {"duration_minutes": ""}, "duration_minutes",
     "Enter a whole number from 5 to 480."),
    (GOOD_STAGE | {"duration_minutes": "abc"}, "duration_minutes", "Not a valid integer value"),
    (GOOD_STAGE | {"buffer_after_minutes": "-5"}, "buffer_after_minutes",
     "Enter a whole number from 0 to 120."),
    (GOOD_STAGE | {"horizon_days": "1", "min_notice_minutes": "2880"}, "horizon_days",
     "The booking horizon must reach past the minimum notice."),
    (GOOD_STAGE | {"feedback_due_hours": "0"}, "feedback_due_hours",
     "Enter a whole number from 1 to 336."),
    (GOOD_STAGE | {"sla_days": "14"}, "sla_days", "Only an offer stage has an SLA"),
    (GOOD_STAGE | {"step_minutes": "7"}, "step_minutes", "Not a valid choice"),
    (GOOD_STAGE | {"kind": "lunch"}, "kind", "Not a valid choice"),
    (OFFER | {"duration_minutes": "30"}, "duration_minutes",
     "An offer is not an interview: leave the duration at 0."),
    (OFFER | {"panel_size": "1"}, "panel_size", "An offer has no panel: leave it at 0."),
    (OFFER | {"sla_days": ""}, "sla_days", "Give the number of days within which the offer"),
]


@pytest.mark.parametrize("data, field, message", BAD_STAGES,
                         ids=[f"{field}-{n}" for n, (_, field, _m) in enumerate(BAD_STAGES)])
def test_a_bad_stage_is_answered_beside_its_field_and_nothing_is_saved(
        client, db, data, field, message):
    requisition = f.make_requisition(stages=[dict(kind="phone_screen", name_en="Phone")])
    stage = requisition.stages[0]
    _coordinator(client, db)
    for url in (f"/coordinator/openings/{requisition.id}/stages/new",
                f"/coordinator/openings/{requisition.id}/stages/{stage.id}"):
        response = post_form(client, url, data)
        assert response.status_code == 200, url
        errors = re.search(rf'id="{field}-errors">(.*?)</ul>', response.text, re.S)
        assert errors and message in html.unescape(errors.group(1)), (url, response.text[-3000:])
    assert _stages(db, requisition) == [(1, "Phone")]
    assert stage.kind == "phone_screen"
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(NOT_SIGN_IN)) == 0


def _three_stages():
    return f.make_requisition(stages=[
        dict(kind="phone_screen", name_en="Phone"),
        dict(kind="system_design", name_en="Design", panel_size=2),
        dict(kind="project_deep_dive", name_en="Deep dive"),
    ])


def test_stages_move_up_and_down_with_plain_buttons(client, db):
    requisition = _three_stages()
    phone, design, deep_dive = requisition.stages
    _coordinator(client, db)
    page_url = f"/coordinator/openings/{requisition.id}"
    page = client.get(page_url).text
    # Plain forms: the first stage cannot go up, the last cannot go down.
    assert page.count('name="direction" value="up"') == 3
    assert re.search(r'aria-label="Move up: Phone"[^>]*disabled', page)
    move = f"/coordinator/openings/{requisition.id}/stages/{deep_dive.id}/move"
    assert post_form(client, move, {"direction": "up"}, page_url=page_url).status_code == 302
    assert _stages(db, requisition) == [(1, "Phone"), (2, "Deep dive"), (3, "Design")]
    assert post_form(client, move, {"direction": "up"}, page_url=page_url).status_code == 302
    assert _stages(db, requisition) == [(1, "Deep dive"), (2, "Phone"), (3, "Design")]
    refused = post_form(client, move, {"direction": "up"}, page_url=page_url,
                        follow_redirects=True)
    assert "Stage 1 cannot move further that way." in refused.text
    assert _stages(db, requisition) == [(1, "Deep dive"), (2, "Phone"), (3, "Design")]
    moves = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "stage.moved")
                               .order_by(AuditEvent.id)).all()
    assert [(e.before, e.after) for e in moves] == [
        ({"position": 3}, {"position": 2}), ({"position": 2}, {"position": 1})]


def test_a_stage_in_a_loop_does_not_move_or_lose_its_panel(client, db):
    requisition = _three_stages()
    phone, design, deep_dive = requisition.stages
    design.is_looped_with_next = True
    _coordinator(client, db)
    page_url = f"/coordinator/openings/{requisition.id}"
    move = f"/coordinator/openings/{requisition.id}/stages/{phone.id}/move"
    refused = post_form(client, move, {"direction": "down"}, page_url=page_url,
                        follow_redirects=True)
    assert "Stage 2 is part of a loop: take it out of the loop first." in refused.text
    assert _stages(db, requisition) == [(1, "Phone"), (2, "Design"), (3, "Deep dive")]
    edit = f"/coordinator/openings/{requisition.id}/stages/{deep_dive.id}"
    response = post_form(client, edit, GOOD_STAGE | {"kind": "coding_test", "panel_size": "0",
                                                     "is_senior_seat_required": ""})
    errors = re.search(r'id="panel_size-errors">(.*?)</ul>', response.text, re.S).group(1)
    assert "Stage 3 is booked in a loop" in errors
    db.session.expire_all()
    assert deep_dive.kind == "project_deep_dive"


def test_removing_a_stage_is_refused_while_applications_are_there(client, db):
    requisition = _three_stages()
    phone, design, _ = requisition.stages
    for _n in range(2):
        f.make_application(requisition=requisition, current_stage=design)
    f.make_application(requisition=requisition, current_stage=design, status="rejected")
    _coordinator(client, db)
    url = f"/coordinator/openings/{requisition.id}/stages/{design.id}/remove"
    assert "Applications still at this stage: 2." in client.get(url).text
    response = post_form(client, url, {}, follow_redirects=True)
    assert "Applications still at this stage: 2." in response.text
    assert _stages(db, requisition) == [(1, "Phone"), (2, "Design"), (3, "Deep dive")]
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(NOT_SIGN_IN)) == 0


def test_a_stage_with_a_coming_interview_stays(client, db):
    requisition = _three_stages()
    phone = requisition.stages[0]
    application = f.make_application(requisition=requisition, current_stage=requisition.stages[1])
    f.make_interview(application, stage=phone, start_at=NOW + timedelta(days=3))
    _coordinator(client, db)
    url = f"/coordinator/openings/{requisition.id}/stages/{phone.id}/remove"
    response = post_form(client, url, {}, follow_redirects=True)
    assert "Interviews of this stage still to come: 1." in response.text
    assert len(_stages(db, requisition)) == 3


def test_a_stage_with_past_interviews_is_archived_and_one_without_is_deleted(client, db):
    requisition = _three_stages()
    phone, design, deep_dive = requisition.stages
    application = f.make_application(requisition=requisition, current_stage=design)
    past = f.make_interview(application, stage=phone, start_at=NOW - timedelta(days=3),
                            status="completed")
    _coordinator(client, db)
    url = f"/coordinator/openings/{requisition.id}/stages/{phone.id}/remove"
    assert "kept so that their history stays whole" in client.get(url).text
    assert post_form(client, url, {}).status_code == 302
    assert _stages(db, requisition) == [(1, "Design"), (2, "Deep dive")]
    db.session.expire_all()
    assert phone.archived_at == NOW and past.stage.name_en == "Phone"
    page = client.get(f"/coordinator/openings/{requisition.id}").text
    assert "Removed stages kept for history" in page
    # The interview's history still names its stage.
    assert "Phone" in client.get(f"/coordinator/applications/{application.id}").text
    # An archived stage cannot be edited, moved or removed again.
    assert client.get(f"/coordinator/openings/{requisition.id}/stages/{phone.id}").status_code == 404
    deep_dive_id = deep_dive.id
    url = f"/coordinator/openings/{requisition.id}/stages/{deep_dive_id}/remove"
    assert "Nothing refers to this stage yet: it is deleted." in client.get(url).text
    assert post_form(client, url, {}).status_code == 302
    assert _stages(db, requisition) == [(1, "Design")]
    assert db.session.get(StageTemplate, deep_dive_id) is None
    assert [e.action for e in audit_trail(db)] == ["stage.archived", "stage.deleted"]
