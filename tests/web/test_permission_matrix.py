"""Who may reach every route, generated from the URL map; object checks by swapped ids; CSRF.

MATRIX holds one line per endpoint: for each method it answers, the status each of seven callers
gets — anonymous, a candidate (who holds another application's link), the interviewer on the
subject interviews' panel, an interviewer on none, the subject opening's coordinator, a
coordinator of another opening only (least access, issue 24: that candidate's pages are not found
for them), an admin. "L" is a redirect to
the sign-in page. Every rule of app.url_map is requested as each caller with arguments taken
from real rows (tests/web/route_world.py); a POST carries the caller's own CSRF token, so the
answer is about who asks. An endpoint without a line fails `test_every_endpoint_has_a_line`,
which names it: add its line here when you add a route.

OBJECT_CHECKS change one id in a URL or a form field to another owner's (an interviewer's
feedback on an interview they are not on, their own profile with someone else's busy block, a
decision on another opening's stage, a candidate's link with another application's page…) and
check the refusal and that nothing was written; each has a twin with the caller's own ids that
does write, so the check can fail.

CSRF: every rule that accepts POST is sent without a token and with another session's token as
a person who holds every role and sits on the panel: both get 400 and write nothing, while the
same request with the session's own token gets past the check.

Permissions do not depend on the database, so this runs on SQLite only, on one world built once.
"""
from __future__ import annotations

import pytest

from tests.web.route_world import LINK_B_TOKEN, ROLES, RouteApp, url_for_rule

# endpoint: "METHOD: anonymous candidate on_panel off_panel coordinator other_coordinator admin
#             | METHOD: …"
MATRIX = {
    "admin.add_schedule": "POST: L L 403 403 403 403 200",
    "admin.access": "GET: L L 403 403 403 403 200",
    "admin.add_workday": "POST: L L 403 403 403 403 200",
    "admin.audit": "GET: L L 403 403 403 403 200",
    "admin.confirm_deactivate": "GET: L L 403 403 403 403 200",
    "admin.deactivate_staff": "POST: L L 403 403 403 403 302",
    "admin.edit_office": "GET: L L 403 403 403 403 200 | POST: L L 403 403 403 403 302",
    "admin.edit_staff": "GET: L L 403 403 403 403 200 | POST: L L 403 403 403 403 200",
    "admin.export_audit": "GET: L L 403 403 403 403 200",
    "admin.home": "GET: L L 403 403 403 403 302",
    "admin.mark_year": "POST: L L 403 403 403 403 400",
    "admin.new_office": "GET: L L 403 403 403 403 200 | POST: L L 403 403 403 403 200",
    "admin.new_staff": "GET: L L 403 403 403 403 200 | POST: L L 403 403 403 403 200",
    "admin.offices": "GET: L L 403 403 403 403 200",
    "admin.reactivate_staff": "POST: L L 403 403 403 403 302",
    "admin.remove_workday": "POST: L L 403 403 403 403 302",
    "admin.staff": "GET: L L 403 403 403 403 200",
    "admin.swap_seat": "POST: L L 403 403 403 403 302",
    "admin.unmark_year": "POST: L L 403 403 403 403 400",
    "admin.workdays": "GET: L L 403 403 403 403 200",
    "auth.change_password": "GET: L L 200 200 200 200 200 | POST: L L 200 200 200 200 200",
    "auth.forgot_password": "GET: 200 200 200 200 200 200 200 | POST: 200 200 200 200 200 200 200",
    "auth.home": "GET: L L 302 302 302 302 302",
    "auth.login": "GET: 200 200 302 302 302 302 302 | POST: 200 200 302 302 302 302 302",
    "auth.logout": "POST: L L L L L L L",
    "auth.reset_password": "GET: 404 404 404 404 404 404 404 | POST: 404 404 404 404 404 404 404",
    "auth.set_language": "POST: 400 400 400 400 400 400 400",
    "availability.add_block": "POST: L L 200 403 200 200 200",
    "availability.add_override": "POST: L L 200 403 200 200 200",
    "availability.connect_caldav": "POST: L L 200 403 200 200 200",
    "availability.edit_calendar": "GET: L L 200 403 200 200 200 | POST: L L 302 403 302 302 302",
    "availability.edit_profile": "GET: L L 403 403 200 200 200 | POST: L L 403 403 200 200 200",
    "availability.interviewers": "GET: L L 403 403 200 200 200",
    "availability.make_feed": "POST: L L 200 403 403 403 403",
    "availability.mine": "GET: L L 302 302 302 302 302",
    "availability.new_profile": "GET: L L 403 403 200 200 200 | POST: L L 403 403 200 200 200",
    "availability.page": "GET: L L 200 403 200 200 200",
    "availability.refresh_calendar": "POST: L L 302 403 302 302 302",
    "availability.remove_block": "POST: L L 302 403 302 302 302",
    "availability.remove_calendar": "POST: L L 302 403 302 302 302",
    "availability.remove_override": "POST: L L 302 403 302 302 302",
    "availability.save_hours": "POST: L L 302 403 302 302 302",
    "availability.save_zone": "POST: L L 200 403 200 200 200",
    "availability.stop_feed": "POST: L L 302 403 302 302 302",
    "availability.subscribe_calendar": "POST: L L 200 403 200 200 200",
    "availability.upload_calendar": "POST: L L 200 403 200 200 200",
    # A scheduling link is a capability: whoever holds its token may use it (DESIGN.md §10).
    "candidate.book": "POST: 302 302 302 302 302 302 302",
    "candidate.cancel": "GET: 302 302 302 302 302 302 302 | POST: 302 302 302 302 302 302 302",
    "candidate.confirm": "GET: 302 302 302 302 302 302 302",
    "candidate.download": "GET: 302 302 302 302 302 302 302",
    "candidate.hours": "POST: 302 302 302 302 302 302 302",
    "candidate.language": "POST: 302 302 302 302 302 302 302",
    "candidate.no_consent": "GET: 200 200 200 200 200 200 200",
    "candidate.none_work": "GET: 200 200 200 200 200 200 200 | POST: 200 200 200 200 200 200 200",
    "candidate.page": "GET: 200 200 200 200 200 200 200",
    "candidate.unknown": "GET: 404 404 404 404 404 404 404",
    "candidate.zone": "POST: 302 302 302 302 302 302 302",
    "coordinator.add_existing_candidate": "GET: L L 403 403 200 404 200 | "
                                          "POST: L L 403 403 200 404 200",
    "coordinator.application": "GET: L L 403 403 200 404 200",
    "coordinator.application_feedback": "GET: L L 403 403 200 404 200",
    "coordinator.application_links": "GET: L L 403 403 200 404 200",
    "coordinator.application_slots": "GET: L L 403 403 409 404 409",
    "coordinator.board": "GET: L L 403 403 200 200 200",
    "coordinator.export_applications": "GET: L L 403 403 200 200 200",
    "coordinator.export_candidate_json": "GET: L L 403 403 200 404 200",
    "coordinator.export_candidate_page": "GET: L L 403 403 200 404 200",
    "coordinator.overview": "GET: L L 403 403 200 200 200",
    "coordinator.pipeline": "GET: L L 403 403 200 200 200",
    "coordinator.board_ics": "GET: L L 403 403 200 200 200",
    "coordinator.book": "GET: L L 403 403 302 404 302 | POST: L L 403 403 302 404 302",
    "coordinator.calibration": "GET: L L 403 403 200 200 200",
    "coordinator.cancel": "POST: L L 403 403 302 404 302",
    "coordinator.choose_reviewer": "POST: L L 403 403 302 404 302",
    "coordinator.decide": "POST: L L 403 403 404 404 404",
    "coordinator.edit_candidate": "GET: L L 403 403 200 404 200 | POST: L L 403 403 302 404 302",
    "coordinator.erase_candidate": "GET: L L 403 403 200 404 200 | POST: L L 403 403 200 404 200",
    "coordinator.edit_opening": "GET: L L 403 403 200 200 200 | POST: L L 403 403 200 200 200",
    "coordinator.edit_stage": "GET: L L 403 403 200 200 200 | POST: L L 403 403 302 302 302",
    "coordinator.home": "GET: L L 403 403 200 200 200",
    "coordinator.mark_interview_no_show": "POST: L L 403 403 302 404 302",
    "coordinator.move_stage_view": "POST: L L 403 403 400 400 400",
    "coordinator.new_candidate": "GET: L L 403 403 200 200 200 | POST: L L 403 403 200 200 200",
    "coordinator.new_opening": "GET: L L 403 403 200 200 200 | POST: L L 403 403 200 200 200",
    "coordinator.new_stage": "GET: L L 403 403 200 200 200 | POST: L L 403 403 200 200 200",
    "coordinator.opening": "GET: L L 403 403 200 200 200",
    "coordinator.opening_loops": "POST: L L 403 403 200 200 200",
    "coordinator.openings": "GET: L L 403 403 200 200 200",
    "coordinator.outbox": "GET: L L 403 403 200 200 200",
    "coordinator.remove_stage_view": "GET: L L 403 403 200 200 200 | POST: L L 403 403 200 200 200",
    "coordinator.reschedule": "GET: L L 403 403 200 404 200 | POST: L L 403 403 200 404 200",
    "coordinator.resend": "POST: L L 403 403 302 404 302",
    "coordinator.resend_candidate_mail": "POST: L L 403 403 302 404 302",
    "coordinator.resend_link": "POST: L L 403 403 302 404 302",
    "coordinator.revoke_link": "POST: L L 403 403 302 404 302",
    "coordinator.send_link": "POST: L L 403 403 302 404 302",
    "coordinator.swap": "GET: L L 403 403 200 404 200 | POST: L L 403 403 302 404 302",
    # A feed address is a capability too (calendar apps fetch it without signing in).
    "feeds.interviewer_feed": "GET: 200 200 200 200 200 200 200",
    # A load balancer's health check: anyone, no login, no details (issue 26).
    "health.healthz": "GET: 200 200 200 200 200 200 200",
    "interviewer.amend_feedback": "POST: L L 302 404 403 403 403",
    "interviewer.decline": "GET: L L 200 404 403 403 403 | POST: L L 200 404 403 403 403",
    "interviewer.feedback": "GET: L L 200 404 403 403 403 | POST: L L 302 404 403 403 403",
    "interviewer.feedback_draft": "POST: L L 200 404 403 403 403",
    "interviewer.home": "GET: L L 200 200 403 403 403",
    "interviewer.no_show": "GET: L L 200 404 403 403 403 | POST: L L 200 404 403 403 403",
    # The privacy notice is public (issue 24): anyone, signed in or not, in either language.
    "public.privacy_notice": "GET: 200 200 200 200 200 200 200",
    "public.privacy_notice_here": "GET: 302 302 302 302 302 302 302",
    "static": "GET: 200 200 200 200 200 200 200",
}


def _expected(line: str) -> dict[str, dict[str, str]]:
    """Read a MATRIX line into {method: {role: status}}."""
    expected = {}
    for part in line.split("|"):
        method, _, statuses = part.partition(":")
        values = statuses.split()
        assert len(values) == len(ROLES), f"{line!r}: one status per caller: {ROLES}"
        expected[method.strip()] = dict(zip(ROLES, values))
    return expected


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "L"
    return str(response.status_code)


@pytest.fixture(scope="module")
def routes(sqlite_template, tmp_path_factory):
    return RouteApp.on_sqlite(tmp_path_factory.mktemp("matrix"), sqlite_template)


def _rules(routes: RouteApp):
    return sorted(routes.app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


def test_every_endpoint_has_a_line(routes):
    endpoints = {rule.endpoint for rule in routes.app.url_map.iter_rules()}
    missing, gone = sorted(endpoints - set(MATRIX)), sorted(set(MATRIX) - endpoints)
    assert not missing, (f"no permission matrix line for {missing}: add one per endpoint to "
                         "MATRIX in tests/web/test_permission_matrix.py (and its URL arguments "
                         "to tests/web/route_world.py if it takes new ones)")
    assert not gone, f"MATRIX lines for endpoints that no longer exist: {gone}"
    for endpoint, line in MATRIX.items():
        methods = {m for rule in routes.app.url_map.iter_rules() if rule.endpoint == endpoint
                   for m in rule.methods - {"HEAD", "OPTIONS"}}
        assert set(_expected(line)) == methods, f"{endpoint}: give a status for {sorted(methods)}"


@pytest.mark.parametrize("role", ROLES)
def test_each_caller_gets_its_status_on_every_route(routes, role):
    client = routes.client(role)
    outcomes, expected = {}, {}
    for rule in _rules(routes):
        url = url_for_rule(rule, routes.world)
        for method, statuses in _expected(MATRIX.get(rule.endpoint, "")).items() \
                if rule.endpoint in MATRIX else ():
            if method not in rule.methods:
                continue
            data = {"csrf_token": client.csrf_token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            client.reset_session()
            routes.restore_if_written()
            outcomes[f"{method} {url}"] = _outcome(response)
            expected[f"{method} {url}"] = statuses[role]
    assert outcomes == expected


# (caller, method, URL, form data, expected status, whether it writes). "{name}" is filled from
# the world's ids: the subject's by argument name, and `other` ids (another owner's objects).
OBJECT_CHECKS = [
    # An interviewer's feedback, decline and draft on an interview they are not on: not found.
    ("on_panel", "GET", "/interviewer/interviews/{off_interview}/feedback", {}, 404, False),
    ("on_panel", "POST", "/interviewer/interviews/{off_interview}/feedback",
     {"strengths": "x", "save_draft": "1"}, 404, False),
    ("on_panel", "POST", "/interviewer/interviews/{past_interview}/feedback",
     {"strengths": "x", "save_draft": "1"}, 302, True),
    ("on_panel", "POST", "/interviewer/interviews/{off_interview}/feedback/draft",
     {"strengths": "x"}, 404, False),
    ("on_panel", "POST", "/interviewer/interviews/{off_interview}/decline",
     {"reason": "Ill"}, 404, False),
    ("on_panel", "POST", "/interviewer/interviews/{interview_id}/decline",
     {"reason": "Ill"}, 302, True),
    # …an absent interviewer who is not on the panel (a form field): refused beside the field.
    ("on_panel", "POST", "/interviewer/interviews/{past_interview}/no-show",
     {"party": "interviewer", "absent_interviewer_id": "{off_profile}", "note": "Absent"},
     200, False),
    ("on_panel", "POST", "/interviewer/interviews/{past_interview}/no-show",
     {"party": "interviewer", "absent_interviewer_id": "{all_profile}", "note": "Absent"},
     302, True),
    # One's own availability page with someone else's block, calendar or time off.
    ("on_panel", "POST", "/availability/{profile_id}/blocks/{off_block}/remove", {}, 302, False),
    ("on_panel", "POST", "/availability/{profile_id}/blocks/{block_id}/remove", {}, 302, True),
    ("on_panel", "POST", "/availability/{profile_id}/calendars/{off_source}/remove", {}, 302,
     False),
    ("on_panel", "POST", "/availability/{profile_id}/calendars/{source_id}/remove", {}, 302,
     True),
    ("on_panel", "POST", "/availability/{profile_id}/calendars/{off_source}/refresh", {}, 302,
     False),
    ("on_panel", "POST", "/availability/{profile_id}/overrides/{off_override}/remove", {}, 302,
     False),
    ("off_panel", "POST", "/availability/{profile_id}/feed", {}, 403, False),
    # A coordinator's decision on another opening's stage; another candidate's mail; another
    # opening's stage under this opening; a loop of another opening's stage.
    ("coordinator", "POST", "/coordinator/applications/{application_id}/decisions",
     {"stage_id": "{other_stage}", "outcome": "hold"}, 404, False),
    ("coordinator", "POST", "/coordinator/applications/{application_id}/mail/{other_message}"
                            "/resend", {}, 302, False),
    ("coordinator", "POST", "/coordinator/applications/{application_id}/mail/{message_id}"
                            "/resend", {}, 302, True),
    ("coordinator", "GET", "/coordinator/openings/{requisition_id}/stages/{other_stage}", {},
     404, False),
    ("coordinator", "POST", "/coordinator/openings/{requisition_id}/loops",
     {"looped": "{other_stage}", "break_minutes": "15"}, 200, False),
    # An admin swapping a seat of an interview the deactivated person does not sit on.
    ("admin", "POST", "/admin/staff/{user_id}/interviews/{off_interview}/swap",
     {"new": "{spare_profile}"}, 302, False),
    # A candidate's own link told to go back to another link's page: their own page instead.
    ("candidate", "POST", "/schedule/{own_token}/language",
     {"language": "en", "next": "/schedule/{token}"}, 302, True),
]


def _fill(text: str, values: dict) -> str:
    return text.format(**values)


@pytest.mark.parametrize("case", OBJECT_CHECKS, ids=lambda case: f"{case[0]} {case[2]}")
def test_object_checks_refuse_another_owners_ids(routes, case):
    role, method, url, data, status, writes = case
    values = {**routes.world.args, **routes.world.other, "own_token": LINK_B_TOKEN}
    client = routes.client(role)
    before = routes.database_fingerprint()
    form = {"csrf_token": client.csrf_token, **{k: _fill(v, values) for k, v in data.items()}}
    response = client.open(_fill(url, values), method=method,
                           data=form if method == "POST" else None)
    written = routes.database_fingerprint() != before
    routes.restore_if_written()
    assert (response.status_code, written) == (status, writes)
    if role == "candidate":
        assert response.headers["Location"].endswith(f"/schedule/{LINK_B_TOKEN}")


def _post_rules(routes: RouteApp):
    return [rule for rule in _rules(routes) if "POST" in rule.methods]


def test_every_post_route_refuses_a_missing_or_foreign_csrf_token(routes):
    # Signed in with every role and on the panel: only the token can stop these requests.
    client, stranger = routes.client("all_roles"), routes.client("all_roles")
    foreign = stranger.csrf_token
    assert foreign != client.csrf_token
    refused, passed = {}, {}
    for rule in _post_rules(routes):
        url = url_for_rule(rule, routes.world)
        for label, data in (("none", {}), ("foreign", {"csrf_token": foreign})):
            response = client.post(url, data=data)
            client.reset_session()
            refused[f"{label} {url}"] = (response.status_code,
                                         "security token" in response.text
                                         or "has expired" in response.text,
                                         routes.has_written())
        # The same request with the session's own token gets past the check.
        response = client.post(url, data={"csrf_token": client.csrf_token})
        client.reset_session()
        routes.restore_if_written()
        passed[url] = "security token" not in response.text and "has expired" not in response.text
    # (status, the form-expired page, whether the database was written)
    assert {key: value for key, value in refused.items() if value != (400, True, False)} == {}
    assert {url: ok for url, ok in passed.items() if not ok} == {}
