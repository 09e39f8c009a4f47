"""Offices: create and edit one, every bad field refused together with nothing written, audited."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from scheduler.models import AuditEvent, Office
from scheduler.services.offices import OfficeError, create_office, office_by_code, update_office
from tests import factories as f

GOOD = dict(code="ldn", name_zh="伦敦", name_en="London", zone="Europe/London",
            calendar_key="GB-ENG", address_zh="伦敦某街1号", address_en="1 Some Street, London")


def _fields(error: OfficeError) -> dict:
    return {r.field: r.message for r in error.refusals}


def test_create_and_edit_an_office_audited(db, now):
    admin = f.make_user(roles=("admin",))
    office = create_office(admin, GOOD | {"zone": " Europe/Belfast "}, now)
    db.session.commit()
    # The code is upper-cased; an old zone name becomes its current one.
    assert (office.code, office.zone, office.calendar_key) == ("LDN", "Europe/London", "GB-ENG")
    assert office_by_code("ldn").id == office.id
    update_office(admin, office, GOOD | {"name_en": "London Bridge", "calendar_key": "GB-SCT",
                                         "zone": "Asia/Calcutta"}, now)
    db.session.commit()
    assert (office.name_en, office.calendar_key, office.zone) == ("London Bridge", "GB-SCT", "Asia/Kolkata")
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_user_id, e.object_id) for e in events] == [
        ("office.created", admin.id, office.id), ("office.updated", admin.id, office.id)]
    assert events[1].before["name_en"] == "London" and events[1].after["name_en"] == "London Bridge"
    # Saving the same details again records nothing.
    update_office(admin, office, GOOD | {"name_en": "London Bridge", "calendar_key": "GB-SCT",
                                         "zone": "Asia/Kolkata"}, now)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 2


def test_every_bad_field_is_refused_together_and_nothing_written(db, now):
    admin = f.make_user(roles=("admin",))
    db.session.commit()
    with pytest.raises(OfficeError) as refused:
        create_office(admin, dict(code="l d", name_zh="", name_en="x" * 101, zone="Mars/Olympus",
                                  calendar_key="GB-England"), now)
    fields = _fields(refused.value)
    assert set(fields) == {"code", "name_zh", "name_en", "zone", "calendar_key"}
    assert "upper-case letters or digits" in fields["code"]
    assert "Unknown time zone Mars/Olympus" in fields["zone"]
    assert "Unknown holiday calendar GB-ENGLAND" in fields["calendar_key"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Office.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_a_code_is_unique_and_an_edit_writes_nothing_when_refused(db, now):
    admin = f.make_user(roles=("admin",))
    create_office(admin, GOOD, now)
    other = create_office(admin, GOOD | {"code": "SH1", "zone": "Asia/Shanghai", "calendar_key": "CN"}, now)
    db.session.commit()
    with pytest.raises(OfficeError) as refused:
        create_office(admin, GOOD, now)
    assert _fields(refused.value) == {"code": "Another office already has the code LDN."}
    db.session.rollback()
    with pytest.raises(OfficeError) as refused:
        update_office(admin, other, GOOD | {"code": "ldn", "zone": "Nowhere"}, now)
    assert set(_fields(refused.value)) == {"code", "zone"}
    db.session.rollback()
    db.session.expire_all()
    assert (other.code, other.zone) == ("SH1", "Asia/Shanghai")
    # Its own code is no conflict.
    update_office(admin, other, GOOD | {"code": "SH1", "calendar_key": "US-CA"}, now)
    assert other.calendar_key == "US-CA"
