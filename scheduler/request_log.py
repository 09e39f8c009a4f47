"""One log line per request, with capability tokens redacted.

Logger `scheduler.requests`, level INFO: method, path and query string, status, duration in
milliseconds and the signed-in user's id, e.g.

    GET /schedule/[redacted]/confirm?slot=… 200 14.2ms
    POST /coordinator/applications/12/book 302 88.0ms user=3

A scheduling link, a password reset or a calendar feed address *is* the permission to use it, so
it never reaches a log. The routes that take one are found in the URL map by their argument name
(TOKEN_ARGUMENTS), not listed by hand: a matched request's path is rebuilt from its rule with
those arguments replaced; a path no rule matched (a 404 or 405) loses all that follows the fixed
part of any token route ("/schedule/", "/feeds/", "/account/reset/"); and in the query string a
parameter named like a token argument is redacted, and so is all of a value after such a prefix
(?next=/schedule/…). gunicorn's own access log stays off (deploy/gunicorn.conf.py); the
development server's own line (`flask run`, werkzeug) is redacted the same way.
"""
from __future__ import annotations

import logging
import re
import time
from urllib.parse import urlencode

from flask import Flask, g, request, request_finished, request_started

log = logging.getLogger("scheduler.requests")

# URL arguments that carry a capability token, in every blueprint.
TOKEN_ARGUMENTS = frozenset({"token"})
REDACTED = "[redacted]"
# What a token is replaced with while the rule builds the path (URL-safe, so it survives quoting).
_PLACEHOLDER = "REDACTEDTOKEN"


def register_request_log(app: Flask) -> None:
    """Log every request of *app* as one line when its response is ready."""
    app.extensions["request_log_prefixes"] = _token_prefix_pattern(app)
    request_started.connect(_start, app)
    request_finished.connect(_finish, app)
    _DEVELOPMENT_SERVER_LINES.pattern = app.extensions["request_log_prefixes"]
    logging.getLogger("werkzeug").addFilter(_DEVELOPMENT_SERVER_LINES)  # once: the same object


class _DevelopmentServerLines(logging.Filter):
    """Redact werkzeug's own line per request: `flask run` prints it with the raw path and query.

    Its request line is the record's first argument ('… "%s" %s %s'); every app has the same
    token routes, so one filter on the process-wide logger serves them all."""

    pattern: re.Pattern | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 3 and \
                str(record.msg).endswith('"%s" %s %s'):
            line = _TOKEN_PARAMETER.sub(r"\1" + REDACTED, str(record.args[0]))
            record.args = (_redact_paths_in(line, self.pattern), *record.args[1:])
        return True


_DEVELOPMENT_SERVER_LINES = _DevelopmentServerLines()
# A token passed as a query parameter, in a raw request line.
_TOKEN_PARAMETER = re.compile(r"([?&](?:%s)=)[^&\s\x1b]*" % "|".join(sorted(TOKEN_ARGUMENTS)))


def _token_prefix_pattern(app: Flask) -> re.Pattern | None:
    """A pattern for the fixed start of every token route and all that follows it: past an
    unmatched token route's prefix, nothing is known to be safe to log."""
    prefixes = sorted({rule.rule.partition("<")[0] for rule in app.url_map.iter_rules()
                       if TOKEN_ARGUMENTS & set(rule.arguments)}, key=len, reverse=True)
    prefixes = [prefix for prefix in prefixes if prefix.strip("/")]
    if not prefixes:
        return None
    return re.compile("(" + "|".join(re.escape(prefix) for prefix in prefixes) + r")\S+")


def _start(_app: Flask, **_extra) -> None:
    g.request_started_at = time.perf_counter()


def _finish(app: Flask, response, **_extra) -> None:
    started = g.get("request_started_at")
    duration_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    user = g.get("_login_user")  # only when the request loaded it: never a query here
    user_part = f" user={user.id}" if getattr(user, "is_authenticated", False) else ""
    log.info("%s %s %s %.1fms%s", request.method, redacted_target(app), response.status_code,
             duration_ms, user_part)


def redacted_target(app: Flask) -> str:
    """Return this request's path and query string with every capability token redacted."""
    pattern = app.extensions.get("request_log_prefixes")
    path = _redacted_path(pattern)
    query = _redacted_query(pattern)
    return f"{path}?{query}" if query else path


def _redacted_path(pattern: re.Pattern | None) -> str:
    rule = request.url_rule
    if rule is not None and request.view_args is not None:
        names = TOKEN_ARGUMENTS & set(rule.arguments)
        if not names:
            return request.path
        built = rule.build({**request.view_args, **dict.fromkeys(names, _PLACEHOLDER)},
                           append_unknown=False)
        if built is not None:
            return built[1].replace(_PLACEHOLDER, REDACTED)
    return _redact_paths_in(request.path, pattern)


def _redact_paths_in(text: str, pattern: re.Pattern | None) -> str:
    return pattern.sub(lambda m: m.group(1) + REDACTED, text) if pattern is not None else text


def _redacted_query(pattern: re.Pattern | None) -> str:
    if not request.query_string:
        return ""
    pairs = [(name, REDACTED if name in TOKEN_ARGUMENTS else _redact_paths_in(value, pattern))
             for name, value in request.args.items(multi=True)]
    return urlencode(pairs, safe="/[]:")
