"""Load test: candidates booking through their links against gunicorn and PostgreSQL on loopback.

    python -m bench.load                      # this checkout, about a minute
    python -m bench.load --against 75dde18    # and another revision, side by side, in one run

Each measured revision gets a private PostgreSQL schema (in BENCH_DATABASE_URL, else
TEST_DATABASE_URL, else the loopback server's ``test`` database), migrated to that revision's head
and seeded by that revision's models with the engine bench's M team (50 interviewers in 8 zones,
about 4,000 busy intervals; bench/db_workloads.py) and a few hundred candidates, each with a
scheduling link to the team's one-of-50 stage. gunicorn then serves that revision's ``wsgi:app``
with this checkout's production settings (bench/app_server.py, deploy/gunicorn.conf.py: gthread
workers, 4 threads, keep-alive 30 s) and 4 workers, every setting of the app by environment, with
the clock frozen at the engine bench's NOW.

Phases of 20 and then 100 concurrent users each run on a freshly seeded schema and server, after
a short warm-up (every worker's first pages): a phase starts from the same free times whatever
the revision booked before, so a revision that books faster is not measured on an emptier
calendar (where more times are "just taken" and more pages are rendered per booking).
A user is one candidate after another, each in a fresh browser (bench/candidate_client.py):
open the link's page, pick one of its times at random, open the confirm step, acknowledge the
privacy notice (and agree to the cross-border transfer when the page asks), book, and land on the
booked page; a time taken meanwhile is answered with fresh times, and the candidate picks again
(up to three times). Each candidate sends their own address through one trusted proxy hop
(TRUSTED_PROXY_HOPS=1), so the candidate pages' per-address rate limits stay at their production
values and count per candidate, as behind the production proxy (this works on every revision
since issue 22).

Reported per phase: throughput (requests and bookings a second; the 100-user phase saturates the
machine), median and p95 per step, on the server (gunicorn's access log) and at the client, the
error rate (5xx, unexpected answers, broken connections; a time "just taken" is not an error),
and the CPU time per booking: user + system time from /proc of the gunicorn master and workers
plus the PostgreSQL backends serving the app (found in pg_stat_activity by the app's
application_name), over the phase, divided by the bookings made. Then, per revision, the checks:
no interviewer holds overlapping active seats and every booking has its invitations in the
outbox (bench/booking_checks.py); the exit status is non-zero when either fails or any request
errs.

With ``--against REV``, REV is checked out into a temporary git worktree as bench/compare.py
does (that revision's scheduler package, migrations and wsgi.py; this checkout's bench code),
the revisions run one after the other, the order flipping every round, and a side-by-side table
gives REV ÷ this for CPU per booking (above 1: this checkout spends less). The machine's load
average is printed at the start and the end of each phase: other work on it slows both alike
only when the rounds alternate.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from bench.app_server import AppServer, cpu_delta, process_cpu_seconds, production_settings
from bench.booking_checks import missing_invites, overlapping_seats, scheduled_interviews
from bench.candidate_client import Browser, Candidate, offered_times

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WORKERS = 4
USERS = (20, 100)
PHASE_SECONDS = 15
# Enough candidates that no phase runs out: each books once.
CANDIDATES = 600
WARM_UP_CANDIDATES = 16
ATTEMPTS = 3
STEPS = ("page", "confirm", "book", "booked page")
# A process of the measured revision seeds its schema: its scheduler package first, then this
# checkout's bench (as bench/compare.py's workers do).
_BOOT = ("import sys; this, measured = sys.argv[1], sys.argv[2]; sys.path.insert(0, measured); "
         "import scheduler; sys.path.insert(0, this); from bench.load import seed; "
         "seed(int(sys.argv[3]))")


# ---------------------------------------------------------------------------------------------
# Inside the seeding process (the measured revision's scheduler package)


def seed(count: int) -> None:
    """Migrate the schema of DATABASE_URL to head, store the M team and *count* candidates with
    links to its stage; print the tokens as one JSON line."""
    import secrets
    from datetime import timedelta

    from flask_migrate import upgrade

    from bench.db_workloads import _store_team
    from bench.engine_workloads import NOW, team
    from scheduler import create_app
    from scheduler.extensions import db
    from scheduler.models import Application, Candidate as CandidateRow, SchedulingLink
    from scheduler.services.links import token_hash

    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        calendars = [_without_overlapping_seats(c) for c in team("M").calendars]
        application = db.session.get(Application, _store_team(calendars))
        requisition, stage = application.requisition, application.current_stage
        created_at = NOW - timedelta(days=1)
        tokens = []
        for number in range(count):
            candidate = CandidateRow(name=f"Load Candidate {number}",
                                     email=f"load{number}@example.org", zone="Asia/Shanghai",
                                     created_at=created_at)
            row = Application(candidate=candidate, requisition=requisition, level="mid",
                              current_stage=stage, created_at=created_at, updated_at=created_at)
            token = secrets.token_urlsafe(32)
            db.session.add(SchedulingLink(
                token_hash=token_hash(token), application=row, stage_ids=[stage.id],
                break_minutes=0, expires_at=NOW + timedelta(days=7), created_at=created_at,
                candidate_note="", last_sent_at=created_at))
            tokens.append(token)
        db.session.commit()
        db.engine.dispose()
    print(json.dumps({"tokens": tokens}))


def _without_overlapping_seats(calendar):
    """Return *calendar* keeping only booked interviews that do not overlap an earlier one: the
    generated team may double-book (the engine bench does not mind), PostgreSQL's exclusion
    constraint refuses it."""
    import dataclasses

    kept = []
    for start, end in sorted(calendar.booked_interviews):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return dataclasses.replace(calendar, booked_interviews=type(calendar.booked_interviews)(kept))


# ---------------------------------------------------------------------------------------------
# The conductor


def _load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


@dataclass
class Phase:
    """What one phase of concurrent users did and cost."""

    users: int
    seconds: float = 0.0
    outcomes: dict = field(default_factory=dict)      # booked, gave up, no times, error
    requests: list = field(default_factory=list)      # (step, status, client seconds)
    server: list = field(default_factory=list)        # (step, status, server seconds)
    errors: list = field(default_factory=list)        # what went wrong, for the report
    taken: int = 0                                    # friendly "just taken" answers
    asked: int = 0                                    # consent asked again at the post
    reconnects: int = 0
    gunicorn_cpu: float = 0.0
    postgres_cpu: float = 0.0
    load: str = ""

    @property
    def bookings(self) -> int:
        return self.outcomes.get("booked", 0)

    @property
    def error_count(self) -> int:
        return len(self.errors)


@dataclass
class Side:
    """One revision's run: its label, its phases, and what the checks found afterwards."""

    label: str
    phases: list = field(default_factory=list)
    scheduled: int = 0
    overlaps: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    out_of_candidates: bool = False
    server_errors: str = ""      # gunicorn's log from its first traceback on, when a request erred


class _Tokens:
    """The candidates' links, handed out one at a time to the users' threads."""

    def __init__(self, tokens: list[str]):
        self._tokens = list(tokens)
        self._lock = threading.Lock()
        self.is_exhausted = False

    def take(self) -> str | None:
        with self._lock:
            if not self._tokens:
                self.is_exhausted = True
                return None
            return self._tokens.pop()


def _book_one(base_url: str, token: str, address: str, rng: random.Random, phase: Phase,
              lock: threading.Lock) -> None:
    """Book as one candidate in a fresh browser; record each request and the outcome."""
    browser = Browser(base_url, address, language="zh")
    candidate = Candidate(browser, token)
    outcome, errors, taken, asked = "gave up", [], 0, 0

    def check(answer, *expected) -> bool:
        if answer.status in expected:
            return True
        errors.append(f"{answer.status} at {browser.history[-1][0]}")
        return False

    try:
        page = candidate.open_page()
        html = page.text if check(page, 200) else None
        for _ in range(ATTEMPTS if html is not None else 0):
            times = offered_times(html)
            if not times:
                outcome = "no times"
                break
            path, _start = rng.choice(times)
            confirm = candidate.confirm(path)
            if confirm.status == 409:  # taken since the page: its fresh times come with it
                taken, html = taken + 1, confirm.text
                continue
            if not check(confirm, 200):
                break
            result, answer = candidate.book()
            while result.kind == "asked again" and asked < ATTEMPTS:
                asked += 1
                result, answer = candidate.book()
            if result.kind == "asked again":  # the panel kept changing: this candidate gives up
                break
            if result.kind == "booked":
                outcome = "booked"
                break
            if result.kind == "taken":
                taken, html = taken + 1, answer.text
                continue
            errors.append(f"{result.status} at {browser.history[-1][0]}: "
                          f"{_error_text(result.detail)}")
            break
    except (ConnectionError, OSError, ValueError) as error:
        errors.append(f"{type(error).__name__}: {error}"[:200])
    finally:
        browser.close()
    with lock:
        phase.requests += browser.history
        phase.errors += errors
        phase.taken += taken
        phase.asked += asked
        phase.reconnects += browser.reconnects
        kind = "error" if errors else outcome
        phase.outcomes[kind] = phase.outcomes.get(kind, 0) + 1


def _error_text(html: str) -> str:
    """Return the text of a page's error summary (or its heading), tags removed."""
    import re

    match = re.search(r'error-summary-title.*?</div>|<h1>.*?</h1>', html, re.S)
    text = re.sub(r"<[^>]+>", " ", match.group(0) if match else html[:200])
    return " ".join(text.replace("error-summary-title\">", "").split())[:200]


def _postgres_backends(monitor: sa.Engine, application_name: str) -> list[int]:
    with monitor.connect() as connection:
        return list(connection.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
            {"name": application_name}).scalars())


def _run_phase(server: AppServer, monitor: sa.Engine, application_name: str, tokens: _Tokens,
               users: int, seconds: float, access_log: Path) -> Phase:
    """Let *users* threads book candidate after candidate for *seconds*; measure the phase."""
    phase = Phase(users, load=_load_average())
    lock = threading.Lock()
    log_start = access_log.stat().st_size
    cpu_before = server.cpu_seconds()
    pg_before = {pid: process_cpu_seconds(pid)
                 for pid in _postgres_backends(monitor, application_name)}
    started = time.perf_counter()
    deadline = started + seconds
    counter = iter(range(10**9))

    def user(number: int) -> None:
        rng = random.Random(f"{users}-{number}")
        while time.perf_counter() < deadline:
            token = tokens.take()
            if token is None:
                return
            # One address per candidate: 10.x.y.z from the candidate's number.
            n = next(counter)
            address = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
            _book_one(server.base_url, token, address, rng, phase, lock)

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    phase.gunicorn_cpu = cpu_delta(cpu_before, server.cpu_seconds())
    pg_after = {pid: process_cpu_seconds(pid)
                for pid in _postgres_backends(monitor, application_name)}
    phase.postgres_cpu = cpu_delta(pg_before, pg_after)
    phase.load += f" → {_load_average()}"
    with access_log.open(errors="replace") as log:
        log.seek(log_start)
        for line in log:
            parts = line.rstrip("\n").split(" ", 3)
            if len(parts) == 4:
                phase.server.append((parts[3].strip('"'), int(parts[1]), int(parts[2]) / 1e6))
    return phase


def _warm_up(server: AppServer, tokens: list[str]) -> None:
    """Open pages and confirm steps until every worker has served some (its first requests
    load templates, holiday data and zone tables)."""
    def visit(token: str) -> None:
        browser = Browser(server.base_url, f"192.0.2.{abs(hash(token)) % 250 + 1}",
                          language="zh")
        candidate = Candidate(browser, token)
        try:
            page = candidate.open_page()
            times = offered_times(page.text)
            if times:
                candidate.confirm(times[0][0])
        finally:
            browser.close()

    threads = [threading.Thread(target=visit, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _database_url(base_url: str, schema: str, application_name: str) -> str:
    """Return *base_url* with the schema first on the search path and the app's name set."""
    options = quote(f"-csearch_path={schema},public")
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options={options}&application_name={application_name}"


def _environment(database_url: str, folder: Path) -> dict:
    """The app's settings, as production passes them: by environment."""
    from bench.engine_workloads import NOW  # the engine bench's instant (a Monday)

    return {**os.environ, "APP_ENV": "testing", "DATABASE_URL": database_url,
            "SECRET_KEY": uuid.uuid4().hex,
            "ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "FROZEN_NOW": NOW.isoformat(), "TRUSTED_PROXY_HOPS": "1",
            "RATELIMIT_STORAGE_URI": "memory://", "BASE_URL": "http://127.0.0.1",
            "INSTANCE_PATH": str(folder / "instance"), "MAIL_DIR": str(folder / "mail"),
            "PYTHONHASHSEED": "0"}


def run_side(label: str, app_root: Path, options) -> Side:
    """Run each phase of the revision at *app_root* on a freshly seeded schema of its own, so
    every phase starts from the same free times whatever the revision booked before; check."""
    side = Side(label)
    for users in options.users:
        _run_on_fresh_schema(side, app_root, options, users)
    return side


def _run_on_fresh_schema(side: Side, app_root: Path, options, users: int) -> None:
    """Seed a private schema, serve it, run one phase of *users* into *side*, check, drop it."""
    suffix = uuid.uuid4().hex[:8]
    schema, application_name = f"bench_load_{os.getpid()}_{suffix}", f"bench-load-{suffix}"
    admin = sa.create_engine(options.database_url, isolation_level="AUTOCOMMIT")
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public"))
    monitor = sa.create_engine(options.database_url, connect_args={
        "options": f"-csearch_path={schema},public", "application_name": "bench-load-monitor"})
    try:
        environment = _environment(_database_url(options.database_url, schema,
                                                 application_name), folder)
        seeded = subprocess.run(
            [sys.executable, "-c", _BOOT, str(ROOT), str(app_root), str(options.candidates)],
            cwd=app_root, env=environment, capture_output=True, text=True)
        if seeded.returncode:
            raise RuntimeError(f"seeding {side.label} failed:\n{seeded.stderr[:1500]}\n…\n"
                               f"{seeded.stderr[-1500:]}")
        tokens = json.loads(seeded.stdout.strip().splitlines()[-1])["tokens"]
        warm, tokens = tokens[:WARM_UP_CANDIDATES], _Tokens(tokens[WARM_UP_CANDIDATES:])
        access_log = folder / "access.log"
        access_log.touch()
        with AppServer(app_root, environment, workers=options.workers,
                       access_log=access_log) as server:
            _warm_up(server, warm)
            phase = _run_phase(server, monitor, application_name, tokens, users,
                               options.seconds, access_log)
            side.phases.append(phase)
            if phase.errors and "Traceback" in server.log_text():
                log = server.log_text()
                side.server_errors += log[log.find("Traceback"):][:4000]
        side.out_of_candidates |= tokens.is_exhausted
        with monitor.connect() as connection:
            side.scheduled += scheduled_interviews(connection)
            side.overlaps += overlapping_seats(connection)
            side.missing += missing_invites(connection)
    finally:
        monitor.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def _cpu_per_booking(phases) -> float:
    bookings = sum(p.bookings for p in phases)
    return sum(p.gunicorn_cpu + p.postgres_cpu for p in phases) / bookings if bookings else 0.0


def _step_times(phases, step: str, source: str) -> list[float]:
    return [seconds for p in phases for s, status, seconds in getattr(p, source) if s == step]


def _print_side(side: Side) -> None:
    print(f"\n{side.label}")
    print("| users | seconds | requests | req/s | bookings | bookings/s | taken | asked again "
          "| gave up | errors | error rate | CPU ms/booking (gunicorn + PostgreSQL) "
          "| load average |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| --- |")
    for p in side.phases:
        count = len(p.requests)
        rate = p.error_count / count if count else 0.0
        cpu = (f"{_ms(_cpu_per_booking([p]))} ({_ms(p.gunicorn_cpu / p.bookings)} + "
               f"{_ms(p.postgres_cpu / p.bookings)})" if p.bookings else "–")
        print(f"| {p.users} | {p.seconds:.1f} | {count} | {count / p.seconds:.1f} | {p.bookings} "
              f"| {p.bookings / p.seconds:.2f} | {p.taken} | {p.asked} "
              f"| {p.outcomes.get('gave up', 0) + p.outcomes.get('no times', 0)} "
              f"| {p.error_count} | {rate:.2%} "
              f"| {cpu} | {p.load} |")
    print("\n| users | step | requests | server median ms | server p95 ms | client median ms "
          "| client p95 ms |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for p in side.phases:
        for step in STEPS:
            server, client = _step_times([p], step, "server"), _step_times([p], step, "requests")
            if client:
                print(f"| {p.users} | {step} | {len(client)} | {_ms(statistics.median(server))} "
                      f"| {_ms(_percentile(server, 0.95))} | {_ms(statistics.median(client))} "
                      f"| {_ms(_percentile(client, 0.95))} |")
    made = sum(p.bookings for p in side.phases)
    print(f"\nchecks: {side.scheduled} interviews scheduled for {made} bookings seen; "
          f"{len(side.overlaps)} overlapping pairs of active seats; "
          f"{len(side.missing)} invitations missing from the outbox")
    for phase in side.phases:
        for error in sorted(set(phase.errors))[:5]:
            print(f"  error ({phase.users} users): {error}")
    if side.server_errors:
        print(f"  the server's log from its first traceback:\n{side.server_errors}")
    if side.out_of_candidates:
        print("  WARNING: the candidates ran out before the phase ended (raise --candidates)")


def _problems(side: Side) -> list[str]:
    problems = []
    if side.overlaps:
        problems.append(f"{side.label}: DOUBLE BOOKING: {side.overlaps[:5]}")
    if side.missing:
        problems.append(f"{side.label}: bookings without invitations: {side.missing[:5]}")
    if side.scheduled != sum(p.bookings for p in side.phases):
        problems.append(f"{side.label}: {side.scheduled} interviews scheduled, but the "
                        f"candidates saw {sum(p.bookings for p in side.phases)} bookings")
    errors = sum(p.error_count for p in side.phases)
    if errors:
        problems.append(f"{side.label}: {errors} requests failed")
    return problems


def _print_comparison(base: list[Side], this: list[Side], commit: str, this_label: str,
                      users: list[int]) -> None:
    def phases(sides, count):
        return [p for side in sides for p in side.phases if p.users == count]

    print(f"\n| measure | {commit} | {this_label} | {commit} ÷ this |")
    print("| --- | ---: | ---: | ---: |")

    def row(name, a, b, unit=""):
        ratio = f"{a / b:.2f}×" if b else "–"
        print(f"| {name} | {a:.1f}{unit} | {b:.1f}{unit} | {ratio} |")

    for count in users:
        a, b = phases(base, count), phases(this, count)
        row(f"{count} users: requests/s", sum(len(p.requests) for p in a) / sum(p.seconds for p in a),
            sum(len(p.requests) for p in b) / sum(p.seconds for p in b))
        for label, fraction in (("median", 0.5), ("p95", 0.95)):
            row(f"{count} users: booking POST server {label} ms",
                _percentile(_step_times(a, "book", "server"), fraction) * 1000,
                _percentile(_step_times(b, "book", "server"), fraction) * 1000)
        row(f"{count} users: CPU ms per booking", _cpu_per_booking(a) * 1000,
            _cpu_per_booking(b) * 1000)
    all_a = [p for side in base for p in side.phases]
    all_b = [p for side in this for p in side.phases]
    row("all phases: CPU ms per booking", _cpu_per_booking(all_a) * 1000,
        _cpu_per_booking(all_b) * 1000)
    print("(requests/s: below 1 means this checkout serves more; times and CPU: above 1 means "
          "it takes less)")
    print(f"\nCPU per booking, {commit} ÷ this: "
          f"{_cpu_per_booking(all_a) / _cpu_per_booking(all_b):.2f}× "
          "(above 1: this checkout spends less per booking)")


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", metavar="REV", help="also measure this git revision")
    parser.add_argument("--users", type=int, nargs="+", default=list(USERS),
                        help=f"concurrent users per phase (default {' '.join(map(str, USERS))})")
    parser.add_argument("--seconds", type=float, default=PHASE_SECONDS,
                        help=f"length of each phase (default {PHASE_SECONDS})")
    parser.add_argument("--rounds", type=int, default=1,
                        help="runs per revision with --against, the order flipping each round")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers")
    parser.add_argument("--candidates", type=int, default=CANDIDATES,
                        help=f"candidates seeded per run (default {CANDIDATES})")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL")
                        or os.environ.get("TEST_DATABASE_URL") or DEFAULT_DATABASE_URL,
                        help="a PostgreSQL database to make private schemas in")
    return parser.parse_args(argv)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    """Run the load test on this checkout (and on --against REV); print the tables."""
    options = _parse(argv)
    from bench.compare import _checkout  # a worktree of REV with its catalogues compiled

    here = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    this_label = f"this ({here}{'+' if dirty else ''})"
    settings = production_settings()
    print(f"bench.load: deploy/gunicorn.conf.py with {options.workers} {settings['worker_class']} "
          f"workers × {settings['threads']} threads, keep-alive {settings['keepalive']} s; {' and '.join(map(str, options.users))} users, "
          f"{options.seconds:.0f} s each; {os.cpu_count()} CPUs; load average at start "
          f"{_load_average()}")
    folder = Path(tempfile.mkdtemp(prefix="bench-load-rev-"))
    other = folder / "checkout"
    sides: dict[str, list[Side]] = {"base": [], "this": []}
    try:
        order = [("this", this_label, ROOT)]
        commit = ""
        if options.against:
            commit = _checkout(options.against, other)
            order = [("base", commit, other), ("this", this_label, ROOT)]
        for round_number in range(options.rounds if options.against else 1):
            for key, label, root in (order if round_number % 2 == 0 else order[::-1]):
                side = run_side(label, root, options)
                sides[key].append(side)
                _print_side(side)
    finally:
        if options.against:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT,
                           capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    if options.against:
        _print_comparison(sides["base"], sides["this"], commit, this_label, options.users)
    print(f"\nload average at the end {_load_average()}")
    problems = [problem for group in sides.values() for side in group
                for problem in _problems(side)]
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
