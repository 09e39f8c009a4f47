"""The privacy notice's acknowledgement and the separate cross-border consent, in the services.

The consent is asked exactly when the chosen panel, the opening's coordinators or any admin
include staff whose office is outside mainland China (Hong Kong included); a reschedule that
adds a country asks again; versions and times are stored; a coordinator's booking needs the
candidate's recorded consent or an email consent entered with its date, which is audited.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, Consent, Interview
from scheduler.services.booking import book_interview
from scheduler.services.consents import (
    ConsentError, GivenConsent, consented_countries, missing_countries,
)
from scheduler.services.link_booking import (
    LinkBookingError, available_slots, book_from_link, slot_at,
)
from scheduler.services.links import create_link
from scheduler.services.privacy_notices import current_version, notice_versions
from tests import factories as f
from tests.privacy_setup import interviewer, privacy_world, slot_a_day_away

NOTICE = current_version()


def _interviews():
    from scheduler.extensions import db

    return db.session.scalars(sa.select(Interview)).all()


@pytest.mark.parametrize("panel, coordinator_office, admin_office, asked", [
    (("BJ",), None, None, []),           # mainland only; staff without an office count as home
    (("LON",), None, None, ["GB"]),      # a London interviewer on the panel
    (("BJ",), "HK", None, ["HK"]),       # the opening's coordinator works in Hong Kong
    (("BJ",), None, "HK", ["HK"]),       # an admin works in Hong Kong
], ids=["mainland", "london-panel", "hk-coordinator", "hk-admin"])
def test_the_consent_is_asked_exactly_when_someone_reached_works_outside_mainland_china(
        db, now, panel, coordinator_office, admin_office, asked):
    people, _coordinator, _admin, application, link, _token = privacy_world(
        panel, coordinator_office=coordinator_office, admin_office=admin_office)
    slot = slot_a_day_away(link)
    assert list(missing_countries(application, slot.panels)) == asked
    if asked:  # refused without it, nothing booked; booked with it
        with pytest.raises(LinkBookingError) as refused:
            book_from_link(link, slot.start_at, now, notice_version=NOTICE)
        assert (refused.value.code, refused.value.params["countries"]) == (
            "cross_border_missing", asked)
        db.session.rollback()
        assert _interviews() == []
    book_from_link(link, slot.start_at, now, notice_version=NOTICE,
                   cross_border_countries=set(asked))
    db.session.commit()
    assert len(_interviews()) == 1
    assert consented_countries(application) == set(asked)


def test_a_consent_to_some_of_the_countries_books_nothing_records_nothing_and_names_them_all(
        db, now):
    # The link's confirm step asks once, after the notice: the booking checks the consent
    # after its lock, and a partial one is refused whole, in the link's words.
    _people, _c, _a, application, link, _token = privacy_world(("LON",), coordinator_office="HK")
    slot = slot_a_day_away(link)
    assert list(missing_countries(application, slot.panels)) == ["GB", "HK"]
    with pytest.raises(LinkBookingError) as refused:
        book_from_link(link, slot.start_at, now, notice_version=NOTICE,
                       cross_border_countries={"GB"})
    assert (refused.value.code, refused.value.field, refused.value.params["countries"]) == (
        "cross_border_missing", "cross_border", ["GB", "HK"])
    assert db.session.scalars(sa.select(Consent)).all() == []  # not even GB, before rollback
    db.session.rollback()
    assert _interviews() == []


def test_a_candidate_cannot_book_before_acknowledging_the_current_notice(db, now):
    _people, _c, _a, application, link, _token = privacy_world(("BJ",))
    slot = slot_a_day_away(link)
    for version, code in ((None, "notice_not_acknowledged"), ("2000-01", "notice_changed")):
        with pytest.raises(LinkBookingError) as refused:
            book_from_link(link, slot.start_at, now, notice_version=version)
        assert (refused.value.code, refused.value.field) == (code, "acknowledge")
        db.session.rollback()
    assert _interviews() == [] and db.session.scalars(sa.select(Consent)).all() == []
    book_from_link(link, slot.start_at, now, notice_version=NOTICE)
    db.session.commit()
    [record] = db.session.scalars(sa.select(Consent)).all()
    assert (record.kind, record.notice_version, record.given_at, record.given_by,
            record.link_id, record.application_id) == (
        Consent.NOTICE, NOTICE, now, Consent.CANDIDATE, link.id, application.id)


def test_the_current_notice_is_the_newest_version_with_both_languages(tmp_path):
    for name in ("notice-2026-12.zh.md", "notice-2026-12.en.md", "notice-2027-03.zh.md",
                 "notice-2027-01.en.md", "notice-2027-01.zh.md", "notes.md"):
        (tmp_path / name).write_text("# x\n", encoding="utf-8")
    assert notice_versions(tmp_path) == ["2026-12", "2027-01"]  # 2027-03 lacks English
    assert current_version(tmp_path) == "2027-01"


def test_a_reschedule_that_adds_a_country_asks_again_and_the_versions_and_times_are_stored(
        db, now):
    (london,), _c, _a, application, link, _token = privacy_world(("LON",))
    first = slot_a_day_away(link, after=now + timedelta(days=2))  # changeable for a while
    book_from_link(link, first.start_at, now, notice_version=NOTICE,
                   cross_border_countries={"GB"})
    db.session.commit()
    # London can no longer sit; San Francisco can: a move now reaches the United States.
    london.user.is_active = False
    interviewer("SFO")
    db.session.commit()
    later = now + timedelta(hours=2)
    move = slot_a_day_away(link, later, after=first.end_at)
    with pytest.raises(LinkBookingError) as refused:
        book_from_link(link, move.start_at, later, notice_version=NOTICE,
                       cross_border_countries={"GB"})
    assert (refused.value.code, refused.value.params.get("countries")) == (
        "cross_border_missing", ["US"])  # the new country only
    db.session.rollback()
    assert [i.start_at for i in _interviews()] == [first.start_at]
    book_from_link(link, move.start_at, later, notice_version=NOTICE,
                   cross_border_countries={"US"})
    db.session.commit()
    assert [i.start_at for i in _interviews()] == [move.start_at]
    records = db.session.scalars(sa.select(Consent).order_by(Consent.id)).all()
    assert [(r.kind, r.countries, r.notice_version, r.given_at) for r in records] == [
        ("cross_border", ["GB"], NOTICE, now), ("notice", [], NOTICE, now),
        ("cross_border", ["US"], NOTICE, later), ("notice", [], NOTICE, later)]
    assert consented_countries(application) == {"GB", "US"}


def test_a_coordinators_booking_of_a_cross_border_panel_needs_a_recorded_consent(db, now):
    (london,), coordinator, _a, application, _link, _token = privacy_world(("LON",))
    stage = application.current_stage
    start_at = next(s.start_at for s in _slots(application, now))
    with pytest.raises(ConsentError) as refused:
        book_interview(coordinator, application, stage, start_at, [london.id], now)
    assert refused.value.field == "consent_received_on"
    assert "United Kingdom" in refused.value.message
    db.session.rollback()
    # A date after today (anywhere) is refused too.
    with pytest.raises(ConsentError) as future:
        book_interview(coordinator, application, stage, start_at, [london.id], now,
                       consent=GivenConsent(email_received_on=(now + timedelta(days=2)).date()))
    assert future.value.code == "email_date_future"
    db.session.rollback()
    assert _interviews() == []
    received_on = (now - timedelta(days=1)).date()
    book_interview(coordinator, application, stage, start_at, [london.id], now,
                   consent=GivenConsent(email_received_on=received_on))
    db.session.commit()
    assert len(_interviews()) == 1
    [record] = db.session.scalars(sa.select(Consent)).all()
    assert (record.kind, record.countries, record.given_by, record.email_received_on,
            record.recorded_by_id, record.given_at) == (
        Consent.CROSS_BORDER, ["GB"], Consent.COORDINATOR, received_on, coordinator.id, now)
    [audit] = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "consent.recorded")).all()
    assert (audit.actor_user_id, audit.object_type, audit.object_id) == (
        coordinator.id, "application", application.id)
    assert audit.after["email_received_on"] == received_on.isoformat()
    # Once recorded, the next booking over the same country needs nothing more.
    assert missing_countries(application, [[london.id]]) == {}


def _slots(application, now):
    from scheduler.services.slot_search import find_slots

    return [s for s in find_slots(application, [application.current_stage], now).slots
            if s.start_at > now + timedelta(days=1)]


def test_a_panel_change_after_the_confirm_step_keeps_to_the_countries_agreed_to(db, now):
    # Beijing and London can both sit; at the confirm step the fair panel is Beijing, so no
    # consent is asked. Before the candidate presses Book, another candidate books Beijing
    # earlier: London becomes the fair choice, yet Beijing is still free at that time.
    (beijing, london), coordinator, _a, application, link, _token = privacy_world(("BJ", "LON"))
    other = f.make_application(requisition=application.requisition,
                               candidate=f.make_candidate(zone="Asia/Shanghai"))
    other_link, _ = create_link(coordinator, other, other.requisition.stages[:1], 0,
                                now + timedelta(days=7), now)
    db.session.commit()
    earlier = next(s for s in available_slots(other_link, now).slots
                   if list(s.panels) == [[beijing.id]] and s.start_at > now + timedelta(days=1))
    chosen = slot_a_day_away(link, after=earlier.end_at + timedelta(days=1))
    assert list(chosen.panels) == [[beijing.id]] and chosen.alternatives >= 1
    assert missing_countries(application, chosen.panels) == {}

    book_from_link(other_link, earlier.start_at, now, notice_version=NOTICE)
    db.session.commit()
    assert list(slot_at(link, chosen.start_at, now).panels) == [[london.id]]  # the fair one moved

    [booked] = book_from_link(link, chosen.start_at, now, notice_version=NOTICE)
    db.session.commit()
    assert [a.interviewer_id for a in booked.assignments] == [beijing.id]
    assert consented_countries(application) == set()
