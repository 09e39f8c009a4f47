"""Least access in the services (issue 24 item 4, DESIGN.md §10: object checks in services).

The coordinator pages answer 404 for another opening's candidate (tests/web/test_least_access.py);
behind them, every service that changes an application, its interviews, links, mail or candidate
for a person refuses one who may not see it (`permissions.check_sees_application` and its
siblings), with nothing written. Each refusal has a twin: the opening's own coordinator gets
past the same check (the call then succeeds or is refused for another reason, never this one).

Lin coordinates opening A (Ana's application, a booked system design with Ivan); Max coordinates
opening B only. Ada is an admin.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, Interview, OutboxMessage, SchedulingLink
from scheduler.services import booking, candidate_exports, candidates, decisions, links
from scheduler.services import no_shows, outbox, reviewers
from scheduler.services.errors import ServiceError
from scheduler.services.permissions import NotAllowed
from tests import factories as f


@pytest.fixture
def world(db, now):
    office = f.make_office()
    lin = f.make_user(roles=("coordinator",), name="Lin")
    max_ = f.make_user(roles=("coordinator",), name="Max")
    ada = f.make_user(roles=("admin",), name="Ada")
    ivan, vera = f.make_interviewer(office=office), f.make_interviewer(office=office)
    opening_a, opening_b = f.make_requisition(title_en="A"), f.make_requisition(title_en="B")
    f.coordinate(lin, opening_a)
    f.coordinate(max_, opening_b)
    ana = f.make_application(requisition=opening_a,
                             candidate=f.make_candidate(name="Ana", email="ana@example.org"))
    link, _token = links.create_link(lin, ana, [ana.current_stage], 0, now + timedelta(days=7), now)
    interview = f.make_interview(ana, [ivan], now + timedelta(days=3))
    failed = f.make_outbox_message(to_addr="ana@example.org", failed_at=now, attempts=5,
                                   interview_id=interview.id)
    db.session.commit()
    return dict(lin=lin, max=max_, ada=ada, ivan=ivan, vera=vera, ana=ana, interview=interview,
                link=link, failed=failed, b=opening_b)


def _calls(w, now):
    """Each service that acts on Ana's application for a person, as a call taking the actor."""
    ana, interview = w["ana"], w["interview"]
    return {
        "create_link": lambda actor: links.create_link(
            actor, ana, [ana.current_stage], 0, now + timedelta(days=7), now),
        "resend_link": lambda actor: links.resend_link(actor, w["link"], now),
        "revoke_link": lambda actor: links.revoke_link(actor, w["link"], now),
        "book_interview": lambda actor: booking.book_interview(
            actor, ana, ana.current_stage, now + timedelta(days=5), [w["vera"].id], now),
        "reschedule_interview": lambda actor: booking.reschedule_interview(
            actor, interview, now + timedelta(days=4), now),
        "cancel_interview": lambda actor: booking.cancel_interview(actor, interview, now),
        "swap_interviewer": lambda actor: booking.swap_interviewer(
            actor, interview, w["ivan"].id, w["vera"].id, now),
        "record_decision": lambda actor: decisions.record_decision(
            actor, ana, ana.current_stage, outcome="hold", now=now),
        "assign_reviewer": lambda actor: reviewers.assign_reviewer(actor, interview, None, now),
        "mark_no_show": lambda actor: no_shows.mark_no_show(
            actor, interview, party="candidate", absent_interviewer_id=None, note="", now=now),
        "resend_message": lambda actor: outbox.resend_message(actor, w["failed"], now),
        "update_candidate": lambda actor: candidates.update_candidate(
            actor, ana.candidate, name="Ana Li", email="ana@example.org", phone="",
            zone="Asia/Shanghai", language="zh", now=now),
        "add_application": lambda actor: candidates.add_application(
            actor, ana.candidate, requisition_id=w["b"].id, level="mid", now=now),
        "export_candidate": lambda actor: candidate_exports.export_candidate(
            actor, ana.candidate, now=now, output="json"),
    }


def _state(db, w) -> tuple:
    """What any of the calls would change: rows written, and Ana's interview, link and mail."""
    db.session.expire_all()
    interview, link, failed = w["interview"], w["link"], w["failed"]
    return (db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Interview)),
            db.session.scalar(sa.select(sa.func.count()).select_from(SchedulingLink)),
            db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)),
            interview.status, interview.start_at, link.revoked_at, link.token_hash,
            failed.failed_at, w["ana"].candidate.name, w["ana"].status)


# The refusals that mean "not yours": NotAllowed's, and a service's own for a person who may not
# (marking a no-show asks permissions.can_mark_no_show, which the page asks too).
PERMISSION_CODES = ("not_your_opening", "not_allowed")
SERVICES = sorted(_calls({"ana": None, "interview": None}, None))


@pytest.mark.parametrize("service", SERVICES)
def test_another_openings_coordinator_is_refused_by_the_service_with_nothing_written(
        db, now, world, service):
    before = _state(db, world)
    with pytest.raises(ServiceError) as refused:
        _calls(world, now)[service](world["max"])
    assert refused.value.code in PERMISSION_CODES, refused.value
    if isinstance(refused.value, NotAllowed):
        assert refused.value.message == ("You see the candidates of the openings you "
                                          "coordinate only.")
    db.session.rollback()
    assert _state(db, world) == before


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("who", ["lin", "ada"])
def test_the_openings_own_coordinator_and_an_admin_get_past_the_check(db, now, world, service,
                                                                      who):
    try:
        _calls(world, now)[service](world[who])
    except ServiceError as refusal:
        # Refused for another reason (e.g. no free time at that start) is past the check.
        assert refusal.code not in PERMISSION_CODES, f"{who} was refused {service}: {refusal}"
    db.session.rollback()
