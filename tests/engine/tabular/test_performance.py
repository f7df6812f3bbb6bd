"""A large wide file is read column-wise: one bad cell among many is found at its exact row.

The speed of reading 200,000 rows lives in benchmarks/bench_tabular_read.py, not here."""

import numpy as np
import polars as pl

from gaoxin.engine.tabular import read_observations


def test_one_bad_cell_among_many(tmp_path, catalogue):
    variables = [
        v for v in catalogue if "enterprise" in v.kinds and not v.integer and v.unit != "%"
    ][:18]
    n = 5_000
    rng = np.random.default_rng(7)
    data: dict[str, list[str]] = {
        "企业名称": [f"企业{i:06d}" for i in range(n)],
        "期间": ["2024"] * n,
    }
    for var in variables:
        data[f"{var.zh}（{var.unit}）"] = [f"{x:,.2f}" for x in rng.random(n) * 1e6]
    data[f"{variables[0].zh}（{variables[0].unit}）"][123] = "x"
    path = tmp_path / "big.csv"
    pl.DataFrame(data).write_csv(path)

    result = read_observations(path, catalogue)

    assert [(p.code, p.row) for p in result.problems] == [("not_a_number", 125)]
    assert result.observations.height == n * 18 - 1
