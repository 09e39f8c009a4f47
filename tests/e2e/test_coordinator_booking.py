"""In a real browser: the demo coordinator books a demo candidate, swaps an interviewer, cancels.

Each step is photographed at laptop width and at 375 px (a phone), and every page must fit the
phone's width without sideways scrolling.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.clock import local_today
from tests.e2e.consent import enter_email_consent_if_asked
from tests.e2e.sign_in import sign_in

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _both_widths(page, screenshots, name: str) -> None:
    """Photograph the page at laptop width, then at 375 px (checking it fits), then go back."""
    screenshots.take(page, f"{name}-laptop")
    page.set_viewport_size(PHONE)
    assert _fits_the_screen(page), f"{name} is wider than a phone"
    screenshots.take(page, f"{name}-phone")
    page.set_viewport_size(LAPTOP)


def test_the_coordinator_books_swaps_and_cancels(browser, live_server, screenshots):
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  timezone_id="Asia/Shanghai", viewport=LAPTOP)
    page = context.new_page()
    try:
        sign_in(page, "coordinator@example.com")
        expect(page).to_have_url(re.compile(r"/coordinator/$"))
        page.get_by_role("button", name="English").click()

        # Hannah Wright (London) is at the system-design stage: two interviewers, one senior.
        page.get_by_role("link", name="Hannah Wright").click()
        expect(page.get_by_role("heading", name="Hannah Wright")).to_be_visible()
        expect(page.get_by_role("heading", name="Book a time")).to_be_visible()
        first_row = page.locator("table.slots tbody tr").first
        expect(first_row).to_contain_text("Asia/Shanghai, GMT+08:00")
        # GMT+00:00 or, in British Summer Time, GMT+01:00: whichever the slot's date has.
        expect(first_row).to_contain_text(re.compile(r"Europe/London, GMT\+0[01]:00"))
        _both_widths(page, screenshots, "application-slots")

        # The loop of stages 3 and 4 is offered too, with a break.
        page.get_by_label("A loop of stages, back to back").check()
        page.get_by_role("button", name="Show times").click()
        expect(page.get_by_text("back to back with a 15-minute break")).to_be_visible()
        expect(page.locator("table.slots tbody tr").first).to_contain_text("Project deep dive")
        page.get_by_label("The current stage", exact=True).check()
        page.get_by_role("button", name="Show times").click()

        # A time with other free panels, so seats can be swapped.
        page.locator("table.slots tbody tr").filter(
            has_text=re.compile(r"\d+ other panels are free")).first.get_by_role(
            "link", name="Choose").click()
        expect(page.get_by_role("heading", name="Confirm the booking")).to_be_visible()
        second_seat = page.get_by_label("Interviewer 2")
        engine_choice = second_seat.locator("option:checked").inner_text()
        # Swap the second seat for a qualified alternative before booking.
        assert second_seat.locator("option").count() > 1
        second_seat.select_option(index=1)
        # Each choice reads "name (office) · local time (zone) · flags": keep the name.
        chosen_second = second_seat.locator("option:checked").inner_text().split(" · ")[0]
        assert chosen_second != engine_choice.split(" · ")[0]
        page.get_by_label("Video link").fill("https://meet.example.com/ml-system-design")
        # A panel with staff outside mainland China needs the candidate's consent by email.
        enter_email_consent_if_asked(page, local_today())
        _both_widths(page, screenshots, "confirm")
        page.get_by_role("button", name="Book", exact=True).click()

        expect(page.locator(".flash-success")).to_contain_text(
            "Booked System design for Hannah Wright")
        card = page.locator("article.interview").first
        expect(card).to_contain_text("Scheduled")
        expect(card).to_contain_text(chosen_second)
        expect(card).to_contain_text("https://meet.example.com/ml-system-design")
        expect(page.get_by_text("This stage is already booked.")).to_be_visible()
        card.get_by_text("Calendar details").click()  # the calendar's internals are folded away
        uid = card.locator(".uid").inner_text()
        _both_widths(page, screenshots, "booked")

        # Swap a panel member for someone the engine finds free at the same time (the first
        # member who has such a replacement).
        booked_url = page.url
        for seat in range(card.locator(".panel li").count()):
            swapped = card.locator(".panel li").nth(seat)
            lead_name = swapped.inner_text().split(" (")[0]
            swapped.get_by_role("link", name="Swap").click()
            expect(page.get_by_role("heading", name="Swap an interviewer")).to_be_visible()
            if page.locator("input[name=new]:checked").count():
                break
            page.goto(booked_url)
            card = page.locator("article.interview").first
        else:
            raise AssertionError("no panel member has a free replacement at the booked time")
        replacement = page.locator("input[name=new]:checked + label").inner_text()
        page.get_by_label("Reason").fill("Balancing the load this week")
        enter_email_consent_if_asked(page, local_today())
        _both_widths(page, screenshots, "swap")
        page.get_by_role("button", name="Swap", exact=True).click()
        expect(page.locator(".flash-success")).to_contain_text(f"{replacement} replaces")
        card = page.locator("article.interview").first
        expect(card.locator(".panel")).to_contain_text(replacement)
        expect(card.locator(".panel")).not_to_contain_text(lead_name)
        expect(card.locator(".uid")).to_have_text(uid)  # the same calendar entry
        expect(card).to_contain_text(re.compile(r"Calendar update number\s*1(?!\d)"))

        # Cancel with a reason.
        card.get_by_text("Cancel this interview…").click()
        card.get_by_label("Reason").fill("The candidate accepted another offer")
        card.get_by_role("button", name="Cancel the interview").click()
        expect(page.locator(".flash-success")).to_contain_text("Cancelled the interview.")
        card = page.locator("article.interview").first
        expect(card.locator(".status")).to_have_text("Cancelled")
        expect(card).to_contain_text("The candidate accepted another offer")
        card.get_by_text("History").click()
        trail = card.locator(".trail > li")
        expect(trail).to_have_count(3)
        expect(trail.nth(0)).to_contain_text("Booked")
        expect(trail.nth(1)).to_contain_text("Panel changed")
        expect(trail.nth(1)).to_contain_text("Reason: Balancing the load this week")
        expect(trail.nth(2)).to_contain_text("Cancelled")
        expect(card.locator(".uid")).to_have_text(uid)
        # The stage can be booked again.
        expect(page.locator("table.slots tbody tr").first).to_be_visible()
        _both_widths(page, screenshots, "cancelled-with-history")

        # The same page in Chinese.
        page.get_by_role("button", name="中文").click()
        expect(page.get_by_role("heading", name="预约时间")).to_be_visible()
        page.locator("article.interview").first.get_by_text("历史记录").click()
        expect(page.locator(".trail > li").nth(1)).to_contain_text("面试官已更换")
        _both_widths(page, screenshots, "cancelled-with-history-zh")
    finally:
        context.close()


def test_an_interviewer_cannot_make_it_and_the_coordinator_swaps_in_one_click(
        browser, live_server, screenshots):
    import sqlalchemy as sa

    from scheduler.extensions import db
    from scheduler.models import Application, Candidate, InterviewerProfile
    from scheduler.services.slot_search import find_slots
    from scheduler.services.booking import book_interview
    from scheduler.models import Office
    from scheduler.services.consents import (
        is_outside_mainland, office_country, record_cross_border,
    )
    from tests.clock import NOW

    with live_server.app.app_context():
        application = db.session.scalar(sa.select(Application).join(Candidate).where(
            Candidate.email == "aarav.sharma@example.org"))  # project deep dive, one interviewer
        def speaks_chinese(slot) -> bool:
            return db.session.get(InterviewerProfile, slot.panel[0]).user.language == "zh"

        # An interviewer whose pages are in Chinese, at a time when another qualified
        # interviewer is free, so a replacement exists.
        slot = next(s for s in find_slots(application, [application.current_stage], NOW).slots
                    if s.alternatives >= 1 and speaks_chinese(s))
        # The candidate agreed by email to every country with an office outside mainland
        # China, so whoever the one-click swap suggests may take the seat.
        record_cross_border("test", application,
                            {office_country(o) for o in db.session.scalars(sa.select(Office))
                             if is_outside_mainland(o)}, NOW, email_received_on=NOW.date())
        interview = book_interview("test", application, application.current_stage,
                                   slot.start_at, list(slot.panel), NOW)
        member = interview.active_assignments[0].interviewer
        email, name = member.user.email, member.user.name
        db.session.commit()

    phone = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                timezone_id="Asia/Shanghai", viewport=PHONE, is_mobile=True)
    page = phone.new_page()
    try:
        sign_in(page, email)
        page.goto("/interviewer/")
        page.get_by_role("link", name="我无法参加").click()
        expect(page.get_by_role("heading", name="我无法参加")).to_be_visible()
        page.get_by_label("无法参加的原因").fill("那天要出差")
        assert _fits_the_screen(page)
        screenshots.take(page, "decline-phone-zh")
        page.get_by_role("button", name="告知招聘协调人员").click()
        expect(page.get_by_text("你已告知招聘协调人员：那天要出差")).to_be_visible()
        assert _fits_the_screen(page)
        screenshots.take(page, "declined-home-phone-zh")
    finally:
        phone.close()

    laptop = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                 timezone_id="Asia/Shanghai", viewport=LAPTOP)
    page = laptop.new_page()
    try:
        sign_in(page, "coordinator@example.com")
        flagged = page.locator(".flagged")
        expect(flagged).to_contain_text(name)
        expect(flagged).to_contain_text("原因：那天要出差")
        _both_widths(page, screenshots, "coordinator-home-flagged-zh")
        button = flagged.get_by_role("button").first
        replacement = button.inner_text().removeprefix("换成 ")
        button.click()
        expect(page.locator(".flash-success")).to_contain_text(f"{replacement} 已接替")
        expect(page.locator(".flagged")).to_have_count(0)
    finally:
        laptop.close()
