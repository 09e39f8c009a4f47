"""The interviewer's home at a glance: each interview's time in the interviewer's zone and the
candidate's (one line when they are the same zone), the candidate's name and the stage, and how it
happens — the video call's address, the number to call for a phone screen, or the office.

Least access (DESIGN.md §7): the candidate's phone number only on a phone screen, to its panel;
the candidate's email address never.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from scheduler.services.permissions import can_see_candidate_phone
from tests import factories as f
from tests.clock import NOW
from tests.web.helpers import en_day_time, en_zone, sign_in, zh_day_time

PASSWORD = "correct horse battery staple"
LONDON, BEIJING = "Europe/London", "Asia/Shanghai"
STAGES = [
    dict(kind="phone_screen", mode="phone", name_en="HR phone screen", name_zh="初步沟通",
         duration_minutes=30),
    dict(kind="system_design", mode="video", name_en="System design", name_zh="系统设计"),
    dict(kind="hr_final", mode="onsite", name_en="HR final", name_zh="HR终面",
         duration_minutes=45),
]


@pytest.fixture
def london(db):
    """Oliver in London with a phone screen, a video call and an on-site interview, all with a
    Beijing candidate who gave a phone number and an email address."""
    office = f.make_office(code="LON", zone=LONDON, calendar_key="GB-ENG",
                           address_en="1 Example Street, London", address_zh="伦敦示例街 1 号")
    user = f.make_user(email="oliver@example.com", name="Oliver", password=PASSWORD,
                       language="en", zone=LONDON)
    oliver = f.make_interviewer(office=office, user=user,
                                video_room_url="https://meet.example.com/oliver-room")
    requisition = f.make_requisition(stages=STAGES)
    candidate = f.make_candidate(name="李娜", email="li.na@example.org", phone="+86 139 1234 5678",
                                 zone=BEIJING)
    application = f.make_application(candidate=candidate, requisition=requisition)
    phone, video, onsite = requisition.stages
    interviews = {
        "phone": f.make_interview(application, [oliver], NOW + timedelta(days=2), phone),
        "video": f.make_interview(application, [oliver], NOW + timedelta(days=3), video),
        "onsite": f.make_interview(application, [oliver], NOW + timedelta(days=4), onsite),
    }
    db.session.commit()
    return oliver, interviews


def _card(html: str, interview) -> str:
    """Return the home page's card of *interview* (found by its "I can't make it" link)."""
    for card in re.findall(r'<li class="card interview">.*?</li>\s*(?=<li class="card|</ul>)',
                           html, re.S):
        if f"/interviewer/interviews/{interview.id}/decline" in card:
            return card
    raise AssertionError(f"no card for interview {interview.id}")


def test_each_interview_shows_both_zones_and_how_to_join_or_call(client, db, london):
    oliver, interviews = london
    sign_in(client, "oliver@example.com", PASSWORD)
    html = client.get("/interviewer/").text.replace("&#39;", "'")

    for key, interview in interviews.items():
        card = _card(html, interview)
        start = interview.start_at
        mine, theirs = re.findall(r'<p class="when[^"]*">(.*?)</p>', card, re.S)
        assert "Your time" in mine and en_day_time(start, LONDON) in mine \
            and en_zone(start, LONDON) in mine
        assert "Candidate's time" in theirs and en_day_time(start, BEIJING) in theirs \
            and en_zone(start, BEIJING) in theirs
        assert f"{interview.stage.name_en} · 李娜" in card
    # A phone screen: the number to call, as a link a phone dials.
    phone = _card(html, interviews["phone"])
    assert "Number to call" in phone and 'href="tel:+8613912345678">+86 139 1234 5678</a>' in phone
    # A video call booked without a link of its own: the lead's room.
    video = _card(html, interviews["video"])
    assert 'href="https://meet.example.com/oliver-room"' in video and "+86 139" not in video
    # On site without a place of its own: the lead's office.
    onsite = _card(html, interviews["onsite"])
    assert "1 Example Street, London" in onsite and "+86 139" not in onsite
    # Never the candidate's email address.
    assert "li.na@example.org" not in html


def test_one_line_when_the_candidate_is_in_the_interviewers_zone(client, db):
    user = f.make_user(email="wang@example.com", name="王芳", password=PASSWORD, language="zh",
                       zone=BEIJING)
    wang = f.make_interviewer(user=user)
    candidate = f.make_candidate(name="张伟", zone=BEIJING)
    interview = f.make_interview(f.make_application(candidate=candidate), [wang],
                                 NOW + timedelta(days=2), video_url="https://meet.example.com/r1")
    db.session.commit()
    sign_in(client, "wang@example.com", PASSWORD)
    card = _card(client.get("/interviewer/").text, interview)
    [when] = re.findall(r'<p class="when[^"]*">(.*?)</p>', card, re.S)
    assert "你和候选人的时间" in when and zh_day_time(interview.start_at, BEIJING) in when \
        and "北京时间 Asia/Shanghai" in when
    assert "系统设计 · 张伟" in card and 'href="https://meet.example.com/r1"' in card


def test_only_a_phone_screens_panel_may_read_the_candidates_number(app, db, london):
    oliver, interviews = london
    stranger = f.make_interviewer()
    coordinator = f.make_user(roles=("coordinator",))
    assert can_see_candidate_phone(oliver.user, interviews["phone"])
    assert not can_see_candidate_phone(oliver.user, interviews["video"])
    assert not can_see_candidate_phone(stranger.user, interviews["phone"])
    # Coordinators read it on the application page; this question is about a panel's call.
    assert not can_see_candidate_phone(coordinator, interviews["phone"])
