"""The scorecard page and the decision form: criteria × interviewers with averages and a
disagreement flagged in words and style, tallies, rubric names in the reader's language, no
drafts; a printable view; a decision refused beside its field with nothing saved, or recorded and
followed by the next step on the application page; the offer clock on the application page;
interviewers get 403."""
from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import InterviewerAssignment, StageDecision
from scheduler.services.feedback import FeedbackInput, save_draft, submit_feedback
from tests import factories as f
from tests.clock import NOW
from tests.feedback_setup import feedback_world, past_interview
from tests.web.helpers import post_form, sign_in

PASSWORD = "correct horse battery staple"


@pytest.fixture
def world(db):
    world = feedback_world()
    world.coordinator = f.make_user(roles=("coordinator",), name="Casey Coordinator",
                                    language="en")
    db.session.commit()
    return world


def _text(response) -> str:
    return htmllib.unescape(response.get_data(as_text=True))


def _sign_in(client, user):
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def _submit(profile, interview, scores, **kw):
    submit_feedback(profile.user, interview, FeedbackInput(
        scores=scores, evidence={c: f"{profile.user.name} saw {c}" for c in scores},
        recommendation=kw.get("recommendation", "yes"), hire_level=kw.get("level", "mid")), NOW)


def _held_design(db, world, *, both=True):
    first, second = world.people[:2]
    interview = past_interview(world, world.design, [first, second])
    _submit(first, interview, {"framing": 1, "modelling": 3, "serving": 3},
            recommendation="no", level="junior")
    if both:
        _submit(second, interview, {"framing": 3, "modelling": 3, "serving": 4},
                recommendation="strong_yes", level="mid")
    db.session.commit()
    return interview


def _url(world, suffix="feedback"):
    return f"/coordinator/applications/{world.application.id}/{suffix}"


def test_the_scorecard_shows_criteria_by_interviewer_averages_and_a_disagreement(
        client, db, world):
    interview = _held_design(db, world)
    third = world.people[2]
    interview.assignments.append(InterviewerAssignment(
        interviewer=third, role="member", start_at=interview.start_at, end_at=interview.end_at,
        is_active=True))
    db.session.commit()
    save_draft(third.user, interview, FeedbackInput(strengths="secret draft words"), NOW)
    db.session.commit()
    _sign_in(client, world.coordinator)
    page = _text(client.get(_url(world)))
    assert "Test rubric test_system_design" in page
    assert "Criterion framing" in page and "Question about framing?" in page
    assert "Interviewer 1" in page and "Interviewer 2" in page
    assert "Interviewer 1 saw framing" in page            # evidence beside the score
    framing = re.search(r'<tr class="is-disagreement">(.*?)</tr>', page, re.S).group(1)
    assert "Criterion framing" in framing and "Disagreement: scores differ by 2" in framing
    assert ">2.0<" in framing                              # (1 + 3) / 2
    assert page.count('class="is-disagreement"') == 1     # modelling 3/3, serving 3/4 agree
    assert ">3.5<" in page                                  # serving (3 + 4) / 2
    assert "Interviewers disagree on 1 criterion" in page
    summary = page[page.index('id="summary-heading"'):page.index('class="card rubric-section"')]
    assert re.search(r"Strong yes</span> <span class=\"count\">1<", summary)
    assert re.search(r"Junior \(3–5 years\) <span class=\"count\">1<", summary)
    assert "secret draft words" not in page and "draft in progress" in page


def test_the_scorecard_names_criteria_in_the_readers_language(client, db, world):
    _held_design(db, world)
    world.coordinator.language = "zh"
    db.session.commit()
    _sign_in(client, world.coordinator)
    page = _text(client.get(_url(world)))
    assert "标准framing" in page and "关于framing的问题？" in page
    assert "Criterion framing" not in page


def test_the_printable_view_links_the_print_stylesheet(client, db, world):
    _held_design(db, world)
    _sign_in(client, world.coordinator)
    page = _text(client.get(_url(world)))
    assert re.search(r'href="/static/css/scorecard-print\.css" media="print"', page)
    assert f'href="{_url(world)}?print=1"' in page
    printable = client.get(_url(world) + "?print=1")
    assert printable.status_code == 200
    text = _text(printable)
    assert re.search(r'href="/static/css/scorecard-print\.css" media="all"', text)
    assert "Disagreement: scores differ by 2" in text
    css = client.get("/static/css/scorecard-print.css").get_data(as_text=True)
    assert ".site-header" in css and "break-inside: avoid" in css


def test_a_decision_waiting_for_feedback_is_refused_beside_the_override_field(
        client, db, world):
    _held_design(db, world, both=False)
    _sign_in(client, world.coordinator)
    response = post_form(client, _url(world, "decisions"), {
        "stage_id": str(world.design.id), "outcome": "advance"}, page_url=_url(world))
    assert response.status_code == 422
    page = _text(response)
    errors = re.search(r'id="override_reason-errors">(.*?)</ul>', page, re.S).group(1)
    assert "Feedback is still missing from Interviewer 2" in errors
    assert db.session.scalar(sa.select(sa.func.count(StageDecision.id))) == 0

    response = post_form(client, _url(world, "decisions"), {
        "stage_id": str(world.design.id), "outcome": "reject"}, page_url=_url(world))
    assert "Choose why the candidate does not go further." in _text(response)


def test_an_advance_with_an_override_moves_the_application_and_offers_the_next_step(
        client, db, world):
    _held_design(db, world, both=False)
    _sign_in(client, world.coordinator)
    response = post_form(client, _url(world, "decisions"), {
        "stage_id": str(world.design.id), "outcome": "advance", "is_override": "y",
        "override_reason": "Interviewer 2 is away; the committee meets today."},
        page_url=_url(world))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/coordinator/applications/{world.application.id}#decision")
    db.session.expire_all()
    decision = db.session.scalar(sa.select(StageDecision))
    assert decision.is_override and decision.decided_by_id == world.coordinator.id
    page = _text(client.get(f"/coordinator/applications/{world.application.id}"))
    assert "Next step: Project deep dive" in page
    assert f'href="/coordinator/applications/{world.application.id}/links"' in page
    assert "Decided without waiting for all feedback:" in page
    assert "Interviewer 2 is away" in page


def test_the_application_page_shows_the_offer_clock_red_and_in_words_when_past(
        client, db, world):
    world.application.offer_due_at = NOW + timedelta(days=5, hours=3)
    db.session.commit()
    _sign_in(client, world.coordinator)
    page = _text(client.get(f"/coordinator/applications/{world.application.id}"))
    assert '<span class="offer-clock">6 days left</span>' in page
    world.application.offer_due_at = NOW - timedelta(days=2, hours=1)
    db.session.commit()
    page = _text(client.get(f"/coordinator/applications/{world.application.id}"))
    assert 'class="offer-clock is-overdue"' in page
    assert "Overdue: the offer was due" in page and "2 days ago" in page


def test_interviewers_may_not_read_the_scorecard_or_decide(client, db, world):
    _held_design(db, world)
    _sign_in(client, world.people[0].user)
    assert client.get(_url(world)).status_code == 403
    assert client.get(_url(world) + "?print=1").status_code == 403
    response = post_form(client, _url(world, "decisions"), {
        "stage_id": str(world.design.id), "outcome": "advance"}, page_url="/interviewer/")
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(StageDecision.id))) == 0
