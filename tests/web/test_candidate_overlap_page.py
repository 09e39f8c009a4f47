"""The refusal of a time that overlaps another interview of the candidate's, as people read it
(issue 14 item 9): the candidate on their link ("You already have an interview at this time: …",
in their language and zone) and the coordinator, in both languages.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from scheduler.coordinator.present import refusal_message
from scheduler.formatting import format_local_range
from scheduler.services.booking import BookingError, book_interview
from scheduler.services.links import create_link
from tests import factories as f
from tests.clock import NOW
from tests.services.booking_setup import WORKDAY_10, booking_world
from tests.services.test_candidate_overlap import TWO_STAGES
from tests.web.helpers import csrf_token

HOUR = timedelta(hours=1)
ISO = "%Y-%m-%dT%H:%MZ"


def _clash_world(db, language: str, zone: str):
    """A candidate booked for system design at 10:00 Beijing, with a link for the deep dive."""
    (alice, _bob, _carol), requisition, [application] = booking_world(interviewers=3,
                                                                      stages=TWO_STAGES)
    application.candidate.language, application.candidate.zone = language, zone
    design, deep_dive = requisition.stages
    coordinator = f.make_user(roles=("coordinator",), language="en")
    application.current_stage = deep_dive  # a link is for the current stage (or its loop)
    _link, token = create_link(coordinator, application, [deep_dive], 0, NOW + 7 * 24 * HOUR, NOW)
    first = book_interview("test", application, design, WORKDAY_10, [alice.id], NOW)
    db.session.commit()
    return token, first


@pytest.mark.parametrize("language, zone, text, stage", [
    ("en", "Asia/Singapore", "You already have an interview at this time: ", "System design"),
    ("zh", "Asia/Shanghai", "你在这个时间已有面试：", "系统设计"),
])
def test_the_candidate_is_told_which_interview_the_time_overlaps(client, db, language, zone,
                                                                 text, stage):
    token, first = _clash_world(db, language, zone)
    page = client.get(f"/schedule/{token}", headers={"Accept-Language": "en"}).text
    clash = (WORKDAY_10 + timedelta(minutes=30)).strftime(ISO)
    assert f"start={clash}" not in page  # the search does not offer it
    # A page opened before the other booking still offers it: the booking refuses it.
    answer = client.post(f"/schedule/{token}/book", headers={"Accept-Language": "en"},
                         data={"csrf_token": csrf_token(page), "start": clash})
    assert answer.status_code == 409
    when = format_local_range(first.start_at, first.end_at, zone, language)
    separator = "，" if language == "zh" else ", "
    assert f"{text}{stage}{separator}{when}" in answer.text.replace("&#39;", "'")


def test_the_coordinator_reads_the_clash_in_both_languages(app, db):
    _token, first = _clash_world(db, "zh", "Asia/Shanghai")
    error = BookingError("candidate_busy", interview_id=first.id, stage_id=first.stage_id,
                         start_at=first.start_at, end_at=first.end_at)
    with app.test_request_context():
        with force_locale("en"):
            when = format_local_range(first.start_at, first.end_at, "Asia/Shanghai", "en")
            assert refusal_message(error) == (
                f"The candidate already has an interview at this time: System design, {when}.")
        with force_locale("zh"):
            when = format_local_range(first.start_at, first.end_at, "Asia/Shanghai", "zh")
            assert refusal_message(error) == f"候选人在这个时间已有面试：系统设计，{when}。"
