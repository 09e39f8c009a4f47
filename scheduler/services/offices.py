"""Offices: create and edit one (code, names, zone, holiday calendar, address), audited."""
from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from scheduler.domain.workdays import is_calendar_key
from scheduler.extensions import db
from scheduler.models import Office, User
from scheduler.services.audit import record_event
from scheduler.services.availability_cache import bump_office_versions
from scheduler.services.errors import N_, ServiceError
from scheduler.timeutil import canonical_zone, is_valid_zone

_CODE = re.compile(r"^[A-Z0-9]{2,20}$")
_FIELDS = ("code", "name_zh", "name_en", "zone", "calendar_key", "address_zh", "address_en")


class OfficeError(ServiceError):
    """An office's details were refused."""

    messages = {
        "bad_code": N_("The code is 2 to 20 upper-case letters or digits, e.g. SH or LDN1."),
        "code_taken": N_("Another office already has the code %(office_code)s."),
        "name_missing": N_("Give the office a name."),
        "name_too_long": N_("At most %(max)d characters."),
        "unknown_zone": N_("Unknown time zone %(zone)s: use an IANA name such as Asia/Shanghai."),
        "unknown_calendar": N_("Unknown holiday calendar %(key)s: use a country code with its "
                               "subdivision where it has one, e.g. CN, SG, GB-ENG or US-CA."),
    }


def _clean(details: dict) -> dict:
    """Return the details trimmed, the code upper-case and the zone canonical."""
    values = {name: (details.get(name) or "").strip() for name in _FIELDS}
    values["code"] = values["code"].upper()
    if not is_calendar_key(values["calendar_key"]):
        values["calendar_key"] = values["calendar_key"].upper()
    values["zone"] = canonical_zone(values["zone"]) if values["zone"] else ""
    return values


def _refusals(values: dict, office: Office | None) -> list[OfficeError]:
    refusals = []
    if not _CODE.match(values["code"]):
        refusals.append(OfficeError("bad_code", "code"))
    else:
        taken = sa.select(Office.id).where(Office.code == values["code"])
        if office is not None:
            taken = taken.where(Office.id != office.id)
        if db.session.scalar(taken) is not None:
            refusals.append(OfficeError("code_taken", "code", office_code=values["code"]))
    for name in ("name_zh", "name_en"):
        if not values[name]:
            refusals.append(OfficeError("name_missing", name))
        elif len(values[name]) > 100:
            refusals.append(OfficeError("name_too_long", name, max=100))
    if not is_valid_zone(values["zone"]):
        refusals.append(OfficeError("unknown_zone", "zone", zone=values["zone"]))
    if not is_calendar_key(values["calendar_key"]):
        refusals.append(OfficeError("unknown_calendar", "calendar_key", key=values["calendar_key"]))
    return refusals


def _snapshot(office: Office) -> dict:
    return {name: getattr(office, name) for name in _FIELDS}


def create_office(actor: User, details: dict, now: datetime) -> Office:
    """Validate *details* (code, name_zh, name_en, zone, calendar_key, address_zh, address_en)
    and add the office; every bad field is refused together, nothing written."""
    values = _clean(details)
    refusals = _refusals(values, None)
    if refusals:
        raise OfficeError.together(refusals)
    office = Office(**values)
    db.session.add(office)
    db.session.flush()
    record_event(actor, "office.created", office, now=now, after=_snapshot(office))
    return office


def update_office(actor: User, office: Office, details: dict, now: datetime) -> Office:
    """Validate *details* and change *office*; every bad field is refused together."""
    values = _clean(details)
    refusals = _refusals(values, office)
    if refusals:
        raise OfficeError.together(refusals)
    before = _snapshot(office)
    for name, value in values.items():
        setattr(office, name, value)
    db.session.flush()
    after = _snapshot(office)
    if (after["zone"], after["calendar_key"]) != (before["zone"], before["calendar_key"]):
        # Its interviewers' holidays, and the zone of those who keep the office's, changed.
        bump_office_versions([office.id])
    if after != before:
        record_event(actor, "office.updated", office, now=now, before=before, after=after)
    return office


def list_offices() -> list[Office]:
    """Return every office, by code."""
    return list(db.session.scalars(sa.select(Office).order_by(Office.code)))


def office_by_code(code: str) -> Office | None:
    """Return the office with *code* (any case), else None."""
    return db.session.scalar(sa.select(Office).where(Office.code == (code or "").strip().upper()))
