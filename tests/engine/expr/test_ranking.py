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
    out = compute([_indicator("rank_change(fiscal_revenue)")], facts, ["2025-07"]).frame
    assert dict(zip(out["entity"], out["value"], strict=True)) == {"Z1": 0.0, "Z2": 0.0, "Z3": None}


def _indicator(formula: str) -> Indicator:
    return Indicator(code="x", zh="x", en="x", unit="位", level="zone", formula=formula, source="t")  # type: ignore[arg-type]


def test_indicators_compare_with_the_same_period_last_year(facts: FactFrame) -> None:
    # The docstring's table: against 2024-07, Z1 3 − 1 = +2, Z2 1 − 2 = −1, Z3 none this month.
    out = compute([_indicator('rank_change(fiscal_revenue, lag="year")')], facts, ["2025-07"])
    frame = out.frame
    assert dict(zip(frame["entity"], frame["value"], strict=True)) == {
        "Z1": 2.0,
        "Z2": -1.0,
        "Z3": None,
    }


# A second set, in indicators on all three period types, with ties and a zone that did not
# report last year. Four zones; the rows between (2024-08 … 2025-05, 2024Q3 … 2025Q1) are all 1
# (a four-way tie, every zone 1st):
#
#     month    quarter  year    Z1  Z2  Z3  Z4      ranks
#     2024-07  2024Q2   2024    10  30  30  —       Z2 1, Z3 1 (tie), Z1 3, Z4 none
#     2025-06  2025Q1   —        1   1   1   1      all 1st
#     2025-07  2025Q2   2025    50  40  40  60      Z4 1, Z1 2, Z2 3, Z3 3 (tie; no 4th)
#
# 较上年同期 (12 months, 4 quarters, 1 year back): Z1 3 − 2 = +1, Z2 1 − 3 = −2, Z3 1 − 3 = −2,
# Z4 missing (no rank last year). 较上期 (monthly and quarterly): Z1 1 − 2 = −1, Z2 and Z3
# 1 − 3 = −2, Z4 1 − 1 = 0. On yearly data the previous period is last year: the same as lag="year".
TIED = {
    "then": {"Z1": 10.0, "Z2": 30.0, "Z3": 30.0},
    "now": {"Z1": 50.0, "Z2": 40.0, "Z3": 40.0, "Z4": 60.0},
}
BY_TYPE = {
    "month": (
        [f"2024-{m:02d}" for m in range(7, 13)] + [f"2025-{m:02d}" for m in range(1, 8)],
        "2024-07",
        "2025-07",
    ),
    "quarter": (["2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2"], "2024Q2", "2025Q2"),
    "year": (["2024", "2025"], "2024", "2025"),
}
YEAR_CHANGE = {"Z1": 1.0, "Z2": -2.0, "Z3": -2.0, "Z4": None}
PERIOD_CHANGE = {"Z1": -1.0, "Z2": -2.0, "Z3": -2.0, "Z4": 0.0}


@pytest.fixture(scope="module")
def tied() -> FactFrame:
    zones = ["Z1", "Z2", "Z3", "Z4"]
    entities = pl.DataFrame(
        {
            "entity": ["P", "C1", *zones],
            "kind": ["province", "city", *["zone"] * 4],
            "name": ["省", "市", "一区", "二区", "三区", "四区"],
            "parent": [None, "P", "C1", "C1", "C1", "C1"],
            "joined_on": [None, None, *[date(2000, 1, 1)] * 4],
        }
    )
    rows = []
    for periods, then, now in BY_TYPE.values():
        for p in periods:
            values = TIED["then"] if p == then else TIED["now"] if p == now else {}
            for z in zones:
                v = values.get(z) if values else 1.0
                if v is not None:
                    rows.append((z, "fiscal_revenue", p, v, f"b-{p}"))
    obs = pl.DataFrame(
        rows, schema=["entity", "variable", "period", "value", "batch"], orient="row"
    )
    return build_facts(entities, obs)


@pytest.mark.parametrize("ptype", ["month", "quarter", "year"])
def test_indicators_rank_change_by_year_and_by_period_on_each_period_type(
    tied: FactFrame, ptype: str
) -> None:
    _, then, now = BY_TYPE[ptype]
    inds = [
        Indicator(
            code=code,
            zh=code,
            en=code,
            unit="位",
            level="zone",
            formula=f'rank_change(fiscal_revenue, lag="{lag}")',
            source="t",
        )  # type: ignore[arg-type]
        for code, lag in (("by_year", "year"), ("by_period", "period"))
    ]
    result = compute(inds, tied, [now])
    got = {
        code: {
            r["entity"]: r["value"]
            for r in result.frame.filter(pl.col("indicator") == code).iter_rows(named=True)
        }
        for code in ("by_year", "by_period")
    }
    assert got["by_year"] == YEAR_CHANGE
    assert got["by_period"] == (YEAR_CHANGE if ptype == "year" else PERIOD_CHANGE)
    # Z4's rank last year is missing: one missing input, counted in the indicator's `missing`.
    missing = result.frame.filter(pl.col("indicator") == "by_year").select("entity", "missing")
    assert dict(missing.iter_rows()) == {"Z1": 0, "Z2": 0, "Z3": 0, "Z4": 1}
    # Lineage reads this period and the one a year back, and describes the comparison.
    cell = result.lineage("Z1", now, "by_year")
    assert cell["periods_read"] == [now, then]
    assert cell["description"] == "一般公共预算收入排名较上年同期的进位数"


def test_lag_is_checked_and_described(facts: FactFrame) -> None:
    ns = facts.namespace()
    with pytest.raises(Exception, match="lag|比较期"):
        check(
            'rank_change(fiscal_revenue, lag="month")', ns, functions=ENGINE_FUNCTIONS, level="zone"
        )
    text = describe('rank_change(fiscal_revenue, lag="year")', ns, functions=ENGINE_FUNCTIONS)
    assert "较上年同期" in str(text)
    assert "较上期" in str(describe("rank_change(fiscal_revenue)", ns, functions=ENGINE_FUNCTIONS))
