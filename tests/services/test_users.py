"""Staff accounts: `create_staff_user` validates, hashes and audits; `flask users create` uses it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from scheduler.models import AuditEvent, User
from scheduler.services.users import UserError, create_staff_user


def _create(now, **kw):
    data = dict(email="New.Person@Example.com", name="New Person", roles=["coordinator"],
                password="long enough password", zone="Europe/London", language="en", now=now)
    return create_staff_user(None, **(data | kw))


def test_creates_user_with_hashed_password_and_audit(db, now):
    user = _create(now, roles=["coordinator", "interviewer"])
    db.session.commit()
    assert user.email == "new.person@example.com"
    assert user.roles == {"coordinator", "interviewer"}
    assert user.password_hash != "long enough password"
    assert check_password_hash(user.password_hash, "long enough password")
    event = db.session.scalars(sa.select(AuditEvent)).one()
    assert (event.action, event.actor_label, event.object_id) == ("user.created", "command line", user.id)


@pytest.mark.parametrize("override, message", [
    ({"email": "no-at-sign"}, "Not an email address"),
    ({"roles": ["boss"]}, "unknown: boss"),
    ({"password": "short"}, "at least 10"),
    ({"zone": "Mars/Olympus"}, "Unknown time zone"),
    ({"language": "fr"}, "language"),
])
def test_bad_input_is_refused_and_nothing_written(db, now, override, message):
    with pytest.raises(UserError) as refused:
        _create(now, **override)
    assert message in refused.value.message
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_duplicate_email_is_refused(db, now):
    _create(now)
    db.session.commit()
    with pytest.raises(UserError) as refused:
        _create(now, email="new.person@EXAMPLE.com")
    assert "already exists" in refused.value.message


def test_cli_creates_user(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "cli@example.com", "--name", "CLI", "--role", "admin",
        "--role", "interviewer", "--password", "a long password here"])
    assert result.exit_code == 0, result.output
    from scheduler.extensions import db

    user = db.session.scalars(sa.select(User).where(User.email == "cli@example.com")).one()
    assert user.roles == {"admin", "interviewer"}


def test_cli_reports_bad_input(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "cli@example.com", "--name", "CLI", "--role", "admin",
        "--password", "short"])
    assert result.exit_code != 0
    assert "at least 10" in result.output
