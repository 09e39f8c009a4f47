"""Admin views: staff accounts — list, add (an interviewer with their office's profile), edit name,
zone, language and roles, deactivate (after offering a swap for each future interview) and
reactivate."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from wtforms.fields.choices import SelectChoice

from scheduler.admin import bp
from scheduler.admin.forms import AdminSwapForm, StaffCreateForm, StaffEditForm
from scheduler.extensions import db
from scheduler.i18n import format_local_range, localized
from scheduler.models import Interview, InterviewerProfile, User
from scheduler.services.booking import swap_interviewer
from scheduler.services.booking_errors import BookingError, SlotTaken
from scheduler.services.offices import list_offices
from scheduler.services.slot_search import suggest_replacements
from scheduler.services.users import (
    UserError, create_staff_user, future_interviews, list_staff, set_user_active, update_staff_user,
)
from scheduler.web import flash_refusal, request_now, show_refusal, shows_candidate_data


def _office_choices(form: StaffEditForm) -> dict:
    offices = {str(o.id): o for o in list_offices()}
    form.office.choices = [SelectChoice("", "—")] + [SelectChoice(key, f"{o.code} · {localized(o)}")
                                                     for key, o in offices.items()]
    return offices


def _chosen_office(form: StaffEditForm, offices: dict):
    return offices.get(form.office.data or "")


@bp.get("/staff")
def staff():
    """List the staff: name, email, roles, an interviewer's office, active or not."""
    return render_template("admin/staff.html", users=list_staff())


@bp.route("/staff/new", methods=["GET", "POST"])
def new_staff():
    """Add a staff member; an interviewer gets a profile at the chosen office."""
    form = StaffCreateForm()
    offices = _office_choices(form)
    if not form.is_submitted():
        form.zone.data = current_app.config["DEFAULT_TIMEZONE"]
    if form.validate_on_submit():
        try:
            user = create_staff_user(
                current_user, email=form.email.data, name=form.name.data, roles=form.roles.data,
                password=form.password.data, zone=form.zone.data, language=form.language.data,
                now=request_now(), office=_chosen_office(form, offices), office_required=True)
        except UserError as error:
            show_refusal(form, error)
        else:
            flash(_("%(name)s can now sign in as %(email)s.", name=user.name, email=user.email),
                  "success")
            return redirect(url_for("admin.staff"))
    return render_template("admin/staff_form.html", form=form, user=None)


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
def edit_staff(user_id: int):
    """Change a staff member's name, zone, language and roles."""
    user = db.get_or_404(User, user_id)
    form = StaffEditForm(obj=user)
    offices = _office_choices(form)
    if not form.is_submitted():
        form.roles.data = sorted(user.roles)
        profile = user.interviewer_profile
        form.office.data = str(profile.office_id) if profile is not None else ""
    if form.validate_on_submit():
        try:
            update_staff_user(current_user, user, name=form.name.data, zone=form.zone.data,
                              language=form.language.data, roles=form.roles.data,
                              now=request_now(), office=_chosen_office(form, offices))
        except UserError as error:
            show_refusal(form, error)
        else:
            if user.id == current_user.id:
                # A change of one's own roles ended one's sessions; this one goes on.
                login_user(user)
            flash(_("%(name)s saved.", name=user.name), "success")
            return redirect(url_for("admin.staff"))
    return render_template("admin/staff_form.html", form=form, user=user)


def _person(profile: InterviewerProfile) -> str:
    return f"{profile.user.name} ({localized(profile.office)})"


def _interview_rows(user: User, now) -> list[dict]:
    rows = []
    for interview in future_interviews(user, now):
        suggestions = suggest_replacements(interview, user.interviewer_profile.id, now)
        rows.append({"interview": interview,
                     "when": format_local_range(interview.start_at, interview.end_at,
                                                current_user.zone),
                     "suggestions": [(p.id, _person(p)) for p in suggestions]})
    return rows


@bp.get("/staff/<int:user_id>/deactivate")
@shows_candidate_data("interviews")
def confirm_deactivate(user_id: int):
    """Show the future interviews the person sits on, each with the engine's replacements."""
    user = db.get_or_404(User, user_id)
    if not user.is_active:
        return redirect(url_for("admin.staff"))
    return render_template("admin/deactivate.html", user=user,
                           rows=_interview_rows(user, request_now()), swap_form=AdminSwapForm())


@bp.post("/staff/<int:user_id>/deactivate")
def deactivate_staff(user_id: int):
    """Deactivate: the person can no longer sign in nor be booked (CSRFProtect checked the form)."""
    user = db.get_or_404(User, user_id)
    set_user_active(current_user, user, False, request_now())
    flash(_("%(name)s is deactivated and can no longer sign in.", name=user.name), "success")
    return redirect(url_for("admin.staff"))


@bp.post("/staff/<int:user_id>/reactivate")
def reactivate_staff(user_id: int):
    """Reactivate: the person can sign in again."""
    user = db.get_or_404(User, user_id)
    set_user_active(current_user, user, True, request_now())
    flash(_("%(name)s is active again.", name=user.name), "success")
    return redirect(url_for("admin.staff"))


@bp.post("/staff/<int:user_id>/interviews/<int:interview_id>/swap")
def swap_seat(user_id: int, interview_id: int):
    """Give the person's seat on one interview to the chosen replacement."""
    user = db.get_or_404(User, user_id)
    interview = db.get_or_404(Interview, interview_id)
    profile = user.interviewer_profile
    if profile is None:
        abort(404)
    back = url_for("admin.confirm_deactivate", user_id=user.id)
    form = AdminSwapForm()
    if not form.validate_on_submit():
        flash(_("Choose who takes the seat."), "error")
        return redirect(back)
    try:
        swap_interviewer(current_user, interview, profile.id, form.new.data, request_now(),
                         reason=_("%(name)s is being deactivated.", name=user.name))
    except SlotTaken:
        flash_refusal(_("That person is no longer free at that time: choose another."))
        return redirect(back)
    except BookingError as error:
        flash_refusal(error.message)
        return redirect(back)
    new = db.session.get(InterviewerProfile, form.new.data)
    flash(_("%(new)s replaces %(old)s. The time and the calendar entry stay the same; "
            "everyone gets an update.", new=_person(new), old=user.name), "success")
    return redirect(back)
