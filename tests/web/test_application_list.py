"""The coordinator's home as the applications list, and its CSV export: the page searches,
filters, sorts and pages through its form (a bad value gets a message and a list, never an
error page), says each application's state in the coordinator's zone and language, costs the
same statements for 5 or 45 applications; the CSV parses with the csv module, matches the list
(every page of it), keeps Chinese names for Excel (UTF-8 with BOM), names the zone of its times
and defuses formulas; interviewers and anonymous visitors reach neither."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from lxml import html as lxml_html

from scheduler.demo import load_demo
from scheduler.models import Application
from scheduler.services.decisions import offer_clock, waiting_for
from scheduler.services.pipeline import application_states
from scheduler.timeutil import to_zone
from tests import factories as f
from tests.services.test_find_slots_queries import counted_statements
from tests.services.test_pipeline_states import expected_kind
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
EN = {"Accept-Language": "en"}
LONDON = "Europe/London"


@pytest.fixture
def world(db, now):
    """A London-based coordinator and an opening with applications in several states."""
    f.make_user(roles=("coordinator",), email="co@example.com", zone=LONDON, language="en")
    f.make_user(roles=("coordinator",), email="zh@example.com", zone="Asia/Shanghai",
                language="zh")
    f.make_user(roles=("interviewer",), email="iv@example.com")
    requisition = f.make_requisition(stages=[
        {"kind": "system_design", "panel_size": 1, "feedback_due_hours": 24},
        {"kind": "offer", "name_en": "Offer", "name_zh": "发放Offer", "panel_size": 0,
         "sla_days": 14}])
    design, offer = requisition.stages
    ann = f.make_interviewer(user=f.make_user(name="Ann Lee"))
    apps = {
        "booked": f.make_application(requisition=requisition, candidate=f.make_candidate(
            name="陈晓明", phone="+86 138 1000 0001")),
        "late": f.make_application(requisition=requisition, candidate=f.make_candidate(
            name="Hannah Wright", zone=LONDON)),
        "offer": f.make_application(requisition=requisition, current_stage=offer,
                                    offer_due_at=now - 2 * DAY - HOUR,
                                    candidate=f.make_candidate(name="=HYPERLINK(\"x\")")),
        "fresh": f.make_application(requisition=requisition, candidate=f.make_candidate(
            name="林雨萱", email="-yuxuan@example.org")),
    }
    booked = f.make_interview(application=apps["booked"], panel=[ann], start_at=now + 2 * DAY)
    f.make_interview(application=apps["late"], panel=[ann], start_at=now - 3 * DAY)
    db.session.commit()
    return apps, booked


def _sign_in(client, email="co@example.com"):
    assert sign_in(client, email, PASSWORD).status_code == 302


def _rows(html: str) -> list:
    return lxml_html.fromstring(html).xpath('//tr[@data-application]')


def _names(html: str) -> list[str]:
    return [row.xpath("string(.//td[1]//a)") for row in _rows(html)]


def test_the_list_says_each_state_in_the_coordinators_zone(client, db, now, world):
    apps, booked = world
    _sign_in(client)
    html = client.get("/coordinator/", headers=EN).text
    rows = {row.get("data-application"): row for row in _rows(html)}
    state = {key: rows[str(a.id)].get("data-state") for key, a in apps.items()}
    assert state == {"booked": "booked", "late": "feedback_pending", "offer": "offer",
                     "fresh": "needs_scheduling"}
    text = {key: " ".join(rows[str(a.id)].xpath("string(.)").split()) for key, a in apps.items()}
    # The booked time on the coordinator's (London) wall clock, labelled with the zone.
    local = to_zone(booked.start_at, LONDON)
    assert f"{local:%H:%M} ({LONDON}, GMT" in text["booked"]
    assert local.strftime("%-d %b %Y") in text["booked"]
    # Late feedback and an offer past its clock are red, and say so in words.
    assert "Ann Lee: Overdue by" in text["late"] and "Overdue: the offer was due" in text["offer"]
    for key in ("late", "offer"):
        assert rows[str(apps[key].id)].xpath('.//div[contains(@class, "is-overdue")]')
    assert not rows[str(apps["booked"].id)].xpath('.//div[contains(@class, "is-overdue")]')
    assert "Times are shown in Europe/London, GMT" in html


def test_the_list_in_chinese(client, db, now, world):
    apps, booked = world
    _sign_in(client, "zh@example.com")
    html = client.get("/coordinator/").text
    rows = {row.get("data-application"): " ".join(row.xpath("string(.)").split())
            for row in _rows(html)}
    assert "待安排面试" in rows[str(apps["fresh"].id)]
    assert "待提交反馈" in rows[str(apps["late"].id)] and "已逾期" in rows[str(apps["late"].id)]
    local = to_zone(booked.start_at, "Asia/Shanghai")
    assert f"{local.month}月{local.day}日" in rows[str(apps["booked"].id)]
    assert "北京时间 Asia/Shanghai" in rows[str(apps["booked"].id)]
    assert "4 份应聘申请" in html and "姓名、邮箱或电话" in html


def test_search_filters_sort_and_pages_through_the_form(client, db, now, world):
    apps, _booked = world
    _sign_in(client)
    assert _names(client.get("/coordinator/?q=晓明", headers=EN).text) == ["陈晓明"]
    assert _names(client.get("/coordinator/?q=WRIGHT", headers=EN).text) == ["Hannah Wright"]
    assert _names(client.get("/coordinator/?q=13810000001", headers=EN).text) == ["陈晓明"]
    assert _names(client.get("/coordinator/?state=feedback_pending", headers=EN).text) == \
        ["Hannah Wright"]
    assert _names(client.get("/coordinator/?state=offer&q=hyperlink", headers=EN).text) == \
        ['=HYPERLINK("x")']
    names = [a.candidate.name for a in apps.values()]
    html = client.get("/coordinator/?sort=name&size=10", headers=EN).text
    assert _names(html) == sorted(names, key=str.lower)
    html = client.get("/coordinator/?sort=-name&size=10", headers=EN).text
    assert _names(html) == sorted(names, key=str.lower, reverse=True)
    html = client.get("/coordinator/?sort=state&size=10", headers=EN).text
    assert [row.get("data-state") for row in _rows(html)] == [
        "needs_scheduling", "booked", "feedback_pending", "offer"]


def test_paging_links_keep_the_filters(client, db, now, world):
    apps, _booked = world
    requisition = next(iter(apps.values())).requisition
    for n in range(11):
        f.make_application(requisition=requisition, candidate=f.make_candidate(name=f"Zed {n:02}"))
    db.session.commit()
    _sign_in(client)
    url, seen = "/coordinator/?q=zed&sort=name&size=10", []
    while url:
        html = client.get(url, headers=EN).text
        seen += _names(html)
        nxt = lxml_html.fromstring(html).xpath('//a[@rel="next"]/@href')
        url = nxt[0] if nxt else None
        if url:
            assert "q=zed" in url and "sort=name" in url and "size=10" in url
    assert seen == [f"Zed {n:02}" for n in range(11)]
    assert "Page 2 of 2" in html


BAD_VALUES = [
    ("page=abc", "Page: Enter a page number from 1 to 9999."),
    ("page=0", "Page: Enter a page number from 1 to 9999."),
    ("size=100000", "Per page: Not a valid choice."),
    ("status=bogus", "Status: Not a valid choice."),
    ("state=%27%3B+DROP", "State: Not a valid choice."),
    ("opening=999", "Opening: Not a valid choice."),
    (f"q={'x' * 101}", "Name, email or phone: Use at most 100 characters."),
]


def test_a_bad_value_gets_a_message_and_the_list(client, db, world):
    apps, _booked = world
    _sign_in(client)
    for query, message in BAD_VALUES:
        response = client.get(f"/coordinator/?{query}", headers=EN)
        assert response.status_code == 200, query
        summary = lxml_html.fromstring(response.text).xpath(
            '//div[contains(@class, "error-summary")]')
        assert message in " ".join(summary[0].xpath("string(.)").split()), query
        # The refused value counts as not given: every application is listed.
        assert len(_rows(response.text)) == len(apps), query
        assert client.get(f"/coordinator/applications.csv?{query}", headers=EN).status_code == 200


def test_a_bad_value_is_said_in_chinese_too(client, db, world):
    _sign_in(client, "zh@example.com")
    html = client.get("/coordinator/?page=abc&status=bogus").text
    assert "请输入 1 到 9999 之间的页码。" in html and "不是有效的选择。" in html


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.data.startswith("\ufeff".encode("utf-8"))  # Excel reads UTF-8 with it
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def test_the_csv_matches_the_list_every_page_of_it(client, db, now, world):
    apps, booked = world
    requisition = next(iter(apps.values())).requisition
    for n in range(12):
        f.make_application(requisition=requisition, candidate=f.make_candidate(name=f"候选 {n}"))
    db.session.commit()
    _sign_in(client)
    listed, url = [], "/coordinator/?sort=name&size=10"
    while url:
        html = client.get(url, headers=EN).text
        listed += _names(html)
        nxt = lxml_html.fromstring(html).xpath('//a[@rel="next"]/@href')
        url = nxt[0] if nxt else None
    header, *lines = _csv(client.get("/coordinator/applications.csv?sort=name&size=10&page=2",
                                     headers=EN))
    assert header[:3] == ["Candidate", "Email", "Phone"]
    assert f"Interview booked ({LONDON})" in header and f"Last activity ({LONDON})" in header
    # Every page, in the list's order; formulas defused, Chinese kept.
    assert [line[0] for line in lines] == [
        "'" + name if name.startswith("=") else name for name in listed]
    assert len(lines) == len(apps) + 12
    by_name = {line[0]: dict(zip(header, line)) for line in lines}
    assert by_name["'=HYPERLINK(\"x\")"]["State"] == "Offer"
    assert by_name["林雨萱"]["Email"] == "'-yuxuan@example.org"
    assert by_name["陈晓明"]["Phone"] == "'+86 138 1000 0001"
    assert by_name["陈晓明"][f"Interview booked ({LONDON})"] == \
        f"{to_zone(booked.start_at, LONDON):%Y-%m-%d %H:%M}"
    assert by_name["Hannah Wright"]["State"] == "Feedback pending"
    assert by_name["Hannah Wright"]["Details"].startswith("Ann Lee: Overdue by")
    # Filters apply to the export as to the list.
    header, *lines = _csv(client.get("/coordinator/applications.csv?q=晓明", headers=EN))
    assert [line[0] for line in lines] == ["陈晓明"]


@pytest.mark.parametrize("path", ["/coordinator/", "/coordinator/applications.csv"])
def test_interviewers_and_anonymous_visitors_cannot_reach_the_list(client, db, world, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    _sign_in(client, "iv@example.com")
    assert client.get(path).status_code == 403


def test_the_page_takes_the_same_statements_for_few_and_many(client, db, now, world):
    apps, _booked = world
    requisition = next(iter(apps.values())).requisition
    _sign_in(client)

    def measure(query):
        db.session.commit()
        with counted_statements(db) as statements:
            response = client.get(f"/coordinator/?{query}", headers=EN)
        assert response.status_code == 200 and _rows(response.text)
        return len(statements)

    queries = ["size=100", "q=example&sort=state&size=100", "sort=name&size=10&page=2"]
    for n in range(8):
        f.make_application(requisition=requisition)
    f.make_link(apps["fresh"])  # every state with details is on the page already
    few = [measure(query) for query in queries]
    for n in range(40):
        application = f.make_application(requisition=requisition)
        if n % 3 == 0:
            f.make_link(application)
        elif n % 3 == 1:
            f.make_interview(application=application, panel=[f.make_interviewer()],
                             start_at=now + (n + 2) * HOUR)
    assert [measure(query) for query in queries] == few


def test_every_demo_application_shows_its_state_on_the_list(client, db, now):
    load_demo(now)
    db.session.commit()
    assert sign_in(client, "coordinator@example.com").status_code == 302
    html = client.get("/coordinator/?size=100", headers=EN).text
    shown = {int(row.get("data-application")): row.get("data-state") for row in _rows(html)}
    applications = db.session.scalars(sa.select(Application)).all()
    assert shown == {a.id: expected_kind(a, now) for a in applications}
    states = application_states(applications, now)
    for application in applications:
        state = states[application.id]
        if state.kind == "feedback_pending":
            missing = waiting_for(application, application.current_stage, now).missing
            assert sorted({name for name, _due, _late in state.pending}) == \
                sorted(profile.user.name for profile in missing)
        clock = offer_clock(application, now)
        if state.kind == "offer" and clock is not None:
            assert (state.days_left(now), state.is_overdue) == (clock.days_left, clock.is_overdue)
    # The demo shows the pipeline's variety, so the comparison above means something.
    assert len(set(shown.values())) >= 5
