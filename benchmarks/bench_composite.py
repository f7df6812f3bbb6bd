"""Benchmarks for gaoxin.engine.composite (not collected by pytest; figures in docs/benchmarks.md).

    .venv/bin/python benchmarks/bench_composite.py                  # methods on random and ASEM data
    .venv/bin/python benchmarks/bench_composite.py national --scale 70 --reps 10000

``national`` runs on ``synth.generate("national", scale)`` (scale 70: 210,000 enterprises; the
fact frame needs ~16 GiB, run it under ``flock /tmp/gx-bigmem.lock``):

(a) the national framework over every zone, from the fact frame through ``evaluation_inputs``
    to grades;
(b) the enterprise schemes (亩均效益, 创新积分) over every enterprise of the last year;
(c) Monte Carlo over zone-years: the zone-level catalogue indicators for the latest years until
    there are at least ``--mc-units`` zone-year rows (each zone-year is one unit), the
    ``--mc-indicators`` indicators with the most values, in dimensions of 8; replications vary
    weights ±25 %, outlier treatment (COINr / none), normalisation (min-max [1, 100] / rank) and
    aggregation (arithmetic / geometric); once with explicit weights and once with entropy
    weights re-estimated in every replication.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

import gaoxin  # noqa: F401  first: it sets Polars' allocator before Polars loads (decision 088)

# isort: split
import polars as pl

from gaoxin.engine import synth
from gaoxin.engine.composite import Scoring, check_framework, evaluate, load_framework, read_data
from gaoxin.engine.composite import aggregate as agg
from gaoxin.engine.composite import analysis as an
from gaoxin.engine.composite.inputs import evaluation_inputs
from gaoxin.engine.facts import from_synth
from gaoxin.engine.indicators import compute, default_indicators

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_indicators import PeakRSS  # noqa: E402  (the same sampler for every benchmark)

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference"
PACKS = ROOT / "src" / "gaoxin" / "packs"
NATIONAL = PACKS / "national-14th-fyp" / "frameworks" / "national-zones-2021.yaml"
ENTERPRISE = {
    "亩均效益 mu-efficiency": PACKS / "catalogue" / "frameworks" / "mu-efficiency.yaml",
    "创新积分 innovation-points": PACKS / "catalogue" / "frameworks" / "innovation-points.yaml",
}


def timed(label, f, repeat=3):
    best = min(_once(f) for _ in range(repeat))
    print(f"{label}: {best:.3f} s")
    return best


def _once(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def main() -> None:
    rng = np.random.default_rng(0)
    n, k = 100_000, 50
    X = rng.lognormal(size=(n, k))
    X[rng.random((n, k)) < 0.05] = np.nan
    w = rng.uniform(0.5, 2, k)

    # weighted mean with weights renormalised over present values: NumPy vs DuckDB SQL
    tbl = pl.DataFrame({f"x{j}": X[:, j] for j in range(k)}).fill_nan(None).to_arrow()
    con = duckdb.connect()
    con.register("tbl", tbl)
    num = " + ".join(f"coalesce(x{j} * {float(w[j])}, 0)" for j in range(k))
    den = " + ".join(f"(CASE WHEN x{j} IS NULL THEN 0 ELSE {float(w[j])} END)" for j in range(k))
    q = f"select ({num}) / ({den}) as s from tbl"
    ours = agg.arithmetic(X, w)
    theirs = con.execute(q).fetchnumpy()["s"]
    assert np.allclose(ours, theirs)
    timed(f"aggregate arithmetic {n:,} x {k}, NumPy", lambda: agg.arithmetic(X, w))
    timed(f"aggregate arithmetic {n:,} x {k}, DuckDB", lambda: con.execute(q).fetchnumpy())

    nodes = [
        {"code": f"D{d}", "children": [{"code": f"x{d * 10 + j}"} for j in range(10)]}
        for d in range(5)
    ]
    fw = check_framework(
        {
            "framework": "bench",
            "treat": {"method": "coinr"},
            "index": {"code": "I", "children": nodes},
        }
    )
    m = 10_000
    df = pl.DataFrame(
        {"unit": [f"u{i}" for i in range(m)], **{f"x{j}": X[:m, j] for j in range(k)}}
    ).fill_nan(None)
    timed(
        f"evaluate {m:,} units x {k} indicators (COINr treatment)",
        lambda: evaluate(fw, df),
        repeat=1,
    )

    asem = evaluate(
        load_framework(REF / "asem.yaml"), read_data(str(REF / "coinr" / "01_input_iData.csv"))
    )
    norms = [Scoring(low=1, high=100), Scoring(method="rank")]
    aggs = ["arithmetic", "geometric"]
    timed(
        "ASEM Monte Carlo, 1,000 replications",
        lambda: an.monte_carlo(asem, 1000, normalisations=norms, aggregations=aggs),
    )
    timed(
        "ASEM Sobol, N = 256 (7,168 runs)",
        lambda: an.sobol(asem, 256, normalisations=norms, aggregations=aggs),
        repeat=1,
    )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")


# -- national scale ---------------------------------------------------------------------------


def step(label: str, fn: Callable[[], Any], rows: list[dict[str, Any]]) -> Any:
    """Run once; record wall time, the process's peak RSS during the step and how much the
    step added to the RSS it started with."""
    start = PeakRSS.rss()
    with PeakRSS() as mem:
        t = time.perf_counter()
        out = fn()
        wall = time.perf_counter() - t
    row = {
        "step": label,
        "seconds": round(wall, 2),
        "peak_gib": round(mem.peak / 2**30, 2),
        "added_gib": round((mem.peak - start) / 2**30, 2),
    }
    rows.append(row)
    print(f"{label:<70} {wall:8.2f} s  peak {row['peak_gib']:6.2f} GiB  (+{row['added_gib']})")
    return out


def zone_year_table(facts, n_units: int, n_indicators: int) -> tuple[pl.DataFrame, list[str]]:
    """Zone-years of the latest years (until there are n_units rows) x the n_indicators zone
    indicators of the catalogue with the most values there (ties: catalogue order)."""
    years = sorted(facts.periods("year"), reverse=True)
    zones = facts.wide("year").filter(pl.col("kind") == "zone").group_by("period").len()
    count = dict(zones.iter_rows())
    chosen: list[str] = []
    for y in years:
        if sum(count.get(p, 0) for p in chosen) >= n_units:
            break
        chosen.append(y)
    everything = list(default_indicators())  # zone indicators read the others
    catalogue = [i for i in everything if i.level == "zone"]
    res = compute(everything, facts, chosen, keep_frames=False)
    long = res.frame.filter(pl.col("kind") == "zone").select(
        pl.concat_str(pl.col("entity").cast(pl.String), pl.col("period"), separator="/").alias(
            "unit"
        ),
        "indicator",
        "value",
    )
    wide = long.pivot(on="indicator", index="unit", values="value")
    order = {i.code: k for k, i in enumerate(catalogue)}
    have = [
        (wide[c].is_not_null().sum(), -order[c], c)
        for c in wide.columns
        if c != "unit" and wide[c].drop_nulls().n_unique() > 1
    ]
    codes = [c for _, _, c in sorted(have, reverse=True)[:n_indicators]]
    codes.sort(key=order.__getitem__)
    return wide.select("unit", *codes), chosen


def zone_year_framework(codes: list[str], weights: str) -> Any:
    dims = [codes[i : i + 8] for i in range(0, len(codes), 8)]
    return check_framework(
        {
            "framework": "bench-zone-years",
            "treat": {"method": "coinr"},
            "scoring": {"method": "minmax", "low": 1, "high": 100},
            "index": {
                "code": "index",
                "children": [
                    {
                        "code": f"dim{d}",
                        "weights": weights,
                        "children": [{"code": c} for c in dim],
                    }
                    for d, dim in enumerate(dims)
                ],
            },
        }
    )


def monte_carlo_steps(table: pl.DataFrame, reps: int) -> tuple[list[dict[str, Any]], dict]:
    """(c): evaluate the zone-year table and run the Monte Carlo, explicit then entropy weights."""
    rows: list[dict[str, Any]] = []
    codes = table.columns[1:]
    info: dict[str, Any] = {"units": table.height, "indicators": len(codes)}
    choices = {
        "treatments": ["coinr", "none"],
        "normalisations": [Scoring(low=1, high=100), Scoring(method="rank")],
        "aggregations": ["arithmetic", "geometric"],
    }
    for weights in ("explicit", "entropy"):
        fw_z = zone_year_framework(codes, weights)
        ev = step(
            f"(c) evaluate zone-years ({weights} weights, COINr treatment)",
            lambda fw_z=fw_z: evaluate(fw_z, table),
            rows,
        )
        u = step(
            f"(c) Monte Carlo {reps:,} replications ({weights} weights"
            f"{', re-estimated each replication' if weights != 'explicit' else ''})",
            lambda ev=ev: an.monte_carlo(ev, reps, **choices),
            rows,
        )
        s = u.summary()
        info[weights] = {
            "median_rank_width_p05_p95": float((s["rank_p95"] - s["rank_p05"]).median()),
            "scored": int(np.isfinite(u.scores).all(axis=0).sum()),
        }
    return rows, info


def national(args: argparse.Namespace) -> None:
    rows: list[dict[str, Any]] = []
    info: dict[str, Any] = {}
    # read before the long steps, so that the files match the code this process imported
    fw = load_framework(NATIONAL)
    enterprise_fws = {name: load_framework(path) for name, path in ENTERPRISE.items()}
    j = step(
        f"synth.generate('national', scale={args.scale:g})",
        lambda: synth.generate("national", scale=args.scale),
        rows,
    )
    info["enterprises_generated"] = j.enterprises.height
    facts = step("facts.from_synth", lambda: from_synth(j), rows)
    j = None  # let the generated frames go
    period = facts.periods("year")[-1]
    info["period"] = period

    # (a) the national framework over every zone
    data = step(
        f"(a) evaluation_inputs: national framework, zones, {period}",
        lambda: evaluation_inputs(facts, fw, period, level="zone"),
        rows,
    )
    ev = step("(a) evaluate: national framework (to grades)", lambda: evaluate(fw, data), rows)
    info["zones"] = data.height
    info["zone_indicators"] = len(fw.indicators())
    info["zone_grades"] = dict(ev.result["grade"].value_counts().iter_rows())

    # (b) the enterprise schemes over every enterprise of the year
    for name, fw_e in enterprise_fws.items():
        data = step(
            f"(b) evaluation_inputs: {name}, enterprises, {period}",
            lambda fw_e=fw_e: evaluation_inputs(facts, fw_e, period, level="enterprise"),
            rows,
        )
        ev = step(f"(b) evaluate: {name}", lambda fw_e=fw_e, data=data: evaluate(fw_e, data), rows)
        info[name] = {
            "enterprises": data.height,
            "scored": int(ev.result["score"].is_not_nan().sum()),
        }
        data = ev = None

    # (c) Monte Carlo over zone-years
    table, years = step(
        f"(c) zone-year table: catalogue zone indicators, latest years to {args.mc_units} rows",
        lambda: zone_year_table(facts, args.mc_units, args.mc_indicators),
        rows,
    )
    facts = None
    gc.collect()
    # in a fresh process: its peak RSS is the Monte Carlo's, not the fact frame's leftovers
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        mc_rows, info["mc"] = pool.submit(monte_carlo_steps, table, args.reps).result()
    rows += mc_rows
    info["mc"]["years"] = years
    for k, v in info.items():
        print(f"{k}: {v}")
    if args.write:
        _write_national(args, rows, info)


def _write_national(args: argparse.Namespace, rows: list[dict[str, Any]], info: dict) -> None:
    cmd = (
        "flock /tmp/gx-bigmem.lock .venv/bin/python benchmarks/bench_composite.py national "
        f"--scale {args.scale:g} --reps {args.reps} --mc-units {args.mc_units} "
        f"--mc-indicators {args.mc_indicators}"
    )
    lines = [
        f"Command: `{cmd}` — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores "
        "shared with other engineers' jobs (times are typical, not best).",
        "",
        "| step | time (s) | peak RSS (GiB) | added by the step (GiB) |",
        "|---|---|---|---|",
        *[f"| {r['step']} | {r['seconds']} | {r['peak_gib']} | {r['added_gib']} |" for r in rows],
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
    ]
    args.write.write_text("\n".join(lines), "utf-8")
    print(f"written to {args.write}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what")
    nat = sub.add_parser("national", help="evaluation at national scale")
    nat.add_argument("--scale", type=float, default=70)
    nat.add_argument("--reps", type=int, default=10_000)
    nat.add_argument("--mc-units", type=int, default=600)
    nat.add_argument("--mc-indicators", type=int, default=40)
    nat.add_argument("--write", type=Path, default=None, help="write the table (markdown) here")
    a = ap.parse_args()
    if a.what == "national":
        national(a)
    else:
        main()
