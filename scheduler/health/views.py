"""GET /healthz: 200 {"status": "ok"} when the database (and Redis, when the rate limits use it)
answers; 503 {"status": "unavailable", "checks": {"database": "down"}} naming only the parts
that are down. Never cached (the app's default `Cache-Control: no-store`)."""
from __future__ import annotations

from flask import current_app, jsonify

from scheduler.extensions import limiter
from scheduler.health import bp
from scheduler.services.health import check_health


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Say whether the app's database and Redis answer."""
    checks = check_health(current_app.config.get("RATELIMIT_STORAGE_URI", ""))
    down = {part: "down" for part, is_up in checks.items() if not is_up}
    if down:
        return jsonify(status="unavailable", checks=down), 503
    return jsonify(status="ok"), 200
