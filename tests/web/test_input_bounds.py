"""Every odd request value gets a clear answer and no write, never a 500 (issue 22, item 3).

Each cause the probe over HTTP found has a test here, on SQLite and PostgreSQL (where NUL in text
and integers beyond a column fail): a NUL character anywhere, signed out too (400, the message
names it); CR/LF in `next` (a safe address instead); digits that str.isdigit() accepts but int()
refuses ("²") or reads in another script ("٣"); ids beyond the database's range in URLs, links
and forms (404 or the field's message); years 1 and 9999 in links and date fields (the field's
message, or today); a form missing a field another field's check compares with.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import AvailabilityOverride, Candidate, StageDecision
from scheduler.web import parse_day, parse_id, parse_start, safe_next
from tests import factories as f
from tests.clock import NOW
from tests.web.helpers import csrf_token, post_form, sign_in

PASSWORD = "correct horse battery staple"
HUGE = ["2147483648", "9223372036854775808", "1" + "0" * 30]
ODD_DIGITS = ["²", "٣", "１２"]
NUL_MESSAGE = "contains a NUL character"


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _staff(client, db, *roles, **kw):
    user = f.make_user(email=f"{roles[0]}@example.com", roles=roles, password=PASSWORD,
                       language="en", **kw)
    db.session.commit()
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    return user


def test_the_readers_of_request_values_refuse_what_int_and_dates_cannot_take():
    for text in ODD_DIGITS + HUGE + ["0", "-1", " ", "", None, "1.0"]:
        assert parse_id(text) is None, text
    assert parse_id(" 42 ") == 42 and parse_id("2147483647") == 2147483647
    for text in ("0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"):
        assert parse_day(text) is None, text
    assert parse_day("2027-03-28") is not None
    for text in ("0001-01-01T00:00+01:00", "9999-12-31T23:59-05:00", "0001-01-01T00:00Z"):
        assert parse_start(text) is None, text
    for target in ("/coordinator/\r\nSet-Cookie: a=b", "/x\ny", "/x\x00", "/x\x7f", "/\t"):
        assert safe_next(target) is None, repr(target)
    assert safe_next("/coordinator/board?day=2027-01-04") == "/coordinator/board?day=2027-01-04"


@pytest.mark.parametrize("path, field", [("/login", "email"), ("/login", "password"),
                                         ("/account/forgot", "email")])
def test_nul_signed_out_gets_a_400_that_names_it(client, db, path, field):
    f.make_user(email="wei@example.com", password=PASSWORD)
    db.session.commit()
    data = {"email": "wei@example.com", "password": PASSWORD} | {field: "wei\x00@example.com"}
    response = post_form(client, path, data)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.text
    # The same value without it is read as usual (signed in, told it is wrong, or sent).
    assert post_form(client, path, data | {field: data[field].replace("\x00", "")}
                     ).status_code in (200, 302, 401)


def test_nul_in_a_staff_form_writes_nothing_and_in_a_url_is_refused_too(client, db):
    requisition = f.make_requisition()
    _staff(client, db, "coordinator")
    response = post_form(client, "/coordinator/candidates/new", {
        "name": "Mei\x00Lin", "email": "mei@example.org", "zone": "Asia/Shanghai",
        "language": "en", "requisition_id": str(requisition.id), "level": "mid"})
    assert (response.status_code, _count(db, Candidate)) == (400, 0)
    assert NUL_MESSAGE in response.text
    assert client.get("/coordinator/board?q=a%00b").status_code == 400
    assert client.get("/schedule/abc%00def").status_code == 400


def test_cr_lf_in_next_is_not_followed_after_signing_in(client, db):
    f.make_user(email="lin@example.com", roles=("coordinator",), password=PASSWORD)
    db.session.commit()
    page = client.get("/login")
    response = client.post("/login?next=/coordinator/%0D%0ASet-Cookie:%20a=b", data={
        "csrf_token": csrf_token(page.text), "email": "lin@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Set-Cookie: a" not in str(response.headers)
    response = client.post("/language", data={"csrf_token": csrf_token(client.get(
        "/account/password").text), "language": "en", "next": "/coordinator/\r\nX: y"})
    assert (response.status_code, response.headers["Location"]) == (302, "/")


@pytest.mark.parametrize("value", HUGE + ODD_DIGITS)
def test_ids_beyond_the_database_or_in_other_digits_are_not_found(client, db, value):
    _staff(client, db, "coordinator")
    for url in (f"/coordinator/applications/{value}", f"/coordinator/interviews/{value}/swap",
                f"/coordinator/openings/{value}"):
        assert client.get(url).status_code == 404, url
    # An id in a link: the board opens nothing rather than failing.
    assert client.get(f"/coordinator/board?open={value}").status_code == 200
    assert client.get(f"/coordinator/board.ics?interviewer={value}").status_code == 200


def test_odd_ids_in_forms_get_the_fields_answer_and_write_nothing(client, db):
    world_interviewer = f.make_interviewer()
    application = f.make_application()
    interview = f.make_interview(application, panel=(world_interviewer,),
                                 start_at=NOW + timedelta(days=3))
    _staff(client, db, "coordinator")
    page = f"/coordinator/applications/{application.id}/feedback"
    for value in ["²", "٣"] + HUGE:
        response = post_form(client, f"/coordinator/applications/{application.id}/decisions",
                             {"stage_id": value, "outcome": "hold"}, page_url=page)
        assert response.status_code == 404, value
        response = post_form(client, f"/coordinator/interviews/{interview.id}/swap", {
            "old": str(world_interviewer.id), "new": value, "reason": "x"},
            page_url=f"/coordinator/applications/{application.id}")
        assert response.status_code == 302, value
    assert _count(db, StageDecision) == 0
    assert [a.interviewer_id for a in interview.active_assignments] == [world_interviewer.id]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_years_1_and_9999_get_a_message_or_today_never_a_500(client, db, day):
    profile = f.make_interviewer(user=f.make_user(email="interviewer@example.com",
                                                  roles=("interviewer", "coordinator"),
                                                  password=PASSWORD, language="en"))
    db.session.commit()
    assert sign_in(client, "interviewer@example.com", PASSWORD).status_code == 302
    # Links: the board shows today's week; the availability week is a bad request.
    response = client.get(f"/coordinator/board?day={day}")
    assert response.status_code == 200
    assert client.get(f"/availability/{profile.id}?week={day}").status_code == 400
    # A date field says which years it takes, and nothing is written.
    response = post_form(client, f"/availability/{profile.id}/overrides", {
        "override-kind": "off", "override-day": day}, page_url=f"/availability/{profile.id}")
    assert response.status_code == 200
    assert "Choose a date between the years 1900 and 2199." in response.text
    assert _count(db, AvailabilityOverride) == 0


def test_a_candidates_odd_times_and_missing_hours_get_a_message(client, db):
    from scheduler.services.feeds import token_hash

    application = f.make_application()
    f.make_link(application, token_hash=token_hash("T" * 43))
    db.session.commit()
    base = f"/schedule/{'T' * 43}"
    response = post_form(client, f"{base}/none-work", {"first": "0001-01-01T00:00",
                                                       "note": "Any evening"})
    assert response.status_code == 200
    assert "1900" in response.text  # the field's message names the years it takes
    # Hours with the start left out: the field's own error, flashed on the link's page.
    response = post_form(client, f"{base}/hours", {"day_end": "18:00"}, page_url=base)
    assert response.status_code == 302
