"""Openings (requisitions): create and edit one — titles, levels with their years, salary band,
offices, open or closed, its coordinators, and how long candidates' data is kept after an
application closes (the privacy notice names it) — audited; and whom to tell about one.

Every value is checked here, each bad one refused beside its field and all of them together, so
nothing is written on a refusal. A level that applications use cannot be dropped. The
coordinators of an opening are users with the coordinator role; `coordinators_to_tell` is the one
answer to "whom to tell about this opening" (its active coordinators, else every active one), the
same people as see its candidates (permissions.coordinated_requisitions); so only an admin or an
existing coordinator of an opening may change its coordinators.
Stages and loops are scheduler/services/stages.py.
"""
from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from babel.numbers import list_currencies
from sqlalchemy.orm import lazyload

from scheduler.extensions import db
from scheduler.models import (
    Application, Office, Requisition, User, UserRole, requisition_coordinator,
)
from scheduler.services.audit import record_event
from scheduler.services.errors import N_, ServiceError
from scheduler.services.permissions import (
    can_change_coordinators, check_can_manage_openings, coordinated_requisitions,
)

TITLE_MAX, LEVEL_NAME_MAX = 200, 100
SALARY_PERIODS = ("month", "year")
SALARY_MAX = 100_000_000
RETENTION_DEFAULT_DAYS, RETENTION_MAX_DAYS = 180, 3650
_LEVEL_CODE = re.compile(r"^[a-z0-9_-]{1,20}$")
# "3-5" (from 3 to 5 years) or "8+" (8 years or more).
_YEARS = re.compile(r"^(\d{1,2})\s*[-–~]\s*(\d{1,2})$|^(\d{1,2})\s*\+$")
_FIELDS = ("title_zh", "title_en", "levels", "salary_min", "salary_max", "salary_currency",
           "salary_period", "is_open", "retention_days")


class OpeningError(ServiceError):
    """An opening's details were refused."""

    messages = {
        "title_missing": N_("Give the opening a title."),
        "too_long": N_("At most %(max)d characters."),
        "levels_missing": N_("Give at least one level."),
        "bad_level_code": N_("Level %(number)d: the code is 1 to 20 lower-case letters, digits, "
                             "“-” or “_”, e.g. senior."),
        "level_code_repeated": N_("Level %(number)d: the code %(level_code)s is used twice."),
        "level_name_missing": N_("Level %(number)d: give its name in both languages."),
        "level_name_too_long": N_("Level %(number)d: a name has at most %(max)d characters."),
        "bad_level_years": N_("Level %(number)d: write the years as 3-5 (from 3 to 5) or 8+."),
        "level_in_use": N_("Level %(level_code)s is the level of %(num)d applications: keep it."),
        "bad_salary": N_("Enter a whole amount from 0 to %(max)d."),
        "salary_half": N_("Give both ends of the salary band, or neither."),
        "salary_band": N_("The lowest salary must not be above the highest."),
        "bad_currency": N_("Unknown currency %(currency)s: use a three-letter code such as CNY "
                           "or USD."),
        "bad_period": N_("Choose per month or per year."),
        "offices_missing": N_("Choose at least one office."),
        "unknown_office": N_("Choose offices from the list."),
        "not_coordinator": N_("Choose coordinators from the list: %(name)s is not an active "
                              "coordinator."),
        "bad_retention": N_("Enter a whole number of days from 1 to %(max)d."),
        "coordinators_locked": N_("Only an admin or a coordinator of this opening may change "
                                  "its coordinators."),
    }


def active_coordinators() -> list[User]:
    """Return every active user with the coordinator role, by name."""
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(_coordinator_ids())).order_by(User.name, User.id)))


def _coordinator_ids(requisition_id: int | None = None) -> sa.Select:
    """Select the ids of active users with the coordinator role (of one opening, when given)."""
    query = (sa.select(User.id).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role == "coordinator", User.is_active.is_(True)))
    if requisition_id is not None:
        query = query.join(requisition_coordinator,
                           requisition_coordinator.c.user_id == User.id).where(
            requisition_coordinator.c.requisition_id == requisition_id)
    return query


def coordinator_ids_to_tell(requisition_id: int) -> sa.Select:
    """Select the ids of whom to tell about opening *requisition_id*: its active coordinators,
    or every active coordinator when it has none (a subquery of the statement that needs them:
    a booking asks twice)."""
    own = _coordinator_ids(requisition_id)
    return _coordinator_ids().where(sa.or_(User.id.in_(own), ~own.exists()))


def coordinators_to_tell(requisition: Requisition) -> list[User]:
    """Return whom to tell about *requisition* (`coordinator_ids_to_tell`), by name."""
    # Their roles are not needed to write to them: loaded only if something asks.
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(coordinator_ids_to_tell(requisition.id)))
        .order_by(User.name, User.id).options(lazyload(User.role_rows))))


def list_openings() -> list[Requisition]:
    """Return every opening, open ones first, then by title."""
    return list(db.session.scalars(sa.select(Requisition).order_by(
        Requisition.is_open.desc(), Requisition.title_en, Requisition.id)))


def openings_seen_by(actor: User) -> list[Requisition]:
    """Return the openings whose candidates *actor* sees (every one for an admin, a
    coordinator's own: `permissions.coordinated_requisitions`), open ones first, then by
    title: the choices of the pipeline board and the overview."""
    query = sa.select(Requisition)
    if not actor.has_role("admin"):
        query = query.where(Requisition.id.in_(coordinated_requisitions(actor)))
    return list(db.session.scalars(query.order_by(
        Requisition.is_open.desc(), Requisition.title_en, Requisition.id)))


# --- checking ---------------------------------------------------------------------------------


def _clean_levels(levels) -> list[dict]:
    """Return the levels trimmed, leaving out rows with nothing in them."""
    rows = []
    for level in levels or []:
        row = {key: (level.get(key) or "").strip()
               for key in ("code", "name_zh", "name_en", "years")}
        row["years"] = row["years"].replace("–", "-").replace("~", "-").replace(" ", "")
        if any(row.values()):
            rows.append(row)
    return rows


def _level_refusals(levels: list[dict], requisition: Requisition | None) -> list[OpeningError]:
    refusals = []
    if not levels:
        refusals.append(OpeningError("levels_missing", "levels"))
    seen = set()
    for number, level in enumerate(levels, start=1):
        if not _LEVEL_CODE.match(level["code"]):
            refusals.append(OpeningError("bad_level_code", "levels", number=number))
        elif level["code"] in seen:
            refusals.append(OpeningError("level_code_repeated", "levels", number=number,
                                         level_code=level["code"]))
        seen.add(level["code"])
        if not (level["name_zh"] and level["name_en"]):
            refusals.append(OpeningError("level_name_missing", "levels", number=number))
        elif max(len(level["name_zh"]), len(level["name_en"])) > LEVEL_NAME_MAX:
            refusals.append(OpeningError("level_name_too_long", "levels", number=number,
                                         max=LEVEL_NAME_MAX))
        match = _YEARS.match(level["years"])
        if not match or (match.group(1) and int(match.group(1)) >= int(match.group(2))):
            refusals.append(OpeningError("bad_level_years", "levels", number=number))
    if requisition is not None:
        for code in sorted({entry["code"] for entry in requisition.levels} - seen):
            used = db.session.scalar(sa.select(sa.func.count(Application.id)).where(
                Application.requisition_id == requisition.id, Application.level == code))
            if used:
                refusals.append(OpeningError("level_in_use", "levels", level_code=code, num=used))
    return refusals


def _salary_refusals(values: dict) -> list[OpeningError]:
    refusals = []
    low, high = values["salary_min"], values["salary_max"]
    for name, value in (("salary_min", low), ("salary_max", high)):
        if value is not None and not 0 <= value <= SALARY_MAX:
            refusals.append(OpeningError("bad_salary", name, max=SALARY_MAX))
    if (low is None) != (high is None):
        refusals.append(OpeningError("salary_half", "salary_max" if high is None else "salary_min"))
    elif low is not None and high is not None and low > high and not refusals:
        refusals.append(OpeningError("salary_band", "salary_max"))
    if values["salary_currency"] not in list_currencies():
        refusals.append(OpeningError("bad_currency", "salary_currency",
                                     currency=values["salary_currency"]))
    if values["salary_period"] not in SALARY_PERIODS:
        refusals.append(OpeningError("bad_period", "salary_period"))
    return refusals


def _people_and_places(office_ids, coordinator_ids, requisition: Requisition | None,
                       refusals: list[OpeningError]) -> tuple[list[Office], list[User]]:
    """Return the chosen offices and coordinators, refusing unknown ones."""
    office_ids = set(office_ids or [])
    offices = list(db.session.scalars(sa.select(Office).where(Office.id.in_(office_ids))
                                      .order_by(Office.id))) if office_ids else []
    if not office_ids:
        refusals.append(OpeningError("offices_missing", "office_ids"))
    elif len(offices) != len(office_ids):
        refusals.append(OpeningError("unknown_office", "office_ids"))
    # Active coordinators may be chosen; one already assigned may stay after leaving.
    allowed = {user.id: user for user in active_coordinators()}
    if requisition is not None:
        allowed |= {user.id: user for user in requisition.coordinators}
    coordinators = []
    for user_id in sorted(set(coordinator_ids or [])):
        if user_id in allowed:
            coordinators.append(allowed[user_id])
        else:
            user = db.session.get(User, user_id)
            refusals.append(OpeningError("not_coordinator", "coordinator_ids",
                                         name=user.name if user is not None else str(user_id)))
    return offices, coordinators


def _values(details: dict) -> dict:
    currency = (details.get("salary_currency") or "").strip().upper()
    return {
        "title_zh": (details.get("title_zh") or "").strip(),
        "title_en": (details.get("title_en") or "").strip(),
        "levels": _clean_levels(details.get("levels")),
        "salary_min": details.get("salary_min"), "salary_max": details.get("salary_max"),
        "salary_currency": currency, "salary_period": details.get("salary_period") or "month",
        "is_open": bool(details.get("is_open")),
        "retention_days": (RETENTION_DEFAULT_DAYS if details.get("retention_days") is None
                           else details["retention_days"]),
    }


def _checked(details: dict, requisition: Requisition | None):
    """Return the clean values, offices and coordinators of *details*, or raise every refusal."""
    values = _values(details)
    refusals = []
    for name in ("title_zh", "title_en"):
        if not values[name]:
            refusals.append(OpeningError("title_missing", name))
        elif len(values[name]) > TITLE_MAX:
            refusals.append(OpeningError("too_long", name, max=TITLE_MAX))
    refusals += _level_refusals(values["levels"], requisition)
    refusals += _salary_refusals(values)
    if not (isinstance(values["retention_days"], int)
            and 1 <= values["retention_days"] <= RETENTION_MAX_DAYS):
        refusals.append(OpeningError("bad_retention", "retention_days", max=RETENTION_MAX_DAYS))
    offices, coordinators = _people_and_places(details.get("office_ids"),
                                               details.get("coordinator_ids"), requisition,
                                               refusals)
    if refusals:
        raise OpeningError.together(refusals)
    return values, offices, coordinators


def snapshot(requisition: Requisition) -> dict:
    """Return what the audit trail keeps of an opening's details."""
    return {name: getattr(requisition, name) for name in _FIELDS} | {
        "office_ids": [office.id for office in requisition.offices],
        "coordinator_ids": sorted(user.id for user in requisition.coordinators)}


# --- changing ---------------------------------------------------------------------------------


def create_opening(actor: User, details: dict, now: datetime) -> Requisition:
    """Check *details* (titles, levels, salary band, currency and period, is_open, office_ids,
    coordinator_ids) and add the opening, with no stages yet."""
    check_can_manage_openings(actor)
    values, offices, coordinators = _checked(details, None)
    requisition = Requisition(**values)
    requisition.offices = offices
    requisition.coordinators = coordinators
    db.session.add(requisition)
    db.session.flush()
    record_event(actor, "requisition.created", requisition, now=now, after=snapshot(requisition))
    return requisition


def update_opening(actor: User, requisition: Requisition, details: dict, now: datetime
                   ) -> Requisition:
    """Check *details* and change the opening; every bad field is refused together."""
    check_can_manage_openings(actor)
    values, offices, coordinators = _checked(details, requisition)
    if ({user.id for user in coordinators} != {user.id for user in requisition.coordinators}
            and not can_change_coordinators(actor, requisition)):
        raise OpeningError("coordinators_locked", "coordinator_ids")
    before = snapshot(requisition)
    for name, value in values.items():
        setattr(requisition, name, value)
    requisition.offices = offices
    requisition.coordinators = coordinators
    db.session.flush()
    after = snapshot(requisition)
    if after != before:
        record_event(actor, "requisition.updated", requisition, now=now, before=before,
                     after=after)
    return requisition
