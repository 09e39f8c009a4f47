"""The coordinator's "Erase data on request" page (issue 25 item 3), in both languages: the
application page links to it, the confirmation step says what happens and refuses without the
coordinator's confirmation (nothing written), and a confirmed request cancels the live interview
and leaves the candidate "erasure pending" for the job."""
from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, Candidate, Interview
from tests import factories as f
from tests.clock import NOW
from tests.web.helpers import post_form, sign_in

PASSWORD = "correct horse battery staple"
TEXTS = {
    "en": {"link": "Erase data on request", "title": "Erase the candidate's data",
           "unconfirmed": "Confirm that the candidate asked for this.",
           "done": "1 interview was cancelled", "pending": "Erasure pending since"},
    "zh": {"link": "应要求删除数据", "title": "删除候选人数据",
           "unconfirmed": "请确认这是候选人本人提出的要求。",
           "done": "已取消 1 场面试", "pending": "起等待删除"},
}


@pytest.fixture
def interview(db):
    panel = [f.make_interviewer()]
    interview = f.make_interview(panel=panel, start_at=NOW + timedelta(days=3))
    db.session.commit()
    return interview


def _sign_in(client, db, role, language):
    f.make_user(email=f"{role}@example.com", roles=(role,), password=PASSWORD,
                language=language, zone="Asia/Shanghai")
    db.session.commit()
    sign_in(client, f"{role}@example.com", PASSWORD)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_confirmed_erasure_cancels_and_leaves_it_pending(client, db, interview, language):
    texts = TEXTS[language]
    _sign_in(client, db, "coordinator", language)
    application_url = f"/coordinator/applications/{interview.application_id}"
    url = f"{application_url}/erase"
    page = client.get(application_url).text
    assert f'href="{url}"' in page and texts["link"] in page
    page = client.get(url)
    assert page.status_code == 200 and texts["title"] in unescape(page.text)

    refused = post_form(client, url, {})
    assert refused.status_code == 200 and texts["unconfirmed"] in refused.text
    db.session.expire_all()
    candidate = db.session.get(Candidate, interview.application.candidate_id)
    assert candidate.erasure_requested_at is None
    assert db.session.get(Interview, interview.id).status == Interview.SCHEDULED

    done = post_form(client, url, {"is_requested_by_candidate": "y"})
    assert done.status_code == 302 and done.headers["Location"] == application_url
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).erasure_requested_at is not None
    assert db.session.get(Interview, interview.id).status == Interview.CANCELLED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "candidate.erasure_requested")) == 1
    page = client.get(application_url).text
    assert texts["done"] in page and texts["pending"] in page and f'href="{url}"' not in page


def test_interviewers_cannot_open_the_erasure_page(client, db, interview):
    _sign_in(client, db, "interviewer", "en")
    url = f"/coordinator/applications/{interview.application_id}/erase"
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, data={"is_requested_by_candidate": "y"}).status_code in (400, 403,
                                                                                     404)
    db.session.expire_all()
    assert db.session.get(Candidate, interview.application.candidate_id
                          ).erasure_requested_at is None
