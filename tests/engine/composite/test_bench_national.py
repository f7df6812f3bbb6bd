"""The national-scale benchmark (benchmarks/bench_composite.py national), run test-sized: its
zone-year table is the catalogue's values, and every step it reports runs."""

import argparse
import importlib
import sys
from pathlib import Path

import polars as pl

from gaoxin.engine import synth
from gaoxin.engine.facts import from_synth
from gaoxin.engine.indicators import compute, default_indicators

BENCH = Path(__file__).resolve().parents[3] / "benchmarks"


def _bench():
    # importable by name: the Monte Carlo step runs in a spawned process that imports it
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module("bench_composite")


def test_zone_year_table_is_the_catalogue_over_the_latest_years():
    bench = _bench()
    facts = from_synth(synth.generate("national", scale=0.05))
    table, years = bench.zone_year_table(facts, 300, 12)
    zones = facts.wide("year").filter(pl.col("kind") == "zone")
    per_year = dict(zones.group_by("period").len().iter_rows())
    # the latest years, just enough for 300 rows
    assert years == sorted(years, reverse=True) and years[0] == max(per_year)
    assert sum(per_year[y] for y in years) >= 300 > sum(per_year[y] for y in years[:-1])
    assert table.height == sum(per_year[y] for y in years) and table["unit"].is_unique().all()
    assert table.width == 13
    # one cell against indicators.compute
    code = table.columns[5]
    unit = table.filter(pl.col(code).is_not_null())["unit"][0]
    entity, period = unit.split("/")
    res = compute(list(default_indicators()), facts, [period], keep_frames=False).frame
    want = res.filter(
        (pl.col("entity").cast(pl.String) == entity)
        & (pl.col("indicator") == code)
        & (pl.col("kind") == "zone")
    )["value"][0]
    assert table.filter(pl.col("unit") == unit)[code][0] == want


def test_national_benchmark_runs_small(tmp_path):
    bench = _bench()
    out = tmp_path / "national.md"
    args = argparse.Namespace(scale=0.05, reps=40, mc_units=200, mc_indicators=16, write=out)
    bench.national(args)
    text = out.read_text("utf-8")
    for step in (
        "(a) evaluate",
        "(b) evaluate: 亩均效益",
        "(b) evaluate: 创新积分",
        "Monte Carlo 40",
    ):
        assert step in text
    assert "re-estimated each replication" in text
