"""Pivot tables (gaoxin.engine.pivot): totals by the catalogue's rollup (sums add, ratios are
recomputed from their parts), missing never zero, filters, layouts, the printed workbook —
on a hand-made province whose every total is worked out below, and on the Sichuan demo."""

from __future__ import annotations

import io
import math

import openpyxl
import polars as pl
import pytest

from gaoxin.engine import synth
from gaoxin.engine.facts import FactFrame, build_facts, from_synth
from gaoxin.engine.indicators import default_indicators
from gaoxin.engine.pivot import (
    TOTAL,
    PivotError,
    aggregate,
    footnote,
    pivot,
    rollup,
    write_pivot_xlsx,
)

CATALOGUE = {i.code: i for i in default_indicators()}


@pytest.fixture(scope="module")
def hand() -> FactFrame:
    """省 P > 甲市 CA (一区 ZA1 national, 二区 ZA2 provincial), 乙市 CB (三区 ZB1 national).

    2025 revenue / R&D: EA1 (ZA1, C39) 100 / 4; EA2 (ZA1, I65) 300 / 6; EA3 (ZA2, C39) 200 /
    not reported; EB1 (ZB1, C26) 400 / 20; EB2 (ZB1, C39) not reported / 1. 2024 revenue: EA1
    80, EA2 320, EA3 100, EB1 500."""
    ents = pl.DataFrame(
        {
            "entity": ["P", "CA", "CB", "ZA1", "ZA2", "ZB1", "EA1", "EA2", "EA3", "EB1", "EB2"],
            "kind": ["province", "city", "city", "zone", "zone", "zone"] + ["enterprise"] * 5,
            "name": ["省", "甲市", "乙市", "一区", "二区", "三区", "甲", "乙", "丙", "丁", "戊"],
            "parent": [None, "P", "P", "CA", "CA", "CB", "ZA1", "ZA1", "ZA2", "ZB1", "ZB1"],
            "level": [None, None, None, "national", "provincial", "national"] + [None] * 5,
            "industry": [None] * 6 + ["C39", "I65", "C39", "C26", "C39"],
        }
    )
    rows = [
        ("EA1", "revenue", "2025", 100.0),
        ("EA1", "rd_expenditure", "2025", 4.0),
        ("EA2", "revenue", "2025", 300.0),
        ("EA2", "rd_expenditure", "2025", 6.0),
        ("EA3", "revenue", "2025", 200.0),
        ("EB1", "revenue", "2025", 400.0),
        ("EB1", "rd_expenditure", "2025", 20.0),
        ("EB2", "rd_expenditure", "2025", 1.0),
        ("EA1", "revenue", "2024", 80.0),
        ("EA2", "revenue", "2024", 320.0),
        ("EA3", "revenue", "2024", 100.0),
        ("EB1", "revenue", "2024", 500.0),
    ]
    obs = pl.DataFrame(rows, schema=["entity", "variable", "period", "value"], orient="row")
    return build_facts(ents, obs)


def _by_zone(facts: FactFrame, codes: list[str], **kw):
    return pivot(facts, codes, ["2025"], rows=["entity"], columns=["indicator"], **kw)


def test_sums_add_up_and_missing_is_counted_not_zero(hand: FactFrame) -> None:
    t = _by_zone(hand, ["revenue_total"], level="zone")
    assert t.row_headers == [(TOTAL,), ("一区",), ("二区",), ("三区",)]
    col = ("营业收入",)
    assert t.value((TOTAL,), col) == 1000.0  # 400 + 200 + 400
    assert t.value(("一区",), col) == 400.0
    assert t.value(("三区",), col) == 400.0  # 戊 did not report: left out, not read as 0
    assert t.missing == [[1], [0], [0], [1]]
    assert t.total_rows == frozenset({0})


def test_a_ratio_total_is_recomputed_from_its_parts(hand: FactFrame) -> None:
    t = _by_zone(hand, ["rd_intensity"], level="zone")
    col = ("研发投入占营收比例",)
    assert t.value(("一区",), col) == pytest.approx(2.5)  # 100 × 10 / 400
    assert t.value(("二区",), col) is None  # no R&D reported: missing, not 0 %
    assert t.value(("三区",), col) == pytest.approx(5.25)  # 100 × 21 / 400
    total = t.value((TOTAL,), col)
    assert total == pytest.approx(3.1)  # 100 × (4 + 6 + 20 + 1) / (100 + 300 + 200 + 400)
    assert total != pytest.approx(2.5 + 5.25)  # not the sum of the zones' ratios
    assert total != pytest.approx((2.5 + 5.25) / 2)  # nor their mean
    cities = _by_zone(hand, ["rd_intensity", "city_rd_intensity"], level="city")
    # 甲市: 100 × 10 / 600 (二区's revenue counts, its R&D is missing) — exactly what the
    # catalogue's own city-level formula gives over the city's enterprises
    assert cities.value(("甲市",), col) == pytest.approx(100 * 10 / 600)
    for row in cities.row_headers:
        assert cities.value(row, col) == pytest.approx(
            cities.value(row, ("全市高新区企业研发投入占营收比例",))
        )
    assert "按公式由分子、分母的合计重算" in footnote(t)


def test_growth_totals_are_like_for_like(hand: FactFrame) -> None:
    """A total's 同比 counts only the members with a value in both years (同口径, as the
    monitoring table's 合计 同比), and the footnote says so."""
    t = _by_zone(hand, ["revenue_growth"], level="zone")
    assert t.value(("一区",), ("营业收入增速",)) == pytest.approx(0.0)  # 400 vs 400
    assert t.value(("二区",), ("营业收入增速",)) == pytest.approx(100.0)  # 200 vs 100
    assert t.value(("三区",), ("营业收入增速",)) == pytest.approx(-20.0)  # 400 vs 500
    assert t.value((TOTAL,), ("营业收入增速",)) == pytest.approx(0.0)  # 1000 vs 1000
    assert "营业收入增速的汇总值为同口径增速" in footnote(t)
    # 丁 (三区's only revenue) not reported in 2025: 三区 drops out of both years of the total
    rows = hand.observations.filter(
        ~((pl.col("entity") == "EB1") & (pl.col("period") == "2025"))
    ).select("entity", "variable", "period", "value")
    late = build_facts(
        hand.entities.select("entity", "kind", "name", "parent", "level", "industry"),
        rows.with_columns(pl.col("entity", "variable", "period").cast(pl.String)),
    )
    t = _by_zone(late, ["revenue_growth"], level="zone")
    assert t.value(("三区",), ("营业收入增速",)) is None
    total = t.value((TOTAL,), ("营业收入增速",))
    assert total == pytest.approx(100 * (600 - 500) / 500)  # 一区 and 二区 only: +20 %
    assert total != pytest.approx(100 * (600 - 1000) / 1000)  # not −40 % (三区 read as a fall)
    cities = _by_zone(late, ["revenue_growth"], level="city")
    assert cities.value(("甲市",), ("营业收入增速",)) == pytest.approx(20.0)
    assert cities.value(("乙市",), ("营业收入增速",)) is None


def test_filters_zone_level_industry_and_scope(hand: FactFrame) -> None:
    national = _by_zone(hand, ["revenue_total"], level="zone", zone_levels=["national"])
    assert [r[0] for r in national.row_headers] == [TOTAL, "一区", "三区"]
    assert national.value((TOTAL,), ("营业收入",)) == 800.0
    c39 = _by_zone(hand, ["revenue_total", "rd_intensity"], level="zone", industries=["C39"])
    assert c39.value(("一区",), ("营业收入",)) == 100.0
    assert c39.value(("三区",), ("营业收入",)) is None  # 戊 (C39) did not report
    assert c39.value((TOTAL,), ("营业收入",)) == 300.0
    assert c39.value((TOTAL,), ("研发投入占营收比例",)) == pytest.approx(100 * 5 / 300)
    section = _by_zone(hand, ["revenue_total"], level="zone", industries=["C"])
    # 门类 C holds C26 and C39: 丁 (C26, 400) joins 三区
    assert section.values == [[700.0], [100.0], [200.0], [400.0]]
    within = _by_zone(hand, ["revenue_total"], level="zone", within=("city", "CA"))
    assert [r[0] for r in within.row_headers] == [TOTAL, "一区", "二区"]
    assert within.value((TOTAL,), ("营业收入",)) == 600.0


def test_layouts_rows_columns_and_fixed_dimensions(hand: FactFrame) -> None:
    t = pivot(
        hand,
        ["revenue_total", "rd_intensity"],
        ["2024", "2025"],
        rows=["indicator", "period"],
        columns=["entity"],
        level="city",
    )
    assert t.column_headers == [(TOTAL,), ("甲市",), ("乙市",)]
    assert t.row_headers[:2] == [("营业收入", "2024年"), ("营业收入", "2025年")]
    assert t.value(("营业收入", "2024年"), (TOTAL,)) == 1000.0  # 80 + 320 + 100 + 500
    assert t.value(("营业收入", "2025年"), ("甲市",)) == 600.0
    assert t.total_columns == frozenset({0}) and not t.total_rows
    assert t.kinds[0] == ["value"] * 3 and t.kinds[2] == ["pct"] * 3
    # the entity on no axis: the total alone; one indicator fixed
    only = pivot(
        hand, ["revenue_total"], ["2024", "2025"], rows=["period"], columns=[], level="zone"
    )
    assert only.row_headers == [("2024年",), ("2025年",)]
    assert only.values == [[1000.0], [1000.0]]
    assert only.fixed == {"indicator": "营业收入", "entity": TOTAL}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"indicators": ["revenue_total", "rd_intensity"], "columns": []},
            "请把「指标」放在行或列",
        ),
        ({"periods": ["2024", "2025"], "columns": []}, "请把「期间」放在行或列"),
        ({"periods": ["2025", "2025-06"], "columns": ["indicator", "period"]}, "应为同一种"),
        ({"level": "enterprise"}, "不能按企业展开"),
        ({"rows": ["entity", "entity"]}, "只能放在行或列之一"),
        ({"rows": ["zone"]}, "未知的维度"),
        ({"indicators": ["no_such"]}, "未知的指标「no_such」"),
        ({"indicators": []}, "请至少选一个指标"),
        ({"periods": ["2025年13月"]}, "无法识别的期间"),
    ],
)
def test_what_cannot_be_shown_is_refused_precisely(hand: FactFrame, kwargs, message) -> None:
    args = {
        "indicators": ["revenue_total"],
        "periods": ["2025"],
        "rows": ["entity"],
        "columns": ["indicator"],
        "level": "zone",
        **kwargs,
    }
    with pytest.raises(PivotError, match=message):
        pivot(hand, args.pop("indicators"), args.pop("periods"), **args)


def test_every_catalogue_indicator_has_a_rollup() -> None:
    variables = frozenset({"revenue", "rd_expenditure"})
    hows = {c: rollup(i, CATALOGUE, variables).how for c, i in CATALOGUE.items()}
    assert hows["revenue_total"] == "sum"  # additive: true
    assert hows["rd_intensity"] == "parts"
    assert hows["invention_patents_per_10k"] == "parts"
    assert hows["enterprise_rd_intensity"] == "parts"  # 100 * rd_expenditure / revenue
    assert hows["revenue_growth"] == "growth"  # yoy(revenue_total): like-for-like total
    assert hows["labour_productivity_growth"] == "none"  # the growth of a ratio
    r = rollup(CATALOGUE["rd_intensity"], CATALOGUE)
    assert sorted(r.parts.values()) == ["sum(rd_expenditure)", "sum(revenue)"]


# -- on the demo: the same totals computed independently ---------------------------------------
@pytest.fixture(scope="module")
def sichuan() -> FactFrame:
    return from_synth(synth.generate("sichuan", scale=0.3))


def test_demo_totals_match_sums_over_the_enterprises(sichuan: FactFrame) -> None:
    t = pivot(
        sichuan,
        ["revenue_total", "rd_intensity", "hte_enterprises"],
        ["2025"],
        rows=["entity"],
        columns=["indicator"],
        level="city",
    )
    year = sichuan.wide("year").filter(
        (pl.col("kind") == "enterprise") & (pl.col("period") == "2025")
    )
    revenue = year["revenue"].sum()
    rd = year["rd_expenditure"].sum()
    assert t.value((TOTAL,), ("营业收入",)) == pytest.approx(revenue, rel=1e-12)
    assert t.value((TOTAL,), ("研发投入占营收比例",)) == pytest.approx(100 * rd / revenue)
    ratios = [t.value(r, ("研发投入占营收比例",)) for r in t.row_headers[1:]]
    assert not math.isclose(t.value((TOTAL,), ("研发投入占营收比例",)), sum(filter(None, ratios)))
    by_city = year.group_by("city").agg(pl.col("revenue").sum()).sort("city")
    names = dict(sichuan.entities.select("entity", "name").iter_rows())
    for city, value in by_city.iter_rows():
        assert t.value((names[city],), ("营业收入",)) == pytest.approx(value, rel=1e-12)
    members = sum(t.value(r, ("高新技术企业数",)) or 0 for r in t.row_headers[1:])
    assert t.value((TOTAL,), ("高新技术企业数",)) == members


def test_aggregate_refuses_a_level_below_the_indicator(sichuan: FactFrame) -> None:
    with pytest.raises(PivotError, match="不能按高新区展开"):
        aggregate(
            pl.DataFrame(), sichuan.entities, [CATALOGUE["city_rd_intensity"]], {}, level="zone"
        )


# -- the printed workbook --------------------------------------------------------------------
def test_workbook_prints_headers_units_totals_and_the_note(hand: FactFrame) -> None:
    t = pivot(
        hand,
        ["revenue_total", "rd_intensity"],
        ["2024", "2025"],
        rows=["entity"],
        columns=["indicator", "period"],
        level="city",
    )
    out = io.BytesIO()
    write_pivot_xlsx(t, out, "某省高新区主要指标数据透视表", "期间：2024年、2025年")
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "某省高新区主要指标数据透视表"
    assert rows[1][0] == "期间：2024年、2025年"
    assert rows[2] == ("市", "营业收入", None, "研发投入占营收比例", None)
    assert rows[3] == (None, "2024年", "2025年", "2024年", "2025年")
    assert rows[4] == ("单位", "万元", "万元", "%", "%")
    assert rows[5][:3] == (TOTAL, 1000.0, 1000.0)
    assert rows[5][4] == pytest.approx(3.1)
    assert rows[6][0] == "甲市" and rows[6][2] == 600.0
    assert rows[-1][0].startswith("注：按已报数据计算，缺报不按零计")
    assert ws["B6"].font.b and ws["B6"].number_format == "#,##0.00"
    assert ws["E6"].number_format == "0.0"
    assert ws.print_title_rows == "$3:$5" and ws.freeze_panes == "B6"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
