"""The interviewer's feedback pages: a scorecard generated from the rubric (every criterion with
its question, the four descriptors beside the scores, the level expectations), opening at the
interview's start, drafts saved with a button (no script needed) and by the page's JSON endpoint
(CSRF checked), a submission refused per field with nothing saved, then locked with amendments
shown with their author and time; the home page's list of feedback to write; and a form for
every rubric file."""
from __future__ import annotations

import html as htmllib
import re

import pytest
import sqlalchemy as sa

from scheduler.models import Feedback, FeedbackAmendment, Rubric
from scheduler.services.rubrics import load_rubric_files, rubric_definition
from tests import factories as f
from tests.clock import NOW
from tests.feedback_setup import (
    answers, feedback_world, future_interview, past_interview, rubric_definition as a_rubric,
)
from tests.web.helpers import csrf_token, sign_in

PASSWORD = "correct horse battery staple"
RUBRIC = a_rubric("test_system_design", stage_kind="system_design")


@pytest.fixture
def world(db):
    world = feedback_world()
    db.session.commit()
    return world


def _signed_in(client, profile, language="en"):
    profile.user.language = language
    from scheduler.extensions import db

    db.session.commit()
    assert sign_in(client, profile.user.email, PASSWORD).status_code == 302
    return client


def _text(response) -> str:
    return htmllib.unescape(response.text)


def _post_page(client, url, data, *, page_url=None, **kwargs):
    page = client.get(page_url or url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data}, **kwargs)


def _feedback(db):
    return db.session.scalars(sa.select(Feedback)).one_or_none()


@pytest.mark.parametrize("language, words", [
    ("en", ["Criterion framing", "Question about framing?", "What a 1 on framing looks like",
            "What a 4 on serving looks like", "Strong no", "Strong yes",
            "What each level is expected to show", "Expected of a senior on modelling",
            "Senior (8+ years)", "Overall recommendation", "The level you would hire at",
            "Save draft", "Submit feedback"]),
    ("zh", ["标准framing", "关于framing的问题？", "framing得1分的描述", "serving得4分的描述",
            "强烈不推荐", "强烈推荐", "各级别的期望", "modelling对senior的期望", "高级（8年以上）",
            "总体建议", "你会按哪个级别录用", "保存草稿", "提交反馈"]),
])
def test_the_form_shows_each_criterion_with_its_descriptors_and_expectations(
        client, world, language, words):
    interview = past_interview(world, world.design, world.people[:2])
    _signed_in(client, world.people[0], language)
    page = client.get(f"/interviewer/interviews/{interview.id}/feedback")
    assert page.status_code == 200
    text = _text(page)
    for word in words:
        assert word in text, word
    # Each criterion: four radio choices 1–4, an evidence note; expectations fold away.
    assert len(re.findall(r'name="score_framing" type="radio"', page.text)) == 4
    assert 'name="evidence_serving"' in page.text
    assert '<details class="expectations">' in page.text
    assert 'src="/static/js/feedback-draft.js"' in page.text
    assert f'data-draft-url="/interviewer/interviews/{interview.id}/feedback/draft"' in page.text


def test_before_the_interview_starts_the_page_says_when_the_form_opens(client, db, world):
    interview = future_interview(world, world.design, world.people[:2])
    _signed_in(client, world.people[0])
    page = _text(client.get(f"/interviewer/interviews/{interview.id}/feedback"))
    assert "The feedback form opens when the interview starts, at" in page
    assert "Asia/Shanghai" in page.split("opens when the interview starts, at", 1)[1][:200]
    assert 'id="feedback-form"' not in page
    response = _post_page(client, f"/interviewer/interviews/{interview.id}/feedback",
                          answers(RUBRIC, save_draft="Save draft"), follow_redirects=True)
    assert "The feedback form opens when the interview starts." in _text(response)
    assert _feedback(db) is None


def test_a_draft_saved_with_the_button_comes_back_in_the_form(client, db, world):
    interview = past_interview(world, world.design, world.people[:2])
    _signed_in(client, world.people[0])
    url = f"/interviewer/interviews/{interview.id}/feedback"
    response = _post_page(client, url, {"score_framing": "2", "evidence_framing": "Vague goals",
                                        "strengths": "Knows GBDTs", "save_draft": "Save draft"})
    assert response.status_code == 302 and response.headers["Location"] == url
    draft = _feedback(db)
    assert draft is not None and draft.submitted_at is None
    page = client.get(url).text
    assert re.search(r'<input checked id="score_framing-1" name="score_framing" type="radio" '
                     r'value="2">', page)
    assert "Vague goals" in page and "Knows GBDTs" in page
    assert "Draft saved at" in _text(client.get(url))


def test_the_draft_endpoint_needs_the_csrf_token_and_answers_in_json(client, db, world):
    interview = past_interview(world, world.design, world.people[:2])
    _signed_in(client, world.people[0])
    url = f"/interviewer/interviews/{interview.id}/feedback/draft"
    refused = client.post(url, data={"score_framing": "3"})
    assert refused.status_code == 400 and _feedback(db) is None

    token = csrf_token(client.get(f"/interviewer/interviews/{interview.id}/feedback").text)
    saved = client.post(url, data={"csrf_token": token, "score_framing": "3",
                                   "evidence_modelling": "typed so far"})
    assert saved.status_code == 200 and saved.is_json
    assert saved.json["message"].startswith("Draft saved at ")
    draft = _feedback(db)
    assert {r.criterion_code: (r.score, r.evidence) for r in draft.scores}["modelling"] == \
        (None, "typed so far")
    bad = client.post(url, data={"csrf_token": token, "score_framing": "9"})
    assert bad.status_code == 400 and "score_framing" in bad.json["fields"]


def test_a_refused_submission_shows_a_message_beside_each_field_and_saves_nothing(
        client, db, world):
    interview = past_interview(world, world.design, world.people[:2])
    _signed_in(client, world.people[0])
    url = f"/interviewer/interviews/{interview.id}/feedback"
    data = answers(RUBRIC, score=3, submit="Submit feedback")
    del data["score_framing"]
    data |= {"score_serving": "4", "evidence_serving": "  ", "recommendation": ""}
    response = _post_page(client, url, data)
    assert response.status_code == 200
    text = _text(response)
    assert "Not submitted: see the marked fields. Nothing was saved." in text
    assert re.search(r'id="score_framing-errors"><li>Choose a score.</li>', text)
    assert re.search(r'id="evidence_serving-errors"><li>Write what you saw: a score of 1 or 4 '
                     r'needs evidence.</li>', text)
    assert "Choose an overall recommendation." in text
    # What was typed stays in the form; nothing reached the database.
    assert "Saw good work on modelling." in text
    assert _feedback(db) is None


def test_submitted_feedback_is_locked_and_amendments_show_who_and_when(client, db, world):
    author = world.people[0]
    interview = past_interview(world, world.design, world.people[:2])
    _signed_in(client, author)
    url = f"/interviewer/interviews/{interview.id}/feedback"
    response = _post_page(client, url, answers(RUBRIC, score=4, submit="Submit feedback"))
    assert response.status_code == 302
    feedback = _feedback(db)
    assert feedback.submitted_at == NOW

    page = _text(client.get(url))
    assert "Your feedback" in page and 'id="feedback-form"' not in page
    assert "4 · Strong yes" in page and "Saw good work on serving." in page
    # The form's route refuses any change, with or without the button that submits.
    for button in ({"submit": "Submit feedback"}, {"save_draft": "Save draft"}):
        refused = _post_page(client, url, answers(RUBRIC, score=1, **button),
                             follow_redirects=True)
        assert "This feedback has been submitted and is locked." in _text(refused)
    db.session.expire_all()
    assert {row.score for row in _feedback(db).scores} == {4}

    added = _post_page(client, f"{url}/amendments", {"text": "Also asked about drift."},
                       page_url=url)
    assert added.status_code == 302
    amendment = db.session.scalars(sa.select(FeedbackAmendment)).one()
    assert amendment.author_id == author.user_id
    page = _text(client.get(url))
    assert "Also asked about drift." in page
    assert f"{author.user.name}, " in page.split("Amendments", 1)[1]
    assert "4 · Strong yes" in page  # the original beside it, unchanged


def test_home_lists_the_feedback_to_write_with_links(client, db, world):
    author = world.people[0]
    held = past_interview(world, world.design, world.people[:2])
    future_interview(world, world.deep_dive, [author])
    _signed_in(client, author)
    home = _text(client.get("/interviewer/"))
    assert "Feedback to write" in home and "Not started" in home
    assert f'href="/interviewer/interviews/{held.id}/feedback"' in home
    _post_page(client, f"/interviewer/interviews/{held.id}/feedback",
               answers(RUBRIC, submit="Submit feedback"))
    home = _text(client.get("/interviewer/"))
    assert "You have no feedback left to write." in home
    assert "Feedback you submitted lately" in home


def test_a_form_is_generated_from_every_rubric_file(client, db, world):
    from scheduler.interviewer.forms import feedback_form_class

    report = load_rubric_files(NOW)
    assert report.loaded, "the rubric files should load"
    author = world.people[0]
    _signed_in(client, author)
    for position, (code, version) in enumerate(report.loaded, start=10):
        rubric = db.session.scalar(sa.select(Rubric).where(Rubric.code == code,
                                                           Rubric.version == version))
        definition = rubric_definition(rubric)
        with client.application.test_request_context():
            form = feedback_form_class(definition, "zh")()
            assert [name for name in form._fields if name.startswith(("score_", "evidence_"))] \
                == [name for c in definition.criteria
                    for name in (f"score_{c.code}", f"evidence_{c.code}")]
        stage = f.make_stage(requisition_id=world.requisition.id, position=position,
                             kind=definition.stage_kind, rubric_id=rubric.id)
        # One after another: the author cannot sit two interviews at once.
        interview = past_interview(world, stage, [author], hours_ago=2 * position)
        page = _text(client.get(f"/interviewer/interviews/{interview.id}/feedback"))
        for criterion in definition.criteria:
            assert criterion.text("question", "en") in page
            assert criterion.descriptor(4, "en") in page
