"""Benchmark: read a wide CSV of N enterprises × 18 statistics into observations.

    .venv/bin/python benchmarks/bench_tabular_read.py --rows 200000

Prints CPU and wall time and peak memory (ru_maxrss); results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

import gaoxin  # noqa: F401  first: it sets Polars' allocator before Polars loads (decision 088)

# isort: split
import polars as pl

from gaoxin.engine.tabular import read_observations
from gaoxin.engine.variables import default_catalogue


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    catalogue = default_catalogue()
    variables = [v for v in catalogue if "enterprise" in v.kinds and v.max is None][:18]
    rng = np.random.default_rng(7)
    n = args.rows
    data = {"企业名称": [f"企业{i:07d}" for i in range(n)], "期间": ["2024"] * n}
    for var in variables:
        data[f"{var.zh}（{var.unit}）"] = [f"{x:,.2f}" for x in rng.random(n) * 1e6]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        pl.DataFrame(data).write_csv(path)
        size_mb = path.stat().st_size / 1e6
        wall, cpu = time.perf_counter(), time.process_time()
        result = read_observations(path, catalogue)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(
        f"rows={n} cells={n * 18} file={size_mb:.0f} MB observations={result.observations.height} "
        f"wall={wall:.1f}s cpu={cpu:.1f}s peak_rss={peak:.2f} GiB"
    )


if __name__ == "__main__":
    main()
