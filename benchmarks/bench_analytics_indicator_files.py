"""Benchmark: the analytics build's indicator step alone, on the facts of an earlier build.

    .venv/bin/python benchmarks/bench_analytics_indicator_files.py --build /work/bench/s70/full \
        --work /work/bench/indic [--compare]

Makes ``<work>/ind`` (removed first) with the build's meta.json, entities.parquet and facts files
linked, not copied, and writes its indicator files as ``build_tables`` does after its facts step
(``analytics._indicator_files`` with its writer thread, every year rebuilt), with some of
``gaoxin.engine.analytics``'s functions wrapped in ``time.process_time`` (the CPU of every thread;
a function's figures include those it calls), and the CPU and wall between its progress messages
(``steps``: the yearly and quarterly frames, each group of provinces' months, each year's file).
``--compare``: each indicator file then compared with the build's own (``DataFrame.equals``,
schema included). The facts step of a scale-70 build is about 30 s of CPU; the indicator step
(about 11 s) is what this measures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
from pathlib import Path
from typing import Any

import gaoxin  # noqa: F401  first: it sets Polars' allocator before Polars loads (decision 088)

# isort: split
import polars as pl
from bench_analytics_steps import _timed

from gaoxin.engine import analytics
from gaoxin.engine.indicators import default_indicators
from gaoxin.engine.variables import default_catalogue

WRAPPED = ("compute", "_at_once", "load_facts", "_write")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    out = args.work / "ind"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in ("meta.json", "entities.parquet"):
        os.link(args.build / name, out / name)
    for file in (args.build / "facts").rglob("*.parquet"):
        target = out / file.relative_to(args.build)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(file, target)
    meta = analytics.read_meta(out)
    assert meta is not None
    shape = {k: analytics.Shape(*v) for k, v in meta["shapes"].items()}
    years = analytics.years_of(shape)
    inds, catalogue = list(default_indicators()), default_catalogue()
    reach = analytics._reach_years(inds, shape, catalogue)
    spent: dict[str, list[float]] = {}
    for name in WRAPPED:
        setattr(analytics, name, _timed(name, getattr(analytics, name), spent))
    of = analytics._Cells.of
    analytics._Cells.of = _timed("_Cells.of", of, spent)  # type: ignore[method-assign]
    cpu, wall = time.process_time(), time.perf_counter()
    # CPU and wall from one progress message to the next: the yearly and quarterly frames, each
    # group of provinces' months, each year's file (its cells gathered; written by the writer
    # thread while the next is gathered)
    steps: list[list[Any]] = [["start", cpu, wall]]

    def progress(message: str, *_: Any) -> None:
        steps.append([message, time.process_time(), time.perf_counter()])

    with analytics._Writer() as writer:
        analytics._indicator_files(
            out, inds, shape, years, years, reach, catalogue, None, None, writer, progress
        )
    steps.append(["end", time.process_time(), time.perf_counter()])
    result: dict[str, Any] = {
        "cpu": round(time.process_time() - cpu, 1),
        "wall": round(time.perf_counter() - wall, 1),
        "peak_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        "steps": [
            [m, round(c2 - c1, 2), round(w2 - w1, 2)]
            for (m, c1, w1), (_, c2, w2) in zip(steps, steps[1:], strict=False)
        ],
    }
    for name, (c, w, n) in spent.items():
        result[name] = {"cpu": round(c, 1), "wall": round(w, 1), "calls": n}
    if args.compare:
        files = sorted((args.build / "indicators").glob("*.parquet"))
        same = [
            pl.read_parquet(f).equals(pl.read_parquet(out / "indicators" / f.name)) for f in files
        ]
        result["identical"] = f"{sum(same)} of {len(same)}"
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
