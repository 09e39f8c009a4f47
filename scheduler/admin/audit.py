"""The admins' audit log (issue 26 item 6): every recorded event — bookings, changes,
cancellations, feedback, decisions, links, consents, exports, erasures, sign-ins, staff and
permission changes — filtered by who acted, the object, the kind of event and the period (days in
the admin's zone), newest first, a page at a time; and its CSV export with the same filters,
every page of it (times in UTC and in the admin's zone, named in the header).

Events keep candidates' addresses in their before/after values (an application added, a link
sent), so both the page and the export record the look (`shows_candidate_data`).
"""
from __future__ import annotations

import json
from datetime import timedelta, timezone

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.admin import bp
from scheduler.admin.access import day_start_at
from scheduler.admin.forms import AuditFilterForm
from scheduler.i18n import (
    AUDIT_ACTION_LABELS, AUDIT_OBJECT_LABELS, SIGN_IN_FAILURE_LABELS, viewer_zone,
)
from scheduler.models import AuditEvent
from scheduler.services.audit import AuditFilter, all_audit_events, search_audit_events
from scheduler.services.users import list_staff
from scheduler.timeutil import to_zone
from scheduler.web import csv_download, request_now, shows_candidate_data

# A value longer than this is cut in the page's compact before→after (the export keeps it all).
SHORT_VALUE = 60
# At most this many changed fields are shown per event on the page.
SHORT_FIELDS = 6
CSV_TIME = "%Y-%m-%d %H:%M:%S"

# Who acted when it was not a staff user (the labels services record).
_CANDIDATE_LINK = "candidate link "


def actor_name(event: AuditEvent) -> str:
    """Name who acted: the staff member, or what the recorded label means in the viewer's
    language ("candidate link 12" -> the candidate, through link 12)."""
    if event.actor_user_id is not None:
        return event.actor.name if event.actor is not None else f"#{event.actor_user_id}"
    label = event.actor_label or ""
    if label.startswith(_CANDIDATE_LINK):
        return _("The candidate (link %(id)s)", id=label[len(_CANDIDATE_LINK):])
    known = {"job": _("A scheduled job"), "command line": _("The command line"),
             "sign-in form": _("The sign-in form (no one signed in)")}
    return known.get(label, label or _("The system"))


def action_text(event: AuditEvent) -> str:
    """Describe the event in the viewer's language; an unknown action is shown by its code."""
    text = str(AUDIT_ACTION_LABELS.get(event.action, event.action))
    reason = (event.after or {}).get("reason") if event.action == "user.sign_in_failed" else None
    if reason:
        text += _(": ") + str(SIGN_IN_FAILURE_LABELS.get(reason, reason))
    return text


def object_text(event: AuditEvent) -> str:
    """Name the object: its kind in the viewer's language and its number ("Interview 12")."""
    kind = str(AUDIT_OBJECT_LABELS.get(event.object_type, event.object_type))
    if event.object_id is None:
        return _("%(kind)s (none identified)", kind=kind)
    return f"{kind} {event.object_id}"


def _value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value) or "[]"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _short(text: str) -> str:
    return text if len(text) <= SHORT_VALUE else text[:SHORT_VALUE - 1] + "…"


def changes(event: AuditEvent) -> list[str]:
    """Return the event's before→after, compact: one "field: before → after" per changed field
    (a field only after: its value; only before: "→ —"), values cut short, at most a few."""
    before, after = event.before or {}, event.after or {}
    lines = []
    for key in dict.fromkeys([*before, *after]):
        if key in before and key in after:
            if before[key] == after[key]:
                continue
            lines.append(f"{key}: {_short(_value(before[key]))} → {_short(_value(after[key]))}")
        elif key in after:
            lines.append(f"{key}: {_short(_value(after[key]))}")
        else:
            lines.append(f"{key}: {_short(_value(before[key]))} → —")
    if len(lines) > SHORT_FIELDS:
        lines = lines[:SHORT_FIELDS] + ["…"]
    return lines


def _labelled(labels: dict, chosen: str | None) -> list[tuple[str, str]]:
    """Return (code, words) for every labelled code, by words, and the chosen code too when it
    has none (an action recorded before its label existed stays selectable from its link)."""
    codes = set(labels) | ({chosen} if chosen else set())
    return sorted(((code, str(labels.get(code, code))) for code in codes),
                  key=lambda pair: pair[1].lower())


def _asked() -> tuple[AuditFilterForm, AuditFilter, int]:
    """Read the filters from the query string; refused ones are said beside their fields and
    the log is then listed unfiltered. The choices are fixed lists (every staff member, every
    kind of event and object in words), so the page never scans the log to offer them."""
    form = AuditFilterForm(request.args)
    form.set_choices(list_staff(),
                     _labelled(AUDIT_ACTION_LABELS, (request.args.get("kind") or "")[:50]),
                     _labelled(AUDIT_OBJECT_LABELS,
                               (request.args.get("object_type") or "")[:50]))
    if request.args and not form.validate():
        return form, AuditFilter(), 1
    zone = viewer_zone()
    user_id, is_not_staff = form.chosen_person()
    wanted = AuditFilter(
        actor_user_id=user_id, is_not_staff=is_not_staff,
        object_type=form.object_type.data or "", object_id=form.object_id.data,
        action=form.kind.data or "",
        start_at=day_start_at(form.start.data, zone) if form.start.data else None,
        end_at=day_start_at(form.end.data + timedelta(days=1), zone) if form.end.data else None)
    return form, wanted, form.page.data or 1


def _args(**changes) -> dict:
    args = {k: v for k, v in request.args.items() if k not in ("page", "submit")}
    return {k: v for k, v in (args | changes).items() if v is not None}


@bp.get("/audit")
@shows_candidate_data("audit_log")
def audit():
    """List the audit log, filtered by person, object, kind of event and period."""
    form, wanted, page = _asked()
    result = search_audit_events(current_user, wanted, page)
    rows = [{"event": e, "who": actor_name(e), "what": action_text(e), "object": object_text(e),
             "changes": changes(e)} for e in result.events]
    return render_template(
        "admin/audit.html", form=form, result=result, rows=rows, zone=viewer_zone(),
        page_url=lambda number: url_for("admin.audit", **_args(page=number)),
        export_url=url_for("admin.export_audit", **_args()))


def csv_lines(events, zone: str):
    """Yield the export's header (the zone named in it), then one line per event."""
    yield [_("Event"), _("Time (UTC)"), _("Time (%(zone)s)", zone=zone), _("Who"),
           _("Staff account"), _("Kind of event"), _("What"), _("Object"), _("Object number"),
           _("Before"), _("After"), _("Note")]
    for event in events:
        yield [event.id,
               event.occurred_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               to_zone(event.occurred_at, zone).strftime(CSV_TIME), actor_name(event),
               event.actor_user_id or "", event.action, action_text(event),
               str(AUDIT_OBJECT_LABELS.get(event.object_type, event.object_type)),
               event.object_id or "", _json(event.before), _json(event.after), event.note]


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@bp.get("/audit.csv")
@shows_candidate_data("audit_csv")
def export_audit():
    """Download the audit log as filtered (every page) as CSV for Excel."""
    form, wanted, _page = _asked()
    if form.errors:
        # The page says what is wrong beside each field.
        return redirect(url_for("admin.audit", **_args()))
    zone = viewer_zone()
    now = request_now()
    return csv_download(csv_lines(all_audit_events(current_user, wanted), zone),
                        f"audit-{to_zone(now, zone).date().isoformat()}.csv")
