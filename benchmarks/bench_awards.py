"""Benchmark: binding a pack's inputs to the facts and running its rules, without the database.

    .venv/bin/python benchmarks/bench_awards.py --jurisdiction fujian --pack fujian-2021 --scale 10

Steps, each timed: generate the synthetic jurisdiction (not measured), build the fact frame
(``facts.from_synth``), bind the inputs (``bindings.rules_frame``: the formula inputs as indicators
over the facts, the supplied ones empty), run the rules (``rules.run_rules``). The database steps
of ``gaoxin awards`` (reading the store, recording the ledger) are timed with the CLI in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from gaoxin.engine import synth
from gaoxin.engine.facts import from_synth
from gaoxin.engine.packs import load_pack
from gaoxin.engine.packs.bindings import rules_frame
from gaoxin.engine.rules import run_rules
from gaoxin.policy.packs import runnable_rules as runnable

PACKS = Path(__file__).resolve().parents[1] / "src" / "gaoxin" / "packs"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jurisdiction", default="fujian")
    ap.add_argument("--pack", default="fujian-2021")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--period", default="2024")
    args = ap.parse_args()
    j = synth.generate(args.jurisdiction, scale=args.scale)
    pack = load_pack(PACKS / args.pack)
    t = time.perf_counter()
    facts = from_synth(j)
    t_facts = time.perf_counter() - t
    t = time.perf_counter()
    bound = rules_frame(pack, facts, args.period)
    t_bind = time.perf_counter() - t
    rules, _skipped = runnable(pack, {})  # rules whose amounts the document leaves open wait
    t = time.perf_counter()
    out = run_rules(pack, bound.frame, args.period, rules=rules)
    t_rules = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.jurisdiction} ×{args.scale}: {j.enterprises.height} enterprises, "
        f"{bound.frame.height} rows bound, {len(bound.sources)} inputs; "
        f"facts {t_facts:.2f} s, bind {t_bind:.2f} s, rules {t_rules:.2f} s "
        f"({out.traces.height} ledger rows, {out.undetermined.height} undetermined); "
        f"peak RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
