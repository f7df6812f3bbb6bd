"""A 10,000-replication uncertainty analysis of the design in COINr's sensitivity vignette on ASEM:
outlier treatment (COINr default or none), normalisation (min-max [1, 100] or z-scores 10 ± 2),
aggregation (arithmetic or geometric) and 100 weight sets with ±25 % noise on the pillar weights
(COINr get_noisy_weights). Usage: .venv/bin/python benchmarks/bench_asem_ua.py
"""

import time

from gaoxin.engine.composite import analysis as an
from gaoxin.engine.composite import evaluate, load_framework, read_data
from gaoxin.engine.composite.spec import Scoring

ev = evaluate(
    load_framework("tests/reference/asem.yaml"),
    read_data("tests/reference/coinr/01_input_iData.csv"),
)
sets = an.noisy_weight_sets(ev, 100, {2: 0.25}, seed=1)
for _ in range(3):
    t0 = time.process_time()
    t = time.perf_counter()
    u = an.monte_carlo(
        ev,
        10_000,
        weight_noise=0,
        weight_sets=sets,
        treatments=["coinr", "none"],
        normalisations=[Scoring(low=1, high=100), Scoring(method="zscore", mean=10, sd=2)],
        aggregations=["arithmetic", "geometric"],
    )
    print(f"cpu {time.process_time() - t0:.2f} wall {time.perf_counter() - t:.2f} valid {u.valid}")
