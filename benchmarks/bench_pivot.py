"""The pivot service (gaoxin.statistics.services.pivot) on a demo store: wall time per pivot,
split into reading the analytics tables (statistics.analytics.facts, built first if need be)
and the engine's pivot (indicators, parts, totals, layout), and the printed workbook.

Not collected by pytest; figures in docs/benchmarks.md.

    GAOXIN_HOME=/tmp/gx-pivot .venv/bin/gaoxin init
    GAOXIN_HOME=/tmp/gx-pivot .venv/bin/gaoxin demo -j national
    GAOXIN_HOME=/tmp/gx-pivot .venv/bin/python benchmarks/bench_pivot.py -n 5
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from dataclasses import dataclass


@dataclass
class Case:
    name: str
    note: str
    indicators: list[str]
    periods: list[str]
    rows: list[str]
    columns: list[str]
    level: str
    scope: str | None = None  # an entity's name; None: the whole store
    industries: list[str] | None = None


KEY = ["revenue_total", "industrial_output_total", "taxes_total", "exports_total"]
CASES = [
    Case("provinces_year", "全国按省, 4 个规模指标 + 研发强度, 2025", [*KEY, "rd_intensity"],
         ["2025"], ["entity"], ["indicator"], "province"),
    Case("zones_2_years", "全国 175 个高新区 × 5 指标 × 2024、2025", [*KEY, "rd_intensity"],
         ["2024", "2025"], ["entity"], ["indicator", "period"], "zone"),
    Case("zones_12_months", "全国 175 个高新区 × 营业收入 × 2025 年 12 个月", ["revenue_total"],
         [f"2025-{m:02d}" for m in range(1, 13)], ["entity"], ["period"], "zone"),
    Case("province_month", "河北省按高新区, 4 个规模指标, 2025-12", KEY, ["2025-12"],
         ["entity"], ["indicator"], "zone", scope="河北省"),
    Case("enterprises_industry", "全国企业 C 制造业, 企业研发投入强度, 2025",
         ["enterprise_rd_intensity"], ["2025"], ["entity"], ["indicator"], "enterprise",
         industries=["C"]),
]  # fmt: skip


def run(case: Case, n: int) -> dict[str, list[float]]:
    from gaoxin.engine.periods import Period
    from gaoxin.engine.pivot import pivot as engine_pivot
    from gaoxin.registry.models import Entity
    from gaoxin.statistics import analytics, services

    scope = Entity.objects.get(name=case.scope) if case.scope else None
    periods = [Period.parse(p) for p in case.periods]
    times: dict[str, list[float]] = {"service": [], "read": [], "engine": [], "xlsx": []}
    cells = 0
    for _ in range(n):
        started = time.perf_counter()
        result = services.pivot(
            periods, scope, by=None, indicators=case.indicators, rows=case.rows,
            columns=case.columns, level=case.level, industries=case.industries,
        )  # fmt: skip
        times["service"].append(time.perf_counter() - started)
        started = time.perf_counter()
        years = sorted({p.year for p in periods} | {p.year - 1 for p in periods})
        facts, _ = analytics.facts(scope, by=None, years=years)
        times["read"].append(time.perf_counter() - started)
        started = time.perf_counter()
        engine_pivot(
            facts, case.indicators, case.periods, rows=case.rows, columns=case.columns,
            level=case.level, within=services._scope_column(scope), industries=case.industries,
        )  # fmt: skip
        times["engine"].append(time.perf_counter() - started)
        started = time.perf_counter()
        result.write_xlsx(io.BytesIO())
        times["xlsx"].append(time.perf_counter() - started)
        cells = len(result.table.row_headers) * len(result.table.column_headers)
    times["cells"] = [cells]
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5, help="runs per case (after one warm-up)")
    ap.add_argument("--case", action="append", choices=[c.name for c in CASES])
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaoxin.web.settings")
    import django

    django.setup()
    from gaoxin.statistics.models import Observation

    print(f"{Observation.objects.count():,} values stored")
    print(f"{'case':<22} {'cells':>6} {'service p50':>12} {'max':>7} {'read':>7} {'engine':>7} "
          f"{'xlsx':>7}  what")  # fmt: skip
    for case in CASES:
        if args.case and case.name not in args.case:
            continue
        run(case, 1)  # warm-up: imports, the catalogue, the first query plan
        t = run(case, args.n)
        med = {k: statistics.median(v) * 1000 for k, v in t.items() if k != "cells"}
        print(
            f"{case.name:<22} {t['cells'][0]:>6} {med['service']:>10.0f}ms "
            f"{max(t['service']) * 1000:>5.0f}ms {med['read']:>5.0f}ms {med['engine']:>5.0f}ms "
            f"{med['xlsx']:>5.0f}ms  {case.note}"
        )


if __name__ == "__main__":
    main()
