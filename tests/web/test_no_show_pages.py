"""After the interview, on the pages: the application page says an interview was held; a panel
member (their own page) or the coordinator (the interview card) marks a no-show with a note, and
the card then offers to book the stage again; the coordinator chooses a coding test's reviewer on
the card or while booking it; the coordinator's feedback page lists who has submitted and what."""
from __future__ import annotations

import html as htmllib
import re

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, Interview
from scheduler.services.feedback import (
    FeedbackInput, feedback_to_write, save_draft, submit_feedback,
)
from tests import factories as f
from tests.clock import NOW
from tests.feedback_setup import feedback_world, future_interview, past_interview
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def world(db):
    world = feedback_world()
    db.session.commit()
    return world


def _sign_in(client, db, user, language="en"):
    user.language = language
    db.session.commit()
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    return client


def _coordinator(db):
    return f.make_user(roles=("coordinator",), name="Casey Coordinator")


def _text(response) -> str:
    return htmllib.unescape(response.get_data(as_text=True))


def test_a_panel_member_marks_the_candidate_absent_from_their_own_page(
        client, db, world, no_csrf):
    member, outsider = world.people[0], world.people[4]
    interview = past_interview(world, world.design, world.people[:2])
    upcoming = future_interview(world, world.deep_dive, [member])
    _sign_in(client, db, member.user)
    feedback_page = _text(client.get(f"/interviewer/interviews/{interview.id}/feedback"))
    url = f"/interviewer/interviews/{interview.id}/no-show"
    assert f'href="{url}"' in feedback_page
    refused = client.post(url, data={"party": "", "note": ""})
    assert "Say who did not come." in _text(refused)
    assert "Write a note saying what happened." in _text(refused)
    response = client.post(url, data={"party": "candidate", "note": "Never joined the call."})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Interview, interview.id)
    assert stored.status == Interview.NO_SHOW and stored.no_show.note == "Never joined the call."
    # Before the start, the service refuses; another interviewer does not see the page at all.
    early = client.post(f"/interviewer/interviews/{upcoming.id}/no-show",
                        data={"party": "candidate", "note": "early"})
    assert "The interview has not started yet" in _text(early)
    other = _sign_in(client.application.test_client(), db, outsider.user)
    assert other.get(url).status_code == 404


def test_the_coordinator_sees_held_marks_a_no_show_and_is_offered_a_new_booking(
        client, db, world, no_csrf):
    interview = past_interview(world, world.design, world.people[:2])
    absent = world.people[1]
    coordinator = _coordinator(db)
    _sign_in(client, db, coordinator)
    page_url = f"/coordinator/applications/{world.application.id}"
    page = _text(client.get(page_url))
    assert re.search(r'class="status status-scheduled">Held</span>', page)
    assert "Mark as a no-show…" in page and "Book System design again" not in page

    response = client.post(f"/coordinator/interviews/{interview.id}/no-show",
                           data={"party": "interviewer", "absent_interviewer_id": absent.id,
                                 "note": "Was ill and did not join."})
    assert response.status_code == 302
    page = _text(client.get(page_url))
    assert f"Not held: {absent.user.name} (" in page and "Was ill and did not join." in page
    assert "Marked by Casey Coordinator" in page
    assert re.search(r'<a class="button primary" href="/coordinator/applications/\d+#slots-'
                     r'heading">Book System design again</a>', page)
    assert "Marked a no-show" in page  # in the interview's history
    # The booking list offers the stage again (it was held by a live interview before).
    assert "This stage is already booked" not in page


def test_a_refused_no_show_on_the_card_says_why(client, db, world, no_csrf):
    interview = past_interview(world, world.design, world.people[:2])
    _sign_in(client, db, _coordinator(db))
    response = client.post(f"/coordinator/interviews/{interview.id}/no-show",
                           data={"party": "interviewer", "note": ""}, follow_redirects=True)
    text = _text(response)
    assert "Choose the interviewer who did not come, from the panel." in text
    assert "Write a note saying what happened." in text
    assert db.session.get(Interview, interview.id).status == Interview.SCHEDULED


def test_the_coordinator_chooses_a_coding_tests_reviewer_on_the_card(client, db, world, no_csrf):
    test = past_interview(world, world.coding, [])
    reviewer = world.people[3]
    _sign_in(client, db, _coordinator(db), language="zh")
    page = _text(client.get(f"/coordinator/applications/{world.application.id}"))
    assert "评审人" in page and "暂未指定" in page
    assert f'<option value="{reviewer.id}">{reviewer.user.name}' in page
    response = client.post(f"/coordinator/interviews/{test.id}/reviewer",
                           data={"reviewer_id": reviewer.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Interview, test.id).reviewer_id == reviewer.id
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "interview.reviewer_assigned"))
    assert event.after == {"reviewer_id": reviewer.id}
    unqualified = f.make_interviewer(qualifications={"system_design": "qualified"})
    db.session.commit()
    refused = client.post(f"/coordinator/interviews/{test.id}/reviewer",
                          data={"reviewer_id": unqualified.id}, follow_redirects=True)
    assert "请选择有资格评审此环节的评审人。" in _text(refused)
    assert db.session.get(Interview, test.id).reviewer_id == reviewer.id


def test_the_reviewer_is_chosen_while_booking_the_coding_test(client, db, world, no_csrf):
    world.application.current_stage = world.coding
    reviewer = world.people[2]
    _sign_in(client, db, _coordinator(db))
    page = client.get(f"/coordinator/applications/{world.application.id}").get_data(as_text=True)
    pick = htmllib.unescape(re.search(r'href="(/coordinator/applications/\d+/book\?[^"]*)"',
                                      page).group(1))
    confirm = _text(client.get(pick))
    assert "Reviewer of the coding test" in confirm
    assert "Optional: you can choose the reviewer later." in confirm
    start = re.search(r'name="start" type="hidden" value="([^"]+)"', confirm).group(1)
    response = client.post(pick, data={"start": start, "plan": "stage", "brk": "0",
                                       "zone": "Asia/Shanghai", "reviewer_id": reviewer.id})
    assert response.status_code == 302
    booked = db.session.scalars(sa.select(Interview)).one()
    assert booked.stage_id == world.coding.id and booked.reviewer_id == reviewer.id
    # From its start the reviewer, not on the (empty) panel, has the test's feedback to write.
    due, _done = feedback_to_write(reviewer, booked.start_at)
    assert [(interview.id, draft) for interview, draft in due] == [(booked.id, None)]


def test_the_coordinators_feedback_page_lists_states_and_submitted_feedback(
        client, db, world):
    author, drafting = world.people[0], world.people[1]
    interview = past_interview(world, world.design, [author, drafting])
    submit_feedback(author.user, interview, FeedbackInput(
        scores={"framing": 4, "modelling": 3, "serving": 2},
        evidence={"framing": "Set offline and online metrics first."},
        strengths="Structured", concerns="Light on serving", recommendation="strong_yes",
        hire_level="senior"), NOW)
    save_draft(drafting.user, interview, FeedbackInput(strengths="secret draft"), NOW)
    db.session.commit()
    _sign_in(client, db, _coordinator(db))
    card = _text(client.get(f"/coordinator/applications/{world.application.id}"))
    assert "draft in progress" in card and "submitted " in card and "Read the feedback" in card
    page = _text(client.get(f"/coordinator/applications/{world.application.id}/feedback"))
    assert "4 · Strong yes" in page and "Set offline and online metrics first." in page
    assert "Senior (8+ years)" in page and "Light on serving" in page
    assert "draft in progress" in page and "secret draft" not in page
