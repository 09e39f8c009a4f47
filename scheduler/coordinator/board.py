"""The calendar board: every chosen interviewer's week (or day) on one screen, grouped by office,
in the zone the coordinator picks, with each office's local time, holidays and make-up days,
conflicts and cap overruns in words; an interview's details open on the board with the
reschedule, swap and cancel flows of scheduler/coordinator/booking.py, which come back here.
And the same week as an ICS file.

Everything the board shows is a GET form's query string, so every board is a link and it works
without JavaScript. Who may see it is the blueprint's role gate and the service's permission
check (coordinators and admins).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask import Response, render_template, request, url_for
from flask_login import current_user

from scheduler.coordinator import bp
from scheduler.coordinator.access import interview_or_404
from scheduler.coordinator.board_present import (
    CONFLICT_TEXTS, draw_board, office_clocks,
)
from scheduler.coordinator.forms import BOARD_VIEWS, BoardForm
from scheduler.coordinator.present import interview_cards
from scheduler.domain.availability import local_date, week_start
from scheduler.domain.intervals import to_epoch
from scheduler.i18n import (
    QUALIFICATION_LEVEL_LABELS, STAGE_KIND_LABELS, current_language, zone_columns,
)
from scheduler.models.requisition import INTERVIEW_KINDS
from scheduler.services.board import (
    BoardFilters, BoardWindow, board_view, board_window, export_board,
)
from scheduler.services.candidates import requisitions_with_stages
from scheduler.services.offices import list_offices
from scheduler.web import (
    day_label, parse_id, parse_ids, request_now, shows_candidate_data, warning_text,
)


@dataclass(frozen=True)
class BoardRequest:
    """What the query string asks for: the form, the window, the filters, and the parameters
    that keep them in every link of the page."""

    form: BoardForm
    view: str
    day: date
    window: BoardWindow
    filters: BoardFilters
    params: dict

    def link(self, **changes) -> str:
        """Return this board's address with *changes* (e.g. another day, an open interview)."""
        return url_for(".board", **(self.params | {"day": self.day.isoformat()} | changes))


def _board_request() -> BoardRequest:
    """Read the board's form from the query string; what is unreadable falls back to defaults."""
    form = BoardForm(formdata=request.args or None)
    offices = list_offices()
    form.offer(offices, requisitions_with_stages())
    form.validate()
    zone = form.chosen_zone(current_user.zone)
    view = form.view.data if form.view.data in BOARD_VIEWS else BOARD_VIEWS[0]
    # A day the form refused (not a date, or a year such as 1 or 9999) shows today instead.
    day = (form.day.data if form.day.data and not form.day.errors
           else local_date(zone, to_epoch(request_now())))
    known = {str(office.id) for office in offices}
    office_ids = sorted({int(v) for v in form.office.data or () if v in known})
    openings = {choice.value for choice in form.opening.choices}
    opening = form.opening.data if form.opening.data in openings else ""
    kind = form.kind.data if form.kind.data in INTERVIEW_KINDS else ""
    level = form.level.data if form.level.data in QUALIFICATION_LEVEL_LABELS else ""
    text = "" if form.q.errors else (form.q.data or "").strip()
    form.day.data, form.view.data = day, view
    form.office.data = [str(i) for i in office_ids]
    form.opening.data, form.kind.data, form.level.data = opening, kind, level
    first_day = day if view == "day" else week_start(day)
    filters = BoardFilters(office_ids=tuple(office_ids),
                           requisition_id=int(opening) if opening else None,
                           stage_kind=kind, min_level=level, text=text)
    params = {"view": view, "zone": zone, "office": office_ids, "opening": opening or None,
              "kind": kind or None, "level": level or None, "q": text or None}
    return BoardRequest(form, view, day, board_window(zone, first_day, 1 if view == "day" else 7),
                        filters, params)


@bp.get("/board")
@shows_candidate_data("board")
def board():
    """Show the calendar board: a week or a day of the chosen interviewers, by office."""
    asked = _board_request()
    now = request_now()
    shown = board_view(current_user, asked.filters, asked.window, now, current_language())
    # Every interview and row links here: one address each, built from one url_for.
    drawing = draw_board(shown, asked.link() + "&open=")
    export_link = url_for(".board_ics", **asked.params, day=asked.day.isoformat())
    step = timedelta(days=1 if asked.view == "day" else 7)
    open_id = parse_id(request.args.get("open"))
    return render_template(
        "coordinator/board.html", asked=asked, board=shown, drawing=drawing, open_id=open_id,
        details=_details(open_id, shown, asked), day_label=day_label, warning_text=warning_text,
        kind_labels=STAGE_KIND_LABELS, kinds=INTERVIEW_KINDS,
        previous_link=asked.link(day=(asked.day - step).isoformat()),
        next_link=asked.link(day=(asked.day + step).isoformat()),
        today_link=url_for(".board", **asked.params),
        export_link=export_link,
        export_person=lambda profile_id: f"{export_link}&interviewer={profile_id}",
        availability_link=_per_profile("availability.page"))


def _per_profile(endpoint: str):
    """Return profile id -> the address of *endpoint* for that profile, built by url_for once
    (a board links every row; building each address anew would cost more than the row)."""
    marker = "2147483647"
    address = url_for(endpoint, profile_id=int(marker))
    return lambda profile_id: address.replace(marker, str(profile_id))


def _details(interview_id: int | None, shown, asked: BoardRequest) -> dict | None:
    """Describe the opened interview: the application page's card (with its reschedule, swap and
    cancel, returning to this board), its time on the clock of every office on the board or on
    its panel, and its conflicts."""
    if interview_id is None:
        return None
    interview = interview_or_404(interview_id)
    zone = asked.window.zone
    columns = zone_columns(zone, current_user.zone, interview.application.candidate.zone)
    card = interview_cards([interview], columns, request_now())[0]
    conflicts = [(row.profile.user.name, [str(CONFLICT_TEXTS[kind]) for kind in item.conflicts])
                 for row in shown.rows for item in row.interviews
                 if item.interview.id == interview.id and item.conflicts]
    return {"card": card, "interview": interview, "conflicts": conflicts,
            # The board's offices, then those of a panel member filtered off the board.
            "clocks": office_clocks([group.office for group in shown.groups]
                                    + [seat.interviewer.office
                                       for seat in interview.active_assignments],
                                    interview.start_at),
            "close": asked.link(), "card_next": asked.link()}


@bp.get("/board.ics")
@shows_candidate_data("board_ics")
def board_ics():
    """Download the board's week (its offices, or the chosen interviewers) as an ICS file."""
    asked = _board_request()
    window = board_window(asked.window.zone, week_start(asked.day), 7)
    chosen = tuple(sorted(set(parse_ids(request.args.getlist("interviewer")))))
    body = export_board(current_user, replace(asked.filters, interviewer_ids=chosen), window,
                        request_now(), current_language())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="board-{window.first_day.isoformat()}.ics"')
    response.headers["Cache-Control"] = "private, no-store"
    return response
