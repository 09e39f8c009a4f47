"""Helpers shared by every blueprint (and by no layer below the web): the request's `now`."""
from __future__ import annotations

from datetime import datetime

from flask import g

from scheduler.timeutil import utc_now


def request_now() -> datetime:
    """Return the one `now` of this request (read from the clock at most once per request)."""
    if "now" not in g:
        g.now = utc_now()
    return g.now
