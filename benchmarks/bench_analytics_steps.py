"""Benchmark: where a whole analytics build's CPU goes, step by step (decision 059).

    .venv/bin/python benchmarks/bench_analytics_steps.py --work /work/bench/io

Builds ``<work>/full`` (removed first) from ``<work>/source`` (the input
``bench_analytics.py --step prepare`` writes) with some of ``gaoxin.engine.analytics``'s
functions wrapped in ``time.process_time``, the CPU of every thread of the process. For each one
it prints the CPU, the wall time and the number of calls. A function's figures include the
functions it calls (``_write_observations`` calls ``_write`` and ``_rows_hash``).
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_analytics import ParquetSource

from gaoxin.engine import analytics

WRAPPED = (
    "build_facts",
    "compute",
    "_at_once",
    "load_facts",
    "_write",
    "_write_observations",
    "_rows_hash",
)


def _timed(name: str, fn: Callable[..., Any], spent: dict[str, list[float]]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            mine = spent.setdefault(name, [0.0, 0.0, 0])
            mine[0] += time.process_time() - cpu
            mine[1] += time.perf_counter() - wall
            mine[2] += 1

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args()
    out = args.work / "full"
    shutil.rmtree(out, ignore_errors=True)
    spent: dict[str, list[float]] = {}
    for name in WRAPPED:
        # build_tables looks these up in the module when it calls them
        setattr(analytics, name, _timed(name, getattr(analytics, name), spent))
    cpu, wall = time.process_time(), time.perf_counter()
    analytics.build_tables(ParquetSource(args.work / "source"), out)
    result = {
        "cpu": round(time.process_time() - cpu, 1),
        "wall": round(time.perf_counter() - wall, 1),
        "peak_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
    }
    for name, (c, w, n) in spent.items():
        result[name] = {"cpu": round(c, 1), "wall": round(w, 1), "calls": n}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
