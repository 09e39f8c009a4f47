"""What every blueprint shares, and no layer below the web uses.

The request's one `now`; the request's one transaction edge (commit on success, roll back a
refusal) and the one way a view shows a service's refusal; the role gate each blueprint installs
once; safe redirect targets; instants, days and numbers as links and forms carry them, within
the bounds the database and date arithmetic can hold (ids in URLs, ?open=, ?week=, form dates);
day labels in the viewer's language; the holiday-data banner's text and the zone pick list
(template globals); and CSV downloads with their formula escaping.
"""
from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from urllib.parse import urlsplit

from babel.dates import format_date
from flask import (
    Blueprint, Flask, Response, abort, current_app, flash, g, redirect, request, url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape
from werkzeug.routing import IntegerConverter
from wtforms.validators import NumberRange, StopValidation

from scheduler.extensions import db, login_manager
from scheduler.services.access_log import record_access, subject_of
from scheduler.services.errors import ServiceError
from scheduler.timeutil import parse_instant, sorted_zone_names, utc_now, zone_aliases

DAY_PATTERNS = {"zh": ("M月d日 EEE", "y年M月d日"), "en": ("EEE d MMM", "d MMM y")}


def request_now() -> datetime:
    """Return the one `now` of this request (read from the clock at most once per request)."""
    if "now" not in g:
        g.now = utc_now()
    return g.now


def end_transaction(response):
    """Commit the request's work once, at its edge; roll back a refused or failed request.
    Then write what must outlive a refusal (`write_despite_refusal`), and record who looked,
    when the view is marked `shows_candidate_data`."""
    if response.status_code < 400 and not g.get("is_refused"):
        db.session.commit()
    else:
        db.session.rollback()
    _write_kept()
    _record_look(response)
    return response


def write_despite_refusal(write: Callable[[], object]) -> None:
    """Have *write* run at the request's edge after its own commit or rollback, in a transaction
    of its own: the record of a refused attempt (a failed sign-in, answered 401) must not be
    rolled back with it."""
    g.setdefault("kept_writes", []).append(write)


def _write_kept() -> None:
    writes = g.pop("kept_writes", [])
    for write in writes:
        write()
    if writes:
        db.session.commit()


def shows_candidate_data(what: str):
    """Mark a view that shows candidates' personal data: each request it answers with a page
    (2xx) writes one access record at the request's edge (see `end_transaction`). Put it under
    the route decorator. *what* names what was shown (scheduler/i18n.py `access_label`)."""

    def mark(view):
        view.shows_candidate_data = what
        return view

    return mark


def _record_look(response) -> None:
    # After the request's own commit or rollback, in a transaction of its own: a refused form
    # still showed the data, and its rolled-back writes must not take the record with them.
    view = current_app.view_functions.get(request.endpoint or "")
    what = getattr(view, "shows_candidate_data", None)
    if what is None or not 200 <= response.status_code < 300:
        return
    candidate_id, application_id = subject_of(request.view_args or {})
    record_access(current_user if current_user.is_authenticated else None, what,
                  request.endpoint, now=request_now(), candidate_id=candidate_id,
                  application_id=application_id)
    db.session.commit()


def show_refusal(form, error: ServiceError) -> None:
    """Show *error* (and any refused with it) beside the field of *form* each concerns, or above
    the form; the user's input stays in the form, and the request's writes are rolled back at
    its edge."""
    g.is_refused = True
    for refusal in error.refusals:
        field = form[refusal.field] if refusal.field and refusal.field in form else None
        # An error beside a hidden field would be invisible: show it above the form instead.
        if field is not None and getattr(field.widget, "input_type", None) != "hidden":
            field.errors = [*field.errors, refusal.message]
        else:
            form.form_errors.append(refusal.message)


def flash_refusal(text: str) -> None:
    """Flash why the request was refused; its writes are rolled back at its edge."""
    g.is_refused = True
    flash(text, "error")


def handle_refusals(blueprint: Blueprint, fallback_endpoint: str, describe=None) -> None:
    """Answer a ServiceError no view caught: undo the writes, flash why, and go back.

    *describe* words a refusal for the blueprint's readers (default: its own message), e.g.
    naming the interviewers and stages whose ids it carries.
    """

    @blueprint.errorhandler(ServiceError)
    def _refused(error: ServiceError):
        flash_refusal(describe(error) if describe is not None else error.message)
        back = urlsplit(request.referrer or "")
        target = safe_next(back.path + (f"?{back.query}" if back.query else "")) if back.path else None
        return redirect(target or url_for(fallback_endpoint))


def require_roles(blueprint: Blueprint, *roles: str) -> None:
    """Gate every view of *blueprint*: anonymous visitors go to login, other roles get 403."""

    @blueprint.before_request
    def _check_role():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(*roles):
            abort(403)
        return None


def safe_next(target: str | None) -> str | None:
    """Return *target* if it is a path on this site, else None (no open redirects; no control
    characters, which a Location header cannot carry: CR/LF would split it)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


# --- Numbers and days as requests carry them: bounded before they reach the database ---------

# The largest id or count a column holds: PostgreSQL's `integer` (SQLite's is wider, but a
# value PostgreSQL refuses must be refused on both).
DB_INT_MAX = 2**31 - 1
# Days a link or form may name. Beyond them the pages' date arithmetic (a week either side, a
# zone's offset, the booking horizon) would leave Python's datetime range (years 1 to 9999).
FIRST_YEAR, LAST_YEAR = 1900, 2199


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: ASCII digits only, at most DB_INT_MAX; anything else is not found."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def parse_id(text: str | None) -> int | None:
    """Read an id from a link or a form (ASCII digits, 1 to DB_INT_MAX); None when it is not one.

    (`"²".isdigit()` is true but `int("²")` fails; `int("٣")` is 3: only 0-9 are digits here.)"""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= DB_INT_MAX else None


def parse_ids(texts) -> list[int]:
    """Read every id of a repeated parameter, leaving out what is not one."""
    return [number for number in (parse_id(text) for text in texts) if number is not None]


def is_day_in_range(day: date) -> bool:
    """Tell whether *day* is one the pages can compute with (FIRST_YEAR to LAST_YEAR)."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def day_in_range(form, field) -> None:
    """WTForms validator of a date (or date and time) field: refuse a year the pages cannot
    compute with, such as 1 or 9999."""
    if field.data is not None and not is_day_in_range(field.data):
        field.errors[:] = []
        raise StopValidation(_l("Choose a date between the years %(first)d and %(last)d.",
                                first=FIRST_YEAR, last=LAST_YEAR))


def whole_number(minimum: int = 0, maximum: int = DB_INT_MAX) -> NumberRange:
    """WTForms validator of an IntegerField: from *minimum* to *maximum* (the database's range
    by default), with a message that says so."""
    return NumberRange(minimum, maximum, message=_l("Enter a whole number from %(min)d to "
                                                    "%(max)d."))


# A NUL character cannot be stored in a PostgreSQL text column; no one types one.
NUL_REFUSAL = (_l("Invalid character"),
               _l("What was sent contains a NUL character (\\0), which cannot be stored. "
                  "Remove it, for example by typing the text again, and send it once more."))


def has_nul() -> bool:
    """Tell whether the request's path, query, form fields or file names hold a NUL character."""
    if "\x00" in request.path:
        return True
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return True
    return any("\x00" in (upload.filename or "") for upload in request.files.values())


def iso_utc(instant: datetime) -> str:
    """Write an instant as a link or a hidden field carries it: UTC, to the minute."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def parse_start(text: str | None) -> datetime | None:
    """Read an instant back from a link or a form; None when it is not one with a zone."""
    if not text or len(text) > 40:
        return None
    try:
        instant = parse_instant(text)
    except (ValueError, OverflowError):  # not an instant; or a year 1 moved before year 1
        return None
    return instant if is_day_in_range(instant.date()) else None


def parse_day(text: str | None) -> date | None:
    """Read a date (YYYY-MM-DD) from a link; None when it is not one, or is out of range."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if is_day_in_range(day) else None


def day_label(day: date, *, long: bool = False) -> str:
    """Render a date in the viewer's language: "Sat 10 Oct" / "10月10日 周六" (with the year if long)."""
    from scheduler.i18n import current_language

    language = current_language()
    return format_date(day, DAY_PATTERNS[language][1 if long else 0], locale=language)


def warning_text(warning) -> str:
    """Render a holiday-data warning in the viewer's language, naming the calendar in it."""
    from scheduler.domain.workdays import warning_message
    from scheduler.i18n import calendar_name

    return warning_message(warning, _, calendar_name)


def holiday_data_warnings() -> list[str]:
    """Return, translated, a warning per office calendar and year the booking horizon reaches
    without official holiday data (the coordinators' banner)."""
    from scheduler.services.workdays import holiday_data_notices

    texts = []
    for notice in holiday_data_notices(request_now()):
        text = warning_text(notice.warning)
        if notice.override_count:
            text += " " + ngettext("%(num)d override is entered for %(year)s so far.",
                                   "%(num)d overrides are entered for %(year)s so far.",
                                   notice.override_count, year=notice.warning.year)
        texts.append(text)
    return texts


def privacy_notice_url() -> str:
    """Return the absolute address of the privacy notice in the language being rendered (an
    email is rendered in its recipient's): every candidate email links to it."""
    from scheduler.services.emails import external_url
    from scheduler.services.errors import reader_language

    return external_url("public.privacy_notice", language=reader_language())


def register_template_globals(app: Flask) -> None:
    """Make the holiday-data banner (the coordinator pages show it), the privacy notice's
    address (candidate emails carry it) and the zone pick list available to every template."""
    app.add_template_global(holiday_data_warnings)
    app.add_template_global(privacy_notice_url)
    app.add_template_global(zone_datalist)
    app.add_template_global(zone_aliases_json)


@functools.lru_cache(maxsize=8)
def zone_datalist(list_id: str) -> Markup:
    """Return a <datalist> of every current zone name for a zone field's `list=`, built once per
    process: some six hundred options, on every link page and many coordinator pages."""
    options = "".join(f'<option value="{escape(name)}">' for name in sorted_zone_names())
    return Markup(f'<datalist id="{escape(list_id)}">{options}</datalist>')


@functools.cache
def zone_aliases_json() -> Markup:
    """Return the zone alias table (legacy name -> current name) as JSON safe in an HTML
    attribute, built once per process (the link page's script maps the browser's zone)."""
    return htmlsafe_json_dumps(zone_aliases(), dumps=functools.partial(json.dumps, sort_keys=True))


# --- CSV downloads ---------------------------------------------------------------------------

# What a spreadsheet reads as the start of a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """Return *value* as a CSV cell a spreadsheet keeps as text (a formula is escaped)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_download(lines: Iterable[Iterable[object]], filename: str) -> Response:
    """Answer *lines* as a CSV attachment for Excel: UTF-8 with a byte-order mark (Excel then
    reads Chinese names), every cell escaped by `csv_cell`, never cached."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerows([csv_cell(value) for value in line] for line in lines)
    response = Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
