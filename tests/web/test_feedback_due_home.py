"""The interviewer's home lists the feedback they owe by due time, the most overdue first: each
with its due time labelled with its zone, and "overdue by …" in words, in both languages."""
from __future__ import annotations

import html as htmllib
import pytest

from tests.feedback_setup import feedback_world, past_interview
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"


@pytest.fixture
def world(db):
    world = feedback_world()
    # The deep dive's feedback is due 2 hours after its end; the design's after the default 24.
    world.deep_dive.feedback_due_hours = 2
    world.design.feedback_due_hours = None
    db.session.commit()
    return world


def _home(client, profile, language):
    from scheduler.extensions import db

    profile.user.language = language
    db.session.commit()
    assert sign_in(client, profile.user.email, PASSWORD).status_code == 302
    return htmllib.unescape(client.get("/interviewer/").text)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_overdue_feedback_comes_first_with_its_due_time_and_how_late(client, db, world,
                                                                       language):
    author = world.people[0]
    # Held 3 hours ago and due 24 hours after its end: due in 21 hours less its length.
    recent = past_interview(world, world.design, [author, world.people[1]], hours_ago=3)
    # Ended 5 hours ago, due 2 hours after: overdue by about 5 hours (started 6 hours ago).
    late = past_interview(world, world.deep_dive, [author], hours_ago=6)
    db.session.commit()
    home = _home(client, author, language)
    first, second = (home.index(f"/interviewer/interviews/{i.id}/feedback")
                     for i in (late, recent))
    assert first < second
    if language == "en":
        assert "Overdue by 3 hours" in home
        assert "was due" in home and "(Asia/Shanghai, GMT+08:00)" in home
        assert "Due " in home and "(in 22 hours)" in home
    else:
        assert "已逾期 3小时" in home and "还剩 22小时" in home
        assert "截止时间" in home and "北京时间 Asia/Shanghai" in home


def test_nothing_is_overdue_before_its_due_time(client, db, world):
    author = world.people[0]
    past_interview(world, world.deep_dive, [author], hours_ago=1 + 2 - 0.5)
    db.session.commit()
    home = _home(client, author, "en")
    assert "Overdue by" not in home and "(in 30 minutes)" in home
