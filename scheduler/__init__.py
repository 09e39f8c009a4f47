"""Interview scheduler: the Flask application factory.

Flask is imported inside create_app() so that the pure parts (scheduler.domain) can be imported
without pulling in the web stack.
"""
from __future__ import annotations


def create_app(config_overrides: dict | None = None):
    """Build the Flask application as a short list of named steps."""
    from scheduler import setup

    app = setup.make_flask_app()
    setup.load_config(app, config_overrides)
    setup.configure_clock(app)
    setup.init_extensions(app)
    setup.register_blueprints(app)
    setup.register_error_handlers(app)
    setup.register_security_headers(app)
    setup.register_cli(app)
    setup.register_template_filters(app)
    return app
