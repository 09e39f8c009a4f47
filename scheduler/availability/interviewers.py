"""Interviewers for coordinators and admins: the list (office, zone, qualifications, this week's
load against the caps; filtered by GET) and each interviewer's profile — given to someone with
the interviewer role and none yet, or edited.

Who may do this is asked of scheduler/services/permissions.py (interviewers get 403, even on
their own profile: qualifications and caps are for coordinators to set). A refused profile shows
the form again with every message beside its field and saves nothing; the request's edge
commits an accepted one (scheduler/web.py).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from scheduler.availability import bp
from scheduler.availability.forms import InterviewerFilterForm, ProfileForm
from scheduler.extensions import db
from scheduler.i18n import (
    QUALIFICATION_LEVEL_LABELS, STAGE_KIND_LABELS, localized, zone_label, zone_offset_label,
)
from scheduler.models import InterviewerProfile, User
from scheduler.models.requisition import INTERVIEW_KINDS
from scheduler.services import permissions
from scheduler.services.interviewers import (
    InterviewerFilters, InterviewerProfileError, ProfileSaved, check_profile_details,
    create_interviewer_profile, list_interviewers, update_interviewer_profile,
)
from scheduler.services.offices import list_offices
from scheduler.services.users import future_interviews
from scheduler.web import request_now, show_refusal


def _office_choices(field) -> dict:
    """Offer every office in *field*; return them by the value the field carries."""
    offices = {str(o.id): o for o in list_offices()}
    field.choices = [SelectChoice("", "—")] + [SelectChoice(key, f"{o.code} · {localized(o)}")
                                               for key, o in offices.items()]
    return offices


def _qualifications_text(profile: InterviewerProfile) -> list[str]:
    levels = {q.stage_kind: q.level for q in profile.qualifications}
    return [_("%(kind)s: %(level)s", kind=STAGE_KIND_LABELS[kind],
              level=QUALIFICATION_LEVEL_LABELS[levels[kind]])
            for kind in INTERVIEW_KINDS if kind in levels]


@bp.get("/interviewers")
def interviewers():
    """List the interviewers with their office, zone, qualifications and load (filtered by GET)."""
    if not permissions.can_list_interviewers(current_user):
        abort(403)
    form = InterviewerFilterForm(formdata=request.args or None)
    offices = _office_choices(form.office)
    form.validate()
    office = offices.get(form.office.data or "")
    filters = InterviewerFilters(
        office_id=office.id if office else None,
        stage_kind="" if form.kind.errors else form.kind.data or "",
        min_level="" if form.level.errors else form.level.data or "",
        text="" if form.q.errors else form.q.data or "", is_active_only=form.active.data)
    now = request_now()
    listing = list_interviewers(current_user, filters, now)
    return render_template(
        "availability/interviewers.html", form=form, listing=listing,
        is_filtered=bool(request.args), qualifications_text=_qualifications_text,
        zone_text=lambda zone: zone_offset_label(now, zone))


def _editable_profile(profile_id: int) -> InterviewerProfile:
    profile = db.get_or_404(InterviewerProfile, profile_id)
    if not permissions.can_edit_interviewer_profiles(current_user):
        abort(403)
    return profile


def _render_profile(form, *, profile=None, user=None):
    now = request_now()
    person = profile.user if profile is not None else user
    upcoming = len(future_interviews(person, now)) if profile is not None else 0
    return render_template(
        "availability/profile.html", form=form, profile=profile, person=person,
        upcoming=upcoming,
        zone_text=(zone_label(now, profile.effective_zone) if profile is not None else ""))


def _refused(form, error: InterviewerProfileError, **page):
    show_refusal(form, error)
    return _render_profile(form, **page)


def _form_refusal(form, offices: dict, **page):
    """Show the form's own errors together with the service's answer to the rest (nothing is
    written: the service only checks)."""
    try:
        check_profile_details(form.details(offices.get(form.office.data or "")))
    except InterviewerProfileError as error:
        show_refusal(form, error)
    return _render_profile(form, **page)


@bp.route("/<int:profile_id>/profile", methods=["GET", "POST"])
def edit_profile(profile_id: int):
    """Change an interviewer's office, zone, qualifications, caps and video room."""
    profile = _editable_profile(profile_id)
    form = ProfileForm()
    offices = _office_choices(form.office)
    if not form.is_submitted():
        form.fill(profile)
        return _render_profile(form, profile=profile)
    if not form.validate():
        return _form_refusal(form, offices, profile=profile)
    try:
        saved = update_interviewer_profile(current_user, profile,
                                           form.details(offices.get(form.office.data or "")),
                                           request_now())
    except InterviewerProfileError as error:
        return _refused(form, error, profile=profile)
    _say_what_changed(saved)
    return redirect(url_for("availability.interviewers"))


def _say_what_changed(saved: ProfileSaved) -> None:
    """Confirm the save, and say what it means for what is already booked."""
    profile, name = saved.profile, saved.profile.user.name
    if not saved.is_changed:
        flash(_("Nothing to change for %(name)s.", name=name), "success")
        return
    flash(_("%(name)s's profile saved.", name=name), "success")
    if saved.is_moved:
        flash(_("%(name)s's weekly working hours keep their clock times, now in %(zone)s, on "
                "the working days of %(office)s.", name=name, zone=profile.effective_zone,
                office=localized(profile.office)), "warning")
    if saved.future_interview_count:
        flash(ngettext("%(name)s has %(num)d future interview: it keeps its time. Check that it "
                       "still suits them.",
                       "%(name)s has %(num)d future interviews: they keep their times. Check "
                       "that they still suit them.",
                       saved.future_interview_count, name=name), "warning")
    if saved.today.is_over:
        flash(_("Today %(name)s already has %(count)d interviews, more than the new daily "
                "limit of %(cap)d: nothing booked is cancelled, and no more are booked today.",
                name=name, count=saved.today.count, cap=saved.today.cap), "warning")
    if saved.week.is_over:
        flash(_("This week %(name)s already has %(count)d interviews, more than the new weekly "
                "limit of %(cap)d: nothing booked is cancelled, and no more are booked this week.",
                name=name, count=saved.week.count, cap=saved.week.cap), "warning")


@bp.route("/people/<int:user_id>/profile", methods=["GET", "POST"])
def new_profile(user_id: int):
    """Give a staff member with the interviewer role an interviewer profile (an office first)."""
    user = db.get_or_404(User, user_id)
    if not permissions.can_edit_interviewer_profiles(current_user):
        abort(403)
    if user.interviewer_profile is not None:
        return redirect(url_for("availability.edit_profile", profile_id=user.interviewer_profile.id))
    form = ProfileForm()
    offices = _office_choices(form.office)
    if not form.is_submitted():
        return _render_profile(form, user=user)
    if not form.validate():
        return _form_refusal(form, offices, user=user)
    try:
        profile = create_interviewer_profile(current_user, user,
                                             form.details(offices.get(form.office.data or "")),
                                             request_now())
    except InterviewerProfileError as error:
        return _refused(form, error, user=user)
    flash(_("%(name)s can now be booked once they have working hours: set them here.",
            name=user.name), "success")
    return redirect(url_for("availability.page", profile_id=profile.id, _anchor="hours"))
