"""Inputs plus scoring for the shipped enterprise schemes (亩均效益, 创新积分) end to end over
every enterprise of the synthetic national jurisdiction present in 2025: ``evaluation_inputs``
(from the fact frame) then ``evaluate``, five runs each, CPU time (user + sys of this process)
and wall time, then the best and the median of the five and the load average. Usage:

    flock /tmp/gx-bench.lock .venv/bin/python benchmarks/bench_enterprise_inputs.py [scale]

``scale`` 70 (default) gives ≈ 206,000 enterprises in 2025. Only the yearly statistics are kept
in the fact frame (the schemes read yearly variables and certifications; the monthly frame would
add ≈ 10 GiB and no work to these steps); years 2023–2025.
"""

import os
import resource
import statistics
import sys
import time

from enterprise_bench import cpu, enterprise_facts

from gaoxin.engine.composite import evaluate, load_framework
from gaoxin.engine.composite.inputs import evaluation_inputs

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 70.0
facts = enterprise_facts(scale)


for name in ("mu-efficiency", "innovation-points"):
    fw = load_framework(f"src/gaoxin/packs/catalogue/frameworks/{name}.yaml")
    totals = []
    for _ in range(5):
        c0, w0 = cpu(), time.perf_counter()
        data = evaluation_inputs(facts, fw, "2025", level="enterprise")
        c1, w1 = cpu(), time.perf_counter()
        ev = evaluate(fw, data)
        c2, w2 = cpu(), time.perf_counter()
        print(
            f"{name}: {data.height} enterprises, {ev.result['score'].is_not_null().sum()} scored;"
            f" inputs {c1 - c0:.2f} s CPU ({w1 - w0:.2f} wall), evaluate {c2 - c1:.2f} s CPU"
            f" ({w2 - w1:.2f} wall), total {c2 - c0:.2f} s CPU ({w2 - w0:.2f} wall)",
            flush=True,
        )
        totals.append((c2 - c0, w2 - w0))
    cpus, walls = sorted(c for c, _ in totals), sorted(w for _, w in totals)
    print(
        f"{name}: inputs + evaluate best {cpus[0]:.2f} s CPU ({walls[0]:.2f} wall), median"
        f" {statistics.median(cpus):.2f} s CPU ({statistics.median(walls):.2f} wall);"
        f" load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
print(f"peak RSS {peak:.1f} GiB")
