"""Benchmark: building the analytics tables (gaoxin.engine.analytics, decision 036) at a scale.

    .venv/bin/python benchmarks/bench_analytics.py --scale 10 [--work /tmp/gx-bench-analytics]

Each step runs in a fresh process, so its peak resident memory (``ru_maxrss`` of that process)
is its own:

1. ``prepare`` — ``synth.generate("national", scale=…)`` written as the store would hand it
   over: the registry, the certifications and one Parquet file of observations per year (not
   part of the build; it stands in for the database, which at scale 70 would hold 66 M values);
2. ``build`` — the whole build, every year: fact frames, observations and the catalogue's
   indicator values written as Parquet;
3. ``zone`` — one zone's December values changed (an import of one zone for one month): the
   rebuild of that year, every other year linked from the build before.

The store's own read (SQL to Polars, decision 017) is not in these figures: at the national
demo (scale 1, about a million values) ``gaoxin analytics build`` reads and builds in the time
docs/benchmarks.md gives with its command.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import polars as pl


class ParquetSource:
    """A :class:`gaoxin.engine.analytics.Source` over the files ``prepare`` wrote."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def entities(self) -> pl.DataFrame:
        return pl.read_parquet(self.root / "entities.parquet")

    def certifications(self) -> pl.DataFrame:
        return pl.read_parquet(self.root / "certifications.parquet")

    def periods(self) -> pl.DataFrame:
        return pl.read_parquet(self.root / "periods.parquet")

    def observations(self, periods: Sequence[str]) -> pl.DataFrame:
        years = sorted({p[:4] for p in periods})
        files = [f for y in years if (f := self.root / "obs" / f"{y}.parquet").is_file()]
        if not files:
            return pl.DataFrame(
                schema={
                    "entity": pl.String,
                    "variable": pl.String,
                    "period": pl.String,
                    "value": pl.Float64,
                    "batch": pl.String,
                }
            )
        return pl.scan_parquet(files).filter(pl.col("period").is_in(list(periods))).collect()


def prepare(scale: float, work: Path) -> dict:
    from gaoxin.engine import synth
    from gaoxin.engine.analytics import FrameSource

    started = time.perf_counter()
    j = synth.generate("national", scale=scale)
    source = FrameSource.from_synth(j)
    src = work / "source"
    (src / "obs").mkdir(parents=True)
    source.entities().write_parquet(src / "entities.parquet")
    source.certifications().write_parquet(src / "certifications.parquet")
    source.periods().write_parquet(src / "periods.parquet")
    obs = j.observations.rename({"entity_key": "entity"}).select(
        "entity", "variable", "period", "value", "batch"
    )
    for (year,), part in obs.group_by(pl.col("period").str.slice(0, 4), maintain_order=True):
        part.write_parquet(src / "obs" / f"{year}.parquet")
    return {
        "enterprises": j.enterprises.height,
        "zones": j.zones.height,
        "observations": obs.height,
        "seconds": round(time.perf_counter() - started, 1),
    }


def build(work: Path, out: str, previous: str | None, changed: list[str] | None) -> dict:
    from gaoxin.engine.analytics import build_tables

    started, cpu = time.perf_counter(), time.process_time()
    done = build_tables(
        ParquetSource(work / "source"),
        work / out,
        previous=work / previous if previous else None,
        changed=changed,
    )
    return {
        "wall": round(time.perf_counter() - started, 2),
        "cpu": round(time.process_time() - cpu, 2),
        "rebuilt": list(done.rebuilt),
        "linked": list(done.linked),
    }


def one_zone(work: Path) -> dict:
    """Change every December value of one zone's enterprises in the last year (an import)."""
    src = work / "source"
    ents = pl.read_parquet(src / "entities.parquet")
    zone = ents.filter(pl.col("kind") == "zone")["entity"].sort()[0]
    firms = ents.filter(pl.col("parent") == zone)["entity"]
    last = max(int(p.stem) for p in (src / "obs").glob("*.parquet"))
    path = src / "obs" / f"{last}.parquet"
    obs = pl.read_parquet(path)
    period = f"{last}-12"
    hit = pl.col("entity").is_in(firms.implode()) & (pl.col("period") == period)
    changed = obs.filter(hit).height
    obs.with_columns(
        value=pl.when(hit).then(pl.col("value") * 1.01).otherwise("value")
    ).write_parquet(path)
    return {"zone": zone, "period": period, "values": changed}


def _child(step: str, args: argparse.Namespace) -> dict:
    """Run one step in a fresh process; its result with the process's peak RSS."""
    command = [sys.executable, __file__, "--step", step, "--scale", str(args.scale)]
    command += ["--work", str(args.work)]
    finished = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/gx-bench-analytics"))
    parser.add_argument("--step", choices=["prepare", "build", "zone"], default=None)
    args = parser.parse_args()
    if args.step is not None:
        if args.step == "prepare":
            result = prepare(args.scale, args.work)
        elif args.step == "build":
            result = build(args.work, "full", None, None)
        else:
            result = {**one_zone(args.work)}
            result.update(build(args.work, "zone", "full", [result["period"]]))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB → GiB
        print(json.dumps({**result, "peak_gib": round(peak, 2)}))
        return
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    print(f"national, scale {args.scale:g} — {platform.python_version()}, Polars {pl.__version__}")
    for step in ("prepare", "build", "zone"):
        print(step, json.dumps(_child(step, args), ensure_ascii=False), flush=True)
    size = sum(p.stat().st_size for p in (args.work / "full").rglob("*.parquet"))
    print(f"build on disk: {size / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
