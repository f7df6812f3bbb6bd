"""Reading the store into Polars (`gaoxin.statistics.facts`): the long observation frame and the
engine's fact frame, which every database command (`monitor`, `evaluate --pack`, `awards`,
`eligible`, `targets`) builds first.

Not collected by pytest; figures in docs/benchmarks.md. Runs on the database of
``GAOXIN_HOME`` (or ``GAOXIN_DATABASE_URL``) with a demo loaded; the jurisdiction and scale
are the demo's (``gaoxin demo -j national``, ``--scale``)::

    GAOXIN_HOME=/tmp/gx-storeread .venv/bin/gaoxin init
    GAOXIN_HOME=/tmp/gx-storeread .venv/bin/gaoxin demo -j national
    GAOXIN_HOME=/tmp/gx-storeread .venv/bin/python benchmarks/bench_store_read.py --what facts
    GAOXIN_HOME=/tmp/gx-storeread .venv/bin/python benchmarks/bench_store_read.py \\
        --what observations
    GAOXIN_HOME=/tmp/gx-storeread .venv/bin/python benchmarks/bench_store_read.py \\
        --what facts --periods 2025-12,2024-12,2025

Or let it load a demo of any jurisdiction and scale into a scratch SQLite database first
(``GAOXIN_HOME`` defaults to a new temporary directory, which is kept for reuse)::

    .venv/bin/python benchmarks/bench_store_read.py --jurisdiction fujian --scale 10 --what facts

One measurement per process, so that the peak RSS is that of the one read.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--what", choices=["facts", "observations"], default="facts")
    ap.add_argument("--periods", help="comma-separated periods to read (default: all)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--jurisdiction", help="load this demo first (gaoxin init + gaoxin demo)")
    ap.add_argument("--scale", type=float, default=1.0, help="enterprises × (with --jurisdiction)")
    args = ap.parse_args()
    if args.jurisdiction:
        os.environ.setdefault("GAOXIN_HOME", tempfile.mkdtemp(prefix="gx-bench-store-"))
        gaoxin = str(Path(sys.executable).with_name("gaoxin"))
        for command in (["init"], ["demo", "-j", args.jurisdiction, "--scale", str(args.scale)]):
            subprocess.run([gaoxin, *command], check=True, stdout=subprocess.DEVNULL)
        print(f"loaded {args.jurisdiction} × {args.scale} into {os.environ['GAOXIN_HOME']}")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaoxin.web.settings")
    import django

    django.setup()
    from django.db import connection

    from gaoxin.statistics.facts import engine_facts, observations_frame
    from gaoxin.statistics.models import Observation

    stored = Observation.objects.count()
    periods = args.periods.split(",") if args.periods else None
    base = _rss_mib()
    best = float("inf")
    for _ in range(args.repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        if args.what == "facts":
            result = engine_facts(None, **({"periods": periods} if periods else {}))
            shape = ", ".join(f"{k} {v.height}×{v.width}" for k, v in result.frames.items())
        else:
            result = observations_frame(**({"periods": periods} if periods else {}))
            shape = f"{result.height}×{result.width}"
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best = min(best, wall)
        del result
    print(
        f"{connection.vendor} stored={stored:,} what={args.what} periods={args.periods or 'all'} "
        f"shape=[{shape}] wall={best:.2f}s cpu={cpu:.2f}s "
        f"peak_rss={_rss_mib():.0f} MiB (+{_rss_mib() - base:.0f} MiB over setup)"
    )


if __name__ == "__main__":
    main()
