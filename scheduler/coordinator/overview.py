"""The pipeline overview (issue 20): one opening's funnel, link-to-booking and interview-to-decision
times, interviewers' weekly load against their caps, feedback on time and offers within the SLA,
over days the coordinator picks (the last four weeks unless they pick others), each as a small
server-drawn SVG chart (templates/_macros/charts.html) with its numbers beside it.

The period's days are the coordinator's calendar days, turned into UTC instants here (the edge);
the figures are scheduler/services/pipeline_stats.py's, whose domain module says what each
counts. This module only shapes them for the page; its GET form lives here, beside the board's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import Optional

from scheduler.coordinator import bp
from scheduler.coordinator.pipeline_board import OneOpening
from scheduler.domain.availability import local_date, wall_clock_epoch
from scheduler.domain.intervals import from_epoch, to_epoch
from scheduler.domain.pipeline_stats import Durations
from scheduler.extensions import db
from scheduler.i18n import format_duration, localized
from scheduler.models import Requisition
from scheduler.services.openings import openings_seen_by
from scheduler.services.pipeline_stats import PipelineStatsRefused, build_pipeline_overview
from scheduler.web import day_label, request_now, show_refusal

HOUR = timedelta(hours=1)
# The period unless the coordinator picks another: the last four weeks, today included.
DEFAULT_DAYS = 28


class OverviewForm(OneOpening, FlaskForm):
    """Which opening the overview counts, over which days (GET): the first and last day are
    dates on the coordinator's calendar, both included."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    opening = SelectField(_l("Opening"), default="", validate_choice=False)
    first_day = DateField(_l("First day"), validators=[Optional()])
    last_day = DateField(_l("Last day"), validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def chosen_days(self, today) -> tuple:
        """Return the (first, last) day asked for; a missing or unreadable one is the default:
        the last DEFAULT_DAYS days up to *today*."""
        last = self.last_day.data if not self.last_day.errors and self.last_day.data else today
        first = (self.first_day.data if not self.first_day.errors and self.first_day.data
                 else last - timedelta(days=DEFAULT_DAYS - 1))
        self.first_day.data, self.last_day.data = first, last
        return first, last


@dataclass(frozen=True)
class DurationFigure:
    """A set of durations as the page shows them: words, and hours for the chart."""

    count: int
    median: str
    p90: str
    longest: str
    hours: tuple[float, ...]
    median_hours: float | None
    p90_hours: float | None


def duration_figure(durations: Durations) -> DurationFigure:
    """Return *durations* in the reader's words and in hours (the chart's scale)."""
    def words(value):
        return format_duration(value) if value is not None else "—"

    def hours(value):
        return value / HOUR if value is not None else None

    longest = durations.values[-1] if durations.values else None
    return DurationFigure(durations.count, words(durations.median), words(durations.p90),
                          words(longest), tuple(v / HOUR for v in durations.values),
                          hours(durations.median), hours(durations.p90))


def percent(rate: float | None) -> str:
    """Return a rate as a whole percentage ("60%"), or a dash when there is none."""
    return "—" if rate is None else f"{round(rate * 100)}%"


def funnel_rows(overview) -> list[dict]:
    """Return the funnel's steps with their names, counts and conversions for the page."""
    rows = []
    for n, step in enumerate(overview.stats.funnel, start=1):
        stage = overview.stages.get(step.stage_id)
        rows.append({"number": n, "name": localized(stage) if stage else _("Offer made"),
                     "reached": step.reached, "conversion": percent(step.conversion),
                     "share": percent(step.share)})
    return rows


def load_rows(overview) -> tuple[list[dict], list[str]]:
    """Return the interviewers who sat in these weeks with their weeks, busiest first, then by
    name (each with the height its chart is drawn to: its peak or its cap), and the names of
    those who did not."""
    rows = [{"name": overview.interviewers[row.interviewer_id].name, "load": row,
             "scale": max(1, row.peak, row.weekly_cap or 0)}
            for row in overview.stats.load.rows]
    busy = sorted((r for r in rows if r["load"].total), key=lambda r: (-r["load"].total, r["name"]))
    return busy, sorted(r["name"] for r in rows if not r["load"].total)


@bp.get("/overview")
def overview():
    """Show an opening's figures over the chosen days: funnel, times, load, feedback, offers."""
    form = OverviewForm(request.args)
    form.set_openings(openings_seen_by(current_user))
    form.validate()
    now, zone = request_now(), current_user.zone
    first_day, last_day = form.chosen_days(local_date(zone, to_epoch(now)))
    opening_id = form.chosen_opening()
    figures, status = None, 200
    if opening_id is not None:
        try:
            figures = build_pipeline_overview(
                current_user, db.session.get(Requisition, opening_id),
                start_at=from_epoch(wall_clock_epoch(zone, first_day, 0)),
                end_at=from_epoch(wall_clock_epoch(zone, last_day + timedelta(days=1), 0)),
                now=now)
        except PipelineStatsRefused as error:
            show_refusal(form, error)
            status = 422
    context = {"form": form, "figures": figures, "zone": zone}
    if figures is not None:
        stats = figures.stats
        load, idle = load_rows(figures)
        context |= {
            "funnel": funnel_rows(figures),
            "funnel_summary": _(", ").join(
                f"{row['name']} {row['reached']}" for row in funnel_rows(figures)),
            "link_times": duration_figure(stats.link_to_booking.durations),
            "decision_times": duration_figure(stats.interview_to_decision),
            "weeks": [day_label(week) for week in stats.load.weeks],
            "load": load, "idle": idle,
            "percent": percent,
        }
    return render_template("coordinator/overview.html", **context), status
