"""Compare this checkout with another git revision: ``python -m bench.compare REV [names…]``.

REV (a commit, branch or tag) is checked out into a temporary git worktree. Both revisions run
the same workloads — this checkout's definitions in ``bench/`` — alternately, each workload in a
fresh process per revision and round (the order flips every round), so a busy machine slows both
alike. Inside a worker the measured revision's ``scheduler`` package is imported first and this
checkout's ``bench`` after it, so the workloads call that revision's engine, app and migrations;
where its domain takes a different input, the workload's adapter hands it what that revision's
service would (``bench.engine_workloads.engine_input``: busy time prepared since issue 23).

Printed: per workload the median of every timed run of each revision, their ratio (REV ÷ this:
above 1 means this checkout is faster), slots found by each, and the floor — reading the
workload's busy rows from a SQLite database as a request does (``load_calendars``' queries,
turned into epoch seconds), timed in a process of this checkout. Then, for each revision, the
growth check: how much longer the larger team takes than the smaller, beside how many more busy
intervals it reads, both from this one run; it warns (never fails) when time grows faster than
the input by more than the noise allowance. The machine's load average is printed at the start
and the end. Exits non-zero only when a worker fails or the revisions find different slots.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORKLOADS = ["S any-1", "M any-1", "M all-3", "M 2-of-8 caps", "L any-1", "XL any-1",
                     "loop 8", "loop 20", "endpoint M slots.json", "candidate page M"]
# (smaller, larger) workloads whose growth is checked against their busy intervals.
GROWTH = [("M any-1", "L any-1"), ("L any-1", "XL any-1")]
# How much faster than REV this checkout should be (issue 23).
SPEEDUP_TARGETS = {"L any-1": 1.8, "XL any-1": 1.8}
# Workloads measured in CPU ms per request (bench/booking_post.py): no floor, parts printed.
CPU_WORKLOADS = ("booking POST", "booking POST SQLite", "link page GET")
# Medians on a shared machine move by this much between runs: beyond it, warn.
NOISE = 1.25
# A worker imports the measured revision's scheduler package first, then this checkout's bench.
_BOOT = ("import sys; this, measured = sys.argv[1], sys.argv[2]; sys.path.insert(0, measured); "
         "import scheduler; sys.path.insert(0, this); from bench.compare import worker; "
         "worker(sys.argv[3:])")


# ---------------------------------------------------------------------------------------------
# Inside a worker process


def _load_workloads():
    import importlib

    from bench.registry import WORKLOAD_MODULES, WORKLOADS
    for module in WORKLOAD_MODULES:
        importlib.import_module(module)
    return WORKLOADS


def _timed(function, cpu_ms=None):
    import time

    # The bench measures the engine's own speed: a monotonic clock, not the domain's `now`.
    started = time.perf_counter()
    result = function()
    if cpu_ms is not None:  # a CPU-time workload says what its last run cost itself
        return cpu_ms(), result
    return (time.perf_counter() - started) * 1000, result


def worker(argv: list[str]) -> None:
    """Time one workload in this process; print one JSON line (``run`` or ``floor`` mode)."""
    import gc

    mode, name, repeat = argv[0], argv[1], int(argv[2])
    workload = _load_workloads()[name]
    prepared = workload.prepare()
    # The workload's inputs stay alive for the whole process: keep the collector from walking
    # them again and again (timing spikes of several ms that have nothing to do with the run).
    gc.collect()
    gc.freeze()
    if mode == "floor":
        reader = _database_floor(prepared.source) if prepared.source else prepared.floor
        reader()
        floors = [_timed(reader)[0] for _ in range(repeat)]
        print(json.dumps({"floor": statistics.median(floors)}))
        return
    cold, found = _timed(prepared.run, prepared.cpu_ms)
    times, parts = [], []
    for _ in range(repeat):
        elapsed, again = _timed(prepared.run, prepared.cpu_ms)
        if again != found:
            raise RuntimeError(f"{name}: {found} slots, then {again}: not repeatable")
        times.append(elapsed)
        if prepared.parts is not None:
            parts.append(prepared.parts())
    print(json.dumps({"found": found, "cold": cold, "times": times, "parts": parts,
                      "busy": prepared.busy_intervals}))


def _database_floor(source):
    """Store a generated team as rows; return a reader of the chosen interviewers' busy rows
    and booked seats, as ``load_calendars`` reads them, turned into epoch seconds."""
    from datetime import datetime, timedelta, timezone

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from bench.db_workloads import _app, _database, _store_team
    from bench.engine_workloads import NOW, team
    from scheduler.extensions import db
    from scheduler.models import BusyBlock, InterviewerAssignment, User

    team_name, wanted = source
    app = _app(_database())
    with app.app_context():
        upgrade()
        _store_team(team(team_name).calendars)
        by_email = dict(db.session.execute(sa.select(User.email, User.id)).all())
        from scheduler.models import InterviewerProfile
        profile_of_user = dict(db.session.execute(
            sa.select(InterviewerProfile.user_id, InterviewerProfile.id)).all())
        ids = [profile_of_user[by_email[f"interviewer{who}@example.com"]] for who in wanted]
        db.session.remove()
    start_at, end_at = NOW, NOW + timedelta(days=29)
    margin = timedelta(days=8)
    epoch, second = datetime(1970, 1, 1, tzinfo=timezone.utc), timedelta(seconds=1)

    def read() -> int:
        with app.app_context():
            rows = db.session.execute(
                sa.select(BusyBlock.interviewer_id, BusyBlock.start_at, BusyBlock.end_at).where(
                    BusyBlock.interviewer_id.in_(ids), BusyBlock.end_at > start_at,
                    BusyBlock.start_at < end_at)).all()
            rows += db.session.execute(
                sa.select(InterviewerAssignment.interviewer_id, InterviewerAssignment.start_at,
                          InterviewerAssignment.end_at).where(
                    InterviewerAssignment.interviewer_id.in_(ids),
                    InterviewerAssignment.is_active.is_(True),
                    InterviewerAssignment.end_at > start_at - margin,
                    InterviewerAssignment.start_at < end_at + margin)).all()
            epochs = [(who, (start - epoch) // second, (end - epoch) // second)
                      for who, start, end in rows]
            db.session.remove()
        return len(epochs)
    return read


# ---------------------------------------------------------------------------------------------
# The conductor


def _spawn(mode: str, measured: Path, name: str, repeat: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", _BOOT, str(ROOT), str(measured), mode, name, str(repeat)],
        cwd=measured, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    if result.returncode:
        raise RuntimeError(f"{name} ({mode}) in {measured} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _checkout(revision: str, folder: Path) -> str:
    """Check *revision* out into *folder* (a detached worktree); return its short hash."""
    commit = subprocess.run(["git", "rev-parse", "--verify", "--short", f"{revision}^{{commit}}"],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(folder), commit],
                   cwd=ROOT, check=True)
    # Compiled catalogues are never committed; build them as dev.py does, for a like-for-like app.
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-q", "-d",
                    str(folder / "scheduler" / "translations")], check=False,
                   capture_output=True)
    return commit


def _load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    """Run the chosen workloads on REV and on this checkout, alternately, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("revision", help="the git revision to compare with, e.g. d9f30f6")
    parser.add_argument("names", nargs="*", help=f"workloads (default: {DEFAULT_WORKLOADS})")
    parser.add_argument("--rounds", type=int, default=5, help="fresh processes per revision")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per process")
    options = parser.parse_args(argv)
    known = _load_workloads()
    names = options.names or DEFAULT_WORKLOADS
    unknown = [name for name in names if name not in known]
    if unknown:
        parser.error(f"unknown workloads {unknown}; known: {list(known)}")

    folder = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    other = folder / "checkout"
    try:
        commit = _checkout(options.revision, other)
        here = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        this_label = f"this ({here}{'+' if dirty else ''})"
        print(f"bench.compare: {commit} vs {this_label}, {options.rounds} rounds × "
              f"{options.repeat} runs per process; load average at start {_load()}")
        floors = {name: (_spawn("floor", ROOT, name, options.repeat)["floor"]
                         if name not in CPU_WORKLOADS else None) for name in names}
        runs: dict[tuple[str, str], list[dict]] = {}
        for round_number in range(options.rounds):
            sides = [("base", other), ("this", ROOT)]
            if round_number % 2:
                sides.reverse()
            for name in names:
                for side, measured in sides:
                    runs.setdefault((side, name), []).append(
                        _spawn("run", measured, name, options.repeat))
        return _report(commit, this_label, names, runs, floors)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT,
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _report(commit: str, this_label: str, names, runs, floors) -> int:
    medians, problems = {}, []
    print(f"\n| workload | busy intervals | slots | {commit} median ms | this median ms "
          f"| {commit} ÷ this | floor ms | this × floor |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in names:
        row = {}
        for side in ("base", "this"):
            found = {result["found"] for result in runs[(side, name)]}
            times = [t for result in runs[(side, name)] for t in result["times"]]
            row[side] = (statistics.median(times), found)
            medians[(side, name)] = row[side][0]
        busy = runs[("this", name)][0]["busy"]
        slots = row["this"][1]
        if row["base"][1] != slots:
            problems.append(f"{name}: {commit} found {sorted(row['base'][1])} slots, this "
                            f"checkout {sorted(slots)}")
        slots_text = "/".join(str(n) for n in sorted(slots | row["base"][1]))
        ratio = row["base"][0] / row["this"][0]
        floor = floors[name]
        floor_text = (f"{floor:.2f} | {row['this'][0] / floor:.1f}" if floor
                      else "CPU ms, no floor | ")
        print(f"| {name} | {busy} | {slots_text} | {row['base'][0]:.1f} | {row['this'][0]:.1f} | "
              f"{ratio:.2f}× | {floor_text} |")
    for name in names:
        for side, label in (("base", commit), ("this", this_label)):
            parts = [p for result in runs[(side, name)] for p in result.get("parts", [])]
            if parts:
                text = ", ".join(f"{key} {statistics.median(p[key] for p in parts):.1f} ms"
                                 for key in parts[0])
                print(f"{name} ({label}), CPU medians per request: {text}")
    print(f"\nload average at the end {_load()}")
    for name in names:
        ratio = medians[("base", name)] / medians[("this", name)]
        target = SPEEDUP_TARGETS.get(name)
        if target:
            verdict = "met" if ratio >= target else "MISSED"
            print(f"speed-up {name}: {ratio:.2f}× (target {target}×) {verdict}")
        elif ratio < 1:
            note = "within noise" if ratio * NOISE >= 1 else "WARNING: slower"
            print(f"{name}: this checkout {1 / ratio:.2f}× slower than {commit} ({note})")
    for small, large in GROWTH:
        if small not in names or large not in names:
            continue
        busy_ratio = runs[("this", large)][0]["busy"] / runs[("this", small)][0]["busy"]
        for side, label in (("base", commit), ("this", this_label)):
            growth = medians[(side, large)] / medians[(side, small)]
            line = (f"growth {label}: {large} takes {growth:.2f}× {small} "
                    f"for {busy_ratio:.2f}× the busy intervals")
            if growth > busy_ratio * NOISE:
                line += " — WARNING: faster than its input (rerun: noise or a real regression?)"
            print(line)
    for problem in problems:
        print(f"DIFFERENT OUTPUT: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
