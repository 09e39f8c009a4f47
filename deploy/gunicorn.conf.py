"""gunicorn settings for production (README "Deploying"): `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Threaded workers with a long keep-alive: with gthread's default 2 s keep-alive, a proxy or client
that reuses a connection just as the worker closes it gets a reset (19 of 900 booking POSTs in
bursts, issue 26); 30 s reset none. gunicorn's own access log stays off: its lines would carry
capability tokens (scheduling links, password resets, calendar feeds) in paths. The app writes
one redacted line per request instead (logger `scheduler.requests`, scheduler/request_log.py),
which the hook below sends to stderr with the app's other INFO lines.
"""
import logging
import multiprocessing
import os
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Stateless workers: more of them only need more database connections (each has its own pool).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 30
timeout = 60
graceful_timeout = 30
# Off on purpose (see above); do not add --access-logfile.
accesslog = None
errorlog = "-"
loglevel = "info"


def on_starting(server):
    """Send the app's INFO lines (requests, links) to stderr beside gunicorn's own."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(
        "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("scheduler")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
