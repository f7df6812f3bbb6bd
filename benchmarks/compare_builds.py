"""Two analytics builds compared file by file: every Parquet file's data (``DataFrame.equals``)
and schema, and meta.json but ``built_at`` and ``layout`` (written in docs/benchmarks.md as
/work/bench/facts/cmp.py). A facts file is compared as ``load_facts`` reads it (its certification
columns' nulls given back, decision 086), so a build of layout 7 and one of layout 8 compare
equal when their data are.

    .venv/bin/python benchmarks/compare_builds.py BUILD_A BUILD_B [--rtol 1e-12]

``--rtol``: a file whose data differ is then compared again with its floats allowed that
relative difference (every other column, the nulls and the order still exactly), and the
largest relative difference found is printed: for a change that sums in another order
(decision 087), whose values differ in their last bits.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import gaoxin  # noqa: F401  first: it sets Polars' allocator before Polars loads (decision 088)

# isort: split
import polars as pl
from polars.testing import assert_frame_equal

from gaoxin.engine.analytics import _facts_read


def _read(path: Path) -> pl.DataFrame:
    frame = pl.read_parquet(path)
    return _facts_read(frame) if "facts" in path.parts else frame


def _largest_difference(x: pl.DataFrame, y: pl.DataFrame) -> float:
    worst = 0.0
    for name, dtype in x.schema.items():
        if dtype.is_float():
            a, b = x[name], y[name]
            both = a.is_not_null() & b.is_not_null() & (a != b)
            rel = ((a - b).abs() / a.abs()).filter(both)
            worst = max(worst, float(rel.max() or 0.0))  # type: ignore[arg-type]
    return worst


def main(a: Path, b: Path, rtol: float | None) -> int:
    files = sorted(p.relative_to(a) for p in a.rglob("*.parquet"))
    other = sorted(p.relative_to(b) for p in b.rglob("*.parquet"))
    if files != other:
        print("different files:", sorted(map(str, set(files) ^ set(other))))
        return 1
    bad, close, worst = [], [], 0.0
    for p in files:
        if pl.read_parquet_schema(a / p) != pl.read_parquet_schema(b / p):
            bad.append(str(p))
            continue
        x, y = _read(a / p), _read(b / p)
        if x.equals(y):
            continue
        if rtol is not None:
            try:
                assert_frame_equal(x, y, check_exact=False, rel_tol=rtol, abs_tol=0.0)
            except AssertionError:
                pass
            else:
                close.append(str(p))
                worst = max(worst, _largest_difference(x, y))
                continue
        bad.append(str(p))
    meta_a, meta_b = (json.loads((x / "meta.json").read_text()) for x in (a, b))
    for meta in (meta_a, meta_b):
        meta.pop("built_at", None)
        meta.pop("layout", None)
    keys = sorted(k for k in meta_a.keys() | meta_b.keys() if meta_a.get(k) != meta_b.get(k))
    equal = len(files) - len(bad) - len(close)
    print(f"{equal} of {len(files)} equal", bad, keys if keys else "meta same")
    if close:
        print(f"{len(close)} within rtol {rtol} (largest relative difference {worst:.3g}):", close)
    return 1 if bad or keys else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--rtol", type=float)
    args = parser.parse_args()
    sys.exit(main(args.a, args.b, args.rtol))
