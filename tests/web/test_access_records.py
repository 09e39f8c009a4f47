"""Who looked (issue 25 item 4): every route that shows a candidate's personal data writes one
access record per request, found from the URL map.

A route "shows candidate data" when its view is marked `shows_candidate_data` (scheduler/web.py).
The URL map is walked: a route that takes an argument naming a candidate, an application, an
interview, a link, a message or a token must be marked or listed in EXEMPT with a reason; any
other page that shows a world candidate's name or address must be marked too. Each marked route
is then requested and must write exactly one record, naming the candidate its arguments point at;
a refused caller (403/404) writes none.

Runs on SQLite only, on the permission matrix's world (tests/web/route_world.py): which routes
record does not depend on the database; the record's writing is tested on both in
tests/web/test_access_page.py.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import AccessRecord, Application, Candidate
from tests.web.route_world import RouteApp, url_for_rule

# Arguments that name a candidate's data (directly or through what it belongs to).
SUBJECT_ARGS = {"application_id", "candidate_id", "interview_id", "link_id", "message_id",
                "token"}

_REDIRECTS = ("changes something and redirects: it shows nothing itself, and the page it "
              "returns to records the look")
EXEMPT = {
    "candidate.book": "the candidate's own link: the person looking is the data subject",
    "candidate.cancel": "the candidate's own link: the person looking is the data subject",
    "candidate.confirm": "the candidate's own link: the person looking is the data subject",
    "candidate.download": "the candidate's own link: the person looking is the data subject",
    "candidate.hours": "the candidate's own link: the person looking is the data subject",
    "candidate.language": "the candidate's own link: the person looking is the data subject",
    "candidate.no_consent": "the candidate's own link: the person looking is the data subject",
    "candidate.none_work": "the candidate's own link: the person looking is the data subject",
    "candidate.page": "the candidate's own link: the person looking is the data subject",
    "candidate.unknown": "answers an unknown link with the same friendly page: no data",
    "candidate.zone": "the candidate's own link: the person looking is the data subject",
    "auth.reset_password": "a password-reset token: staff only, no candidate data",
    "feeds.interviewer_feed": "a capability polled by the interviewer's own calendar app with no "
                              "sign-in (no person to record but the feed's owner); it lists "
                              "their own interviews, whose pages record their looks",
    "interviewer.feedback_draft": "answers a draft save with its time or a refusal (JSON): no "
                                  "candidate data",
    "admin.swap_seat": _REDIRECTS,
    "coordinator.cancel": _REDIRECTS,
    "coordinator.choose_reviewer": _REDIRECTS,
    "coordinator.decide": _REDIRECTS,
    "coordinator.mark_interview_no_show": _REDIRECTS,
    "coordinator.resend": _REDIRECTS,
    "coordinator.resend_candidate_mail": _REDIRECTS,
    "coordinator.resend_link": _REDIRECTS,
    "coordinator.revoke_link": _REDIRECTS,
    "coordinator.send_link": _REDIRECTS,
    "interviewer.amend_feedback": _REDIRECTS,
}


@pytest.fixture(scope="module")
def routes(sqlite_template, tmp_path_factory):
    return RouteApp.on_sqlite(tmp_path_factory.mktemp("access"), sqlite_template)


def _marked(routes: RouteApp, endpoint: str) -> str | None:
    return getattr(routes.app.view_functions[endpoint], "shows_candidate_data", None)


def _records(routes: RouteApp) -> list[tuple]:
    with routes.app.app_context():
        rows = db.session.execute(sa.select(
            AccessRecord.user_id, AccessRecord.what, AccessRecord.endpoint,
            AccessRecord.candidate_id, AccessRecord.application_id)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def _world_people(routes: RouteApp) -> list[str]:
    with routes.app.app_context():
        people = [text for c in db.session.scalars(sa.select(Candidate))
                  for text in (c.name, c.email)]
        db.session.remove()
    return people


def _get_rules(routes: RouteApp):
    return sorted((rule for rule in routes.app.url_map.iter_rules() if "GET" in rule.methods),
                  key=lambda rule: rule.rule)


def test_every_route_naming_a_candidate_is_marked_or_exempt(routes):
    unclassified = sorted(
        rule.endpoint for rule in routes.app.url_map.iter_rules()
        if set(rule.arguments) & SUBJECT_ARGS and not _marked(routes, rule.endpoint)
        and rule.endpoint not in EXEMPT)
    assert unclassified == [], ("mark these views @shows_candidate_data(...) or add them to "
                                "EXEMPT with a reason")
    both = sorted(e for e in EXEMPT if e in routes.app.view_functions and _marked(routes, e))
    assert both == []
    assert all(reason.strip() for reason in EXEMPT.values())


def test_every_other_page_showing_a_candidate_is_marked(routes):
    # Lists, boards and exports take no candidate argument: any page that shows a world
    # candidate's name or address to a person holding every role must be marked.
    client = routes.client("all_roles")
    people = _world_people(routes)
    showing = []
    for rule in _get_rules(routes):
        if _marked(routes, rule.endpoint) or rule.endpoint in EXEMPT or rule.endpoint == "static":
            continue
        response = client.get(url_for_rule(rule, routes.world))
        client.reset_session()
        routes.restore_if_written()
        if any(person in response.get_data(as_text=True) for person in people):
            showing.append(rule.endpoint)
    assert showing == []


def test_each_marked_route_writes_one_record_naming_its_candidate(routes):
    client = routes.client("all_roles")
    with routes.app.app_context():
        user_id = db.session.scalar(sa.text("SELECT id FROM user WHERE email = 'all@example.com'"))
        db.session.remove()
    written, expected, shown = {}, {}, set()
    for rule in _get_rules(routes):
        what = _marked(routes, rule.endpoint)
        if what is None:
            continue
        assert routes.has_written() is False
        response = client.get(url_for_rule(rule, routes.world))
        client.reset_session()
        records = _records(routes)
        routes.restore_if_written()
        assert response.status_code in (200, 302, 409), rule.endpoint
        values = {**routes.world.args, **routes.world.endpoint_args.get(rule.endpoint, {})}
        candidate_id = application_id = None
        with routes.app.app_context():
            if "application_id" in rule.arguments:
                application_id = values["application_id"]
            elif "interview_id" in rule.arguments:
                application_id = db.session.scalar(sa.text(
                    "SELECT application_id FROM interview WHERE id = :id"),
                    {"id": values["interview_id"]})
            if application_id is not None:
                candidate_id = db.session.get(Application, application_id).candidate_id
            elif "candidate_id" in rule.arguments:
                candidate_id = values["candidate_id"]
            db.session.remove()
        written[rule.endpoint] = records
        if response.status_code == 200:
            shown.add(rule.endpoint)
        # A page shown writes one record; a redirect (booking without a chosen time) or a
        # refusal (free times of a stage already booked) shows nothing and writes none.
        expected[rule.endpoint] = [(user_id, what, rule.endpoint, candidate_id, application_id)
                                   ] if response.status_code == 200 else []
    assert written == expected
    # The declared set is not empty by accident: the pages the issue names are in it.
    assert {"coordinator.application", "coordinator.application_feedback",
            "coordinator.export_candidate_json", "coordinator.export_candidate_page",
            "interviewer.feedback", "coordinator.home", "coordinator.board",
            "coordinator.pipeline", "admin.access"} <= shown


@pytest.mark.parametrize("role, url, status", [
    ("on_panel", "/coordinator/applications/{application_id}", 403),
    ("on_panel", "/interviewer/interviews/{off_interview}/feedback", 404),
    ("coordinator", "/coordinator/candidates/{candidate_id}/export", 200),
])
def test_a_refused_look_writes_no_record(routes, role, url, status):
    client = routes.client(role)
    values = {**routes.world.args, **routes.world.other}
    response = client.get(url.format(**values))
    records = _records(routes)
    routes.restore_if_written()
    assert response.status_code == status
    assert len(records) == (1 if status == 200 else 0)
