"""No input gets a 500: a hypothesis fuzz of every form and link parameter the pages offer.

The forms are found, not listed: every GET route of the URL map is opened as each caller of the
permission matrix (tests/web/route_world.py builds the world), and each <form> on the pages and
each query parameter of their links is collected (tests/web/page_forms.py), so a new form is
fuzzed without a new entry. Each example sends a form as the page would, with some fields
replaced by odd values — digits int() refuses ("²") or reads (Arabic-Indic "٣", full-width),
integers beyond the database's range, years 1 and 9999, NUL, CR/LF (a header split), very long
and right-to-left text — or left out. Ids in URLs get the odd integers too. Every answer must be
something other than 500.

Seeded and bounded (derandomize=True, a few examples per form): on SQLite every kind of value;
on PostgreSQL, which refuses NUL in text and integers beyond its columns, the text and integer
values. The SQLite world is put back as built after each example that wrote.
"""
from __future__ import annotations

import re

import pytest
from flask import got_request_exception
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.dbutil import TEST_DATABASE_URL
from tests.web.page_forms import page_forms, page_query_names
from tests.web.route_world import RouteApp, url_for_rule

ODD_INTEGERS = ["²", "٣", "１２", "2147483648", "9223372036854775808", "-9223372036854775809",
                "1" + "0" * 40, "-1"]
ODD_DATES = ["0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59",
             "0001-01-01T00:00Z", "9999-12-31T23:59:59+14:00"]
ODD_TEXT = ["a\x00b", "\x00", "/x\r\nSet-Cookie: a=b", "\r\n", "x" * 5000,
            "\u202eevil\u202c مرحبا \u200f", "/" + "a" * 3000]
EVERY_KIND = ODD_INTEGERS + ODD_DATES + ODD_TEXT
TEXT_AND_INTEGERS = ODD_INTEGERS + ODD_TEXT
LEFT_OUT = None
EXAMPLES_PER_FORM = {"sqlite": 4, "postgresql": 3}


@pytest.fixture(scope="module")
def sqlite_routes(sqlite_template, tmp_path_factory):
    return RouteApp.on_sqlite(tmp_path_factory.mktemp("fuzz"), sqlite_template)


@pytest.fixture(scope="module")
def postgres_routes(request):
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    from tests.conftest import _truncate_all

    config = request.getfixturevalue("postgres_database")
    yield RouteApp(config)
    _truncate_all(config)


class Surface:
    """What the pages offer, found by opening every GET route as every caller."""

    def __init__(self, routes: RouteApp):
        # Signed out, and as one person with every role who sits on the panels: between them
        # they open every page (the matrix checks who else may).
        self.clients = {role: routes.client(role) for role in ("anonymous", "all_roles")}
        self.forms, self.queries = {}, {}
        for rule in sorted(routes.app.url_map.iter_rules(), key=lambda r: r.endpoint):
            if "GET" not in rule.methods or rule.arguments & {"filename"}:
                continue
            url = url_for_rule(rule, routes.world)
            for role, client in self.clients.items():
                response = client.get(url)
                client.reset_session()
                if response.status_code != 200 or "html" not in response.content_type:
                    continue
                for form in page_forms(response.text, f"http://localhost{url}"):
                    if set(form.fields) - {"csrf_token"} or form.method == "GET":
                        self.forms.setdefault(form.signature, (role, form))
                for path, names in page_query_names(response.text,
                                                    f"http://localhost{url}").items():
                    self.queries.setdefault(path, (role, set()))[1].update(names)
            routes.restore_if_written()


@pytest.fixture(scope="module")
def sqlite_surface(sqlite_routes):
    return Surface(sqlite_routes)


class Failures:
    """The exceptions the app answered with 500, as the test's failure message."""

    def __init__(self, app):
        self.found: list[str] = []
        got_request_exception.connect(self._record, app)

    def _record(self, _sender, exception, **_extra):
        self.found.append(f"{type(exception).__name__}: {str(exception)[:200]}")


def _fuzz_form(routes: RouteApp, surface: Surface, role: str, form, values: list,
               examples: int) -> list:
    """Send *form* with odd values as *role*; return what answered 500."""
    client = surface.clients[role]
    failures = Failures(routes.app)
    names = sorted(form.fields)
    odd = st.one_of(st.just(LEFT_OUT), st.sampled_from(values))
    choice = st.dictionaries(st.sampled_from(names), odd, min_size=1, max_size=3)
    problems = []

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(changes=choice)
    def send(changes):
        data = MultiDict([(k, v) for k, v in form.data() if k not in changes])
        for name, value in changes.items():
            if value is not LEFT_OUT:
                data.add(name, value)
        if "csrf_token" in changes or any(n.endswith("-csrf_token") for n in changes):
            return  # a missing or odd token is the CSRF test's (a 400 before the form is read)
        path = form.action
        response = (client.get(path.split("?")[0], query_string=data) if form.method == "GET"
                    else client.post(path, data=data))
        client.reset_session()
        routes.restore_if_written()
        if response.status_code >= 500:
            problems.append(f"{form.method} {path} {dict(changes)!r}: {failures.found[-1:]}")

    send()
    return problems


def _fuzz_links(routes: RouteApp, surface: Surface, values: list, per_name: int) -> list:
    """Send each link parameter *per_name* odd values (the parameters take turns through
    *values*, so all of them are sent somewhere); return what answered 500."""
    problems = []
    failures = Failures(routes.app)
    turn = 0
    for path, (role, names) in sorted(surface.queries.items()):
        client = surface.clients[role]
        for name in sorted(names):
            for _ in range(per_name):
                value, turn = values[turn % len(values)], turn + 1
                response = client.get(path, query_string={name: value})
                client.reset_session()
                routes.restore_if_written()
                if response.status_code >= 500:
                    problems.append(f"GET {path}?{name}={value!r}: {failures.found[-1:]}")
    return problems


def _fuzz_ids_in_urls(routes: RouteApp, surface: Surface) -> list:
    """Put odd integers where URLs carry ids: they are not found (404), never a 500."""
    problems = []
    client = surface.clients["all_roles"]
    for rule in routes.app.url_map.iter_rules():
        ids = [name for name, converter in rule._converters.items()
               if type(converter).__name__ == "IdConverter"]
        for name in ids:
            # One converter reads every id: beyond PostgreSQL's and SQLite's range, and a digit
            # int() reads ("٣"), are enough to prove it everywhere.
            for value in ("2147483648", "9223372036854775808", "٣"):
                url = url_for_rule(rule, routes.world, **{name: value})
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    response = client.open(url, method=method,
                                           data={"csrf_token": client.csrf_token})
                    client.reset_session()
                    routes.restore_if_written()
                    if response.status_code not in (404, 405):
                        problems.append(f"{method} {url}: {response.status_code}")
    return problems


def test_the_fuzz_finds_the_forms(sqlite_surface):
    actions = {re.sub(r"/\d+", "/<id>", form.action.split("?")[0])
               for _, form in sqlite_surface.forms.values()}
    # A few of each blueprint, signed out and signed in: the discovery itself works.
    for path in ("/login", "/account/forgot", "/admin/workdays", "/coordinator/board",
                 "/availability/<id>/blocks", "/interviewer/interviews/<id>/feedback",
                 "/coordinator/openings/<id>/stages/<id>"):
        assert any(action.endswith(path) for action in actions), path
    assert len(sqlite_surface.forms) >= 40


def test_no_form_answers_500_on_sqlite(sqlite_routes, sqlite_surface):
    problems = []
    for role, form in sqlite_surface.forms.values():
        problems += _fuzz_form(sqlite_routes, sqlite_surface, role, form, EVERY_KIND,
                               EXAMPLES_PER_FORM["sqlite"])
    assert problems == []


def test_no_link_parameter_or_id_answers_500_on_sqlite(sqlite_routes, sqlite_surface):
    problems = _fuzz_links(sqlite_routes, sqlite_surface, EVERY_KIND, per_name=3)
    problems += _fuzz_ids_in_urls(sqlite_routes, sqlite_surface)
    assert problems == []


def test_no_form_answers_500_on_postgresql(postgres_routes):
    surface = Surface(postgres_routes)
    problems = []
    for role, form in surface.forms.values():
        problems += _fuzz_form(postgres_routes, surface, role, form, TEXT_AND_INTEGERS,
                               EXAMPLES_PER_FORM["postgresql"])
    problems += _fuzz_links(postgres_routes, surface, TEXT_AND_INTEGERS, per_name=3)
    assert problems == []
