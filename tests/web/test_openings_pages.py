"""Openings pages for coordinators and admins: list, add and edit an opening (titles, levels,
salary band, offices, open or closed, coordinators) with each bad value answered beside its
field and nothing saved; the loops form on the opening's page; interviewers kept out."""
from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, Requisition, StageTemplate
from tests import factories as f
from tests.web.helpers import NOT_SIGN_IN, audit_trail, csrf_token, post_form, sign_in

PASSWORD = "correct horse battery staple"
EN = {"Accept-Language": "en"}


def _sign_in(client, db, roles=("coordinator",), language="en", email="lin@example.com"):
    user = f.make_user(email=email, roles=roles, password=PASSWORD, language=language,
                       name="Lin Coordinator")
    db.session.commit()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return user


def _opening_data(office, coordinators=(), **overrides) -> dict:
    data = {
        "title_zh": "数据工程师", "title_en": "Data Engineer",
        "levels-0-code": "junior", "levels-0-name_zh": "初级（3–5年）",
        "levels-0-name_en": "Junior (3–5 years)", "levels-0-years": "3-5",
        "levels-1-code": "senior", "levels-1-name_zh": "高级（8年以上）",
        "levels-1-name_en": "Senior (8+ years)", "levels-1-years": "8+",
        "levels-2-code": "", "levels-2-name_zh": "", "levels-2-name_en": "", "levels-2-years": "",
        "salary_min": "30000", "salary_max": "50000", "salary_currency": "cny",
        "salary_period": "month", "office_ids": [str(office.id)],
        "coordinator_ids": [str(user.id) for user in coordinators], "is_open": "y",
    }
    return data | overrides


def _count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("roles", [("coordinator",), ("admin",)])
def test_coordinators_and_admins_add_and_edit_an_opening(client, db, roles):
    office = f.make_office(code="SH", name_en="Shanghai")
    other = f.make_user(roles=("coordinator",), name="Another Coordinator")
    me = _sign_in(client, db, roles=roles)
    page = client.get("/coordinator/openings/new")
    assert page.status_code == 200
    # Every active coordinator is ticked by default.
    assert re.search(rf'value="{other.id}"[^>]*checked|checked[^>]*value="{other.id}"', page.text)
    response = post_form(client, "/coordinator/openings/new",
                         _opening_data(office, coordinators=[other]))
    assert response.status_code == 302
    requisition = db.session.scalars(sa.select(Requisition)).one()
    assert response.headers["Location"].endswith(f"/coordinator/openings/{requisition.id}")
    assert (requisition.title_en, requisition.salary_currency, requisition.salary_min) == (
        "Data Engineer", "CNY", 30000)
    assert [level["code"] for level in requisition.levels] == ["junior", "senior"]
    assert requisition.levels[1]["years"] == "8+"
    assert [o.code for o in requisition.offices] == ["SH"]
    assert [u.id for u in requisition.coordinators] == [other.id]
    listing = client.get("/coordinator/openings").text
    assert "Data Engineer" in listing and "Junior (3–5 years)" in listing
    edit = f"/coordinator/openings/{requisition.id}/edit"
    assert "Junior (3–5 years)" in client.get(edit).text
    response = post_form(client, edit, _opening_data(
        office, coordinators=[other], title_en="Data Platform Engineer", is_open="",
        **{"levels-2-code": "mid", "levels-2-name_zh": "中级", "levels-2-name_en": "Mid",
           "levels-2-years": "5–8"}))
    assert response.status_code == 302
    db.session.expire_all()
    assert requisition.title_en == "Data Platform Engineer" and requisition.is_open is False
    assert [level["years"] for level in requisition.levels] == ["3-5", "8+", "5-8"]
    events = audit_trail(db)
    assert [(e.action, e.actor_user_id) for e in events] == [
        ("requisition.created", me.id), ("requisition.updated", me.id)]
    assert events[1].before["is_open"] is True and events[1].after["is_open"] is False


BAD_OPENING = [
    ({"title_zh": " "}, "title_zh", "Give the opening a title."),
    ({"levels-0-years": "5-3"}, "levels", "Level 1: write the years as 3-5"),
    ({"levels-1-code": "junior"}, "levels", "Level 2: the code junior is used twice."),
    ({"levels-0-name_en": ""}, "levels", "Level 1: give its name in both languages."),
    ({"levels-0-code": "Senior Staff"}, "levels", "Level 1: the code is 1 to 20"),
    ({"salary_min": "60000"}, "salary_max", "The lowest salary must not be above the highest."),
    ({"salary_max": ""}, "salary_max", "Give both ends of the salary band, or neither."),
    ({"salary_min": "-5"}, "salary_min", "Enter a whole amount from 0 to"),
    ({"salary_currency": "XYZ"}, "salary_currency", "Unknown currency XYZ"),
    ({"office_ids": []}, "office_ids", "Choose at least one office."),
]


@pytest.mark.parametrize("change, field, message", BAD_OPENING)
def test_a_bad_opening_is_answered_beside_its_field_and_nothing_is_saved(
        client, db, change, field, message):
    office = f.make_office(code="SH")
    _sign_in(client, db)
    response = post_form(client, "/coordinator/openings/new", _opening_data(office) | change)
    assert response.status_code == 200
    errors = re.search(rf'id="{field}-errors">(.*?)</ul>', response.text, re.S)
    assert errors and message in html.unescape(errors.group(1))
    assert _count(db, Requisition) == 0 and _count(db, AuditEvent, NOT_SIGN_IN) == 0


def test_a_bad_edit_changes_nothing_and_keeps_the_input(client, db):
    office = f.make_office(code="SH")
    requisition = f.make_requisition(offices=[office])
    _sign_in(client, db, language="zh")
    response = post_form(client, f"/coordinator/openings/{requisition.id}/edit", _opening_data(
        office, title_en="Renamed", **{"levels-0-years": "lots"}))
    assert response.status_code == 200
    assert "第 1 个职级：年限请写作 3-5（3 到 5 年）或 8+。" in response.text  # in Chinese
    assert 'value="lots"' in response.text and 'value="Renamed"' in response.text
    db.session.expire_all()
    assert requisition.title_en == "Machine Learning Engineer"
    assert _count(db, AuditEvent, NOT_SIGN_IN) == 0


def test_a_level_with_applications_cannot_be_dropped(client, db):
    office = f.make_office(code="SH")
    application = f.make_application()
    requisition = application.requisition
    requisition.offices = [office]
    _sign_in(client, db)
    data = _opening_data(office)  # junior and senior: the application's "mid" is gone
    response = post_form(client, f"/coordinator/openings/{requisition.id}/edit", data)
    assert response.status_code == 200
    assert "Level mid is the level of 1 applications: keep it." in response.text
    db.session.expire_all()
    assert [level["code"] for level in requisition.levels] == ["mid"]


def test_the_loops_form_sets_the_loop_and_refuses_a_stage_without_a_panel(client, db):
    requisition = f.make_requisition(stages=[
        dict(kind="system_design", panel_size=2),
        dict(kind="project_deep_dive", name_en="Project deep dive", panel_size=1),
        dict(kind="offer", name_en="Offer", duration_minutes=0, panel_size=0, sla_days=14)])
    design, deep_dive, offer = requisition.stages
    _sign_in(client, db)
    url = f"/coordinator/openings/{requisition.id}"
    page = client.get(url).text
    assert "No loop: each stage is booked on its own." in page
    refused = post_form(client, f"{url}/loops", {"looped": [str(deep_dive.id)],
                                                  "break_minutes": "10"}, page_url=url)
    assert refused.status_code == 200
    errors = re.search(r'id="looped-errors">(.*?)</ul>', refused.text, re.S).group(1)
    assert "Stages 2 and 3 cannot be booked back to back" in errors
    db.session.expire_all()
    assert not deep_dive.is_looped_with_next and requisition.loop_break_minutes == 15
    response = post_form(client, f"{url}/loops", {"looped": [str(design.id)],
                                                   "break_minutes": "10"}, page_url=url)
    assert response.status_code == 302
    db.session.expire_all()
    assert design.is_looped_with_next and requisition.loop_break_minutes == 10
    assert "System design + Project deep dive" in client.get(url).text
    [event] = db.session.scalars(sa.select(AuditEvent).where(NOT_SIGN_IN)).all()
    assert event.action == "requisition.loops_changed"
    assert event.after == {"looped": [design.id], "break_minutes": 10}


OPENING_PAGES = [
    ("get", "/coordinator/openings"), ("get", "/coordinator/openings/new"),
    ("post", "/coordinator/openings/new"), ("get", "/coordinator/openings/{r}"),
    ("get", "/coordinator/openings/{r}/edit"), ("post", "/coordinator/openings/{r}/edit"),
    ("post", "/coordinator/openings/{r}/loops"), ("get", "/coordinator/openings/{r}/stages/new"),
    ("post", "/coordinator/openings/{r}/stages/new"), ("get", "/coordinator/openings/{r}/stages/{s}"),
    ("post", "/coordinator/openings/{r}/stages/{s}"),
    ("post", "/coordinator/openings/{r}/stages/{s}/move"),
    ("get", "/coordinator/openings/{r}/stages/{s}/remove"),
    ("post", "/coordinator/openings/{r}/stages/{s}/remove"),
]


def test_interviewers_get_403_on_every_openings_page(client, db):
    requisition = f.make_requisition()
    stage = requisition.stages[0]
    _sign_in(client, db, roles=("interviewer",))
    token = csrf_token(client.get("/interviewer/").text)  # a valid token: only the role is wrong
    for method, path in OPENING_PAGES:
        url = path.format(r=requisition.id, s=stage.id)
        response = getattr(client, method)(url, data={"csrf_token": token, "direction": "up"})
        assert response.status_code == 403, (method, url)
    assert _count(db, AuditEvent, NOT_SIGN_IN) == 0
    assert 'href="/coordinator/openings"' not in client.get("/interviewer/").text


def test_the_navigation_offers_openings_to_coordinators(client, db):
    _sign_in(client, db)
    assert 'href="/coordinator/openings"' in client.get("/coordinator/").text
    assert db.session.scalar(sa.select(sa.func.count(StageTemplate.id))) == 0
