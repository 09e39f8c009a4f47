"""In a real browser: the demo coordinator opens the calendar board, filters it to the London
office, moves to next week, opens an interview from the board and reschedules it to a time the
engine suggests, and comes back to the board.

The demo has no interviews, so the test books a week of them first (through the booking service,
at times the engine offers, one with a London panel) and puts a meeting over one, so the board
has a conflict to say. The board is photographed at 1366 px (a laptop) and at 375 px (a phone): on
the phone the board scrolls sideways inside its own box and the page itself does not, and the
board's one script scrolls that box to the opened interview.
"""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from scheduler.domain.availability import week_start
from tests.clock import NOW, local_today
from tests.e2e.consent import enter_email_consent_if_asked
from tests.e2e.sign_in import sign_in

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
# How many candidates get an interview next week (one of them with a London interviewer).
BOOKINGS = 7


def _book_next_week(app) -> tuple[int, str, str]:
    """Book the current stage of demo candidates whose stage is still to be booked (picked by that
    property, not by name: the demo's history decides who that is) at times offered next week
    (Shanghai's week). Return the id of one interview with a London interviewer on it, that
    interviewer's name and the interview's label on the board ("System design · Hannah Wright")."""
    from scheduler.extensions import db
    from scheduler.models import Application, InterviewerProfile
    from scheduler.services.booking import book_interview, booking_refusal
    from scheduler.services.consents import GivenConsent
    from scheduler.services.slot_search import find_slots
    from tests import factories as f

    monday = week_start(local_today()) + timedelta(days=7)
    # Panels may reach London and elsewhere: the candidates' consent came by email.
    by_email = GivenConsent(email_received_on=NOW.date())
    with app.app_context():
        def in_next_week(slot) -> bool:
            day = slot.start_at.astimezone(_shanghai()).date()
            return monday <= day < monday + timedelta(days=7)

        london = {p.id: p.user.name for p in db.session.scalars(sa.select(InterviewerProfile))
                  if p.office.code == "LON"}
        bookable = [a for a in db.session.scalars(sa.select(Application).order_by(Application.id))
                    if a.current_stage is not None and a.current_stage.panel_size
                    and booking_refusal(a, [a.current_stage]) is None]
        london_interview = london_name = label = None
        booked = 0
        for application in bookable:
            if booked == BOOKINGS:
                break
            slots = [s for s in find_slots(application, [application.current_stage], NOW).slots
                     if in_next_week(s)]
            with_london = [s for s in slots if set(s.panel) & set(london)]
            if london_interview is None and with_london:
                slot = with_london[0]
                interview = book_interview("test", application, application.current_stage,
                                           slot.start_at, list(slot.panel), NOW,
                                           consent=by_email)
                london_interview = interview.id
                london_name = london[next(i for i in slot.panel if i in london)]
                label = f"{application.current_stage.name_en} · {application.candidate.name}"
                booked += 1
                continue
            if not slots:
                continue
            slot = slots[(booked * 7) % len(slots)]
            interview = book_interview("test", application, application.current_stage,
                                       slot.start_at, list(slot.panel), NOW, consent=by_email)
            booked += 1
            if booked == 2:  # a meeting lands over this one after it was booked: a conflict
                member = interview.active_assignments[0].interviewer
                f.make_busy_block(f.make_calendar_source(member, kind="file", name="Offsite"),
                                  interview.start_at - timedelta(minutes=30),
                                  interview.start_at + timedelta(minutes=30),
                                  summary="Quarterly offsite")
        assert london_interview is not None, "no bookable candidate has a London panel next week"
        db.session.commit()
    return london_interview, london_name, label


def _shanghai():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def _page_fits(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _both_widths(page, screenshots, name: str) -> None:
    """Photograph at 1366 px, then at 375 px: the page fits the phone and the board scrolls
    inside its own box; then back to the laptop."""
    screenshots.take(page, f"{name}-laptop")
    page.set_viewport_size(PHONE)
    page.reload()  # as a phone would load it: the board scrolls itself to what matters
    assert _page_fits(page), f"{name} is wider than a phone"
    board = page.locator(".board-scroll")
    if board.count():
        assert board.evaluate("box => box.scrollWidth > box.clientWidth"), "the box does not scroll"
    screenshots.take(page, f"{name}-phone")
    page.set_viewport_size(LAPTOP)


def test_the_coordinator_filters_moves_on_opens_and_reschedules_from_the_board(
        browser, live_server, screenshots):
    interview_id, london_name, label = _book_next_week(live_server.app)
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  timezone_id="Asia/Shanghai", viewport=LAPTOP)
    page = context.new_page()
    try:
        sign_in(page, "coordinator@example.com")
        expect(page).to_have_url(re.compile(r"/coordinator/$"))
        page.get_by_role("button", name="English").click()

        page.locator("nav.nav").get_by_role("link", name="Calendar board").click()
        expect(page.get_by_role("heading", name="Calendar board")).to_be_visible()
        expect(page.locator("section.board-office")).to_have_count(7)  # every demo office
        expect(page.locator(".board-axis")).to_contain_text("Asia/Shanghai")
        page.get_by_role("link", name="Next week →").click()
        expect(page.locator(".board-flags")).to_contain_text("Overlaps busy time")
        expect(page.get_by_text("Quarterly offsite")).to_have_count(0)
        _both_widths(page, screenshots, "board-next-week")

        # Only London, by the GET form; then the week after this one again.
        page.get_by_role("link", name="Today").click()
        page.get_by_label("LON · London").check()
        page.get_by_role("button", name="Show the board").click()
        expect(page).to_have_url(re.compile(r"office=\d+"))
        expect(page.locator("section.board-office")).to_have_count(1)
        expect(page.locator("section.board-office h2")).to_have_text("London")
        page.get_by_role("link", name="Next week →").click()
        expect(page).to_have_url(re.compile(r"office=\d+.*day="))
        row = page.locator(".board-row").filter(has_text=london_name)
        block = row.locator(f'a[data-interview="{interview_id}"]')
        expect(block).to_have_attribute("aria-label", re.compile("^" + re.escape(label)))
        _both_widths(page, screenshots, "board-london-next-week")

        # Open it on the board: its details, with the flows of the application page.
        block.locator("rect.block").click()
        details = page.locator("#details")
        expect(details.get_by_role("heading", name=label)).to_be_visible()
        expect(details.locator(".clocks")).to_contain_text("London: ")
        expect(details.locator(".panel")).to_contain_text(london_name)
        expect(details.get_by_role("link", name=re.compile(r"^Swap"))).not_to_have_count(0)
        _both_widths(page, screenshots, "board-details")
        # On a phone the board box scrolls itself to the opened interview, clear of the names.
        page.set_viewport_size(PHONE)
        page.reload()
        box = page.locator(".board-scroll").bounding_box()
        bar = block.locator("rect.block").bounding_box()
        names = page.locator(".board-row .lane-head").first.bounding_box()
        assert names["x"] + names["width"] <= bar["x"] <= box["x"] + box["width"]
        page.set_viewport_size(LAPTOP)
        board_url = details.get_by_role("link", name="Close").get_attribute("href")

        details.get_by_role("link", name="Reschedule").click()
        expect(page.get_by_role("heading", name=re.compile(r"^Reschedule"))).to_be_visible()
        first = page.locator("table.slots tbody tr").first
        new_time = first.locator("td").first.inner_text().split("\n")[0]
        first.get_by_role("link", name=re.compile(r"^Choose")).click()
        expect(page.get_by_role("heading", name=re.compile("Confirm"))).to_be_visible()
        page.get_by_label("Reason").fill("The candidate asked for an earlier time")
        enter_email_consent_if_asked(page, local_today())
        page.get_by_role("button", name="Move the interview").click()

        # Back on the board, filtered and in the same week, with the interview moved.
        expect(page.locator(".flash-success")).to_contain_text("Moved to")
        assert page.url.endswith(board_url)
        expect(page.locator("section.board-office")).to_have_count(1)
        _both_widths(page, screenshots, "board-after-reschedule")
        page.goto(f"{board_url}&open={interview_id}")
        expect(page.locator("#details .interview .when")).to_contain_text(new_time.split("–")[0])
        screenshots.take(page, "board-moved-interview-laptop")
    finally:
        context.close()
