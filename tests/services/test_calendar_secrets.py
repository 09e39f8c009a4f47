"""Calendar secrets at rest (issue 21, item 3): a subscription address and a CalDAV password are
stored encrypted (read back raw with SQL on each database), and kept out of the audit log, the
stored last error, refusal messages and the logs — with real servers on loopback (a static HTTP
server for the subscription, Radicale for CalDAV)."""
from __future__ import annotations

import base64
import logging
from datetime import timedelta, timezone

import caldav
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from scheduler.models import CalendarSource
from scheduler.services.calendars import (
    CalendarRefused, add_caldav_account, add_calendar_url, change_calendar_source, reencrypt_calendar_secrets,
    refresh_calendar_sources,
)
from tests import factories as f
from tests.clock import NOW
from tests.dbutil import TEST_ENCRYPTION_KEY
from tests.helpers_servers import RadicaleServer, Route, StaticHTTPServer

TOKEN = "tok-5b1e9c0d7a3f"  # the secret part of a subscription address
PASSWORD = "pw-Zq8!secret"
_START = (NOW + timedelta(days=1)).astimezone(timezone.utc)
EVENT = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:sync\r\n"
         f"SUMMARY:Sync\r\nDTSTART:{_START:%Y%m%dT%H%M%SZ}\r\n"
         f"DTEND:{_START + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


@pytest.fixture
def interviewer(app, db):
    app.config["CALENDAR_ALLOW_PRIVATE_URLS"] = True  # the servers are on loopback
    return f.make_interviewer()


@pytest.fixture
def feed():
    with StaticHTTPServer({f"/feeds/{TOKEN}.ics": Route(body=EVENT.encode())}) as server:
        yield server


@pytest.fixture
def radicale(tmp_path):
    with RadicaleServer(tmp_path / "radicale", users={"alice": PASSWORD}) as server:
        caldav.DAVClient(server.url, username="alice", password=PASSWORD).principal() \
            .make_calendar(name="Work").save_event(EVENT)
        yield server


def raw_rows(db) -> list:
    return db.session.execute(sa.text("SELECT kind, name, url, password, last_error FROM calendar_source "
                                      "ORDER BY id")).all()


def raw_audit(db) -> str:
    rows = db.session.execute(sa.text("SELECT action, before, after FROM audit_event ORDER BY id")).all()
    return repr(rows)


def test_secrets_are_encrypted_at_rest_and_kept_out_of_the_audit_and_the_logs(
        db, now, interviewer, feed, radicale, caplog):
    caplog.set_level(logging.DEBUG)
    owner = interviewer.user
    address = feed.url(f"/feeds/{TOKEN}.ics")
    add_calendar_url(owner, interviewer, address, now)
    add_caldav_account(owner, interviewer, radicale.url, "alice", PASSWORD, now, name="Work")
    db.session.commit()

    (kind1, name1, url1, password1, _), (kind2, _, url2, password2, _) = raw_rows(db)
    assert (kind1, kind2) == ("url", "caldav")
    fernet = Fernet(TEST_ENCRYPTION_KEY)
    for raw, plain in ((url1, address), (url2, radicale.url), (password2, PASSWORD)):
        assert plain not in raw and raw.startswith("gAAAAA")
        assert fernet.decrypt(raw.encode()).decode() == plain
    assert password1 == ""  # no password: nothing to hide
    # The subscription was named after its host, not its address.
    assert name1 == f"127.0.0.1:{feed.port}…"
    # The application reads them back in plain.
    sources = db.session.scalars(sa.select(CalendarSource).order_by(CalendarSource.id)).all()
    assert [(s.url, s.password) for s in sources] == [(address, ""), (radicale.url, PASSWORD)]

    # A refresh that fails (the feed is gone) stores its problem without the address.
    feed.stop()
    assert refresh_calendar_sources(now + timedelta(hours=1)) == {"refreshed": 1, "failed": 1}
    db.session.commit()
    change_calendar_source(owner, interviewer, sources[0].id, now, name="Team feed")
    db.session.commit()

    basic = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    leaks = (TOKEN, PASSWORD, basic)
    stored = raw_audit(db) + repr(raw_rows(db))
    assert "calendar_source.added" in stored and "calendar_source.changed" in stored
    assert all(leak not in stored for leak in leaks)
    assert caplog.records  # the HTTP and CalDAV libraries did log at DEBUG
    assert all(leak not in caplog.text for leak in leaks)


def test_a_refused_address_is_not_repeated_in_the_message(db, now, interviewer):
    source = f.make_calendar_source(interviewer, kind="url", name="Feed", url=f"https://cal.example/{TOKEN}")
    for bad in (f"https://cal.example:99999/{TOKEN}", f"gopher://cal.example/{TOKEN}"):
        with pytest.raises(CalendarRefused) as caught:
            change_calendar_source(interviewer.user, interviewer, source.id, now, url=bad)
        assert caught.value.code in ("url_invalid", "url_scheme_not_allowed")
        assert TOKEN not in caught.value.message
    assert db.session.get(CalendarSource, source.id).url == f"https://cal.example/{TOKEN}"


def test_rotation_re_encrypts_with_the_new_key_first(app, db, interviewer):
    f.make_calendar_source(interviewer, kind="caldav", name="Work", url="https://dav.example/",
                           username="alice", password=PASSWORD)
    db.session.commit()
    new_key = Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEYS"] = (new_key, TEST_ENCRYPTION_KEY)
    assert reencrypt_calendar_secrets() == 1
    db.session.commit()
    (_, _, url, password, _), = raw_rows(db)
    assert Fernet(new_key).decrypt(password.encode()).decode() == PASSWORD
    assert Fernet(new_key).decrypt(url.encode()).decode() == "https://dav.example/"
    app.config["ENCRYPTION_KEYS"] = (new_key,)  # the old key can go now
    db.session.expire_all()
    assert db.session.scalars(sa.select(CalendarSource)).one().password == PASSWORD
