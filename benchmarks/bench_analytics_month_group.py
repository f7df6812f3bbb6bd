"""Benchmark: one group of provinces' months alone, as ``analytics._at_once`` computes it.

    .venv/bin/python benchmarks/bench_analytics_month_group.py <built tables> [--group 0]
        [--repeat 3] [--cells out.parquet]

Reads the group's facts from a build's tables (``bench_analytics.py --step build`` writes them
to ``<work>/full``) with ``load_facts`` and runs ``indicators.compute`` on every month
``repeat`` times in one process, printing the CPU and wall time of each run (the first run
pays for the imports' caches; take the least). ``--cells`` writes the last run's cells, to
compare two versions' cells with ``DataFrame.equals``. Run it with ``PYTHONPATH=<tree>/src``
to time another checkout's sources.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import gaoxin  # noqa: F401  first: it sets Polars' allocator before Polars loads (decision 088)

# isort: split
import polars as pl

from gaoxin.engine import analytics
from gaoxin.engine.indicators import compute, default_indicators


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tables", type=Path)
    parser.add_argument("--group", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cells", type=Path, default=None)
    args = parser.parse_args()
    out: Path = args.tables
    years = sorted(int(p.stem) for p in (out / "facts" / "month").glob("*.parquet"))
    counts = pl.concat(
        [
            pl.scan_parquet(f).group_by("province").agg(rows=pl.len()).collect()
            for f in analytics._scan(out, "facts/month", years)
        ]
    )
    counts = counts.group_by("province").agg(pl.col("rows").sum()).sort("province")
    groups = analytics._province_groups(counts, analytics.ROWS_AT_ONCE)
    registry = pl.read_parquet(out / "entities.parquet", columns=["entity", "province"])
    members = registry.filter(analytics._in_group(groups[args.group]))["entity"].to_list()
    started = time.process_time()
    facts = analytics.load_facts(
        out, years=years, types=["month"], entities=members, observations=False
    )
    periods = facts.periods("month")
    print(
        f"group {args.group + 1} of {len(groups)}: {len(members)} entities, "
        f"{facts.wide('month').height} rows, {len(periods)} months; "
        f"load_facts {time.process_time() - started:.2f} s CPU",
        flush=True,
    )
    inds = list(default_indicators())
    cells = None
    for _ in range(args.repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        cells = compute(inds, facts, periods, keep_frames=False).frame
        print(
            f"compute {time.process_time() - cpu:.2f} s CPU, {time.perf_counter() - wall:.2f} s "
            f"wall, {cells.height} cells",
            flush=True,
        )
    if args.cells is not None and cells is not None:
        cells.write_parquet(args.cells)


if __name__ == "__main__":
    main()
