"""In a real browser: the coordinators' failed-mail page, on a 1366-px laptop and a 375-px phone,
in Chinese and in English.

Two failed messages are added to the demo: a candidate's address refused for good after one try,
and an invitation given up after eight tries because the mail server timed out. The page must say
why in the reader's language (the server's raw English answer behind a toggle), count the tries
truthfully, keep "Send again" on one line, and fit a phone. Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.sign_in import sign_in
from scheduler.extensions import db
from tests import factories as f
from tests.clock import NOW

LAPTOP = dict(viewport={"width": 1366, "height": 768})
PHONE = dict(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
REFUSED = ("permanent mail failure: recipient refused (li.na.candidate@example.org: 550 5.1.1 "
           "<li.na.candidate@example.org>: Recipient address rejected: User unknown in virtual "
           "mailbox table)")
TIMED_OUT = "temporary mail failure: TimeoutError: timed out"
WORDS = {
    "en": dict(button="Send again", once="1 try", eight="8 tries",
               refused="The receiving mail server refused the address",
               timed_out="Our mail server could not be reached", raw="The mail server's answer"),
    "zh": dict(button="重新发送", once="1 次", eight="8 次", refused="收件方邮件服务器拒收了这个地址",
               timed_out="无法连接我们的邮件服务器", raw="邮件服务器的原始回复"),
}


@pytest.fixture
def failed_mail(live_server):
    """Two failed messages in the live server's database."""
    with live_server.app.app_context():
        f.make_outbox_message(
            to_addr="li.na.candidate@example.org", attempts=1, failed_at=NOW - timedelta(hours=1),
            subject="Choose a time for your interview: System design (Machine Learning Engineer)",
            last_error=REFUSED)
        f.make_outbox_message(
            to_addr="oliver.smith@example.com", attempts=8, failed_at=NOW - timedelta(hours=2),
            subject="Invitation: Project deep dive with 李娜 (Machine Learning Engineer)",
            last_error=TIMED_OUT)
        db.session.commit()
        db.session.remove()


def _sign_in_as_coordinator(page, language: str) -> None:
    sign_in(page, "coordinator@example.com")
    page.wait_for_url("**/coordinator/")
    page.goto("/coordinator/outbox")
    # The demo coordinator reads Chinese; the switch on the page stores the other choice.
    page.locator(f'.lang-switch button[value="{language}"]').click()


def _lines_of_text(button) -> int:
    """Count the lines the button's own label (its first text node) is laid out on."""
    return button.evaluate("""button => {
        const range = document.createRange();
        range.selectNodeContents(button.firstChild);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    }""")


def _fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_failed_mail_says_why_in_the_readers_language_and_fits(
        browser, live_server, failed_mail, screenshots, language):
    words = WORDS[language]
    for device, options in (("laptop-1366", LAPTOP), ("phone-375", PHONE)):
        context = browser.new_context(base_url=live_server.url, **options)
        page = context.new_page()
        try:
            _sign_in_as_coordinator(page, language)
            rows = page.locator("table.outbox tbody tr")
            expect(rows).to_have_count(2)
            refused = rows.filter(has_text="li.na.candidate@example.org")
            timed_out = rows.filter(has_text="oliver.smith@example.com")
            # Why, in the reader's language; the true number of tries.
            expect(refused).to_contain_text(words["refused"])
            expect(refused).to_contain_text(words["once"])
            expect(timed_out).to_contain_text(words["timed_out"])
            expect(timed_out).to_contain_text(words["eight"])
            # The server's own words are there, folded away until asked for.
            raw = refused.locator("details.raw-error code")
            expect(raw).to_be_hidden()
            buttons = page.get_by_role("button", name=words["button"])
            expect(buttons).to_have_count(2)
            for index in range(2):
                assert _lines_of_text(buttons.nth(index)) == 1, f"{device}: the button wraps"
            assert _fits_the_screen(page), f"{device}: the page is wider than the screen"
            screenshots.take(page, f"{language}-{device}")

            refused.get_by_text(words["raw"]).click()
            expect(raw).to_be_visible()
            expect(raw).to_have_text(REFUSED)
            for index in range(2):
                assert _lines_of_text(buttons.nth(index)) == 1, f"{device}: the button wraps"
            assert _fits_the_screen(page), f"{device}: the open answer widens the page"
            screenshots.take(page, f"{language}-{device}-raw-answer")
        finally:
            context.close()
