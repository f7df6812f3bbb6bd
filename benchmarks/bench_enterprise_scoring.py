"""Scoring 200,000 enterprises with the shipped enterprise schemes (亩均效益, 创新积分): ``evaluate``
alone on a synthetic unit table (lognormal values, 5 % missing), best of three; inputs from the fact
frame are measured by bench_composite.py national. Usage:

    .venv/bin/python benchmarks/bench_enterprise_scoring.py mu-efficiency after
    .venv/bin/python benchmarks/bench_enterprise_scoring.py innovation-points after

Writes the result table to /tmp/coinr-<scheme>-<label>.csv so that two versions can be compared
byte for byte (run the older one with PYTHONPATH pointing at a worktree of it).
"""

import sys
import time

import numpy as np

import gaoxin  # noqa: F401  first: it sets Polars' allocator before Polars loads (decision 088)

# isort: split
import polars as pl

from gaoxin.engine.composite import evaluate, load_framework

name = sys.argv[1]
fw = load_framework(f"src/gaoxin/packs/catalogue/frameworks/{name}.yaml")
cols = set()
for n in fw.indicators():
    cols |= {c for c in (n.column or n.code, n.denominator, n.previous) if c}
for it in [*fw.bonus, *fw.penalty, *fw.veto]:
    cols.add(it.column)
rng = np.random.default_rng(0)
N = 200_000
data = {fw.unit: [f"E{i:07d}" for i in range(N)]}
for c in sorted(cols):
    v = rng.lognormal(2, 1, N)
    v[rng.random(N) < 0.05] = np.nan
    data[c] = v
for g in sorted(
    {
        *fw.groups,
        *([fw.impute.group] if fw.impute.group else []),
        *([fw.grading.by] if fw.grading and fw.grading.by else []),
    }
):
    data[g] = rng.integers(0, 300, N).astype(str)
df = pl.DataFrame(data)
best = []
for _ in range(3):
    t0 = time.process_time()
    t = time.perf_counter()
    ev = evaluate(fw, df)
    best.append((time.process_time() - t0, time.perf_counter() - t))
ev.result.write_csv(f"/tmp/coinr-{name}-{sys.argv[2]}.csv")
print(
    name,
    sys.argv[2],
    "cpu",
    " ".join(f"{c:.2f}" for c, _ in best),
    "wall",
    " ".join(f"{w:.2f}" for _, w in best),
)
