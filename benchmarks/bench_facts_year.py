"""Benchmark: one year's ``build_facts`` alone, as the analytics build calls it (decision 070).

    .venv/bin/python benchmarks/bench_facts_year.py --work /work/bench/wide --year 2025 \
        [--out DIR] [--compare DIR]

Reads ``<work>/source`` (the input ``bench_analytics.py --step prepare`` writes), takes the
year's observations as ``build_tables`` does, then runs ``build_facts`` with the arguments
``build_tables`` gives it, with some of ``gaoxin.engine.facts``'s functions wrapped in
``time.process_time`` (the CPU of every thread; a function's figures include those it calls).
The read of the source is not counted. ``--out``: each wide frame written as
``<DIR>/<period type>.parquet``; ``--compare``: each frame compared with the one an earlier run
wrote there (``DataFrame.equals``, schema included).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

import gaoxin  # noqa: F401  first: it sets Polars' allocator before Polars loads (decision 088)

# isort: split
import polars as pl
from bench_analytics import ParquetSource
from bench_analytics_steps import _timed

from gaoxin.engine import analytics, facts

WRAPPED = (
    "_wide",
    "_grid",
    "_with_dated_levels",
    "_with_certifications",
    "_highest",
    "_spread",
    "_with_hierarchy",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    source = ParquetSource(args.work / "source")
    entities, certs = source.entities(), source.certifications()
    shape = analytics.shapes(source.periods())
    wanted = [p for ptype, s in shape.items() for p in analytics.grid_periods(s, ptype, args.year)]
    obs = source.observations(wanted)
    spent: dict[str, list[float]] = {}
    for name in WRAPPED:
        # build_facts and _wide look these up in the module when they call them
        setattr(facts, name, _timed(name, getattr(facts, name), spent))
    put, frame = facts._Columns.put, facts._Columns.frame
    facts._Columns.put = _timed("_Columns.put", put, spent)  # type: ignore[method-assign]
    facts._Columns.frame = _timed("_Columns.frame", frame, spent)  # type: ignore[method-assign]
    cpu, wall = time.process_time(), time.perf_counter()
    built = facts.build_facts(
        entities,
        obs,
        certs,
        shapes={k: (s.first, s.last, s.enterprises) for k, s in shape.items()},
        only_periods=wanted,
        hash_input=False,
        entity_codes=True,
    )
    result: dict[str, Any] = {
        "year": args.year,
        "observations": obs.height,
        "cpu": round(time.process_time() - cpu, 2),
        "wall": round(time.perf_counter() - wall, 2),
        "peak_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        "frames": {k: list(f.shape) for k, f in built.frames.items()},
    }
    for name, (c, w, n) in spent.items():
        result[name] = {"cpu": round(c, 2), "wall": round(w, 2), "calls": n}
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for ptype, f in built.frames.items():
            f.write_parquet(args.out / f"{ptype}.parquet")
    if args.compare:
        same = [
            pl.read_parquet(args.compare / f"{ptype}.parquet").equals(f)
            and pl.read_parquet(args.compare / f"{ptype}.parquet").schema == f.schema
            for ptype, f in built.frames.items()
        ]
        result["identical"] = f"{sum(same)} of {len(same)}"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
