"""Admin view of who looked at candidates' data (issue 25 item 4): the access records, filtered
by person, candidate and period (days in the admin's zone), newest first, a page at a time."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import render_template, request, url_for

from scheduler.admin import bp
from scheduler.admin.forms import AccessFilterForm
from scheduler.i18n import ACCESS_WHAT_LABELS, viewer_zone
from scheduler.services.access_log import AccessFilter, access_records, people_who_looked
from scheduler.web import shows_candidate_data


def day_start_at(day: date, zone: str) -> datetime:
    """Return local midnight of *day* in *zone* as a UTC instant (the period filters' edges)."""
    # Local midnight of *day* in *zone*, as a UTC instant (a midnight skipped by a clock change
    # resolves to the instant after the gap, which zoneinfo gives with fold=0).
    return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(timezone.utc)


@bp.get("/access")
@shows_candidate_data("access_log")
def access():
    """List who looked at candidates' data, filtered by person, candidate and period."""
    form = AccessFilterForm(request.args)
    form.set_people(people_who_looked())
    zone = viewer_zone()
    wanted, page = AccessFilter(), 1
    if not request.args or form.validate():
        wanted = AccessFilter(
            user_id=form.chosen_person(), candidate=(form.candidate.data or "").strip(),
            start_at=day_start_at(form.start.data, zone) if form.start.data else None,
            end_at=day_start_at(form.end.data + timedelta(days=1), zone) if form.end.data else None)
        page = form.page.data or 1
    result = access_records(wanted, page)

    def page_url(number: int) -> str:
        args = {k: v for k, v in request.args.items() if k not in ("page", "submit")}
        return url_for("admin.access", **args, page=number)

    return render_template("admin/access.html", form=form, result=result, zone=zone,
                           what_labels=ACCESS_WHAT_LABELS, page_url=page_url)
