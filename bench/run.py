"""Time the registered workloads and print a Markdown table: ``python -m bench.run [names…]``.

Per workload: slots found, the first (cold) run, median and p95 of the repeated runs, the
ratio of the median to the floor (only loading the busy intervals), and, where a workload names
another to compare to, the ratio of their medians beside the ratio of their busy intervals.
Exits non-zero when a median misses its target. Growth faster than the input only warns: both
medians come from one process on a shared machine, where noise alone has tripped it (5.6×); to
compare revisions, or sizes with less noise, use ``python -m bench.compare REV``.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import statistics
import sys
import time

from bench.registry import WORKLOAD_MODULES, WORKLOADS


def _timed(function, cpu_ms=None) -> tuple[float, object]:
    # The bench measures the engine's own speed: a monotonic clock, not the domain's `now`.
    started = time.perf_counter()
    result = function()
    if cpu_ms is not None:  # a CPU-time workload says what its last run cost itself
        return cpu_ms(), result
    return (time.perf_counter() - started) * 1000, result


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(workload, repeat: int) -> dict:
    """Prepare one workload, then time its first run, *repeat* more runs and its floor."""
    prepared = workload.prepare()
    # The inputs live all along: keep the collector from walking them in every timed run.
    gc.collect()
    gc.freeze()
    cold_ms, found = _timed(prepared.run, prepared.cpu_ms)
    runs = []
    for _ in range(repeat):
        elapsed, again = _timed(prepared.run, prepared.cpu_ms)
        if again != found:
            raise RuntimeError(f"{workload.name}: {again} slots, then {found}: not repeatable")
        runs.append(elapsed)
    # A CPU-time workload has no floor: its "× floor" column then compares with 1 ms.
    floors = ([_timed(prepared.floor)[0] for _ in range(repeat)] if prepared.cpu_ms is None
              else [1.0])
    return {"workload": workload, "found": found, "cold": cold_ms,
            "median": statistics.median(runs), "p95": _percentile(runs, 0.95),
            "floor": statistics.median(floors), "busy": prepared.busy_intervals}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen (default: all) workloads and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="workload names (default: all)")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per workload")
    options = parser.parse_args(argv)
    for module in WORKLOAD_MODULES:
        importlib.import_module(module)
    names = options.names or list(WORKLOADS)
    unknown = [name for name in names if name not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workloads {unknown}; known: {list(WORKLOADS)}")

    results = {name: measure(WORKLOADS[name], options.repeat) for name in names}
    print(f"| workload | busy intervals | slots | cold ms | median ms | p95 ms | floor ms "
          f"| × floor | target ms | compared |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    missed, warnings = [], []
    for name, row in results.items():
        workload = row["workload"]
        compared = ""
        other = results.get(workload.compare_to) if workload.compare_to else None
        if other:
            compared = (f"{row['median'] / other['median']:.2f}× {workload.compare_to} "
                        f"(busy {row['busy'] / other['busy']:.2f}×)")
            if row["median"] / other["median"] > row["busy"] / other["busy"]:
                warnings.append(f"{name}/{workload.compare_to}")
        target = f"{workload.target_ms:g}" if workload.target_ms else ""
        if workload.target_ms and row["median"] > workload.target_ms:
            missed.append(name)
        print(f"| {name} | {row['busy']} | {row['found']} | {row['cold']:.1f} | "
              f"{row['median']:.1f} | {row['p95']:.1f} | {row['floor']:.2f} | "
              f"{row['median'] / row['floor']:.0f} | {target} | {compared} |")
    if warnings:
        print(f"\nwarning: time grew faster than the busy intervals in {', '.join(warnings)} "
              f"(one process: rerun, or use bench.compare)")
    if missed:
        print(f"\nmissed targets: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
