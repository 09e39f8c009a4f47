"""A candidate's browser over ``http.client``: one kept-alive connection, the session cookie, the
candidate's own client address, and the steps of booking through a scheduling link.

The load bench (bench/load.py) and the two-server race test (tests/web/test_two_app_servers.py)
book as a candidate does: open the link's page, follow one of its times to the confirm step, tick
the privacy notice's acknowledgement (and the separate cross-border consent when the page asks
for it), and post the form with its CSRF token; after a booking, follow the redirect to the page.

Each candidate sends its own address in ``X-Forwarded-For``: the app trusts one proxy hop
(TRUSTED_PROXY_HOPS=1), so the candidate pages' per-address limits count per candidate, as they do
behind the production proxy, and stay at their production values.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.client import HTTPConnection, HTTPException
from urllib.parse import urlencode, urlsplit

_SLOT = re.compile(r'<a class="slot[^"]*" href="(/schedule/[\w-]+/confirm\?start=([0-9T:-]+Z))"')
# The page's answer to a time taken between the confirm step and the post (pick.html).
TAKEN_MARKER = '<div class="notice notice-warn" role="alert">'
# The link's page once the interview is booked (booked.html).
BOOKED_MARKER = '<div class="notice notice-ok" role="status">'
# How the bench names each step, for the server's access log (bench/app_server.py).
STEP_HEADER = "X-Bench-Step"


@dataclass
class Answer:
    status: int
    headers: dict
    text: str
    seconds: float


class Browser:
    """One candidate's browser: a kept-alive connection to *base_url*, its cookies, its address."""

    def __init__(self, base_url: str, address: str, *, language: str = "en",
                 timeout: float = 60):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.address = address
        self.language = language
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.reconnects = 0
        # (step, status, seconds) of every request answered, in order.
        self.history: list[tuple[str, int, float]] = []
        self._connection: HTTPConnection | None = None
        self._is_reused = False

    def request(self, method: str, path: str, form: dict | None = None, *,
                step: str = "") -> Answer:
        """Send one request (re-sending it once on a fresh connection when a kept-alive one
        turns out closed before any answer, as browsers do); return the answer and its time."""
        headers = {"X-Forwarded-For": self.address, "Accept-Language": self.language,
                   STEP_HEADER: step or method.lower()}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = HTTPConnection(self.host, self.port, timeout=self.timeout)
                self._is_reused = False
            started = time.perf_counter()
            try:
                self._connection.request(method, path, body=body, headers=headers)
                response = self._connection.getresponse()
                text = response.read().decode("utf-8", errors="replace")
            except (ConnectionError, HTTPException) as error:
                was_reused = self._is_reused
                self.close()
                if attempt == 1 and was_reused:
                    self.reconnects += 1
                    continue
                raise ConnectionError(f"{method} {path}: {error!r}") from error
            seconds = time.perf_counter() - started
            self.history.append((headers[STEP_HEADER], response.status, seconds))
            self._is_reused = True
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            if response.will_close:
                self.close()
            return Answer(response.status, dict(response.headers), text, seconds)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def offered_times(page_html: str) -> list[tuple[str, str]]:
    """Return (confirm path, start) of every time the link's page offers, in page order."""
    return _SLOT.findall(page_html)


class _BookingForm(HTMLParser):
    """Collect the fields of the confirm step's booking form (the form posting to …/book)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.action = ""
        self.fields: dict[str, str] = {}
        self.boxes: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("action", "").endswith("/book"):
            self._inside, self.action = True, a["action"]
        elif tag == "input" and self._inside and a.get("name"):
            if a.get("type") == "checkbox":
                self.boxes.append(a["name"])
            elif a.get("type") not in ("submit", "button"):
                self.fields[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def agreed_booking_form(confirm_html: str) -> tuple[str, dict, bool]:
    """Return the booking form's action, what a candidate posts after ticking every box the
    confirm step shows (the notice's acknowledgement; the cross-border consent when asked), and
    whether the cross-border consent was asked."""
    parser = _BookingForm()
    parser.feed(confirm_html)
    if not parser.action or "acknowledge" not in parser.boxes:
        raise ValueError("the confirm step has no booking form with the notice's acknowledgement")
    return parser.action, parser.fields | {box: "y" for box in parser.boxes}, \
        "cross_border" in parser.boxes


@dataclass
class Outcome:
    """How one attempt to book ended: booked, taken (the friendly 409 with fresh times), asked
    again (the confirm step once more, for a consent the new panel needs: the form is filled in
    again, every box ticked), or an error (any other answer: the status and where)."""

    kind: str
    status: int = 0
    detail: str = ""


class Candidate:
    """The steps of booking through one link, for a test to interleave with a barrier."""

    def __init__(self, browser: Browser, token: str):
        self.browser = browser
        self.page_path = f"/schedule/{token}"
        self.action = ""
        self.form: dict = {}
        self.is_consent_asked = False

    def open_page(self) -> Answer:
        """Open the link's page (its times to pick)."""
        return self.browser.request("GET", self.page_path, step="page")

    def confirm(self, confirm_path: str) -> Answer:
        """Open the confirm step of one time and fill in its form, every box ticked."""
        answer = self.browser.request("GET", confirm_path, step="confirm")
        if answer.status == 200:
            self.action, self.form, self.is_consent_asked = agreed_booking_form(answer.text)
        return answer

    def book(self) -> tuple[Outcome, Answer]:
        """Post the filled-in form; after a booking, follow the redirect to the link's page."""
        answer = self.browser.request("POST", self.action, self.form, step="book")
        if answer.status == 302 and urlsplit(answer.headers.get("Location", "")).path \
                == self.page_path:
            landing = self.browser.request("GET", self.page_path, step="booked page")
            if landing.status == 200 and BOOKED_MARKER in landing.text:
                return Outcome("booked", 302), answer
            return Outcome("error", landing.status, "the page after booking shows no booking"), \
                answer
        if answer.status == 409 and TAKEN_MARKER in answer.text:
            return Outcome("taken", 409), answer
        if answer.status == 400 and 'action="' + self.action + '"' in answer.text:
            # Asked again on the confirm step: the panel for this time changed since the page,
            # and now reaches staff outside mainland China. The candidate reads it and agrees.
            self.action, self.form, self.is_consent_asked = agreed_booking_form(answer.text)
            return Outcome("asked again", 400), answer
        return Outcome("error", answer.status, answer.text), answer
