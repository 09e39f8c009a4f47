"""The coordinator's candidate pages: "Edit details" from the application page, adding a known
candidate to another requisition from "New candidate", the candidate's other applications, and
their failed mail sent again to the corrected address (through a real SMTP server)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.jobs import send_outbox
from scheduler.mail import SmtpTransport, build_message
from scheduler.models import Application, AuditEvent, Candidate
from scheduler.services.outbox import enqueue_email
from tests import factories as f
from tests.smtp_server import SmtpTestServer
from tests.web.helpers import NOT_SIGN_IN, csrf_token, post_form, sign_in

PASSWORD = "correct horse battery staple"
EN = {"Accept-Language": "en"}


def _sign_in(client, db, role="coordinator", language="en"):
    f.make_user(email=f"{role}@example.com", roles=(role,), password=PASSWORD,
                language=language, zone="Asia/Shanghai")
    db.session.commit()
    sign_in(client, f"{role}@example.com", PASSWORD)


def _count(db, model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _details(candidate, **overrides):
    return {"name": candidate.name, "email": candidate.email, "phone": candidate.phone,
            "zone": candidate.zone, "language": candidate.language} | overrides


@pytest.fixture
def application(db):
    app_row = f.make_application(candidate=f.make_candidate(
        name="Mei Lin", email="mei.lin@example.org", zone="Asia/Shanghai", language="zh"))
    db.session.commit()
    return app_row


def test_the_application_page_links_to_edit_details_and_a_good_edit_is_saved(
        client, db, application):
    _sign_in(client, db, role="admin")
    page = client.get(f"/coordinator/applications/{application.id}").text
    url = f"/coordinator/applications/{application.id}/details"
    assert f'href="{url}"' in page and "Edit details" in page
    response = post_form(client, url, _details(application.candidate, name="Lin Mei",
                                                email="Mei@Example.ORG", zone="Asia/Calcutta",
                                                language="en", phone="+91 22 0000 0000"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/coordinator/applications/{application.id}"
    db.session.expire_all()
    candidate = db.session.get(Candidate, application.candidate_id)
    assert (candidate.name, candidate.email, candidate.zone, candidate.language, candidate.phone) \
        == ("Lin Mei", "Mei@example.org", "Asia/Kolkata", "en", "+91 22 0000 0000")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate.updated"))
    assert event.before["email"] == "mei.lin@example.org" and event.after["zone"] == "Asia/Kolkata"
    page = client.get(response.headers["Location"]).text
    assert "Saved the details of Lin Mei." in page and "Asia/Kolkata" in page


@pytest.mark.parametrize("language, overrides, field, message", [
    ("en", {"email": "mei.lin@"}, "email", "Enter a valid email address"),
    ("en", {"zone": "Asia/Beijing"}, "zone", "Unknown time zone"),
    ("en", {"name": "x" * 101}, "name", "Use at most 100 characters."),
    ("en", {"phone": "1" * 41}, "phone", "Use at most 40 characters."),
    ("en", {"email": "TAKEN@example.org"}, "email",
     "A candidate with this email address already exists."),
    ("zh", {"zone": "Asia/Beijing"}, "zone", "未知时区"),
    ("zh", {"email": "taken@example.org"}, "email", "已有候选人使用此邮箱地址。"),
])
def test_a_bad_value_is_answered_beside_its_field_and_nothing_is_written(
        client, db, application, language, overrides, field, message):
    f.make_candidate(email="taken@example.org")
    db.session.commit()
    _sign_in(client, db, language=language)
    response = post_form(client, f"/coordinator/applications/{application.id}/details",
                         _details(application.candidate, **overrides))
    assert response.status_code == 200
    assert f'<ul class="errors" id="{field}-errors"><li>{message}' in response.text
    db.session.expire_all()
    assert db.session.get(Candidate, application.candidate_id).email == "mei.lin@example.org"
    assert _count(db, AuditEvent, NOT_SIGN_IN) == 0


def test_a_known_email_on_new_candidate_offers_that_candidate_then_adds_them(
        client, db, application):
    other = f.make_requisition(title_en="Data Engineer")
    db.session.commit()
    _sign_in(client, db)
    response = post_form(client, "/coordinator/candidates/new", {
        "name": "Someone Else", "email": "MEI.LIN@example.org", "phone": "", "zone": "Europe/London",
        "language": "en", "requisition_id": str(other.id), "level": "mid"})
    assert response.status_code == 200
    html = response.text
    assert "Mei Lin (mei.lin@example.org) is already a candidate." in html
    offer = (f"/coordinator/candidates/{application.candidate_id}/applications/new"
             f"?requisition_id={other.id}&amp;level=mid")
    assert offer in html
    assert _count(db, Application) == 1 and _count(db, Candidate) == 1

    # The confirmation shows who it is, their applications, and the requisition chosen.
    confirm = client.get(offer.replace("&amp;", "&"))
    assert "Mei Lin" in confirm.text and "mei.lin@example.org" in confirm.text
    assert f'<option selected value="{other.id}">Data Engineer</option>' in confirm.text
    assert "Machine Learning Engineer" in confirm.text  # the application they have
    url = f"/coordinator/candidates/{application.candidate_id}/applications/new"
    response = client.post(url, data={"csrf_token": csrf_token(confirm.text),
                                      "requisition_id": str(other.id), "level": "mid"})
    assert response.status_code == 302
    added = db.session.scalar(sa.select(Application).where(Application.requisition_id == other.id))
    assert added.candidate_id == application.candidate_id and added.status == "active"
    assert response.headers["Location"] == f"/coordinator/applications/{added.id}"
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.object_type == "application", AuditEvent.object_id == added.id))
    assert event.action == "application.created" and event.after["existing_candidate"] is True

    # A second application to the same requisition is refused beside the requisition.
    response = post_form(client, url, {"requisition_id": str(other.id), "level": "mid"})
    assert response.status_code == 200
    assert ('<ul class="errors" id="requisition_id-errors"><li>This candidate already has an '
            'open application to this requisition.') in response.text
    assert _count(db, Application) == 2


def test_the_candidates_applications_are_listed_together(client, db, application):
    second = f.make_application(candidate=application.candidate, status="rejected",
                                requisition=f.make_requisition(title_en="Data Engineer"))
    f.make_application()  # someone else's
    db.session.commit()
    _sign_in(client, db)
    html = client.get(f"/coordinator/applications/{application.id}").text
    assert "Other applications of this candidate" in html
    section = html[html.index("Other applications of this candidate"):]
    assert f'href="/coordinator/applications/{second.id}">Data Engineer</a>' in section
    assert "1. System design" in section and "Rejected" in section
    back = client.get(f"/coordinator/applications/{second.id}").text
    assert f'href="/coordinator/applications/{application.id}">Machine Learning Engineer</a>' \
        in back


def test_failed_mail_is_offered_after_an_email_change_and_reaches_the_new_address(
        client, db, now, application):
    message = build_message(from_addr="hr@example.com", to_addr="mei.lin@example.org",
                            subject="Your scheduling link", text_body="Hello",
                            html_body="<p>Hello</p>", message_id="<link-1@example.com>",
                            date_at=now)
    row = enqueue_email(message, kind="link", now=now)
    row.failed_at, row.attempts, row.last_error = now, 1, "550 5.1.1 No such user"
    db.session.commit()
    _sign_in(client, db)
    response = post_form(client, f"/coordinator/applications/{application.id}/details",
                         _details(application.candidate, email="mei.new@example.org"))
    assert response.headers["Location"].endswith("#failed-mail")
    assert _count(db, AuditEvent, AuditEvent.action == "outbox.resend") == 0  # nothing sent
    page = client.get(f"/coordinator/applications/{application.id}").text
    assert "1 email to this candidate could not be sent" in page
    assert "Send again to mei.new@example.org" in page and "Your scheduling link" in page

    response = client.post(f"/coordinator/applications/{application.id}/mail/{row.id}/resend",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with SmtpTestServer() as smtp:
        counts = send_outbox(now + timedelta(hours=1), SmtpTransport.from_url(smtp.url))
        assert counts["sent"] == 1
        [received] = smtp.messages
    assert list(received.rcpt_tos) == ["mei.new@example.org"]
    assert received.message["To"] == "mei.new@example.org"
    assert received.message["Message-ID"] == "<link-1@example.com>"
    page = client.get(f"/coordinator/applications/{application.id}").text
    assert "Send again to" not in page


@pytest.mark.parametrize("method, path", [
    ("get", "/coordinator/applications/{app}/details"),
    ("post", "/coordinator/applications/{app}/details"),
    ("get", "/coordinator/candidates/{cand}/applications/new"),
    ("post", "/coordinator/candidates/{cand}/applications/new"),
    ("post", "/coordinator/applications/{app}/mail/1/resend"),
])
def test_interviewers_get_403_and_visitors_are_sent_to_sign_in(client, db, application, method,
                                                                path):
    url = path.format(app=application.id, cand=application.candidate_id)

    def request(page):
        if method == "get":
            return client.get(url)
        # With a valid token, so that the role gate (not the CSRF check) answers.
        return client.post(url, data={"csrf_token": csrf_token(client.get(page).text),
                                      "name": "X", "requisition_id": "1", "level": "mid"})

    anonymous = request("/login")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    _sign_in(client, db, role="interviewer")
    assert request("/interviewer/").status_code == 403
    assert _count(db, AuditEvent, NOT_SIGN_IN) == 0
