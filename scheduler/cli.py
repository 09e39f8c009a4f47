"""Flask command-line commands: demo data, users, calendars, jobs, rubrics, retention, backups."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from scheduler.extensions import db
from scheduler.timeutil import utc_now

users_cli = AppGroup("users", help="Manage staff accounts.")
demo_cli = AppGroup("demo", help="Demo data.")
jobs_cli = AppGroup("jobs", help="The background job process.")
calendars_cli = AppGroup("calendars", help="Interviewers' calendar sources.")
rubrics_cli = AppGroup("rubrics", help="Versioned feedback rubrics.")
secrets_cli = AppGroup("secrets", help="Secrets stored encrypted (ENCRYPTION_KEYS).")
retention_cli = AppGroup("retention", help="Candidates' data kept past its retention period.")
backup_cli = AppGroup("backup", help="Copies of the embedded SQLite database.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["admin", "coordinator", "interviewer"]),
              help="Repeat for several roles.")
@click.option("--zone", default=None, help="IANA zone; default DEFAULT_TIMEZONE.")
@click.option("--language", default="zh", type=click.Choice(["zh", "en"]))
@click.option("--office", "office_code", default=None,
              help="An interviewer's office code: makes their interviewer profile there.")
@click.password_option()
def create_user_command(email, name, roles, zone, language, office_code, password):
    """Add a staff user (with --office CODE, an interviewer's profile too)."""
    from scheduler.services.offices import list_offices, office_by_code
    from scheduler.services.users import UserError, create_staff_user

    office = None
    if office_code is not None:
        if "interviewer" not in roles:
            raise click.BadParameter("only an interviewer has an office: add --role interviewer",
                                     param_hint="--office")
        office = office_by_code(office_code)
        if office is None:
            known = ", ".join(o.code for o in list_offices()) or "none yet"
            raise click.BadParameter(f"no office has the code {office_code!r} (offices: {known})",
                                     param_hint="--office")
    try:
        user = create_staff_user(None, email=email, name=name, roles=list(roles),
                                 password=password,
                                 zone=zone or current_app.config["DEFAULT_TIMEZONE"],
                                 language=language, now=utc_now(), office=office)
    except UserError as error:
        db.session.rollback()
        raise click.ClickException("; ".join(r.message for r in error.refusals)) from error
    db.session.commit()
    where = f", interviewer profile at {office.code}" if office is not None else ""
    click.echo(f"Created {user.email} with roles {', '.join(sorted(user.roles))}{where}.")


@demo_cli.command("load")
def load_demo_command():
    """Load the demo hiring process (safe to run twice)."""
    from scheduler.demo import DEMO_LOGINS, load_demo
    from scheduler.services.rubrics import RubricError

    try:
        summary = load_demo(now=utc_now())
    except RubricError as error:
        db.session.rollback()
        raise click.ClickException("\n".join(r.message for r in error.refusals)) from error
    db.session.commit()
    click.echo(summary)
    click.echo("Demo logins (password for all: %s):" % DEMO_LOGINS["password"])
    for role, email in DEMO_LOGINS["accounts"]:
        click.echo(f"  {role:<12} {email}")


@demo_cli.command("link")
@click.argument("email")
def demo_link_command(email):
    """Print a fresh scheduling link for the candidate's current application (it is emailed to
    them too, and audited, as "Send link" and "Resend" are)."""
    from scheduler.formatting import localized
    from scheduler.models import StageTemplate
    from scheduler.services.candidates import candidate_with_email, current_application
    from scheduler.services.emails import external_url
    from scheduler.services.links import LinkError, send_current_stage_link

    candidate = candidate_with_email(email)
    if candidate is None:
        raise click.ClickException(f"no candidate has the email address {email!r}")
    application = current_application(candidate)
    if application is None:
        raise click.ClickException(f"{candidate.name} has no open application")
    try:
        link, token = send_current_stage_link("command line: flask demo link", application,
                                              utc_now())
    except LinkError as error:
        db.session.rollback()
        stage = db.session.get(StageTemplate, error.params.get("stage_id") or 0)
        # The refusal names a stage by id; the command's reader reads English.
        raise click.ClickException(error.render(
            {**error.params, "stage": localized(stage, "name", "en") if stage else "—"})) from error
    db.session.commit()
    stage = application.current_stage
    click.echo(f"{candidate.name} · {localized(application.requisition, 'title', 'en')} · "
               f"{localized(stage, 'name', 'en')} (link {link.id}, valid to pick a time until "
               f"{link.expires_at:%Y-%m-%d %H:%M} UTC; the email is in the outbox):")
    click.echo(external_url("candidate.page", token=token))


@jobs_cli.command("run")
@click.argument("names", nargs=-1)
def run_jobs_command(names):
    """Run the job process: the named jobs (default: all) until stopped. Any number may run."""
    import logging

    from scheduler.jobs import JOBS, run_job_process

    unknown = set(names) - {job.name for job in JOBS}
    if unknown:
        raise click.BadParameter(f"unknown job(s): {', '.join(sorted(unknown))}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    run_job_process(current_app._get_current_object(), names)


@jobs_cli.command("run-once")
@click.argument("names", nargs=-1)
@click.option("--now", "now_text", default=None,
              help="Run as if it were this UTC instant (ISO 8601), e.g. to replay a backlog.")
def run_jobs_once_command(names, now_text):
    """Run the named jobs (default: all) once and print what each did."""
    from scheduler.jobs import JOBS, run_job
    from scheduler.timeutil import parse_instant

    try:
        now = parse_instant(now_text) if now_text else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--now") from error
    unknown = set(names) - {job.name for job in JOBS}
    if unknown:
        raise click.BadParameter(f"unknown job(s): {', '.join(sorted(unknown))}")
    for job in JOBS:
        if not names or job.name in names:
            click.echo(job.describe(run_job(current_app._get_current_object(), job, now)))


@calendars_cli.command("refresh")
def refresh_calendars_command():
    """Re-read every calendar source over the rolling horizon and report the counts."""
    from scheduler.services.calendars import refresh_calendar_sources

    counts = refresh_calendar_sources(utc_now())
    db.session.commit()
    click.echo(", ".join(f"{name}: {value}" for name, value in counts.items()))


@rubrics_cli.command("load")
@click.option("--directory", type=click.Path(exists=True, file_okay=False), default=None,
              help="Where the rubric files are; default scheduler/rubrics/.")
def load_rubrics_command(directory):
    """Check every rubric file and store the versions not yet loaded (safe to run twice)."""
    from scheduler.services.rubrics import RubricError, load_rubric_files

    try:
        report = load_rubric_files(utc_now(), directory, actor="flask rubrics load")
    except RubricError as error:
        db.session.rollback()
        raise click.ClickException("\n".join(r.message for r in error.refusals)) from error
    db.session.commit()
    click.echo(report)


@secrets_cli.command("rotate")
def rotate_secrets_command():
    """Re-encrypt every stored secret with the first key of ENCRYPTION_KEYS (then the others may go)."""
    from scheduler.services.calendars import reencrypt_calendar_secrets

    count = reencrypt_calendar_secrets()
    db.session.commit()
    click.echo(f"re-encrypted: {count} calendar sources")


@retention_cli.command("report")
@click.option("--now", "now_text", default=None,
              help="Report as if it were this UTC instant (ISO 8601).")
def retention_report_command(now_text):
    """List what the next retention run will anonymise (a dry run: nothing is changed)."""
    from scheduler.services.retention import retention_plan
    from scheduler.timeutil import parse_instant

    try:
        now = parse_instant(now_text) if now_text else utc_now()
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--now") from error
    plan = retention_plan(now)
    db.session.rollback()
    click.echo(f"retention report at {now:%Y-%m-%d %H:%M} UTC (dry run, nothing changed)")
    click.echo(f"applications to anonymise: {len(plan.applications)}")
    for item in plan.applications:
        click.echo(f"  application {item.application_id} (candidate {item.candidate_id}, "
                   f"opening {item.requisition_id}, {item.status}): closed "
                   f"{item.closed_at:%Y-%m-%d} UTC, expired {item.expired_at:%Y-%m-%d} UTC")
    click.echo(f"candidates whose name, email and phone go: {len(plan.candidate_ids)}")
    for candidate_id in plan.candidate_ids:
        click.echo(f"  candidate {candidate_id}")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
def create_backup_command(path):
    """Copy the SQLite database to the new file PATH while the app runs (PostgreSQL: pg_dump)."""
    from scheduler.services.backups import BackupError, back_up_database

    try:
        target = back_up_database(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Backed up to {target} (integrity check: ok).")


def register_commands(app: Flask) -> None:
    """Attach every command group to the app."""
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(calendars_cli)
    app.cli.add_command(rubrics_cli)
    app.cli.add_command(secrets_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(backup_cli)
