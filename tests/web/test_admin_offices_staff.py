"""Admin pages for offices and staff: list, add and edit with field messages and no write on bad
input, deactivation that first offers swaps for future interviews, reactivation, the audit trail,
a deactivated user kept out of sign-in, and the role gate."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, Interview, Office, User
from scheduler.services.booking import book_interview
from tests import factories as f
from tests.clock import NOW
from tests.services.booking_setup import WORKDAY_10, booking_world
from tests.web.helpers import NOT_SIGN_IN, audit_trail, post_form, sign_in

PASSWORD = "correct horse battery staple"


def _admin(client, db, language="en"):
    user = f.make_user(email="admin@example.com", roles=("admin",), password=PASSWORD,
                       language=language, name="Ada Admin")
    db.session.commit()
    assert sign_in(client, "admin@example.com", PASSWORD).status_code == 302
    return user


OFFICE = dict(code="ldn", name_zh="伦敦", name_en="London", zone="Europe/London",
              calendar_key="GB-ENG", address_zh="", address_en="1 Some Street")


def test_add_list_and_edit_an_office(client, db):
    _admin(client, db)
    response = post_form(client, "/admin/offices/new", OFFICE)
    assert response.status_code == 302
    office = db.session.scalars(sa.select(Office)).one()
    page = client.get("/admin/offices").text
    assert "LDN" in page and "England" in page and "Europe/London" in page
    response = post_form(client, f"/admin/offices/{office.id}", OFFICE | {"name_en": "London Bridge"})
    assert response.status_code == 302
    db.session.expire_all()
    assert office.name_en == "London Bridge"
    assert [e.action for e in audit_trail(db)] == [
        "office.created", "office.updated"]


def test_a_bad_office_is_answered_beside_its_fields_and_nothing_saved(client, db):
    _admin(client, db, language="zh")
    response = post_form(client, "/admin/offices/new",
                         OFFICE | {"code": "l-d", "zone": "Mars/Olympus", "calendar_key": "XX"})
    assert response.status_code == 200
    html = response.text
    assert html.count('class="errors"') == 3
    assert "Mars/Olympus" in html and 'value="XX"' in html  # the input is kept
    assert "未知时区" in html or "时区" in html
    assert db.session.scalar(sa.select(sa.func.count(Office.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(NOT_SIGN_IN)) == 0


def test_add_an_interviewer_with_an_office_then_edit_roles(client, db):
    office = f.make_office(code="SH", name_en="Shanghai")
    _admin(client, db)
    response = post_form(client, "/admin/staff/new", dict(
        name="Ivy", email="ivy@example.com", roles=["interviewer", "coordinator"],
        office=str(office.id), zone="Asia/Shanghai", language="en", password="a long password"))
    assert response.status_code == 302
    ivy = db.session.scalars(sa.select(User).where(User.email == "ivy@example.com")).one()
    assert ivy.roles == {"interviewer", "coordinator"} and ivy.interviewer_profile.office_id == office.id
    page = client.get("/admin/staff").text
    assert "ivy@example.com" in page and "Shanghai" in page and "Coordinator, Interviewer" in page
    response = post_form(client, f"/admin/staff/{ivy.id}", dict(
        name="Ivy Wu", roles=["interviewer"], zone="Europe/London", language="zh"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (ivy.name, ivy.zone, ivy.language, ivy.roles) == (
        "Ivy Wu", "Europe/London", "zh", {"interviewer"})
    assert sign_in(client.application.test_client(), "ivy@example.com", "a long password").status_code == 302


def test_a_bad_new_user_is_answered_beside_its_fields_and_nothing_saved(client, db):
    f.make_office(code="SH")
    _admin(client, db)
    response = post_form(client, "/admin/staff/new", dict(
        name="Ivy", email="admin@example.com", roles=["interviewer"], office="",
        zone="Nowhere/Land", language="en", password="short"))
    assert response.status_code == 200
    html = response.text
    for text in ("already exists", "needs an office", "Unknown time zone Nowhere/Land",
                 "at least 10 characters"):
        assert text in html
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(NOT_SIGN_IN)) == 0


def test_deactivation_offers_swaps_then_takes_effect(client, db):
    people, requisition, [application] = booking_world(interviewers=3)
    interview = book_interview("test", application, requisition.stages[0], WORKDAY_10,
                               [people[0].id], NOW)
    leaving = people[0].user
    leaving.password_hash = f.make_user(password=PASSWORD).password_hash
    _admin(client, db)
    page = client.get(f"/admin/staff/{leaving.id}/deactivate")
    assert page.status_code == 200
    assert f'data-interview="{interview.id}"' in page.text
    suggested = [int(i) for i in re.findall(r'name="new" value="(\d+)"', page.text)]
    assert sorted(suggested) == sorted(p.id for p in people[1:])
    response = post_form(client, f"/admin/staff/{leaving.id}/interviews/{interview.id}/swap",
                         {"new": suggested[0]}, page_url=f"/admin/staff/{leaving.id}/deactivate")
    assert response.status_code == 302
    db.session.expire_all()
    assert [a.interviewer_id for a in interview.active_assignments] == [suggested[0]]
    assert f'data-interview="{interview.id}"' not in client.get(
        f"/admin/staff/{leaving.id}/deactivate").text
    response = post_form(client, f"/admin/staff/{leaving.id}/deactivate", {})
    assert response.status_code == 302
    db.session.expire_all()
    assert leaving.is_active is False
    assert "Inactive" in client.get("/admin/staff").text
    # A deactivated user cannot sign in.
    other = client.application.test_client()
    assert sign_in(other, leaving.email, PASSWORD).status_code == 401
    assert other.get("/interviewer/").status_code in (302, 401)
    # Reactivated, they can.
    assert post_form(client, f"/admin/staff/{leaving.id}/reactivate", {},
                     page_url="/admin/staff").status_code == 302
    assert sign_in(client.application.test_client(), leaving.email, PASSWORD).status_code == 302
    actions = [e.action for e in audit_trail(db)]
    assert actions[-3:] == ["interview.panel_swapped", "user.deactivated", "user.reactivated"]
    assert db.session.get(Interview, interview.id).status == Interview.SCHEDULED


def test_a_signed_in_user_who_is_deactivated_is_signed_out(client, db):
    user = f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD)
    db.session.commit()
    assert sign_in(client, "co@example.com", PASSWORD).status_code == 302
    user.is_active = False
    db.session.commit()
    assert client.get("/coordinator/").status_code == 302


PAGES = ["/admin/offices", "/admin/offices/new", "/admin/staff", "/admin/staff/new"]


@pytest.mark.parametrize("roles", [("interviewer",), ("coordinator",), ("coordinator", "interviewer")])
def test_other_roles_get_403(client, db, roles):
    f.make_user(email="x@example.com", roles=roles, password=PASSWORD)
    office = f.make_office()
    db.session.commit()
    assert sign_in(client, "x@example.com", PASSWORD).status_code == 302
    for url in PAGES + [f"/admin/offices/{office.id}"]:
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/offices/new", data=OFFICE).status_code in (400, 403)


def test_anonymous_visitors_go_to_login(client, db):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
