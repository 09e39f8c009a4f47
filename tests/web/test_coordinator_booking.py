"""Coordinator booking pages: slots by day in a chosen zone, confirm with swaps, book, taken,
reschedule, cancel, swap, loops, the audit trail, role gates, CSRF, and translated refusals.

The pages run at the suite's frozen NOW; these tests never hard-code an instant: they follow the
links the page offers, as a coordinator would, choosing a time by its day (the first Monday–Friday
workday at least a day away, when the booking_world staff work), never by its place on the page.
"""
from __future__ import annotations

import html as htmllib
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from scheduler.coordinator.present import problem_text
from scheduler.domain.slots import SlotProblem
from scheduler.models import AuditEvent, BookingGroup, Interview
from scheduler.services.booking import BookingError, book_interview
from tests.clock import BEIJING, NOW, workday_after
from tests import factories as f
from tests.services.booking_setup import booking_world
from tests.web.helpers import csrf_token, en_zone, sign_in

PASSWORD = "correct horse battery staple"


@pytest.fixture
def no_csrf(app):
    """Most tests post forms directly; test_csrf_is_enforced keeps the check on."""
    app.config["WTF_CSRF_ENABLED"] = False


def _coordinator(client, db, language="en", zone="Asia/Shanghai"):
    user = f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD,
                       language=language, zone=zone, name="Casey Coordinator")
    db.session.commit()
    assert sign_in(client, "co@example.com", PASSWORD).status_code == 302
    return user


def _links(html: str, pattern: str) -> list[str]:
    return [htmllib.unescape(m) for m in re.findall(rf'href="({pattern}[^"]*)"', html)]


def _picks(html: str) -> list[str]:
    """Return the "Choose" links of a slot list, in page order."""
    return _links(html, r"/coordinator/(?:applications/\d+/book|interviews/\d+/reschedule)"
                        r"\?[^\"]*start=")


def _start_of(url: str) -> datetime:
    return datetime.fromisoformat(re.search(r"start=([^&]+)", url).group(1).replace("%3A", ":"))


def _beijing_day(instant: datetime):
    return instant.astimezone(ZoneInfo(BEIJING)).date()


# The first Monday–Friday workday in Beijing at least a day away: booking_world's staff work then.
WORKDAY = workday_after(1, weekdays_only=True)


def _page_of_the_workday(client, application, **query) -> str:
    """Open the application's free times at WORKDAY (the page shows a couple of days from ?day=)."""
    return client.get(f"/coordinator/applications/{application.id}",
                      query_string={"day": WORKDAY.isoformat(), **query}).text


def _pick_on_the_workday(html: str) -> str:
    """Return the "Choose" link of the first free time on WORKDAY (Beijing) listed in *html*."""
    picks = [url for url in _picks(html) if _beijing_day(_start_of(url)) == WORKDAY]
    assert picks, f"no free time on {WORKDAY} on the page"
    return picks[0]


def _interviews(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(Interview).order_by(Interview.id)).all()


def _actions(db, interview_id):
    return [e.action for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "interview", AuditEvent.object_id == interview_id)
        .order_by(AuditEvent.id))]


@pytest.mark.parametrize("language, markers, absent", [
    ("zh", ["预约时间", "有空闲时间的日期", "北京时间 Asia/Shanghai", "选择", "尚无面试"], "Book a time"),
    ("en", ["Book a time", "Days with free times", "Asia/Shanghai, GMT+08:00", "Choose",
            "No interviews yet."], "预约时间"),
])
def test_the_application_page_lists_free_times_by_day_in_both_languages(
        client, db, language, markers, absent):
    people, requisition, [application] = booking_world(panel_size=2)
    _coordinator(client, db, language=language)
    home = client.get("/coordinator/").text
    assert f'href="/coordinator/applications/{application.id}"' in home
    response = client.get(f"/coordinator/applications/{application.id}")
    assert response.status_code == 200
    html = response.text
    for marker in markers:
        assert marker in html
    assert absent not in html
    assert application.candidate.name in html
    picks = _picks(html)
    assert picks, "the page offers times to book"
    # Two days at a time, each under its own heading, with a way to the later days.
    assert html.count('<h3 class="day">') == 2
    assert 'class="chips"' in html and "day=" in html
    # Each slot names its panel (with office) and how many other panels are free.
    names = [p.user.name for p in people]
    assert any(name in html for name in names)
    assert ("other panels are free" if language == "en" else "组面试官有空") in html


def test_times_are_shown_in_the_zone_the_coordinator_chooses(client, db):
    _, _, [application] = booking_world()
    _coordinator(client, db)
    html = client.get(f"/coordinator/applications/{application.id}?zone=Europe/London").text
    # Each time is labelled with London's offset at that time (GMT+00:00 or, in summer, +01:00).
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if _picks(row)]
    assert rows
    for row in rows:
        [pick] = _picks(row)
        label = re.search(r'<strong>[^<]*</strong><br><span class="quiet">([^<]*)</span>', row)
        assert label.group(1) == en_zone(_start_of(pick), "Europe/London")
    assert 'value="Europe/London"' in html and '<datalist id="zone-list">' in html
    # The coordinator and the candidate (both in Beijing) share one column, labelled with their zone.
    assert "Your time and the candidate&#39;s" in html and "Candidate&#39;s time" not in html
    assert '<span class="quiet">Asia/Shanghai, GMT+08:00</span>' in html
    # An unknown zone is refused, and the coordinator's own zone is used instead.
    html = client.get(f"/coordinator/applications/{application.id}?zone=Mars/Olympus").text
    assert "Unknown time zone" in html and "Asia/Shanghai, GMT+08:00" in html


def test_humane_hours_flags_say_who_a_time_is_early_or_late_for(client, db):
    office = f.make_office(zone="Asia/Shanghai")
    f.make_interviewer(office=office, windows=((0, 7), time(7, 0), time(22, 0)))
    requisition = f.make_requisition(stages=[dict(min_notice_minutes=0, horizon_days=14)])
    application = f.make_application(requisition=requisition,
                                     candidate=f.make_candidate(zone="Asia/Shanghai"))
    db.session.commit()
    _coordinator(client, db)
    html = client.get(f"/coordinator/applications/{application.id}").text
    # Candidate hours are 08:00–21:00, their normal day 09:00–18:00.
    assert "Early in the candidate&#39;s day" in html or "Early in the candidate's day" in html
    assert "Late in the candidate&#39;s day" in html or "Late in the candidate's day" in html
    assert "Inside everyone&#39;s normal day" in html or "Inside everyone's normal day" in html


def test_booking_through_the_confirm_form(client, db, no_csrf):
    people, _, [application] = booking_world(panel_size=1)
    user = _coordinator(client, db)
    pick = _pick_on_the_workday(_page_of_the_workday(client, application))
    confirm = client.get(pick)
    assert confirm.status_code == 200
    assert "Confirm the booking" in confirm.text
    # The engine's panel is chosen; the others qualified and free are offered as swaps.
    options = re.findall(r'<option value="(\d+)"', confirm.text)
    assert sorted(map(int, options)) == sorted(p.id for p in people)
    chosen = int(re.search(r'<option value="(\d+)" selected', confirm.text).group(1))
    response = client.post(pick, data={
        "start": re.search(r'name="start" type="hidden" value="([^"]+)"', confirm.text).group(1),
        "plan": "stage", "brk": "0", "zone": "Asia/Shanghai", "seat-0-0": str(chosen),
        "video_url": "https://meet.example.com/room-1", "location": ""})
    assert response.status_code == 302
    [interview] = _interviews(db)
    assert interview.start_at == _start_of(pick)
    assert [a.interviewer_id for a in interview.active_assignments] == [chosen]
    assert interview.video_url == "https://meet.example.com/room-1"
    assert interview.booked_by_id == user.id and interview.sequence == 0
    assert _actions(db, interview.id) == ["interview.booked"]
    html = client.get(response.headers["Location"]).text
    assert "Booked System design for" in html  # the flash
    assert "Scheduled" in html and interview.calendar_uid in html
    assert "This stage is already booked." in html  # no second booking offered
    assert not _picks(html)


def test_the_confirm_step_books_a_swapped_panel_member(client, db, no_csrf):
    people, _, [application] = booking_world(panel_size=1)
    _coordinator(client, db)
    pick = _pick_on_the_workday(_page_of_the_workday(client, application))
    confirm = client.get(pick).text
    chosen = int(re.search(r'<option value="(\d+)" selected', confirm).group(1))
    other = next(p.id for p in people if p.id != chosen)
    response = client.post(pick, data={"start": _start_of(pick).isoformat(), "plan": "stage",
                                       "seat-0-0": str(other)})
    assert response.status_code == 302
    [interview] = _interviews(db)
    assert [a.interviewer_id for a in interview.active_assignments] == [other]


def test_a_bad_video_link_is_refused_on_the_confirm_page(client, db, no_csrf):
    _, _, [application] = booking_world(panel_size=1)
    _coordinator(client, db)
    pick = _pick_on_the_workday(_page_of_the_workday(client, application))
    chosen = re.search(r'<option value="(\d+)" selected', client.get(pick).text).group(1)
    response = client.post(pick, data={"start": _start_of(pick).isoformat(), "seat-0-0": chosen,
                                       "video_url": "javascript:alert(1)"})
    assert response.status_code == 400
    assert "Enter a link that starts with https://" in response.text
    assert _interviews(db) == []


def test_a_time_taken_meanwhile_shows_this_time_was_just_taken_with_fresh_times(
        client, db, no_csrf):
    (alice,), requisition, [application, rival] = booking_world(interviewers=1, applications=2)
    _coordinator(client, db)
    pick = _pick_on_the_workday(_page_of_the_workday(client, application))
    start_at = _start_of(pick)
    assert client.get(pick).status_code == 200
    # Someone else books Alice at that time between the page and the click.
    book_interview("other coordinator", rival, requisition.stages[0], start_at, [alice.id],
                   NOW)
    db.session.commit()
    response = client.post(pick, data={"start": start_at.isoformat(), "seat-0-0": str(alice.id)})
    assert response.status_code == 409
    assert "This time was just taken." in response.text
    assert "is busy at this time" in response.text and alice.user.name in response.text
    fresh = _picks(response.text)
    assert fresh and all(_start_of(url) != start_at for url in fresh)
    assert len(_interviews(db)) == 1
    # Opening the stale link later says the same, never an error page.
    again = client.get(pick)
    assert again.status_code == 409 and "This time was just taken." in again.text


def test_loops_are_booked_and_cancelled_together(client, db, no_csrf):
    stages = [dict(kind="system_design", name_en="System design", name_zh="系统设计",
                   duration_minutes=60, panel_size=1, min_notice_minutes=0, horizon_days=14,
                   is_looped_with_next=True),
              dict(kind="project_deep_dive", name_en="Project deep dive", name_zh="项目经验",
                   duration_minutes=60, panel_size=1, min_notice_minutes=0, horizon_days=14)]
    _, _, [application] = booking_world(interviewers=3, stages=stages)
    _coordinator(client, db)
    html = _page_of_the_workday(client, application, plan="loop", brk="15")
    assert "back to back with a 15-minute break" in html
    pick = _pick_on_the_workday(html)
    assert "plan=loop" in pick and "brk=15" in pick
    confirm = client.get(pick).text
    seats = dict(re.findall(r'<select id="(seat-\d-\d)".*?<option value="(\d+)" selected',
                            confirm, flags=re.S))
    assert set(seats) == {"seat-0-0", "seat-1-0"} and seats["seat-0-0"] != seats["seat-1-0"]
    response = client.post(pick, data={"start": _start_of(pick).isoformat(), "plan": "loop",
                                       "brk": "15", **seats})
    assert response.status_code == 302
    first, second = _interviews(db)
    assert first.booking_group_id == second.booking_group_id is not None
    assert (second.start_at - first.end_at).total_seconds() == 15 * 60
    assert db.session.get(BookingGroup, first.booking_group_id).break_minutes == 15

    response = client.post(f"/coordinator/interviews/{second.id}/cancel",
                           data={"reason": "The candidate withdrew."})
    assert response.status_code == 302
    assert [(i.status, i.sequence) for i in _interviews(db)] == [("cancelled", 1),
                                                                 ("cancelled", 1)]
    html = client.get(response.headers["Location"]).text
    assert "Cancelled all 2 interviews of the loop." in html


def _booked(db, application, stage, people, *, panel=None):
    """Book the first free time on WORKDAY through the service; return the interview."""
    from scheduler.services.slot_search import find_slots

    slot = next(s for s in find_slots(application, [stage], NOW).slots
                if _beijing_day(s.start_at) == WORKDAY)
    interview = book_interview("test", application, stage, slot.start_at,
                               panel or list(slot.panel), NOW)
    db.session.commit()
    return interview


def test_reschedule_through_the_form_keeps_the_uid_and_raises_the_sequence(client, db, no_csrf):
    people, requisition, [application] = booking_world(panel_size=1)
    interview = _booked(db, application, requisition.stages[0], people)
    uid, old_start = interview.calendar_uid, interview.start_at
    _coordinator(client, db)
    page = client.get(f"/coordinator/interviews/{interview.id}/reschedule")
    assert page.status_code == 200 and "Pick a new time" in page.text
    pick = next(url for url in _picks(page.text) if _start_of(url) != old_start)
    confirm = client.get(pick).text
    assert "Confirm the new time" in confirm
    # The person already invited is kept when free at the new time.
    kept = interview.active_assignments[0].interviewer_id
    assert f'<option value="{kept}" selected' in confirm

    refused = client.post(pick, data={"start": _start_of(pick).isoformat(), "seat-0-0": kept,
                                      "reason": ""})
    assert refused.status_code == 400 and "Say why the interview moves." in refused.text
    assert _interviews(db)[0].start_at == old_start

    response = client.post(pick, data={"start": _start_of(pick).isoformat(), "seat-0-0": kept,
                                       "reason": "The candidate has an exam."})
    assert response.status_code == 302
    [moved] = _interviews(db)
    assert (moved.calendar_uid, moved.sequence, moved.start_at) == (uid, 1, _start_of(pick))
    assert _actions(db, moved.id) == ["interview.booked", "interview.rescheduled"]
    html = client.get(response.headers["Location"]).text
    assert "Moved to a new time" in html and "Reason: The candidate has an exam." in html
    assert "<del>" in html  # the old time, struck through, before the new one


def test_cancel_needs_a_reason_and_keeps_the_uid(client, db, no_csrf):
    people, requisition, [application] = booking_world(panel_size=1)
    interview = _booked(db, application, requisition.stages[0], people)
    _coordinator(client, db, language="zh")
    response = client.post(f"/coordinator/interviews/{interview.id}/cancel", data={"reason": " "})
    assert response.status_code == 302
    assert _interviews(db)[0].status == "scheduled"
    assert "请说明取消面试的原因" in client.get(response.headers["Location"]).text

    client.post(f"/coordinator/interviews/{interview.id}/cancel", data={"reason": "岗位已关闭"})
    [cancelled] = _interviews(db)
    assert (cancelled.status, cancelled.sequence, cancelled.cancel_reason) == \
        ("cancelled", 1, "岗位已关闭")
    html = client.get(f"/coordinator/applications/{application.id}").text
    assert "已取消" in html and "原因：岗位已关闭" in html
    # Cancelling again is refused with a translated message, not an error page.
    again = client.post(f"/coordinator/interviews/{interview.id}/cancel", data={"reason": "x"},
                        follow_redirects=True)
    assert again.status_code == 200 and "这场面试已不在日程中" in again.text


def test_swap_through_the_form_keeps_time_and_uid(client, db, no_csrf):
    people, requisition, [application] = booking_world(panel_size=1)
    interview = _booked(db, application, requisition.stages[0], people)
    uid, start = interview.calendar_uid, interview.start_at
    old = interview.active_assignments[0].interviewer_id
    _coordinator(client, db)
    page = client.get(f"/coordinator/interviews/{interview.id}/swap?interviewer={old}")
    assert page.status_code == 200 and "Swap an interviewer" in page.text
    suggested = [int(i) for i in re.findall(r'name="new" value="(\d+)"', page.text)]
    assert sorted(suggested) == sorted(p.id for p in people if p.id != old)
    response = client.post(f"/coordinator/interviews/{interview.id}/swap",
                           data={"old": old, "new": suggested[0], "reason": "Load balancing",
                                 "next": f"/coordinator/applications/{application.id}"})
    assert response.status_code == 302
    [swapped] = _interviews(db)
    assert [a.interviewer_id for a in swapped.active_assignments] == [suggested[0]]
    assert (swapped.calendar_uid, swapped.start_at, swapped.sequence) == (uid, start, 1)
    assert _actions(db, swapped.id) == ["interview.booked", "interview.panel_swapped"]
    html = client.get(response.headers["Location"]).text
    assert "Panel changed" in html and "replaces" in html
    # Swapping in someone already on the panel is refused in words.
    refused = client.post(f"/coordinator/interviews/{interview.id}/swap",
                          data={"old": suggested[0], "new": suggested[0]}, follow_redirects=True)
    assert "is already on this interview&#39;s panel." in refused.text or \
        "is already on this interview's panel." in refused.text


def test_an_off_site_return_address_is_ignored(client, db, no_csrf):
    people, requisition, [application] = booking_world(panel_size=1)
    interview = _booked(db, application, requisition.stages[0], people)
    old = interview.active_assignments[0].interviewer_id
    new = next(p.id for p in people if p.id != old)
    _coordinator(client, db)
    response = client.post(f"/coordinator/interviews/{interview.id}/swap",
                           data={"old": old, "new": new, "next": "https://evil.example/"})
    assert response.headers["Location"] == f"/coordinator/applications/{application.id}"


def test_role_gates(client, db):
    people, requisition, [application] = booking_world()
    interview = _booked(db, application, requisition.stages[0], people)
    urls = [f"/coordinator/applications/{application.id}",
            f"/coordinator/interviews/{interview.id}/reschedule",
            f"/coordinator/interviews/{interview.id}/swap?interviewer={people[0].id}"]
    for url in urls:
        assert client.get(url).headers["Location"].startswith("/login")
    f.make_user(email="iv@example.com", roles=("interviewer",), password=PASSWORD)
    db.session.commit()
    sign_in(client, "iv@example.com", PASSWORD)
    for url in urls:
        assert client.get(url).status_code == 403
    token = csrf_token(client.get("/interviewer/").text)
    assert client.post(f"/coordinator/interviews/{interview.id}/cancel",
                       data={"csrf_token": token, "reason": "no"}).status_code == 403
    assert _interviews(db)[0].status == "scheduled"
    assert client.get("/coordinator/applications/99999").status_code == 403


def test_unknown_objects_are_404(client, db):
    _coordinator(client, db)
    for url in ("/coordinator/applications/99999", "/coordinator/interviews/99999/reschedule",
                "/coordinator/interviews/99999/swap?interviewer=1"):
        assert client.get(url).status_code == 404


def test_csrf_is_enforced(client, db):
    people, requisition, [application] = booking_world()
    interview = _booked(db, application, requisition.stages[0], people)
    _coordinator(client, db)
    response = client.post(f"/coordinator/interviews/{interview.id}/cancel",
                           data={"reason": "forged"})
    assert response.status_code == 400 and "Form expired" in response.text
    assert _interviews(db)[0].status == "scheduled"
    # With the page's token the same request goes through.
    token = csrf_token(client.get(f"/coordinator/applications/{application.id}").text)
    client.post(f"/coordinator/interviews/{interview.id}/cancel",
                data={"csrf_token": token, "reason": "real"})
    assert _interviews(db)[0].status == "cancelled"


def test_the_history_reads_well_in_chinese(client, db, no_csrf):
    people, requisition, [application] = booking_world(panel_size=1)
    interview = _booked(db, application, requisition.stages[0], people)
    old = interview.active_assignments[0]
    new = next(p for p in people if p.id != old.interviewer_id)
    user = _coordinator(client, db, language="zh")
    client.post(f"/coordinator/interviews/{interview.id}/swap",
                data={"old": old.interviewer_id, "new": new.id, "reason": "负载均衡"})
    html = client.get(f"/coordinator/applications/{application.id}").text
    assert "已预约" in html and "面试官已更换" in html and "原因：负载均衡" in html
    assert user.name in html  # who did it
    assert f"<del>{old.interviewer.user.name}（" in html and f"{new.user.name}（" in html
    assert "北京时间 Asia/Shanghai" in html


# --- Messages: refusals render with names, in both languages --------------------------------
# (That every refusal's and every engine problem's msgid has a Chinese translation is
# tests/unit/test_refusals.py.)


def test_problems_and_errors_render_with_names_in_both_languages(app):
    from flask_babel import force_locale

    busy = SlotProblem("busy", 1, 7)
    stages = [f.make_stage(save=False, position=1),
              f.make_stage(save=False, position=2, name_en="Project deep dive", name_zh="项目经验")]
    with app.test_request_context():
        with force_locale("en"):
            assert problem_text(busy, {7: "Li Wei"}, stages) == \
                "Project deep dive: Interviewer Li Wei is busy at this time (buffers included)."
            assert BookingError("not_on_panel", interviewer_id=7, name="Li Wei").message == \
                "Li Wei is not on this interview's panel."
        with force_locale("zh"):
            assert "李伟" in problem_text(busy, {7: "李伟"})
            assert problem_text(SlotProblem("too_soon", params=(("hours", 24),))) == \
                "这个时间太近了：面试需提前 24 小时预约。"
            assert BookingError("slot_taken").message == "这个时间刚被别人占用了。"
