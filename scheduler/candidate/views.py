"""Candidate views: the pages behind a private scheduling link (no login).

Every page takes the token from its path. An unknown, malformed, expired or revoked token gets
one and the same friendly page and status (404) that reveal nothing; the reason is logged.
Pages and posts are rate limited per client address (CANDIDATE_PAGE_RATE_LIMIT and
CANDIDATE_POST_RATE_LIMIT in the config), sent with `Referrer-Policy: no-referrer` (the token
must not leak to other sites) and never cached. Times are shown in the zone stored on the
candidate; the page's script offers to switch to the browser's zone when it differs. Pages speak
the language stored on the candidate (the browser's only decides a dead link's page); the
language switch on the page stores the candidate's choice.

Refusals come worded for the candidate (services/link_booking.py): booking and cancelling answer
with a 409 page, the "none of these work" form shows them beside its fields, and the blueprint's
own handler flashes any other on the link's page. The request's edge commits a success and rolls
back the rest (scheduler/web.py).
"""
from __future__ import annotations

import functools

from datetime import datetime, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Response, current_app, flash, g, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from scheduler import ical
from scheduler.candidate import bp
from scheduler.candidate.forms import (
    BookForm, CancelForm, HoursForm, LanguageForm, NoneWorkForm, ZoneForm, parse_hhmm,
)
from scheduler.candidate.present import (
    group_by_day, stage_facts, time_view, transfer_recipients, where_before_booking,
)
from scheduler.extensions import db, limiter
from scheduler.i18n import (
    CANDIDATE_LANGUAGE_KEY, LANGUAGE_AUTONYMS, current_language, format_local_range, localized,
    use_candidate_language, zone_label,
)
from scheduler.models import Interview, InterviewerProfile, SchedulingLink
from scheduler.services import consents, invites
from scheduler.services.booking import SlotTaken
from scheduler.services.emails import company_name, organizer_address
from scheduler.services.errors import ServiceError
from scheduler.services.link_booking import (
    available_slots, book_from_link, can_change, cancel_from_link, candidate_hours,
    change_deadline, set_hours, slot_at, switch_language, switch_zone,
)
from scheduler.services.links import (
    LinkError, link_interviews, link_stages, live_interviews, mark_opened,
    none_of_these_work, open_link, proposal,
)
from scheduler.services.privacy_notices import current_version, privacy_contact
from scheduler.web import flash_refusal, iso_utc, parse_start, request_now, safe_next, show_refusal

# Per client address. Generous for reading; tight for changes, which cost a booking transaction.
PAGE_RATE_LIMIT = "60 per minute;600 per hour"
POST_RATE_LIMIT = "10 per minute;60 per hour"
DEFAULT_DAYS = 7
MAX_DAYS = 60


def _page_limit() -> str:
    return current_app.config.get("CANDIDATE_PAGE_RATE_LIMIT", PAGE_RATE_LIMIT)


def _post_limit() -> str:
    return current_app.config.get("CANDIDATE_POST_RATE_LIMIT", POST_RATE_LIMIT)


pages_limit = limiter.shared_limit(_page_limit, scope="candidate-pages")
posts_limit = limiter.shared_limit(_post_limit, scope="candidate-posts", methods=["POST"])


@bp.after_request
def _private_headers(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.context_processor
def _candidate_context() -> dict:
    token = (request.view_args or {}).get("token")
    # On a live link's pages the language switch stores the candidate's choice; a dead link's
    # page keeps the site's switch (this session only).
    switch = url_for(".language", token=token) if g.get(CANDIDATE_LANGUAGE_KEY) else None
    return {"company": company_name(), "contact": organizer_address(),
            "language_switch_action": switch}


def _message(title: str, message: str, status: int):
    return render_template("candidate/message.html", title=title, message=message), status


def _dead_link():
    return _message(_("This link does not work"),
                    _("The link may have expired, been replaced by a newer one, or been copied "
                      "incompletely. Write to the recruiting team and we will help you."), 404)


@bp.errorhandler(429)
def _too_many_requests(_error):
    return _message(_("Too many requests"),
                    _("This page was asked for too often from your connection. Wait a minute, "
                      "then reload it."), 429)


@bp.errorhandler(CSRFError)
def _form_expired(_error):
    return _message(_("This form has expired"),
                    _("Go back, reload the page and try again."), 400)


@bp.errorhandler(ServiceError)
def _refused(error: ServiceError):
    """Answer a refusal no view answers itself: say why on the link's own page (the candidate's
    browser sends no referrer here, so that page is where to go back to)."""
    flash_refusal(error.message)
    token = (request.view_args or {}).get("token")
    return _back_to_page(token) if token else _dead_link()


def _days_shown() -> int:
    try:
        return min(max(int(request.args.get("days", DEFAULT_DAYS)), 1), MAX_DAYS)
    except ValueError:
        return DEFAULT_DAYS


def _summary(link: SchedulingLink, now) -> dict:
    """Return what every state of the page says about the link: role, stages, zone."""
    language = current_language()
    stages = link_stages(link)
    candidate = link.application.candidate
    facts = [stage_facts(s, language) for s in stages]
    total = sum(f.minutes for f in facts) + link.break_minutes * (len(facts) - 1)
    return dict(link=link, stages=stages, facts=facts, total_minutes=total,
                role=localized(link.application.requisition, "title", language),
                candidate=candidate, zone=candidate.zone, language=language,
                zone_label=zone_label(now, candidate.zone, language))


def render_link_page(token: str, link: SchedulingLink, now, *, change: bool = False,
                     taken: bool = False, search=None, status: int = 200):
    """Render the link as it stands: times to pick, the booking, or its cancellation."""
    interviews = link_interviews(link)
    live = [i for i in interviews if i.status == Interview.SCHEDULED]
    context = _summary(link, now)
    if link.booked_at is not None and not live:
        return render_template("candidate/cancelled.html", token=token,
                               interviews=interviews, **context), status
    is_changeable = can_change(link, now)
    if live and not (change and is_changeable):
        return render_template("candidate/booked.html", token=token, **context,
                               **_booking_details(live, now, context["zone"],
                                                  context["language"]),
                               is_changeable=is_changeable,
                               deadline=change_deadline(link)), status
    search = search if search is not None else available_slots(link, now)
    hours = candidate_hours(link, context["stages"])
    days, has_more = group_by_day(search.slots, context["zone"], context["language"],
                                  max_days=_days_shown(),
                                  current_start=live[0].start_at if live else None)
    hours_form = HoursForm(formdata=None, day_start=hours.day_start.strftime("%H:%M"),
                           day_end=("24:00" if hours.day_end.hour == hours.day_end.minute == 0
                                    else hours.day_end.strftime("%H:%M")))
    current_times = [format_local_range(i.start_at, i.end_at, context["zone"], context["language"])
                     for i in live]
    return render_template(
        "candidate/pick.html", token=token, days=days, has_more=has_more,
        current_times=current_times,
        more_days=_days_shown() + DEFAULT_DAYS, taken=taken, change=bool(live), hours=hours,
        hours_form=hours_form, zone_form=ZoneForm(formdata=None, zone=context["zone"]),
        proposal=proposal(link),
        **context), status


def _booking_details(live, now, zone: str, language: str) -> dict:
    """Return the booked interviews' times, places and add-to-calendar links."""
    candidate = next(r for r in invites.everyone(live[0]) if r.is_candidate)
    rows = []
    for interview in live:
        event = invites.invite_event(interview, candidate)
        where = invites.interview_location(interview, language) or ""
        # A video room's address is a link to follow, not text to read.
        is_link = where.startswith(("https://", "http://"))
        rows.append(dict(
            time=time_view(interview.stage, interview.start_at, interview.end_at, zone, language),
            where="" if is_link else where, join_url=where if is_link else "",
            google=ical.google_calendar_url(event), outlook=ical.outlook_calendar_url(event)))
    return dict(bookings=rows, email=candidate.email)


def with_link(view):
    """Resolve the URL's token to its live link (and `now`), or answer with the dead-link page;
    the rest of the request speaks the language stored on the link's candidate."""

    @functools.wraps(view)
    def wrapper(token: str):
        now = request_now()
        link = open_link(token, now)
        if link is None:
            return _dead_link()
        use_candidate_language(link.application.candidate.language)
        return view(token, link, now)

    return wrapper


@bp.get("/")
@bp.get("/<path:token>")
@pages_limit
def unknown(token: str = ""):
    """Answer any other address under /schedule/ like an unknown link."""
    open_link(token, request_now())  # logs the refusal
    return _dead_link()


@bp.get("/<token>")
@pages_limit
@with_link
def page(token: str, link: SchedulingLink, now: datetime):
    """Show the link: times to pick, or the booking with its calendar links."""
    # The first opening is recorded with the page: the request's edge commits it on success.
    mark_opened(link, now)
    return render_link_page(token, link, now, change=request.args.get("change") == "1")


@bp.get("/<token>/confirm")
@pages_limit
@with_link
def confirm(token: str, link: SchedulingLink, now: datetime):
    """Show the chosen time in full, the privacy notice to acknowledge and, when the booking
    reaches staff outside mainland China, the separate consent, before booking it."""
    start_at = parse_start(request.args.get("start"))
    if start_at is None or (link.booked_at is not None and not can_change(link, now)):
        return redirect(url_for(".page", token=token))
    return _render_confirm(token, link, now, start_at,
                           BookForm(formdata=None, start=iso_utc(start_at)))


def _render_confirm(token: str, link: SchedulingLink, now: datetime, start_at: datetime,
                    form: BookForm, status: int = 200):
    """Render the confirm step for *start_at* with *form* (its errors shown), or the link's page
    with fresh times when that start is no longer offered."""
    live = live_interviews(link)
    context = _summary(link, now)
    slot = slot_at(link, start_at, now, context["stages"])
    if slot is None:
        return render_link_page(token, link, now, change=bool(live), taken=True, status=409)
    language, zone = context["language"], context["zone"]
    candidate = context["candidate"]
    rows = []
    for stage, part, panel in zip(context["stages"], slot.stage_slots, slot.panels):
        lead = db.session.get(InterviewerProfile, panel[0]) if panel else None
        rows.append(dict(time=time_view(stage, part.start_at, part.end_at, zone, language),
                         where=where_before_booking(stage, lead, candidate, language)))
    missing = consents.missing_countries(link.application, slot.panels)
    form.notice_version.data = current_version()
    form.countries.data = ",".join(missing)
    return render_template("candidate/confirm.html", token=token, form=form, rows=rows,
                           change=bool(live), current=live,
                           recipients=transfer_recipients(missing, language, privacy_contact()),
                           **context), status


@bp.post("/<token>/book")
@pages_limit
@posts_limit
@with_link
def book(token: str, link: SchedulingLink, now: datetime):
    """Book the chosen time, or move the booking to it."""
    form = BookForm()
    start_at = parse_start(form.start.data) if form.validate_on_submit() else None
    if start_at is None:
        flash(_("Pick one of the times on the page."), "error")
        return redirect(url_for(".page", token=token))
    was_booked = link.booked_at is not None
    try:
        book_from_link(link, start_at, now, reason=form.reason.data or "",
                       notice_version=form.acknowledged_version(),
                       cross_border_countries=form.agreed_countries())
    except SlotTaken as error:
        return render_link_page(token, link, now, change=was_booked, taken=True,
                                search=error.fresh, status=409)
    except LinkError as error:
        if error.field in ("acknowledge", "cross_border"):
            # Asked again on the confirm step, beside the box that was not ticked.
            show_refusal(form, error)
            return _render_confirm(token, link, now, start_at, form, status=400)
        return _message(_("This could not be booked"), error.message, 409)
    if was_booked:
        flash(_("Your interview has been moved. An updated invitation is on its way."),
              "success")
    return redirect(url_for(".page", token=token))


@bp.get("/<token>/no-consent")
@pages_limit
@with_link
def no_consent(token: str, link: SchedulingLink, now: datetime):
    """Say that nothing was booked because the candidate did not agree to their information
    going outside mainland China, and offer the recruiting mailbox instead."""
    return render_template("candidate/no_consent.html", token=token, **_summary(link, now))


@bp.get("/<token>/interview.ics")
@pages_limit
@with_link
def download(token: str, link: SchedulingLink, now: datetime):
    """Download the booked interview(s) as a calendar file in the candidate's zone."""
    live = live_interviews(link)
    if not live:
        return redirect(url_for(".page", token=token))
    candidate = next(r for r in invites.everyone(live[0]) if r.is_candidate)
    events = [invites.invite_event(i, candidate) for i in live]
    body = ical.build_download(events, dtstamp_at=now, zone=candidate.zone)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="interview.ics"'
    return response


def _back_to_page(token: str):
    change = "1" if request.form.get("change") == "1" else None
    return redirect(url_for(".page", token=token, change=change))


@bp.post("/<token>/zone")
@pages_limit
@posts_limit
@with_link
def zone(token: str, link: SchedulingLink, now: datetime):
    """Store the candidate's time zone; the times are then recomputed in it."""
    form = ZoneForm()
    if not form.validate_on_submit():
        flash(_("Choose a time zone."), "error")
        return _back_to_page(token)
    switch_zone(link, form.zone.data, now)
    flash(_("Times are now shown in %(zone)s.",
            zone=zone_label(now, link.application.candidate.zone)), "success")
    return _back_to_page(token)


def _page_of_link(token: str, target: str | None) -> str:
    """Return *target* when it is a page of this link that a browser may load again, else the
    link's main page."""
    target = safe_next(target)
    if target:
        try:
            endpoint, args = current_app.url_map.bind("").match(urlsplit(target).path,
                                                                 method="GET")
        except HTTPException:  # not found, or a POST-only address
            endpoint, args = "", {}
        if endpoint.startswith(f"{bp.name}.") and args.get("token") == token:
            return target
    return url_for(".page", token=token)


@bp.post("/<token>/language")
@pages_limit
@posts_limit
@with_link
def language(token: str, link: SchedulingLink, now: datetime):
    """Store the language chosen on the page: the candidate's pages and emails then use it."""
    form = LanguageForm()
    if form.validate_on_submit() and switch_language(link, form.language.data, now):
        use_candidate_language(form.language.data)
        flash(_("This page and our emails to you are now in %(language)s.",
                language=LANGUAGE_AUTONYMS[form.language.data]), "success")
    return redirect(_page_of_link(token, form.next.data))


@bp.post("/<token>/hours")
@pages_limit
@posts_limit
@with_link
def hours(token: str, link: SchedulingLink, now: datetime):
    """Store the local hours that suit the candidate."""
    form = HoursForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return _back_to_page(token)
    set_hours(link, parse_hhmm(form.day_start.data), parse_hhmm(form.day_end.data), now)
    flash(_("Showing times from %(start)s to %(end)s your time.", start=form.day_start.data,
            end=form.day_end.data), "success")
    return _back_to_page(token)


@bp.route("/<token>/none-work", methods=["GET", "POST"])
@pages_limit
@posts_limit
@with_link
def none_work(token: str, link: SchedulingLink, now: datetime):
    """Let the candidate propose other times or write a note to the recruiting team."""
    if live_interviews(link):
        return redirect(url_for(".page", token=token))
    context = _summary(link, now)
    form = NoneWorkForm()
    if form.validate_on_submit():
        zone_info = ZoneInfo(context["zone"])
        times = [local.replace(tzinfo=zone_info).astimezone(timezone.utc)
                 for local in form.local_times()]
        try:
            none_of_these_work(link, times, form.note.data or "", now)
        except LinkError as error:
            show_refusal(form, error)
        else:
            return render_template("candidate/none_work.html", token=token, form=None,
                                   proposal=proposal(link), sent=True, **context)
    return render_template("candidate/none_work.html", token=token, form=form,
                           proposal=proposal(link), sent=False, **context)


@bp.route("/<token>/cancel", methods=["GET", "POST"])
@pages_limit
@posts_limit
@with_link
def cancel(token: str, link: SchedulingLink, now: datetime):
    """Cancel the booking (a loop as a whole) before the cutoff, with an optional reason."""
    live = live_interviews(link)
    if not live:
        return redirect(url_for(".page", token=token))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            cancel_from_link(link, now, reason=form.reason.data or "")
        except LinkError as error:
            return _message(_("This could not be cancelled"), error.message, 409)
        flash(_("Your interview has been cancelled. A cancellation is on its way by email."),
              "success")
        return redirect(url_for(".page", token=token))
    if not can_change(link, now):
        return redirect(url_for(".page", token=token))
    context = _summary(link, now)
    times = [time_view(i.stage, i.start_at, i.end_at, context["zone"], context["language"])
             for i in live]
    return render_template("candidate/cancel.html", token=token, form=form, times=times,
                           **context)
