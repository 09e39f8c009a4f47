"""The numbers the hiring team lives by, for one opening over a chosen period (issue 20): the
funnel, link sent to booked, interview to decision, interviews per interviewer per week against
their caps, feedback on time, and offers made within the SLA. Pure: plain facts and `now` in,
plain figures out; services/pipeline_stats.py loads the facts.

What each figure counts (the overview page says the same in words):

- The period is half-open, [start_at, end_at), in UTC instants.
- Funnel: a cohort, the applications created in the period. An application has reached a stage
  when its current stage is at that stage's position or later (a rejection leaves the
  application at the stage it failed, so it reached that one and no later). "Offer made" counts
  the applications with an offer (or a hire). Conversion is a step's count over the step
  before's (None when that is 0).
- Link sent to booked: the links booked in the period, from the first sending (`sent_at`; a
  resend does not restart the clock) to the booking. Links sent in the period and not booked
  (yet) are counted beside it.
- Interview to decision: the decisions that judge (advance, reject, offer; a hold judges
  nothing) taken in the period on a stage where an interview took place before the decision,
  from the end of the last such interview to the decision.
- Durations: the median (the middle value, or the mean of the two middle values) and the 90th
  percentile by nearest rank (the ⌈0.9·n⌉-th smallest value).
- Load: whole weeks, Monday to Sunday, that overlap the period on the viewer's calendar; each
  interviewer's seats count in the interviewer's own local week, as their caps do (every active
  seat counts, as in the slot engine). A week is over the cap above it, at the cap on it.
- Feedback on time: each author of each interview held whose feedback fell due in the period.
  On time: submitted by the due time. Late: submitted after it, or still missing at `now`. Not
  yet due and not submitted: not counted (how it ends is not known yet).
- Offers within the SLA: the offers made in the period, within the SLA when made by the offer
  clock's due time; an offer without a clock is counted apart. Beside it, the clocks that ran
  out in the period with the application still open and no offer.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

# Decisions that judge the candidate (a hold only pauses).
JUDGING_OUTCOMES = ("advance", "reject", "offer")
# Application statuses that mean an offer was made.
OFFER_STATUSES = ("offer", "hired")
# Statuses of an application still in the process (its offer clock still runs).
OPEN_STATUSES = ("active", "on_hold")
# Exact, so that ⌈0.9·n⌉ is never pushed up by a float (0.9 × 70 = 63.00000000000001).
P90 = Fraction(9, 10)


# --- Facts in ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    start_at: datetime
    end_at: datetime

    def __contains__(self, instant: datetime | None) -> bool:
        return instant is not None and self.start_at <= instant < self.end_at


@dataclass(frozen=True)
class StageFact:
    """One live stage of the opening."""

    id: int
    position: int


@dataclass(frozen=True)
class ApplicationFact:
    id: int
    created_at: datetime
    status: str
    stage_position: int | None      # the current stage's position (None: no stage yet)
    offer_due_at: datetime | None = None


@dataclass(frozen=True)
class LinkFact:
    sent_at: datetime               # first sent (the link's creation)
    booked_at: datetime | None


@dataclass(frozen=True)
class DecisionFact:
    application_id: int
    stage_id: int
    outcome: str
    decided_at: datetime


@dataclass(frozen=True)
class InterviewFact:
    """An interview that took place or will (not cancelled, not a no-show)."""

    application_id: int
    stage_id: int
    end_at: datetime


@dataclass(frozen=True)
class InterviewerFact:
    id: int
    zone: str
    weekly_cap: int | None


@dataclass(frozen=True)
class SeatFact:
    """One active panel seat: whose, and when it starts."""

    interviewer_id: int
    start_at: datetime


@dataclass(frozen=True)
class FeedbackDueFact:
    """One author's feedback on one held interview: when due, and when submitted (if)."""

    due_at: datetime
    submitted_at: datetime | None


# --- Figures out ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FunnelStep:
    stage_id: int | None            # None for "offer made"
    reached: int
    conversion: float | None        # over the step before; None for the first or after a 0
    share: float | None             # over the first step; None when that is 0


@dataclass(frozen=True)
class Durations:
    values: tuple[timedelta, ...]   # sorted
    median: timedelta | None
    p90: timedelta | None

    @property
    def count(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class LinkTiming:
    durations: Durations            # links booked in the period: sent -> booked
    sent: int                       # links sent in the period
    waiting: int                    # of those, not booked


@dataclass(frozen=True)
class InterviewerLoad:
    interviewer_id: int
    weekly_cap: int | None
    counts: tuple[int, ...]         # one per week of Load.weeks
    weeks_over: int
    weeks_at: int

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def peak(self) -> int:
        return max(self.counts, default=0)


@dataclass(frozen=True)
class Load:
    weeks: tuple[date, ...]         # the Mondays
    rows: tuple[InterviewerLoad, ...]


@dataclass(frozen=True)
class OnTime:
    on_time: int
    late: int
    not_due: int                    # due in the period but later than now, not submitted

    @property
    def counted(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> float | None:
        return self.on_time / self.counted if self.counted else None


@dataclass(frozen=True)
class OfferSla:
    within: int
    late: int
    without_clock: int
    missed: int                     # clocks run out in the period, still open, no offer

    @property
    def made(self) -> int:
        return self.within + self.late + self.without_clock

    @property
    def rate(self) -> float | None:
        timed = self.within + self.late
        return self.within / timed if timed else None


@dataclass(frozen=True)
class PipelineStats:
    funnel: tuple[FunnelStep, ...]
    link_to_booking: LinkTiming
    interview_to_decision: Durations
    load: Load
    feedback: OnTime
    offers: OfferSla


# --- The maths --------------------------------------------------------------------------------

def nearest_rank(values: Sequence, fraction: Fraction):
    """Return the ⌈fraction·n⌉-th smallest of *values* (sorted), or None when there are none."""
    if not values:
        return None
    return values[max(1, math.ceil(Fraction(fraction) * len(values))) - 1]


def durations(values: Iterable[timedelta]) -> Durations:
    """Return *values* sorted with their median and 90th percentile (nearest rank)."""
    ordered = tuple(sorted(values))
    if not ordered:
        return Durations((), None, None)
    middle = len(ordered) // 2
    median = (ordered[middle] if len(ordered) % 2
              else (ordered[middle - 1] + ordered[middle]) / 2)
    return Durations(ordered, median, nearest_rank(ordered, P90))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def funnel(stages: Sequence[StageFact], applications: Iterable[ApplicationFact],
           period: Period) -> tuple[FunnelStep, ...]:
    """Return how many of the applications created in *period* reached each stage (in position
    order), then how many got an offer, with each step's conversion."""
    cohort = [a for a in applications if a.created_at in period]
    counts: list[tuple[int | None, int]] = [
        (stage.id, sum(1 for a in cohort if a.stage_position is not None
                       and a.stage_position >= stage.position))
        for stage in sorted(stages, key=lambda s: s.position)]
    counts.append((None, sum(1 for a in cohort if a.status in OFFER_STATUSES)))
    first = counts[0][1]
    steps = []
    for index, (stage_id, reached) in enumerate(counts):
        conversion = _ratio(reached, counts[index - 1][1]) if index else None
        steps.append(FunnelStep(stage_id, reached, conversion, _ratio(reached, first)))
    return tuple(steps)


def link_timing(links: Iterable[LinkFact], period: Period) -> LinkTiming:
    """Return how long the links booked in *period* waited, and how many sent in it wait."""
    links = list(links)
    sent = [link for link in links if link.sent_at in period]
    return LinkTiming(
        durations(link.booked_at - link.sent_at for link in links if link.booked_at in period),
        len(sent), sum(1 for link in sent if link.booked_at is None))


def decision_delays(decisions: Iterable[DecisionFact], interviews: Iterable[InterviewFact],
                    period: Period) -> Durations:
    """Return the time from each judging decision's last interview (of its application and
    stage, ended before it) to the decision, over the decisions taken in *period*."""
    ends = defaultdict(list)
    for interview in interviews:
        ends[(interview.application_id, interview.stage_id)].append(interview.end_at)
    delays = []
    for decision in decisions:
        if decision.outcome not in JUDGING_OUTCOMES or decision.decided_at not in period:
            continue
        before = [end for end in ends[(decision.application_id, decision.stage_id)]
                  if end <= decision.decided_at]
        if before:
            delays.append(decision.decided_at - max(before))
    return durations(delays)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def period_weeks(period: Period, zone: str) -> tuple[date, ...]:
    """Return the Mondays of the weeks that overlap *period* on *zone*'s calendar."""
    tz = ZoneInfo(zone)
    first = monday(period.start_at.astimezone(tz).date())
    last = monday((period.end_at - timedelta(microseconds=1)).astimezone(tz).date())
    weeks = []
    while first <= last:
        weeks.append(first)
        first += timedelta(days=7)
    return tuple(weeks)


def load(interviewers: Iterable[InterviewerFact], seats: Iterable[SeatFact], period: Period,
         zone: str) -> Load:
    """Return each interviewer's seats per week (in their own zone's weeks) over the weeks
    that overlap *period* on *zone*'s calendar, against their weekly cap."""
    weeks = period_weeks(period, zone)
    index = {week: n for n, week in enumerate(weeks)}
    interviewers = list(interviewers)
    zones = {i.id: ZoneInfo(i.zone) for i in interviewers}
    counts = {i.id: [0] * len(weeks) for i in interviewers}
    for seat in seats:
        if seat.interviewer_id not in zones:
            continue
        week = index.get(monday(seat.start_at.astimezone(zones[seat.interviewer_id]).date()))
        if week is not None:
            counts[seat.interviewer_id][week] += 1
    rows = []
    for interviewer in interviewers:
        row = counts[interviewer.id]
        cap = interviewer.weekly_cap
        rows.append(InterviewerLoad(
            interviewer.id, cap, tuple(row),
            weeks_over=sum(1 for n in row if cap is not None and n > cap),
            weeks_at=sum(1 for n in row if cap is not None and n == cap)))
    return Load(weeks, tuple(rows))


def feedback_on_time(due: Iterable[FeedbackDueFact], period: Period, now: datetime) -> OnTime:
    """Return how much of the feedback due in *period* came on time, came late or is missing
    past its due time (late too), and how much is not due yet."""
    on_time = late = not_due = 0
    for item in due:
        if item.due_at not in period:
            continue
        if item.submitted_at is not None and item.submitted_at <= item.due_at:
            on_time += 1
        elif item.submitted_at is not None or item.due_at <= now:
            late += 1
        else:
            not_due += 1
    return OnTime(on_time, late, not_due)


def offers_within_sla(applications: Iterable[ApplicationFact],
                      decisions: Iterable[DecisionFact], period: Period,
                      now: datetime) -> OfferSla:
    """Return how many offers made in *period* beat their clock, and how many clocks ran out in
    it (by *now*) on applications still open with no offer."""
    applications = list(applications)
    clocks = {a.id: a.offer_due_at for a in applications}
    within = late = without_clock = 0
    for decision in decisions:
        if decision.outcome != "offer" or decision.decided_at not in period:
            continue
        due_at = clocks.get(decision.application_id)
        if due_at is None:
            without_clock += 1
        elif decision.decided_at <= due_at:
            within += 1
        else:
            late += 1
    missed = sum(1 for a in applications
                 if a.status in OPEN_STATUSES and a.offer_due_at in period
                 and a.offer_due_at <= now)
    return OfferSla(within, late, without_clock, missed)


def pipeline_stats(*, period: Period, now: datetime, zone: str, stages: Sequence[StageFact],
                   applications: Sequence[ApplicationFact], links: Sequence[LinkFact],
                   decisions: Sequence[DecisionFact], interviews: Sequence[InterviewFact],
                   interviewers: Sequence[InterviewerFact], seats: Sequence[SeatFact],
                   feedback_due: Sequence[FeedbackDueFact]) -> PipelineStats:
    """Return every figure of the overview for *period*, as of *now*; *zone* is the viewer's
    (it sets which weeks overlap the period)."""
    return PipelineStats(
        funnel=funnel(stages, applications, period),
        link_to_booking=link_timing(links, period),
        interview_to_decision=decision_delays(decisions, interviews, period),
        load=load(interviewers, seats, period, zone),
        feedback=feedback_on_time(feedback_due, period, now),
        offers=offers_within_sla(applications, decisions, period, now))
