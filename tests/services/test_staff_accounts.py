"""Staff accounts beyond creation: an interviewer's profile with its office, edits of name, zone,
language and roles, deactivation and reactivation — each refused field by field, each audited —
and `flask users create --role interviewer --office CODE`."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, InterviewerProfile, User
from scheduler.services.booking import book_interview
from scheduler.services.users import (
    UserError, create_staff_user, future_interviews, set_user_active, update_staff_user,
)
from tests import factories as f
from tests.services.booking_setup import WORKDAY_10, booking_world

PASSWORD = "a long password here"


def _new(admin, now, **kw):
    data = dict(email="ivy@example.com", name="Ivy", roles=["interviewer"], password=PASSWORD,
                zone="Asia/Shanghai", language="zh", now=now)
    return create_staff_user(admin, **(data | kw))


def _actions(db, user):
    return [e.action for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "user", AuditEvent.object_id == user.id)
        .order_by(AuditEvent.id))]


def test_an_interviewer_with_an_office_gets_a_profile(db, now):
    admin, office = f.make_user(roles=("admin",)), f.make_office(code="SH")
    user = _new(admin, now, office=office, office_required=True)
    db.session.commit()
    profile = user.interviewer_profile
    assert profile.office_id == office.id and profile.zone is None
    assert profile.effective_zone == office.zone
    event = db.session.scalars(sa.select(AuditEvent)).one()
    assert (event.action, event.actor_user_id, event.after["office"]) == ("user.created", admin.id, "SH")


def test_creation_refuses_every_bad_field_together(db, now):
    admin = f.make_user(roles=("admin",), email="taken@example.com")
    db.session.commit()
    with pytest.raises(UserError) as refused:
        _new(admin, now, email="Taken@example.com", name=" ", roles=[], password="short",
             zone="Mars/Olympus", language="fr", office=None, office_required=True)
    fields = {r.field for r in refused.value.refusals}
    assert fields == {"email", "name", "roles", "password", "zone", "language"}
    with pytest.raises(UserError) as refused:
        _new(admin, now, office=None, office_required=True)
    assert [(r.field, r.code) for r in refused.value.refusals] == [("office", "office_missing")]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_edit_name_zone_language_and_roles_audited(db, now):
    admin, office = f.make_user(roles=("admin",)), f.make_office()
    user = f.make_user(roles=("coordinator",), name="Cory", language="zh")
    db.session.commit()
    # Adding the interviewer role needs an office for the profile.
    with pytest.raises(UserError) as refused:
        update_staff_user(admin, user, name="Cory", zone="Asia/Shanghai", language="zh",
                          roles=["coordinator", "interviewer"], now=now)
    assert refused.value.field == "office"
    db.session.rollback()
    update_staff_user(admin, user, name="Cory Li", zone="Asia/Calcutta", language="en",
                      roles=["coordinator", "interviewer"], now=now, office=office)
    db.session.commit()
    db.session.expire_all()
    assert (user.name, user.zone, user.language) == ("Cory Li", "Asia/Kolkata", "en")
    assert user.roles == {"coordinator", "interviewer"}
    assert user.interviewer_profile.office_id == office.id
    update_staff_user(admin, user, name="Cory Li", zone="Asia/Kolkata", language="en",
                      roles=["interviewer"], now=now)
    db.session.commit()
    db.session.expire_all()
    assert user.roles == {"interviewer"}
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["user.updated", "user.updated"]
    assert events[0].before["roles"] == ["coordinator"]
    assert events[0].after["roles"] == ["coordinator", "interviewer"]


def test_an_admin_keeps_their_own_admin_role_and_account(db, now):
    admin = f.make_user(roles=("admin",))
    db.session.commit()
    with pytest.raises(UserError) as refused:
        update_staff_user(admin, admin, name="Me", zone="Asia/Shanghai", language="zh",
                          roles=["coordinator"], now=now)
    assert refused.value.code == "own_account"
    with pytest.raises(UserError):
        set_user_active(admin, admin, False, now)
    db.session.rollback()


def test_deactivate_and_reactivate_audited_and_future_interviews_listed(db, now):
    people, requisition, [application] = booking_world(interviewers=2)
    interview = book_interview("test", application, requisition.stages[0], WORKDAY_10,
                               [people[0].id], now)
    admin = f.make_user(roles=("admin",))
    db.session.commit()
    user = people[0].user
    assert future_interviews(user, now) == [interview]
    assert future_interviews(people[1].user, now) == []
    # Taking the interviewer role while they still sit on an interview is refused.
    with pytest.raises(UserError) as refused:
        update_staff_user(admin, user, name=user.name, zone=user.zone, language=user.language,
                          roles=["coordinator"], now=now)
    assert refused.value.code == "has_interviews"
    db.session.rollback()
    set_user_active(admin, user, False, now)
    db.session.commit()
    assert user.is_active is False
    set_user_active(admin, user, True, now)
    db.session.commit()
    assert user.is_active is True
    assert _actions(db, user) == ["user.deactivated", "user.reactivated"]


def test_cli_interviewer_with_office_gets_a_profile(app, db):
    f.make_office(code="SH")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "ivy@example.com", "--name", "Ivy",
        "--role", "interviewer", "--office", "sh", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "interviewer profile at SH" in result.output
    profile = db.session.scalars(sa.select(InterviewerProfile)).one()
    assert (profile.user.email, profile.office.code) == ("ivy@example.com", "SH")


def test_cli_refuses_an_unknown_office_code(app, db):
    f.make_office(code="SH")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "ivy@example.com", "--name", "Ivy",
        "--role", "interviewer", "--office", "NOPE", "--password", PASSWORD])
    assert result.exit_code != 0
    assert "no office has the code 'NOPE'" in result.output and "SH" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
