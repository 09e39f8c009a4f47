"""Admin views: list, add and remove workday overrides per office calendar (CN, GB, US-CA, SG)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from scheduler.admin import bp
from scheduler.admin.forms import ScheduleForm, ScheduleLineError, WorkdayOverrideForm, parse_schedule
from scheduler.domain.workdays import WorkdayCalendar
from scheduler.models.office import CALENDAR_KEYS
from scheduler.services.workdays import (
    WorkdayEntry, WorkdayOverrideError, add_workday_overrides, remove_workday_override,
    workday_overrides,
)
from scheduler.web import day_label, request_now, show_refusal


@bp.get("/")
def home():
    """Open the workday overrides."""
    return redirect(url_for("admin.workdays"))


def _render(key: str, one: WorkdayOverrideForm | None = None, many: ScheduleForm | None = None):
    now = request_now()
    one = one or WorkdayOverrideForm(formdata=None, prefix="one", calendar_key=key)
    many = many or ScheduleForm(formdata=None, prefix="many", calendar_key=key)
    this_year = now.year
    calendar = WorkdayCalendar(key)
    coverage = [(year, calendar.is_year_covered(year)) for year in (this_year, this_year + 1)]
    return render_template("admin/workday_overrides.html", key=key, keys=CALENDAR_KEYS,
                           overrides=workday_overrides(key), one=one, many=many,
                           coverage=coverage, day_label=day_label)


def _key_arg(value: str | None) -> str:
    key = value or CALENDAR_KEYS[0]
    if key not in CALENDAR_KEYS:
        abort(404)
    return key


@bp.get("/workdays")
def workdays():
    """List the overrides of one calendar (?key=CN) with the forms to add more."""
    return _render(_key_arg(request.args.get("key")))


def _refused(key: str, form, error: WorkdayOverrideError, *, one=None, many=None):
    show_refusal(form, error)
    shown_key = key if key in CALENDAR_KEYS else CALENDAR_KEYS[0]
    return _render(shown_key, one=one, many=many)


@bp.post("/workdays")
def add_workday():
    """Add one override."""
    form = WorkdayOverrideForm(prefix="one")
    key = form.calendar_key.data or ""
    if not form.validate():
        return _render(_key_arg(key) if key in CALENDAR_KEYS else CALENDAR_KEYS[0], one=form)
    entry = WorkdayEntry(form.day.data, form.is_workday.data == "1", form.note.data or "")
    try:
        add_workday_overrides(current_user, key, [entry], request_now())
    except WorkdayOverrideError as error:
        return _refused(key, form, error, one=form)
    flash(_("Override added for %(key)s on %(day)s.", key=key, day=entry.day.isoformat()),
          "success")
    return redirect(url_for("admin.workdays", key=key))


@bp.post("/workdays/bulk")
def add_schedule():
    """Add many overrides from pasted lines, all or none."""
    form = ScheduleForm(prefix="many")
    key = form.calendar_key.data or ""
    if not form.validate():
        return _render(key if key in CALENDAR_KEYS else CALENDAR_KEYS[0], many=form)
    try:
        entries = parse_schedule(form.lines.data)
        added = add_workday_overrides(current_user, key, entries, request_now())
    except ScheduleLineError as error:
        form.lines.errors = list(form.lines.errors) + [_(
            "Line %(line)d could not be read: “%(text)s”. Write the date, then work or off, "
            "then an optional note.", line=error.line, text=error.text)]
        return _render(key if key in CALENDAR_KEYS else CALENDAR_KEYS[0], many=form)
    except WorkdayOverrideError as error:
        return _refused(key, form, error, many=form)
    flash(ngettext("%(num)d override added for %(key)s.", "%(num)d overrides added for %(key)s.",
                   len(added), key=key), "success")
    return redirect(url_for("admin.workdays", key=key))


@bp.post("/workdays/<int:override_id>/remove")
def remove_workday(override_id: int):
    """Remove one override (CSRFProtect has checked the form's token)."""
    removed = remove_workday_override(current_user, override_id, request_now())
    flash(_("Override removed: %(key)s %(day)s.", key=removed.calendar_key,
            day=removed.day.isoformat()), "success")
    return redirect(url_for("admin.workdays", key=removed.calendar_key))
