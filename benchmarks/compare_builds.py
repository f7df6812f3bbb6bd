"""Two analytics builds compared file by file: every Parquet file's data (``DataFrame.equals``)
and schema, and meta.json but ``built_at`` and ``layout`` (written in docs/benchmarks.md as
/work/bench/facts/cmp.py). A facts file is compared as ``load_facts`` reads it (its certification
columns' nulls given back, decision 086), so a build of layout 7 and one of layout 8 compare
equal when their data are.

    .venv/bin/python benchmarks/compare_builds.py BUILD_A BUILD_B
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl

from gaoxin.engine.analytics import _facts_read


def _read(path: Path) -> pl.DataFrame:
    frame = pl.read_parquet(path)
    return _facts_read(frame) if "facts" in path.parts else frame


def main(a: Path, b: Path) -> int:
    files = sorted(p.relative_to(a) for p in a.rglob("*.parquet"))
    other = sorted(p.relative_to(b) for p in b.rglob("*.parquet"))
    if files != other:
        print("different files:", sorted(map(str, set(files) ^ set(other))))
        return 1
    bad = [
        str(p)
        for p in files
        if pl.read_parquet_schema(a / p) != pl.read_parquet_schema(b / p)
        or not _read(a / p).equals(_read(b / p))
    ]
    meta_a, meta_b = (json.loads((x / "meta.json").read_text()) for x in (a, b))
    for meta in (meta_a, meta_b):
        meta.pop("built_at", None)
        meta.pop("layout", None)
    keys = sorted(k for k in meta_a.keys() | meta_b.keys() if meta_a.get(k) != meta_b.get(k))
    print(f"{len(files) - len(bad)} of {len(files)} equal", bad, keys if keys else "meta same")
    return 1 if bad or keys else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
