"""Sign-in, sign-out, own password, role gates, CSRF and the login rate limit."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler import create_app
from scheduler.demo import CANDIDATES, STAGES, load_demo
from scheduler.extensions import db as _db
from scheduler.models import AuditEvent, User
from tests.factories import (
    make_application, make_candidate, make_interview, make_interviewer, make_office,
    make_requisition, make_user,
)
from tests.clock import NOW, at_local, local_today
from tests.web.helpers import csrf_token, en_day_time, en_zone, post_form, sign_in, without_csrf

PASSWORD = "correct horse battery staple"


@pytest.fixture
def demo(db, now):
    load_demo(now)
    db.session.commit()


def test_demo_coordinator_sees_the_requisition_its_six_stages_and_the_candidates(client, demo):
    response = sign_in(client, "coordinator@example.com")
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert page.status_code == 200
    assert "/coordinator/" in page.request.path
    html = page.text
    # The demo coordinator's own language is Chinese.
    assert "机器学习工程师" in html
    positions = [html.index(stage["name_zh"]) for stage in STAGES]
    assert positions == sorted(positions), "stages are listed in their order"
    for name, *_rest in CANDIDATES:
        assert name in html


def test_demo_interviewer_sees_their_own_upcoming_interviews_in_their_zone(client, demo, db):
    oliver = db.session.scalar(sa.select(User).where(User.email == "oliver.smith@example.com"))
    other = make_interviewer()
    application = make_application(requisition=make_requisition(stages=[{"name_en": "Loop"}]),
                                   candidate=make_candidate(name="Hannah Example",
                                                            zone="Asia/Singapore"))
    profile = oliver.interviewer_profile
    # 09:00 on Oliver's (London) wall clock a week after NOW; a cancelled one the day after; a
    # completed one a month before NOW.
    london, singapore = "Europe/London", "Asia/Singapore"
    start = at_local(local_today(london) + timedelta(days=7), "09:00", london)
    make_interview(application, panel=[profile, other], start_at=start)
    make_interview(application, panel=[other], stage=application.current_stage,
                   start_at=start + timedelta(days=1), status="cancelled")
    make_interview(application, panel=[profile], status="completed",
                   start_at=NOW - timedelta(days=30))
    db.session.commit()

    response = sign_in(client, "oliver.smith@example.com")
    page = client.get(response.headers["Location"], follow_redirects=True)

    assert page.request.path == "/interviewer/"
    html = page.text
    assert "My upcoming interviews" in html  # Oliver reads English
    end = start + timedelta(hours=1)
    assert f"{en_day_time(start, london)}–{en_day_time(end, london)[-5:]} " \
        f"({en_zone(start, london)})" in html
    assert "09:00–10:00 (Europe/London, GMT+0" in html
    # The candidate's time: 16:00 or 17:00 the same day in Singapore, as London keeps summer time
    # or not.
    assert f"{en_day_time(start, singapore)}–{en_day_time(end, singapore)[-5:]} " \
        f"({en_zone(start, singapore)})" in html
    assert "Hannah Example" in html
    assert html.count('class="card interview"') == 1


def test_an_interviewer_gets_403_on_coordinator_pages(client, db):
    make_user(email="iv@example.com", roles=("interviewer",), password=PASSWORD, language="en")
    db.session.commit()
    sign_in(client, "iv@example.com", PASSWORD)
    for url in ("/coordinator/", "/coordinator/candidates/new"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Your account does not have access to this page." in response.text


def test_a_coordinator_gets_403_on_interviewer_pages_and_an_admin_may_coordinate(client, db):
    make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD)
    make_user(email="ad@example.com", roles=("admin",), password=PASSWORD)
    db.session.commit()
    sign_in(client, "co@example.com", PASSWORD)
    assert client.get("/interviewer/").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/coordinator/").text)})
    sign_in(client, "ad@example.com", PASSWORD)
    assert client.get("/coordinator/").status_code == 200


@pytest.mark.parametrize("url", ["/coordinator/", "/coordinator/candidates/new", "/interviewer/",
                                 "/account/password"])
def test_an_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert client.get("/").headers["Location"] == "/login"


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, db):
    make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD)
    db.session.commit()
    response = post_form(client, "/login?next=/coordinator/candidates/new",
                         {"email": "co@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/coordinator/candidates/new"
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/coordinator/").text)})
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = post_form(client, f"/login?next={target}",
                             {"email": "co@example.com", "password": PASSWORD})
        assert response.headers["Location"] == "/", target
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/coordinator/").text)})


def test_a_wrong_password_and_an_unknown_email_get_the_same_single_message(client, db):
    make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD, language="en")
    db.session.commit()
    headers = {"Accept-Language": "en"}
    wrong = post_form(client, "/login", {"email": "co@example.com", "password": "nope-nope-nope"},
                      headers=headers)
    unknown = post_form(client, "/login", {"email": "nobody@example.com",
                                           "password": "nope-nope-nope"}, headers=headers)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.text.count("Email or password is incorrect.") == 1
    # Apart from the echoed email, the two pages are identical.
    assert without_csrf(wrong.text).replace("co@example.com", "X") == \
        without_csrf(unknown.text).replace("nobody@example.com", "X")
    assert client.get("/coordinator/").status_code == 302  # still signed out


def test_the_login_message_is_in_chinese_for_a_chinese_browser(client, db):
    response = post_form(client, "/login", {"email": "x@example.com", "password": "y"},
                         headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "邮箱或密码不正确。" in response.text


def test_an_inactive_user_cannot_sign_in(client, db):
    make_user(email="gone@example.com", roles=("coordinator",), password=PASSWORD,
              is_active=False)
    db.session.commit()
    response = sign_in(client, "gone@example.com", PASSWORD)
    assert response.status_code == 401


def test_email_is_matched_without_regard_to_case(client, db):
    make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD)
    db.session.commit()
    assert sign_in(client, "  CO@Example.com ", PASSWORD).status_code == 302


def test_a_post_without_a_csrf_token_is_refused(client, db):
    make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD, language="en")
    db.session.commit()
    response = client.post("/login", data={"email": "co@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.text
    assert client.get("/coordinator/").status_code == 302  # not signed in

    sign_in(client, "co@example.com", PASSWORD)
    assert client.post("/logout").status_code == 400
    assert client.get("/coordinator/").status_code == 200  # still signed in
    assert client.post("/language", data={"language": "zh"}).status_code == 400


def test_sign_out_ends_the_session(client, db):
    make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD)
    db.session.commit()
    sign_in(client, "co@example.com", PASSWORD)
    token = csrf_token(client.get("/coordinator/").text)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/login"
    assert client.get("/coordinator/").status_code == 302


def test_changing_ones_own_password(client, db, app):
    user = make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD,
                     language="en")
    db.session.commit()
    sign_in(client, "co@example.com", PASSWORD)

    refused = post_form(client, "/account/password", {
        "current_password": "not my password", "new_password": "brand-new-secret-1",
        "confirm_password": "brand-new-secret-1"})
    assert refused.status_code == 200
    assert "This is not your current password." in refused.text
    mismatch = post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": "brand-new-secret-1",
        "confirm_password": "brand-new-secret-2"})
    assert "The two new passwords differ." in mismatch.text
    short = post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": "short", "confirm_password": "short"})
    assert "Use at least 10 characters." in short.text

    changed = post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": "brand-new-secret-1",
        "confirm_password": "brand-new-secret-1"})
    assert changed.status_code == 302
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "user.password_changed")).all()
    assert [(e.actor_user_id, e.object_id) for e in events] == [(user.id, user.id)]
    assert "brand-new-secret-1" not in str(events[0].after)

    client.post("/logout", data={"csrf_token": csrf_token(client.get("/coordinator/").text)})
    assert sign_in(client, "co@example.com", PASSWORD).status_code == 401
    assert sign_in(client, "co@example.com", "brand-new-secret-1").status_code == 302


def test_sign_in_is_rate_limited(database_config):
    app = create_app(database_config | {"RATELIMIT_ENABLED": True,
                                        "LOGIN_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    with app.app_context():
        statuses = [sign_in(client, "nobody@example.com", "wrong password",
                            headers={"Accept-Language": "en"}).status_code for _ in range(4)]
        page = client.get("/login", headers={"Accept-Language": "en"})
        limited = client.post("/login", data={"csrf_token": csrf_token(page.text),
                                              "email": "x@example.com", "password": "y"},
                              headers={"Accept-Language": "en"})
        _db.session.remove()
        _db.engine.dispose()
    assert statuses == [401, 401, 401, 429]
    assert page.status_code == 200  # only the POST is limited
    assert limited.status_code == 429
    assert "Too many attempts" in limited.text


def test_home_sends_each_role_to_its_page_and_refuses_a_user_without_roles(client, db):
    make_user(email="iv@example.com", roles=("interviewer",), password=PASSWORD)
    make_user(email="none@example.com", roles=(), password=PASSWORD)
    db.session.commit()
    assert sign_in(client, "iv@example.com", PASSWORD).headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/interviewer/"
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/interviewer/").text)})
    sign_in(client, "none@example.com", PASSWORD)
    assert client.get("/").status_code == 403
