"""The sign-in limits hold across app processes sharing Redis (issue 22, item 2).

Two app processes (as two gunicorn workers would be) serve one SQLite file and count in one Redis
(redis://127.0.0.1:6379 unless TEST_REDIS_URL says otherwise) under a key prefix of this test's
own, removed afterwards. The per-address limit counts requests to either process together, and
the per-account delay started by failures in one process holds in the other, for an unknown
address as for a known one; once the delay has run out (short delays here: the storage expires
them on the real clock, so the test waits two seconds) the right password signs in.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from scheduler import create_app
from scheduler.extensions import db as _db
from tests import factories as f
from tests.dbutil import REDIS_URL, app_config

# Run while no other test does (tests/alone.py): a delay that Redis times on the real clock,
# two app processes.
pytestmark = pytest.mark.alone

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
PER_ADDRESS = 12  # sign-in and forgot-password posts a minute from one address


@pytest.fixture(scope="module")
def two_app_processes(sqlite_template, tmp_path_factory, redis_prefix):
    """Start two app processes on one database and one Redis; yield their base URLs.

    The tests of this module share them (starting two costs seconds): they count on different
    keys (the sign-in route for one address and one account, the forgot-password route).
    """
    path = tmp_path_factory.mktemp("two-processes") / "shared.db"
    shutil.copy(sqlite_template, path)
    config = app_config(f"sqlite:///{path}")
    app = create_app(config)
    with app.app_context():
        f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD,
                    language="en")
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    served = config | {
        "WTF_CSRF_ENABLED": False,  # not what is tested here; tests/web/test_auth.py checks it
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_prefix, "LOGIN_RATE_LIMIT": f"{PER_ADDRESS} per minute",
        "LOGIN_ACCOUNT_FREE_FAILURES": 2, "LOGIN_ACCOUNT_FIRST_DELAY_SECONDS": 2,
    }
    processes = [subprocess.Popen([sys.executable, "-m", "tests.web.app_process",
                                   json.dumps(served)],
                                  cwd=ROOT, stdout=subprocess.PIPE, text=True)
                 for _ in range(2)]
    try:
        yield [f"http://127.0.0.1:{int(p.stdout.readline())}" for p in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
            process.stdout.close()


def _sign_in(base: str, email: str, password: str) -> requests.Response:
    return requests.post(f"{base}/login", data={"email": email, "password": password},
                         headers={"Accept-Language": "en"}, allow_redirects=False, timeout=10)


def test_the_per_account_delay_holds_across_processes_and_runs_out(two_app_processes):
    a, b = two_app_processes
    for email in ("co@example.com", "nobody@example.com"):  # an unknown address alike
        assert _sign_in(a, email, "wrong password").status_code == 401
        second = _sign_in(b, email, "wrong password")  # the second failure starts 2 s
        assert second.status_code == 401 and second.headers["Retry-After"] == "2"
        assert "Wait 2 seconds, then try again." in second.text
        # The delay started in process b holds in process a, for the right password too.
        refused = _sign_in(a, email, PASSWORD)
        assert refused.status_code == 429 and refused.headers["Retry-After"] in ("1", "2")
        assert "Too many failed sign-ins with this email address. Wait" in refused.text
    time.sleep(2.2)

    # No permanent lockout: the right password works once the delay is over...
    assert _sign_in(b, "co@example.com", PASSWORD).status_code == 302
    # ...and a success clears the count: one more failure is free again (the doubling of the
    # delay is shown in test_login_throttle.py).
    again = _sign_in(a, "co@example.com", "wrong password")
    assert again.status_code == 401 and "Retry-After" not in again.headers


def test_the_per_address_limit_counts_both_processes_together(two_app_processes):
    a, b = two_app_processes
    statuses = [requests.post(f"{(a, b)[n % 2]}/account/forgot", data={"email": ""},
                              timeout=10).status_code
                for n in range(PER_ADDRESS + 1)]
    # Counted per process (memory://), each would allow PER_ADDRESS: twice as many in all.
    assert statuses == [200] * PER_ADDRESS + [429]
