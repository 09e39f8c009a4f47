"""One log line per request (logger scheduler.requests) with its method, status and duration, and
no capability token anywhere in the log (issue 26 item 4).

Every route of the URL map that takes a token (scheduling links, password resets, calendar feeds;
found by argument name, so a new token route is covered without editing this file) is requested
with a valid token, an unknown one, and a query string carrying tokens, and a path no route
matches under a token route's prefix; none of the tokens may appear in any captured line.
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from scheduler.request_log import REDACTED, TOKEN_ARGUMENTS
from scheduler.services.feeds import issue_feed_token
from scheduler.services.links import create_link
from scheduler.services.password_reset import make_reset_token
from tests import factories as f
from tests.services.booking_setup import booking_world
from tests.web.helpers import sign_in

LINE = re.compile(r"^(GET|POST) (\S+) (\d{3}) (\d+\.\d)ms( user=\d+)?$")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def request_lines(caplog):
    """The request log's lines so far (every logger at INFO is captured, for the token check)."""
    caplog.set_level(logging.INFO)

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "scheduler.requests"]

    return lines


@pytest.fixture
def tokens(db, now):
    """A valid token for each kind of token route, by blueprint, and one that is valid nowhere."""
    people, requisition, [application] = booking_world()
    coordinator = f.make_user(roles=("coordinator",))
    _link, link_token = create_link(coordinator, application, requisition.stages[:1], 0,
                                    now + timedelta(days=7), now)
    feed_token = issue_feed_token(people[0].user, people[0], now)
    reset_token = make_reset_token(people[0].user, now)
    db.session.commit()
    return {"candidate": link_token, "feeds": feed_token, "auth": reset_token,
            "unknown": "Zq9unknownTOKENxY7wV3uT1sR5pQ0oN2mL4kJ6hG8fD"}


def _token_rules(app):
    return [rule for rule in app.url_map.iter_rules() if TOKEN_ARGUMENTS & set(rule.arguments)]


def test_token_routes_log_one_line_each_with_every_token_redacted(app, client, tokens,
                                                                  request_lines, caplog):
    rules = _token_rules(app)
    assert {rule.endpoint.partition(".")[0] for rule in rules} >= {"candidate", "feeds", "auth"}
    secrets = set(tokens.values())
    sent = []
    for rule in rules:
        valid = tokens[rule.endpoint.partition(".")[0]]
        method = "GET" if "GET" in rule.methods else "POST"
        for token in (valid, tokens["unknown"]):
            path = rule.build({name: token for name in rule.arguments}, append_unknown=False)[1]
            for query in ("", f"?change=1&token={valid}&next=/schedule/{valid}/confirm"):
                response = client.open(path + query, method=method)
                sent.append((method, response.status_code, path, query))
    # Paths no rule matches, under each token route's fixed prefix, and a nested one.
    for path in (f"/feeds/{tokens['feeds']}", f"/account/reset/{tokens['auth']}/extra",
                 f"/schedule/{tokens['candidate']}/no-such-page/{tokens['unknown']}"):
        response = client.post(path)
        sent.append(("POST", response.status_code, path, ""))

    lines = request_lines()
    assert len(lines) == len(sent), "one line per request"
    for line, (method, status, path, query) in zip(lines, sent):
        match = LINE.match(line)
        assert match, line
        assert match.group(1) == method and int(match.group(3)) == status, (line, status)
        assert REDACTED in match.group(2), line
        if query:
            assert "change=1" in match.group(2) and f"token={REDACTED}" in match.group(2), line
            assert match.group(2).endswith(f"next=/schedule/{REDACTED}"), line
    # Valid tokens reached their pages, so redaction covered real answers, not only refusals.
    assert any(s == 200 and p.startswith("/schedule/") for _m, s, p, _q in sent)
    assert any(s == 200 and p.startswith("/feeds/") for _m, s, p, _q in sent)
    assert any(s == 200 and p.startswith("/account/reset/") for _m, s, p, _q in sent)
    # No token anywhere in the log, from any logger.
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for secret in secrets:
        assert secret not in everything
        assert secret[:16] not in everything


def test_a_line_names_the_signed_in_user_and_the_route_as_is(app, client, db, request_lines):
    user = f.make_user(email="coordinator@example.com", roles=("coordinator",),
                       password=PASSWORD, language="en")
    db.session.commit()
    assert sign_in(client, "coordinator@example.com", PASSWORD).status_code == 302
    response = client.get("/coordinator/openings?page=2")
    assert response.status_code == 200
    last = request_lines()[-1]
    assert LINE.match(last), last
    assert last.startswith("GET /coordinator/openings?page=2 200 ")
    assert last.endswith(f" user={user.id}")


def test_the_development_servers_own_line_is_redacted_too(app, tokens, caplog):
    # `flask run` (the README's run command) is werkzeug's server, which prints its own line per
    # request with the raw path: a real one is started here and its lines read.
    from http.client import HTTPConnection
    from threading import Thread

    from werkzeug.serving import make_server

    from tests.ports import HOST, reserve_port

    caplog.set_level(logging.INFO)
    server = make_server(HOST, reserve_port(), app)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    valid = tokens["candidate"]
    paths = [f"/schedule/{valid}?token={valid}&next=/feeds/{tokens['feeds']}.ics",
             f"/feeds/{tokens['feeds']}.ics", f"/account/reset/{tokens['auth']}",
             f"/schedule/{tokens['unknown']}/no-such-page"]
    try:
        for path in paths:
            connection = HTTPConnection(HOST, server.port, timeout=30)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()
    finally:
        server.shutdown()
        thread.join()
    served = [r.getMessage() for r in caplog.records
              if r.name == "werkzeug" and " HTTP/1.1" in r.getMessage()]
    assert len(served) == len(paths)
    assert all(REDACTED in line for line in served), served
    assert '"GET /schedule/[redacted] HTTP/1.1" 200' in served[0]
    for secret in tokens.values():
        assert not any(secret[:16] in line for line in served), served
