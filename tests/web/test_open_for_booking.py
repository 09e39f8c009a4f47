"""One rule for "can these stages be booked for this application now" (services/booking.py
`booking_refusal`): the application page, the slots JSON, scheduling links and the booking service
give the same answer for the same state and the same lists of stages.

Nothing is patched: each state is made for real, then every entry point is asked.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.models import Application, StageTemplate
from scheduler.services.booking import (
    BookingError, SlotTaken, book_interview, book_loop, booking_refusal, stages_refusal,
)
from scheduler.services.links import LinkError, create_link
from tests import factories as f
from tests.services.booking_setup import WORKDAY_10, booking_world
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"
HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)
# What the application page says for each refusal (in English).
PAGE_TEXTS = {
    "application_closed": "so nothing can be booked for it.",
    "stage_not_schedulable": "The current stage is not an interview, so it has no times.",
    "already_booked": "This stage is already booked.",
}
# What the slots JSON answers for each refusal: a state of the application is a conflict (409),
# a stage that has no times a bad request (400).
JSON_STATUSES = {"application_closed": 409, "already_booked": 409, "stage_not_schedulable": 400}
JSON_TEXTS = {
    "application_closed": "This application is closed, so nothing can be booked for it.",
    "stage_not_schedulable": "is not an interview and has no times.",
    "already_booked": "This stage already has a booked interview",
}


@pytest.fixture
def world(db):
    """A stage with one interviewer's seat, then an offer stage; an English coordinator."""
    people, requisition, [application] = booking_world(stages=[
        dict(kind="system_design", duration_minutes=60, panel_size=1, step_minutes=30,
             min_notice_minutes=0, horizon_days=14),
        dict(kind="offer", name_en="Offer", mode="online", duration_minutes=0, panel_size=0)])
    coordinator = f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD,
                              language="en", zone="Asia/Shanghai")
    db.session.commit()
    return people, requisition, application, coordinator


def _make_state(db, world, state: str, now) -> None:
    (alice, *_), requisition, application, _ = world
    if state in Application.STATUSES:
        application.status = state
    elif state == "offer_stage":
        application.current_stage = requisition.stages[1]
    elif state == "booked":
        book_interview("test", application, requisition.stages[0], WORKDAY_10, [alice.id], now)
    db.session.commit()


@pytest.mark.parametrize("state, code", [
    ("active", None), ("on_hold", None),
    ("rejected", "application_closed"), ("withdrawn", "application_closed"),
    ("hired", "application_closed"), ("offer_stage", "stage_not_schedulable"),
    ("booked", "already_booked"),
])
def test_page_link_and_booking_refuse_by_the_one_rule(app, db, client, now, world, state, code):
    (_, bob, _), _, application, coordinator = world
    _make_state(db, world, state, now)
    application_id = application.id
    stage = application.current_stage
    refusal = booking_refusal(application, [stage])
    assert (refusal.code if refusal is not None else None) == code
    assert application.is_open_for_booking == (state not in ("rejected", "withdrawn", "hired"))

    # The application page: the refusal in words, and no time to choose.
    assert sign_in(client, "co@example.com", PASSWORD).status_code == 302
    html = client.get(f"/coordinator/applications/{application_id}").text
    if code is None:
        assert "/book?" in html and not any(text in html for text in PAGE_TEXTS.values())
    else:
        assert PAGE_TEXTS[code] in html and "/book?" not in html
    if code == "application_closed":
        assert f"This application is {state.capitalize()}, so nothing" in html

    # The slots JSON for the same stage: the same refusal, with its code and its words.
    response = client.get(f"/coordinator/applications/{application_id}/slots.json")
    body = response.get_json()
    if code is None:
        assert response.status_code == 200 and body["slots"]
    else:
        assert response.status_code == JSON_STATUSES[code] and "slots" not in body
        assert body["code"] == code and JSON_TEXTS[code] in body["error"]

    # A scheduling link for the same stage.
    application = db.session.get(Application, application_id)
    stage = db.session.get(StageTemplate, stage.id)
    if code is None:
        link, _ = create_link(coordinator, application, [stage], 0, now + WEEK, now)
        assert link.stage_ids == [stage.id]
    else:
        with pytest.raises(LinkError) as refused_link:
            create_link(coordinator, application, [stage], 0, now + WEEK, now)
        assert refused_link.value.code == code
    db.session.rollback()

    # The booking service, with a panel that is free: only the rule can refuse.
    if code is None:
        booked = book_interview("test", application, stage, WORKDAY_10 + 2 * HOUR, [bob.id], now)
        assert booked.stage_id == stage.id
    else:
        with pytest.raises(BookingError) as refused_booking:
            book_interview("test", application, stage, WORKDAY_10 + 2 * HOUR,
                           [bob.id] if stage.panel_size else [], now)
        assert not isinstance(refused_booking.value, SlotTaken)
        assert refused_booking.value.code == code
    db.session.rollback()


def test_a_list_of_stages_is_refused_alike_by_links_bookings_and_the_json(
        app, db, client, now, world):
    (alice, bob, _), requisition, application, coordinator = world
    design, offer = requisition.stages
    foreign = f.make_requisition().stages[0]
    db.session.commit()
    assert sign_in(client, "co@example.com", PASSWORD).status_code == 302
    for stages, code, json_error in (
            ([], "no_stages", None),
            ([design, design], "repeated_stage", "A stage is listed twice."),
            ([offer], "stage_not_schedulable", "is not an interview and has no times."),
            ([design, foreign], "stage_not_schedulable", None)):
        assert stages_refusal(application, stages).code == code
        assert booking_refusal(application, stages).code == code
        with pytest.raises(LinkError) as refused_link:
            create_link(coordinator, application, stages, 0, now + WEEK, now)
        with pytest.raises(BookingError) as refused_booking:
            book_loop("test", application, stages, WORKDAY_10, [[alice.id], [bob.id]][:len(stages)],
                      now)
        db.session.rollback()
        assert refused_link.value.code == refused_booking.value.code == code
        if json_error is not None:
            response = client.get(f"/coordinator/applications/{application.id}/slots.json",
                                  query_string={"stages": ",".join(str(s.id) for s in stages)})
            body = response.get_json()
            assert response.status_code == 400 and json_error in body["error"]
            assert body["code"] == code
