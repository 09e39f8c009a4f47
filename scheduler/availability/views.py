"""Availability views: working hours, zone, time off, busy blocks, calendars, the feed, the week.

An interviewer opens their own page at /availability/; coordinators and admins open anyone's
from the list of interviewers (interviewers.py, with the profiles). Each POST changes one thing and returns to the page (anchored
at the section it changed); the request's edge commits it. A refused entry re-renders the page
with the message beside its form and changes nothing; a refused removal is flashed by the
blueprint's refusal handler. CSRFProtect checks every POST before these views run; the buttons' forms are
ActionForm, which only carries the token.
"""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.availability import bp
from scheduler.availability.forms import (
    ActionForm, CalDAVForm, CalendarFileForm, CalendarSourceForm, CalendarUrlForm, DateOverrideForm,
    ManualBlockForm, WeeklyHoursForm, ZoneForm,
)
from scheduler.availability.present import week_bars
from scheduler.extensions import db
from scheduler.i18n import current_language, zone_label
from scheduler.models import InterviewerProfile
from scheduler.services import calendars
from scheduler.services import permissions
from scheduler.services import working_hours as wh
from scheduler.services.errors import ServiceError
from scheduler.services.feeds import issue_feed_token, revoke_feed
from scheduler.services.week_view import week_view
from scheduler.web import (
    day_label, parse_day, request_now, show_refusal, shows_candidate_data, warning_text,
)

# How many import warnings a flash lists before summing up the rest.
WARNINGS_SHOWN = 5
# Each form has a prefix so that fields of two forms on one page never share an id.
FORMS = {
    "hours": (WeeklyHoursForm, "hours"),
    "zone": (ZoneForm, "zone"),
    "override": (DateOverrideForm, "override"),
    "block": (ManualBlockForm, "block"),
    "file": (CalendarFileForm, "file"),
    "url": (CalendarUrlForm, "url"),
    "caldav": (CalDAVForm, "caldav"),
}


def _profile(profile_id: int) -> InterviewerProfile:
    """Return the profile the signed-in person may manage, or stop with 404/403."""
    profile = db.session.get(InterviewerProfile, profile_id)
    if profile is None:
        abort(404)
    if not permissions.can_manage_availability(current_user, profile):
        abort(403)
    return profile


def _week_arg() -> date | None:
    """Return the ?week= date (any day of the wanted week), or None for this week."""
    text = request.args.get("week", "")
    if not text:
        return None
    week = parse_day(text)
    if week is None:  # not a date, or a year the week's arithmetic cannot reach
        abort(400)
    return week


def _back(profile: InterviewerProfile, anchor: str):
    week = request.args.get("week") or None
    return redirect(url_for("availability.page", profile_id=profile.id, week=week,
                            _anchor=anchor))


def _forms(profile: InterviewerProfile, submitted: str | None = None, form=None) -> dict:
    """Build every form of the page: *form* for the submitted one, the others empty."""
    forms = {}
    for name, (form_class, prefix) in FORMS.items():
        if name == submitted:
            forms[name] = form
        else:
            forms[name] = form_class(formdata=None, prefix=prefix)
    if submitted != "hours":
        forms["hours"].fill(wh.weekly_windows(profile))
    if submitted != "zone":
        forms["zone"].zone.data = profile.effective_zone
    return forms


def _render(profile: InterviewerProfile, *, submitted: str | None = None, form=None,
            status: int = 200):
    now = request_now()
    week_day = _week_arg() or wh.local_today(profile, now)
    week = week_view(profile, week_day, now, language=current_language(),
                     show_summaries=permissions.can_see_event_titles(current_user, profile))
    sources = [(source, calendars.source_problem(source))
               for source in calendars.calendar_sources(profile)]
    return render_template(
        "availability/page.html", profile=profile, week=week, bars=week_bars(week),
        named=permissions.named_interviews(
            current_user, [s.interview for day in week.days for s in day.interviews]),
        is_owner=permissions.is_own_profile(current_user, profile),
        can_make_feed=permissions.can_make_feed(current_user, profile),
        can_list_interviewers=permissions.can_list_interviewers(current_user),
        can_edit_profile=permissions.can_edit_interviewer_profiles(current_user),
        today=wh.local_today(profile, now), forms=_forms(profile, submitted, form),
        action=ActionForm(), overrides=wh.date_overrides(profile, now),
        blocks=calendars.manual_blocks(profile, now), sources=sources,
        weekday_names=wh.WEEKDAY_NAMES, week_arg=request.args.get("week") or None,
        zone_text=zone_label(now, week.zone), day_label=day_label, warning_text=warning_text,
        shown_address=calendars.shown_address, problem_text=lambda problem: problem.message(_),
    ), status


def _refused(profile: InterviewerProfile, name: str, form, error: ServiceError):
    """Show the page again with *error* beside the form (or the field) it concerns."""
    show_refusal(form, error)
    return _render(profile, submitted=name, form=form)


def _flash_import(outcome) -> None:
    """Say how an import went: blocks found, and any tolerated problems."""
    flash(_("Calendar “%(name)s” read: %(count)d busy times in the coming weeks.",
            name=outcome.source.name, count=outcome.block_count), "success")
    for problem in outcome.warnings[:WARNINGS_SHOWN]:
        flash(problem.message(_), "warning")
    if len(outcome.warnings) > WARNINGS_SHOWN:
        flash(_("%(count)d more problems were found and are not listed.",
                count=len(outcome.warnings) - WARNINGS_SHOWN), "warning")


def _remove(profile: InterviewerProfile, anchor: str, done_message: str, remove):
    """Run a removal and confirm it (a refusal goes to the blueprint's handler)."""
    remove()
    flash(done_message, "success")
    return _back(profile, anchor)


@bp.get("/")
def mine():
    """Open the signed-in person's own availability, or the list for coordinators."""
    profile = current_user.interviewer_profile
    if profile is not None:
        return redirect(url_for("availability.page", profile_id=profile.id))
    if permissions.can_list_interviewers(current_user):
        return redirect(url_for("availability.interviewers"))
    return render_template("availability/no_profile.html")


@bp.get("/<int:profile_id>")
@shows_candidate_data("week")
def page(profile_id: int):
    """Show an interviewer's availability page with the week of ?week= (default: this week)."""
    return _render(_profile(profile_id))


@bp.post("/<int:profile_id>/hours")
def save_hours(profile_id: int):
    """Replace the weekly working windows."""
    profile = _profile(profile_id)
    form = WeeklyHoursForm(prefix="hours")
    if not form.validate():
        return _render(profile, submitted="hours", form=form)
    try:
        wh.set_weekly_windows(current_user, profile, form.windows(), request_now())
    except ServiceError as error:
        return _refused(profile, "hours", form, error)
    flash(_("Working hours saved."), "success")
    return _back(profile, "hours")


@bp.post("/<int:profile_id>/zone")
def save_zone(profile_id: int):
    """Change the zone the working hours are in."""
    profile = _profile(profile_id)
    form = ZoneForm(prefix="zone")
    if not form.validate():
        return _render(profile, submitted="zone", form=form)
    try:
        wh.set_zone(current_user, profile, form.zone.data, request_now())
    except ServiceError as error:
        return _refused(profile, "zone", form, error)
    flash(_("Time zone saved: %(zone)s.", zone=profile.effective_zone), "success")
    return _back(profile, "hours")


@bp.post("/<int:profile_id>/overrides")
def add_override(profile_id: int):
    """Add time off or extra hours on a date."""
    profile = _profile(profile_id)
    form = DateOverrideForm(prefix="override")
    if not form.validate():
        return _render(profile, submitted="override", form=form)
    try:
        wh.add_date_override(current_user, profile, day=form.day.data,
                             is_available=form.kind.data == "extra", start=form.start.data,
                             end=form.end.data, note=form.note.data or "", now=request_now())
    except ServiceError as error:
        return _refused(profile, "override", form, error)
    flash(_("Added."), "success")
    return _back(profile, "time-off")


@bp.post("/<int:profile_id>/overrides/<int:override_id>/remove")
def remove_override(profile_id: int, override_id: int):
    """Remove a time-off or extra-hours entry."""
    profile = _profile(profile_id)
    return _remove(profile, "time-off", _("Removed."),
                   lambda: wh.remove_date_override(current_user, profile, override_id, request_now()))


@bp.post("/<int:profile_id>/blocks")
def add_block(profile_id: int):
    """Add a busy block typed by hand (local times in the interviewer's zone)."""
    profile = _profile(profile_id)
    form = ManualBlockForm(prefix="block")
    if not form.validate():
        return _render(profile, submitted="block", form=form)
    zone = profile.effective_zone
    start_at = wh.local_instant(zone, form.start.data.date(), form.start.data.time())
    end_at = wh.local_instant(zone, form.end.data.date(), form.end.data.time())
    try:
        calendars.add_manual_block(current_user, profile, start_at, end_at, request_now(),
                                   summary=form.summary.data or "")
    except ServiceError as error:
        return _refused(profile, "block", form, error)
    flash(_("Busy time added."), "success")
    return _back(profile, "busy")


@bp.post("/<int:profile_id>/blocks/<int:block_id>/remove")
def remove_block(profile_id: int, block_id: int):
    """Remove a hand-made busy block."""
    profile = _profile(profile_id)
    return _remove(profile, "busy", _("Removed."),
                   lambda: calendars.remove_manual_block(current_user, profile, block_id,
                                                         request_now()))


@bp.post("/<int:profile_id>/calendars/file")
def upload_calendar(profile_id: int):
    """Import an uploaded .ics file."""
    profile = _profile(profile_id)
    form = CalendarFileForm(prefix="file")
    if not form.validate():
        return _render(profile, submitted="file", form=form)
    upload = form.file.data
    try:
        outcome = calendars.import_calendar_file(current_user, profile, upload.filename or "",
                                                 upload.read(), request_now())
    except ServiceError as error:
        return _refused(profile, "file", form, error)
    _flash_import(outcome)
    return _back(profile, "calendars")


@bp.post("/<int:profile_id>/calendars/url")
def subscribe_calendar(profile_id: int):
    """Subscribe to an ICS address."""
    profile = _profile(profile_id)
    form = CalendarUrlForm(prefix="url")
    if not form.validate():
        return _render(profile, submitted="url", form=form)
    try:
        outcome = calendars.add_calendar_url(current_user, profile, form.url.data, request_now(),
                                             name=form.name.data or "")
    except ServiceError as error:
        return _refused(profile, "url", form, error)
    _flash_import(outcome)
    return _back(profile, "calendars")


@bp.post("/<int:profile_id>/calendars/caldav")
def connect_caldav(profile_id: int):
    """Connect a CalDAV account."""
    profile = _profile(profile_id)
    form = CalDAVForm(prefix="caldav")
    if not form.validate():
        return _render(profile, submitted="caldav", form=form)
    try:
        outcome = calendars.add_caldav_account(current_user, profile, form.url.data,
                                               form.username.data, form.password.data,
                                               request_now(), name=form.name.data or "")
    except ServiceError as error:
        return _refused(profile, "caldav", form, error)
    _flash_import(outcome)
    return _back(profile, "calendars")


@bp.post("/<int:profile_id>/calendars/<int:source_id>/refresh")
def refresh_calendar(profile_id: int, source_id: int):
    """Re-read one calendar now."""
    profile = _profile(profile_id)
    source = calendars.owned_source(profile, source_id)
    outcome = calendars.refresh_calendar_source(source, request_now())
    if outcome.is_ok:
        _flash_import(outcome)
    else:
        flash(_("Could not read “%(name)s”: %(problem)s", name=source.name,
                problem=outcome.error.message(_)), "error")
    return _back(profile, "calendars")


@bp.route("/<int:profile_id>/calendars/<int:source_id>/edit", methods=["GET", "POST"])
def edit_calendar(profile_id: int, source_id: int):
    """Rename a calendar, or change its address, user name or password (blank keeps them)."""
    profile = _profile(profile_id)
    source = calendars.owned_source(profile, source_id)
    form = CalendarSourceForm(prefix="source")
    if request.method == "GET":
        form.name.data = source.name
        form.username.data = source.username
    elif form.validate():
        try:
            outcome = calendars.change_calendar_source(
                current_user, profile, source.id, request_now(), name=form.name.data or "",
                url=form.url.data or "", password=form.password.data or "",
                username=(form.username.data or "") if source.kind == "caldav" else None)
        except ServiceError as error:
            show_refusal(form, error)
        else:
            if outcome.block_count or outcome.warnings:
                _flash_import(outcome)
            else:
                flash(_("Calendar “%(name)s” saved.", name=outcome.source.name), "success")
            return _back(profile, "calendars")
    # The stored secrets never go back into the page: the form shows what may be seen of them.
    form.url.data = ""
    form.password.data = ""
    page = render_template("availability/edit_calendar.html", profile=profile, source=source, form=form,
                           shown_address=calendars.shown_address(source.url),
                           week_arg=request.args.get("week") or None)
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/<int:profile_id>/calendars/<int:source_id>/remove")
def remove_calendar(profile_id: int, source_id: int):
    """Remove an imported calendar and its busy time."""
    profile = _profile(profile_id)
    return _remove(profile, "calendars", _("Calendar removed."),
                   lambda: calendars.remove_calendar_source(current_user, profile, source_id,
                                                              request_now()))


@bp.post("/<int:profile_id>/feed")
def make_feed(profile_id: int):
    """Make (or remake) the secret calendar-feed address and show it once."""
    profile = _profile(profile_id)
    if not permissions.can_make_feed(current_user, profile):
        abort(403)
    is_new = profile.feed_token_hash is None
    token = issue_feed_token(current_user, profile, request_now())
    page = render_template("availability/feed.html", profile=profile, is_new=is_new,
                           feed_url=url_for("feeds.interviewer_feed", token=token, _external=True))
    # The page holds a secret: no cache may keep it.
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/<int:profile_id>/feed/revoke")
def stop_feed(profile_id: int):
    """Turn the calendar-feed address off."""
    profile = _profile(profile_id)
    if profile.feed_token_hash is not None:
        revoke_feed(current_user, profile, request_now())
        flash(_("The calendar feed is off. Calendar apps subscribed to it stop updating."),
              "success")
    return _back(profile, "feed")
