"""An interview on the coordinator's application page: the calendar's internals (the invitation's
UID and its update number, SEQUENCE) are folded behind a "Calendar details" toggle, in both
languages, and the history says what people changed, not the update numbers that followed."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests import factories as f
from tests.clock import NOW
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"


@pytest.fixture
def moved_interview(db):
    """An interview moved once: its calendar update number is 1, and the history says so."""
    interviewer = f.make_interviewer()
    interview = f.make_interview(panel=[interviewer], sequence=1,
                                 start_at=NOW + timedelta(days=3))
    f.make_audit_event(action="interview.rescheduled", object_id=interview.id,
                       before={"start_at": (NOW + timedelta(days=2)).isoformat(),
                               "end_at": (NOW + timedelta(days=2, hours=1)).isoformat(),
                               "sequence": 0},
                       after={"start_at": interview.start_at.isoformat(),
                              "end_at": interview.end_at.isoformat(), "sequence": 1})
    db.session.commit()
    return interview


@pytest.mark.parametrize("language, toggle, number", [
    ("en", "Calendar details", "Calendar update number"),
    ("zh", "日历技术信息", "日历更新序号"),
])
def test_calendar_internals_are_behind_a_toggle(client, db, moved_interview, language, toggle,
                                                 number):
    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD,
                language=language)
    db.session.commit()
    sign_in(client, "co@example.com", PASSWORD)
    html = client.get(f"/coordinator/applications/{moved_interview.application_id}").text
    card = re.search(rf'<article class="card interview" id="interview-{moved_interview.id}">'
                     r'.*?</article>', html, re.S).group(0)
    internals = re.findall(r'<details class="calendar-internals">.*?</details>', card, re.S)
    assert len(internals) == 1 and f"<summary>{toggle}</summary>" in internals[0]
    assert moved_interview.calendar_uid in internals[0] and number in internals[0]
    # Nowhere else on the card: not among the facts, not in the history of the move.
    rest = card.replace(internals[0], "")
    assert moved_interview.calendar_uid not in rest and number not in rest
    history = re.search(r'<details class="history">.*?</details>', rest, re.S).group(0)
    assert "<del>" in history  # the move itself is still there, old time struck through
