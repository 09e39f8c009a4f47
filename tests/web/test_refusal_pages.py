"""One way to refuse, one transaction edge, seen from the browser: a refused form keeps what was
typed and shows each refusal beside its field; a refusal a view answers with a flash, and one no
view catches (the blueprint's handler), both go back with the reason and write nothing, even
when the request had written before it was refused.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from scheduler.extensions import db as _db
from scheduler.models import Application, AuditEvent, Candidate, InterviewerProfile
from scheduler.services.booking import book_interview
from scheduler.services.link_booking import LinkBookingError
from scheduler.services.links import LinkError
from tests import factories as f
from tests.clock import NOW
from tests.services.booking_setup import WORKDAY_10, booking_world
from tests.web.helpers import NOT_SIGN_IN, post_form, sign_in

PASSWORD = "correct horse battery staple"


@pytest.fixture
def no_csrf(app):
    """The posts below go straight to the views (the forms' CSRF check has tests of its own)."""
    app.config["WTF_CSRF_ENABLED"] = False


def _coordinator(client, db):
    f.make_user(email="co@example.com", roles=("coordinator",), password=PASSWORD,
                language="en", zone="Asia/Shanghai")
    db.session.commit()
    assert sign_in(client, "co@example.com", PASSWORD).status_code == 302


def _count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def test_a_refused_form_keeps_the_input_and_shows_each_refusal_beside_its_field(client, db):
    requisition = f.make_requisition()
    f.make_candidate(email="mei.lin@example.org")
    _coordinator(client, db)
    response = post_form(client, "/coordinator/candidates/new", {
        "name": "Mei Lin", "email": "MEI.LIN@example.org", "phone": "+86 138 0000 1234",
        "zone": "Asia/Beijing", "language": "en", "requisition_id": str(requisition.id),
        "level": "mid"})
    assert response.status_code == 200
    html = response.text
    # Both refusals of one submission, each beside its own field.
    assert ('<ul class="errors" id="email-errors"><li>A candidate with this email address '
            'already exists.') in html
    assert '<ul class="errors" id="zone-errors"><li>Unknown time zone: choose one' in html
    # What was typed stays, to be corrected rather than typed again.
    for value in ("Mei Lin", "MEI.LIN@example.org", "+86 138 0000 1234", "Asia/Beijing"):
        assert f'value="{value}"' in html
    assert (_count(db, Candidate), _count(db, Application)) == (1, 0)
    assert _count(db, AuditEvent, NOT_SIGN_IN) == 0


def test_a_refusal_a_view_flashes_undoes_what_the_request_wrote(client, db, no_csrf):
    people, requisition, [application] = booking_world(interviewers=3, panel_size=1)
    on_panel, absent, other = people
    interview = book_interview("test", application, requisition.stages[0], WORKDAY_10,
                               [on_panel.id], NOW)
    db.session.commit()
    versions = {p.id: p.lock_version for p in people}
    _coordinator(client, db)
    # Swapping out someone who is not on the panel: refused after the booking lock was taken
    # (an UPDATE of both profiles), then flashed on the application page.
    response = client.post(f"/coordinator/interviews/{interview.id}/swap", data={
        "old": absent.id, "new": other.id, "next": f"/coordinator/applications/{application.id}"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/coordinator/applications/{application.id}"
    [message] = _flashes(client)
    # The coordinator's words: the interviewer named with their office, not by id.
    assert message == f"{absent.user.name} ({absent.office.name_en}) is not on this " \
                      "interview's panel."
    db.session.expire_all()
    assert {p.id: p.lock_version for p in db.session.scalars(
        sa.select(InterviewerProfile))} == versions


@pytest.fixture
def write_then_refuse(app):
    """Add a view to the coordinator and the candidate blueprints (by endpoint name) that writes
    a candidate, then refuses with *error* without catching it: the blueprint's handler answers."""
    refusals = {}

    def view(token=None):
        _db.session.add(Candidate(name="Written before the refusal", email="w@example.org",
                                  phone="", zone="UTC", language="en", created_at=NOW))
        _db.session.flush()
        raise refusals["error"]()

    app.add_url_rule("/coordinator/test/write-then-refuse", "coordinator.write_then_refuse",
                     view, methods=["POST"])
    app.add_url_rule("/schedule/<token>/write-then-refuse", "candidate.write_then_refuse",
                     view, methods=["POST"])
    return refusals


def test_the_coordinators_handler_flashes_in_their_words_goes_back_and_writes_nothing(
        client, db, no_csrf, write_then_refuse):
    offer = f.make_requisition(stages=[{"kind": "offer", "name_en": "Offer",
                                        "panel_size": 0}]).stages[0]
    _coordinator(client, db)
    write_then_refuse["error"] = lambda: LinkError("stage_not_schedulable", stage_id=offer.id)
    came_from = "/coordinator/applications/7?zone=UTC"
    back = client.post("/coordinator/test/write-then-refuse",
                       headers={"Referer": f"http://localhost{came_from}"})
    assert back.status_code == 302 and back.headers["Location"] == came_from
    assert _flashes(client) == ["Offer is not booked as an interview."]
    home = client.post("/coordinator/test/write-then-refuse")  # no referrer: the fallback
    assert home.headers["Location"] == "/coordinator/"
    assert _count(db, Candidate) == 0


def test_the_candidates_handler_keeps_them_on_their_link_page_and_writes_nothing(
        client, db, no_csrf, write_then_refuse):
    write_then_refuse["error"] = lambda: LinkBookingError("unknown_zone", "zone")
    back = client.post("/schedule/some-token/write-then-refuse", data={"change": "1"})
    # The candidate's browser sends no referrer: back to the link's own page, as it was.
    assert back.status_code == 302
    assert back.headers["Location"] == "/schedule/some-token?change=1"
    assert _flashes(client) == ["We do not know that time zone. Choose one from the list, for "
                                "example Asia/Shanghai or Europe/London."]
    assert _count(db, Candidate) == 0
