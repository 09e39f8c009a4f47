"""The coordinator's home: the applications list (search, filters, sort, pages, each
application's state) under what needs the coordinator now (failed mail, seats someone declined),
and its CSV export with the same filters, every page of it.

The list's query is services/pipeline.py `search_applications`; the form (GET) bounds what may be
asked, and a refused value is said beside its field and counts as not given, so a hand-edited
address gets a message and a list, never an error page. The CSV is UTF-8 with a byte-order mark
(Excel then reads Chinese names), its times in the coordinator's zone, named in the header, and
every cell that a spreadsheet would read as a formula (starting with = + - @, or a tab or a
carriage return) is written after an apostrophe so it stays text.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from scheduler.coordinator import bp
from scheduler.coordinator.forms import ApplicationListForm, SwapForm
from scheduler.coordinator.present import declined_seats
from scheduler.coordinator.state_present import describe_state
from scheduler.extensions import db
from scheduler.i18n import (
    APPLICATION_STATE_LABELS, APPLICATION_STATUS_LABELS, STAGE_KIND_LABELS, current_language,
    localized,
)
from scheduler.models import Application, OutboxMessage
from scheduler.services import permissions
from scheduler.services.candidates import requisitions_with_stages
from scheduler.services.offices import list_offices
from scheduler.services.pipeline import (
    PAGE_SIZES, ApplicationCriteria, ApplicationRow, all_applications, candidate_zones,
    search_applications,
)
from scheduler.timeutil import to_zone
from scheduler.web import csv_download, request_now, shows_candidate_data

CSV_TIME = "%Y-%m-%d %H:%M"


SORT_CHOICES = (
    ("-activity", _l("Last activity, latest first")),
    ("activity", _l("Last activity, earliest first")),
    ("-created", _l("Newest first")), ("created", _l("Oldest first")),
    ("name", _l("Name, A to Z")), ("-name", _l("Name, Z to A")),
    ("opening", _l("Opening")), ("stage", _l("Stage, earliest first")),
    ("-stage", _l("Stage, furthest first")), ("state", _l("State, in the pipeline's order")))


def _choices(any_label, pairs) -> list[SelectChoice]:
    return [SelectChoice("", any_label)] + [SelectChoice(str(v), label) for v, label in pairs]


def _list_form() -> tuple[ApplicationListForm, ApplicationCriteria]:
    """Read the list's form from the address; return it and the criteria it asks for (a
    refused value is said beside its field and counts as not given)."""
    form = ApplicationListForm(formdata=request.args or None)
    form.opening.choices = _choices(_l("Any opening"), [(r.id, localized(r, "title"))
                                                        for r in requisitions_with_stages()])
    form.stage.choices = _choices(_l("Any stage"), STAGE_KIND_LABELS.items())
    form.status.choices = _choices(_l("Any status"), APPLICATION_STATUS_LABELS.items())
    form.state.choices = _choices(_l("Any state"), APPLICATION_STATE_LABELS.items())
    form.office.choices = _choices(_l("Any office"), [(o.id, f"{o.code} · {localized(o)}")
                                                      for o in list_offices()])
    form.zone.choices = _choices(_l("Any time zone"), [(z, z) for z in candidate_zones()])
    form.sort.choices = [SelectChoice(value, label) for value, label in SORT_CHOICES]
    form.size.choices = [SelectChoice(str(size), str(size)) for size in PAGE_SIZES]
    form.validate()
    value = {name: field.default if field.errors else field.data
             for name, field in form._fields.items()}
    criteria = ApplicationCriteria(
        text=(value["q"] or "").strip(),
        requisition_id=int(value["opening"]) if value["opening"] else None,
        stage_kind=value["stage"], status=value["status"], state=value["state"],
        office_id=int(value["office"]) if value["office"] else None, zone=value["zone"],
        sort=value["sort"].lstrip("-"), is_descending=value["sort"].startswith("-"),
        page=int(value["page"] or 1), page_size=int(value["size"]))
    return form, criteria


def _asked(form: ApplicationListForm, **changes) -> dict:
    """Return the address parameters of the list as asked (refused values left out), with
    *changes*: a page's link keeps every filter."""
    asked = {name: field.data for name, field in form._fields.items()
             if name != "submit" and not field.errors and field.data not in ("", None)
             and field.data != field.default}
    return {name: value for name, value in (asked | changes).items() if value is not None}


@bp.get("/")
@shows_candidate_data("applications_list")
def home():
    """Show what needs the coordinator now and the applications list, searched and filtered."""
    form, criteria = _list_form()
    now = request_now()
    page = search_applications(current_user, criteria, now, language=current_language())
    zone = current_user.zone
    return render_template(
        "coordinator/home.html", form=form, page=page, now=now,
        states={row.application.id: describe_state(row.state, zone, now) for row in page.rows},
        is_filtered=any(key not in ("page", "size", "sort") for key in _asked(form)),
        page_url=lambda number: url_for("coordinator.home", **_asked(form, page=number)),
        export_url=url_for("coordinator.export_applications", **_asked(form, page=None)),
        flagged=declined_seats(now, current_user),
        failed_count=db.session.scalar(
            sa.select(sa.func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.failed_at.is_not(None),
                   permissions.visible_messages(current_user))),
        swap_form=SwapForm())


def csv_lines(rows: Iterable[ApplicationRow], zone: str, now) -> Iterable[list[str]]:
    """Yield the export's header, then one line per application, in the viewer's language with
    times in *zone* (named in the header)."""
    yield [_("Candidate"), _("Email"), _("Phone"), _("Candidate's time zone"), _("Opening"),
           _("Level"), _("Current stage"), _("Status"), _("State"), _("Details"),
           _("Interview booked (%(zone)s)", zone=zone), _("Offer due (%(zone)s)", zone=zone),
           _("Last activity (%(zone)s)", zone=zone), _("Added (%(zone)s)", zone=zone)]
    for row in rows:
        application, state = row.application, row.state
        said = describe_state(state, zone, now)
        stage = application.current_stage
        yield [
            application.candidate.name, application.candidate.email,
            application.candidate.phone, application.candidate.zone,
            localized(application.requisition, "title"), level_name(application),
            localized(stage) if stage else "",
            APPLICATION_STATUS_LABELS[application.status], said.label, "; ".join(said.details),
            _csv_time(state.interview_start_at, zone), _csv_time(state.offer_due_at, zone),
            _csv_time(row.last_activity_at, zone), _csv_time(application.created_at, zone)]


def level_name(application: Application) -> str:
    """Name the application's level as its opening does, in the viewer's language."""
    for level in application.requisition.levels or []:
        if level.get("code") == application.level:
            return localized(level)
    return application.level


def _csv_time(instant, zone: str) -> str:
    return to_zone(instant, zone).strftime(CSV_TIME) if instant is not None else ""


@bp.get("/applications.csv")
@shows_candidate_data("applications_csv")
def export_applications():
    """Download the applications list as asked (every page) as CSV for Excel."""
    form, criteria = _list_form()
    now = request_now()
    zone = current_user.zone
    return csv_download(
        csv_lines(all_applications(current_user, criteria, now, language=current_language()),
                  zone, now),
        f"applications-{to_zone(now, zone).date().isoformat()}.csv")
