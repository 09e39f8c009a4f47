"""The pipeline board and the overview as pages (issue 20): who may open them, the overview's
figures and charts in both languages (the hand-worked opening of tests/pipeline_setup.py), its
period checked, and the board's cards moving an application on through the existing routes
(send a link, advance), back to the board; the board reads in a fixed number of statements."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from scheduler.models import Application, OutboxMessage, SchedulingLink
from tests import factories as f
from tests.clock import local_today
from tests.pipeline_setup import FIRST_DAY, LAST_DAY, build_opening
from tests.services.test_find_slots_queries import counted_statements
from tests.web.helpers import csrf_token, sign_in

PASSWORD = "correct horse battery staple"
EN = {"Accept-Language": "en"}
PAGES = ("/coordinator/pipeline", "/coordinator/overview")


def test_interviewers_and_anonymous_visitors_cannot_reach_the_pipeline_or_the_overview(
        app, db, client):
    interviewer = f.make_interviewer()
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert sign_in(client, interviewer.user.email, PASSWORD).status_code == 302
    for url in PAGES:
        assert client.get(url).status_code == 403


def _row(text, name):
    """Return the numbers of the funnel table's row *name*."""
    match = re.search(rf'<th scope="row">{re.escape(name)}</th>((?:\s*<td class="numbers">'
                      rf'[^<]*</td>)+)', text)
    assert match, f"no funnel row {name!r}"
    return re.findall(r'<td class="numbers">([^<]*)</td>', match.group(1))


def _fact(text, term):
    match = re.search(rf"<dt>{re.escape(term)}</dt><dd[^>]*>(?:<strong>)?([^<]*)", text)
    assert match, f"no figure {term!r}"
    return match.group(1)


def _section(text, heading_id):
    start = text.index(f'id="{heading_id}"')
    return text[start:text.find("</section>", start)]


def test_the_overview_shows_the_hand_worked_figures_beside_its_charts(app, db, client, now):
    world = build_opening(db, now)
    world.coordinator.language = "en"
    sign_in(client, world.coordinator.email, PASSWORD)
    query = (f"/coordinator/overview?opening={world.requisition.id}"
             f"&first_day={FIRST_DAY.isoformat()}&last_day={LAST_DAY.isoformat()}")
    page = client.get(query, headers=EN)
    assert page.status_code == 200
    text = page.text
    assert _row(text, "1. Phone screen") == ["4", "—", "100%"]
    assert _row(text, "2. System design") == ["3", "75%", "75%"]
    assert _row(text, "3. HR final") == ["1", "33%", "25%"]
    assert _row(text, "5. Offer made") == ["1", "100%", "25%"]
    assert "<title>Funnel: Phone screen 4, System design 3, HR final 1, Offer 1, Offer made 1" \
           "</title>" in text
    links = _section(text, "link-heading")
    assert (_fact(links, "Links booked"), _fact(links, "Median"),
            _fact(links, "90th percentile")) == ("3", "24 hours", "2 days")
    assert (_fact(links, "Links sent"), _fact(links, "Of those, not booked")) == ("3", "1")
    decisions = _section(text, "decision-heading")
    assert (_fact(decisions, "Decisions"), _fact(decisions, "Median"),
            _fact(decisions, "90th percentile")) == ("2", "15 hours", "24 hours")
    feedback = _section(text, "feedback-heading")
    assert (_fact(feedback, "On-time rate"), _fact(feedback, "Late or missing"),
            _fact(feedback, "Not due yet")) == ("33%", "2", "1")
    offers = _section(text, "offers-heading")
    assert (_fact(offers, "Within the SLA"), _fact(offers, "Made late"),
            _fact(offers, "Clocks run out, no offer yet")) == ("50%", "1", "1")
    load = _section(text, "load-heading")
    assert world.p1.user.name in load and world.p2.user.name in load
    assert 'class="numbers over-cap"' in load          # p1's three seats in a day, cap 2
    # Every chart names what it shows, for a screen reader too.
    charts = re.findall(r'<svg class="chart [^"]*"[^>]*role="img" aria-label="([^"]+)">\s*'
                        r'<title>([^<]+)</title>', text)
    assert len(charts) == 5 + 2 and all(label == title for label, title in charts)

    world.coordinator.language = "zh"
    chinese = client.get(query).text
    assert "漏斗" in chinese and "按时提交率" in chinese
    assert _row(chinese, "2. 系统设计") == ["3", "75%", "75%"]


def test_the_overview_defaults_to_the_last_four_weeks_and_refuses_a_backwards_period(
        app, db, client, now):
    world = build_opening(db, now)
    world.coordinator.language = "en"
    sign_in(client, world.coordinator.email, PASSWORD)
    page = client.get("/coordinator/overview", headers=EN)
    assert page.status_code == 200
    first = (local_today() - timedelta(days=27)).isoformat()
    assert f'value="{first}"' in page.text and f'value="{local_today().isoformat()}"' in page.text
    backwards = client.get(f"/coordinator/overview?opening={world.requisition.id}"
                           f"&first_day={LAST_DAY.isoformat()}&last_day={FIRST_DAY.isoformat()}",
                           headers=EN)
    assert backwards.status_code == 422
    assert "The last day must not be before the first." in backwards.text
    assert 'id="funnel-heading"' not in backwards.text


# --- The board --------------------------------------------------------------------------------


@pytest.fixture
def board_world(db, now):
    """An opening with a phone screen and a system design; a coordinator; one application to
    schedule, one whose phone screen is held with its feedback in (a decision is due)."""
    coordinator = f.make_user(roles=("coordinator",), language="en")
    requisition = f.make_requisition(stages=[
        {"kind": "phone_screen", "name_en": "Phone screen", "name_zh": "初步沟通"},
        {"kind": "system_design"}])
    screen = requisition.stages[0]
    person = f.make_interviewer(qualifications={"phone_screen": "qualified"})
    to_schedule = f.make_application(requisition=requisition,
                                     candidate=f.make_candidate(name="陈晓明"))
    to_decide = f.make_application(requisition=requisition,
                                   candidate=f.make_candidate(name="Hannah Wright"))
    interview = f.make_interview(application=to_decide, stage=screen, panel=[person],
                                 start_at=now - timedelta(days=2))
    f.make_feedback(interview, person, submitted_at=interview.end_at + timedelta(hours=1))
    return requisition, coordinator, to_schedule, to_decide


def _columns(text) -> dict[str, str]:
    """Return each column's heading text and its HTML."""
    columns = {}
    for chunk in text.split('<section class="pipeline-column"')[1:]:
        heading = re.search(r"<h2[^>]*>(.*?)<span", chunk, re.S).group(1).strip()
        columns[heading] = chunk
    return columns


def _card(text, application_id) -> str:
    start = text.index(f'data-application-id="{application_id}"')
    end = text.find('class="pipeline-card', start)
    return text[start:end if end > 0 else len(text)]


def test_a_card_sends_a_link_and_another_advances_back_on_the_board(app, db, client,
                                                                    board_world):
    requisition, coordinator, to_schedule, to_decide = board_world
    sign_in(client, coordinator.email, PASSWORD)
    board_url = f"/coordinator/pipeline?opening={requisition.id}"
    page = client.get(board_url, headers=EN)
    assert page.status_code == 200
    columns = _columns(page.text)
    assert list(columns) == ["1. Phone screen", "2. System design"]
    assert f'data-application-id="{to_schedule.id}"' in columns["1. Phone screen"]
    card = _card(page.text, to_schedule.id)
    assert "Needs scheduling" in card and "Send link" in card and "Book a time" in card
    assert f"/coordinator/applications/{to_schedule.id}#slots-heading" in card
    decide_card = _card(page.text, to_decide.id)
    assert "Decision needed" in decide_card and "Advance to the next stage" in decide_card

    token = csrf_token(page.text)
    sent = client.post(f"/coordinator/applications/{to_schedule.id}/links", headers=EN, data={
        "csrf_token": token, "scope": "stage", "valid_days": "7", "next": board_url})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(board_url)
    assert db.session.query(SchedulingLink).filter_by(application_id=to_schedule.id).count() == 1
    assert db.session.query(OutboxMessage).filter_by(to_addr=to_schedule.candidate.email).count()
    page = client.get(board_url, headers=EN)
    card = _card(page.text, to_schedule.id)
    assert "Link sent" in card and "Sent" in card and "Send link" not in card

    advanced = client.post(f"/coordinator/applications/{to_decide.id}/decisions", headers=EN,
                           data={"csrf_token": token, "stage_id": str(to_decide.current_stage_id),
                                 "outcome": "advance", "next": board_url})
    assert advanced.status_code == 302 and advanced.headers["Location"].endswith(board_url)
    moved = db.session.get(Application, to_decide.id)
    assert moved.current_stage_id == requisition.stages[1].id
    columns = _columns(client.get(board_url, headers=EN).text)
    assert f'data-application-id="{to_decide.id}"' in columns["2. System design"]
    assert f'data-application-id="{to_decide.id}"' not in columns["1. Phone screen"]
    # `next` only ever leads back into this site: elsewhere, the decision goes to its page.
    held = client.post(f"/coordinator/applications/{to_decide.id}/decisions", headers=EN,
                       data={"csrf_token": token, "stage_id": str(moved.current_stage_id),
                             "outcome": "hold", "next": "https://evil.example/"})
    assert held.status_code == 302
    assert held.headers["Location"].endswith(f"/coordinator/applications/{to_decide.id}#decision")


def test_the_board_searches_and_filters_as_the_list_does(app, db, client, board_world, now):
    requisition, coordinator, to_schedule, to_decide = board_world
    rejected = f.make_application(requisition=requisition, status="rejected",
                                  candidate=f.make_candidate(name="陈晓光"))
    sign_in(client, coordinator.email, PASSWORD)
    url = f"/coordinator/pipeline?opening={requisition.id}"
    # Still in the process by default: the rejected application is not on the board.
    page = client.get(url, headers=EN).text
    assert f'data-application-id="{rejected.id}"' not in page
    assert 'data-application-id="%d"' % to_decide.id in page
    # Part of a Chinese name, as on the list; a status and a state narrow it further.
    page = client.get(f"{url}&q=晓", headers=EN).text
    assert page.count('<li class="pipeline-card ') == 1 and f'="{to_schedule.id}"' in page
    page = client.get(f"{url}&q=晓&status=rejected", headers=EN).text
    assert page.count('<li class="pipeline-card ') == 1 and f'="{rejected.id}"' in page
    page = client.get(f"{url}&state=decision_needed", headers=EN).text
    assert page.count('<li class="pipeline-card ') == 1 and f'="{to_decide.id}"' in page
    # A hand-edited value is said beside its field and counts as not given.
    page = client.get(f"{url}&state=bogus", headers=EN)
    assert page.status_code == 200 and "Not a valid choice" in page.text
    assert page.text.count('<li class="pipeline-card ') == 2


def test_the_board_reads_the_same_statements_for_few_and_many(app, db, client, now,
                                                              board_world):
    requisition, coordinator, *_ = board_world
    sign_in(client, coordinator.email, PASSWORD)
    requisition_id = requisition.id

    def add(count):
        from scheduler.models import Requisition

        opening = db.session.get(Requisition, requisition_id)
        screen, design = opening.stages
        for n in range(count):
            person = f.make_interviewer(qualifications={"phone_screen": "qualified"})
            f.make_link(f.make_application(requisition=opening))
            booked = f.make_application(requisition=opening, current_stage=design)
            f.make_interview(application=booked, stage=design, panel=[person],
                             start_at=now + timedelta(days=3))
            pending = f.make_application(requisition=opening)
            f.make_interview(application=pending, stage=screen, panel=[person],
                             start_at=now - timedelta(days=2))

    def measure():
        db.session.commit()
        db.session.expunge_all()
        with counted_statements(db) as statements:
            page = client.get(f"/coordinator/pipeline?opening={requisition_id}", headers=EN)
        assert page.status_code == 200
        return len(statements), page.text.count('<li class="pipeline-card ')

    add(1)
    few, few_cards = measure()
    add(8)
    many, many_cards = measure()
    assert many_cards == few_cards + 8 * 3
    assert many == few
