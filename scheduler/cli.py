"""Flask command-line commands: demo data, users, calendars, jobs."""
from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every command group to the app."""
