"""Shared set-up for the privacy tests: offices in mainland China, London and Hong Kong, an
opening whose one stage any of its interviewers may hold all day on their workdays, and a
candidate with a link.

Which people a booking reaches is chosen by the test (the panel's offices, a coordinator's or an
admin's office); slots are picked by property (more than a day away), never by position.
"""
from __future__ import annotations

from datetime import time, timedelta

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import Office
from scheduler.services.link_booking import available_slots
from scheduler.services.links import create_link
from tests import factories as f
from tests.clock import NOW

OFFICES = {  # code: (zone, calendar key, English name, address)
    "BJ": ("Asia/Shanghai", "CN", "Beijing", "27 Zhongguancun Street, Beijing"),
    "LON": ("Europe/London", "GB-ENG", "London", "6 Pancras Square, London N1C 4AG"),
    "HK": ("Asia/Hong_Kong", "HK", "Hong Kong", "1 Harbour Road, Wan Chai, Hong Kong"),
    "SFO": ("America/Los_Angeles", "US-CA", "San Francisco", "535 Market Street, San Francisco"),
}
ALL_DAY = ((0, 7), time(0, 0), time(23, 30))


def office(code: str):
    """Return the office *code* of OFFICES, made on first use."""
    found = db.session.scalar(sa.select(Office).where(Office.code == code))
    if found is not None:
        return found
    zone, key, name, address = OFFICES[code]
    return f.make_office(code=code, zone=zone, calendar_key=key, name_en=name, name_zh=name,
                         address_en=address, address_zh=address)


def interviewer(code: str, **kw):
    """Make an interviewer at office *code*, free all day on their office's workdays."""
    return f.make_interviewer(office=office(code), windows=ALL_DAY, **kw)


def privacy_world(panel_offices=("BJ",), *, coordinator_office=None, admin_office=None,
                  language="en"):
    """Make an opening with a 60-minute stage held by one of the interviewers at
    *panel_offices*, its coordinator (at *coordinator_office* when given: an interviewer profile
    there), an admin (likewise), and an application with a link.

    Returns (interviewers, coordinator, admin, application, link, token).
    """
    people = [interviewer(code) for code in panel_offices]
    coordinator = f.make_user(roles=("coordinator",), language=language,
                              password="correct horse battery staple")
    if coordinator_office:
        f.make_interviewer(office=office(coordinator_office), user=coordinator, windows=ALL_DAY,
                           qualifications={})
    admin = f.make_user(roles=("admin",), language=language)
    if admin_office:
        f.make_interviewer(office=office(admin_office), user=admin, windows=ALL_DAY,
                           qualifications={})
    requisition = f.make_requisition(stages=[dict(
        kind="system_design", duration_minutes=60, panel_size=1, step_minutes=60,
        min_notice_minutes=0, horizon_days=14)])
    requisition.coordinators = [coordinator]
    application = f.make_application(requisition=requisition, candidate=f.make_candidate(
        zone="Asia/Shanghai", language=language))
    link, token = create_link(coordinator, application, requisition.stages[:1], 0,
                              NOW + timedelta(days=7), NOW)
    db.session.commit()
    return people, coordinator, admin, application, link, token


def slot_a_day_away(link, now=NOW, *, after=None):
    """Return a slot of *link* starting more than a day from *now* (and after *after*)."""
    limit = max(now + timedelta(days=1), after or now)
    return next(s for s in available_slots(link, now).slots if s.start_at > limit)
