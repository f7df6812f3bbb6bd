"""Benchmarks for gaoxin.engine.composite (not collected by pytest; figures in docs/benchmarks.md).

.venv/bin/python benchmarks/bench_composite.py
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from gaoxin.engine.composite import Scoring, check_framework, evaluate, load_framework, read_data
from gaoxin.engine.composite import aggregate as agg
from gaoxin.engine.composite import analysis as an

REF = Path(__file__).resolve().parents[1] / "tests" / "reference"


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


if __name__ == "__main__":
    main()
