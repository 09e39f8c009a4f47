"""How the calendar board is drawn: instants as a share of the window's width, rulers of local
time per zone, interviews as blocks with their stage's colour *and* pattern *and* a text label,
and everything wrong with the week in words.

The board itself (rows, working and busy time, interviews, conflicts, office days) comes from
scheduler/services/board.py. Positions are percentages of the window, so the same drawing
fills a laptop or scrolls inside its box on a phone; the page's CSP forbids inline styles, so
they are SVG attributes. The time axis is linear in real time: a daylight-saving day is an hour
shorter or longer, and every ruler's ticks are that zone's own wall-clock hours.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scheduler.coordinator.present import person_label
from scheduler.domain import availability as av
from scheduler.domain import intervals as iv
from scheduler.domain.conflicts import DAY, OUTSIDE_HOURS, OVERLAPS_BUSY, OVERLAPS_INTERVIEW
from scheduler.domain.workdays import HOLIDAY, MAKEUP_WORKDAY, WEEKEND
from scheduler.i18n import localized, zone_label
from scheduler.services.board import Board, BoardRow, OfficeGroup, window_days
from scheduler.web import day_label

CONFLICT_TEXTS = {
    OVERLAPS_BUSY: _l("Overlaps busy time"),
    OVERLAPS_INTERVIEW: _l("Overlaps another interview"),
    OUTSIDE_HOURS: _l("Outside working hours"),
}
DAY_KIND_TEXTS = {
    WEEKEND: _l("Weekend"),
    HOLIDAY: _l("Public holiday"),
    MAKEUP_WORKDAY: _l("Make-up working day"),
}
# Hours between the ticks of a ruler: a week shows quarter days, a day every hour.
WEEK_TICK_HOURS, DAY_TICK_HOURS = 6, 1
MARK = "⚠"
# About the width of an interview's label, as a share of the track: a label that would be cut
# shorter by the next interview goes on a second line.
LABEL_SHARE = 9.0
ROW_HEIGHT, LANE_HEIGHT, FIRST_LANE_Y = 46, 16, 27


class Tick(NamedTuple):
    """An hour of a zone's wall clock on a ruler."""

    x: str
    label: str
    is_midnight: bool


@dataclass(frozen=True)
class Band:
    """A local day on a ruler: where it lies, what kind of day it is, and its label."""

    x: str
    width: str
    day: str  # ISO date, for the page's readers and its tests
    kind: str
    label: str
    is_today: bool = False


@dataclass(frozen=True)
class Ruler:
    """One zone's local time across the window: its days and its hours."""

    name: str
    zone: str
    bands: list[Band]
    ticks: list[Tick]


class Span(NamedTuple):
    """A stretch of a row: working or busy time (tuples of text: thousands per board, and the
    garbage collector need not follow them)."""

    x: str
    width: str


@dataclass(frozen=True)
class Block:
    """An interview on a row: the bar, its label beside it (cut where the next begins), the
    words for it, and the link that opens its details."""

    interview_id: int
    kind: str
    x: str
    width: str
    label_x: str
    label_width: str
    label_y: int
    label: str
    title: str
    href: str
    is_conflict: bool
    is_faint: bool


@dataclass(frozen=True)
class RowDrawing:
    row: BoardRow
    name: str
    zone: str  # their own zone when it is not their office's, else ""
    # Working and busy time as one SVG path each, in ten-thousandths of the track's width (a
    # board has thousands of stretches: one element per row, not one per stretch).
    working_path: str
    busy_path: str
    busy: list[Span]  # the day view also writes "Busy" in each stretch
    blocks: list[Block]
    flags: list[str]
    height: int


@dataclass(frozen=True)
class GroupDrawing:
    group: OfficeGroup
    name: str
    ruler: Ruler
    notes: list[str]  # the office's holidays, make-up days and admins' notes in the window
    rows: list[RowDrawing]


@dataclass(frozen=True)
class Flag:
    """Something wrong on the board, in words, with the interview it concerns (if any)."""

    who: str
    what: str
    when: str
    href: str | None


@dataclass(frozen=True)
class BoardDrawing:
    ruler: Ruler
    now_x: str | None
    now_label: str
    groups: list[GroupDrawing]
    flags: list[Flag]


class _Scale:
    """Turns instants into percentages of the window's width (thousands of times a board)."""

    def __init__(self, board: Board):
        self.lower = iv.to_epoch(board.window.start_at)
        self.upper = iv.to_epoch(board.window.end_at)
        self.unit = 100 / (self.upper - self.lower)

    def share(self, epoch: float) -> float:
        return (min(max(epoch, self.lower), self.upper) - self.lower) * self.unit

    def x(self, instant: datetime) -> str:
        return f"{self.share(instant.timestamp()):.3f}%"

    def path(self, stretches) -> str:
        """Return [(start, end), …] (within the window) as one path of unit-high boxes on a
        0–10,000 scale."""
        lower, unit = self.lower, 100 * self.unit
        parts = []
        for start_at, end_at in stretches:
            start = start_at.timestamp()
            width = max((end_at.timestamp() - start) * unit, 5)
            parts.append(f"M{(start - lower) * unit:.1f} 0h{width:.1f}v1h-{width:.1f}z")
        return "".join(parts)

    def span(self, start_at: datetime, end_at: datetime) -> Span:
        start, end = self.share(start_at.timestamp()), self.share(end_at.timestamp())
        return Span(f"{start:.3f}%", f"{max(end - start, 0.05):.3f}%")


def draw_board(board: Board, open_link: str) -> BoardDrawing:
    """Return the drawing of *board*; *open_link* + an interview's id is the address that opens
    its details on the board."""
    scale = _Scale(board)
    zone = board.window.zone
    today = board.now.astimezone(ZoneInfo(zone)).date()
    ruler = Ruler(_("Your time"), zone_label(board.window.start_at, zone),
                  [Band(*_band_place(scale, start_at, end_at), day.isoformat(), "",
                        day_label(day), is_today=day == today)
                   for day, start_at, end_at in window_days(board.window, zone)],
                  _ticks(scale, zone, board.window.day_count))
    is_now_shown = board.window.start_at <= board.now < board.window.end_at
    writer = _Writer(zone, open_link)
    groups = [_draw_group(scale, board, group, writer) for group in board.groups]
    clock = board.now.astimezone(ZoneInfo(zone)).strftime("%H:%M")
    return BoardDrawing(ruler, scale.x(board.now) if is_now_shown else None,
                        _("Now %(time)s", time=clock), groups, writer.flags)


class _Writer:
    """Words for the interviews of one board: labels, times in the board's zone, the flags."""

    def __init__(self, zone: str, open_link: str):
        self.zone, self.tz, self.open_link = zone, ZoneInfo(zone), open_link
        self.days: dict = {}
        self.flags: list[Flag] = []

    def when(self, start_at: datetime, end_at: datetime) -> str:
        """Say "Tue 1 Dec 10:00–11:00 (Asia/Shanghai)" (the day of the start, in the zone)."""
        start, end = start_at.astimezone(self.tz), end_at.astimezone(self.tz)
        day = self.days.get(start.date())
        if day is None:
            day = self.days[start.date()] = day_label(start.date())
        return f"{day} {start:%H:%M}–{end:%H:%M} ({self.zone})"


def _band_place(scale: _Scale, start_at: datetime, end_at: datetime) -> tuple[str, str]:
    span = scale.span(start_at, end_at)
    return span.x, span.width


def _ticks(scale: _Scale, zone: str, day_count: int) -> list[Tick]:
    """Return the ruler's ticks: every few wall-clock hours of *zone* inside the window (an hour
    skipped by a daylight-saving change has none)."""
    step = DAY_TICK_HOURS if day_count == 1 else WEEK_TICK_HOURS
    day = av.local_date(zone, scale.lower)
    last = av.local_date(zone, scale.upper - 1)
    ticks = []
    while day <= last:
        for hour in range(0, 24, step):
            at = av.existing_wall_clock_epoch(zone, day, hour * 3600)
            if at is not None and scale.lower <= at < scale.upper:
                ticks.append(Tick(f"{scale.share(at):.3f}%", f"{hour:02d}:00", hour == 0))
        day += timedelta(days=1)
    return ticks


def _day_text(kind: str, day, holiday: str | None, note: str) -> str:
    """Say what an office's day is: "Sat 10 Oct · Make-up working day · National Day"."""
    parts = [day_label(day)]
    if kind in DAY_KIND_TEXTS:
        parts.append(str(DAY_KIND_TEXTS[kind]))
    if holiday and kind in (HOLIDAY, MAKEUP_WORKDAY):
        parts.append(holiday)
    if note:
        parts.append(note)
    return " · ".join(parts)


def _draw_group(scale: _Scale, board: Board, group: OfficeGroup, writer: _Writer
                ) -> GroupDrawing:
    office = group.office
    bands = [Band(*_band_place(scale, d.start_at, d.end_at), d.day.isoformat(), d.kind,
                  _day_text(d.kind, d.day, d.holiday_name, d.note)) for d in group.days]
    ruler = Ruler(localized(office), zone_label(board.window.start_at, office.zone), bands,
                  _ticks(scale, office.zone, board.window.day_count))
    notes = [band.label for band, d in zip(bands, group.days)
             if d.kind in (HOLIDAY, MAKEUP_WORKDAY) or d.note]
    is_day = board.window.day_count == 1
    rows = [_draw_row(scale, row, writer, is_day) for row in group.rows]
    return GroupDrawing(group, localized(office), ruler, notes, rows)


def _draw_row(scale: _Scale, row: BoardRow, writer: _Writer, with_busy_spans: bool
              ) -> RowDrawing:
    profile = row.profile
    items = sorted(row.interviews, key=lambda item: (item.interview.start_at, item.interview.id))
    starts = [scale.share(item.interview.start_at.timestamp()) for item in items]
    lanes: list[int] = []
    for n in range(len(items)):
        is_crowded = n > 0 and lanes[-1] == 0 and starts[n] - starts[n - 1] < LABEL_SHARE
        lanes.append(1 if is_crowded else 0)
    blocks, row_flags = [], []
    for n, item in enumerate(items):
        interview = item.interview
        span = scale.span(interview.start_at, interview.end_at)
        label_end = next((start for start, lane in zip(starts[n + 1:], lanes[n + 1:])
                          if lane == lanes[n] and start > starts[n]), 100.0)
        # Another opening's interview shows as time taken, without its candidate (least access).
        text = (f"{localized(interview.stage)} · {interview.application.candidate.name}"
                if item.is_named else _("Interview — another opening"))
        when = writer.when(interview.start_at, interview.end_at)
        problems = [str(CONFLICT_TEXTS[kind]) for kind in item.conflicts]
        href = f"{writer.open_link}{interview.id}#details" if item.is_named else ""
        blocks.append(Block(interview.id, interview.stage.kind, span.x, span.width, span.x,
                            f"{max(label_end - starts[n], 0.05):.3f}%",
                            FIRST_LANE_Y + LANE_HEIGHT * lanes[n],
                            f"{MARK} {text}" if problems else text,
                            " · ".join([text, when, *problems]), href, bool(problems),
                            not item.is_match))
        if problems:
            writer.flags.append(Flag(person_label(profile), _(", ").join(problems),
                                     f"{text} · {when}", href))
    if row.conflict_count:
        row_flags.append(_("%(num)d with a conflict", num=row.conflict_count))
    for overrun in row.overruns:
        text = _overrun_text(overrun)
        row_flags.append(text)
        writer.flags.append(Flag(person_label(profile), text, "", None))
    return RowDrawing(row, profile.user.name, row.zone if row.zone != profile.office.zone else "",
                      scale.path(row.working), scale.path(row.busy),
                      [scale.span(a, b) for a, b in row.busy] if with_busy_spans else [],
                      blocks, row_flags, ROW_HEIGHT + LANE_HEIGHT * max(lanes, default=0))


def _overrun_text(overrun) -> str:
    if overrun.period == DAY:
        return _("Over the daily limit on %(day)s: %(count)d interviews, limit %(cap)d",
                 day=day_label(overrun.first_day), count=overrun.count, cap=overrun.cap)
    return _("Over the weekly limit in the week of %(day)s: %(count)d interviews, limit %(cap)d",
             day=day_label(overrun.first_day), count=overrun.count, cap=overrun.cap)


def office_clocks(offices, start_at: datetime) -> list[tuple[str, str]]:
    """Return (offices, local day and time) of *start_at* for *offices*, one entry per zone in
    their order: ("Beijing, Shanghai", "Wed 9 Dec 10:00 (Asia/Shanghai)")."""
    names: dict[str, list[str]] = {}
    for office in offices:
        zone_names = names.setdefault(office.zone, [])
        if localized(office) not in zone_names:
            zone_names.append(localized(office))
    clocks = []
    for zone, zone_names in names.items():
        local = start_at.astimezone(ZoneInfo(zone))
        clocks.append((_(", ").join(zone_names),
                       f"{day_label(local.date())} {local:%H:%M} ({zone})"))
    return clocks
