"""The demo's held interviews and their feedback (issue 18): weeks of submitted history, so the
calibration page has something to show, and a few recent interviews whose feedback is overdue,
due, or a saved draft, so an interviewer's home and the nudges have something to do.

Interviews are inserted as rows, as the feedback tests do: booking refuses the past. Each is
found again by a stable calendar UID, so loading twice adds nothing. Times count back from the
demo's `now` (frozen or real), so the history is always in the past and "due in 4 hours" stays
true whenever the demo is loaded. One interviewer scores kindly (Oliver Smith, +1) and one
harshly (孙丽, −1) on top of each candidate's level, so calibration shows both.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.models import (
    Application, Candidate, Feedback, FeedbackScore, Interview, InterviewerAssignment,
    InterviewerProfile, Requisition, User,
)
from scheduler.services import reminders
from scheduler.services.emails import mail_domain
from scheduler.services.rubrics import rubric_definition, rubric_for_stage

# Candidates seen weeks ago and turned down or withdrawn: more panels for calibration.
# name, email, phone, zone, language, level, stage position (1..6), status (as people.CANDIDATES)
FEEDBACK_CANDIDATES = [
    ("周伟", "wei.zhou@example.org", "+86 135 1000 0013", "Asia/Shanghai", "zh",
     "mid", 3, "rejected"),
    ("Emily Chen", "emily.chen@example.org", "+1 206 555 0117", "America/Los_Angeles", "en",
     "senior", 4, "rejected"),
    ("吴佳怡", "jiayi.wu@example.org", "+86 133 1000 0015", "Asia/Shanghai", "zh",
     "junior", 3, "withdrawn"),
    # Interviewed in the last few days, feedback still coming in: candidates of their own, so the
    # demo's candidates waiting to be booked stay bookable.
    ("Sophie Martin", "sophie.martin@example.org", "+44 20 7946 0321", "Europe/London", "en",
     "mid", 3, "active"),
    ("Ryan Park", "ryan.park@example.org", "+1 415 555 0142", "America/Los_Angeles", "en",
     "senior", 3, "active"),
    ("郑雪", "xue.zheng@example.org", "+86 139 1000 0016", "Asia/Shanghai", "zh",
     "junior", 1, "active"),
]

# How each interviewer's scores lean, on top of the candidate's level on a criterion.
LEANINGS = {"oliver.smith@example.com": 1, "sun.li@example.com": -1}
SUBMITTED, DRAFT, OWED = "submitted", "draft", "owed"


@dataclass(frozen=True)
class HeldInterview:
    key: str                   # makes the calendar UID: found again on a second load
    candidate: str             # the candidate's email
    position: int              # the stage's position in the opening
    ended_ago: timedelta       # how long before the demo's now it ended
    panel: tuple[str, ...]     # interviewers' emails, the lead first
    states: tuple[str, ...]    # per panel member: SUBMITTED, DRAFT or OWED
    late_hours: tuple[int, ...] = ()  # per member: hours after the end they submitted


DAY, HOUR = timedelta(days=1), timedelta(hours=1)
_OLIVER, _SUN, _LI, _ZHANG, _HUANG = (f"{name}@example.com" for name in (
    "oliver.smith", "sun.li", "li.wei", "zhang.min", "huang.jun"))
_BOTH = (SUBMITTED, SUBMITTED)
HELD = [
    # Weeks of submitted system-design panels (stage 3), deep dives (4) and an HR final (5).
    HeldInterview("sd-jiaxin", "jiaxin.huang@example.org", 3, 20 * DAY, (_OLIVER, _ZHANG), _BOTH),
    HeldInterview("sd-aarav", "aarav.sharma@example.org", 3, 18 * DAY, (_LI, _SUN), _BOTH,
                  (2, 40)),
    HeldInterview("sd-haoran", "haoran.sun@example.org", 3, 25 * DAY, (_OLIVER, _HUANG), _BOTH),
    HeldInterview("sd-ken", "ken.sato@example.org", 3, 35 * DAY, (_LI, _SUN), _BOTH),
    HeldInterview("sd-zihan", "zihan.liu@example.org", 3, 15 * DAY, (_OLIVER, _SUN), _BOTH,
                  (30, 50)),
    HeldInterview("sd-wei", "wei.zhou@example.org", 3, 40 * DAY, (_HUANG, _SUN), _BOTH),
    HeldInterview("sd-emily", "emily.chen@example.org", 3, 45 * DAY, (_OLIVER, _LI), _BOTH),
    HeldInterview("sd-jiayi", "jiayi.wu@example.org", 3, 50 * DAY, (_ZHANG, _SUN), _BOTH),
    HeldInterview("dd-haoran", "haoran.sun@example.org", 4, 24 * DAY, ("wu.xia@example.com",),
                  (SUBMITTED,)),
    HeldInterview("dd-ken", "ken.sato@example.org", 4, 34 * DAY, ("ma.chao@example.com",),
                  (SUBMITTED,)),
    HeldInterview("dd-emily", "emily.chen@example.org", 4, 44 * DAY, (_OLIVER,), (SUBMITTED,)),
    HeldInterview("hr-ken", "ken.sato@example.org", 5, 33 * DAY, ("wang.fang@example.com",),
                  (SUBMITTED,)),
    # Recent: Oliver owes Sophie Martin's (overdue) and has a draft on Ryan Park's (due within
    # hours); 王芳 owes 郑雪's phone screen, which ended two hours ago.
    HeldInterview("sd-sophie", "sophie.martin@example.org", 3, 3 * DAY, (_OLIVER, _ZHANG),
                  (OWED, SUBMITTED)),
    HeldInterview("sd-ryan", "ryan.park@example.org", 3, 20 * HOUR, (_OLIVER, _LI),
                  (DRAFT, OWED)),
    HeldInterview("ps-xue", "xue.zheng@example.org", 1, 2 * HOUR,
                  ("wang.fang@example.com",), (OWED,)),
]


def load_demo_feedback(requisition: Requisition, now: datetime) -> None:
    """Insert whichever held interview of HELD is missing, with its feedback and its nudges."""
    profiles = {p.user.email: p for p in db.session.scalars(
        sa.select(InterviewerProfile).join(User, User.id == InterviewerProfile.user_id))}
    stages = {stage.position: stage for stage in requisition.stages}
    for index, held in enumerate(HELD):
        uid = f"demo-{held.key}@{mail_domain()}"
        if db.session.scalar(sa.select(Interview.id).where(Interview.calendar_uid == uid)):
            continue
        application = db.session.scalar(
            sa.select(Application).join(Candidate, Candidate.id == Application.candidate_id)
            .where(Candidate.email == held.candidate,
                   Application.requisition_id == requisition.id))
        stage = stages[held.position]
        end_at = now - held.ended_ago
        start_at = end_at - timedelta(minutes=stage.duration_minutes)
        interview = Interview(
            application=application, stage=stage, start_at=start_at, end_at=end_at,
            status=Interview.SCHEDULED, calendar_uid=uid, sequence=0,
            video_url="https://meet.example.com/demo", created_at=start_at - 7 * DAY,
            updated_at=start_at - 7 * DAY)
        interview.assignments = [
            InterviewerAssignment(interviewer_id=profiles[email].id,
                                  role="lead" if n == 0 else "member", start_at=start_at,
                                  end_at=end_at, is_active=True)
            for n, email in enumerate(held.panel)]
        db.session.add(interview)
        db.session.flush()
        for n, (email, state) in enumerate(zip(held.panel, held.states)):
            if state != OWED:
                late = held.late_hours[n] if held.late_hours else 3
                _feedback(interview, profiles[email], application, index, state,
                          submitted_at=end_at + timedelta(hours=late))
        reminders.schedule_reminders(interview, now)
    db.session.flush()


def _feedback(interview: Interview, profile: InterviewerProfile, application: Application,
              index: int, state: str, submitted_at: datetime) -> None:
    """Write *profile*'s feedback on *interview*: scores from the candidate's level on each
    criterion and the interviewer's leaning; a draft stops halfway."""
    rubric = rubric_for_stage(interview.stage)
    definition = rubric_definition(rubric)
    language = profile.user.language
    leaning = LEANINGS.get(profile.user.email, 0)
    scores = []
    for k, criterion in enumerate(definition.criteria):
        # The candidate's level on the criterion: varied across candidates and criteria.
        level = 1 + (index * 3 + k * 2 + index * k) % 4
        score = min(4, max(1, level + leaning))
        if state == DRAFT and k >= len(definition.criteria) // 2:
            score = None
        note = ("" if score is None else
                f"{criterion.text('name', language)}: " + (
                    "例子具体，取舍讲得清楚。" if language == "zh" else
                    "Concrete examples; the trade-offs were clear."))
        scores.append(FeedbackScore(criterion_code=criterion.code, score=score, evidence=note))
    given = [s.score for s in scores if s.score is not None]
    average = sum(given) / len(given)
    recommendation = ("strong_yes" if average >= 3.5 else "yes" if average >= 2.5 else
                      "no" if average >= 1.5 else "strong_no")
    is_submitted = state == SUBMITTED
    db.session.add(Feedback(
        interview_id=interview.id, interviewer_id=profile.id, rubric=rubric, scores=scores,
        recommendation=recommendation if is_submitted else None,
        hire_level=application.level if is_submitted else None,
        strengths="思路清晰。" if language == "zh" else "Structured thinking.",
        concerns="线上经验较少。" if language == "zh" else "Little production experience.",
        submitted_at=submitted_at if is_submitted else None,
        created_at=interview.end_at, updated_at=submitted_at))
