"""In real Chromium: candidates book, move and cancel through their private links.

One live server (the demo on SQLite, rate limits on) serves the whole module. The pages read the
real clock, so every slot is chosen from fresh searches at least two days ahead. Screenshots of
every page go to tests/artifacts/<test>/.
"""
from __future__ import annotations

import email
import re
import shutil
import threading
from contextlib import contextmanager
from datetime import time, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from playwright.sync_api import expect
from werkzeug.serving import make_server

from scheduler import create_app
from scheduler.extensions import db
from scheduler.models import (
    Application, Candidate, Interview, InterviewerProfile, OutboxMessage, Qualification,
    Requisition, StageTemplate, User,
)
from scheduler.services.slot_search import CandidateHours, find_slots
from scheduler.services.candidates import create_candidate_with_application
from scheduler.services.link_booking import available_slots, book_from_link
from scheduler.services.consents import missing_countries
from scheduler.services.links import create_link, open_link, revoke_link
from scheduler.services.privacy_notices import current_version
from tests.clock import NOW
from tests import factories as f
from tests.dbutil import app_config
from tests.e2e.consent import agree_on_confirm
from tests.e2e.slot_picking import slot_link_starting_after

ISO = "%Y-%m-%dT%H:%MZ"
LONDON = dict(locale="en-GB", timezone_id="Europe/London", viewport={"width": 1280, "height": 900})
SHANGHAI_PHONE = dict(locale="zh-CN", timezone_id="Asia/Shanghai",
                      viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)


class Live:
    """The module's server and a way to read and write its database from the test."""

    def __init__(self, url: str, app):
        self.url, self.app = url, app

    @contextmanager
    def db(self):
        with self.app.app_context():
            try:
                yield db.session
                db.session.commit()
            finally:
                db.session.remove()


@pytest.fixture(scope="module")
def live(demo_database, tmp_path_factory):
    """Serve the demo with rate limits on (generous; one test lowers them) for this module."""
    path = tmp_path_factory.mktemp("candidate-e2e") / "live.db"
    shutil.copy(demo_database, path)
    app = create_app(app_config(f"sqlite:///{path}", TESTING=False, RATELIMIT_ENABLED=True,
                                CANDIDATE_PAGE_RATE_LIMIT="1000 per minute",
                                CANDIDATE_POST_RATE_LIMIT="1000 per minute"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


def _coordinator(session) -> User:
    return session.scalar(sa.select(User).where(User.email == "coordinator@example.com"))


def _demo_stage(session, position: int) -> StageTemplate:
    requisition = session.scalar(sa.select(Requisition).where(
        Requisition.title_en == "Machine Learning Engineer"))
    return requisition.stages[position - 1]


def _candidate(session, name: str, email_address: str, zone: str, language: str,
               requisition_id: int | None = None) -> Application:
    if requisition_id is None:
        requisition_id = _demo_stage(session, 1).requisition_id
    return create_candidate_with_application(
        _coordinator(session), name=name, email=email_address, phone="+44 7700 900456",
        zone=zone, language=language, requisition_id=requisition_id, level="mid",
        now=NOW)


def _send(session, application, stages, break_minutes=0) -> tuple[int, str]:
    """Send a link for *stages*: the candidate has reached the first (a link is for the
    current stage, or the opening's loop from it)."""
    now = NOW
    application.current_stage = stages[0]
    link, token = create_link(_coordinator(session), application, stages, break_minutes,
                              now + timedelta(days=7), now)
    return link.id, token


def _later(slots, days=2):
    limit = NOW + timedelta(days=days)
    return [s for s in slots if s.start_at >= limit]


def _invites_to(live, address: str) -> list[tuple[str, object]]:
    with live.db() as session:
        rows = session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.to_addr == address, OutboxMessage.kind.like("invite_%"))
            .order_by(OutboxMessage.id)).all()
        found = []
        for row in rows:
            message = email.message_from_bytes(row.raw_message, policy=policy.default)
            part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            calendar = Calendar.from_ical(part.get_payload(decode=True))
            found.append((str(calendar["METHOD"]), calendar.walk("VEVENT")[0]))
        return found


def _fits(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.fixture(scope="module")
def common_slot(live):
    """Two candidates on the system-design stage; a start both read as a good local time."""
    with live.db() as session:
        stage = _demo_stage(session, 3)
        london = _candidate(session, "Olivia Bennett", "olivia.bennett@example.org",
                            "America/New_York", "en")
        shanghai = _candidate(session, "李思远", "siyuan.li@example.org", "Asia/Shanghai", "zh")
        tokens = {"en": _send(session, london, [stage])[1], "zh": _send(session, shanghai, [stage])[1]}
        now = NOW
        day = (time(8), time(21))
        in_london = find_slots(london, [stage], now, hours=CandidateHours("Europe/London", *day))
        in_shanghai = find_slots(shanghai, [stage], now, hours=CandidateHours("Asia/Shanghai", *day))
        both = {s.start_at for s in in_shanghai.slots if s.alternatives >= 3}
        # Morning in London is late afternoon in Beijing: a time that suits both of them.
        start = next(s.start_at for s in _later(in_london.slots)
                     if s.start_at in both and s.alternatives >= 3)
        emails = {"en": "olivia.bennett@example.org", "zh": "siyuan.li@example.org"}
        ids = {"en": london.candidate_id, "zh": shanghai.candidate_id}
    return dict(start=start, tokens=tokens, emails=emails, candidate_ids=ids)


@pytest.mark.parametrize("context_args, language", [
    pytest.param(LONDON, "en", id="en-GB-London"),
    pytest.param(SHANGHAI_PHONE, "zh", id="zh-CN-Shanghai-375px"),
])
def test_each_candidate_books_the_common_slot_in_their_own_zone_and_language(
        browser, live, common_slot, screenshots, context_args, language):
    start = common_slot["start"]
    token = common_slot["tokens"][language]
    context = browser.new_context(base_url=live.url, **context_args)
    page = context.new_page()
    try:
        response = page.goto(f"/schedule/{token}")
        assert response.status == 200 and response.headers["referrer-policy"] == "no-referrer"
        offer = page.locator("#zone-offer")
        if language == "en":
            # Stored zone New York, browser in London: the page offers to switch.
            expect(page.get_by_text("Times are shown in America/New_York")).to_be_visible()
            expect(offer).to_be_visible()
            expect(offer).to_contain_text("Your device is set to Europe/London.")
            screenshots.take(page, "pick-offer-to-switch")
            offer.get_by_role("button").click()
            expect(page.get_by_text("Times are now shown in Europe/London")).to_be_visible()
            with live.db() as session:
                assert session.get(Candidate, common_slot["candidate_ids"]["en"]).zone \
                    == "Europe/London"
        else:
            expect(page.get_by_role("heading", name="选择面试时间")).to_be_visible()
            expect(page.get_by_text("时间均以 北京时间 Asia/Shanghai 显示。")).to_be_visible()
        expect(offer).to_be_hidden()
        assert _fits(page)
        screenshots.take(page, "pick")
        if language == "zh":
            # The zone and hours forms, opened, still fit the phone.
            for summary in page.locator("details.disclosure > summary").all():
                summary.click()
            expect(page.get_by_label("最早开始")).to_be_visible()
            assert _fits(page)
            screenshots.take(page, "pick-forms-open")

        local = start.astimezone(ZoneInfo(context_args["timezone_id"]))
        slot = page.locator(f'a.slot[href*="start={start.strftime(ISO)}"]')
        expect(slot.locator(".slot-time")).to_have_text(
            f"{local:%H:%M}–{local + timedelta(hours=1):%H:%M}")
        expect(slot.locator(".slot-zone")).to_have_text(
            "北京时间" if language == "zh" else re.compile(r"GMT\+0[01]:00"))
        if language == "zh":
            slot.focus()  # the keyboard alone: Enter on the focused time, then on the button
            page.keyboard.press("Enter")
        else:
            slot.click()
        when_local = page.locator(".when-local")
        expect(when_local).to_contain_text(f"{local:%H:%M}–")
        if language == "en":
            beijing = start.astimezone(ZoneInfo("Asia/Shanghai"))
            expect(page.locator(".when-beijing")).to_contain_text(f"{beijing:%H:%M}–")
            expect(page.get_by_text("By video call: the link comes with your calendar "
                                    "invitation by email.")).to_be_visible()
        expect(page.get_by_text("1 interviewer")).to_have_count(0)
        assert _fits(page)
        screenshots.take(page, "confirm")
        agree_on_confirm(page, keyboard=language == "zh")
        book = page.get_by_role("button", name="预约这个时间" if language == "zh" else "Book this time")
        if language == "zh":
            book.focus()
            page.keyboard.press("Enter")
        else:
            book.click()
        expect(page.get_by_text("你的面试已预约。" if language == "zh"
                                else "Your interview is booked.")).to_be_visible()
        expect(page.locator(".when-local").first).to_contain_text(f"{local:%H:%M}–")
        expect(page.get_by_role("link", name="添加到 Google 日历" if language == "zh"
                                else "Add to Google Calendar")).to_be_visible()
        assert _fits(page)
        screenshots.take(page, "booked")
        ics = page.request.get(page.locator('a[href$="/interview.ics"]').get_attribute("href"))
        calendar = Calendar.from_ical(ics.body())
        assert calendar.walk("VEVENT")[0].decoded("DTSTART") == start
        [(method, invite)] = _invites_to(live, common_slot["emails"][language])
        assert method == "REQUEST" and invite.decoded("DTSTART") == start  # the UTC instant
    finally:
        context.close()


def _race_world(live):
    """A role whose one stage only 王芳 may run (senior HR final): each time has one panel."""
    with live.db() as session:
        requisition = f.make_requisition(
            title_en="Recruiting Partner", title_zh="招聘伙伴",
            stages=[dict(kind="hr_final", name_en="HR final", name_zh="HR终面",
                         required_level="senior", duration_minutes=45, panel_size=1,
                         mode="video", min_notice_minutes=240, horizon_days=14)])
        seniors = session.scalars(sa.select(Qualification).where(
            Qualification.stage_kind == "hr_final", Qualification.level == "senior")).all()
        assert len(seniors) == 1
        tokens = []
        for n, language in enumerate(("en", "zh")):
            application = _candidate(session, f"Racer {n}", f"racer{n}@example.org",
                                     "Asia/Shanghai", language, requisition.id)
            tokens.append(_send(session, application, requisition.stages)[1])
        slot = _later(available_slots(_link_of(tokens[1]), NOW).slots)[0]
        return tokens, slot.start_at, requisition.stages[0].id


def _link_of(token):
    return open_link(token, NOW)


def test_two_browsers_race_for_one_slot_and_the_loser_sees_fresh_times(
        browser, live, screenshots):
    (first, second), start, stage_id = _race_world(live)
    one = browser.new_context(base_url=live.url, **LONDON)
    # The second browser has JavaScript off: times in the stored zone, everything still works.
    two = browser.new_context(base_url=live.url, java_script_enabled=False, **SHANGHAI_PHONE)
    try:
        pages = [one.new_page(), two.new_page()]
        for page, token in zip(pages, (first, second)):
            page.goto(f"/schedule/{token}/confirm?start={start.strftime(ISO)}")
        expect(pages[1].get_by_role("heading", name="确认并预约")).to_be_visible()
        screenshots.take(pages[1], "no-js-confirm")
        for page in pages:
            agree_on_confirm(page)
        pages[0].get_by_role("button", name="Book this time").click()
        expect(pages[0].get_by_text("Your interview is booked.")).to_be_visible()
        pages[1].get_by_role("button", name="预约这个时间").click()
        expect(pages[1].get_by_text("抱歉，这个时间刚刚被别人预约了。")).to_be_visible()
        fresh = pages[1].locator("a.slot")
        assert fresh.count() > 0
        assert not pages[1].locator(f'a.slot[href*="start={start.strftime(ISO)}"]').count()
        expect(pages[1].locator("#zone-offer")).to_be_hidden()  # no script, no offer
        expect(pages[1].get_by_text("更改时区")).to_be_visible()  # the form works without it
        assert _fits(pages[1])
        screenshots.take(pages[1], "just-taken-fresh-times")
        with live.db() as session:
            booked = session.scalars(sa.select(Interview).where(
                Interview.stage_id == stage_id, Interview.status == "scheduled")).all()
            assert [i.start_at for i in booked] == [start]
    finally:
        one.close()
        two.close()


def test_a_loop_books_all_its_stages_or_none(browser, live, screenshots):
    with live.db() as session:
        application = _candidate(session, "Noah Clarke", "noah.clarke@example.org",
                                 "Europe/London", "en")
        stages = [_demo_stage(session, 3), _demo_stage(session, 4)]
        _, token = _send(session, application, stages, break_minutes=15)
        application_id = application.id
        link = _link_of(token)
        loop = _later(available_slots(link, NOW).slots)[0]
        second_start, second_end = loop.stages[1].start_at, loop.stages[1].end_at
        deep_dive = session.scalars(sa.select(Qualification.interviewer_id).where(
            Qualification.stage_kind == "project_deep_dive")).all()
    context = browser.new_context(base_url=live.url, **LONDON)
    page = context.new_page()
    try:
        page.goto(f"/schedule/{token}")
        expect(page.get_by_text("back to back on one day, with a 15-minute break")).to_be_visible()
        screenshots.take(page, "loop-pick")
        page.locator(f'a.slot[href*="start={loop.start_at.strftime(ISO)}"]').click()
        expect(page.locator(".when-local")).to_have_count(2)
        screenshots.take(page, "loop-confirm")
        # Between display and booking, every deep-dive interviewer becomes busy in stage two.
        with live.db() as session:
            for interviewer_id in deep_dive:
                source = f.make_calendar_source(session.get(InterviewerProfile,
                                                            interviewer_id))
                f.make_busy_block(source, second_start, second_end)
        agree_on_confirm(page)
        page.get_by_role("button", name="Book this time").click()
        expect(page.get_by_text("Sorry, that time was just taken.")).to_be_visible()
        screenshots.take(page, "loop-just-taken")
        with live.db() as session:
            assert not session.scalars(sa.select(Interview).where(
                Interview.application_id == application_id)).all()  # neither stage
        page.locator("a.slot").first.click()
        agree_on_confirm(page)
        page.get_by_role("button", name="Book this time").click()
        expect(page.get_by_role("heading", name="Your interviews")).to_be_visible()
        expect(page.locator(".when-local")).to_have_count(2)
        screenshots.take(page, "loop-booked")
        with live.db() as session:
            booked = session.scalars(sa.select(Interview).where(
                Interview.application_id == application_id)).all()
            assert len(booked) == 2 and len({i.booking_group_id for i in booked}) == 1
            assert booked[0].booking_group_id is not None
    finally:
        context.close()


def test_move_and_cancel_before_the_cutoff_keep_the_uid_and_after_it_the_contact_shows(
        browser, live, screenshots):
    with live.db() as session:
        application = _candidate(session, "Mia Thompson", "mia.thompson@example.org",
                                 "Europe/London", "en")
        _, token = _send(session, application, [_demo_stage(session, 1)])
        link = _link_of(token)
        first = _later(available_slots(link, NOW).slots)[0]
        # The notice acknowledged, and the consent to any country the panel reaches.
        book_from_link(link, first.start_at, NOW, notice_version=current_version(),
                       cross_border_countries=set(missing_countries(application, first.panels)))
        # Another candidate whose phone screen starts in five hours: past the 24-hour cutoff.
        late = _candidate(session, "Leo Evans", "leo.evans@example.org", "Europe/London", "en")
        _, late_token = _send(session, late, [_demo_stage(session, 1)])
        late_link = _link_of(late_token)
        soon = NOW.replace(second=0, microsecond=0) + timedelta(hours=5)
        interview = f.make_interview(application=late, start_at=soon)
        late_link.booked_at, late_link.interview_id = NOW, interview.id
    context = browser.new_context(base_url=live.url, **LONDON)
    page = context.new_page()
    try:
        page.goto(f"/schedule/{token}")
        expect(page.get_by_text("Your interview is booked.")).to_be_visible()
        expect(page.get_by_text("By phone: we call +44 7700 900456")).to_be_visible()
        page.get_by_role("link", name="Choose another time").click()
        expect(page.get_by_text("your current time", exact=True)).to_be_visible()
        expect(page.locator(".current-time")).to_contain_text("Your current time:")
        screenshots.take(page, "change-pick")
        # A new time past the 24-hour cutoff, so the moved interview can still be cancelled.
        slot_link_starting_after(page, NOW + timedelta(days=2, hours=1)).click()
        page.get_by_label("Reason for the change (optional)").fill("A clash at work")
        agree_on_confirm(page)
        screenshots.take(page, "change-confirm")
        page.get_by_role("button", name="Move my interview to this time").click()
        expect(page.get_by_text("Your interview has been moved.")).to_be_visible()
        screenshots.take(page, "moved")
        page.get_by_role("link", name="Cancel", exact=True).click()
        page.get_by_label("Reason (optional)").fill("I accepted another offer")
        screenshots.take(page, "cancel")
        page.get_by_role("button", name="Cancel my interview").click()
        expect(page.get_by_role("heading", name="Your interview is cancelled")).to_be_visible()
        screenshots.take(page, "cancelled")
        sent = _invites_to(live, "mia.thompson@example.org")
        assert [(m, int(e["SEQUENCE"])) for m, e in sent] == [
            ("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]
        assert len({str(e["UID"]) for _, e in sent}) == 1

        page.goto(f"/schedule/{late_token}")
        expect(page.get_by_text("It is too late to change this interview here.")).to_be_visible()
        expect(page.get_by_text("ml-hr@example.com").first).to_be_visible()
        expect(page.get_by_role("link", name="Choose another time")).to_have_count(0)
        screenshots.take(page, "after-cutoff")
    finally:
        context.close()


def test_dead_links_share_one_page_and_the_rate_limit_page_reads_well(
        browser, live, screenshots):
    with live.db() as session:
        stage = _demo_stage(session, 1)
        tokens = {}
        for case in ("expired", "revoked"):
            application = _candidate(session, f"Dead {case}", f"dead.{case}@example.org",
                                     "Europe/London", "en")
            _, tokens[case] = _send(session, application, [stage])
            link = _link_of(tokens[case])
            if case == "expired":
                link.expires_at = NOW - timedelta(minutes=1)
            else:
                revoke_link(_coordinator(session), link, NOW)
    tokens["malformed"] = "not-a-token"
    tokens["unknown"] = "Z" * 43
    context = browser.new_context(base_url=live.url, **LONDON)
    page = context.new_page()
    try:
        texts = set()
        for case, token in tokens.items():
            response = page.goto(f"/schedule/{token}")
            assert response.status == 404, case
            assert response.headers["referrer-policy"] == "no-referrer"
            expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
            texts.add(page.locator("main").inner_text())
        assert len(texts) == 1
        screenshots.take(page, "dead-link")
        live.app.config["CANDIDATE_PAGE_RATE_LIMIT"] = "2 per minute"
        try:
            statuses = [page.goto(f"/schedule/{tokens['unknown']}").status for _ in range(3)]
        finally:
            live.app.config["CANDIDATE_PAGE_RATE_LIMIT"] = "1000 per minute"
        assert statuses == [404, 404, 429]
        expect(page.get_by_role("heading", name="Too many requests")).to_be_visible()
        expect(page.get_by_text("Wait a minute, then reload it.")).to_be_visible()
        screenshots.take(page, "rate-limited")
    finally:
        context.close()


def test_none_of_these_work_reaches_the_coordinator(browser, live, screenshots):
    from scheduler.demo import DEMO_PASSWORD

    with live.db() as session:
        application = _candidate(session, "Ava Robinson", "ava.robinson@example.org",
                                 "Europe/London", "en")
        _, token = _send(session, application, [_demo_stage(session, 1)])
        application_id = application.id
    proposed = (NOW + timedelta(days=20)).strftime("%Y-%m-%dT19:00")
    candidate = browser.new_context(base_url=live.url, **LONDON)
    staff = browser.new_context(base_url=live.url, **LONDON)
    try:
        page = candidate.new_page()
        page.goto(f"/schedule/{token}")
        page.get_by_role("link", name="Propose other times").click()
        page.get_by_label("A time that works for me").fill(proposed)
        page.get_by_label("Note for the recruiting team").fill("Evenings in London suit me.")
        screenshots.take(page, "none-work-form")
        page.get_by_role("button", name="Send to the recruiting team").click()
        expect(page.get_by_text("The recruiting team has your message")).to_be_visible()
        screenshots.take(page, "none-work-sent")

        desk = staff.new_page()
        desk.goto("/login")
        desk.get_by_label("Email", exact=True).fill("coordinator@example.com")
        desk.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        desk.get_by_role("button", name="Sign in").click()
        desk.get_by_role("button", name="English").click()  # the demo coordinator reads Chinese
        desk.goto(f"/coordinator/applications/{application_id}/links")
        note = desk.locator(".none-work-note")
        expect(note).to_contain_text("Evenings in London suit me.")
        expect(note).to_contain_text("19:00 (Europe/London")
        screenshots.take(desk, "coordinator-links")
        with live.db() as session:
            # One mail to each of the opening's coordinators (issue 16), not the shared mailbox.
            mails = session.scalars(sa.select(OutboxMessage).where(
                OutboxMessage.kind == "notice_none_work")).all()
            told = {user.email for user in
                    session.get(Application, application_id).requisition.coordinators}
            assert told and sorted(mail.to_addr for mail in mails) == sorted(told)
    finally:
        candidate.close()
        staff.close()
