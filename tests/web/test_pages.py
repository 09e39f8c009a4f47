"""The first pages: coordinator home, adding a candidate, interviewer home, error pages, layout."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from scheduler.models import Application, AuditEvent, Candidate
from tests.factories import make_application, make_candidate, make_requisition, make_user
from tests.web.helpers import csrf_token, post_form, sign_in

PASSWORD = "correct horse battery staple"
LEVELS = [{"code": "junior", "name_zh": "初级", "name_en": "Junior", "years": "3-5"},
          {"code": "senior", "name_zh": "高级", "name_en": "Senior", "years": "8+"}]


@pytest.fixture
def requisition(db):
    req = make_requisition(levels=LEVELS, stages=[
        {"name_zh": "初步沟通", "name_en": "HR phone screen", "kind": "phone_screen",
         "mode": "phone", "duration_minutes": 30},
        {"name_zh": "系统设计", "name_en": "System design", "kind": "system_design"},
    ])
    db.session.commit()
    return req


def _coordinator(client, db, language="en"):
    user = make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD,
                     language=language, zone="Asia/Shanghai")
    db.session.commit()
    sign_in(client, "co@example.com", PASSWORD)
    return user


def _candidate_form(requisition, **overrides):
    return {"name": "Mei Lin", "email": "mei.lin@example.org", "phone": "+86 138 0000 1234",
            "zone": "Europe/London", "language": "en", "requisition_id": str(requisition.id),
            "level": "senior"} | overrides


def _counts(db):
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Application)))


def test_coordinator_home_lists_applications_and_the_opening_its_stages_in_order(
        client, db, requisition):
    make_application(requisition=requisition, level="junior",
                     candidate=make_candidate(name="Ada Example", zone="Asia/Singapore"),
                     current_stage=requisition.stages[1], status="on_hold")
    _coordinator(client, db, language="en")
    html = client.get("/coordinator/").text
    assert "Ada Example" in html and "Asia/Singapore" in html
    assert "2. System design" in html and "Junior" in html and "On hold" in html
    assert 'data-state="on_hold"' in html
    # The stages live on the opening's page, which the home's navigation reaches.
    assert 'href="/coordinator/openings"' in html
    html = client.get(f"/coordinator/openings/{requisition.id}").text
    assert html.index("HR phone screen") < html.index("System design")
    assert "30 min · Phone · 1 interviewer" in html
    assert "CNY 28,000–60,000 a month" in html


def test_adding_a_candidate_saves_candidate_application_and_audit_event(client, db, requisition):
    user = _coordinator(client, db)
    response = post_form(client, "/coordinator/candidates/new", _candidate_form(requisition))
    assert response.status_code == 302
    candidate = db.session.scalar(sa.select(Candidate))
    assert (candidate.name, candidate.email, candidate.zone, candidate.language) == \
        ("Mei Lin", "mei.lin@example.org", "Europe/London", "en")
    application = db.session.scalar(sa.select(Application))
    assert (application.candidate_id, application.level, application.status) == \
        (candidate.id, "senior", "active")
    assert application.current_stage_id == requisition.stages[0].id
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "application.created"))
    assert (event.actor_user_id, event.object_id) == (user.id, application.id)
    assert event.after["email"] == "mei.lin@example.org"
    home = client.get(response.headers["Location"]).text
    assert "Added Mei Lin." in home and "mei.lin@example.org" in home


@pytest.mark.parametrize("language, message", [
    ("en", "Enter a valid email address, such as name@example.com."),
    ("zh", "请输入有效的邮箱地址，例如 name@example.com。"),
])
def test_an_invalid_email_is_refused_in_the_users_language_and_nothing_is_saved(
        client, db, requisition, language, message):
    _coordinator(client, db, language=language)
    response = post_form(client, "/coordinator/candidates/new",
                         _candidate_form(requisition, email="mei.lin@@example"))
    assert response.status_code == 200
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert _counts(db) == (0, 0)


@pytest.mark.parametrize("language, message", [
    ("en", "Unknown time zone: choose one from the list"),
    ("zh", "未知时区：请从列表中选择"),
])
def test_an_unknown_zone_is_refused_in_the_users_language_and_nothing_is_saved(
        client, db, requisition, language, message):
    _coordinator(client, db, language=language)
    response = post_form(client, "/coordinator/candidates/new",
                         _candidate_form(requisition, zone="Asia/Beijing"))
    assert response.status_code == 200
    assert message in response.text
    assert 'value="Asia/Beijing"' in response.text  # what was typed is kept for correcting
    assert _counts(db) == (0, 0)


def test_a_second_candidate_with_the_same_email_is_refused(client, db, requisition):
    make_candidate(email="Mei.Lin@example.org")
    _coordinator(client, db)
    response = post_form(client, "/coordinator/candidates/new", _candidate_form(requisition))
    assert "A candidate with this email address already exists." in response.text
    assert _counts(db) == (1, 0)


def test_missing_fields_and_a_foreign_level_are_refused(client, db, requisition):
    _coordinator(client, db)
    response = post_form(client, "/coordinator/candidates/new",
                         _candidate_form(requisition, name="  ", level="principal"))
    assert '<ul class="errors" id="name-errors"><li>Enter the candidate' in response.text
    assert '<ul class="errors" id="level-errors"><li>Not a valid choice' in response.text
    assert _counts(db) == (0, 0)


def test_the_zone_field_offers_a_searchable_list_of_iana_zones(client, db, requisition):
    _coordinator(client, db)
    html = client.get("/coordinator/candidates/new").text
    assert 'list="zone-list"' in html and '<datalist id="zone-list">' in html
    for zone in ("Asia/Shanghai", "Europe/London", "America/Los_Angeles", "Asia/Singapore"):
        assert f'<option value="{zone}">' in html
    assert 'value="Asia/Shanghai"' in html  # defaults to the coordinator's own zone


def test_an_interviewer_without_a_profile_is_told_so(client, db):
    make_user(email="iv@example.com", roles=("interviewer",), password=PASSWORD, language="en")
    db.session.commit()
    sign_in(client, "iv@example.com", PASSWORD)
    assert "You have no interviewer profile yet." in client.get("/interviewer/").text


def test_an_interviewer_with_nothing_booked_sees_an_empty_list(client, db):
    from tests.factories import make_interviewer

    make_interviewer(user=make_user(email="iv@example.com", password=PASSWORD, language="en"))
    db.session.commit()
    sign_in(client, "iv@example.com", PASSWORD)
    assert "No upcoming interviews." in client.get("/interviewer/").text


def test_not_found_page(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'name="viewport"' in response.text


def test_server_error_page_rolls_back_and_renders(app, db, now):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode():
        # Half-done work: the error page must not commit it by accident.
        db.session.add(Candidate(name="x", email="x@example.org", zone="UTC", language="en",
                                 created_at=now))
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    response = app.test_client().get("/explode", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert _counts(db) == (0, 0)


def test_every_page_has_the_layout_language_switch_and_zone(client, db, requisition):
    user = _coordinator(client, db)
    for url in ("/coordinator/", "/coordinator/candidates/new", "/account/password"):
        html = client.get(url).text
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert 'action="/language"' in html and ">中文</button>" in html and \
            ">English</button>" in html
        assert "Times are shown in Asia/Shanghai, GMT+08:00." in html
        assert user.name in html
        # No third-party assets: every stylesheet and script is served from this site.
        assert "http://" not in html.replace("http://localhost", "") and "https://" not in html
    token = csrf_token(client.get("/coordinator/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    login = client.get("/login").text
    assert ">中文</button>" in login and "Times are shown in" in login


def test_pages_send_security_headers(client):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_oversized_upload_gets_a_readable_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 4096},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "larger than" in response.text
