"""Inputs plus scoring of 200,000 enterprises by an older ``evaluate`` and by this one,
alternately in one process over one fact frame, so that both see the same load (decision 051).
Usage:

    git worktree add /tmp/before <commit>
    flock /tmp/gx-bench.lock .venv/bin/python benchmarks/bench_enterprise_inputs_before_after.py \\
        /tmp/before/src [scale]

The fact frame is bench_enterprise_inputs.py's (scale 70: 207,064 enterprises, 6.6 GiB). The
older version's ``pipeline.py`` and ``results.py`` (``evaluate``) and its ``composite/inputs.py``
and ``indicators.py`` (``evaluation_inputs``) are loaded beside this version's; the rest of the
engine is this version's. Five runs of each, best and median, CPU (user + sys) and wall; the
inputs and the results of both must be identical.
"""

import os
import resource
import statistics
import sys
import time
from pathlib import Path

from enterprise_bench import cpu, enterprise_facts, older_inputs, older_pipeline

from gaoxin.engine.composite import evaluate, load_framework
from gaoxin.engine.composite.inputs import evaluation_inputs

pipeline = older_pipeline(Path(sys.argv[1]))
inputs = older_inputs(Path(sys.argv[1]))
scale = float(sys.argv[2]) if len(sys.argv) > 2 else 70.0
facts = enterprise_facts(scale)


def best_median(values: list[float]) -> str:
    v = sorted(values)
    return f"{v[0]:.2f}/{statistics.median(v):.2f}"


for name in ("mu-efficiency", "innovation-points"):
    fw = load_framework(f"src/gaoxin/packs/catalogue/frameworks/{name}.yaml")
    got: dict[str, list[tuple[float, ...]]] = {"before": [], "after": []}
    out, read, loads = {}, {}, []
    for _ in range(5):
        for label, take, run in (
            ("before", inputs.evaluation_inputs, pipeline.evaluate),
            ("after", evaluation_inputs, evaluate),
        ):
            c0, w0 = cpu(), time.perf_counter()
            data = read[label] = take(facts, fw, "2025", level="enterprise")
            c1, w1 = cpu(), time.perf_counter()
            out[label] = run(fw, data).result
            c2, w2 = cpu(), time.perf_counter()
            got[label].append((c1 - c0, w1 - w0, c2 - c1, w2 - w1, c2 - c0, w2 - w0))
            loads.append(os.getloadavg()[0])
    assert read["before"].equals(read["after"]), f"{name}: the inputs differ"
    assert out["before"].equals(out["after"]), f"{name}: the results differ"
    for label, rows in got.items():
        col = [[r[i] for r in rows] for i in range(6)]
        print(
            f"{name} {label}: inputs CPU {best_median(col[0])} wall {best_median(col[1])};"
            f" evaluate CPU {best_median(col[2])} wall {best_median(col[3])};"
            f" total CPU {best_median(col[4])} wall {best_median(col[5])} (best/median of 5)",
            flush=True,
        )
    print(f"{name}: results identical; load average {min(loads):.1f}-{max(loads):.1f}")
print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.1f} GiB")
