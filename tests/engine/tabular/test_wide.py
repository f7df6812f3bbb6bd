"""A wide form as a zone division receives it: merged title rows, a units row, thousands
separators, a 合计 row and notes under the table."""

from decimal import Decimal

import polars as pl
import pytest

from gaoxin.engine.tabular import OBSERVATION_SCHEMA, read_observations

from .conftest import USCC_A, USCC_B, USCC_C

TITLE = "2025年1-7月高新区重点企业主要经济指标"
ROWS = [
    [TITLE, None, None, None, None, None],
    ["填报单位：某高新区管委会", None, None, None, None, None],
    ["序号", "统一社会信用代码", "企业名称", "营业收入", "从业人员", "净利润"],
    [None, "单位", None, "万元", "人", "亿元"],
    [1, USCC_A, "甲科技有限公司", "1,234.5", 120, "(0.5)"],
    [2, USCC_B, "乙制造股份公司", "１２，３４５．６", "-", 0.25],
    [3, USCC_C, "丙软件公司", 88, 35, "—"],
    [None, None, None, None, None, None],
    ["合计", None, None, "13,668.1", 155, None],
    ["注：营业收入为1-7月累计数。", None, None, None, None, None],
    ["填报人：张三", None, None, "联系电话：12345678", None, None],
    [None, None, None, None, None, None, None, None],
]


@pytest.fixture
def wide(xlsx):
    return xlsx(ROWS, name="企业月报.xlsx", sheet="企业", merges=["A1:F1", "A2:F2"])


def test_reads_every_figure_in_catalogue_units(wide, catalogue):
    result = read_observations(wide, catalogue)
    assert result.errors == []
    obs = result.observations.sort("row", "variable")
    assert obs.schema == pl.Schema(OBSERVATION_SCHEMA)
    assert obs.select("row", "column", "entity_key", "variable", "value").rows() == [
        (5, "从业人员", USCC_A, "employees", Decimal("120")),
        (5, "净利润", USCC_A, "net_profit", Decimal("-5000")),
        (5, "营业收入", USCC_A, "revenue", Decimal("1234.5")),
        (6, "净利润", USCC_B, "net_profit", Decimal("2500")),
        (6, "营业收入", USCC_B, "revenue", Decimal("12345.6")),
        (7, "从业人员", USCC_C, "employees", Decimal("35")),
        (7, "营业收入", USCC_C, "revenue", Decimal("88")),
    ]
    assert set(obs["source_file"]) == {"企业月报.xlsx"}
    assert set(obs["sheet"]) == {"企业"}
    assert set(obs["entity_key_type"]) == {"uscc"}
    assert obs.filter(pl.col("row") == 5)["entity_name"].to_list() == ["甲科技有限公司"] * 3


def test_title_period_is_year_to_date_for_flows_only(wide, catalogue):
    obs = read_observations(wide, catalogue).observations
    assert set(obs["period"]) == {"2025-07"}
    flags = dict(obs.select("variable", "cumulative").unique().iter_rows())
    # 营业收入、净利润 are 累计 statistics; 从业人员 is a stock, read as at the end of July.
    assert flags == {"revenue": True, "net_profit": True, "employees": False}


def test_total_and_notes_rows_are_warnings(wide, catalogue):
    result = read_observations(wide, catalogue)
    warnings = [(p.code, p.row, p.column, p.value) for p in result.warnings]
    assert warnings == [
        ("total_row", 9, "序号", "合计"),
        ("notes_row", 10, None, "注：营业收入为1-7月累计数。"),
        ("notes_row", 11, None, "填报人：张三"),
    ]


def test_mapping_report_for_a_dry_run(wide, catalogue):
    result = read_observations(wide, catalogue)
    assert result.describe_mappings() == [
        "列「营业收入」→ revenue，万元",
        "列「从业人员」→ employees，人",
        "列「净利润」→ net_profit，亿元→万元 ×10000",
    ]
    assert [m.unit_source for m in result.mappings] == ["units_row"] * 3
    assert result.layouts == {"企业": "wide"}


def test_header_units_and_table_unit_line(xlsx, catalogue):
    rows = [
        ["2025年高新区企业年报", None, None, None],
        [None, None, None, "单位：万元"],
        ["企业名称", "营业收入（亿元）", "R&D经费内部支出", "用地面积（公顷）", "从业人员"],
        ["甲公司", "1.5", "300", "2", "50"],
    ]
    result = read_observations(xlsx(rows), catalogue)
    assert result.errors == []
    values = dict(result.observations.select("variable", "value").iter_rows())
    assert values == {
        "revenue": Decimal("15000"),
        "rd_expenditure": Decimal("300"),
        "land_area": Decimal("30"),
        "employees": Decimal("50"),
    }
    described = result.describe_mappings()
    assert "列「营业收入（亿元）」→ revenue，亿元→万元 ×10000" in described
    assert "列「用地面积（公顷）」→ land_area，公顷→亩 ×15" in described
    # 单位：万元 above the table covers money columns, not 从业人员.
    assert "列「R&D经费内部支出」→ rd_expenditure，万元" in described
    assert "列「从业人员」→ employees，未注明单位，按人" in described
    # A full year is a whole period: not year-to-date, even for 累计 statistics.
    assert set(result.observations["period"]) == {"2025"}
    assert not any(result.observations["cumulative"])


def test_period_column_wins_and_dates_read_as_months(xlsx, catalogue):
    import datetime

    rows = [
        ["企业名称", "统计期", "营业收入（万元）"],
        ["甲公司", "2025年1-6月", 10],
        ["甲公司", "2025年1-7月", 12],
        ["乙公司", datetime.datetime(2025, 7, 1), 5],
    ]
    result = read_observations(xlsx(rows), catalogue, period="2024")
    assert result.errors == []
    got = result.observations.select("entity_key", "period", "cumulative").rows()
    assert got == [
        ("甲公司", "2025-06", True),
        ("甲公司", "2025-07", True),
        ("乙公司", "2025-07", False),
    ]


def test_period_argument_when_nothing_else_says(xlsx, catalogue):
    rows = [["企业名称", "营业收入（万元）"], ["甲公司", 10]]
    result = read_observations(xlsx(rows), catalogue, period="2025年1-3月")
    assert result.observations.select("period", "cumulative").row(0) == ("2025-03", True)


def test_column_numbers_row_and_descriptive_columns(xlsx, catalogue):
    rows = [
        ["序号", "单位名称", "所属行业", "营业收入（万元）", "备注"],
        ["甲", "乙", "丙", "1", "2"],
        [1, "甲公司", "软件", 10, "新入统"],
    ]
    result = read_observations(xlsx(rows), catalogue, period="2025")
    assert result.problems == []
    assert result.observations.select("row", "entity_key", "value").rows() == [
        (3, "甲公司", Decimal("10"))
    ]
    assert result.observations["entity_key_type"].to_list() == ["name"]


def test_zone_table_keyed_by_name(xlsx, catalogue):
    rows = [
        ["高新区", "地区生产总值（亿元）", "高新技术企业数（家）", "绿地率（%）"],
        ["福州高新区", "1,020.5", 1200, "38.5%"],
        ["厦门火炬高新区", "2,100", 2100, 41],
    ]
    result = read_observations(xlsx(rows), catalogue, period="2024")
    assert result.errors == []
    got = result.observations.filter(pl.col("entity_key") == "福州高新区")
    assert dict(got.select("variable", "value").iter_rows()) == {
        "gdp": Decimal("10205000"),
        "hte_count": Decimal("1200"),
        "green_coverage": Decimal("38.5"),
    }
