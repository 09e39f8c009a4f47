"""An application's own history on its page: created, and what the candidate changed on their link.

Interviews keep their own trails (on each interview card); this is what is recorded on the
application itself, e.g. the candidate switching their time zone on the scheduling page
(services/links.py switch_zone). templates/coordinator/_application_history.html shows it and
needs only `application`; this module gives the blueprint's templates `application_history()`,
as links.py gives them `link_panel()`.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from scheduler.coordinator import bp
from scheduler.extensions import db
from scheduler.i18n import AUDIT_ACTION_LABELS
from scheduler.models import Application, User
from scheduler.services.audit import history_of

# services/links.py actor_label(): what the candidate does through a link is audited as this.
_CANDIDATE_LINK_ACTOR = "candidate link "


def application_history(application: Application) -> list[dict]:
    """Return the application's events, oldest first: what, who, when and the changed fields."""
    events = history_of(application)
    ids = {e.actor_user_id for e in events if e.actor_user_id}
    names = ({u.id: u.name for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
             if ids else {})
    rows = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        changes = []
        if event.action == "candidate.zone_changed":
            changes.append((_("Time zone"), before.get("zone") or "", after.get("zone") or ""))
        rows.append({"what": str(AUDIT_ACTION_LABELS.get(event.action, event.action)),
                     "who": _who(event, names), "at": event.occurred_at, "changes": changes})
    return rows


def _who(event, names: dict[int, str]) -> str:
    if event.actor_user_id:
        return names.get(event.actor_user_id, "—")
    if event.actor_label.startswith(_CANDIDATE_LINK_ACTOR):
        return _("The candidate")
    return event.actor_label or _("The system")


@bp.context_processor
def _application_history_context() -> dict:
    return {"application_history": application_history}
