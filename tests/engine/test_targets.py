"""Targets: progress, required pace, projection and status, by hand on tiny series."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from gaoxin.engine.packs import Target, load_pack
from gaoxin.engine.targets import IndicatorInfo, assess, target_series, unavailable_reason

CITE = {"article": "一、(二)", "quote": "q"}


def target(**kw) -> Target:
    return Target.model_validate(
        {"id": "t", "cite": CITE, "indicator": "x", "deadline": 2025, **kw}
    )


def series(
    scope_kind: str, data: dict[str, dict[int, float]], indicator: str = "x"
) -> pl.DataFrame:
    rows = [
        {"indicator": indicator, "scope_kind": scope_kind, "scope": s, "year": y, "value": v}
        for s, years in data.items()
        for y, v in years.items()
    ]
    return pl.DataFrame(rows)


def by_scope(df: pl.DataFrame) -> dict[str, dict]:
    return {r["scope"]: r for r in df.to_dicts()}


def test_relative_target_from_13_to_16_percent():
    t = target(value=16, baseline_value=13, kind="relative", scope="jurisdiction")
    s = series(
        "jurisdiction",
        {
            "slow": {2021: 13.0, 2022: 13.5, 2023: 14.0},
            "close": {2021: 13.0, 2022: 13.7, 2023: 14.4},
            "fast": {2021: 13.0, 2022: 13.8, 2023: 14.6},
        },
    )
    r = by_scope(assess([t], s, 2023))
    slow = r["slow"]
    # covered 14 − 13 = 1 of the 3 points; needs (16 − 14) / 2 = 1 a year
    assert slow["progress"] == pytest.approx(1 / 3)
    assert slow["required_per_year"] == pytest.approx(1.0)
    # least squares: slope 0.5 through (2022, 13.5) → 2025: 15.0, covering 2/3 of the way
    assert slow["projected"] == pytest.approx(15.0)
    assert slow["projected_progress"] == pytest.approx(2 / 3)
    assert slow["status"] == "off_track" and slow["method"] == "ols_last_5"
    # slope 0.7 → 13.7 + 2.1 = 15.8: 2.8 / 3 = 93% of the way, short of 16
    assert r["close"]["projected"] == pytest.approx(15.8) and r["close"]["status"] == "at_risk"
    # slope 0.8 → 13.8 + 2.4 = 16.2
    assert r["fast"]["projected"] == pytest.approx(16.2) and r["fast"]["status"] == "on_track"


def test_multiple_of_baseline_uses_cagr():
    # 双倍增: 2 × the 2020 value by 2025
    t = target(value=2, kind="multiple", baseline_year=2020, scope="each_zone")
    s = series(
        "zone",
        {
            "ten": {2020: 100.0, 2021: 110.0, 2022: 121.0, 2023: 133.1},
            "twenty": {2020: 100.0, 2021: 120.0, 2022: 144.0, 2023: 172.8},
        },
    )
    r = by_scope(assess([t], s, 2023, k=4))
    ten = r["ten"]
    assert ten["goal"] == pytest.approx(200.0) and ten["baseline"] == pytest.approx(100.0)
    assert ten["method"] == "cagr_last_4"
    # 10% a year: 133.1 × 1.1² = 161.051, 61% of the way from 100 to 200
    assert ten["projected"] == pytest.approx(161.051)
    assert ten["status"] == "off_track"
    # needed: (200 / 133.1)^(1/2) − 1 ≈ 22.6% a year
    assert ten["required_growth"] == pytest.approx((200 / 133.1) ** 0.5 - 1)
    # 20% a year: 172.8 × 1.44 = 248.832
    assert (
        r["twenty"]["projected"] == pytest.approx(248.832) and r["twenty"]["status"] == "on_track"
    )


def test_count_target_each_city_and_achieved():
    # at least 1 provincial zone per city
    t = target(value=1, kind="count", scope="each_city")
    s = series(
        "city", {"a": {2021: 0.0, 2022: 1.0, 2023: 1.0}, "b": {2021: 0.0, 2022: 0.0, 2023: 0.0}}
    )
    r = by_scope(assess([t], s, 2023))
    assert r["a"]["status"] == "achieved" and r["a"]["progress"] == pytest.approx(1.0)
    assert r["b"]["projected"] == pytest.approx(0.0) and r["b"]["status"] == "off_track"


def test_a_target_to_bring_down():
    # energy per unit of output at most 0.5 from 0.8: 0.8, 0.7, 0.6 → 0.4 by 2025
    t = target(value=0.5, comparison="<=", baseline_value=0.8)
    s = series("jurisdiction", {"p": {2021: 0.8, 2022: 0.7, 2023: 0.6}})
    [r] = assess([t], s, 2023).to_dicts()
    assert r["progress"] == pytest.approx(2 / 3)
    assert r["projected"] == pytest.approx(0.4) and r["status"] == "on_track"
    assert r["required_per_year"] == pytest.approx(-0.05)


def test_deadline_passed_one_point_and_future_data():
    t = target(value=10, deadline=2023)
    s = series("jurisdiction", {"late": {2022: 8.0, 2023: 9.0}, "one": {2023: 5.0}})
    r = by_scope(assess([t], s, 2023))
    assert r["late"]["status"] == "off_track"
    r2 = by_scope(assess([target(value=10)], s, 2023))
    assert r2["one"]["status"] == "unknown" and r2["one"]["projected"] is None
    # data after as_of are ignored: 2024's 12 would have met the target
    s3 = series("jurisdiction", {"p": {2022: 8.0, 2023: 9.0, 2024: 12.0}})
    assert assess([target(value=10)], s3, 2023)["current"].to_list() == [9.0]


def test_trend_uses_only_the_last_k_years():
    # an old spike in 2015 is outside the last 3 years: slope from 2021–2023 only (1 a year)
    s = series("jurisdiction", {"p": {2015: 100.0, 2021: 6.0, 2022: 7.0, 2023: 8.0}})
    [r] = assess([target(value=10, baseline_value=6)], s, 2023, k=3).to_dicts()
    assert r["projected"] == pytest.approx(10.0) and r["n_years"] == 3


def test_the_gansu_pack_targets_assess_every_zone():
    pack = load_pack(Path(__file__).parent / "packs" / "data" / "gansu")
    s = pl.concat(
        [
            series(
                "zone", {"lz": {2022: 8.0, 2023: 9.0}, "by": {2022: 10.5, 2023: 11.0}}, "hte_share"
            ),
            series("zone", {"lz": {2022: 50.0, 2023: 52.0}}, "leading_industry_concentration"),
        ]
    )
    out = assess(pack.spec.targets, s, 2023)
    got = {(r["target"], r["scope"]): r["status"] for r in out.to_dicts()}
    # lz: 8 → 9, +1 a year → 11 by 2025; by: already ≥ 10; lz industry: +2 a year → 56 < 60,
    # (56 − 50) / (60 − 50) = 60% of the way
    assert got == {
        ("hte-share", "by"): "achieved",
        ("hte-share", "lz"): "on_track",
        ("leading-industry-share", "lz"): "off_track",
    }


def test_a_range_target_is_met_from_its_lower_bound_and_exceeded_above_its_upper():
    # 2-3 conversions from 创建类 to 认定类 by 2027, cumulative counts per city
    t = target(value=2, upper=3, kind="count", scope="each_city", deadline=2027)
    s = series(
        "city",
        {
            "none": {2024: 0.0, 2025: 0.0},
            "pace": {2024: 0.0, 2025: 1.0},
            "two": {2024: 1.0, 2025: 2.0},
            "three": {2024: 2.0, 2025: 3.0},
            "four": {2024: 3.0, 2025: 4.0},
        },
    )
    r = by_scope(assess([t], s, 2025))
    assert {k: v["status"] for k, v in r.items()} == {
        "none": "off_track",  # flat at 0: the projection covers none of the way to 2
        "pace": "on_track",  # +1 a year → 3 by 2027, inside the range
        "two": "achieved",
        "three": "achieved",  # the upper bound itself is inside the range
        "four": "exceeded",  # above 3: met, and the range was passed
    }
    # progress and the pace still count towards the lower bound, 2
    assert r["pace"]["goal"] == 2 and r["pace"]["goal_upper"] == 3
    assert r["pace"]["progress"] == pytest.approx(0.5)  # baseline 0 (earliest), 1 of 2
    assert r["pace"]["required_per_year"] == pytest.approx(0.5)  # (2 − 1) / 2 years
    assert r["pace"]["projected"] == pytest.approx(3.0)


def test_a_range_needs_an_upper_above_its_lower_and_at_least_as_comparison():
    with pytest.raises(ValueError, match="上限 upper 必须大于下限"):
        target(value=3, upper=3)
    with pytest.raises(ValueError, match="只能是 >="):
        target(value=2, upper=3, comparison="<=")
    assert target(value=2, upper=3).upper == 3


def test_an_increase_target_counts_from_its_baseline_year():
    # 2-3 more 认定类 zones than at the end of 2023: 1 in 2023, so the goal is 3 to 4 by 2027
    t = target(value=2, upper=3, kind="count", baseline_year=2023, deadline=2027)
    t = t.model_copy(update={"kind": "increase"})
    s = series("jurisdiction", {"c": {2022: 1.0, 2023: 1.0, 2024: 2.0, 2025: 3.0}})
    [r] = assess([t], s, 2025).to_dicts()
    assert (r["baseline"], r["goal"], r["goal_upper"]) == (1.0, 3.0, 4.0)
    assert r["status"] == "achieved" and r["progress"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="baseline_year"):
        target(value=2, kind="increase")


def test_no_progress_share_from_a_baseline_that_already_met_the_goal():
    # at least 10 %: from 12.5 % to 35 % is met, but "share of the way" from 12.5 to 10 is not
    # a number anyone can read (it would be (35 − 12.5) / (10 − 12.5) = −900 %)
    t = target(value=10, scope="each_zone")
    s = series("zone", {"met": {2023: 12.5, 2025: 35.0}, "fell": {2023: 12.5, 2024: 9.0}})
    r = by_scope(assess([t], s, 2025))
    assert r["met"]["status"] == "achieved" and r["met"]["progress"] is None
    # fell below after starting above: projected 2025 = 12.5 − 3.5 × 2 = 5.5, short: off track
    assert r["fell"]["projected"] == pytest.approx(5.5)
    assert r["fell"]["projected_progress"] is None and r["fell"]["status"] == "off_track"


# --- series from computed indicators -----------------------------------------------------------

ENTITIES = pl.DataFrame(
    {
        "entity": ["P", "C1", "C2", "Z1", "Z2", "Z3", "Q", "CQ", "ZQ"],
        "kind": ["province", "city", "city", "zone", "zone", "zone", "province", "city", "zone"],
        "province": ["P", "P", "P", "P", "P", "P", "Q", "Q", "Q"],
        "city": [None, "C1", "C2", "C1", "C1", "C2", None, "CQ", "CQ"],
    }
)
INFO = {
    "hte": IndicatorInfo("zone", additive=True),
    "share": IndicatorInfo("zone"),
    "zones": IndicatorInfo("city", additive=True),
    "gdp_share": IndicatorInfo("province"),
}


def values(rows: list[tuple[str, str, str, float | None]]) -> pl.DataFrame:
    schema = {"entity": pl.String, "period": pl.String, "indicator": pl.String, "value": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def test_series_for_each_scope_and_sums_of_additive_indicators():
    v = values(
        [
            ("Z1", "2024", "hte", 10.0),
            ("Z2", "2024", "hte", None),  # missing: left out of the sum
            ("Z3", "2024", "hte", 5.0),
            ("ZQ", "2024", "hte", 100.0),  # another province
            ("Z1", "2024", "share", 40.0),
            ("Z3", "2024", "share", 20.0),
            ("C1", "2024", "zones", 2.0),
            ("C2", "2024", "zones", 1.0),
            ("CQ", "2024", "zones", 1.0),
            ("P", "2024", "gdp_share", 13.5),
            ("Z1", "2024-06", "hte", 99.0),  # not a year: ignored
            ("Z1", "2025", "hte", None),
            ("Z3", "2025", "hte", None),  # every zone missing in 2025: the sum is missing
        ]
    )
    s = target_series(v, ENTITIES, INFO, jurisdiction="P", zones=["Z1", "Z3", "ZQ"])
    got = {
        (r["indicator"], r["scope_kind"], r["scope"], r["year"]): r["value"] for r in s.to_dicts()
    }
    assert got == {
        # each zone that reports, inside P (Z2 does not report; ZQ is in Q)
        ("hte", "zone", "Z1", 2024): 10.0,
        ("hte", "zone", "Z3", 2024): 5.0,
        ("hte", "zone", "Z1", 2025): None,
        ("hte", "zone", "Z3", 2025): None,
        ("share", "zone", "Z1", 2024): 40.0,
        ("share", "zone", "Z3", 2024): 20.0,
        # P: 10 + 5 (Z2 missing and not reporting; ZQ outside); 2025 all missing → missing
        ("hte", "jurisdiction", "P", 2024): 15.0,
        ("hte", "jurisdiction", "P", 2025): None,
        # cities of P, and their additive count summed for P: 2 + 1
        ("zones", "city", "C1", 2024): 2.0,
        ("zones", "city", "C2", 2024): 1.0,
        ("zones", "jurisdiction", "P", 2024): 3.0,
        # P's own province-level value
        ("gdp_share", "jurisdiction", "P", 2024): 13.5,
    }
    # the whole country sums every reporting zone and every city; ratios are never summed
    n = target_series(v, ENTITIES, INFO, jurisdiction=None, zones=["Z1", "Z3", "ZQ"])
    nation = {
        (r["indicator"], r["year"]): r["value"]
        for r in n.filter(pl.col("scope_kind") == "jurisdiction").to_dicts()
    }
    assert nation == {("hte", 2024): 115.0, ("hte", 2025): None, ("zones", 2024): 4.0}


def test_why_a_target_cannot_be_computed():
    t = target(value=1, scope="jurisdiction", indicator="x")
    assert unavailable_reason(t, None, "province") == "指标目录中还没有这项指标，无法由数据计算"
    # a catalogue indicator is named by its Chinese name, the code only when it has none
    named = IndicatorInfo("zone", False, "高新技术企业数")
    share = target(value=1, scope="each_city", indicator="hte")
    assert unavailable_reason(share, named, "province") == (
        "指标「高新技术企业数」按高新区计算，不能逐个设区市评估"
    )
    assert unavailable_reason(t, INFO["hte"], "province") is None  # additive, summed
    assert unavailable_reason(t, INFO["zones"], None) is None  # cities summed for the country
    assert "不可加总" in unavailable_reason(t, INFO["share"], "province")
    assert "得不到全国一级" in unavailable_reason(t, INFO["gdp_share"], None)
    assert unavailable_reason(t, INFO["gdp_share"], "province") is None
    zone_t = target(value=1, scope="each_zone", indicator="zones")
    assert "不能逐个高新区" in unavailable_reason(zone_t, INFO["zones"], "province")
    city_t = target(value=1, scope="each_city", indicator="hte")
    assert "不能逐个设区市" in unavailable_reason(city_t, INFO["hte"], "province")


def test_a_page_reads_the_reasons_in_its_own_language():
    """The msgids go through the gettext a page passes (decision 035): placeholders filled after
    translating, the level word translated too."""
    english = {
        "指标「%(name)s」按%(level)s计算，不能逐个设区市评估": "“%(name)s” is per %(level)s",
        "高新区": "zone",
    }
    share = target(value=1, scope="each_city", indicator="hte")
    named = IndicatorInfo("zone", False, "高新技术企业数")
    why = unavailable_reason(share, named, "province", lambda s: english.get(s, s))
    assert why == "“高新技术企业数” is per zone"


def test_the_printed_table_lists_every_target_in_the_pack_order():
    from gaoxin.engine.targets import targets_table

    a = target(value=10, scope="each_zone").model_copy(update={"id": "a"})
    b = target(value=1).model_copy(update={"id": "b", "indicator": "nowhere"})
    c = target(value=2, upper=3, kind="count").model_copy(update={"id": "c", "indicator": "y"})
    s = series("zone", {"Z2": {2024: 8.7, 2025: 27.7}, "Z1": {2024: 12.0, 2025: 9.0}})
    assessed = assess([a, c], s, 2025)  # c has no data at all
    table = targets_table(
        [a, b, c], assessed, {"b": "指标目录中没有指标「nowhere」"}, {"Z1": "甲区"}
    )
    rows = table.select("范围", "指标", "进度", "状态", "说明").rows()
    assert rows == [
        # a: Z1 fell from 12 (already above 10) to 9 — no share of the way; Z2 past the goal: 100 %
        ("Z2", "x", 1.0, "已实现", "预测按线性趋势（近2年）"),
        ("甲区", "x", None, "滞后", "预测按线性趋势（近2年）"),
        ("全辖区", "nowhere", None, "无法计算", "指标目录中没有指标「nowhere」"),
        ("全辖区", "y", None, "无法计算", "辖区内没有该指标的数据"),
    ]
    assert table["目标值"].to_list() == ["≥ 10", "≥ 10", "≥ 1", "2–3"]
