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
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import gaoxin  # noqa: F401  first: it sets Polars' allocator before Polars loads (decision 088)

# isort: split
import polars as pl


class ParquetSource:
    """A :class:`gaoxin.engine.analytics.Source` over the files ``prepare`` wrote, handing the
    observations over coded as the store does (decision 066): the entity as an Enum of the
    registry's codes sorted, made from the stored codes without reading any text; the
    variable, the period and the batch as the Enums the files hold. The entity's Enum is
    converted for Polars once (a :class:`polars.DataTypeExpr`): named in an expression, its
    210 k categories would be converted for every year, 0.15 s holding the GIL each."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._registry: pl.Enum | None = None
        self._entity: pl.DataTypeExpr | None = None

    def entities(self) -> pl.DataFrame:
        return pl.read_parquet(self.root / "entities.parquet")

    def certifications(self) -> pl.DataFrame:
        return pl.read_parquet(self.root / "certifications.parquet")

    def periods(self) -> pl.DataFrame:
        return pl.read_parquet(self.root / "periods.parquet")

    def registry(self) -> pl.Enum:
        from gaoxin.engine.facts import registry_enum

        if self._registry is None:
            self._registry = registry_enum(self.entities())
        return self._registry

    def observations(self, periods: Sequence[str]) -> pl.DataFrame:
        years = sorted({p[:4] for p in periods})
        files = [f for y in years if (f := self.root / "obs" / f"{y}.parquet").is_file()]
        if not files:
            return pl.DataFrame(schema=OBSERVATIONS)
        lazy = pl.scan_parquet(files)
        period = pl.read_parquet_schema(files[0])["period"]
        if not isinstance(period, pl.Enum):  # a source prepared before decision 066: text
            return lazy.filter(pl.col("period").is_in(list(periods))).collect()
        # every year's file has the same Enums (prepare): the periods asked for by their codes
        asked = pl.Series(list(periods), dtype=pl.String)
        codes = asked.filter(asked.is_in(period.categories.implode())).cast(period).to_physical()
        if self._entity is None:
            self._entity = self.registry().to_dtype_expr()
        return (
            lazy.filter(pl.col("period").to_physical().is_in(codes.implode()))
            .with_columns(pl.col("entity").cat.to(self._entity))
            .collect()
        )


OBSERVATIONS = {
    "entity": pl.String,
    "variable": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "batch": pl.String,
}


def prepare(scale: float, work: Path) -> dict:
    """Write the benchmark's input. Lean on memory so that scale 70 fits beside the other
    sessions: the generated frames are dropped as soon as they are written, and each year's
    observations are written from a filter of the long frame (one year copied at a time), not
    from a group-by that copies all of them at once.

    The observations are stored as the store holds them, coded (decision 066): the entity as
    its place among the registry's codes sorted (UInt32, the store's entity id mapped), the
    variable, the period and the batch as Enums, the same ones in every year's file."""
    import gc

    from gaoxin.engine import synth
    from gaoxin.engine.facts import registry_enum, synth_entities

    started = time.perf_counter()
    j = synth.generate("national", scale=scale)
    src = work / "source"
    (src / "obs").mkdir(parents=True)
    entities = synth_entities(j)
    entities.write_parquet(src / "entities.parquet")
    j.certifications.write_parquet(src / "certifications.parquet")
    counts = {"enterprises": j.enterprises.height, "zones": j.zones.height}
    obs = j.observations.rename({"entity_key": "entity"}).select(
        "entity", "variable", "period", "value", "batch"
    )
    del j
    gc.collect()
    firms = entities.filter(pl.col("kind") == "enterprise")["entity"]
    obs.group_by("period").agg(enterprise=pl.col("entity").is_in(firms.implode()).any()).sort(
        "period"
    ).write_parquet(src / "periods.parquet")
    registry = registry_enum(entities)
    small = {
        c: pl.Enum(obs[c].drop_nulls().unique().sort()) for c in ("variable", "period", "batch")
    }
    year = pl.col("period").str.slice(0, 4)
    for y in obs.select(year.unique().sort()).to_series().to_list():
        obs.filter(year == y).with_columns(
            # strict: every entity is registered, so every one has a code
            pl.col("entity").cast(registry).to_physical().cast(pl.UInt32),
            *[pl.col(c).cast(dtype) for c, dtype in small.items()],
        ).write_parquet(src / "obs" / f"{y}.parquet")
    counts["observations"] = obs.height
    return {**counts, "seconds": round(time.perf_counter() - started, 1)}


def build(
    work: Path, out: str, previous: str | None, changed: list[str] | None, source: str = "source"
) -> dict:
    from gaoxin.engine.analytics import build_tables

    started, cpu = time.perf_counter(), time.process_time()
    done = build_tables(
        ParquetSource(work / source),
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
    """Change every December value of one zone's enterprises in the last year (an import), in a
    copy of the input (``source-zone``: the other files linked) so that ``source`` stays as
    ``prepare`` wrote it and can be reused (``--reuse``)."""
    src, dst = work / "source", work / "source-zone"
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, copy_function=os.link)
    ents = pl.read_parquet(src / "entities.parquet")
    zone = ents.filter(pl.col("kind") == "zone")["entity"].sort()[0]
    firms = ents.filter(pl.col("parent") == zone)["entity"]
    last = max(int(p.stem) for p in (src / "obs").glob("*.parquet"))
    path = dst / "obs" / f"{last}.parquet"
    obs = pl.read_parquet(path)
    path.unlink()  # a link to the original: write a new file, not through the link
    period = f"{last}-12"
    if obs.schema["entity"] == pl.UInt32:
        # the stored entities are their places among the registry's codes sorted (prepare)
        firms = firms.cast(ParquetSource(src).registry()).to_physical().cast(pl.UInt32)
    hit = pl.col("entity").is_in(firms.implode()) & (pl.col("period") == period)
    changed = obs.filter(hit).height
    obs.with_columns(
        value=pl.when(hit).then(pl.col("value") * 1.01).otherwise("value")
    ).write_parquet(path)
    return {"zone": zone, "period": period, "values": changed}


def subset(work: Path, repeat: int) -> dict:
    """The indicator subset of ``bench_indicators.py`` (five indicators, the seven years) on the
    yearly fact frame read from the full build, by ``indicators.compute`` and by the
    hand-written DuckDB SQL over the same frame (handed over as Arrow); best of ``repeat``, CPU
    and wall, and the cells compared."""
    import duckdb
    from bench_indicators import DUCKDB_SQL, SUBSET

    from gaoxin.engine.analytics import load_facts
    from gaoxin.engine.indicators import compute, default_indicators

    facts = load_facts(work / "full", types=["year"])
    frame = facts.wide("year")
    years = facts.periods("year")
    catalogue = list(default_indicators())
    chosen = [i for i in catalogue if i.code in SUBSET or i.code in SUBSET_DEPENDENCIES]
    # The engine's rule for a sum over children that are all missing is missing, not 0: a zone
    # whose above-scale firms all lack value added has no share (bench_indicators' SQL says 0).
    sql = DUCKDB_SQL.replace(
        "coalesce(z.above_iva, 0)", "CASE WHEN z.zone IS NULL THEN 0 ELSE z.above_iva END"
    )
    assert sql != DUCKDB_SQL
    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count()}")

    def polars_run() -> pl.DataFrame:
        return compute(chosen, facts, years, keep_frames=False).frame

    def duckdb_run() -> pl.DataFrame:
        con.register("w", frame.to_arrow())
        out = pl.from_arrow(con.sql(sql).to_arrow_table())
        con.unregister("w")
        assert isinstance(out, pl.DataFrame)
        return out

    timings: dict[str, dict[str, float]] = {}
    results: dict[str, pl.DataFrame] = {}
    for name, run in (("polars", polars_run), ("duckdb", duckdb_run)):
        best_wall = best_cpu = float("inf")
        for _ in range(repeat):
            started, cpu = time.perf_counter(), time.process_time()
            results[name] = run()
            best_wall = min(best_wall, time.perf_counter() - started)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        timings[name] = {"wall": round(best_wall, 3), "cpu": round(best_cpu, 3)}
    ours = results["polars"].filter(pl.col("indicator").is_in(SUBSET))
    theirs = results["duckdb"].unpivot(
        index=["entity", "period"], variable_name="indicator", value_name="duck"
    )
    both = ours.select("entity", "period", "indicator", "value").join(
        theirs, on=["entity", "period", "indicator"], how="full", coalesce=True
    )
    differ = both.filter(
        (pl.col("value").is_null() != pl.col("duck").is_null())
        | ((pl.col("value") - pl.col("duck")).abs() > 1e-6 * pl.col("duck").abs().clip(1, None))
    ).height
    return {
        "year_rows": frame.height,
        **{f"{k}_{m}": v for k, t in timings.items() for m, v in t.items()},
        "ratio_wall": round(timings["polars"]["wall"] / timings["duckdb"]["wall"], 2),
        "ratio_cpu": round(timings["polars"]["cpu"] / timings["duckdb"]["cpu"], 2),
        "cells": both.height,
        "differing": differ,
    }


#: What the subset's formulas read of the catalogue besides the five (as in bench_indicators).
SUBSET_DEPENDENCIES = ("revenue_total", "above_scale_iva")

STEPS = ("prepare", "build", "zone", "subset")


def _child(step: str, args: argparse.Namespace) -> dict:
    """Run one step in a fresh process; its result with the process's peak RSS."""
    command = [sys.executable, __file__, "--step", step, "--scale", str(args.scale)]
    command += ["--work", str(args.work), "--repeat", str(args.repeat)]
    finished = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/gx-bench-analytics"))
    parser.add_argument("--step", choices=STEPS, default=None)
    parser.add_argument("--repeat", type=int, default=5, help="runs of the subset (best taken)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the input a previous run prepared"
    )
    args = parser.parse_args()
    if args.step is not None:
        before = resource.getrusage(resource.RUSAGE_SELF)
        if args.step == "prepare":
            result = prepare(args.scale, args.work)
        elif args.step == "build":
            result = build(args.work, "full", None, None)
        elif args.step == "zone":
            result = {**one_zone(args.work)}
            result.update(build(args.work, "zone", "full", [result["period"]], "source-zone"))
        else:
            result = subset(args.work, args.repeat)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
        peak = usage.ru_maxrss / 2**20  # KiB → GiB
        print(json.dumps({**result, "process_cpu": round(cpu, 1), "peak_gib": round(peak, 2)}))
        return
    reuse = args.reuse and (args.work / "source" / "periods.parquet").is_file()
    if reuse:
        for name in ("full", "zone", "source-zone"):
            shutil.rmtree(args.work / name, ignore_errors=True)
    else:
        shutil.rmtree(args.work, ignore_errors=True)
        args.work.mkdir(parents=True)
    print(f"national, scale {args.scale:g} — {platform.python_version()}, Polars {pl.__version__}")
    print(f"load average at the start: {os.getloadavg()[0]:.1f}", flush=True)
    for step in STEPS[1:] if reuse else STEPS:
        print(step, json.dumps(_child(step, args), ensure_ascii=False), flush=True)
    size = sum(p.stat().st_size for p in (args.work / "full").rglob("*.parquet"))
    print(f"build on disk: {size / 2**20:.0f} MiB")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
