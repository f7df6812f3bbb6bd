"""Stored evaluation runs (`gaoxin evaluate --pack`): where the time goes, stage by stage.

Not collected by pytest; figures in docs/benchmarks.md. Runs on the database of
``GAOXIN_HOME`` with a demo loaded (``gaoxin init && gaoxin demo -j national``)::

    GAOXIN_HOME=/tmp/gxd/national .venv/bin/python benchmarks/bench_evaluation_runs.py \\
        --pack national-14th-fyp --framework national-zones-2021 --period 2025
    GAOXIN_HOME=/tmp/gxd/national .venv/bin/python benchmarks/bench_evaluation_runs.py \\
        --pack catalogue --framework innovation-points --period 2025 --level enterprise \\
        --where "revenue > 0"

Each run is stored (runs are never deleted): use a scratch database.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", required=True)
    ap.add_argument("--framework")
    ap.add_argument("--period", required=True)
    ap.add_argument("--level", default="zone")
    ap.add_argument("--where")
    args = ap.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaoxin.web.settings")
    import django

    django.setup()
    from gaoxin.evaluation.report import write_run_xlsx
    from gaoxin.evaluation.store import run_framework

    stages: list[tuple[str, float]] = []
    clock = [time.perf_counter()]
    current = ["start"]

    def progress(step: str) -> None:
        now = time.perf_counter()
        stages.append((current[0], now - clock[0]))
        clock[0], current[0] = now, step

    t0 = time.perf_counter()
    run = run_framework(
        args.pack,
        args.framework,
        args.period,
        level=args.level,
        where=args.where,
        progress=progress,
    )
    progress("end")
    total = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        write_run_xlsx(run, Path(d) / "run.xlsx")
        xlsx = time.perf_counter() - t
    print(f"{run.title or run.framework} {run.period}: {run.units} units, run #{run.pk}")
    for name, secs in stages[1:]:
        print(f"  {name:<10} {secs:7.2f} s")
    print(f"  {'run total':<10} {total:7.2f} s")
    print(f"  {'XLSX':<10} {xlsx:7.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"  peak RSS   {peak:7.2f} GiB")


if __name__ == "__main__":
    main()
