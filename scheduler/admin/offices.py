"""Admin views: the offices (code, names, zone, holiday calendar, address) — list, add, edit."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.admin import bp
from scheduler.admin.forms import OfficeForm
from scheduler.extensions import db
from scheduler.i18n import localized
from scheduler.models import Office
from scheduler.services.offices import OfficeError, create_office, list_offices, update_office
from scheduler.web import request_now, show_refusal

_FIELDS = ("code", "name_zh", "name_en", "zone", "calendar_key", "address_zh", "address_en")


@bp.get("/offices")
def offices():
    """List the offices."""
    return render_template("admin/offices.html", offices=list_offices())


def _details(form: OfficeForm) -> dict:
    return {name: form[name].data or "" for name in _FIELDS}


@bp.route("/offices/new", methods=["GET", "POST"])
def new_office():
    """Add an office."""
    form = OfficeForm()
    if form.validate_on_submit():
        try:
            office = create_office(current_user, _details(form), request_now())
        except OfficeError as error:
            show_refusal(form, error)
        else:
            flash(_("Office %(name)s added.", name=localized(office)), "success")
            return redirect(url_for("admin.offices"))
    return render_template("admin/office_form.html", form=form, office=None)


@bp.route("/offices/<int:office_id>", methods=["GET", "POST"])
def edit_office(office_id: int):
    """Change an office's details."""
    office = db.get_or_404(Office, office_id)
    form = OfficeForm(obj=office)
    if form.validate_on_submit():
        try:
            update_office(current_user, office, _details(form), request_now())
        except OfficeError as error:
            show_refusal(form, error)
        else:
            flash(_("Office %(name)s saved.", name=localized(office)), "success")
            return redirect(url_for("admin.offices"))
    return render_template("admin/office_form.html", form=form, office=office)
