"""Coordinator views that change interviews: book a chosen time (confirming the panel seat by
seat), reschedule, cancel, and swap one panel member. Rescheduling, cancelling and swapping
return to the coordinator page named by `next` (the calendar board, say), else to the
application's page.

Every change goes through scheduler/services/booking.py, which locks, re-checks and writes the
audit trail and the invites; these views read the forms and call it, and the request's edge
commits (scheduler/web.py). A time lost to someone else (`SlotTaken.is_time_lost`) brings back
the list with fresh times, and a panel that does not fit the confirm form with the reasons, both
as 409 (rolled back); any other refusal is flashed on the application page. A booking, move or swap
that reaches staff outside mainland China the candidate has not consented to asks, on its form,
for the date their consent was received by email (`consent_received_on`, read beside the seats;
services/consents.py); without it the refusal is shown above the form.
"""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.coordinator import bp
from scheduler.coordinator.access import application_or_404, interview_or_404
from scheduler.coordinator.applications import render_application
from scheduler.coordinator.feedback import assign_booked_reviewer, offer_reviewers
from scheduler.coordinator.forms import (
    BREAK_CHOICES, DEFAULT_BREAK, BookForm, CancelForm, RescheduleForm, SlotViewForm, SwapForm,
)
from scheduler.coordinator.present import (
    blocker_text, labels, panel_times, people, problem_texts, refusal_message, seat_choices,
    slot_days,
)
from scheduler.coordinator.present_times import column_ranges, zone_note
from scheduler.i18n import current_language, format_local_range, localized, zone_columns
from scheduler.models import Application, Interview
from scheduler.services.consents import (
    ConsentError, GivenConsent, country_list, missing_countries,
)
from scheduler.services.booking import (
    BookingError, SlotTaken, book_interview, book_loop, booking_refusal, cancel_interview,
    loop_stage_starts, loop_stages, reschedule_interview, stages_to_book, swap_interviewer,
)
from scheduler.services.slot_search import (
    check_booking, find_slots, flag_hours, seat_replacements, suggest_replacements,
)
from scheduler.web import (
    flash_refusal, iso_utc, parse_day, parse_id, parse_start, request_now, safe_next,
    shows_candidate_data,
)


def _email_consent() -> GivenConsent | None:
    """Read the date the candidate's consent to staff outside mainland China came by email."""
    received_on = parse_day(request.form.get("consent_received_on"))
    return GivenConsent(email_received_on=received_on) if received_on else None


def _posted_panels(sizes) -> list[list[int]] | None:
    """Read the seat selects of the confirm form; None when one is missing or not a number."""
    panels = []
    for index, size in enumerate(sizes):
        panel = []
        for n in range(size):
            value = parse_id(request.form.get(f"seat-{index}-{n}"))
            if value is None:
                return None
            panel.append(value)
        panels.append(panel)
    return panels


def _posted_break(text: str | None, default: int) -> int:
    """Read the break between a loop's stages in minutes (ASCII digits: `"²".isdigit()` is true
    but `int("²")` fails), or *default* when there is none."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else default


def _render_confirm(*, mode: str, application: Application, stages, start_at: datetime,
                    end_at: datetime, panels, form, zone: str, back: str, action: str,
                    brk: int = 0, exclude=(), errors=(), status: int = 200):
    """Render the confirm form: the time in each zone shown, each seat with who else could sit
    there (everyone in their own zone, with the humane flags), and the place."""
    now = request_now()
    replacements = seat_replacements(application, stages, start_at, panels, now,
                                     break_minutes=brk, exclude_interview_ids=exclude)
    offered = [[*panel, *(p.id for seat in seats for p in seat)]
               for panel, seats in zip(panels, replacements)]
    flags = flag_hours(application, stages, start_at, offered, now, break_minutes=brk,
                       exclude_interview_ids=exclude)
    who = people({i for ids in offered for i in ids})
    stage_times = loop_stage_starts(stages, start_at, brk)
    parts = seat_choices(stages, panels, replacements, who, stage_times, flags)
    for part, (stage_start, stage_end) in zip(parts, stage_times):
        part["time"] = format_local_range(stage_start, stage_end, zone)
    columns = zone_columns(zone, current_user.zone, application.candidate.zone)
    # Anyone offered for a seat may be chosen: ask for the consent when any of them needs it.
    missing = missing_countries(application, offered)
    return render_template(
        "coordinator/confirm.html", mode=mode, application=application, form=form,
        parts=parts, times=column_ranges(columns, start_at, end_at, flags),
        zone_note=zone_note(columns, now), back=back, action=action, errors=list(errors),
        brk=brk, transfer_countries=country_list(missing, current_language()) if missing else "",
    ), status


@bp.route("/applications/<int:application_id>/book", methods=["GET", "POST"])
@shows_candidate_data("booking")
def book(application_id: int):
    """Confirm a chosen time (swap a panel member, set the place), then book it."""
    application = application_or_404(application_id)
    source = request.form if request.method == "POST" else request.args
    view = SlotViewForm(formdata=None, zone=source.get("zone"), plan=source.get("plan"),
                        brk=_posted_break(source.get("brk"),
                                          application.requisition.loop_break_minutes))
    zone = view.chosen_zone(current_user.zone)
    plan = "loop" if view.plan.data == "loop" and loop_stages(application) else "stage"
    stages = stages_to_book(application, as_loop=plan == "loop")
    if view.brk.data not in BREAK_CHOICES:
        view.brk.data = DEFAULT_BREAK
    brk = view.brk.data if len(stages) > 1 else 0
    back = url_for(".application", application_id=application.id, zone=zone, plan=plan,
                   brk=view.brk.data)
    start_at = parse_start(source.get("start"))
    refusal = booking_refusal(application, stages)
    if start_at is None or refusal is not None:
        flash_refusal(blocker_text(refusal) if refusal is not None
                      else _("Choose a time from the list."))
        return redirect(back)
    now = request_now()
    form = BookForm()
    offer_reviewers(form, stages)
    confirm = dict(mode="book", application=application, stages=stages, start_at=start_at,
                   form=form, zone=zone, back=back, action=request.full_path, brk=brk)
    if request.method == "GET":
        search = find_slots(application, stages, now, break_minutes=brk)
        slot = next((s for s in search.slots if s.start_at == start_at), None)
        if slot is None:
            return render_application(application, view, taken=SlotTaken([], search), status=409)
        form.start.data, form.plan.data, form.brk.data, form.zone.data = (
            iso_utc(start_at), plan, str(view.brk.data), zone)
        return _render_confirm(end_at=slot.end_at, panels=slot.panels, **confirm)

    panels = _posted_panels([stage.panel_size for stage in stages])
    end_at = loop_stage_starts(stages, start_at, brk)[-1][1]
    if panels is None or not form.validate_on_submit():
        errors = [] if panels is not None else [_("Choose who sits on each seat.")]
        return _render_confirm(end_at=end_at, panels=panels or [[] for _stage in stages],
                               errors=errors, status=400, **confirm)
    try:
        if len(stages) == 1:
            booked = [book_interview(current_user, application, stages[0], start_at, panels[0],
                                     now, video_url=form.video_url.data or "",
                                     location=form.location.data or "",
                                     consent=_email_consent())]
        else:
            booked = book_loop(current_user, application, stages, start_at, panels, now,
                               break_minutes=brk, video_url=form.video_url.data or "",
                               location=form.location.data or "",
                               consent=_email_consent())
    except ConsentError as error:
        return _render_confirm(end_at=end_at, panels=panels, status=409,
                               errors=[refusal_message(error)], **confirm)
    except SlotTaken as taken:
        if taken.is_time_lost:
            return render_application(application, view, taken=taken, status=409)
        return _render_confirm(end_at=end_at, panels=panels, status=409,
                               errors=problem_texts(taken.problems, stages), **confirm)
    except BookingError as error:
        flash_refusal(refusal_message(error))
        return redirect(back)
    assign_booked_reviewer(form, booked, now)
    flash(_("Booked %(stage)s for %(name)s: %(when)s.",
            stage=_(", ").join(localized(i.stage) for i in booked),
            name=application.candidate.name,
            when=format_local_range(booked[0].start_at, booked[-1].end_at, zone)), "success")
    return redirect(back)


@bp.route("/interviews/<int:interview_id>/reschedule", methods=["GET", "POST"])
@shows_candidate_data("booking")
def reschedule(interview_id: int):
    """Pick a new time for an interview (its whole loop), confirm the panel, give a reason."""
    interview = interview_or_404(interview_id)
    application = interview.application
    source = request.form if request.method == "POST" else request.args
    view = SlotViewForm(formdata=None, zone=source.get("zone"))
    zone = view.chosen_zone(current_user.zone)
    # The page to return to (the board, say) rides along in the query string of every step.
    next_page = _coordinator_page(request.args.get("next"))
    back = next_page or url_for(".application", application_id=application.id, zone=zone)
    now = request_now()
    if interview.status != Interview.SCHEDULED or interview.end_at <= now:
        flash_refusal(BookingError("interview_not_live").message)
        return redirect(back)
    group = interview.live_group
    stages = [i.stage for i in group]
    brk = interview.booking_group.break_minutes if interview.booking_group else 0
    exclude = [i.id for i in group]
    old_panels = [[a.interviewer_id for a in i.active_assignments] for i in group]
    start_at = parse_start(source.get("start"))
    columns = zone_columns(zone, current_user.zone, application.candidate.zone)

    def slot_page(taken=None, status=200):
        search = (taken.fresh if taken is not None and taken.fresh is not None
                  else find_slots(application, stages, now, break_minutes=brk,
                                  exclude_interview_ids=exclude))
        days = slot_days(search, stages, columns, parse_day(request.args.get("day")))
        return render_template(
            "coordinator/reschedule.html", interview=interview, group=group,
            application=application, form=view, zone=zone,
            days=days, stages=stages, back=back, next_page=next_page,
            is_taken=taken is not None,
            taken_problems=problem_texts(taken.problems, stages) if taken else [],
            times=column_ranges(columns, group[0].start_at, group[-1].end_at),
            zone_note=zone_note(columns, now),
        ), status

    if start_at is None:
        return slot_page()
    form = RescheduleForm()
    end_at = loop_stage_starts(stages, start_at, brk)[-1][1]
    confirm = dict(mode="reschedule", application=application, stages=stages, start_at=start_at,
                   end_at=end_at, form=form, zone=zone, back=back, action=request.full_path,
                   brk=brk, exclude=exclude)
    if request.method == "GET":
        search = find_slots(application, stages, now, break_minutes=brk,
                            exclude_interview_ids=exclude)
        slot = next((s for s in search.slots if s.start_at == start_at), None)
        if slot is None:
            return slot_page(SlotTaken([], search), 409)
        # Keep the people already invited when they are free at the new time.
        panels = old_panels
        if check_booking(application, stages, start_at, old_panels, now, break_minutes=brk,
                         exclude_interview_ids=exclude):
            panels = slot.panels
        form.start.data, form.zone.data = iso_utc(start_at), zone
        return _render_confirm(panels=panels, **confirm)

    panels = _posted_panels([len(p) for p in old_panels])
    if panels is None or not form.validate_on_submit():
        errors = [] if panels is not None else [_("Choose who sits on each seat.")]
        return _render_confirm(panels=panels or old_panels, errors=errors, status=400, **confirm)
    try:
        moved = reschedule_interview(current_user, interview, start_at, now, panels=panels,
                                     reason=form.reason.data.strip(),
                                     consent=_email_consent())
    except ConsentError as error:
        return _render_confirm(panels=panels, status=409, errors=[refusal_message(error)],
                               **confirm)
    except SlotTaken as taken:
        if taken.is_time_lost:
            return slot_page(taken, 409)
        return _render_confirm(panels=panels, errors=problem_texts(taken.problems, stages),
                               status=409, **confirm)
    except BookingError as error:
        flash_refusal(refusal_message(error))
        return redirect(back)
    flash(_("Moved to %(when)s. Everyone gets an updated invitation.",
            when=format_local_range(moved[0].start_at, moved[-1].end_at, zone)), "success")
    return redirect(back)


@bp.post("/interviews/<int:interview_id>/cancel")
def cancel(interview_id: int):
    """Cancel an interview (its whole loop) with a reason."""
    interview = interview_or_404(interview_id)
    form = CancelForm()
    back = (_coordinator_page(form.next.data)
            or url_for(".application", application_id=interview.application_id))
    if not form.validate_on_submit():
        flash(_("Say why the interview is cancelled."), "error")
        return redirect(back)
    try:
        cancelled = cancel_interview(current_user, interview, request_now(),
                                     reason=form.reason.data.strip())
    except BookingError as error:
        flash_refusal(refusal_message(error))
        return redirect(back)
    flash(_("Cancelled the interview. Everyone gets a cancellation.") if len(cancelled) == 1
          else _("Cancelled all %(num)d interviews of the loop. Everyone gets a cancellation.",
                 num=len(cancelled)), "success")
    return redirect(back)


def _coordinator_page(target: str | None) -> str | None:
    """Return *target* when it is one of the coordinator's own pages, else None."""
    target = safe_next(target)
    return target if target is not None and target.startswith("/coordinator/") else None


@bp.route("/interviews/<int:interview_id>/swap", methods=["GET", "POST"])
@shows_candidate_data("booking")
def swap(interview_id: int):
    """Replace one panel member with someone the engine finds free at the same time."""
    interview = interview_or_404(interview_id)
    form = SwapForm()
    back = (_coordinator_page(form.next.data if request.method == "POST"
                              else request.args.get("next"))
            or url_for(".application", application_id=interview.application_id))
    now = request_now()
    if request.method == "GET":
        old = request.args.get("interviewer", type=int)
        seat = next((a for a in interview.active_assignments if a.interviewer_id == old), None)
        if seat is None or interview.status != Interview.SCHEDULED:
            abort(404)
        suggestions = suggest_replacements(interview, old, now)
        ids = [old] + [p.id for p in suggestions]
        # The seat's own stage at the interview's time: who it is early or late for.
        flags = flag_hours(interview.application, [interview.stage], interview.start_at, [ids],
                           now, exclude_interview_ids=[i.id for i in interview.live_group])
        replaced, *offered = panel_times(ids, interview.start_at, interview.end_at,
                                         people(ids), flags)
        columns = zone_columns(current_user.zone, current_user.zone,
                               interview.application.candidate.zone)
        form.old.data, form.next.data = old, back
        missing = missing_countries(interview.application, [ids])
        return render_template(
            "coordinator/swap.html", interview=interview, seat=seat, form=form, back=back,
            who=replaced, suggestions=list(zip(ids[1:], offered)),
            transfer_countries=country_list(missing, current_language()) if missing else "",
            times=column_ranges(columns, interview.start_at, interview.end_at, flags),
            zone_note=zone_note(columns, now))
    if not form.validate_on_submit():
        flash(_("Choose who takes the seat."), "error")
        return redirect(back)
    try:
        swap_interviewer(current_user, interview, form.old.data, form.new.data, now,
                         reason=(form.reason.data or "").strip(), consent=_email_consent())
    except SlotTaken as taken:
        for text in problem_texts(taken.problems, [interview.stage]):
            flash_refusal(text)
        return redirect(back)
    except BookingError as error:
        flash_refusal(refusal_message(error))
        return redirect(back)
    names = labels([form.old.data, form.new.data])
    flash(_("%(new)s replaces %(old)s. The time and the calendar entry stay the same; "
            "everyone gets an update.", new=names.get(form.new.data, "—"),
            old=names.get(form.old.data, "—")), "success")
    return redirect(back)
