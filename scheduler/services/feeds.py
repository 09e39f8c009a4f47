"""Interviewers' secret calendar feed URLs: issue, revoke, and resolve a token to its interviews.

Only a SHA-256 hash of the token is stored; the URL is shown once, when it is made, and only to
the interviewer it belongs to. Anyone who may manage the interviewer's availability may turn it
off (scheduler/services/permissions.py).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale

from scheduler import ical
from scheduler.extensions import db
from scheduler.models import Interview, InterviewerAssignment, InterviewerProfile, User
from scheduler.services.audit import record_event
from scheduler.services.permissions import NotAllowed, can_make_feed, check_can_manage_availability

FEED_PAST = timedelta(days=60)


def token_hash(token: str) -> str:
    """Return the stored form of a capability token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_feed_token(actor: User, profile: InterviewerProfile, now: datetime) -> str:
    """Make a new feed token for *profile* (the old URL stops working); return it once."""
    if not can_make_feed(actor, profile):
        raise NotAllowed()
    token = secrets.token_urlsafe(32)
    profile.feed_token_hash = token_hash(token)
    record_event(actor, "feed.issued", profile, now=now)
    db.session.flush()
    return token


def revoke_feed(actor: User, profile: InterviewerProfile, now: datetime) -> None:
    """Turn the feed URL off."""
    check_can_manage_availability(actor, profile)
    profile.feed_token_hash = None
    record_event(actor, "feed.revoked", profile, now=now)
    db.session.flush()


def feed_for_token(token: str, now: datetime) -> bytes | None:
    """Return the ICS feed for a token, or None when the token is unknown or revoked."""
    from scheduler.services.invites import invite_event, panel_recipient

    if not token or len(token) > 100:
        return None
    profile = db.session.scalar(sa.select(InterviewerProfile).where(
        InterviewerProfile.feed_token_hash == token_hash(token)))
    if profile is None or not profile.user.is_active:
        return None
    interviews = db.session.scalars(
        sa.select(Interview).join(InterviewerAssignment)
        .where(InterviewerAssignment.interviewer_id == profile.id,
               Interview.end_at > now - FEED_PAST,
               sa.or_(InterviewerAssignment.is_active.is_(True), Interview.status == "cancelled"))
        .order_by(Interview.start_at).distinct()
    ).all()
    recipient = panel_recipient(profile)
    with force_locale(recipient.language):
        events = [invite_event(i, recipient) for i in interviews]
        name = f"{profile.user.name} · " + _feed_title()
    return ical.build_feed(events, name, dtstamp_at=now)


def _feed_title() -> str:
    from flask_babel import gettext

    return gettext("Interviews")
