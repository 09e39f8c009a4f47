"""Flask command-line commands: demo data, users, calendars, jobs."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from scheduler.extensions import db
from scheduler.timeutil import utc_now

users_cli = AppGroup("users", help="Manage staff accounts.")
demo_cli = AppGroup("demo", help="Demo data.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["admin", "coordinator", "interviewer"]),
              help="Repeat for several roles.")
@click.option("--zone", default=None, help="IANA zone; default DEFAULT_TIMEZONE.")
@click.option("--language", default="zh", type=click.Choice(["zh", "en"]))
@click.password_option()
def create_user_command(email, name, roles, zone, language, password):
    """Add a staff user."""
    from scheduler.services.users import UserError, create_staff_user

    try:
        user = create_staff_user(None, email=email, name=name, roles=list(roles),
                                 password=password,
                                 zone=zone or current_app.config["DEFAULT_TIMEZONE"],
                                 language=language, now=utc_now())
    except UserError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} with roles {', '.join(sorted(user.roles))}.")


@demo_cli.command("load")
def load_demo_command():
    """Load the demo hiring process (safe to run twice)."""
    from scheduler.demo import DEMO_LOGINS, load_demo

    summary = load_demo(now=utc_now())
    db.session.commit()
    click.echo(summary)
    click.echo("Demo logins (password for all: %s):" % DEMO_LOGINS["password"])
    for role, email in DEMO_LOGINS["accounts"]:
        click.echo(f"  {role:<12} {email}")


def register_commands(app: Flask) -> None:
    """Attach every command group to the app."""
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
