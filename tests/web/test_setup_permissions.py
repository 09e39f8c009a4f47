"""Who may reach issue 15's set-up pages, enumerated from the URL map.

Every endpoint of the offices and staff pages (admin), the openings and stages pages, the
interviewer profile pages and the candidate edit pages is listed in RULES with who may use it;
each is requested with arguments taken from real rows, as each role: anonymous visitors are
sent to sign in, interviewers get 403, coordinators reach everything but offices and staff
(403), admins reach everything. A new endpoint under these paths with no rule here fails
`test_every_setup_endpoint_has_a_rule`, so none can slip past.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests import factories as f
from tests.clock import NOW
from tests.web.helpers import csrf_token, sign_in

PASSWORD = "correct horse battery staple"

# The set-up pages of issue 15, by rule.
SCOPE = re.compile(r"^/(admin/(offices|staff)|coordinator/(openings|candidates)"
                   r"|coordinator/applications/<int:application_id>/(details|mail)"
                   r"|availability/people/|availability/<int:profile_id>/profile)")
ADMIN, COORDINATOR = "admin", "coordinator"
# endpoint → who besides admins may use it (ADMIN: admins only).
RULES = {
    "admin.offices": ADMIN, "admin.new_office": ADMIN, "admin.edit_office": ADMIN,
    "admin.staff": ADMIN, "admin.new_staff": ADMIN, "admin.edit_staff": ADMIN,
    "admin.confirm_deactivate": ADMIN, "admin.deactivate_staff": ADMIN,
    "admin.reactivate_staff": ADMIN, "admin.swap_seat": ADMIN,
    "coordinator.openings": COORDINATOR, "coordinator.new_opening": COORDINATOR,
    "coordinator.opening": COORDINATOR, "coordinator.edit_opening": COORDINATOR,
    "coordinator.opening_loops": COORDINATOR, "coordinator.new_stage": COORDINATOR,
    "coordinator.edit_stage": COORDINATOR, "coordinator.move_stage_view": COORDINATOR,
    "coordinator.remove_stage_view": COORDINATOR,
    "availability.edit_profile": COORDINATOR, "availability.new_profile": COORDINATOR,
    "coordinator.new_candidate": COORDINATOR, "coordinator.add_existing_candidate": COORDINATOR,
    "coordinator.edit_candidate": COORDINATOR, "coordinator.resend_candidate_mail": COORDINATOR,
    "coordinator.export_candidate_page": COORDINATOR,
    "coordinator.export_candidate_json": COORDINATOR,
}
# What a POST-only endpoint is sent (a whole form where an empty one would be answered 400).
POST_DATA = {"coordinator.move_stage_view": {"direction": "down"}}


def _setup_endpoints(app) -> dict[str, object]:
    """Return the URL map's rules under SCOPE, by endpoint."""
    return {rule.endpoint: rule for rule in app.url_map.iter_rules() if SCOPE.match(rule.rule)}


def test_every_setup_endpoint_has_a_rule(app):
    found = set(_setup_endpoints(app))
    assert found == set(RULES), (f"endpoints without a rule: {sorted(found - set(RULES))}; "
                                 f"rules without an endpoint: {sorted(set(RULES) - found)}")


def _rows(db) -> dict:
    """Make one of every row the pages name and return the URL arguments, by name."""
    office = f.make_office()
    interviewer = f.make_interviewer(office=office, user=f.make_user(
        email="wei@example.com", roles=("interviewer",), password=PASSWORD))
    f.make_interviewer(office=office)  # someone to swap a seat to
    without_profile = f.make_user(roles=("coordinator",))
    requisition = f.make_requisition(stages=[dict(name_en="One"), dict(name_en="Two")])
    application = f.make_application(requisition=requisition)
    interview = f.make_interview(application, panel=(interviewer,),
                                 start_at=NOW + timedelta(days=3))
    message = f.make_outbox_message(to_addr=application.candidate.email, failed_at=NOW)
    f.make_user(email="lin@example.com", roles=("coordinator",), password=PASSWORD)
    f.make_user(email="root@example.com", roles=("admin",), password=PASSWORD)
    db.session.commit()
    return {"office_id": office.id, "user_id": interviewer.user_id,
            "interview_id": interview.id, "requisition_id": requisition.id,
            "stage_id": requisition.stages[0].id, "candidate_id": application.candidate_id,
            "application_id": application.id, "message_id": message.id,
            "profile_id": interviewer.id, "new_profile_user_id": without_profile.id}


def _url(rule, rows: dict) -> str:
    arguments = {name: rows[name] for name in rule.arguments}
    if rule.endpoint == "availability.new_profile":
        arguments["user_id"] = rows["new_profile_user_id"]  # someone with no profile yet
    path = rule.rule
    for name, value in arguments.items():
        path = re.sub(rf"<(\w+:)?{name}>", str(value), path)
    return path


SIGN_IN = {"interviewer": "wei@example.com", "coordinator": "lin@example.com",
           "admin": "root@example.com"}


def _expected(role: str, endpoint: str) -> str:
    if role == "anonymous":
        return "login"
    if role == "admin" or (role == "coordinator" and RULES[endpoint] == COORDINATOR):
        return "allowed"
    return "forbidden"


def _outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/login" in location:
        return "login"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code in (200, 302):
        return "allowed"
    return f"status {response.status_code}"


@pytest.mark.parametrize("role", ["anonymous", "interviewer", "coordinator", "admin"])
def test_each_role_reaches_only_its_setup_pages(app, client, db, role):
    rows = _rows(db)
    if role != "anonymous":
        assert sign_in(client, SIGN_IN[role], PASSWORD).status_code == 302
    # The session's token, from the sign-in page or the signed-in layout: the POSTs are
    # judged on the role, not refused for want of a token.
    token = csrf_token(client.get("/login" if role == "anonymous" else "/",
                                  follow_redirects=True).text)
    outcomes, expected = {}, {}
    for endpoint, rule in sorted(_setup_endpoints(app).items()):
        url = _url(rule, rows)
        if "GET" in rule.methods:
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token,
                                              **POST_DATA.get(endpoint, {})})
        outcomes[endpoint] = _outcome(response)
        expected[endpoint] = _expected(role, endpoint)
    assert outcomes == expected

