"""Interviewers' working hours: weekly windows, their zone, and time off or extra hours by date.

Every edit is validated as a whole before anything is written: a bad entry (an end before its
start, an unknown zone, windows that overlap, a date already past) raises WorkingHoursError (a
ServiceError) with a code and the form field it concerns, and leaves the rows as they were. Each
accepted change writes an audit event. Who may edit whose hours is asked of
scheduler/services/permissions.py. Services flush; the calling view commits.

Calendar sources and manual busy blocks are in calendars.py, admins' workday overrides in
workdays.py, and the week as a whole (free and busy time per day) in week_view.py.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Mapping, Sequence

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from scheduler.domain import availability as av
from scheduler.domain import intervals as iv
from scheduler.extensions import db
from scheduler.models import AvailabilityOverride, InterviewerProfile, Office, User, WorkingWindow
from scheduler.services.audit import record_event
from scheduler.services.availability_cache import bump_availability_version
from scheduler.services.errors import N_, ServiceError
from scheduler.services.permissions import check_can_manage_availability
from scheduler.timeutil import canonical_zone, is_valid_zone

WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                 _l("Saturday"), _l("Sunday"))
# The length of a note column (time off, extra hours, workday overrides).
NOTE_MAX = 200
# More would be a typing mistake rather than a working day.
MAX_WINDOWS_PER_DAY = 6


class WorkingHoursError(ServiceError):
    """An edit of working hours, time off or extra hours was refused."""

    messages = {
        "bad_weekday": N_("Choose a day from Monday to Sunday."),
        "too_many_windows": N_("%(day)s: at most %(max)d windows a day."),
        "window_backwards": N_("%(day)s: the window %(window)s ends before it starts. Use a start "
                               "earlier than the end, within one day."),
        "windows_overlap": N_("%(day)s: the windows %(first)s and %(second)s overlap. Join them "
                              "into one or make them separate."),
        "unknown_zone": N_("Unknown time zone: choose one from the list, such as Asia/Shanghai "
                           "or Europe/London."),
        "no_day": N_("Choose a date."),
        "day_passed": N_("%(day)s has already passed."),
        "half_a_span": N_("Give both a start and an end time, or neither for the whole day."),
        "extra_hours_need_times": N_("Extra hours need a start and an end time."),
        "end_not_after_start": N_("The end %(end)s is not after the start %(start)s."),
        "note_too_long": N_("Use at most %(max)d characters."),
        "override_overlaps": N_("This overlaps an entry you already have on %(day)s (%(times)s). "
                                "Remove that one first."),
        "entry_gone": N_("That entry no longer exists."),
    }


# --- weekly windows and zone ---------------------------------------------------------------------------

Window = tuple[time, time]


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _window_text(window: Window) -> str:
    return f"{_clock(window[0])}–{_clock(window[1])}"


def check_windows(weekday: int, windows: Sequence[Window]) -> list[Window]:
    """Return one weekday's windows sorted; raise WorkingHoursError for a bad or overlapping one."""
    if weekday not in range(7):
        raise WorkingHoursError("bad_weekday")
    day = WEEKDAY_NAMES[weekday]
    if len(windows) > MAX_WINDOWS_PER_DAY:
        raise WorkingHoursError("too_many_windows", f"day_{weekday}", day=day,
                                max=MAX_WINDOWS_PER_DAY)
    for start, end in windows:
        if not start < end:
            # Windows are wall-clock times within one day; "18:00–09:00" is a typing mistake.
            raise WorkingHoursError("window_backwards", f"day_{weekday}", day=day,
                                    window=_window_text((start, end)))
    ordered = sorted(windows)
    for first, second in zip(ordered, ordered[1:]):
        if second[0] < first[1]:
            raise WorkingHoursError("windows_overlap", f"day_{weekday}", day=day,
                                    first=_window_text(first), second=_window_text(second))
    return ordered


def weekly_windows(profile: InterviewerProfile) -> dict[int, list[Window]]:
    """Return the profile's windows per weekday (0 = Monday), sorted."""
    windows: dict[int, list[Window]] = {weekday: [] for weekday in range(7)}
    for row in profile.working_windows:
        windows[row.weekday].append((row.start_local, row.end_local))
    return {weekday: sorted(items) for weekday, items in windows.items()}


def _windows_snapshot(windows: Mapping[int, Sequence[Window]]) -> dict:
    return {str(weekday): [_window_text(w) for w in items]
            for weekday, items in sorted(windows.items()) if items}


def set_weekly_windows(actor: User, profile: InterviewerProfile,
                       windows: Mapping[int, Sequence[Window]], now: datetime) -> None:
    """Replace the profile's weekly windows (local times in its zone); days not given are off."""
    check_can_manage_availability(actor, profile)
    checked = {weekday: check_windows(weekday, items) for weekday, items in windows.items()}
    before = weekly_windows(profile)
    after = {weekday: checked.get(weekday, []) for weekday in range(7)}
    if before == after:
        return
    profile.working_windows = [
        WorkingWindow(weekday=weekday, start_local=start, end_local=end)
        for weekday, items in sorted(after.items()) for start, end in items]
    db.session.flush()
    bump_availability_version([profile.id])
    record_event(actor, "working_hours.changed", profile, now=now,
                 before=_windows_snapshot(before), after=_windows_snapshot(after))


def stored_zone(office: Office, zone: str | None) -> str | None:
    """Return what a profile at *office* stores for its own *zone* (a canonical name or None)."""
    # NULL means "the office's zone": it then follows the office if that ever moves.
    return None if not zone or zone == office.zone else zone


def set_zone(actor: User, profile: InterviewerProfile, zone: str, now: datetime) -> None:
    """Set the zone the profile's working hours are in (and the person's own display zone)."""
    check_can_manage_availability(actor, profile)
    zone = canonical_zone(zone)
    if not is_valid_zone(zone):
        raise WorkingHoursError("unknown_zone", "zone")
    before = profile.effective_zone
    if zone == before and profile.user.zone == zone:
        return
    profile.zone = stored_zone(profile.office, zone)
    profile.user.zone = zone
    db.session.flush()
    bump_availability_version([profile.id])
    record_event(actor, "interviewer_zone.changed", profile, now=now,
                 before={"zone": before}, after={"zone": zone})


# --- time off and extra hours -------------------------------------------------------------------------------

def local_today(profile: InterviewerProfile, now: datetime) -> date:
    """Return today's date in the profile's zone."""
    return av.local_date(profile.effective_zone, iv.to_epoch(now))


def local_instant(zone: str, day: date, clock: time) -> datetime:
    """Return the UTC instant of a local wall time (the engine's gap and repeat rules)."""
    seconds = clock.hour * 3600 + clock.minute * 60 + clock.second
    return iv.from_epoch(av.wall_clock_epoch(zone, day, seconds))


def date_overrides(profile: InterviewerProfile, now: datetime) -> list[AvailabilityOverride]:
    """Return the profile's time off and extra hours from today on, by date."""
    return list(db.session.scalars(
        sa.select(AvailabilityOverride)
        .where(AvailabilityOverride.interviewer_id == profile.id,
               AvailabilityOverride.day >= local_today(profile, now))
        .order_by(AvailabilityOverride.day, AvailabilityOverride.start_local)))


def _override_span(start: time | None, end: time | None) -> tuple[int, int]:
    """Return an override's seconds of the day; no times means the whole day."""
    if start is None:
        return 0, av.DAY_SECONDS
    return av.seconds_of_day(start, end)


def add_date_override(actor: User, profile: InterviewerProfile, *, day: date, is_available: bool,
                      start: time | None, end: time | None, note: str, now: datetime,
                      ) -> AvailabilityOverride:
    """Add extra hours (*is_available*) or time off on one local date; raise WorkingHoursError."""
    check_can_manage_availability(actor, profile)
    note = (note or "").strip()
    if day is None:
        raise WorkingHoursError("no_day", "day")
    if day < local_today(profile, now):
        raise WorkingHoursError("day_passed", "day", day=day.isoformat())
    if (start is None) != (end is None):
        raise WorkingHoursError("half_a_span", "end")
    if is_available and start is None:
        raise WorkingHoursError("extra_hours_need_times", "start")
    if start is not None and not start < end:
        raise WorkingHoursError("end_not_after_start", "end", start=_clock(start),
                                end=_clock(end))
    if len(note) > NOTE_MAX:
        raise WorkingHoursError("note_too_long", "note", max=NOTE_MAX)
    span = _override_span(start, end)
    for other in db.session.scalars(sa.select(AvailabilityOverride).where(
            AvailabilityOverride.interviewer_id == profile.id, AvailabilityOverride.day == day,
            AvailabilityOverride.is_available.is_(is_available))):
        other_span = _override_span(other.start_local, other.end_local)
        if span[0] < other_span[1] and other_span[0] < span[1]:
            raise WorkingHoursError("override_overlaps", "start", day=day.isoformat(),
                                    times=_override_times(other))
    override = AvailabilityOverride(interviewer_id=profile.id, day=day, start_local=start,
                                    end_local=end, is_available=is_available, note=note)
    db.session.add(override)
    db.session.flush()
    bump_availability_version([profile.id])
    record_event(actor, "availability_override.added", override, now=now,
                 after=_override_snapshot(override))
    return override


def _override_times(override: AvailabilityOverride) -> str:
    if override.start_local is None:
        return _l("whole day")
    return _window_text((override.start_local, override.end_local))


def _override_snapshot(override: AvailabilityOverride) -> dict:
    return {"day": override.day.isoformat(), "is_available": override.is_available,
            "start": _clock(override.start_local) if override.start_local else None,
            "end": _clock(override.end_local) if override.end_local else None,
            "note": override.note}


def remove_date_override(actor: User, profile: InterviewerProfile, override_id: int,
                         now: datetime) -> None:
    """Remove one of the profile's time-off or extra-hours entries."""
    check_can_manage_availability(actor, profile)
    override = db.session.get(AvailabilityOverride, override_id)
    if override is None or override.interviewer_id != profile.id:
        raise WorkingHoursError("entry_gone")
    record_event(actor, "availability_override.removed", override, now=now,
                 before=_override_snapshot(override))
    db.session.delete(override)
    db.session.flush()
    bump_availability_version([profile.id])
