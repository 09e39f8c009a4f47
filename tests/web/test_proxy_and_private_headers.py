"""Behind a reverse proxy, and the headers that keep personal pages private (issue 22, item 5).

TRUSTED_PROXY_HOPS decides whether X-Forwarded-For names the client the rate limits count
(only when it is above 0, and then only the proxies' own entries count); production sends HSTS;
every page of every blueprint, generated from the URL map so that new routes are covered, carries
`Cache-Control: no-store`, static files do not. None of it crosses the database: SQLite only.
"""
from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest

from scheduler import create_app
from scheduler.config import ConfigError
from scheduler.extensions import db as _db
from scheduler.services.links import create_link
from tests import factories as f
from tests.clock import NOW
from tests.dbutil import app_config
from tests.services.booking_setup import booking_world
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"
# Routes that answer with a cache policy of their own, and why.
OWN_CACHE_POLICY = {
    "static": "stylesheets and scripts, no personal data",
    "feeds.interviewer_feed": "calendar clients poll it: private, max-age=300",
}
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?(\w+)>")


def _config(sqlite_template, tmp_path, **extra) -> dict:
    path = tmp_path / "test.db"
    if not path.exists():
        shutil.copy(sqlite_template, path)
    return app_config(f"sqlite:///{path}", **extra)


def _dispose(app) -> None:
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


# --- trusted proxies ---------------------------------------------------------------------------


def _statuses(app, forwarded_for: list[str]) -> list[int]:
    """POST the (empty) sign-in form once per X-Forwarded-For value; return the statuses."""
    client = app.test_client()
    return [client.post("/login", data={}, headers={"X-Forwarded-For": value}).status_code
            for value in forwarded_for]


def _limited_app(sqlite_template, tmp_path, hops):
    return create_app(_config(sqlite_template, tmp_path, RATELIMIT_ENABLED=True,
                              LOGIN_RATE_LIMIT="2 per minute", WTF_CSRF_ENABLED=False,
                              TRUSTED_PROXY_HOPS=hops))


def test_without_trusted_proxies_x_forwarded_for_is_ignored(sqlite_template, tmp_path):
    app = _limited_app(sqlite_template, tmp_path, 0)
    # Every request counts against the connecting address, whatever the header claims.
    assert _statuses(app, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [200, 200, 429]
    _dispose(app)


def test_behind_one_trusted_proxy_the_forwarded_client_is_counted(sqlite_template, tmp_path):
    app = _limited_app(sqlite_template, tmp_path, "1")  # as the environment gives it
    assert _statuses(app, ["203.0.113.1", "203.0.113.1", "203.0.113.2", "203.0.113.1"]) == [
        200, 200, 200, 429]
    # A client that sends its own header cannot choose: the proxy's entry (the last) counts.
    assert _statuses(app, ["198.51.100.9, 203.0.113.1"]) == [429]
    _dispose(app)


@pytest.mark.parametrize("hops", ["two", "-1", "9", ""])
def test_a_wrong_number_of_hops_is_refused_at_start(sqlite_template, tmp_path, hops):
    with pytest.raises(ConfigError, match="TRUSTED_PROXY_HOPS must be a whole number"):
        create_app(_config(sqlite_template, tmp_path, TRUSTED_PROXY_HOPS=hops))


# --- HSTS ----------------------------------------------------------------------------------------


def test_production_sends_hsts_and_development_does_not(sqlite_template, tmp_path):
    production = create_app(_config(sqlite_template, tmp_path, APP_ENV="production",
                                    SECRET_KEY="s" * 48, FROZEN_NOW="", TESTING=False))
    response = production.test_client().get("/login")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    _dispose(production)
    development = create_app(_config(sqlite_template, tmp_path))
    assert "Strict-Transport-Security" not in development.test_client().get("/login").headers
    _dispose(development)


# --- no-store on every page ----------------------------------------------------------------------


@pytest.fixture
def world_app(sqlite_template, tmp_path):
    """An app with one of everything a route can name, and a user holding every staff role."""
    app = create_app(_config(sqlite_template, tmp_path))
    with app.app_context():
        people, requisition, [application] = booking_world(interviewers=1)
        me = f.make_user(email="all@example.com", roles=("admin", "coordinator", "interviewer"),
                         password=PASSWORD, language="en")
        profile = f.make_interviewer(office=people[0].office, user=me)
        _link, token = create_link(me, application, requisition.stages[:1], 0,
                                   NOW + timedelta(days=7), NOW)
        interview = f.make_interview(application, panel=[profile],
                                     start_at=NOW + timedelta(days=3))
        source = f.make_calendar_source(profile)
        _db.session.commit()
        arguments = {
            "application_id": application.id, "candidate_id": application.candidate_id,
            "office_id": people[0].office.id, "user_id": me.id, "profile_id": profile.id,
            "requisition_id": requisition.id, "stage_id": requisition.stages[0].id,
            "interview_id": interview.id, "token": token, "source_id": source.id,
            "language": "en",
        }
        _db.session.remove()
    yield app, arguments
    _dispose(app)


def test_every_page_but_static_files_says_no_store(world_app):
    app, arguments = world_app
    client = app.test_client()
    assert sign_in(client, "all@example.com", PASSWORD).status_code == 302
    checked = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in OWN_CACHE_POLICY:
            continue
        names = _ARGUMENT.findall(rule.rule)
        missing = [n for n in names if n not in arguments]
        assert not missing, f"{rule.rule}: give the test an id for {missing}"
        url = _ARGUMENT.sub(lambda m: str(arguments[m.group(1)]), rule.rule)
        response = client.get(url)
        assert response.status_code < 500, url
        assert "no-store" in response.headers.get("Cache-Control", ""), url
        checked.append((url, response.status_code))
    # The pages that show the most personal data are among them, as real pages.
    statuses = dict(checked)
    for url in ("/coordinator/", f"/coordinator/applications/{arguments['application_id']}",
                "/interviewer/", "/admin/staff", f"/availability/{arguments['profile_id']}",
                f"/schedule/{arguments['token']}"):
        assert statuses[url] == 200, url
    assert len(checked) > 40


def test_static_files_may_be_cached(world_app):
    app, _arguments = world_app
    response = app.test_client().get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()
