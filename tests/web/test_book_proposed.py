"""A time the candidate proposed ("none of these work") gets a "book this" action on the
coordinator's application page: the confirm page when the engine offers it, else why not."""
from __future__ import annotations

from scheduler.services.links import create_link, none_of_these_work
from tests import factories as f
from tests.services.booking_setup import booking_world
from tests.services.test_links import CHANGEABLE, HOUR, WEEK
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"


def test_a_proposed_time_is_booked_through_the_confirm_page_or_explained(app, db, now):
    _people, requisition, [application] = booking_world(interviewers=3)
    coordinator = f.make_user(email="co@example.com", roles=("coordinator",), language="en",
                              password=PASSWORD)
    link, _ = create_link(coordinator, application, requisition.stages[:1], 0, now + WEEK, now)
    late = CHANGEABLE + 11 * HOUR  # 21:00 Beijing: nobody works then
    none_of_these_work(link, [CHANGEABLE, late], "", now)
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, "co@example.com", PASSWORD).status_code == 302
    page = client.get(f"/coordinator/applications/{application.id}").text
    assert page.count("Book this") == 1
    start = CHANGEABLE.strftime("%Y-%m-%dT%H:%M")
    href = next(part for part in page.split('href="') if "/book?" in part).split('"')[0]
    assert start in href.replace("%3A", ":")
    confirm = client.get(href.replace("&amp;", "&"))
    assert confirm.status_code == 200 and "seat-0-0" in confirm.text
    assert "Not offered" in page or "outside the candidate" in page
    assert "See the times that are free" in page
