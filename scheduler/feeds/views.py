"""The calendar feed's one route: an interviewer's interviews as an ICS file, by secret token."""
from __future__ import annotations

from flask import Response, abort

from scheduler.feeds import bp
from scheduler.web import request_now


@bp.route("/<token>.ics")
def interviewer_feed(token: str):
    """Serve an interviewer's interviews as an iCalendar feed."""
    from scheduler.services.feeds import feed_for_token

    body = feed_for_token(token, request_now())
    if body is None:
        abort(404)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="interviews.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
