"""Whether the parts the app cannot work without answer: the database and, when the rate limits
live there, Redis. Each check is bounded by a short timeout and says only up or down: the reason
(an exception's text, a host name, an address) stays out of the answer, which anyone may read."""
from __future__ import annotations

import sqlalchemy as sa

from scheduler.extensions import db

# Seconds a check may take; a load balancer polls every few seconds and must not pile up waits.
CHECK_TIMEOUT_SECONDS = 2
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://", "unix://")


def check_health(ratelimit_storage_uri: str) -> dict[str, bool]:
    """Return {part: is_up} for the database and, when *ratelimit_storage_uri* names Redis, Redis."""
    checks = {"database": _is_database_up()}
    if ratelimit_storage_uri.startswith(REDIS_SCHEMES):
        checks["redis"] = _is_redis_up(ratelimit_storage_uri)
    return checks


def _is_database_up() -> bool:
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # Bounds the query; LOCAL ends with this transaction, so the pooled connection
                # goes back as it was. (Reaching the server is bounded by DATABASE_URL's
                # connect_timeout, README "Deploying".)
                connection.execute(sa.text(
                    f"SET LOCAL statement_timeout = {CHECK_TIMEOUT_SECONDS * 1000}"))
            connection.execute(sa.text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001  (any failure means down; the reason is not shown)
        return False


def _is_redis_up(url: str) -> bool:
    import redis

    # Flask-Limiter's scheme for a socket file is redis+unix://; redis-py's is unix://.
    url = url.replace("redis+unix://", "unix://", 1)
    client = redis.Redis.from_url(url, socket_timeout=CHECK_TIMEOUT_SECONDS,
                                  socket_connect_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001  (any failure means down; the reason is not shown)
        return False
    finally:
        client.close()
