"""The coordinator's slots endpoint: panels with names, alternatives, humane flags and holiday-data
warnings in the coordinator's language; loops; refusals; a fixed number of SQL statements.

The endpoint searches from the suite's frozen NOW; the assertions are about the shape of what comes
back (every slot, whatever the day), never about particular dates.
"""
from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from scheduler.domain.workdays import WorkdayCalendar
from scheduler.models import Application
from scheduler.services.booking import book_loop
from tests import factories as f
from tests.clock import local_today
from tests.services.test_find_slots_queries import counted_statements
from tests.web.helpers import csrf_token, sign_in

PASSWORD = "correct horse battery staple"


def _horizon_days() -> int:
    """Sixty days, or enough to reach the first year whose CN holiday data is not published."""
    today, calendar = local_today(), WorkdayCalendar("CN")
    year = next(y for y in itertools.count(today.year) if not calendar.is_year_covered(y))
    return max(60, (date(year, 1, 1) - today).days + 14)


@pytest.fixture
def world(db):
    """Beijing engineers (the first one senior), a London candidate, stages whose booking window
    reaches into a year without published CN holiday data (so the slots carry its warning)."""
    horizon_days = _horizon_days()
    beijing = f.make_office(code="BJ", zone="Asia/Shanghai", calendar_key="CN")
    people = [f.make_interviewer(
        office=beijing, windows=((0, 5), time(9), time(18)),
        user=f.make_user(email=f"engineer{n}@example.com", password=PASSWORD, name=f"工程师{n}",
                         language="zh"),
        qualifications={"system_design": "senior" if n == 0 else "qualified",
                        "project_deep_dive": "qualified"}) for n in range(4)]
    requisition = f.make_requisition(stages=[
        dict(kind="system_design", name_en="System design", panel_size=2,
             is_senior_seat_required=True, min_notice_minutes=0, horizon_days=horizon_days,
             is_looped_with_next=True),
        dict(kind="project_deep_dive", name_en="Project deep dive", panel_size=1,
             min_notice_minutes=0, horizon_days=horizon_days),
        dict(kind="offer", name_en="Offer", mode="online", duration_minutes=0, panel_size=0)])
    requisition.offices = [beijing]
    application = f.make_application(requisition=requisition,
                                     candidate=f.make_candidate(zone="Europe/London", name="Hannah"))
    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD, language="zh")
    f.make_user(email="co.en@example.com", roles=("coordinator",), password=PASSWORD, language="en")
    db.session.commit()
    return people, requisition, application


def coordinator(app, email="co@example.com"):
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def slots(client, application, **query):
    response = client.get(f"/coordinator/applications/{application.id}/slots.json",
                          query_string=query)
    return response.status_code, response.get_json()


def test_slots_carry_panels_alternatives_flags_and_translated_warnings(app, world):
    people, requisition, application = world
    status, body = slots(coordinator(app), application)  # the current stage: system design
    assert status == 200
    assert body["zone"] == "Europe/London" and body["candidate"]["name"] == "Hannah"
    assert [s["id"] for s in body["stages"]] == [requisition.stages[0].id]
    assert body["slots"], "four free engineers over sixty days must have slots"
    names = {p.id: p.user.name for p in people}
    senior = people[0].id
    for slot in body["slots"]:
        [part] = slot["stages"]
        panel = [member["id"] for member in part["panel"]]
        assert len(panel) == 2 and senior in panel
        assert all(member["name"] == names[member["id"]] for member in part["panel"])
        assert part["alternatives"] == 2  # the senior with any of three others: 3 panels
        assert slot["start_at"].endswith("Z") and slot["start_local"][-6:] in ("+00:00", "+01:00")
        start = datetime.fromisoformat(slot["start_local"])
        # Beijing 09:00–18:00 meets London 08:00–21:00 only early in the London morning.
        assert slot["is_humane"] == (not slot["flags"])
        if start.hour < 9:
            assert {"kind": "early", "who": "candidate", "interviewer_id": None, "name": "",
                    "message": "对候选人来说偏早"} in slot["flags"]
    assert any(slot["flags"] for slot in body["slots"])
    warning = next(w for w in body["warnings"] if w["calendar_key"] == "CN")
    assert warning["code"] == "holiday_data_missing"
    assert f"中国大陆 {warning['year']} 年的官方节假日安排尚未发布" in warning["message"]

    status, english = slots(coordinator(app, "co.en@example.com"), application)
    warning = next(w for w in english["warnings"] if w["calendar_key"] == "CN")
    assert warning["message"].startswith(
        f"The official China (mainland) holiday schedule for {warning['year']}")


def test_a_loop_books_stages_back_to_back_with_disjoint_panels(app, world):
    _people, requisition, application = world
    first, second, _offer = requisition.stages
    status, body = slots(coordinator(app), application, stages=f"{first.id},{second.id}",
                         zone="Asia/Shanghai", **{"break": "15"})
    assert status == 200 and body["break_minutes"] == 15 and body["slots"]
    for slot in body["slots"]:
        design, deep_dive = slot["stages"]
        assert (datetime.fromisoformat(deep_dive["start_at"].replace("Z", "+00:00"))
                - datetime.fromisoformat(design["end_at"].replace("Z", "+00:00"))) == timedelta(minutes=15)
        assert not {m["id"] for m in design["panel"]} & {m["id"] for m in deep_dive["panel"]}
        assert slot["start_local"].endswith("+08:00")
        assert 9 <= datetime.fromisoformat(slot["start_local"]).hour
        assert not [flag for flag in slot["flags"] if flag["who"] == "candidate"]


@pytest.mark.parametrize("query, code, message", [
    ({"stages": "abc"}, "bad_stages", "List stages by their ids, separated by commas."),
    ({"stages": "999"}, "unknown_stage",
     "Stage 999 is not a stage of this application's requisition."),
    ({"stages": "OFFER"}, "stage_not_schedulable",
     "The stage “Offer” is not an interview and has no times."),
    ({"stages": "FIRST,FIRST"}, "repeated_stage", "A stage is listed twice."),
    ({"zone": "Mars/Olympus"}, "unknown_zone", "Unknown time zone: choose one from the list"),
    ({"stages": "FIRST,SECOND", "break": "999"}, "bad_break",
     "The break must be between 0 and 240 minutes."),
])
def test_bad_queries_are_refused_with_a_code_and_a_message(app, world, query, code, message):
    _people, requisition, application = world
    ids = {"FIRST": requisition.stages[0].id, "SECOND": requisition.stages[1].id,
           "OFFER": requisition.stages[2].id}
    if "stages" in query:
        for name, stage_id in ids.items():
            query["stages"] = query["stages"].replace(name, str(stage_id))
    status, body = slots(coordinator(app, "co.en@example.com"), application, **query)
    assert status == 400 and message in body["error"] and body["code"] == code


def test_a_booked_loop_is_refused_like_the_page_refuses_it(app, db, world):
    _people, requisition, application = world
    first, second, _offer = requisition.stages
    application.candidate.zone = "Asia/Shanghai"  # a whole loop fits the engineers' day
    db.session.commit()
    client = coordinator(app, "co.en@example.com")
    loop = f"{first.id},{second.id}"
    status, body = slots(client, application, stages=loop)
    assert status == 200 and body["slots"]
    chosen = body["slots"][0]
    book_loop("test", application, [first, second],
              datetime.fromisoformat(chosen["start_at"].replace("Z", "+00:00")),
              [[m["id"] for m in part["panel"]] for part in chosen["stages"]], f.NOW,
              break_minutes=body["break_minutes"])
    db.session.commit()
    # The loop, its first stage (the current one, as the page offers it) and its second alone.
    for query in ({"stages": loop}, {}, {"stages": str(second.id)}):
        status, body = slots(client, application, **query)
        assert status == 409, query
        assert body["code"] == "already_booked" and "slots" not in body
        assert body["error"] == ("This stage already has a booked interview: reschedule or cancel "
                                 "that one instead.")
    page = client.get(f"/coordinator/applications/{application.id}").text
    assert "This stage is already booked." in page and "/book?" not in page
    # In the coordinator's language.
    status, body = slots(coordinator(app), application, stages=loop)
    assert status == 409 and body["error"] == "这一轮已经预约了面试：请改期或取消那场面试。"


def test_interviewers_may_not_read_slots_and_unknown_applications_are_404(app, world):
    _people, _requisition, application = world
    interviewer = app.test_client()
    sign_in(interviewer, "engineer1@example.com", PASSWORD)
    assert slots(interviewer, application)[0] == 403
    assert coordinator(app).get("/coordinator/applications/9999/slots.json").status_code == 404


def test_editing_hours_on_the_availability_page_changes_the_slots(app, db, world):
    people, _requisition, application = world
    client = coordinator(app)
    before = {s["start_at"] for s in slots(client, application, zone="Asia/Shanghai")[1]["slots"]}
    page = client.get(f"/availability/{people[0].id}").text
    data = {f"hours-day_{n}": "" for n in range(7)} | {f"hours-day_{n}": "14:00-16:00"
                                                       for n in range(5)}
    response = client.post(f"/availability/{people[0].id}/hours",
                           data=data | {"hours-csrf_token": csrf_token(page)})
    assert response.status_code == 302
    after = slots(client, application, zone="Asia/Shanghai")[1]["slots"]
    assert after and {s["start_at"] for s in after} < before
    # The only senior now works 14:00–16:00, so every panel meets then.
    assert all(14 <= datetime.fromisoformat(s["start_local"]).hour < 16 for s in after)


def test_the_endpoint_reads_the_same_number_of_statements_for_5_and_40_interviewers(app, db, world):
    people, _requisition, application = world
    office = people[0].office
    client = coordinator(app)

    def count():
        db.session.expunge_all()
        with counted_statements(db) as statements:
            status, body = slots(client, application_stub)
        assert status == 200 and body["slots"]
        return len(statements)

    application_stub = type("Stub", (), {"id": application.id})
    f.make_interviewer(office=office, qualifications={"system_design": "qualified"})
    db.session.commit()
    five = count()
    for _ in range(35):
        person = f.make_interviewer(office=db.session.merge(office),
                                    qualifications={"system_design": "qualified"})
        source = f.make_calendar_source(person, kind="file", name="Work")
        f.make_busy_block(source, f.NOW + timedelta(days=3),
                          f.NOW + timedelta(days=3, hours=1))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 1
    assert count() == five


def test_a_loops_break_is_the_openings_and_only_the_stage_or_its_loop_is_searched(app, db, world):
    """The JSON agrees with the page and the links: the opening's break, the current stage or the
    opening's loop from it, nothing else."""
    _people, requisition, application = world
    first, second, _offer = requisition.stages
    requisition.loop_break_minutes = 30
    application.candidate.zone = "Asia/Shanghai"  # a whole loop fits the engineers' day
    db.session.commit()
    client = coordinator(app, "co.en@example.com")
    status, body = slots(client, application, stages=f"{first.id},{second.id}")
    assert status == 200 and body["break_minutes"] == 30 and body["slots"]
    design, deep_dive = body["slots"][0]["stages"]
    assert (datetime.fromisoformat(deep_dive["start_at"].replace("Z", "+00:00"))
            - datetime.fromisoformat(design["end_at"].replace("Z", "+00:00"))) == timedelta(minutes=30)
    # The second stage alone, or the loop out of order, is neither the stage nor the loop.
    for ids in (str(second.id), f"{second.id},{first.id}"):
        status, body = slots(client, application, stages=ids)
        assert status == 400 and body["code"] == "not_stage_or_loop", ids
        assert body["error"] == "Search the current stage alone, or the opening's loop from it."
    # Without a loop configured, two stages are not searched together.
    first.is_looped_with_next = False
    db.session.commit()
    status, body = slots(client, application, stages=f"{first.id},{second.id}")
    assert status == 400 and body["code"] == "not_stage_or_loop"
