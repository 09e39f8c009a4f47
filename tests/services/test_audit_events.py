"""Every kind of event the admins' audit log lists (issue 26 item 6) is recorded by the service
that does the thing, with who acted, on which object, and nothing secret: bookings, changes and
cancellations (by a coordinator and through a candidate's link), feedback and its amendments,
decisions, links created, resent and revoked, consents (the notice, the cross-border consent on
the link, the coordinator's entry of an emailed one), a candidate's export and erasure, staff
and permission changes, and sign-ins through the real form — a failed one for an unknown email
naming no account and keeping only a keyed digest of what was typed.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler import create_app
from scheduler.extensions import db as _db
from scheduler.models import AuditEvent, Candidate, Consent, FeedbackAmendment, User
from scheduler.services.booking import (
    book_interview, cancel_interview, reschedule_interview, swap_interviewer,
)
from scheduler.services.candidate_exports import export_candidate
from scheduler.services.consents import GivenConsent
from scheduler.services.decisions import record_decision
from scheduler.services.erasure import finish_erasure, request_erasure
from scheduler.services.feedback import FeedbackInput, add_amendment, submit_feedback
from scheduler.services.link_booking import book_from_link, cancel_from_link
from scheduler.services.links import create_link, resend_link, revoke_link
from scheduler.services.openings import snapshot, update_opening
from scheduler.services.privacy_notices import current_version
from scheduler.services.slot_search import find_slots
from scheduler.services.users import create_staff_user, set_user_active, update_staff_user
from tests import factories as f
from tests.clock import NOW
from tests.conftest import OwnContextClient
from tests.feedback_setup import feedback_world, past_interview
from tests.privacy_setup import privacy_world, slot_a_day_away
from tests.services.booking_setup import WORKDAY_10, booking_world
from tests.web.helpers import sign_in

PASSWORD = "correct horse battery staple"
HOUR = timedelta(hours=1)


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _one(db, action: str, *, actor, obj) -> AuditEvent:
    """Return the one *action* event on *obj*; check who acted (a user, or a label)."""
    [event] = [e for e in _events(db, action)
               if (e.object_type, e.object_id) == (obj.__tablename__, obj.id)]
    if isinstance(actor, str):
        assert (event.actor_user_id, event.actor_label) == (None, actor)
    else:
        assert event.actor_user_id == actor.id
    assert event.occurred_at is not None
    return event


def test_a_coordinator_books_moves_swaps_and_cancels(db, now):
    (alice, bob, _carol), requisition, [application] = booking_world(interviewers=3)
    coordinator = f.make_user(roles=("coordinator",))
    interview = book_interview(coordinator, application, requisition.stages[0], WORKDAY_10,
                               [alice.id], now)
    reschedule_interview(coordinator, interview, WORKDAY_10 + 2 * HOUR, now, reason="clash")
    swap_interviewer(coordinator, interview, alice.id, bob.id, now, reason="leave")
    cancel_interview(coordinator, interview, now, reason="role closed")
    db.session.commit()
    booked = _one(db, "interview.booked", actor=coordinator, obj=interview)
    assert (booked.after["start_at"], booked.after["panel"]) == (WORKDAY_10.isoformat(),
                                                                 [alice.id])
    moved = _one(db, "interview.rescheduled", actor=coordinator, obj=interview)
    assert moved.before != moved.after and moved.note == "clash"
    swapped = _one(db, "interview.panel_swapped", actor=coordinator, obj=interview)
    assert (swapped.before["panel"], swapped.after["panel"], swapped.note) == (
        [alice.id], [bob.id], "leave")
    _one(db, "interview.cancelled", actor=coordinator, obj=interview)


def test_a_candidate_books_and_cancels_through_their_link_with_their_consents(db, now):
    people, _coordinator, _admin, application, link, _token = privacy_world(("LON",))
    slot = slot_a_day_away(link)
    [interview] = book_from_link(link, slot.start_at, now, notice_version=current_version(),
                                 cross_border_countries={"GB"})
    db.session.commit()
    label = f"candidate link {link.id}"
    _one(db, "link.booked", actor=label, obj=link)
    _one(db, "interview.booked", actor=label, obj=interview)
    consents = [e for e in _events(db, "consent.recorded") if e.object_id == application.id]
    assert {(e.actor_label, e.object_type, e.after["kind"]) for e in consents} == {
        (label, "application", Consent.NOTICE), (label, "application", Consent.CROSS_BORDER)}
    assert [e.after["countries"] for e in consents if e.after["kind"] == Consent.CROSS_BORDER] \
        == [["GB"]]
    cancel_from_link(link, now, reason="found another job")
    db.session.commit()
    _one(db, "interview.cancelled", actor=label, obj=interview)


def test_a_coordinators_entry_of_an_emailed_consent_is_recorded(db, now):
    (london,), coordinator, _a, application, _link, _token = privacy_world(("LON",))
    stage = application.current_stage
    start_at = next(s.start_at for s in find_slots(application, [stage], now).slots
                    if s.start_at > now + timedelta(days=1))
    received_on = (now - timedelta(days=1)).date()
    book_interview(coordinator, application, stage, start_at, [london.id], now,
                   consent=GivenConsent(email_received_on=received_on))
    db.session.commit()
    event = _one(db, "consent.recorded", actor=coordinator, obj=application)
    assert event.after["email_received_on"] == received_on.isoformat()
    assert event.after["given_by"] == Consent.COORDINATOR


def test_feedback_submitted_and_amended(db, now):
    world = feedback_world()
    db.session.commit()
    author = world.people[0]
    interview = past_interview(world, world.design, world.people[:2])
    criteria = ("framing", "modelling", "serving")
    feedback = submit_feedback(author.user, interview, FeedbackInput(
        scores={c: 3 for c in criteria}, evidence={c: "seen" for c in criteria},
        strengths="Clear", concerns="Serving", recommendation="yes", hire_level="mid"), NOW)
    add_amendment(author.user, feedback, "On reflection: strong on serving.", NOW + HOUR)
    db.session.commit()
    submitted = _one(db, "feedback.submitted", actor=author.user, obj=feedback)
    assert submitted.after["recommendation"] == "yes"
    amended = _one(db, "feedback.amended", actor=author.user, obj=feedback)
    [amendment] = db.session.scalars(sa.select(FeedbackAmendment)).all()
    assert amended.after == {"amendment_id": amendment.id}


def test_a_decision_is_recorded(db, now):
    world = feedback_world()
    coordinator = f.make_user(roles=("coordinator",))
    db.session.commit()
    record_decision(coordinator, world.application, world.design, outcome="reject",
                    reason_code="skills", now=now)
    db.session.commit()
    event = _one(db, "application.decided", actor=coordinator, obj=world.application)
    assert (event.after["outcome"], event.after["reason_code"]) == ("reject", "skills")


def test_links_created_resent_and_revoked_without_their_tokens(db, now):
    _people, requisition, [application] = booking_world()
    coordinator = f.make_user(roles=("coordinator",))
    link, token = create_link(coordinator, application, requisition.stages[:1], 0,
                              now + timedelta(days=7), now)
    new_token = resend_link(coordinator, link, now + HOUR)
    revoke_link(coordinator, link, now + 2 * HOUR)
    db.session.commit()
    created = _one(db, "link.created", actor=coordinator, obj=link)
    assert created.after["stage_ids"] == [requisition.stages[0].id]
    _one(db, "link.resent", actor=coordinator, obj=link)
    _one(db, "link.revoked", actor=coordinator, obj=link)
    rows = db.session.execute(sa.select(AuditEvent.__table__)).all()
    assert not any(secret in repr(tuple(row)) for row in rows for secret in (token, new_token))


def test_a_candidates_export_and_erasure(db, now):
    application = f.make_application()
    candidate = application.candidate
    coordinator = f.make_user(roles=("coordinator",))
    db.session.commit()
    export_candidate(coordinator, candidate, now=now, output="json")
    request_erasure(coordinator, candidate, now)
    db.session.commit()
    assert finish_erasure(candidate.id, now) is True
    db.session.commit()
    _one(db, "export_requested", actor=coordinator, obj=candidate)
    completed = _one(db, "export_completed", actor=coordinator, obj=candidate)
    assert set(completed.after) == {"format", "rows", "audit_events"}  # counts, never values
    _one(db, "candidate.erasure_requested", actor=coordinator, obj=candidate)
    _one(db, "candidate.erased", actor="job", obj=db.session.get(Candidate, candidate.id))


def test_staff_and_permission_changes(db, now):
    admin = f.make_user(roles=("admin",))
    office = f.make_office()
    user = create_staff_user(admin, email="new@example.com", name="New Person",
                             roles=["interviewer"], password=PASSWORD, zone="Asia/Shanghai",
                             language="zh", now=now, office=office)
    update_staff_user(admin, user, name="New Person", zone="Asia/Shanghai", language="zh",
                      roles=["coordinator", "interviewer"], now=now)
    set_user_active(admin, user, False, now)
    set_user_active(admin, user, True, now)
    requisition = f.make_requisition(salary_currency="CNY")
    requisition.offices = [office]
    db.session.flush()
    update_opening(admin, requisition, snapshot(requisition) | {"coordinator_ids": [user.id]},
                   now)
    db.session.commit()
    created = _one(db, "user.created", actor=admin, obj=user)
    assert created.after["roles"] == ["interviewer"] and PASSWORD not in repr(created.after)
    roles = _one(db, "user.updated", actor=admin, obj=user)
    assert (roles.before["roles"], roles.after["roles"]) == (
        ["interviewer"], ["coordinator", "interviewer"])
    _one(db, "user.deactivated", actor=admin, obj=user)
    _one(db, "user.reactivated", actor=admin, obj=user)
    opening = _one(db, "requisition.updated", actor=admin, obj=requisition)
    assert (opening.before["coordinator_ids"], opening.after["coordinator_ids"]) == ([], [user.id])


# --- Sign-ins, through the real form -----------------------------------------------------------


def _sign_in_events(db) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action.in_(("user.signed_in", "user.sign_in_failed")))
        .order_by(AuditEvent.id)))


def test_a_sign_in_and_a_wrong_password_are_recorded_on_the_account(app, client, db):
    user = f.make_user(email="wu@example.com", roles=("coordinator",), password=PASSWORD)
    db.session.commit()
    assert sign_in(client, "wu@example.com", "not the password").status_code == 401
    assert sign_in(client, "WU@example.com", PASSWORD).status_code == 302
    failed, signed_in = _sign_in_events(db)
    assert (failed.action, failed.actor_user_id, failed.actor_label, failed.object_type,
            failed.object_id, failed.after) == (
        "user.sign_in_failed", None, "sign-in form", "user", user.id,
        {"reason": "wrong_password"})
    assert (signed_in.action, signed_in.actor_user_id, signed_in.object_id) == (
        "user.signed_in", user.id, user.id)
    assert "not the password" not in repr([failed.after, failed.note])


def test_a_failed_sign_in_for_an_unknown_email_names_no_account(app, client, db):
    f.make_user(email="wu@example.com", roles=("coordinator",), password=PASSWORD)
    db.session.commit()
    typed = "Stranger@Example.org"
    for _ in range(2):
        assert sign_in(client, typed, PASSWORD).status_code == 401
    assert sign_in(client, "other@example.org", PASSWORD).status_code == 401
    first, second, other = _sign_in_events(db)
    assert (first.object_type, first.object_id, first.actor_user_id) == ("user", None, None)
    assert first.after["reason"] == "unknown_email"
    # The same address gives the same digest (repeats show); another address another one; the
    # address itself is nowhere in the record.
    assert first.after["email_digest"] == second.after["email_digest"]
    assert other.after["email_digest"] != first.after["email_digest"]
    row = db.session.execute(sa.select(AuditEvent.__table__).where(
        AuditEvent.id == first.id)).one()
    assert "stranger" not in repr(tuple(row)).lower() and PASSWORD not in repr(tuple(row))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


@pytest.fixture
def limited_client(database_config):
    """A client of an app with its sign-in limits on: one free failure per account."""
    app = create_app(database_config | {
        "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "100 per minute",
        "LOGIN_ACCOUNT_FREE_FAILURES": 1, "RATELIMIT_KEY_PREFIX": "audit-log-test"})
    app.test_client_class = OwnContextClient
    with app.app_context():
        yield app.test_client()
        _db.session.remove()
        _db.engine.dispose()


def test_a_deactivated_account_and_a_throttled_one_say_why(limited_client):
    gone = f.make_user(email="gone@example.com", roles=("coordinator",), password=PASSWORD,
                       is_active=False)
    _db.session.commit()
    assert sign_in(limited_client, "gone@example.com", PASSWORD).status_code == 401
    assert sign_in(limited_client, "gone@example.com", PASSWORD).status_code == 429
    inactive, throttled = _sign_in_events(_db)
    assert (inactive.object_id, inactive.after) == (gone.id, {"reason": "account_inactive"})
    assert (throttled.object_id, throttled.after) == (gone.id, {"reason": "throttled"})
