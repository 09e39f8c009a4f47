"""Refused input is in sight: a form re-rendered with errors opens with an error summary just
above it (templates/_macros/forms.html `form_errors`) that takes the focus as the page loads
(`autofocus` on a `tabindex=-1` element with role=alert, no script needed), links to each field
with an error, and leaves what was typed in the fields.

The three long pages of the issue, in both languages: weekly working hours and a calendar upload
on the availability page, and the admin's pasted workday schedule. The browser side (focus,
scrolling, a phone) is tests/e2e/test_error_summary.py.
"""
from __future__ import annotations

import html as htmllib
import re
from datetime import time
from io import BytesIO

import pytest

from tests import factories as f
from tests.web.helpers import csrf_token, sign_in

PASSWORD = "correct horse battery staple"


def _summaries(page: str) -> list[str]:
    return re.findall(r'<div class="form-errors error-summary"[^>]*>.*?</div>', page, re.S)


def _the_summary(page: str) -> str:
    """Return the page's one error summary, checking it is made to be found and read."""
    [summary] = _summaries(page)
    opening = summary.split(">", 1)[0]
    for attribute in ('role="alert"', 'tabindex="-1"', "autofocus"):
        assert attribute in opening, attribute
    # The only element that asks for the focus on load.
    assert page.count("autofocus") == 1
    return summary


def _links(summary: str) -> list[tuple[str, str]]:
    return [(target, htmllib.unescape(text)) for target, text in
            re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary, re.S)]


@pytest.fixture
def interviewer(app, db):
    def make(language):
        user = f.make_user(email="iv@example.com", password=PASSWORD, language=language)
        profile = f.make_interviewer(user=user, windows=((0, 5), time(9), time(18)))
        db.session.commit()
        client = app.test_client()
        assert sign_in(client, "iv@example.com", PASSWORD).status_code == 302
        return client, profile
    return make


@pytest.mark.parametrize("language, label, words", [
    ("en", "Tuesday", "Could not read “9 to 5”"),
    ("zh", "周二", "无法识别“9 to 5”"),
])
def test_bad_working_hours_are_summed_up_above_the_form_with_a_link(interviewer, language,
                                                                     label, words):
    client, profile = interviewer(language)
    page = client.get(f"/availability/{profile.id}").text
    typed = {f"hours-day_{n}": "09:00-18:00" for n in range(5)} | {"hours-day_1": "9 to 5"}
    response = client.post(f"/availability/{profile.id}/hours",
                           data=typed | {"hours-csrf_token": csrf_token(page)})
    assert response.status_code == 200
    page = response.text
    summary = _the_summary(page)
    [(target, text)] = _links(summary)
    assert target == "hours-day_1" and text.startswith(f"{label}") and words in text
    # The summary sits at the top of the hours form, and the field still holds what was typed.
    assert page.index(summary) < page.index('class="hours-form"')
    assert re.search(r'<input[^>]*id="hours-day_1"[^>]*value="9 to 5"', page)
    assert re.search(r'<input[^>]*id="hours-day_0"[^>]*value="09:00-18:00"', page)


@pytest.mark.parametrize("language, words", [
    ("en", "not an iCalendar (.ics) file"),
    ("zh", "这不是 iCalendar（.ics）文件"),
])
def test_a_broken_calendar_upload_is_summed_up_in_its_open_section(interviewer, language, words):
    client, profile = interviewer(language)
    page = client.get(f"/availability/{profile.id}").text
    response = client.post(
        f"/availability/{profile.id}/calendars/file", content_type="multipart/form-data",
        data={"file-csrf_token": csrf_token(page), "file-submit_file": "1",
              "file-file": (BytesIO(b"hello, not a calendar"), "notes.ics")})
    assert response.status_code == 200
    summary = _the_summary(response.text)
    assert words in htmllib.unescape(summary)
    section = re.search(r'<details class="add-source" open>.*?</details>', response.text, re.S)
    assert section and summary in section.group(0)


def test_a_missing_file_links_to_the_file_field(interviewer):
    client, profile = interviewer("en")
    page = client.get(f"/availability/{profile.id}").text
    response = client.post(f"/availability/{profile.id}/calendars/file",
                           content_type="multipart/form-data",
                           data={"file-csrf_token": csrf_token(page), "file-submit_file": "1"})
    assert _links(_the_summary(response.text)) == [
        ("file-file", "Calendar file (.ics): Choose a calendar file to upload.")]


@pytest.mark.parametrize("language, label, words", [
    ("en", "Schedule", "Line 2 could not be read: “2027-02-30 off”"),
    ("zh", "安排", "第 2 行无法识别：“2027-02-30 off”"),
])
def test_a_bad_bulk_paste_is_summed_up_and_kept(app, db, language, label, words):
    f.make_user(email="admin@example.com", roles=("admin",), password=PASSWORD,
                language=language)
    db.session.commit()
    client = app.test_client()
    sign_in(client, "admin@example.com", PASSWORD)
    page = client.get("/admin/workdays?key=CN").text
    pasted = "2027-02-06 off 春节\n2027-02-30 off\n2027-02-20 work 春节调休"
    response = client.post("/admin/workdays/bulk", data={
        "many-csrf_token": csrf_token(page), "many-calendar_key": "CN", "many-lines": pasted})
    assert response.status_code == 200
    page = response.text
    summary = _the_summary(page)
    [(target, text)] = _links(summary)
    assert target == "many-lines" and text.startswith(label) and words in text
    assert page.index(summary) > page.index('id="bulk-heading"')  # above its own form
    textarea = re.search(r'<textarea[^>]*id="many-lines"[^>]*>(.*?)</textarea>', page, re.S)
    assert htmllib.unescape(textarea.group(1)).strip() == pasted


def test_a_form_wide_error_takes_the_focus_from_the_fields_autofocus(client, db):
    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD, language="en")
    db.session.commit()
    page = client.get("/login", headers={"Accept-Language": "en"}).text
    response = client.post("/login", headers={"Accept-Language": "en"}, data={
        "csrf_token": csrf_token(page), "email": "co@example.com", "password": "wrong"})
    summary = _summaries(response.text)[0]
    assert 'tabindex="-1" autofocus' in summary and _links(summary) == []
    # The email field's own autofocus is only for a fresh page.
    assert response.text.count("autofocus") == 1


def test_a_page_without_errors_has_no_summary(interviewer):
    client, profile = interviewer("en")
    assert _summaries(client.get(f"/availability/{profile.id}").text) == []
