"""The "Send link" form: two choices — the current stage alone (the default) or the opening's
loop, offered only when there is one — no box the browser would require, and the server
refusing anything else with a clear message; the loop follows the opening's data."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from scheduler.models import SchedulingLink, User
from tests import factories as f
from tests.services.booking_setup import booking_world
from tests.web.helpers import post_form, sign_in

PASSWORD = "correct horse battery staple"
STAGES = [dict(kind=kind, name_en=name, duration_minutes=45, panel_size=1, min_notice_minutes=0,
               horizon_days=14)
          for kind, name in (("phone_screen", "Phone screen"), ("system_design", "System design"),
                             ("project_deep_dive", "Project deep dive"), ("hr_final", "HR final"),
                             ("coding_test", "Coding test"))]


@pytest.fixture
def world(db):
    _, requisition, [application] = booking_world(interviewers=2, stages=STAGES)
    application.current_stage = requisition.stages[1]
    application.candidate.language = "en"
    f.make_user(email="lin@example.com", roles=("coordinator",), password=PASSWORD,
                language="en")
    db.session.commit()
    return requisition, application


def _send_form(html: str) -> str:
    return re.search(r'<form[^>]*class="send-link".*?</form>', html, re.S).group(0)


def _links(db) -> list[list[int]]:
    db.session.expire_all()
    return [link.stage_ids for link in db.session.scalars(sa.select(SchedulingLink))]


def test_the_form_offers_the_stage_by_default_and_no_required_boxes(client, db, world):
    requisition, application = world
    sign_in(client, "lin@example.com", PASSWORD)
    url = f"/coordinator/applications/{application.id}/links"
    form = _send_form(client.get(url).text)
    assert 'type="checkbox"' not in form
    assert re.search(r'<input[^>]*checked[^>]*value="stage"|<input[^>]*value="stage"[^>]*checked',
                     form)
    assert 'value="loop"' not in form and "Break between loop stages" not in form
    assert "The current stage: System design" in form
    # The loop appears once the opening has one from the current stage.
    requisition.stages[1].is_looped_with_next = True
    requisition.loop_break_minutes = 20
    db.session.commit()
    form = _send_form(client.get(url).text)
    assert "The loop: System design + Project deep dive, back to back on one day" in form
    assert 'name="break_minutes"' in form and 'value="20"' in form


def test_sending_for_the_stage_or_the_loop(client, db, world):
    requisition, application = world
    design, deep_dive = requisition.stages[1:3]
    design.is_looped_with_next = True
    db.session.commit()
    sign_in(client, "lin@example.com", PASSWORD)
    url = f"/coordinator/applications/{application.id}/links"
    assert post_form(client, url, {"scope": "stage", "valid_days": "5"}).status_code == 302
    assert _links(db) == [[design.id]]
    assert post_form(client, url, {"scope": "loop", "break_minutes": "10",
                                   "valid_days": "5"}).status_code == 302
    links = db.session.scalars(sa.select(SchedulingLink).order_by(SchedulingLink.id)).all()
    assert [(link.stage_ids, link.break_minutes) for link in links] == [
        ([design.id], 0), ([design.id, deep_dive.id], 10)]


def test_the_server_refuses_anything_but_the_stage_or_the_loop(client, db, world):
    requisition, application = world
    sign_in(client, "lin@example.com", PASSWORD)
    url = f"/coordinator/applications/{application.id}/links"
    every_stage = [str(stage.id) for stage in requisition.stages]
    # The old form's five ticked boxes: no longer a way to make a five-stage "loop".
    response = post_form(client, url, {"stage_ids": every_stage, "break_minutes": "15",
                                       "valid_days": "5"}, follow_redirects=True)
    assert "Choose what the link is for." in response.text
    response = post_form(client, url, {"scope": "loop", "stage_ids": every_stage,
                                       "valid_days": "5"}, follow_redirects=True)
    assert "The opening has no loop starting at this application&#39;s current stage" in \
        response.text
    assert _links(db) == []


def test_the_refusal_is_translated(client, db, world):
    _, application = world
    db.session.scalars(sa.select(User).where(User.email == "lin@example.com")).one().language = "zh"
    db.session.commit()
    sign_in(client, "lin@example.com", PASSWORD)
    url = f"/coordinator/applications/{application.id}/links"
    response = post_form(client, url, {"scope": "loop", "valid_days": "5"},
                         follow_redirects=True)
    assert "没有从该申请当前阶段开始的连续面试" in response.text
    assert _links(db) == []


def test_the_coordinators_loop_follows_the_openings_loops(client, db, world):
    requisition, application = world
    design, deep_dive = requisition.stages[1:3]
    sign_in(client, "lin@example.com", PASSWORD)
    page_url = f"/coordinator/applications/{application.id}"
    assert 'value="loop"' not in client.get(page_url).text
    opening = f"/coordinator/openings/{requisition.id}"
    response = post_form(client, f"{opening}/loops", {"looped": [str(design.id)],
                                                      "break_minutes": "20"}, page_url=opening)
    assert response.status_code == 302
    page = client.get(page_url).text
    assert 'name="plan" type="radio" value="loop"' in page
    assert "(System design + Project deep dive)" in page
    assert "The loop: System design + Project deep dive" in page  # the links panel too
    # The opening's default break is the page's.
    assert "back to back with a 20-minute break" in client.get(f"{page_url}?plan=loop").text
    response = post_form(client, f"{opening}/loops", {"break_minutes": "20"}, page_url=opening)
    assert response.status_code == 302
    page = client.get(page_url).text
    assert 'value="loop"' not in page and deep_dive.name_en not in page
