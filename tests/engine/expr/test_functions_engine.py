"""The engine functions (periods, hierarchy, certifications, ranks) on a fact frame built by hand.

The registry is small enough to reason about row by row: one province, two cities, three zones,
six enterprises and one incubator, three years and the first quarter's months of two years.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from gaoxin.engine.expr import ENGINE_FUNCTIONS, FUNCTIONS, ExprTypeError, check, describe
from gaoxin.engine.facts import FactFrame, build_facts
from gaoxin.engine.indicators import Indicator, compute

D = date
ENTITIES = pl.DataFrame(
    [
        ("P", "province", "省", None, None, None, None, None, None),
        ("C1", "city", "甲市", "P", None, None, None, None, None),
        ("C2", "city", "乙市", "P", None, None, None, None, None),
        ("C3", "city", "丙市", "P", None, None, None, None, None),
        ("Z1", "zone", "一区", "C1", "national", None, None, D(2000, 1, 1), None),
        ("Z2", "zone", "二区", "C1", "provincial", "recognised", None, D(2000, 1, 1), None),
        ("Z3", "zone", "三区", "C2", "provincial", "creating", None, D(2024, 5, 1), None),
        ("E1", "enterprise", "甲", "Z1", None, None, "C39", D(2010, 1, 1), None),
        ("E2", "enterprise", "乙", "Z1", None, None, "C39", D(2010, 1, 1), None),
        ("E3", "enterprise", "丙", "Z1", None, None, "I65", D(2010, 1, 1), None),
        ("E4", "enterprise", "丁", "Z1", None, None, "M73", D(2010, 1, 1), None),
        ("E5", "enterprise", "戊", "Z2", None, None, "C27", D(2010, 1, 1), D(2024, 6, 30)),
        ("E6", "enterprise", "己", "Z3", None, None, "C27", D(2024, 5, 1), None),
        ("I1", "institution", "孵化器", "Z1", None, None, None, D(2015, 1, 1), None),
    ],
    schema=[
        "entity",
        "kind",
        "name",
        "parent",
        "level",
        "category",
        "industry",
        "joined_on",
        "left_on",
    ],
    orient="row",
)
ENTITIES = ENTITIES.with_columns(
    institution_kind=pl.when(pl.col("entity") == "I1").then(pl.lit("incubator"))
)

YEARLY = {
    # entity: {year: (revenue, rd_expenditure, employees)}
    "E1": {2023: (100, 5, 10), 2024: (120, 6, 12), 2025: (150, 9, 15)},
    "E2": {2023: (50, 1, 5), 2024: (50, 2, 5), 2025: (60, 3, 6)},
    "E3": {2023: (30, 3, 3), 2024: (None, 3, 4), 2025: (40, 4, 4)},
    "E4": {2023: (20, 0, 2), 2024: (30, 1, 3), 2025: (30, 1, 3)},
    "E5": {2023: (10, 1, 1)},
    "E6": {2024: (5, 1, 1), 2025: (8, 1, 2)},
}
MONTHLY = {
    # entity: {period: (revenue 1-N月累计, employees)}
    "E1": {
        "2024-01": (10, 10),
        "2024-02": (20, 11),
        "2024-03": (30, 12),
        "2025-01": (12, 10),
        "2025-02": (25, 10),
        "2025-03": (40, 11),
    },
    "E2": {
        "2024-01": (5, 5),
        "2024-03": (15, 5),
        "2025-01": (6, 5),
        "2025-02": (None, None),
        "2025-03": (20, 6),
    },
}


def _observations() -> pl.DataFrame:
    rows = []
    for e, years in YEARLY.items():
        for y, values in years.items():
            for var, v in zip(("revenue", "rd_expenditure", "employees"), values, strict=True):
                if v is not None:
                    rows.append((e, var, str(y), float(v), f"annual-{y}", D(y + 1, 3, 31)))
    for e, months in MONTHLY.items():
        for p, values in months.items():
            for var, v in zip(("revenue", "employees"), values, strict=True):
                if v is not None:
                    rows.append((e, var, p, float(v), f"monthly-{p}", D(2025, 4, 15)))
    rows.append(("C1", "hte_count", "2025", 10.0, "annual-2025", D(2026, 3, 31)))
    # A revision: the later report wins.
    rows.append(("E4", "revenue", "2025", 35.0, "revision-2025", D(2026, 6, 1)))
    return pl.DataFrame(
        rows, schema=["entity", "variable", "period", "value", "batch", "reported_on"], orient="row"
    )


CERTS = pl.DataFrame(
    [
        ("E1", "hte", "national", D(2022, 11, 1), D(2025, 10, 31), None),  # lapses in 2025
        ("E2", "hte", "national", D(2024, 12, 1), D(2027, 11, 30), None),  # new in 2024
        ("E3", "hte", "national", D(2021, 12, 1), D(2024, 11, 30), None),  # renewed without a gap
        ("E3", "hte", "national", D(2024, 12, 1), D(2027, 11, 30), None),
        ("E4", "hte", "national", D(2023, 1, 1), D(2025, 12, 31), D(2024, 7, 1)),  # revoked
        ("E1", "above_scale", None, D(2023, 1, 1), D(2025, 12, 31), None),
        ("I1", "incubator", "provincial", D(2018, 1, 1), D(2025, 2, 28), None),
        ("I1", "incubator", "national", D(2025, 3, 1), None, None),  # upgraded
    ],
    schema=["entity", "kind", "level", "granted_on", "expires_on", "revoked_on"],
    orient="row",
)


@pytest.fixture(scope="module")
def facts() -> FactFrame:
    return build_facts(ENTITIES, _observations(), CERTS)


def run(facts: FactFrame, formula: str, level: str, period: str) -> dict[str, float | None]:
    ind = Indicator(code="x", zh="x", en="x", unit="", level=level, formula=formula, source="test")  # type: ignore[arg-type]
    out = compute([ind], facts, [period]).frame
    return dict(zip(out["entity"].to_list(), out["value"].to_list(), strict=True))


def missing(facts: FactFrame, formula: str, level: str, period: str) -> dict[str, int]:
    ind = Indicator(code="x", zh="x", en="x", unit="", level=level, formula=formula, source="test")  # type: ignore[arg-type]
    out = compute([ind], facts, [period]).frame
    return dict(zip(out["entity"].to_list(), out["missing"].to_list(), strict=True))


# -- the registry -----------------------------------------------------------------------------
def test_engine_functions_extend_the_default_registry() -> None:
    for name in (
        "prev",
        "yoy",
        "growth",
        "delta",
        "cagr",
        "ytd",
        "single",
        "sum",
        "count",
        "mean",
        "median",
        "share",
        "top_share",
        "certified",
        "became",
        "lost",
        "rank",
        "rank_change",
    ):
        spec = ENGINE_FUNCTIONS[name]
        assert spec.label and spec.describe, name
    assert "sum" not in FUNCTIONS and "abs" in ENGINE_FUNCTIONS


def test_descriptions_read_in_chinese(facts: FactFrame) -> None:
    ns = facts.namespace()
    text = describe(
        '100 * count(where=certified("hte")) / count()',
        ns,
        functions=ENGINE_FUNCTIONS,
        level="zone",
    ).text
    assert "持有高新技术企业认定" in text
    assert (
        describe("yoy(revenue)", ns, functions=ENGINE_FUNCTIONS).text == "营业收入的同比增长率（%）"
    )


# -- periods ----------------------------------------------------------------------------------
def test_yoy_against_the_same_period_last_year(facts: FactFrame) -> None:
    assert run(facts, "yoy(revenue)", "enterprise", "2025")["E1"] == pytest.approx(25.0)
    # 1-3月 2025 against 1-3月 2024
    assert run(facts, "yoy(revenue)", "enterprise", "2025-03")["E1"] == pytest.approx(
        100 * (40 / 30 - 1)
    )
    assert run(facts, "growth(revenue)", "enterprise", "2025")["E2"] == pytest.approx(20.0)


def test_yoy_without_the_prior_year_is_missing_and_counted(facts: FactFrame) -> None:
    values = run(facts, "yoy(revenue)", "enterprise", "2025")
    assert values["E3"] is None  # 2024 not reported
    assert values["E6"] == pytest.approx(60.0)
    assert run(facts, "yoy(revenue)", "enterprise", "2024")["E6"] is None  # joined in 2024
    assert missing(facts, "yoy(revenue)", "enterprise", "2024")["E6"] == 1
    assert missing(facts, "yoy(revenue)", "enterprise", "2025")["E3"] == 1


def test_prev_delta_and_cagr(facts: FactFrame) -> None:
    assert run(facts, "prev(revenue)", "enterprise", "2025")["E1"] == 120
    assert run(facts, "prev(revenue, 2)", "enterprise", "2025")["E1"] == 100
    assert run(facts, "delta(employees)", "enterprise", "2025")["E1"] == 3
    assert run(facts, "cagr(revenue, 2)", "enterprise", "2025")["E1"] == pytest.approx(
        100 * ((150 / 100) ** 0.5 - 1)
    )
    # a month back from January is last December, which is not in the frame
    assert run(facts, "prev(employees)", "enterprise", "2025-01")["E1"] is None


def test_ytd_sums_single_period_values_and_january_is_itself(facts: FactFrame) -> None:
    assert run(facts, "ytd(employees)", "enterprise", "2025-01")["E1"] == 10
    assert run(facts, "ytd(employees)", "enterprise", "2025-03")["E1"] == 31
    # a missing month makes the year to date missing from then on
    assert run(facts, "ytd(employees)", "enterprise", "2025-03")["E2"] is None
    assert missing(facts, "ytd(employees)", "enterprise", "2025-03")["E2"] == 1


def test_ytd_of_a_cumulative_variable_is_the_variable_and_single_reverses_it(
    facts: FactFrame,
) -> None:
    assert run(facts, "ytd(revenue)", "enterprise", "2025-03")["E1"] == 40
    assert run(facts, "single(revenue)", "enterprise", "2025-01")["E1"] == 12
    assert run(facts, "single(revenue)", "enterprise", "2025-03")["E1"] == 15
    assert run(facts, "single(revenue)", "enterprise", "2025-03")["E2"] is None  # February missing
    assert run(facts, "single(employees)", "enterprise", "2025-03")["E1"] == 11
    assert run(facts, "ytd(revenue)", "enterprise", "2025")["E1"] == 150  # a year is whole


def test_ytd_needs_a_name(facts: FactFrame) -> None:
    with pytest.raises(ExprTypeError) as info:
        check("ytd(revenue * 2)", facts.namespace(), functions=ENGINE_FUNCTIONS)
    assert "必须是一个变量或指标的代码" in info.value.message
    assert info.value.col == 5


def test_consecutive(facts: FactFrame) -> None:
    values = run(facts, "if_(consecutive(revenue >= 50, 2), 1, 0)", "enterprise", "2025")
    assert values["E1"] == 1 and values["E2"] == 1 and values["E4"] == 0


# -- hierarchy --------------------------------------------------------------------------------
def test_sum_count_mean_median_over_children(facts: FactFrame) -> None:
    # E4's 2025 revenue was revised from 30 to 35: the later batch wins.
    assert run(facts, "sum(revenue)", "zone", "2025")["Z1"] == 150 + 60 + 40 + 35
    assert run(facts, "count()", "zone", "2025")["Z1"] == 4  # enterprises by default
    assert run(facts, 'count(of="institution")', "zone", "2025")["Z1"] == 1
    assert run(facts, "mean(employees)", "zone", "2025")["Z1"] == pytest.approx(
        (15 + 6 + 4 + 3) / 4
    )
    assert run(facts, "median(employees)", "zone", "2025")["Z1"] == pytest.approx(5.0)
    assert run(facts, "sum(revenue)", "city", "2025")["C1"] == 285  # Z2's only firm left
    assert run(facts, "sum(revenue)", "province", "2025")["P"] == 285 + 8


def test_aggregates_skip_missing_children_and_count_them(facts: FactFrame) -> None:
    assert run(facts, "sum(revenue)", "zone", "2024")["Z1"] == 120 + 50 + 30
    assert missing(facts, "sum(revenue)", "zone", "2024")["Z1"] == 1
    assert missing(facts, "100 * sum(rd_expenditure) / sum(revenue)", "zone", "2024")["Z1"] == 1


def test_empty_where_filter(facts: FactFrame) -> None:
    assert run(facts, "count(where=revenue > 1000)", "zone", "2025")["Z1"] == 0
    assert run(facts, "sum(revenue, where=revenue > 1000)", "zone", "2025")["Z1"] == 0
    assert run(facts, "mean(revenue, where=revenue > 1000)", "zone", "2025")["Z1"] is None
    assert run(facts, "share(revenue, where=revenue > 1000)", "zone", "2025")["Z1"] == 0
    # a zone with no enterprise at all: nothing to count, nothing to sum
    assert run(facts, "count()", "zone", "2025")["Z2"] == 0
    assert run(facts, "sum(revenue)", "zone", "2025")["Z2"] == 0


def test_sum_of_children_that_are_all_missing_is_missing(facts: FactFrame) -> None:
    assert run(facts, "sum(revenue)", "zone", "2024")["Z2"] is None  # E5 a member, no report
    assert missing(facts, "sum(revenue)", "zone", "2024")["Z2"] == 1


def test_share_and_top_share(facts: FactFrame) -> None:
    total = 150 + 60 + 40 + 35
    assert run(facts, 'share(revenue, where=industry == "C39")', "zone", "2025")[
        "Z1"
    ] == pytest.approx(100 * 210 / total)
    # industries: C39 210, I65 40, M73 35 -> the two largest hold 250
    assert run(facts, 'top_share(revenue, by="industry", n=2)', "zone", "2025")[
        "Z1"
    ] == pytest.approx(100 * 250 / total)
    assert run(facts, "top_share(revenue, n=1)", "zone", "2025")["Z1"] == pytest.approx(
        100 * 210 / total
    )


def test_upper_level_variables_are_read_from_the_ancestor_row(facts: FactFrame) -> None:
    values = run(facts, '100 * count(where=certified("hte")) / city_hte_count', "zone", "2025")
    assert values["Z1"] == pytest.approx(100 * 2 / 10)  # E2, E3 hold it at the end of 2025


def test_zone_attributes_reach_their_enterprises(facts: FactFrame) -> None:
    values = run(facts, 'if_(level == "national", 1, 0)', "enterprise", "2025")
    assert values["E1"] == 1 and values["E6"] == 0
    assert run(facts, 'count(where=level == "provincial")', "city", "2025") == {
        "C1": 1,
        "C2": 1,
        "C3": 0,
    }


# -- certifications ----------------------------------------------------------------------------
def test_certified_became_lost(facts: FactFrame) -> None:
    def at(formula: str, period: str) -> set[str]:
        return {
            e
            for e, v in run(facts, f"if_({formula}, 1, 0)", "enterprise", period).items()
            if v == 1
        }

    assert at('certified("hte")', "2024") == {"E1", "E2", "E3"}
    assert at('became("hte")', "2024") == {"E2"}  # E3's renewal has no gap
    assert at('lost("hte")', "2024") == {"E4"}  # revoked
    assert at('certified("hte")', "2025") == {"E2", "E3"}
    assert at('lost("hte")', "2025") == {"E1"}  # expired


def test_certification_levels_mean_that_level_or_above(facts: FactFrame) -> None:
    def inst(formula: str, period: str) -> float | None:
        return run(facts, f"if_({formula}, 1, 0)", "institution", period)["I1"]

    assert inst('certified("incubator", level="provincial")', "2024") == 1
    assert inst('certified("incubator", level="national")', "2024") == 0
    assert inst('became("incubator", level="national")', "2025") == 1  # upgraded
    assert inst('became("incubator", level="provincial")', "2025") == 0
    assert inst('became("incubator", level="national")', "2025-02") == 0
    assert inst('became("incubator", level="national")', "2025-03") == 1


def test_unknown_certification_kind_names_the_valid_ones(facts: FactFrame) -> None:
    with pytest.raises(ExprTypeError) as info:
        check(
            'count(where=certified("htee"))',
            facts.namespace(),
            functions=ENGINE_FUNCTIONS,
            level="zone",
        )
    err = info.value
    assert err.col == 23
    assert "只能是 'hte'、'tech_sme'" in err.message


# -- ranks --------------------------------------------------------------------------------------
def test_rank_ties_share_the_best_place_and_skip_the_next(facts: FactFrame) -> None:
    # 2025 employees: E1 15, E2 6, E3 4, E4 3, E6 2
    ranks = run(facts, "rank(employees)", "enterprise", "2025")
    assert ranks == {"E1": 1, "E2": 2, "E3": 3, "E4": 4, "E6": 5}
    # 2024 employees: E1 12, E2 5, E3 4, E4 3, E5 null (no 2024 report), E6 1
    tied = run(facts, "rank(min(employees, 4))", "enterprise", "2024")
    assert tied == {"E1": 1, "E2": 1, "E3": 1, "E4": 4, "E5": None, "E6": 5}
    assert run(facts, 'rank(employees, order="asc")', "enterprise", "2025")["E6"] == 1


def test_rank_within_a_city_and_rank_change(facts: FactFrame) -> None:
    assert run(facts, 'rank(sum(revenue), within="city")', "zone", "2025") == {
        "Z1": 1,
        "Z2": 2,
        "Z3": 1,
    }
    # E3 fell from third (2023: 30) to ... 2024 missing: no rank, no change
    change = run(facts, "rank_change(revenue)", "enterprise", "2025")
    assert change["E3"] is None
    assert change["E2"] == 0  # second both years


def test_windows_inside_windows(facts: FactFrame) -> None:
    """A period or rank function over an aggregate reads the aggregate of each period."""
    assert run(facts, "yoy(sum(revenue))", "zone", "2025")["Z1"] == pytest.approx(
        100 * (285 / 200 - 1)
    )
    assert run(facts, "delta(count())", "zone", "2025")["Z3"] == 0
    # 2024: Z1 24, Z2 missing (its firm did not report), Z3 1; 2025: Z1 28, Z2 0, Z3 2
    assert run(facts, "rank_change(sum(employees))", "zone", "2025") == {
        "Z1": 0,
        "Z2": None,
        "Z3": 0,
    }
