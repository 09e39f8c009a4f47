"""Interview scheduler: the Flask application factory.

Flask is imported inside create_app() so that the pure parts (scheduler.domain) can be imported
without pulling in the web stack.
"""
from __future__ import annotations


def create_app(config_overrides: dict | None = None):
    """Build the Flask application as a short list of named steps."""
    from scheduler import app as steps

    app = steps.make_flask_app()
    steps.load_config(app, config_overrides)
    steps.configure_clock(app)
    steps.configure_proxies(app)
    steps.init_extensions(app)
    steps.register_request_checks(app)
    steps.register_blueprints(app)
    steps.register_request_log(app)
    steps.register_error_handlers(app)
    steps.register_security_headers(app)
    steps.register_cli(app)
    steps.register_template_filters(app)
    return app
