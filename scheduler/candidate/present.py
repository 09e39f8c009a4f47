"""What the candidate pages show: slots grouped by local day, stage facts, where it happens.

Times are the candidate's wall-clock times, every one labelled with its zone. The panel is never
named, only counted. Slot lists can hold hundreds of starts, so each time is formatted with
strftime and the zone label is computed once per UTC offset; only day headings go through Babel.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date, get_timezone_gmt
from flask_babel import gettext, lazy_gettext as _l, ngettext

from scheduler.domain.slots import EARLY, LoopSlot, Slot
from scheduler.i18n import STAGE_MODE_LABELS, localized
from scheduler.models import Candidate, InterviewerProfile, StageTemplate
from scheduler.timeutil import to_zone
from scheduler.web import iso_utc

BEIJING = "Asia/Shanghai"
_DAY_PATTERNS = {"zh": "M月d日 EEEE", "en": "EEEE d MMMM"}
_FLAG_TEXT = {
    (EARLY, True): _l("early for you"),
    (EARLY, False): _l("early for an interviewer"),
    ("late", True): _l("late for you"),
    ("late", False): _l("late for an interviewer"),
}


def zone_short(instant: datetime, zone: str, language: str) -> str:
    """Return a short zone label for one instant: 北京时间, or the offset such as GMT+00:00."""
    if language == "zh" and zone == BEIJING:
        return "北京时间"
    return get_timezone_gmt(to_zone(instant, zone), width="long", locale=language)


@dataclass(frozen=True)
class SlotView:
    """One start the candidate can pick, as shown in their zone."""

    start_iso: str
    label: str
    zone: str
    notes: tuple[str, ...]
    is_current: bool


@dataclass(frozen=True)
class DayView:
    heading: str
    slots: tuple[SlotView, ...]


def flag_notes(slot: Slot | LoopSlot) -> tuple[str, ...]:
    """Return "early for you", "late for an interviewer"… for the slot's humane-hours flags."""
    notes = dict.fromkeys(str(_FLAG_TEXT[(flag.kind, flag.interviewer_id is None)])
                          for flag in slot.flags)
    return tuple(notes)


def group_by_day(slots, zone: str, language: str, *, max_days: int,
                 current_start: datetime | None = None) -> tuple[list[DayView], bool]:
    """Group slots by the candidate's local date; return the first *max_days* days and
    whether more days follow."""
    days: list[tuple[date, list[SlotView]]] = []
    labels: dict = {}
    for slot in slots:
        local_start = to_zone(slot.start_at, zone)
        local_end = to_zone(slot.end_at, zone)
        day = local_start.date()
        if not days or days[-1][0] != day:
            if len(days) == max_days:
                return _days(days, language), True
            days.append((day, []))
        offset = local_start.utcoffset()
        if offset not in labels:
            labels[offset] = zone_short(slot.start_at, zone, language)
        days[-1][1].append(SlotView(
            start_iso=iso_utc(slot.start_at),
            label=f"{local_start:%H:%M}–{local_end:%H:%M}",
            zone=labels[offset], notes=flag_notes(slot),
            is_current=current_start is not None and slot.start_at == current_start))
    return _days(days, language), False


def _days(days, language: str) -> list[DayView]:
    return [DayView(format_date(day, _DAY_PATTERNS[language], locale=language), tuple(slots))
            for day, slots in days]


@dataclass(frozen=True)
class StageFacts:
    """One stage as the candidate reads it: name, length, mode, panel size, what it is."""

    name: str
    minutes: int
    mode: str
    panel: str
    description: str


def stage_facts(stage: StageTemplate, language: str) -> StageFacts:
    """Describe a stage without naming anyone on its panel."""
    if stage.panel_size:
        panel = ngettext("%(num)d interviewer", "%(num)d interviewers", stage.panel_size)
    else:
        panel = gettext("no interviewer")
    return StageFacts(localized(stage, "name", language), stage.duration_minutes,
                      str(STAGE_MODE_LABELS.get(stage.mode, stage.mode)), panel,
                      localized(stage, "description", language))


def where_before_booking(stage: StageTemplate, lead: InterviewerProfile | None,
                         candidate: Candidate, language: str) -> str:
    """Say where the interview happens, or how its link or call reaches the candidate."""
    if stage.mode == "onsite":
        address = localized(lead.office, "address", language) if lead is not None else ""
        return gettext("At our office: %(address)s", address=address) if address else \
            gettext("At our office; the address comes with your calendar invitation.")
    if stage.mode == "video":
        return gettext("By video call: the link comes with your calendar invitation by email.")
    if stage.mode == "phone":
        return gettext("By phone: we call you at %(phone)s.", phone=candidate.phone) \
            if candidate.phone else gettext("By phone: we call you at the number you gave us.")
    return gettext("Online: the link to the test comes by email before it starts.")


@dataclass(frozen=True)
class TimeView:
    """A stage's time in the candidate's zone and in Beijing time."""

    stage: StageFacts
    local: str
    beijing: str | None


def time_view(stage: StageTemplate, start_at: datetime, end_at: datetime, zone: str,
              language: str) -> TimeView:
    """Describe one stage's time for the candidate, adding Beijing time when their zone differs."""
    from scheduler.i18n import format_local_range

    beijing = None if zone == BEIJING else format_local_range(start_at, end_at, BEIJING, language)
    return TimeView(stage_facts(stage, language),
                    format_local_range(start_at, end_at, zone, language), beijing)


@dataclass(frozen=True)
class RecipientView:
    """A recipient outside mainland China as the separate consent names it: the country, the
    company's offices there (name and address) and where to write to exercise one's rights."""

    country: str
    offices: tuple[tuple[str, str], ...]
    contact: str


def transfer_recipients(missing: dict, language: str, contact: str) -> list[RecipientView]:
    """Describe, per country, the offices outside mainland China a booking reaches (*missing*:
    country code -> offices, from services/consents.py)."""
    from scheduler.formatting import calendar_name

    return [RecipientView(calendar_name(country, language),
                          tuple((localized(o, "name", language), localized(o, "address", language))
                                for o in offices), contact)
            for country, offices in missing.items()]
