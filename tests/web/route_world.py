"""One small world for tests that walk every route: the permission matrix, CSRF and the fuzz.

`build_route_world()` makes, once per module, the rows every route names (an opening with four
stages, two candidates' applications with scheduling links, interviews past and future, feedback,
calendars, a failed email, a workday override) and the people the matrix asks as: an interviewer
on the subject interviews' panels, one on none, the subject opening's coordinator, a coordinator
of another opening only, an admin, and a person holding all three roles (who sits on the panels
too: the CSRF test posts as them, so a missing token is the only thing that could refuse). `RouteApp` runs the app on a SQLite file and puts that file back
after a request that may have written, so each request sees the same world whatever ran before.

`url_for_rule()` fills a rule's arguments from the world: the subject objects by argument name,
with a few per-endpoint choices (`ENDPOINT_ARGS`) where a route needs a particular one (the
interview with submitted feedback for amendments, the person without a profile for a new one).
"""
from __future__ import annotations

import contextvars
import hashlib
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask.testing import FlaskClient

from scheduler import create_app
from scheduler.extensions import db
from scheduler.services.feeds import token_hash
from tests import factories as f
from tests.clock import NOW
from tests.dbutil import app_config
from tests.feedback_setup import feedback_world
from tests.web.helpers import csrf_token

PASSWORD = "correct horse battery staple"
LINK_A_TOKEN = "A" * 43       # the subject application's link (the URLs' <token>)
LINK_B_TOKEN = "B" * 43       # the other application's link: the "candidate" role holds it
FEED_TOKEN = "F" * 43
EMAILS = {"on_panel": "on@example.com", "off_panel": "off@example.com",
          "coordinator": "coord@example.com", "other_coordinator": "other.coord@example.com",
          "admin": "admin@example.com", "all_roles": "all@example.com"}
# Who the matrix asks, in its columns' order.
ROLES = ("anonymous", "candidate", "on_panel", "off_panel", "coordinator", "other_coordinator",
         "admin")


@dataclass
class RouteWorld:
    args: dict                      # URL argument name -> the subject object's value
    endpoint_args: dict             # endpoint -> argument overrides
    other: dict = field(default_factory=dict)   # ids of objects of another owner (object checks)


def build_route_world() -> RouteWorld:
    """Make the rows and people; commit; return the URL arguments."""
    world = feedback_world(people=1)
    design, deep_dive, coding, hr_final = (world.design, world.deep_dive, world.coding,
                                           world.hr_final)
    office = world.people[0].office
    qualified = {kind: "qualified" for kind in ("system_design", "project_deep_dive",
                                                "coding_test", "hr_final")}

    def person(key, roles, profile=True):
        user = f.make_user(email=EMAILS[key], name=key.replace("_", " ").title(), roles=roles,
                           password=PASSWORD, language="en")
        return f.make_interviewer(office=office, user=user, qualifications=qualified) \
            if profile else user

    on = person("on_panel", ("interviewer",))
    off = person("off_panel", ("interviewer",))
    coordinator = person("coordinator", ("coordinator",), profile=False)
    # A coordinator of another opening only (least access: the subject opening's candidates are
    # not theirs to see).
    other_coordinator = person("other_coordinator", ("coordinator",), profile=False)
    person("admin", ("admin",), profile=False)
    everyone = person("all_roles", ("admin", "coordinator", "interviewer"))
    spare = world.people[0]
    no_profile = f.make_user(roles=("coordinator",))

    application = world.application
    past = f.make_interview(application, stage=design, panel=(on, everyone),
                            start_at=NOW - timedelta(hours=3))
    amended = f.make_interview(application, stage=deep_dive, panel=(on, everyone),
                               start_at=NOW - timedelta(hours=30))
    for author in (on, everyone):
        f.make_feedback(amended, author, rubric=world.rubric, scores={"framing": 3},
                        submitted_at=NOW - timedelta(hours=20))
    future = f.make_interview(application, stage=hr_final, panel=(on, everyone),
                              start_at=NOW + timedelta(days=4))
    link_a = f.make_link(application, stages=[coding], token_hash=token_hash(LINK_A_TOKEN))

    other_application = f.make_application(requisition=world.requisition)
    f.make_link(other_application, token_hash=token_hash(LINK_B_TOKEN))
    other_requisition = f.make_requisition()
    f.coordinate(coordinator, world.requisition)
    f.coordinate(other_coordinator, other_requisition)
    off_interview = f.make_interview(other_application, panel=(off,),
                                     start_at=NOW + timedelta(days=5))

    on.feed_token_hash = token_hash(FEED_TOKEN)
    source = f.make_calendar_source(on, kind="file", name="Work", content=_ICS)
    manual = f.make_calendar_source(on)
    block = f.make_busy_block(manual, NOW + timedelta(days=2), NOW + timedelta(days=2, hours=1))
    override = f.make_availability_override(on, (NOW + timedelta(days=9)).date())
    off_manual = f.make_calendar_source(off)
    off_block = f.make_busy_block(off_manual, NOW + timedelta(days=2),
                                  NOW + timedelta(days=2, hours=1))
    off_source = f.make_calendar_source(off, kind="file", name="Theirs", content=_ICS)
    off_override = f.make_availability_override(off, (NOW + timedelta(days=9)).date())
    workday = f.make_workday_override((NOW + timedelta(days=40)).date())
    message = f.make_outbox_message(to_addr=application.candidate.email, failed_at=NOW,
                                    attempts=5)
    other_message = f.make_outbox_message(to_addr=other_application.candidate.email,
                                          failed_at=NOW, attempts=5)
    db.session.commit()
    return RouteWorld(
        args={"user_id": on.user_id, "office_id": office.id, "override_id": workday.id,
              "interview_id": future.id, "profile_id": on.id, "block_id": block.id,
              "source_id": source.id, "token": LINK_A_TOKEN, "candidate_id":
              other_application.candidate_id, "application_id": application.id,
              "requisition_id": world.requisition.id, "stage_id": design.id,
              "message_id": message.id, "link_id": link_a.id, "filename": "css/app.css"},
        endpoint_args={
            "interviewer.feedback": {"interview_id": past.id},
            "interviewer.feedback_draft": {"interview_id": past.id},
            "interviewer.no_show": {"interview_id": past.id},
            "coordinator.mark_interview_no_show": {"interview_id": past.id},
            "interviewer.amend_feedback": {"interview_id": amended.id},
            "availability.remove_override": {"override_id": override.id},
            "availability.new_profile": {"user_id": no_profile.id},
            "feeds.interviewer_feed": {"token": FEED_TOKEN},
            "auth.reset_password": {"token": "not-a-reset-token"},
            "candidate.unknown": {"token": "not/a/link"},
            "public.privacy_notice": {"language": "zh"},
            "coordinator.swap": {"?": f"interviewer={on.id}"},
        },
        other={"past_interview": past.id, "off_interview": off_interview.id,
               "off_profile": off.id, "off_block": off_block.id, "off_source": off_source.id,
               "off_override": off_override.id, "other_requisition": other_requisition.id,
               "other_stage": other_requisition.stages[0].id,
               "other_application": other_application.id, "other_message": other_message.id,
               "spare_profile": spare.id, "all_profile": everyone.id,
               "coding_stage": coding.id},
    )


_ICS = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n")


def url_for_rule(rule, world: RouteWorld, **overrides) -> str:
    """Return a URL of *rule* with its arguments taken from *world* (or *overrides*)."""
    values = {**world.args, **world.endpoint_args.get(rule.endpoint, {}), **overrides}
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[\w]+(?:\([^)]*\))?:)?{name}>", str(values[name]), path)
    return path + (f"?{values['?']}" if "?" in values else "")


class RouteClient(FlaskClient):
    """A test client whose requests each run in a fresh app context, as in production, and whose
    session can be put back as it was saved (signing out or a flash then changes nothing for the
    next request)."""

    saved_session: str | None = None
    csrf_token: str = ""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)

    def save_session(self) -> None:
        cookie = self.get_cookie("session")
        self.saved_session = cookie.value if cookie is not None else None

    def reset_session(self) -> None:
        if self.saved_session is None:
            self.delete_cookie("session")
        else:
            self.set_cookie("session", self.saved_session)


class RouteApp:
    """The app with the world built once. On SQLite the database file is put back as built after
    a request that wrote (`restore_if_written`), so each request sees the same world; on
    PostgreSQL (`sqlite_file` None) the world stays as the requests leave it."""

    def __init__(self, config: dict, sqlite_file: Path | None = None):
        self.sqlite_file = sqlite_file
        self.app = create_app(config)
        self.app.test_client_class = RouteClient
        # A failing view answers 500 as in production (and is logged) instead of raising here.
        self.app.config["PROPAGATE_EXCEPTIONS"] = False
        with self.app.app_context():
            self.world = build_route_world()
            db.session.remove()
            db.engine.dispose()
        if sqlite_file is not None:
            with sqlite3.connect(sqlite_file) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            self.snapshot = sqlite_file.with_name(sqlite_file.name + ".snapshot")
            shutil.copy(sqlite_file, self.snapshot)

    @classmethod
    def on_sqlite(cls, directory: Path, template: Path) -> "RouteApp":
        """Return the app on a copy of the migrated SQLite *template* in *directory*."""
        path = directory / "routes.db"
        shutil.copy(template, path)
        return cls(app_config(f"sqlite:///{path}"), path)

    def restore_if_written(self) -> None:
        """Put the SQLite world back as built when a request has written to it (the WAL file
        then holds the write)."""
        if self.sqlite_file is not None and self.has_written():
            with self.app.app_context():
                db.engine.dispose()
            for suffix in ("-wal", "-shm"):
                Path(f"{self.sqlite_file}{suffix}").unlink(missing_ok=True)
            shutil.copy(self.snapshot, self.sqlite_file)

    def has_written(self) -> bool:
        """Tell whether a request has written to the SQLite world since it was last put back."""
        wal = Path(f"{self.sqlite_file}-wal")
        return wal.exists() and wal.stat().st_size > 0

    def database_fingerprint(self) -> str:
        """Return a digest of every row of every table but the access records (to prove a
        request wrote nothing)."""
        digest = hashlib.sha256()
        with self.app.app_context():
            with db.engine.connect() as connection:
                for table in db.metadata.sorted_tables:
                    # A page shown records who looked even when the request was refused: that
                    # record is not the refused request's write.
                    if table.name == "access_record":
                        continue
                    query = sa.select(table).order_by(*table.primary_key.columns)
                    for row in connection.execute(query):
                        digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()

    def client(self, role: str) -> FlaskClient:
        """Return a client signed in as *role* (anonymous: none; candidate: has opened the other
        application's link)."""
        client = self.app.test_client()
        if role == "candidate":
            client.get(f"/schedule/{LINK_B_TOKEN}")
        elif role != "anonymous":
            page = client.get("/login")
            response = client.post("/login", data={"csrf_token": csrf_token(page.text),
                                                   "email": EMAILS[role], "password": PASSWORD})
            assert response.status_code == 302, f"{role} could not sign in"
            # The sign-in's audit record is not part of the world the requests see.
            self.restore_if_written()
        client.csrf_token = self.token(client)
        client.save_session()
        return client

    @staticmethod
    def token(client: FlaskClient) -> str:
        """Return the CSRF token of *client*'s session (from a page with a form)."""
        page = client.get("/account/password")
        return csrf_token(page.text if page.status_code == 200 else client.get("/login").text)
