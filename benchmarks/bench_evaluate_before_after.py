"""``evaluate`` by an older version of the pipeline and by this one, alternately in one process
on the same input table, so that both see the same load (decision 051). Usage:

    git worktree add /tmp/before <commit>
    .venv/bin/python benchmarks/bench_evaluate_before_after.py /tmp/before/src \\
        innovation-points /tmp/innovation-points.parquet [runs]

The input is ``evaluation_inputs(facts, framework, "2025", level="enterprise")`` written with
``write_parquet`` (from the scale-70 fact frame, see bench_enterprise_inputs.py). Only
``pipeline.py`` and ``results.py`` are taken from the older version. Prints CPU (user + sys)
and wall, best and median, the load average, and checks the two results are equal.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import gaoxin  # noqa: F401  first: it sets Polars' allocator before Polars loads (decision 088)

# isort: split
import polars as pl
from enterprise_bench import cpu, older_pipeline

from gaoxin.engine.composite import evaluate, load_framework

before_src, scheme, inputs = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 15
pipeline = older_pipeline(before_src)

fw = load_framework(f"src/gaoxin/packs/catalogue/frameworks/{scheme}.yaml")
data = pl.read_parquet(inputs)
times: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
out, loads = {}, []
for _ in range(runs):
    for label, run in (("before", pipeline.evaluate), ("after", evaluate)):
        c, w = cpu(), time.perf_counter()
        out[label] = run(fw, data).result
        times[label].append((cpu() - c, time.perf_counter() - w))
        loads.append(os.getloadavg()[0])
assert out["before"].equals(out["after"]), "the results differ"
for label, rows in times.items():
    cs, ws = sorted(c for c, _ in rows), sorted(w for _, w in rows)
    print(
        f"{scheme} {data.height} units, evaluate {label}: CPU best {cs[0]:.2f} s median"
        f" {statistics.median(cs):.2f} s; wall best {ws[0]:.2f} s median"
        f" {statistics.median(ws):.2f} s ({runs} runs, load {min(loads):.1f}-{max(loads):.1f})"
    )
