"""Benchmark: ``bench_analytics.py``'s step with the CPU of the indicator step (decision 058).

    .venv/bin/python benchmarks/bench_analytics_indicator_step.py --step build --scale 70 --work <dir>

Runs the step in this process (any ``bench_analytics.py`` arguments) with ``time.process_time``
accumulated around the analytics functions named in ``STEPS`` (they overlap: ``load_facts`` and
``compute`` run inside ``_at_once``) and the indicator step: from the end of ``_write_meta`` (the
facts, observations and entities written) to the end of ``build_tables``. The figures go to
stderr as one ``steps {...}`` JSON line. The functions are looked up on the module, so a copy of
older sources on ``PYTHONPATH`` is timed as well (a function it lacks is left out).
"""

from __future__ import annotations

import atexit
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import gaoxin.engine.analytics as analytics  # noqa: E402

STEPS = ("build_facts", "_write_observations", "_write", "_at_once", "load_facts", "compute")
spent: dict[str, float] = defaultdict(float)
marks: dict[str, float] = {}


def _timed(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return f(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - started

    return run


def _meta_written(f: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        result = f(*args, **kwargs)
        marks["meta"] = time.process_time()
        return result

    return run


def _built(f: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        result = f(*args, **kwargs)
        spent["indicator_step"] += time.process_time() - marks["meta"]
        return result

    return run


def main() -> None:
    for name in STEPS:
        if hasattr(analytics, name):
            setattr(analytics, name, _timed(name, getattr(analytics, name)))
    if hasattr(analytics, "_Cells"):
        analytics._Cells.of = _timed("_Cells.of", analytics._Cells.of)  # type: ignore[method-assign]
    analytics._write_meta = _meta_written(analytics._write_meta)
    analytics.build_tables = _built(analytics.build_tables)
    atexit.register(
        lambda: print(
            "steps", json.dumps({k: round(v, 2) for k, v in spent.items()}), file=sys.stderr
        )
    )
    import bench_analytics

    bench_analytics.main()


if __name__ == "__main__":
    main()
