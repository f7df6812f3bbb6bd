"""Two analytics builds compared file by file: every Parquet file's data (``DataFrame.equals``)
and schema, and meta.json but ``built_at`` (written in docs/benchmarks.md as
/work/bench/facts/cmp.py).

    .venv/bin/python benchmarks/compare_builds.py BUILD_A BUILD_B
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl


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
        or not pl.read_parquet(a / p).equals(pl.read_parquet(b / p))
    ]
    meta_a, meta_b = (json.loads((x / "meta.json").read_text()) for x in (a, b))
    meta_a.pop("built_at", None)
    meta_b.pop("built_at", None)
    keys = sorted(k for k in meta_a.keys() | meta_b.keys() if meta_a.get(k) != meta_b.get(k))
    print(f"{len(files) - len(bad)} of {len(files)} equal", bad, keys if keys else "meta same")
    return 1 if bad or keys else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
