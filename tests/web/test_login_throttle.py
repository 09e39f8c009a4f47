"""Sign-in throttling per account, in one process (memory storage): the delay, its message in the
reader's language, the same answers for unknown addresses, doubling up to a cap, and a success
clearing the count (issue 22, item 2; across processes on Redis: test_login_throttle_redis.py).

The behaviour does not touch the database beyond signing in, so these run on SQLite only.
"""
from __future__ import annotations

import shutil

import pytest

from scheduler import create_app
from scheduler.auth import throttle
from scheduler.auth.views import _wait_message
from scheduler.extensions import db as _db
from tests import factories as f
from tests.dbutil import app_config
from tests.web.helpers import csrf_token, sign_in, without_csrf

PASSWORD = "correct horse battery staple"


@pytest.fixture
def limited_app(sqlite_template, tmp_path):
    """An app with its limits on, two free failures per account, then 30 s doubling to 100 s."""
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    app = create_app(app_config(
        f"sqlite:///{path}", RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="100 per minute",
        LOGIN_ACCOUNT_FREE_FAILURES=2, LOGIN_ACCOUNT_FIRST_DELAY_SECONDS=30,
        LOGIN_ACCOUNT_MAX_DELAY_SECONDS=100))
    with app.app_context():
        f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD)
        _db.session.commit()
        _db.session.remove()
    # No app context held: each request gets its own `g`, as in production.
    yield app
    with app.app_context():
        _db.engine.dispose()


def test_failures_start_a_delay_that_even_the_right_password_waits_out_alike_for_unknown_emails(
        limited_app):
    pages = {}
    for email in ("co@example.com", "nobody@example.com"):
        client = limited_app.test_client()
        zh = {"Accept-Language": "zh-CN"}
        assert sign_in(client, email, "wrong password", headers=zh).status_code == 401
        second = sign_in(client, email, "wrong password", headers=zh)
        assert second.status_code == 401 and second.headers["Retry-After"] == "30"
        assert "邮箱或密码不正确。" in second.text
        assert "此邮箱地址登录失败次数过多。请等待30秒钟后再试。" in second.text
        # Another client (another address, in production) gets the same wait.
        refused = sign_in(limited_app.test_client(), email, PASSWORD,
                          headers={"Accept-Language": "en"})
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
        assert ("Too many failed sign-ins with this email address. Wait 30 seconds, "
                "then try again.") in refused.text
        assert "Email or password is incorrect." not in refused.text
        pages[email] = without_csrf(refused.text).replace(email, "X")
    assert pages["co@example.com"] == pages["nobody@example.com"]


def test_the_email_is_counted_as_the_account_is_found_trimmed_and_in_any_case(limited_app):
    client = limited_app.test_client()
    sign_in(client, "CO@example.com", "wrong password")
    sign_in(client, "  co@EXAMPLE.com ", "wrong password")
    assert sign_in(client, "co@example.com", PASSWORD).status_code == 429


def test_a_successful_sign_in_clears_the_count(limited_app):
    client = limited_app.test_client()
    assert sign_in(client, "co@example.com", "wrong password").status_code == 401
    assert sign_in(client, "co@example.com", PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/coordinator/").text)})
    # Had the first failure still counted, this second one would start a delay.
    again = sign_in(client, "co@example.com", "wrong password")
    assert again.status_code == 401 and "Retry-After" not in again.headers


def test_the_delay_doubles_with_each_failure_up_to_the_cap(limited_app):
    with limited_app.test_request_context("/login", headers={"Accept-Language": "en"}):
        delays = [throttle.record_failure("someone@example.com") for _ in range(5)]
        assert delays == [0, 30, 60, 100, 100]
        # Past two minutes the wait is said in whole minutes, rounded up.
        assert "Wait 3 minutes," in _wait_message(130)
        assert "Wait 90 seconds," in _wait_message(90)


def test_with_the_limits_off_nothing_is_counted(limited_app):
    limited_app.config["RATELIMIT_ENABLED"] = False
    client = limited_app.test_client()
    for _ in range(3):
        assert sign_in(client, "co@example.com", "wrong password").status_code == 401
    assert sign_in(client, "co@example.com", PASSWORD).status_code == 302
