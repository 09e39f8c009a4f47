"""Coordinator views of a candidate's data export (issue 25 item 2): everything the system holds
about them as a JSON file and as a readable page, for a coordinator or admin who may see them."""
from __future__ import annotations

import json

from flask import Response, abort, render_template
from flask_login import current_user

from scheduler.coordinator import bp
from scheduler.coordinator.access import candidate_or_404
from scheduler.i18n import EXPORT_SECTION_LABELS
from scheduler.models import Candidate
from scheduler.services.candidate_exports import export_candidate
from scheduler.services.permissions import NotAllowed
from scheduler.web import request_now, shows_candidate_data


def _export(candidate_id: int, output: str) -> tuple[Candidate, dict]:
    """Return the candidate and their export; 403 when the service refuses (they applied to an
    opening the signed-in coordinator does not see: `permissions.can_export_all_of`)."""
    candidate = candidate_or_404(candidate_id)
    try:
        return candidate, export_candidate(current_user, candidate, now=request_now(),
                                           output=output)
    except NotAllowed:
        abort(403)


@bp.get("/candidates/<int:candidate_id>/export.json")
@shows_candidate_data("export")
def export_candidate_json(candidate_id: int):
    """Download everything held about a candidate as a JSON file."""
    candidate, data = _export(candidate_id, "json")
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="candidate-{candidate.id}.json"'})


@bp.get("/candidates/<int:candidate_id>/export")
@shows_candidate_data("export")
def export_candidate_page(candidate_id: int):
    """Show everything held about a candidate as a readable page."""
    candidate, data = _export(candidate_id, "html")
    return render_template("coordinator/candidate_export.html", candidate=candidate, data=data,
                           export_labels=EXPORT_SECTION_LABELS)
