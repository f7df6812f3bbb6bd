"""Monthly monitoring tables: values, 累计, 同比, ranks, totals; CSV and the printed XLSX."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from gaoxin.engine import synth
from gaoxin.engine.facts import FactFrame, from_synth
from gaoxin.engine.indicators import compute
from gaoxin.engine.monitor import MonitorTable, monitor_table, write_monitor_xlsx

CODES = ["revenue_total", "taxes_total", "hte_enterprises"]


@pytest.fixture(scope="module")
def facts() -> FactFrame:
    return from_synth(synth.generate("sichuan", scale=0.3))


@pytest.fixture(scope="module")
def table(facts: FactFrame) -> MonitorTable:
    return monitor_table(facts, "2025-07", indicators=CODES)


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


def test_ranks_and_their_change(table: MonitorTable) -> None:
    body = table.frame.filter(~pl.col("is_total"))
    ranked = body.sort("revenue_total__cumulative", descending=True)
    assert ranked["revenue_total__rank"].to_list()[:3] == [1.0, 2.0, 3.0]
    assert body["revenue_total__rank_change"].drop_nulls().sum() == pytest.approx(0, abs=len(body))


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


def test_a_subset_of_zones_is_ranked_among_itself(facts: FactFrame, table: MonitorTable) -> None:
    zones = table.frame.filter(~pl.col("is_total"))["zone"].to_list()[:3]
    small = monitor_table(facts, "2025-07", indicators=CODES, zones=zones)
    ranks = small.frame.filter(~pl.col("is_total"))["revenue_total__rank"].sort().to_list()
    assert ranks == [1.0, 2.0, 3.0]


def test_zone_level_only(facts: FactFrame) -> None:
    with pytest.raises(ValueError, match="city"):
        monitor_table(facts, "2025-07", indicators=["zones_per_city"])


def test_csv_has_chinese_headers(table: MonitorTable, tmp_path: Path) -> None:
    path = table.to_csv(tmp_path / "m.csv")
    head = path.read_text("utf-8-sig").splitlines()[0].split(",")
    assert head[:3] == ["园区代码", "园区", "营业收入·本期（万元）"]
    assert "营业收入·累计同比（%）" in head


def test_xlsx_is_laid_out_for_printing(table: MonitorTable, tmp_path: Path) -> None:
    path = write_monitor_xlsx(table, tmp_path / "m.xlsx", "四川省高新区主要指标月度监测表")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "四川省高新区主要指标月度监测表"
    assert ws["C3"].value == "营业收入" and ws["C4"].value == "本期" and ws["C5"].value == "万元"
    assert ws["B6"].value == "合计"
    assert ws.freeze_panes == "C7"
    assert ws.page_setup.orientation == "landscape"
    assert ws["D7"].number_format == "#,##0.00"
    assert ws["E7"].number_format == "0.0"
    assert ws.max_row == 5 + table.frame.height
