"""Sessions end: a session cookie saved before sign-out, a password change or reset, deactivation
or a role change opens nothing when replayed afterwards (issue 22, item 1)."""
from __future__ import annotations

import sqlalchemy as sa

from scheduler.models import User
from scheduler.services.password_reset import make_reset_token
from tests import factories as f
from tests.clock import NOW
from tests.web.helpers import csrf_token, post_form, sign_in

PASSWORD = "correct horse battery staple"
HOME = "/coordinator/"


def _saved_cookie(client) -> str:
    """Return the value of *client*'s session cookie, as someone who copied it would hold it."""
    return client.get_cookie("session").value


def _replayed(app, cookie: str):
    """Return a fresh client that presents a saved session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _coordinator(db, **kw) -> User:
    user = f.make_user(email=kw.pop("email", "co@example.com"), roles=("coordinator",),
                       password=PASSWORD, language="en", **kw)
    db.session.commit()
    return user


def _signed_in_admin(app, db):
    f.make_user(email="admin@example.com", roles=("admin",), password=PASSWORD, language="en")
    db.session.commit()
    admin = app.test_client()
    assert sign_in(admin, "admin@example.com", PASSWORD).status_code == 302
    return admin


def test_sign_out_ends_every_copy_of_the_session(app, client, db):
    _coordinator(db)
    sign_in(client, "co@example.com", PASSWORD)
    saved = _saved_cookie(client)
    assert _replayed(app, saved).get(HOME).status_code == 200  # a copy works while signed in

    client.post("/logout", data={"csrf_token": csrf_token(client.get(HOME).text)})

    replay = _replayed(app, saved).get(HOME)
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")
    # Signing in again makes a new session that works.
    assert sign_in(client, "co@example.com", PASSWORD).status_code == 302
    assert client.get(HOME).status_code == 200


def test_a_password_change_ends_older_sessions_and_keeps_the_current_one(app, client, db):
    _coordinator(db)
    sign_in(client, "co@example.com", PASSWORD)
    saved = _saved_cookie(client)
    other_device = app.test_client()
    sign_in(other_device, "co@example.com", PASSWORD)

    changed = post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": "brand-new-secret-1",
        "confirm_password": "brand-new-secret-1"})
    assert changed.status_code == 302

    assert client.get(HOME).status_code == 200  # the session that changed it goes on
    assert _replayed(app, saved).get(HOME).status_code == 302  # its copy from before does not
    assert other_device.get(HOME).status_code == 302


def test_a_password_reset_ends_every_session(app, client, db):
    user = _coordinator(db)
    sign_in(client, "co@example.com", PASSWORD)
    saved = _saved_cookie(client)

    link = f"/account/reset/{make_reset_token(user, NOW)}"
    stranger = app.test_client()
    response = post_form(stranger, link, {"new_password": "a brand new password",
                                          "confirm_password": "a brand new password"})
    assert response.status_code == 302

    assert client.get(HOME).status_code == 302
    assert _replayed(app, saved).get(HOME).status_code == 302


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app, client, db):
    user = _coordinator(db)
    sign_in(client, "co@example.com", PASSWORD)
    saved = _saved_cookie(client)
    admin = _signed_in_admin(app, db)

    assert post_form(admin, f"/admin/staff/{user.id}/deactivate", {},
                     page_url="/admin/staff").status_code == 302
    assert _replayed(app, saved).get(HOME).status_code == 302
    assert post_form(admin, f"/admin/staff/{user.id}/reactivate", {},
                     page_url="/admin/staff").status_code == 302

    assert _replayed(app, saved).get(HOME).status_code == 302
    assert sign_in(app.test_client(), "co@example.com", PASSWORD).status_code == 302


def test_a_role_change_ends_sessions_and_other_edits_do_not(app, client, db):
    user = _coordinator(db)
    sign_in(client, "co@example.com", PASSWORD)
    saved = _saved_cookie(client)
    admin = _signed_in_admin(app, db)
    edit = f"/admin/staff/{user.id}"

    # A new name and zone: the sessions go on.
    assert post_form(admin, edit, dict(name="Co Renamed", roles=["coordinator"],
                                       zone="Europe/London", language="en")).status_code == 302
    assert _replayed(app, saved).get(HOME).status_code == 200

    # Admin added: what the session may do changed, so it must sign in again.
    assert post_form(admin, edit, dict(name="Co Renamed", roles=["coordinator", "admin"],
                                       zone="Europe/London", language="en")).status_code == 302
    assert _replayed(app, saved).get(HOME).status_code == 302
    assert client.get(HOME).status_code == 302


def test_an_admin_changing_their_own_roles_stays_signed_in_but_older_copies_end(app, db):
    admin = _signed_in_admin(app, db)
    saved = _saved_cookie(admin)
    me = db.session.scalar(sa.select(User).where(User.email == "admin@example.com"))

    response = post_form(admin, f"/admin/staff/{me.id}", dict(
        name=me.name, roles=["admin", "coordinator"], zone=me.zone, language="en"))

    assert response.status_code == 302
    assert admin.get("/admin/staff").status_code == 200
    assert _replayed(app, saved).get("/admin/staff").status_code == 302


def test_a_session_cookie_without_a_version_loads_nobody(app, client, db):
    user = _coordinator(db)
    with client.session_transaction() as session:  # as written before session versions
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert client.get(HOME).status_code == 302
