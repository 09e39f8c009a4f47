"""Blind until submitted, over every route that can show feedback, for every role.

The routes are enumerated from the app's URL map (every rule containing "feedback"), so a new
one is tested the day it is added; a rule with an argument this test does not know fails until
the test is taught it. Each feedback carries a secret word; for each role the test reads every
route (for each interview or application it takes) plus the other outputs that mention feedback
(the interviewer's home, the application page, the email outbox) and checks which secret words
appear: exactly those the role may read, on no route one more.

The candidate's interviews:
  design (system design, held): P1 submitted, P2 submitted, P4 only a draft;
  dive (project deep dive, held): P3 submitted;
  coding (online coding test, held, no panel): reviewer P3 submitted;
  final (HR final, next week): P2 sits on it — so P2 still has feedback to write.
Roles: P4 before submitting; P1 after submitting; P2 after submitting here but with the HR final
still to come (the cross-stage case); P3 reviewer and author elsewhere, all submitted; P5 another
interviewer; a coordinator; an admin; anonymous.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from scheduler import create_app
from scheduler.extensions import db as _db
from scheduler.models import Feedback, FeedbackScore, OutboxMessage
from scheduler.services.feedback import FeedbackInput, save_draft, submit_feedback
from scheduler.services.reviewers import assign_reviewer
from tests import factories as f
from tests.clock import NOW
from tests.dbutil import app_config
from tests.feedback_setup import feedback_world, future_interview, past_interview
from tests.web.helpers import csrf_token, sign_in

PASSWORD = "correct horse battery staple"
CRITERIA = ("framing", "modelling", "serving")
SECRETS = {"M1", "M2", "M3", "M4", "D4"}
EVERY_SUBMITTED = {"M1", "M2", "M3", "M4"}
# What each role may read: its own draft, and submitted feedback as the blind rule allows.
ROLES = {
    "anonymous": set(),
    "panel_before_submitting": {"D4"},
    "panel_after_submitting": EVERY_SUBMITTED,
    "submitted_here_more_to_come_elsewhere": {"M1", "M2"},
    "reviewer_all_submitted": EVERY_SUBMITTED,
    "other_interviewer": set(),
    "coordinator": EVERY_SUBMITTED,
    "admin": EVERY_SUBMITTED,
}
PROFILE_OF_ROLE = {"panel_after_submitting": 0, "submitted_here_more_to_come_elsewhere": 1,
                   "reviewer_all_submitted": 2, "panel_before_submitting": 3,
                   "other_interviewer": 4}


def _feedback_rules():
    """Return every URL rule whose path contains "feedback", from the app's own URL map."""
    app = create_app(app_config("sqlite://"))
    return sorted(((rule.rule, rule.endpoint, frozenset(rule.methods - {"HEAD", "OPTIONS"}))
                   for rule in app.url_map.iter_rules() if "feedback" in rule.rule),
                  key=lambda item: item[0])


FEEDBACK_RULES = _feedback_rules()
READ_RULES = [rule for rule in FEEDBACK_RULES if "GET" in rule[2]]
WRITE_RULES = [rule for rule in FEEDBACK_RULES if "POST" in rule[2]]


def test_the_url_map_lists_the_feedback_routes():
    endpoints = {endpoint for _rule, endpoint, _methods in FEEDBACK_RULES}
    assert {"interviewer.feedback", "interviewer.feedback_draft", "interviewer.amend_feedback",
            "coordinator.application_feedback"} <= endpoints


def _secret(word: str) -> str:
    return f"secret-{word}-word"


def _answers(word: str) -> FeedbackInput:
    return FeedbackInput(scores={c: 3 for c in CRITERIA},
                         evidence={c: _secret(word) if c == "framing" else "" for c in CRITERIA},
                         strengths=f"{_secret(word)} strengths", concerns="",
                         recommendation="yes", hire_level="mid")


@dataclass
class Blind:
    interviews: dict  # name -> Interview
    application: object
    people: list
    users: dict  # role -> User or None


@pytest.fixture
def blind(db):
    world = feedback_world(people=5)
    p1, p2, p3, p4, _p5 = world.people
    design = past_interview(world, world.design, [p1, p2, p4], hours_ago=5)
    dive = past_interview(world, world.deep_dive, [p3], hours_ago=3)
    coding = past_interview(world, world.coding, [], hours_ago=30)
    final = future_interview(world, world.hr_final, [p2], days=7)
    coordinator = f.make_user(roles=("coordinator",), name="Coordinator")
    admin = f.make_user(roles=("admin",), name="Admin")
    assign_reviewer(coordinator, coding, p3.id, NOW)
    submit_feedback(p1.user, design, _answers("M1"), NOW)
    submit_feedback(p2.user, design, _answers("M2"), NOW)
    submit_feedback(p3.user, dive, _answers("M3"), NOW)
    submit_feedback(p3.user, coding, _answers("M4"), NOW)
    save_draft(p4.user, design, _answers("D4"), NOW)
    db.session.commit()
    users = {role: world.people[index].user for role, index in PROFILE_OF_ROLE.items()}
    users |= {"coordinator": coordinator, "admin": admin, "anonymous": None}
    return Blind({"design": design, "dive": dive, "coding": coding, "final": final},
                 world.application, world.people, users)


def _client_as(app, user):
    client = app.test_client()
    if user is not None:
        assert sign_in(client, user.email, PASSWORD).status_code == 302
    return client


def _urls(rule: str, blind: Blind) -> list[str]:
    """Return *rule* filled in for every object it takes; fail on an argument not known yet."""
    values = {"interview_id": [i.id for i in blind.interviews.values()],
              "application_id": [blind.application.id]}
    urls = [rule]
    for argument in sorted(set(_arguments(rule))):
        assert argument in values, (
            f"{rule} takes <{argument}>: teach tests/web/test_feedback_blind.py which objects "
            "to read it for")
        urls = [u.replace(f"<int:{argument}>", str(v)).replace(f"<{argument}>", str(v))
                for u in urls for v in values[argument]]
    return urls


def _arguments(rule: str) -> list[str]:
    import re

    return [match.split(":")[-1] for match in re.findall(r"<([^>]+)>", rule)]


def _secrets_in(text: str) -> set[str]:
    return {word for word in SECRETS if _secret(word) in text}


def _read(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("rule, endpoint, methods", READ_RULES,
                         ids=[endpoint for _rule, endpoint, _methods in READ_RULES])
def test_no_route_shows_a_role_feedback_it_may_not_read(app, blind, rule, endpoint, methods,
                                                        role):
    client = _client_as(app, blind.users[role])
    for url in _urls(rule, blind):
        leaked = _secrets_in(_read(client, url)) - ROLES[role]
        assert not leaked, f"{role} reads {sorted(leaked)} at {url}"


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_reads_exactly_what_the_blind_rule_allows(app, blind, role):
    client = _client_as(app, blind.users[role])
    seen: set[str] = set()
    pages = [url for rule, _endpoint, _methods in READ_RULES for url in _urls(rule, blind)]
    # The other outputs that mention feedback (states and links, never content).
    pages += ["/interviewer/", f"/coordinator/applications/{blind.application.id}"]
    for url in pages:
        seen |= _secrets_in(_read(client, url))
    assert seen == ROLES[role]
    # No email carries feedback.
    bodies = _db.session.scalars(sa.select(OutboxMessage.raw_message)).all()
    assert not any(_secrets_in(body.decode("utf-8", "replace")) for body in bodies)


def test_the_cross_stage_rule_opens_once_nothing_is_left_to_submit(app, blind):
    """P2 reads the deep dive's and the coding test's feedback only after the HR final is
    submitted too."""
    p2 = blind.users["submitted_here_more_to_come_elsewhere"]
    url = f"/interviewer/interviews/{blind.interviews['design'].id}/feedback"
    client = _client_as(app, p2)
    assert _secrets_in(_read(client, url)) == {"M1", "M2"}
    final = blind.interviews["final"]
    final.start_at, final.end_at = NOW.replace(microsecond=0) - (final.end_at - final.start_at), \
        NOW.replace(microsecond=0)
    for seat in final.assignments:
        seat.start_at, seat.end_at = final.start_at, final.end_at
    submit_feedback(p2, final, _answers("M5"), NOW)
    _db.session.commit()
    assert _secrets_in(_read(client, url)) == EVERY_SUBMITTED


def _submitted_rows(ids=None):
    """Return every column of the submitted feedback (of *ids* only, when given)."""
    query = (
        sa.select(Feedback.id, Feedback.recommendation, Feedback.hire_level, Feedback.strengths,
                  Feedback.concerns, Feedback.submitted_at, Feedback.rubric_id,
                  FeedbackScore.criterion_code, FeedbackScore.score, FeedbackScore.evidence)
        .join(FeedbackScore, FeedbackScore.feedback_id == Feedback.id)
        .where(Feedback.submitted_at.is_not(None)).order_by(Feedback.id, FeedbackScore.id))
    if ids is not None:
        query = query.where(Feedback.id.in_(ids))
    return [tuple(row) for row in _db.session.execute(query)]


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("rule, endpoint, methods", WRITE_RULES,
                         ids=[endpoint for _rule, endpoint, _methods in WRITE_RULES])
def test_no_route_changes_submitted_feedback(app, blind, rule, endpoint, methods, role):
    before = _submitted_rows()
    client = _client_as(app, blind.users[role])
    # A valid CSRF token of this session, so only the rules of the route itself can refuse.
    token = csrf_token(client.get("/login", follow_redirects=True).get_data(as_text=True))
    change = {"csrf_token": token, "submit": "Submit feedback", "text": "an amendment",
              "strengths": "overwritten", "recommendation": "strong_no", "hire_level": "junior"}
    change |= {f"score_{c}": "1" for c in CRITERIA}
    change |= {f"evidence_{c}": "overwritten" for c in CRITERIA}
    for url in _urls(rule, blind):
        response = client.post(url, data=change)
        assert response.status_code < 500, (url, response.status_code)
        leaked = _secrets_in(response.get_data(as_text=True)) - ROLES[role]
        assert not leaked, f"{role} reads {sorted(leaked)} in the answer of POST {url}"
    _db.session.expire_all()
    # A draft may be submitted by its author here; what was submitted before never changes.
    assert _submitted_rows({row[0] for row in before}) == before
