"""rank_change against the previous period and against the same period last year, by hand.

Three zones report a monthly statistic (fiscal_revenue, 1-N月) from 2024-06 to 2025-07:

    period    Z1  Z2  Z3      ranks (1 = largest)
    2024-07   10  30  20      Z2 1, Z3 2, Z1 3
    2025-06   50  40  30      Z1 1, Z2 2, Z3 3
    2025-07   60  45  —       Z1 1, Z2 2, Z3 none (did not report)

In 2025-07, against 2025-06 (较上期): Z1 1 − 1 = 0, Z2 2 − 2 = 0, Z3 missing.
Against 2024-07 (较上年同期): Z1 3 − 1 = +2 (moved up two places), Z2 1 − 2 = −1, Z3 missing.
Every other month all three report 1 (a three-way tie), which only fills the months between.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from gaoxin.engine.expr import (
    ENGINE_FUNCTIONS,
    CompileContext,
    ExprError,
    check,
    compile_expr,
    describe,
)
from gaoxin.engine.facts import HIERARCHY_COLUMNS, FactFrame, build_facts
from gaoxin.engine.indicators import Indicator, compute

VALUES = {
    "2024-07": {"Z1": 10.0, "Z2": 30.0, "Z3": 20.0},
    "2025-06": {"Z1": 50.0, "Z2": 40.0, "Z3": 30.0},
    "2025-07": {"Z1": 60.0, "Z2": 45.0},
}
MONTHS = [f"2024-{m:02d}" for m in range(6, 13)] + [f"2025-{m:02d}" for m in range(1, 8)]


@pytest.fixture(scope="module")
def facts() -> FactFrame:
    entities = pl.DataFrame(
        {
            "entity": ["P", "C1", "Z1", "Z2", "Z3"],
            "kind": ["province", "city", "zone", "zone", "zone"],
            "name": ["省", "市", "一区", "二区", "三区"],
            "parent": [None, "P", "C1", "C1", "C1"],
            "joined_on": [None, None, date(2000, 1, 1), date(2000, 1, 1), date(2000, 1, 1)],
        }
    )
    rows = []
    for p in MONTHS:
        for z in ("Z1", "Z2", "Z3"):
            v = VALUES.get(p, {"Z1": 1.0, "Z2": 1.0, "Z3": 1.0}).get(z)
            if v is not None:
                rows.append((z, "fiscal_revenue", p, v, f"m-{p}"))
    obs = pl.DataFrame(
        rows, schema=["entity", "variable", "period", "value", "batch"], orient="row"
    )
    return build_facts(entities, obs)


def _evaluate(facts: FactFrame, formula: str, period: str) -> dict[str, float | None]:
    ns = facts.namespace()
    ctx = CompileContext(
        namespace=ns,
        level="zone",
        period_column="period",
        entity_column="entity",
        hierarchy_columns=HIERARCHY_COLUMNS,
        options={"kind_column": "kind", "seq_column": "seq", "per_year": 12},
    )
    expr = compile_expr(formula, ns, functions=ENGINE_FUNCTIONS, level="zone", context=ctx)
    out = (
        facts.wide("month")
        .with_columns(expr.alias("x"))
        .filter((pl.col("kind") == "zone") & (pl.col("period") == period))
    )
    return dict(zip(out["entity"].to_list(), out["x"].to_list(), strict=True))


def test_rank_change_against_the_previous_period_by_default(facts: FactFrame) -> None:
    expected = {"Z1": 0.0, "Z2": 0.0, "Z3": None}
    assert _evaluate(facts, "rank_change(fiscal_revenue)", "2025-07") == expected
    assert _evaluate(facts, 'rank_change(fiscal_revenue, lag="period")', "2025-07") == expected


def test_rank_change_against_the_same_period_last_year(facts: FactFrame) -> None:
    got = _evaluate(facts, 'rank_change(fiscal_revenue, lag="year")', "2025-07")
    assert got == {"Z1": 2.0, "Z2": -1.0, "Z3": None}


def test_rank_change_in_indicators_default_lag(facts: FactFrame) -> None:
    ind = Indicator(
        code="x",
        zh="x",
        en="x",
        unit="位",
        level="zone",
        formula="rank_change(fiscal_revenue)",
        source="t",
    )  # type: ignore[arg-type]
    out = compute([ind], facts, ["2025-07"]).frame
    assert dict(zip(out["entity"], out["value"], strict=True)) == {"Z1": 0.0, "Z2": 0.0, "Z3": None}


def test_indicators_refuse_a_year_comparison_rather_than_give_last_periods(
    facts: FactFrame,
) -> None:
    # indicators.compute lags the rank inside rank_change by one period itself (indicators.py:
    # _Compiler.compile, _lag_periods, _offsets); until it reads ranking.change_periods, a year
    # comparison there would silently be the month's: it is refused with a message instead.
    ind = Indicator(
        code="x",
        zh="x",
        en="x",
        unit="位",
        level="zone",
        formula='rank_change(fiscal_revenue, lag="year")',
        source="t",
    )  # type: ignore[arg-type]
    with pytest.raises(ExprError, match="位次较上年同期"):
        compute([ind], facts, ["2025-07"])


def test_lag_is_checked_and_described(facts: FactFrame) -> None:
    ns = facts.namespace()
    with pytest.raises(Exception, match="lag|比较期"):
        check(
            'rank_change(fiscal_revenue, lag="month")', ns, functions=ENGINE_FUNCTIONS, level="zone"
        )
    text = describe('rank_change(fiscal_revenue, lag="year")', ns, functions=ENGINE_FUNCTIONS)
    assert "较上年同期" in str(text)
    assert "较上期" in str(describe("rank_change(fiscal_revenue)", ns, functions=ENGINE_FUNCTIONS))
