"""Serve the app in a process of its own, as one gunicorn worker would: on 127.0.0.1, at a port the
operating system picks, with the create_app() overrides given as JSON; print the port, then serve.

    python -m tests.web.app_process '{"SQLALCHEMY_DATABASE_URI": "sqlite:///…", …}'

Tests that need several app processes sharing one store (tests/web/test_login_throttle_redis.py)
start it with subprocess and read the port from its first line.
"""
from __future__ import annotations

import json
import sys

from werkzeug.serving import make_server

from scheduler import create_app


def main() -> None:
    app = create_app(json.loads(sys.argv[1]))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
