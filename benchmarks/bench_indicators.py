"""Benchmark: the indicator catalogue on the national demo, against the same subset in DuckDB SQL.

    .venv/bin/python benchmarks/bench_indicators.py --scale 70 [--write docs/benchmarks.md]

Steps, each timed with the process's peak resident memory sampled while it runs:

1. generate ``synth.generate("national", scale=…)`` (not part of the comparison);
2. build the fact frame (``facts.from_synth``: latest batch, pivot to wide, membership grid,
   certification status);
3. compute the whole catalogue (``indicators.compute``) for the 7 years, and for the 12 months of
   the last year;
4. a representative subset — R&D intensity, 高企 share, revenue 同比, leading-industry
   concentration, above-scale industrial value added as a share of the city — computed by
   ``indicators.compute`` and by hand-written DuckDB SQL over the same wide frame handed to DuckDB
   as Arrow in the same process; the two results are compared cell by cell.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import platform
import resource
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

import gaoxin  # noqa: F401  first: it sets Polars' allocator before Polars loads (decision 088)

# isort: split
import polars as pl

from gaoxin.engine import synth
from gaoxin.engine.facts import from_synth
from gaoxin.engine.indicators import compute, default_indicators

SUBSET = (
    "rd_intensity",
    "hte_share",
    "revenue_growth",
    "leading_industry_concentration",
    "above_scale_iva_city_share",
)

DUCKDB_SQL = """
WITH ent AS (
    SELECT zone, period, seq, industry, revenue, rd_expenditure, industrial_value_added,
           "__cert__hte" IS NOT NULL AS hte, "__cert__above_scale" IS NOT NULL AS above
    FROM w WHERE kind = 'enterprise'
),
z AS (
    SELECT zone, period, any_value(seq) AS seq,
        -- a sum over no child is 0; over children all missing, missing (the engine's rule)
        CASE WHEN count(*) = 0 THEN 0 ELSE sum(rd_expenditure) END AS rd,
        CASE WHEN count(*) = 0 THEN 0 ELSE sum(revenue) END AS revenue,
        count(*) AS firms,
        count(*) FILTER (WHERE hte) AS hte_firms,
        CASE WHEN count(*) FILTER (WHERE above) = 0 THEN 0
             ELSE sum(industrial_value_added) FILTER (WHERE above) END AS above_iva
    FROM ent GROUP BY zone, period
),
by_industry AS (
    SELECT zone, period, sum(revenue) AS s
    FROM ent WHERE industry IS NOT NULL GROUP BY zone, period, industry
),
top2 AS (
    SELECT zone, period, sum(s) AS top, any_value(total) AS total FROM (
        SELECT zone, period, s, sum(s) OVER (PARTITION BY zone, period) AS total,
               row_number() OVER (PARTITION BY zone, period ORDER BY s DESC NULLS LAST) AS rn
        FROM by_industry
    ) WHERE rn <= 2 GROUP BY zone, period
),
zones AS (SELECT entity AS zone, period, seq, city FROM w WHERE kind = 'zone'),
cities AS (SELECT entity AS city, period, industrial_value_added AS city_iva FROM w WHERE kind = 'city')
SELECT zones.zone AS entity, zones.period,
    100 * z.rd / nullif(z.revenue, 0) AS rd_intensity,
    100 * coalesce(z.hte_firms, 0) / nullif(coalesce(z.firms, 0), 0) AS hte_share,
    100 * (z.revenue - p.revenue) / nullif(abs(p.revenue), 0) AS revenue_growth,
    100 * top2.top / nullif(top2.total, 0) AS leading_industry_concentration,
    100 * coalesce(z.above_iva, 0) / nullif(cities.city_iva, 0) AS above_scale_iva_city_share
FROM zones
LEFT JOIN z ON z.zone = zones.zone AND z.period = zones.period
LEFT JOIN zones pz ON pz.zone = zones.zone AND pz.seq = zones.seq - 1
LEFT JOIN z p ON p.zone = pz.zone AND p.period = pz.period
LEFT JOIN top2 ON top2.zone = zones.zone AND top2.period = zones.period
LEFT JOIN cities ON cities.city = zones.city AND cities.period = zones.period
"""


class PeakRSS:
    """Samples this process's resident memory every 20 ms; ``peak`` in GiB."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def rss() -> int:
        with open(f"/proc/{os.getpid()}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    #: The machine is shared: stop the benchmark rather than push others into swap.
    LIMIT = float(os.environ.get("BENCH_RSS_LIMIT_GIB", "18")) * 2**30

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            if self.peak > self.LIMIT:
                print(f"peak RSS above {self.LIMIT / 2**30:.0f} GiB: stopping", flush=True)
                os._exit(3)
            time.sleep(0.02)

    def __enter__(self) -> PeakRSS:
        self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())


def cpu_seconds() -> float:
    """User + system CPU time of this process (all threads) so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(label: str, fn: Callable[[], Any], rows: list[dict[str, Any]], repeat: int = 1) -> Any:
    """Run ``fn`` ``repeat`` times: best wall time, CPU time per run, peak RSS.

    CPU time is reported beside wall time because the machine is shared: other jobs stretch the
    wall time of a step (waiting for a core) far more than its CPU time.
    """
    gc.collect()
    best = float("inf")
    out = None
    cpu0 = cpu_seconds()
    with PeakRSS() as mem:
        for _ in range(repeat):
            t = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t)
    cpu = (cpu_seconds() - cpu0) / repeat
    rows.append(
        {
            "step": label,
            "seconds": round(best, 2),
            "cpu_seconds": round(cpu, 2),
            "peak_rss_gib": round(mem.peak / 2**30, 2),
        }
    )
    print(
        f"{label:<60} {best:8.2f} s  cpu {cpu:8.2f} s  peak RSS {mem.peak / 2**30:6.2f} GiB",
        flush=True,
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=70)
    ap.add_argument("--repeat", type=int, default=3, help="repeats of the subset comparison")
    ap.add_argument(
        "--write", type=Path, default=None, help="append the results to this markdown file"
    )
    args = ap.parse_args()

    rows: list[dict[str, Any]] = []
    load_before = os.getloadavg()[0]
    j = timed(
        f"synth.generate('national', scale={args.scale:g})",
        lambda: synth.generate("national", scale=args.scale),
        rows,
    )
    n_obs, n_firms = j.observations.height, j.enterprises.height
    facts = timed(
        "facts.from_synth (latest batch, pivot, grid, certifications)",
        functools.partial(from_synth, j),
        rows,
    )
    del j
    gc.collect()
    year = facts.wide("year")
    years = facts.periods("year")
    months = [p for p in facts.periods("month") if p.startswith(years[-1])]
    catalogue = list(default_indicators())
    res = timed(
        f"compute: whole catalogue ({len(catalogue)}), {len(years)} years",
        lambda: compute(catalogue, facts, years, keep_frames=False),
        rows,
    )
    cells = res.frame.height
    timed(
        f"compute: whole catalogue, {len(months)} months",
        lambda: compute(catalogue, facts, months, keep_frames=False),
        rows,
    )

    subset = [i for i in catalogue if i.code in SUBSET]
    deps = [i for i in catalogue if i.code in ("revenue_total", "above_scale_iva")]
    polars_sub = timed(
        f"subset ({len(SUBSET)} indicators), Polars compute, {len(years)} years",
        lambda: compute(subset + deps, facts, years, keep_frames=False),
        rows,
        args.repeat,
    )

    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count()}")

    def run_duckdb() -> pl.DataFrame:
        arrow = year.to_arrow()  # zero-copy hand-over of the same frame
        con.register("w", arrow)
        out = pl.from_arrow(con.sql(DUCKDB_SQL).to_arrow_table())
        assert isinstance(out, pl.DataFrame)
        con.unregister("w")
        return out

    duck = timed(
        f"subset ({len(SUBSET)} indicators), DuckDB SQL over Arrow, {len(years)} years",
        run_duckdb,
        rows,
        args.repeat,
    )

    ours = polars_sub.frame.filter(pl.col("indicator").is_in(SUBSET)).select(
        "entity", "period", "indicator", "value"
    )
    theirs = duck.unpivot(index=["entity", "period"], variable_name="indicator", value_name="duck")
    both = ours.join(theirs, on=["entity", "period", "indicator"], how="full", coalesce=True)
    diff = both.filter(
        (pl.col("value").is_null() != pl.col("duck").is_null())
        | ((pl.col("value") - pl.col("duck")).abs() > 1e-6 * pl.col("duck").abs().clip(1, None))
    )
    print(f"cells compared: {both.height}, differing: {diff.height}")
    if diff.height:
        print(diff.head(10))

    summary = {
        "scale": args.scale,
        "enterprises": n_firms,
        "observations": n_obs,
        "year_rows": year.height,
        "year_columns": year.width,
        "month_rows": facts.wide("month").height,
        "cells": cells,
        "compared": both.height,
        "differing": diff.height,
        "load": (round(load_before, 1), round(os.getloadavg()[0], 1)),
    }
    print(summary)
    if args.write:
        _write(args.write, rows, summary, args)


def _write(
    path: Path, rows: list[dict[str, Any]], s: dict[str, Any], args: argparse.Namespace
) -> None:
    cmd = f".venv/bin/python benchmarks/bench_indicators.py --scale {args.scale:g} --write {path}"
    lines = [
        "",
        f"## Indicators: the catalogue on `national` at scale={args.scale:g} ({datetime.now(UTC):%Y-%m-%d})",
        "",
        f"Command: `{cmd}` — machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Polars {pl.__version__}, DuckDB {duckdb.__version__}; shared with other engineers' jobs, "
        f"so times are typical, not best (1-minute load average {s['load'][0]} at the start, "
        f"{s['load'][1]} at the end, on 2 cores).",
        "",
        f"Data: {s['enterprises']:,} enterprises, {s['observations']:,} observation rows; yearly wide "
        f"frame {s['year_rows']:,} rows × {s['year_columns']} columns, monthly {s['month_rows']:,} rows; "
        f"{s['cells']:,} indicator cells for the 7 years.",
        "",
        "| step | wall time (s) | CPU time (s) | peak RSS (GiB) |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['step']} | {r['seconds']} | {r['cpu_seconds']} | {r['peak_rss_gib']} |" for r in rows
    ]
    lines += [
        "",
        f"The subset ({', '.join(SUBSET)}) was computed both ways on the same wide frame (best of "
        f"{args.repeat}); {s['compared']:,} cells compared, {s['differing']} differing. Peak RSS is "
        "the process's, sampled every 20 ms during the step (it includes what earlier steps hold).",
        "",
    ]
    text = "\n".join(lines)
    if path.exists():
        existing = path.read_text("utf-8")
        path.write_text(existing.rstrip("\n") + "\n" + text, "utf-8")
    else:
        path.write_text(
            "# Benchmarks\n\nScripts in `benchmarks/` produce these sections.\n" + text, "utf-8"
        )


if __name__ == "__main__":
    main()
