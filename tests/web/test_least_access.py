"""Least access on the pages (issue 24 item 4): a coordinator sees the candidates of the openings
they coordinate, and another opening's candidate's pages answer 404 to them; the calendar board,
its ICS export and an interviewer's week show another opening's interviews as time taken, with no
candidate name, email address, phone number or link; the pipeline, the list, its CSV and the failed
mail hold only their own openings' candidates; an interviewer sees the interviews they are on and
the candidate's phone number only on a phone screen they conduct; only an admin or a coordinator of
an opening changes its coordinators.

Two openings: Lin coordinates A (Ana Alder's, a phone screen with Ivan), Max coordinates B (Bo
Birch's, a system design with Vera). Ada is an admin.
"""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import factories as f
from tests.clock import BEIJING, NOW, at_local
from tests.web.helpers import post_form, sign_in

PASSWORD = "correct horse battery staple"
EN = {"Accept-Language": "en"}
UNNAMED = "Interview — another opening"


@pytest.fixture
def two(db):
    office = f.make_office(code="BJ")
    lin = f.make_user(roles=("coordinator",), email="lin@example.com", name="Lin", language="en")
    max_ = f.make_user(roles=("coordinator",), email="max@example.com", name="Max",
                       language="en")
    ada = f.make_user(roles=("admin",), email="ada@example.com", name="Ada", language="en")
    ivan = f.make_interviewer(office=office, user=f.make_user(
        email="ivan@example.com", name="Ivan", language="en"),
        qualifications={"phone_screen": "qualified"})
    vera = f.make_interviewer(office=office, user=f.make_user(
        email="vera@example.com", name="Vera", language="en"))
    opening_a = f.make_requisition(title_en="Opening A", stages=[dict(
        kind="phone_screen", mode="phone", name_en="Phone screen", name_zh="初步沟通",
        duration_minutes=30)])
    opening_b = f.make_requisition(title_en="Opening B")
    f.coordinate(lin, opening_a)
    f.coordinate(max_, opening_b)
    ana = f.make_application(requisition=opening_a, candidate=f.make_candidate(
        name="Ana Alder", email="ana.alder@example.org", phone="+86 139 1111 2222"))
    bo = f.make_application(requisition=opening_b, candidate=f.make_candidate(
        name="Bo Birch", email="bo.birch@example.org", phone="+86 139 3333 4444"))
    # Both at Beijing office hours on one local day two days on: one board week holds both.
    day = (NOW + timedelta(days=2)).astimezone(ZoneInfo(BEIJING)).date()
    interview_a = f.make_interview(ana, [ivan], at_local(day, "10:00"))
    interview_b = f.make_interview(bo, [vera], at_local(day, "14:00"))
    failed_a = f.make_outbox_message(to_addr=ana.candidate.email, failed_at=NOW, attempts=5,
                                     subject="To Ana", interview_id=interview_a.id)
    db.session.commit()
    return dict(lin=lin, max=max_, ada=ada, ivan=ivan, vera=vera, a=opening_a, b=opening_b,
                ana=ana, bo=bo, interview_a=interview_a, interview_b=interview_b,
                failed_a=failed_a, day=day)


def _as(client, email):
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def _candidate_pages(w) -> list[str]:
    """Every coordinator GET page about Ana's application, candidate or interview."""
    app_id, cand_id, iv_id = w["ana"].id, w["ana"].candidate_id, w["interview_a"].id
    return [f"/coordinator/applications/{app_id}",
            f"/coordinator/applications/{app_id}/details",
            f"/coordinator/applications/{app_id}/erase",
            f"/coordinator/applications/{app_id}/feedback",
            f"/coordinator/applications/{app_id}/links",
            f"/coordinator/applications/{app_id}/slots.json",
            f"/coordinator/applications/{app_id}/book",
            f"/coordinator/candidates/{cand_id}/export",
            f"/coordinator/candidates/{cand_id}/export.json",
            f"/coordinator/candidates/{cand_id}/applications/new",
            f"/coordinator/interviews/{iv_id}/reschedule",
            f"/coordinator/interviews/{iv_id}/swap?interviewer={w['ivan'].id}"]


def test_another_openings_coordinator_gets_404_on_every_page_of_that_candidate(client, two):
    _as(client, "max@example.com")
    answers = {url: client.get(url, headers=EN).status_code for url in _candidate_pages(two)}
    assert answers == {url: 404 for url in answers}


def test_the_openings_own_coordinator_reaches_the_same_pages(client, two):
    _as(client, "lin@example.com")
    answers = {url: client.get(url, headers=EN).status_code for url in _candidate_pages(two)}
    # The slots answer is a refusal about the stage (a phone screen with nobody free is fine);
    # booking without a chosen time goes back to the page: none of them is "not found".
    assert all(status != 404 for status in answers.values()), answers


def test_another_openings_coordinator_cannot_act_on_that_candidate(client, two, db):
    app_id, iv_id = two["ana"].id, two["interview_a"].id
    _as(client, "max@example.com")
    page = f"/coordinator/applications/{two['bo'].id}"   # a page of their own, for a token
    posts = {
        f"/coordinator/applications/{app_id}/links": {"scope": "stage", "valid_days": "7"},
        f"/coordinator/applications/{app_id}/decisions": {
            "stage_id": str(two["a"].stages[0].id), "outcome": "hold"},
        f"/coordinator/interviews/{iv_id}/cancel": {"reason": "x"},
        f"/coordinator/interviews/{iv_id}/no-show": {"party": "candidate"},
    }
    answers = {url: post_form(client, url, data, page_url=page, headers=EN).status_code
               for url, data in posts.items()}
    assert answers == {url: 404 for url in posts}
    db.session.expire_all()
    assert two["interview_a"].status == "scheduled"


def test_the_list_its_csv_and_the_failed_mail_hold_only_their_openings(client, two):
    _as(client, "max@example.com")
    home = client.get("/coordinator/", headers=EN).text
    csv = client.get("/coordinator/applications.csv", headers=EN).text
    search = client.get("/coordinator/?q=Ana", headers=EN).text
    outbox = client.get("/coordinator/outbox", headers=EN).text
    assert "Bo Birch" in home and "Bo Birch" in csv
    assert "could not be sent" not in home     # Ana's failed mail is not theirs to count
    for text in (home, csv, search, outbox):
        assert "Ana Alder" not in text and "ana.alder@example.org" not in text
    client.post("/logout", data={})
    admin = _as(client.application.test_client(), "ada@example.com")
    admin_home = admin.get("/coordinator/", headers=EN).text
    assert "Ana Alder" in admin_home and "1 email could not be sent." in admin_home
    assert "ana.alder@example.org" in admin.get("/coordinator/outbox", headers=EN).text


def test_the_board_and_its_export_show_another_openings_interview_without_its_candidate(
        client, two):
    _as(client, "max@example.com")
    query = f"?view=week&day={two['day'].isoformat()}&zone=Asia/Shanghai"
    board = client.get(f"/coordinator/board{query}", headers=EN)
    ics = client.get(f"/coordinator/board.ics{query}", headers=EN)
    assert board.status_code == ics.status_code == 200
    for text in (board.text, ics.text):
        assert "Bo Birch" in text          # their own opening's candidate, named
        assert UNNAMED in text             # the other opening's interview: time taken
        for secret in ("Ana Alder", "ana.alder@example.org", "+86 139 1111 2222"):
            assert secret not in text
    # Nothing to open on the unnamed block, and opening it by hand is not found.
    assert f"open={two['interview_a'].id}" not in board.text
    opened = client.get(f"/coordinator/board{query}&open={two['interview_a'].id}", headers=EN)
    assert opened.status_code == 404
    # A search by the other candidate's name finds nobody's row through their interview.
    found = client.get(f"/coordinator/board{query}&q=Ana", headers=EN).text
    assert "Ivan" not in found


def test_the_openings_own_coordinator_sees_the_name_on_the_board(client, two):
    _as(client, "lin@example.com")
    query = f"?view=week&day={two['day'].isoformat()}&zone=Asia/Shanghai"
    board = client.get(f"/coordinator/board{query}", headers=EN).text
    assert "Ana Alder" in board and "Bo Birch" not in board and UNNAMED in board


def test_an_interviewers_week_seen_by_another_openings_coordinator_has_no_name(client, two):
    _as(client, "max@example.com")
    week = f"?week={two['day'].isoformat()}"
    ivan = client.get(f"/availability/{two['ivan'].id}{week}", headers=EN).text
    vera = client.get(f"/availability/{two['vera'].id}{week}", headers=EN).text
    assert UNNAMED in ivan and "Ana Alder" not in ivan
    assert "Bo Birch" in vera


def test_the_pipeline_and_overview_offer_only_their_openings(client, two):
    _as(client, "max@example.com")
    pipeline = client.get(f"/coordinator/pipeline?opening={two['a'].id}", headers=EN)
    overview = client.get(f"/coordinator/overview?opening={two['a'].id}", headers=EN)
    assert pipeline.status_code == overview.status_code == 200
    assert "Ana Alder" not in pipeline.text and "Bo Birch" in pipeline.text
    for text in (pipeline.text, overview.text):
        assert f'value="{two["a"].id}"' not in text   # not even offered


def test_an_interviewer_sees_the_phone_only_on_a_phone_screen_and_never_other_candidates(
        client, two):
    ivan_home = _as(client, "ivan@example.com").get("/interviewer/", headers=EN).text
    assert "Ana Alder" in ivan_home and "+86 139 1111 2222" in ivan_home
    assert "Bo Birch" not in ivan_home
    vera = _as(client.application.test_client(), "vera@example.com")
    vera_home = vera.get("/interviewer/", headers=EN).text
    assert "Bo Birch" in vera_home
    assert "+86 139 3333 4444" not in vera_home        # a video system design: no number
    assert "Ana Alder" not in vera_home and "bo.birch@example.org" not in vera_home
    # Someone else's interview: not found.
    assert vera.get(f"/interviewer/interviews/{two['interview_a'].id}/decline",
                    headers=EN).status_code == 404


def test_only_an_admin_or_the_openings_coordinator_changes_its_coordinators(client, two, db):
    opening = two["a"]
    url = f"/coordinator/openings/{opening.id}/edit"

    def post_coordinators(http, ids):
        form = {"title_zh": opening.title_zh, "title_en": opening.title_en,
                "salary_min": "28000", "salary_max": "60000", "salary_currency": "CNY",
                "salary_period": "month", "is_open": "y", "retention_days": "180",
                "office_ids": [], "coordinator_ids": [str(i) for i in ids],
                "levels-0-code": "mid", "levels-0-name_zh": "中级", "levels-0-name_en": "Mid",
                "levels-0-years": "5-8"}
        office = f.make_office()
        db.session.commit()
        form["office_ids"] = [str(office.id)]
        return post_form(http, url, form, headers=EN)

    refused = post_coordinators(_as(client, "max@example.com"), [two["max"].id])
    assert refused.status_code == 200
    assert "Only an admin or a coordinator of this opening" in refused.text
    db.session.expire_all()
    assert opening.coordinators == [two["lin"]]
    lin = _as(client.application.test_client(), "lin@example.com")
    assert post_coordinators(lin, [two["lin"].id, two["max"].id]).status_code == 302
    db.session.expire_all()
    assert {u.email for u in opening.coordinators} == {"lin@example.com", "max@example.com"}


def test_a_coordinator_cannot_erase_a_candidate_who_also_applied_to_another_opening(
        client, two, db):
    # Bo Birch applies to Lin's opening too: Lin sees him through that application, but an erasure
    # would cancel Max's interview and scrub opening B's records, which Lin may not even see.
    also_a = f.make_application(requisition=two["a"], candidate=two["bo"].candidate)
    db.session.commit()
    url = f"/coordinator/applications/{also_a.id}/erase"
    lin = _as(client, "lin@example.com")
    page = lin.get(url, headers=EN)
    assert page.status_code == 200
    assert "Bo Birch also applied to an opening you do not coordinate" in page.text
    assert "System design" not in page.text      # opening B's interview is not listed
    assert 'name="is_requested_by_candidate"' not in page.text
    refused = post_form(lin, url, {"is_requested_by_candidate": "y"},
                        page_url=f"/coordinator/applications/{also_a.id}",
                        headers=EN)
    assert refused.status_code == 200
    db.session.expire_all()
    assert two["bo"].candidate.erasure_requested_at is None
    assert two["interview_b"].status == "scheduled"
    admin = _as(client.application.test_client(), "ada@example.com")
    assert 'name="is_requested_by_candidate"' in admin.get(url, headers=EN).text
    assert post_form(admin, url, {"is_requested_by_candidate": "y"}, page_url=url,
                     headers=EN).status_code == 302
    db.session.expire_all()
    assert two["bo"].candidate.erasure_requested_at is not None


def test_a_coordinator_cannot_export_a_candidate_who_also_applied_to_another_opening(
        client, two, db):
    f.make_application(requisition=two["a"], candidate=two["bo"].candidate)
    db.session.commit()
    urls = [f"/coordinator/candidates/{two['bo'].candidate_id}/export{suffix}"
            for suffix in ("", ".json")]
    lin = _as(client, "lin@example.com")
    assert [lin.get(url, headers=EN).status_code for url in urls] == [403, 403]
    admin = _as(client.application.test_client(), "ada@example.com")
    assert [admin.get(url, headers=EN).status_code for url in urls] == [200, 200]
