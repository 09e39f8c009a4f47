"""Admin views: per office calendar (CN, GB-ENG, US-CA, SG, …), the workday overrides and the
marks that say a year without official data is entered in full."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from scheduler.admin import bp
from scheduler.admin.forms import ScheduleForm, ScheduleLineError, WorkdayOverrideForm, parse_schedule
from scheduler.domain.workdays import CHINA, is_calendar_key
from scheduler.i18n import calendar_name
from scheduler.services.workdays import (
    WorkdayEntry, WorkdayOverrideError, add_workday_overrides, calendar_keys_in_use, mark_workday_year,
    remove_workday_override, unmark_workday_year, workday_calendar, workday_overrides,
    workday_year_marks,
)
from scheduler.web import day_label, request_now, show_refusal


@bp.get("/")
def home():
    """Open the workday overrides."""
    return redirect(url_for("admin.workdays"))


def _default_key() -> str:
    keys = calendar_keys_in_use()
    return keys[0] if keys else CHINA


def _tabs(key: str) -> list[str]:
    """The calendars offices, overrides or marks use (and the one shown), by name."""
    return sorted(set(calendar_keys_in_use()) | {key}, key=lambda k: calendar_name(k))


def _render(key: str, one: WorkdayOverrideForm | None = None, many: ScheduleForm | None = None):
    now = request_now()
    one = one or WorkdayOverrideForm(formdata=None, prefix="one", calendar_key=key)
    many = many or ScheduleForm(formdata=None, prefix="many", calendar_key=key)
    calendar = workday_calendar(key)
    overrides = workday_overrides(key)
    marks = workday_year_marks(key)
    coverage = [{"year": year, "is_covered": calendar.is_year_covered(year),
                 "mark": marks.get(year),
                 "override_count": sum(1 for o in overrides if o.day.year == year)}
                for year in (now.year, now.year + 1)]
    return render_template("admin/workday_overrides.html", key=key, keys=_tabs(key),
                           overrides=overrides, one=one, many=many,
                           coverage=coverage, day_label=day_label)


def _key_arg(value: str | None) -> str:
    key = value or _default_key()
    if not is_calendar_key(key):
        abort(404)
    return key


def _shown_key(key: str) -> str:
    return key if is_calendar_key(key) else _default_key()


@bp.get("/workdays")
def workdays():
    """List the overrides of one calendar (?key=GB-ENG) with the forms to add more."""
    return _render(_key_arg(request.args.get("key")))


def _refused(key: str, form, error: WorkdayOverrideError, *, one=None, many=None):
    show_refusal(form, error)
    return _render(_shown_key(key), one=one, many=many)


@bp.post("/workdays")
def add_workday():
    """Add one override."""
    form = WorkdayOverrideForm(prefix="one")
    key = form.calendar_key.data or ""
    if not form.validate():
        return _render(_shown_key(key), one=form)
    entry = WorkdayEntry(form.day.data, form.is_workday.data == "1", form.note.data or "")
    try:
        add_workday_overrides(current_user, key, [entry], request_now())
    except WorkdayOverrideError as error:
        return _refused(key, form, error, one=form)
    flash(_("Override added for %(key)s on %(day)s.", key=calendar_name(key),
            day=entry.day.isoformat()), "success")
    return redirect(url_for("admin.workdays", key=key))


@bp.post("/workdays/bulk")
def add_schedule():
    """Add many overrides from pasted lines, all or none."""
    form = ScheduleForm(prefix="many")
    key = form.calendar_key.data or ""
    if not form.validate():
        return _render(_shown_key(key), many=form)
    try:
        entries = parse_schedule(form.lines.data)
        added = add_workday_overrides(current_user, key, entries, request_now())
    except ScheduleLineError as error:
        form.lines.errors = list(form.lines.errors) + [_(
            "Line %(line)d could not be read: “%(text)s”. Write the date, then work or off, "
            "then an optional note.", line=error.line, text=error.text)]
        return _render(_shown_key(key), many=form)
    except WorkdayOverrideError as error:
        return _refused(key, form, error, many=form)
    flash(ngettext("%(num)d override added for %(key)s.", "%(num)d overrides added for %(key)s.",
                   len(added), key=calendar_name(key)), "success")
    return redirect(url_for("admin.workdays", key=key))


@bp.post("/workdays/<int:override_id>/remove")
def remove_workday(override_id: int):
    """Remove one override (CSRFProtect has checked the form's token)."""
    removed = remove_workday_override(current_user, override_id, request_now())
    flash(_("Override removed: %(key)s %(day)s.", key=calendar_name(removed.calendar_key),
            day=removed.day.isoformat()), "success")
    return redirect(url_for("admin.workdays", key=removed.calendar_key))


def _year_form() -> tuple[str, int]:
    """Read the calendar key and year a mark or unmark button posts (CSRFProtect checked it)."""
    key = request.form.get("calendar_key", "")
    year = request.form.get("year", "")
    # isascii(): "²".isdigit() is true, but int("²") fails.
    if not is_calendar_key(key) or not (year.isascii() and year.isdigit() and len(year) == 4):
        abort(400)
    return key, int(year)


@bp.post("/workdays/years")
def mark_year():
    """Mark a year without official data as entered: Monday–Friday plus the overrides."""
    key, year = _year_form()
    mark_workday_year(current_user, key, year, request_now())
    flash(_("%(year)d is marked as entered for %(calendar)s: its working days are Monday to "
            "Friday plus the overrides, and the warning is gone.",
            year=year, calendar=calendar_name(key)), "success")
    return redirect(url_for("admin.workdays", key=key))


@bp.post("/workdays/years/remove")
def unmark_year():
    """Remove a year's mark: the estimate and its warning come back."""
    key, year = _year_form()
    unmark_workday_year(current_user, key, year, request_now())
    flash(_("The mark on %(year)d for %(calendar)s is removed: its working days are estimated "
            "again.", year=year, calendar=calendar_name(key)), "success")
    return redirect(url_for("admin.workdays", key=key))
