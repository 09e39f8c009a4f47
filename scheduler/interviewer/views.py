"""Interviewer views: the list of one's own upcoming interviews."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.interviewer import bp
from scheduler.models import Application, Interview, InterviewerAssignment, InterviewerProfile
from scheduler.timeutil import utc_now


def _upcoming_interviews(profile: InterviewerProfile, now: datetime) -> list[Interview]:
    """Return the scheduled interviews *profile* sits on that have not ended, soonest first."""
    query = (
        sa.select(Interview)
        .join(InterviewerAssignment, InterviewerAssignment.interview_id == Interview.id)
        .where(InterviewerAssignment.interviewer_id == profile.id,
               InterviewerAssignment.is_active.is_(True),
               Interview.status == "scheduled", Interview.end_at > now)
        .options(selectinload(Interview.application).selectinload(Application.candidate),
                 selectinload(Interview.stage),
                 selectinload(Interview.assignments).selectinload(InterviewerAssignment.interviewer)
                 .selectinload(InterviewerProfile.user))
        .order_by(Interview.start_at, Interview.id)
    )
    return list(db.session.scalars(query))


@bp.get("/")
def home():
    """List the signed-in interviewer's upcoming interviews in their own zone."""
    profile = current_user.interviewer_profile
    interviews = _upcoming_interviews(profile, utc_now()) if profile is not None else []
    return render_template("interviewer/home.html", profile=profile, interviews=interviews)
