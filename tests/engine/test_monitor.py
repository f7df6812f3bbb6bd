"""Monitoring tables: values, 累计, 同比, ranks and their change, totals; CSV and the printed XLSX;
the quarterly analysis (季分析) from monthly data."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from gaoxin.engine import synth
from gaoxin.engine.facts import FactFrame, from_synth
from gaoxin.engine.indicators import Indicator, compute, default_indicators
from gaoxin.engine.monitor import (
    MEASURES,
    MonitorTable,
    monitor_table,
    quarterly_facts,
    sheet_groups,
    write_monitor_xlsx,
)

CODES = ["revenue_total", "taxes_total", "hte_enterprises"]


@pytest.fixture(scope="module")
def facts() -> FactFrame:
    return from_synth(synth.generate("sichuan", scale=0.3))


@pytest.fixture(scope="module")
def table(facts: FactFrame) -> MonitorTable:
    return monitor_table(facts, "2025-07", indicators=CODES)


@pytest.fixture(scope="module")
def quarter(facts: FactFrame) -> MonitorTable:
    return monitor_table(facts, "2025Q3", indicators=CODES)


def _zone_values(facts: FactFrame, code: str, periods: list[str]) -> dict[str, dict[str, float]]:
    """period -> zone -> value of a catalogue indicator, computed on the monthly facts."""
    res = compute(None, facts, periods).frame.filter(
        (pl.col("kind") == "zone") & (pl.col("indicator") == code) & pl.col("value").is_not_null()
    )
    out: dict[str, dict[str, float]] = {p: {} for p in periods}
    for zone, period, value in res.select("entity", "period", "value").iter_rows():
        out[period][zone] = value
    return out


def _hand_rank(values: dict[str, float]) -> dict[str, int]:
    """1 + the number of zones with a strictly larger value (ties share the best place)."""
    return {z: 1 + sum(1 for w in values.values() if w > v) for z, v in values.items()}


def test_values_match_the_indicators(facts: FactFrame, table: MonitorTable) -> None:
    res = compute(None, facts, ["2025-06", "2025-07", "2024-07"])
    zone = table.frame.filter(~pl.col("is_total")).row(0, named=True)
    now = res.value(zone["zone"], "2025-07", "revenue_total")
    june = res.value(zone["zone"], "2025-06", "revenue_total")
    last = res.value(zone["zone"], "2024-07", "revenue_total")
    assert zone["revenue_total__cumulative"] == pytest.approx(now)
    assert zone["revenue_total__current"] == pytest.approx(now - june)  # type: ignore[operator]
    assert zone["revenue_total__yoy"] == pytest.approx(100 * (now / last - 1))  # type: ignore[operator]
    # a stock indicator has no year-to-date value
    assert zone["hte_enterprises__cumulative"] is None


def test_ranks_and_their_change_by_hand(facts: FactFrame, table: MonitorTable) -> None:
    # rank this month, last month and in July last year by counting larger values; the change is
    # the earlier place minus this one (positive: moved up)
    v = _zone_values(facts, "revenue_total", ["2025-07", "2025-06", "2024-07"])
    now, before, year_ago = (_hand_rank(v[p]) for p in ("2025-07", "2025-06", "2024-07"))
    body = table.frame.filter(~pl.col("is_total"))
    checked_yoy = 0
    for row in body.iter_rows(named=True):
        z = row["zone"]
        assert row["revenue_total__rank"] == now.get(z)
        expected = before[z] - now[z] if z in before and z in now else None
        assert row["revenue_total__rank_change"] == expected
        expected_yoy = year_ago[z] - now[z] if z in year_ago and z in now else None
        assert row["revenue_total__rank_change_yoy"] == expected_yoy
        checked_yoy += expected_yoy is not None
    assert checked_yoy >= 5
    # the year comparison differs from the month comparison somewhere, or the test proves nothing
    assert (
        body["revenue_total__rank_change"].to_list()
        != body["revenue_total__rank_change_yoy"].to_list()
    )


def test_totals_row(table: MonitorTable) -> None:
    total = table.frame.filter(pl.col("is_total")).row(0, named=True)
    body = table.frame.filter(~pl.col("is_total"))
    assert total["zone_name"] == "合计"
    assert total["revenue_total__cumulative"] == pytest.approx(
        body["revenue_total__cumulative"].sum()
    )
    assert total["hte_enterprises__current"] == pytest.approx(
        body["hte_enterprises__current"].sum()
    )
    assert total["revenue_total__rank"] is None
    assert total["revenue_total__rank_change_yoy"] is None


def test_totals_growth_compares_like_with_like() -> None:
    """同比 of 合计 on a comparable basis: a zone with no value this year (not reported, or under
    review and so not published) and a zone new this year stay out of both years' sums. Summing
    each year over whoever has a value made three zones growing 10% read as a 32% fall."""
    from gaoxin.engine.monitor import MISSING, _totals

    revenue = next(i for i in default_indicators() if i.code == "revenue_total")
    table = pl.DataFrame(
        {
            "indicator": ["revenue_total"] * 5,
            "zone": ["a", "b", "c", "late", "new"],
            "2025-07": [110.0, 220.0, 330.0, None, 50.0],
            "2024-07": [100.0, 200.0, 300.0, 1000.0, None],
            "current": [11.0, 22.0, 33.0, None, 5.0],
            MISSING: [0, 0, 0, 0, 0],
        }
    )
    total = _totals(table, [revenue], "2025-07", "2024-07").row(0, named=True)
    assert total["revenue_total__cumulative"] == pytest.approx(710.0)  # what was reported
    assert total["revenue_total__yoy"] == pytest.approx(10.0)  # a, b, c: 660 against 600

    nobody = table.with_columns(pl.lit(None, dtype=pl.Float64).alias("current"))
    total = _totals(nobody, [revenue], "2025-07", "2024-07").row(0, named=True)
    assert total["revenue_total__current"] is None  # no zone's 本期, no total (not 0.00)


def test_missing_reports_are_counted_not_zeroed(facts: FactFrame, table: MonitorTable) -> None:
    # By hand from the monthly frame: the enterprises of each zone in July 2025 without a revenue
    # figure. The zone's 累计 is the sum of the others' (no zero stands in), and 合计 adds the
    # zones' counts.
    july = facts.wide("month").filter(
        (pl.col("kind") == "enterprise") & (pl.col("period") == "2025-07")
    )
    body = table.frame.filter(~pl.col("is_total"))
    assert body["revenue_total__missing"].sum() > 0  # the demo's holes (2.5% of monthly reports)
    for row in body.iter_rows(named=True):
        missing = july.filter((pl.col("zone") == row["zone"]) & pl.col("revenue").is_null()).height
        reported = july.filter(pl.col("zone") == row["zone"])["revenue"].sum()
        assert row["revenue_total__missing"] == missing
        assert row["revenue_total__cumulative"] == pytest.approx(reported)
    total = table.frame.filter(pl.col("is_total")).row(0, named=True)
    assert total["revenue_total__missing"] == body["revenue_total__missing"].sum()


def test_a_subset_of_zones_is_ranked_among_itself(facts: FactFrame, table: MonitorTable) -> None:
    zones = table.frame.filter(~pl.col("is_total"))["zone"].to_list()[:3]
    small = monitor_table(facts, "2025-07", indicators=CODES, zones=zones)
    ranks = small.frame.filter(~pl.col("is_total"))["revenue_total__rank"].sort().to_list()
    assert ranks == [1.0, 2.0, 3.0]


def test_zone_level_only(facts: FactFrame) -> None:
    with pytest.raises(ValueError, match="zones_per_city.*city 级"):
        monitor_table(facts, "2025-07", indicators=["zones_per_city"])


def test_an_unknown_indicator_is_named(facts: FactFrame) -> None:
    with pytest.raises(ValueError, match="未知的指标代码「revenu」.*revenue_total"):
        monitor_table(facts, "2025-07", indicators=["revenu"])


def test_csv_has_chinese_headers_and_every_measure(table: MonitorTable, tmp_path: Path) -> None:
    path = table.to_csv(tmp_path / "m.csv")
    head = path.read_text("utf-8-sig").splitlines()[0].split(",")
    assert head[:3] == ["园区代码", "园区", "营业收入·本期（万元）"]
    assert "营业收入·累计同比（%）" in head
    assert "营业收入·位次较上期（位）" in head and "高新技术企业数·位次较上年同期（位）" in head
    assert "营业收入·缺报数（个）" in head
    assert len(head) == 2 + (len(MEASURES) + 1) * len(CODES) == 23
    assert len(path.read_text("utf-8-sig").splitlines()) == table.frame.height + 1


# ---- the printed workbook ---------------------------------------------------------------------
def _ind(code: str, unit: str) -> Indicator:
    return Indicator(code=code, zh=code, en=code, unit=unit, level="zone", formula="1", source="t")  # type: ignore[arg-type]


def test_sheet_groups_keep_units_together_two_at_most() -> None:
    inds = [
        _ind(c, u) for c, u in zip("abcdefg", ["万元"] * 3 + ["家"] * 2 + ["%"] * 2, strict=True)
    ]
    groups = [[i.code for i in g] for g in sheet_groups(inds)]
    assert groups == [["a", "b"], ["c"], ["d", "e"], ["f", "g"]]
    assert [[i.code for i in g] for g in sheet_groups(inds, per_sheet=3)] == [
        ["a", "b", "c"],
        ["d", "e"],
        ["f", "g"],
    ]
    key = [i for i in default_indicators() if i.key and i.level == "zone"]
    assert all(len(g) <= 2 for g in sheet_groups(key))
    assert sum(len(g) for g in sheet_groups(key)) == len(key)


def test_xlsx_sheets_are_laid_out_for_printing(table: MonitorTable, tmp_path: Path) -> None:
    title = "四川省高新区主要指标月度监测表"
    wb = openpyxl.load_workbook(write_monitor_xlsx(table, tmp_path / "m.xlsx", title))
    # 营业收入 and 实缴税费 (万元) on one sheet, 高新技术企业数 (家) on another
    assert wb.sheetnames == ["1 营业收入、实缴税费", "2 高新技术企业数"]
    zones = table.frame.filter(~pl.col("is_total"))
    for ws, group in zip(
        wb.worksheets, (["营业收入", "实缴税费"], ["高新技术企业数"]), strict=True
    ):
        assert ws["A1"].value == title
        assert "2025年7月" in ws["A2"].value
        # indicator headers every six columns, measures and units below, totals first
        assert [ws.cell(3, 3 + 6 * k).value for k in range(len(group))] == group
        assert [ws.cell(4, c).value for c in range(3, 9)] == [zh for _, zh in MEASURES]
        assert (
            ws["A3"].value == "园区代码" and ws["B3"].value == "园区" and ws["B5"].value == "单位"
        )
        assert ws["B6"].value == "合计"
        assert ws.max_column == 2 + 6 * len(group)
        # the zones, then a note on missing data under the table
        assert ws.max_row == 5 + table.frame.height + 1
        last = 5 + table.frame.height
        assert [ws.cell(r, 1).value for r in range(7, last + 1)] == zones["zone"].to_list()
        missing = sum(
            zones[f"{c}__missing"].sum()
            for c, zh in zip(CODES, ["营业收入", "实缴税费", "高新技术企业数"], strict=True)
            if zh in group
        )
        assert ws.cell(last + 1, 1).value.startswith("注：按已报数据计算，缺报不按零计")
        assert f"本表缺报 {missing} 项" in ws.cell(last + 1, 1).value
        # print settings: A4 landscape, one page wide, header rows and zone columns on every page
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # fitToWidth 1 is the file format's default, which writers omit
        assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$3:$5"
        assert ws.print_title_cols == "$A:$B"
        assert ws.freeze_panes == "C7"
        assert ws.column_dimensions["B"].width >= 17  # zone names on one line
        assert "&P" in ws.oddFooter.center.text
    first, second = wb.worksheets
    assert first["C5"].value == "万元" and first["E5"].value == "%" and first["F5"].value == "位"
    assert second["C5"].value == "家"
    assert first["D7"].number_format == "#,##0.00" and first["E7"].number_format == "0.0"
    assert first["G7"].number_format == "+0;-0;0" and second["C7"].number_format == "#,##0"
    # the totals row on each sheet adds up its zones (blanks are missing, not zero)
    for ws, col in ((first, 4), (first, 10), (second, 3)):
        cells = [ws.cell(r, col).value for r in range(7, ws.max_row)]
        assert ws.cell(6, col).value == pytest.approx(sum(v for v in cells if v is not None))


# ---- 季分析 --------------------------------------------------------------------------------------
def test_quarterly_table_from_monthly_data(
    facts: FactFrame, quarter: MonitorTable, tmp_path: Path
) -> None:
    # No enterprise reports by quarter: 2025Q3 is read from the months. 累计 1-9月 is the
    # September 1-N月 figure, the quarter's own value is 1-9月 − 1-6月 (July + August +
    # September), 同比 against 1-9月 2024; a stock (高企数) is its value at the end of September.
    assert "revenue" not in facts.wide("quarter").columns
    v = _zone_values(facts, "revenue_total", ["2025-09", "2025-06", "2024-09"])
    hte = _zone_values(facts, "hte_enterprises", ["2025-09", "2025-06"])
    body = quarter.frame.filter(~pl.col("is_total"))
    assert quarter.period == "2025Q3"
    for row in body.iter_rows(named=True):
        z = row["zone"]
        assert row["revenue_total__cumulative"] == pytest.approx(v["2025-09"][z])
        assert row["revenue_total__current"] == pytest.approx(v["2025-09"][z] - v["2025-06"][z])
        assert row["revenue_total__yoy"] == pytest.approx(
            100 * (v["2025-09"][z] / v["2024-09"][z] - 1)
        )
        assert row["hte_enterprises__current"] == hte["2025-09"][z]
        # ranks against last quarter's end (June) and the same quarter last year (September)
        now, june = _hand_rank(v["2025-09"]), _hand_rank(v["2025-06"])
        assert row["revenue_total__rank_change"] == june[z] - now[z]
        assert row["revenue_total__rank_change_yoy"] == _hand_rank(v["2024-09"])[z] - now[z]
    wb = openpyxl.load_workbook(write_monitor_xlsx(quarter, tmp_path / "q.xlsx", "季度分析表"))
    assert "2025年第三季度" in wb.worksheets[0]["A2"].value


def test_quarterly_facts_keep_quarterly_reports_and_certifications(facts: FactFrame) -> None:
    q = quarterly_facts(facts).wide("quarter")
    own = (
        facts.wide("quarter").filter(pl.col("gdp").is_not_null()).select("entity", "period", "gdp")
    )
    # zone gdp is reported by quarter: its own values stay
    kept = own.join(
        q.select("entity", "period", pl.col("gdp").alias("derived")), on=["entity", "period"]
    )
    assert kept.height == own.height > 0 and (kept["gdp"] == kept["derived"]).all()
    # employees (a stock) at the quarter's end is September's headcount
    month = facts.wide("month").filter(
        (pl.col("kind") == "enterprise") & (pl.col("period") == "2025-09")
    )
    sept = month.select("entity", "employees").drop_nulls().head(50)
    got = sept.join(
        q.filter(pl.col("period") == "2025Q3").select("entity", pl.col("employees").alias("q")),
        on="entity",
    )
    assert got.height == 50 and (got["employees"] == got["q"]).all()
    # periods run on: seq steps by one a quarter, sub is the quarter number
    zone = q.filter(pl.col("entity") == q.filter(pl.col("kind") == "zone")["entity"][0])
    assert zone["seq"].diff().drop_nulls().to_list() == [1] * (zone.height - 1)
    assert zone.filter(pl.col("period") == "2025Q3")["sub"].to_list() == [3]
    # Certifications in 2024Q4: held at the end of the quarter is December's end-of-month state;
    # held the day before the quarter is September's end-of-month state for every enterprise in
    # the zone before October. (A firm joining mid-quarter has no September row: the day before
    # its first month is taken, as its monthly rows do — see docs/indicators.md.)
    m = facts.wide("month").filter(pl.col("kind") == "enterprise")
    dec = m.filter(pl.col("period") == "2024-12").select("entity", pl.col("__cert__hte").alias("d"))
    sep = m.filter(pl.col("period") == "2024-09").select("entity", pl.col("__cert__hte").alias("s"))
    q4 = (
        quarterly_facts(facts)
        .wide("quarter")
        .filter((pl.col("kind") == "enterprise") & (pl.col("period") == "2024Q4"))
        .select("entity", "zone", "__cert__hte", "__certprev__hte")
    )
    assert q4.height == dec.height
    at_end = q4.join(dec, on="entity")
    assert at_end["__cert__hte"].eq_missing(at_end["d"]).all()
    before = q4.join(sep, on="entity")
    assert before.height > 0.9 * q4.height
    assert before["__certprev__hte"].eq_missing(before["s"]).all()
    assert before["s"].is_not_null().sum() > 0
    # newly certified in the quarter (new_hte): held at its end, not the day before it
    hand = q4.filter(pl.col("__cert__hte").is_not_null() & pl.col("__certprev__hte").is_null())
    hand = hand.group_by("zone").len()
    new = [i for i in default_indicators() if i.code == "new_hte"]
    got = compute(new, quarterly_facts(facts), ["2024Q4"]).frame.filter(
        (pl.col("kind") == "zone") & (pl.col("value") > 0)
    )
    assert dict(got.select("entity", "value").iter_rows()) == {
        z: float(n) for z, n in hand.iter_rows()
    }
    assert hand["len"].sum() > 0


def test_a_quarter_past_the_monthly_data_is_refused(facts: FactFrame) -> None:
    with pytest.raises(ValueError, match="2026年第一季度没有季度数据.*2026年3月"):
        monitor_table(facts, "2026Q1", indicators=CODES)
