"""A small opening with hand-worked pipeline figures, shared by the service and page tests of the
overview (services/pipeline_stats.py, coordinator/overview.py).

The period is the coordinator's days from 20 days before today to tomorrow (Beijing), so that
everything placed `T(d, h)` — d days and h hours after its start, d < 20 — is in the past, and a
due time a day after now is still inside it, at any NOW. By hand:

- funnel (created in the period: a1 at the phone screen, a2 at the system design, a3 rejected
  there, a4 with an offer): 4, 3, 1, 1 and 1 offer made; conversions 75%, 33%, 100%, 100%;
- link sent to booked: 3 h, 24 h, 54 h (median 24 h, p90 54 h); 3 sent in the period, 1 waiting;
- interview to decision: 6 h and 24 h (median 15 h, p90 24 h); a hold and an offer without an
  interview are not timed;
- feedback: 1 on time, 2 late (one submitted late, one missing), 1 not due yet;
- offers: 1 within the SLA, 1 late, 1 clock run out with no offer;
- load: p1 (cap 2) four seats, three of them on one day (two of another opening); p2 (London,
  no cap) two; an inactive interviewer with no seats is not listed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from scheduler.models import InterviewerProfile, Requisition, StageDecision, User
from tests import factories as f
from tests.clock import BEIJING, at_local, local_today

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
FIRST_DAY = local_today() - timedelta(days=20)
LAST_DAY = local_today() + timedelta(days=1)
START = at_local(FIRST_DAY, "00:00")
END = at_local(LAST_DAY + timedelta(days=1), "00:00")


@dataclass(frozen=True)
class PipelineWorld:
    requisition: Requisition
    coordinator: User
    p1: InterviewerProfile      # Beijing, weekly cap 2
    p2: InterviewerProfile      # London, no cap


def T(days, hours=0):
    """The instant *days* and *hours* after the period's start (Beijing has no DST)."""
    return START + days * DAY + hours * HOUR


def decide(application, stage, outcome, at, by, **kw):
    return f._save(StageDecision(application=application, stage=stage, outcome=outcome,
                                 decided_at=at, decided_by_id=by.id, **kw))


def held(application, stage, panel, start_at, submitted=()):
    interview = f.make_interview(application=application, stage=stage, panel=panel,
                                 start_at=start_at)
    for person, at in submitted:
        f.make_feedback(interview, person, submitted_at=at)
    return interview


def build_opening(db, now) -> PipelineWorld:
    """Build the opening of the hand-worked figures (see the module's docstring)."""
    coordinator = f.make_user(roles=("coordinator",), zone=BEIJING)
    requisition = f.make_requisition(stages=[
        {"kind": "phone_screen", "name_en": "Phone screen", "feedback_due_hours": 24},
        {"kind": "system_design", "panel_size": 2, "feedback_due_hours": 48},
        {"kind": "hr_final", "name_en": "HR final"},
        {"kind": "offer", "name_en": "Offer", "panel_size": 0, "sla_days": 14}])
    s1, s2, _s3, s4 = requisition.stages
    p1 = f.make_interviewer(weekly_cap=2, qualifications={"phone_screen": "qualified"})
    london = f.make_office(zone="Europe/London", calendar_key="GB-ENG")
    p2 = f.make_interviewer(office=london)
    inactive = f.make_user(is_active=False)
    f.make_interviewer(user=inactive)                                # no seats: not listed

    # Funnel cohort (created in the period): a1 at s1, a2 at s2, a3 rejected at s2, a4 offer.
    a1 = f.make_application(requisition=requisition, created_at=T(1))
    a2 = f.make_application(requisition=requisition, created_at=T(2), current_stage=s2)
    a3 = f.make_application(requisition=requisition, created_at=T(3), current_stage=s2,
                            status="rejected")
    a4 = f.make_application(requisition=requisition, created_at=T(4), current_stage=s4,
                            status="offer", offer_due_at=T(18))
    # Older: a5's clock ran out in the period with no offer; a6's offer came a day late.
    a5 = f.make_application(requisition=requisition, created_at=START - 5 * DAY,
                            current_stage=s4, offer_due_at=T(10))
    a6 = f.make_application(requisition=requisition, created_at=START - 30 * DAY,
                            current_stage=s4, status="offer", offer_due_at=T(11))

    # Links: booked after 3 h, 24 h and 54 h (a5's was sent before the period); a3's waits.
    f.make_link(a1, created_at=T(1, 2), booked_at=T(1, 5))
    f.make_link(a2, stages=[s1], created_at=T(2), booked_at=T(3))
    f.make_link(a3, stages=[s2], created_at=T(3))
    f.make_link(a5, stages=[s1], created_at=START - 2 * DAY, booked_at=T(0, 6))
    f.make_link(a6, stages=[s1], created_at=START - 40 * DAY, booked_at=START - 39 * DAY)

    # Interviews, feedback and decisions.
    held(a2, s1, [p1], T(2, 10), submitted=[(p1, T(3, 1))])        # due T(3, 11): on time
    decide(a2, s1, "advance", T(3, 11), coordinator)               # 24 h after its end
    held(a3, s2, [p1, p2], T(5, 2), submitted=[(p1, T(7, 5))])     # due T(7, 3): p1 late,
    decide(a3, s2, "reject", T(5, 9), coordinator,                 # p2 missing; 6 h after
            reason_code="skills")
    decide(a1, s1, "hold", T(6), coordinator)                      # a hold: not timed
    decide(a4, s4, "offer", T(8), coordinator)                     # no interview; in time
    decide(a6, s4, "offer", T(12), coordinator)                    # late (due T(11))
    # Held two hours ago: due in 22 h, inside the period, not submitted: not due yet.
    held(a1, s1, [p2], now - 3 * HOUR)
    # Cancelled: its seats are freed; it counts nowhere.
    cancelled = f.make_interview(application=a2, stage=s2, panel=[p1, p2], start_at=T(9))
    cancelled.status = "cancelled"
    for seat in cancelled.assignments:
        seat.is_active = False
    # Another opening's interviews: they count toward p1's weekly load (a cap is across
    # openings) and nowhere else.
    other = f.make_requisition(title_en="Data Engineer", title_zh="数据工程师",
                               stages=[{"kind": "phone_screen", "feedback_due_hours": 24}])
    for hours in (12, 14):
        held(f.make_application(requisition=other, created_at=T(1)), other.stages[0], [p1],
              T(2, hours))
    db.session.flush()
    return PipelineWorld(requisition, coordinator, p1, p2)


