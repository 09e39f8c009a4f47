"""The privacy notice's public pages, its links from candidate pages and emails, the confirm
step's acknowledgement and separate cross-border consent, the coordinator's email consent, and
each opening's retention period (issue 24 items 1–3), through the Flask test client.

Slots are picked by property (more than a day away); the world's offices are chosen per test.
"""
from __future__ import annotations

import email
import html as htmllib
import re
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, Consent, Interview, OutboxMessage, Requisition
from scheduler.services.privacy_notices import current_version
from tests import factories as f
from tests.privacy_setup import privacy_world, slot_a_day_away
from tests.web.helpers import consent_fields, csrf_token, post_form, sign_in
from tests.web.test_openings_pages import _opening_data, _sign_in

PASSWORD = "correct horse battery staple"
ISO = "%Y-%m-%dT%H:%MZ"
CONSENT_BLOCK = "Your separate consent: information going outside mainland China"


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _bodies(db, to_addr: str) -> list[str]:
    """Return the text and HTML of every email to *to_addr*."""
    texts = []
    for row in db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.to_addr == to_addr).order_by(OutboxMessage.id)):
        message = email.message_from_bytes(row.raw_message, policy=policy.default)
        texts.append(" ".join(part.get_content() for part in message.walk()
                              if part.get_content_type() in ("text/plain", "text/html")))
    return texts


def test_the_notice_is_public_in_both_languages_naming_controller_contact_retention_recipients(
        client, db):
    _people, _c, _a, application, _link, _token = privacy_world(("LON",), coordinator_office="HK")
    application.requisition.retention_days = 90
    db.session.commit()
    english = client.get("/privacy/en")
    assert english.status_code == 200
    text = htmllib.unescape(english.text)
    assert "<h1>Privacy notice for candidates</h1>" in text  # Markdown, rendered
    assert "Example AI decides why and how" in text          # the controller (settings)
    assert "privacy@example.com" in text and "ml-hr@example.com" in text
    assert "Machine Learning Engineer: 90 days after the application closes" in text
    assert "United Kingdom: London, 6 Pancras Square, London N1C 4AG" in text
    assert "Hong Kong SAR China: Hong Kong" in text
    assert f"Version {current_version()}" in text and "{" not in text
    chinese = htmllib.unescape(client.get("/privacy/zh").text)
    assert "<h1>候选人隐私声明</h1>" in chinese
    assert "机器学习工程师：申请结束后保存 90 天" in chinese
    assert "英国：London" in chinese and "中国香港特别行政区：Hong Kong" in chinese
    assert client.get("/privacy/fr").status_code == 404


def test_every_candidate_page_and_email_links_to_the_notice(client, db):
    _people, _c, _a, application, link, token = privacy_world(("BJ",))
    candidate = application.candidate
    page = client.get(f"/schedule/{token}").text
    assert 'href="/privacy/en">Privacy notice</a>' in page
    slot = slot_a_day_away(link)
    confirm = client.get(f"/schedule/{token}/confirm?start={slot.start_at.strftime(ISO)}").text
    assert 'href="/privacy/en"' in confirm
    assert client.post(f"/schedule/{token}/book", data={
        "csrf_token": csrf_token(confirm), "start": slot.start_at.strftime(ISO),
        **consent_fields(confirm)}).status_code == 302
    assert 'href="/privacy/en">Privacy notice</a>' in client.get(f"/schedule/{token}").text
    link_mail, invite = _bodies(db, candidate.email)  # the link, then the invitation
    for body in (link_mail, invite):  # the text part, then the HTML part
        assert ("How we use your information, and how to ask for a copy or deletion: "
                "http://localhost/privacy/en") in body
        assert '<a href="http://localhost/privacy/en">Privacy notice</a>' in body


@pytest.mark.parametrize("panel, coordinator_office, country", [
    (("BJ",), None, None), (("LON",), None, "United Kingdom"), (("BJ",), "HK", "Hong Kong SAR China"),
], ids=["mainland", "london-panel", "hk-coordinator"])
def test_the_confirm_step_asks_the_separate_consent_exactly_when_needed(
        client, db, panel, coordinator_office, country):
    _people, _c, _a, _application, link, token = privacy_world(
        panel, coordinator_office=coordinator_office)
    slot = slot_a_day_away(link)
    confirm = htmllib.unescape(
        client.get(f"/schedule/{token}/confirm?start={slot.start_at.strftime(ISO)}").text)
    assert "I have read the privacy notice." in confirm  # always: the notice to acknowledge
    assert (CONSENT_BLOCK in confirm) is (country is not None)
    if country:
        assert f"<dd><strong>{country}</strong></dd>" in confirm
        assert "I do not agree" in confirm


def test_booking_needs_both_boxes_ticked_and_stores_what_was_agreed(client, db):
    _people, _c, _a, application, link, token = privacy_world(("LON",))
    slot = slot_a_day_away(link)
    start = slot.start_at.strftime(ISO)
    confirm = client.get(f"/schedule/{token}/confirm?start={start}").text
    fields = {"csrf_token": csrf_token(confirm), "start": start, **consent_fields(confirm)}
    assert fields["countries"] == "GB"
    unticked = client.post(f"/schedule/{token}/book", data=fields | {"acknowledge": ""})
    assert unticked.status_code == 400
    assert "Tick the box to confirm that you have read the privacy notice" in unticked.text
    # The error summary names the box by its label without doubling its full stop (".:").
    assert ">I have read the privacy notice: Tick the box" in unticked.text
    no_consent = client.post(f"/schedule/{token}/book", data=fields | {"cross_border": ""})
    assert no_consent.status_code == 400
    assert ("agree separately to your information going to our staff in United Kingdom"
            in no_consent.text)
    assert "ml-hr@example.com" in no_consent.text  # the recruiting mailbox is offered
    assert _count(db, Interview) == 0 and _count(db, Consent) == 0
    assert client.post(f"/schedule/{token}/book", data=fields).status_code == 302
    stored = {(c.kind, tuple(c.countries), c.notice_version, c.given_by)
              for c in db.session.scalars(sa.select(Consent))}
    assert stored == {("notice", (), current_version(), "candidate"),
                      ("cross_border", ("GB",), current_version(), "candidate")}
    assert _count(db, Interview) == 1


def test_declining_offers_the_recruiting_mailbox_and_books_nothing(client, db):
    _people, _c, _a, _application, link, token = privacy_world(("LON",), language="zh")
    declined = client.get(f"/schedule/{token}/no-consent")
    assert declined.status_code == 200
    assert "没有预约任何面试" in declined.text and "mailto:ml-hr@example.com" in declined.text
    assert _count(db, Interview) == 0


def _hidden_inputs(html: str) -> dict:
    return dict(re.findall(r'<input[^>]*?name="([\w-]+)" type="hidden" value="([^"]*)"', html))


def test_a_coordinators_booking_of_a_london_panel_needs_the_email_consent_and_is_audited(
        client, db, now):
    (london,), coordinator, _a, application, link, _token = privacy_world(("LON",))
    slot = slot_a_day_away(link)
    assert sign_in(client, coordinator.email, PASSWORD).status_code == 302
    url = (f"/coordinator/applications/{application.id}/book"
           f"?start={slot.start_at.strftime(ISO)}")
    confirm = client.get(url).text
    assert "Consent received by email on" in confirm and "United Kingdom" in confirm
    data = _hidden_inputs(confirm) | {"seat-0-0": str(london.id)}
    refused = client.post(url, data=data)
    assert refused.status_code == 409
    assert "has not agreed to that. Enter the date their consent was received" in \
        htmllib.unescape(refused.text)
    assert _count(db, Interview) == 0 and _count(db, Consent) == 0
    received_on = (now - timedelta(days=3)).date().isoformat()
    booked = client.post(url, data=data | {"consent_received_on": received_on})
    assert booked.status_code == 302
    [record] = db.session.scalars(sa.select(Consent)).all()
    assert (record.given_by, record.countries, record.email_received_on.isoformat(),
            record.recorded_by_id) == ("coordinator", ["GB"], received_on, coordinator.id)
    assert db.session.scalar(sa.select(AuditEvent.actor_user_id).where(
        AuditEvent.action == "consent.recorded")) == coordinator.id
    # The application page lists it.
    page = htmllib.unescape(client.get(f"/coordinator/applications/{application.id}").text)
    assert f"received by email on {received_on}, entered by {coordinator.name}" in page


def test_each_opening_keeps_its_retention_period(client, db):
    office = f.make_office(code="SH", name_en="Shanghai")
    _sign_in(client, db)
    refused = post_form(client, "/coordinator/openings/new",
                        _opening_data(office, retention_days="0"))
    assert "Enter a whole number of days from 1 to 3650." in refused.text
    assert _count(db, Requisition) == 0
    assert post_form(client, "/coordinator/openings/new",
                     _opening_data(office)).status_code == 302  # the default
    requisition = db.session.scalars(sa.select(Requisition)).one()
    assert requisition.retention_days == 180
    assert post_form(client, f"/coordinator/openings/{requisition.id}/edit",
                     _opening_data(office, retention_days="365")).status_code == 302
    db.session.expire_all()
    assert requisition.retention_days == 365
    assert "365 days after the application closes" in client.get(
        f"/coordinator/openings/{requisition.id}").text
