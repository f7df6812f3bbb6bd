"""Every problem an import reports: its code, where it is (row, column, value) and what it says.

Rows are numbered as the spreadsheet shows them; columns are named by their header text.
"""

from __future__ import annotations

import pytest

from gaoxin.engine.problems import Problem
from gaoxin.engine.tabular import read_observations

from .conftest import USCC_A, USCC_B

HEADER = ["统一社会信用代码", "企业名称", "营业收入（万元）", "从业人员（人）"]


def only(result, code: str) -> Problem:
    found = [p for p in result.problems if p.code == code]
    assert len(found) == 1, result.problems
    return found[0]


def where(p: Problem) -> tuple:
    return (p.code, p.row, p.column, p.value, p.severity)


def read(xlsx, catalogue, rows, period="2025年1-7月", **kw):
    return read_observations(xlsx(rows), catalogue, period=period, **kw)


def test_not_a_number(xlsx, catalogue):
    result = read(xlsx, catalogue, [HEADER, [USCC_A, "甲", "12o", 5], [USCC_B, "乙", "1,23", 3]])
    a, b = result.errors
    assert where(a) == ("not_a_number", 2, "营业收入（万元）", "12o", "error")
    assert "应填数字" in a.message and "万元" in a.message
    assert where(b) == ("not_a_number", 3, "营业收入（万元）", "1,23", "error")
    assert result.observations["variable"].to_list() == ["employees", "employees"]


def test_percentage_in_a_money_column(xlsx, catalogue):
    result = read(xlsx, catalogue, [HEADER, [USCC_A, "甲", "12%", 5]])
    p = only(result, "not_a_number")
    assert (p.row, p.column, p.value) == (2, "营业收入（万元）", "12%")
    assert "不能填百分数" in p.message


def test_missing_marks_are_not_problems(xlsx, catalogue):
    marks = ["-", "—", "——", "/", "无", "  ", "－"]
    rows = [["企业名称", "营业收入（万元）", "从业人员（人）"]]
    rows += [[f"企业{i}", mark, mark] for i, mark in enumerate(marks)]
    result = read(xlsx, catalogue, rows)
    assert result.problems == [] and result.observations.height == 0


def test_out_of_range(xlsx, catalogue):
    rows = [["企业名称", "营业收入（亿元）", "绿地率（%）"], ["甲", "-0.5", "120"]]
    result = read(xlsx, catalogue, rows, period="2025")
    by_column = {p.column: p for p in result.errors}
    low, high = by_column["营业收入（亿元）"], by_column["绿地率（%）"]
    assert where(low) == ("out_of_range", 2, "营业收入（亿元）", "-0.5", "error")
    assert "不小于0（万元）" in low.message and "-5000" in low.message
    assert where(high) == ("out_of_range", 2, "绿地率（%）", "120", "error")
    assert "不大于100" in high.message
    assert result.observations.height == 0


def test_unit_mismatch_in_header(xlsx, catalogue):
    result = read(xlsx, catalogue, [["企业名称", "营业收入（人）"], ["甲", 5]])
    p = only(result, "unit_mismatch")
    assert where(p) == ("unit_mismatch", 1, "营业收入（人）", "人", "error")
    assert "单位应为万元" in p.message and "不能换算" in p.message


def test_unit_mismatch_in_units_row(xlsx, catalogue):
    rows = [["2025年报"], ["企业名称", "从业人员"], [None, "万元"], ["甲", 5]]
    p = only(read(xlsx, catalogue, rows), "unit_mismatch")
    assert (p.row, p.column, p.value) == (3, "从业人员", "万元")


def test_unknown_column_suggests_close_names(xlsx, catalogue):
    result = read(xlsx, catalogue, [["企业名称", "营业总收人（万元）", "营业收入"], ["甲", 1, 2]])
    p = only(result, "unknown_column")
    assert where(p) == ("unknown_column", 1, "营业总收人（万元）", "营业总收人（万元）", "error")
    assert "是否为「营业总收入」" in p.message
    assert "营业总收入" in p.extra["suggestions"]


def test_text_column_not_in_catalogue_is_ignored_with_a_warning(xlsx, catalogue):
    result = read(xlsx, catalogue, [["企业名称", "联络地址xyz", "营业收入"], ["甲", "福州", 2]])
    assert [where(p) for p in result.problems] == [
        ("column_ignored", 1, "联络地址xyz", "联络地址xyz", "warning")
    ]


def test_column_mapped_twice(xlsx, catalogue):
    rows = [["企业名称", "营业收入（万元）", "营收（亿元）"], ["甲", 1, 2]]
    result = read(xlsx, catalogue, rows)
    p = only(result, "duplicate_column")
    assert where(p) == ("duplicate_column", 1, "营收（亿元）", "营收（亿元）", "error")
    assert "营业收入（万元）" in p.message
    assert result.observations["raw_value"].to_list() == ["1"]


def test_two_credit_code_columns(xlsx, catalogue):
    rows = [["统一社会信用代码", "信用代码", "营业收入"], [USCC_A, USCC_A, 1]]
    p = only(read(xlsx, catalogue, rows), "duplicate_column")
    assert (p.row, p.column) == (1, "信用代码")


def test_bad_period_text(xlsx, catalogue):
    rows = [
        ["企业名称", "期间", "营业收入"],
        ["甲", "2025年13月", 1],
        ["乙", "去年", 2],
        ["丙", None, 3],
    ]
    result = read_observations(xlsx(rows), catalogue)
    a, b, c = result.errors
    assert where(a) == ("bad_period", 2, "期间", "2025年13月", "error")
    assert "月份应为1-12" in a.message
    assert where(b) == ("bad_period", 3, "期间", "去年", "error")
    assert where(c) == ("bad_period", 4, "期间", None, "error")
    assert "没有填期间" in c.message


def test_bad_period_argument(xlsx, catalogue):
    p = only(read(xlsx, catalogue, [HEADER, [USCC_A, "甲", 1, 1]], period="七月"), "bad_period")
    assert (p.row, p.value) == (None, "七月")


def test_no_period_anywhere(xlsx, catalogue):
    result = read_observations(xlsx([HEADER, [USCC_A, "甲", 1, 1]]), catalogue)
    p = only(result, "period_missing")
    assert p.row is None and "期间" in p.message
    assert result.observations.height == 0


def test_period_finer_than_the_variable(xlsx, catalogue):
    rows = [["企业名称", "R&D经费内部支出（万元）", "营业收入"], ["甲", 100, 5]]
    result = read(xlsx, catalogue, rows, period="2025年1-7月")
    p = only(result, "period_mismatch")
    assert where(p) == ("period_mismatch", 2, "R&D经费内部支出（万元）", "2025年1-7月", "error")
    assert "按年统计" in p.message
    assert result.observations["variable"].to_list() == ["revenue"]


def test_a_single_month_is_never_stored_as_the_year_to_date_total(xlsx, catalogue):
    # 营业收入 is kept as 1-N月; "2025年7月 = 1" would overwrite the 1-7月 total with July's own.
    result = read(xlsx, catalogue, [HEADER, [USCC_A, "甲", 1, 1]], period="2025年7月")
    p = only(result, "period_not_cumulative")
    assert where(p) == ("period_not_cumulative", 2, "营业收入（万元）", "2025年7月", "error")
    assert "1-N月" in p.message
    # 从业人员 is a stock: July's figure is the figure; only revenue is held back.
    assert result.observations["variable"].to_list() == ["employees"]


def test_the_store_code_of_a_month_means_what_the_store_holds(xlsx, catalogue):
    # 2025-07 is how gaoxin writes a period (its exports): for 营业收入 that is 1-7月.
    result = read(xlsx, catalogue, [HEADER, [USCC_A, "甲", 1, 1]], period="2025-07")
    assert result.errors == []
    assert result.observations["period"].to_list() == ["2025-07", "2025-07"]


def test_title_and_argument_disagree(xlsx, catalogue):
    rows = [["2025年1-6月主要指标"], HEADER, [USCC_A, "甲", 1, 1]]
    result = read(xlsx, catalogue, rows, period="2025年1-7月")
    p = only(result, "period_conflict")
    assert (p.severity, p.value) == ("warning", "2025年1-6月")
    assert set(result.observations["period"]) == {"2025-06"}


def test_duplicate_key_reports_both_rows(xlsx, catalogue):
    rows = [HEADER, [USCC_A, "甲", 1, None], [USCC_B, "乙", 2, None], [USCC_A, "甲", 3, None]]
    result = read(xlsx, catalogue, rows)
    a, b = result.errors
    assert where(a) == ("duplicate_key", 2, "营业收入（万元）", "1", "error")
    assert where(b) == ("duplicate_key", 4, "营业收入（万元）", "3", "error")
    assert "第2行" in a.message and "第4行" in a.message
    assert a.extra["rows"] == [2, 4]


def test_credit_code_check_digit_and_format_are_told_apart(xlsx, catalogue):
    rows = [
        HEADER,
        ["91110000600037342L", "甲", 1, 1],
        ["9111000060003734", "乙", 1, 1],
        ["91110000600O37341L", "丙", 1, 1],
    ]
    result = read(xlsx, catalogue, rows)
    check, short, letter = result.errors
    assert where(check) == (
        "uscc_check_digit",
        2,
        "统一社会信用代码",
        "91110000600037342L",
        "error",
    )
    assert "校验位" in check.message and "「P」" in check.message
    assert where(short) == ("uscc_format", 3, "统一社会信用代码", "9111000060003734", "error")
    assert "16位" in short.message
    assert where(letter) == ("uscc_format", 4, "统一社会信用代码", "91110000600O37341L", "error")
    assert result.observations.height == 0


def test_empty_entity_key(xlsx, catalogue):
    rows = [HEADER, [None, None, 5, 6], [None, None, None, None, "x"]]
    result = read(xlsx, catalogue, rows)
    p = only(result, "empty_entity_key")
    assert where(p) == ("empty_entity_key", 2, "统一社会信用代码", None, "error")


def test_no_header_row(xlsx, catalogue):
    rows = [["高新区统计"], ["甲", "乙"], ["1", "2"]]
    result = read_observations(xlsx(rows, sheet="数据"), catalogue)
    p = only(result, "no_header_row")
    assert (p.sheet, p.row, p.severity) == ("数据", None, "error")


def test_sheet_not_found(xlsx, catalogue):
    p = only(
        read_observations(xlsx([HEADER], sheet="企业"), catalogue, sheet="园区"), "sheet_not_found"
    )
    assert "「企业」" in p.message


def test_unreadable_file(tmp_path, catalogue):
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    p = only(read_observations(path, catalogue), "file_unreadable")
    assert (p.file, p.severity) == ("坏文件.xlsx", "error")
    missing = only(read_observations(tmp_path / "无.csv", catalogue), "file_unreadable")
    assert missing.file == "无.csv"


def test_unknown_encoding(tmp_path, catalogue):
    path = tmp_path / "乱码.csv"
    path.write_bytes(bytes(range(256)) * 4)
    p = only(read_observations(path, catalogue), "encoding_unknown")
    assert (p.file, p.severity) == ("乱码.csv", "error")
    assert "CSV UTF-8" in p.message


# --- long layout -------------------------------------------------------------------------

LONG = ["企业名称", "期间", "指标", "数值", "单位"]


def test_unknown_variable_in_a_long_table(xlsx, catalogue):
    rows = [LONG, ["甲", "2025", "营业收人", 1, "万元"], ["甲", "2025", "从业人员", 1, None]]
    result = read_observations(xlsx(rows), catalogue)
    p = only(result, "unknown_variable")
    assert where(p) == ("unknown_variable", 2, "指标", "营业收人", "error")
    assert "「营业收入」" in p.message


def test_unknown_and_mismatched_units_in_a_long_table(xlsx, catalogue):
    rows = [LONG, ["甲", "2025", "营业收入", 1, "斤"], ["甲", "2025", "从业人员", 1, "万元"]]
    result = read_observations(xlsx(rows), catalogue)
    unknown, mismatch = result.errors
    assert where(unknown) == ("unknown_unit", 2, "单位", "斤", "error")
    assert where(mismatch) == ("unit_mismatch", 3, "单位", "万元", "error")
    assert "单位应为人" in mismatch.message


def test_value_without_variable_in_a_long_table(xlsx, catalogue):
    rows = [LONG, ["甲", "2025", None, 1, "万元"]]
    p = only(read_observations(xlsx(rows), catalogue), "empty_variable")
    assert (p.row, p.column) == (2, "指标")


@pytest.mark.parametrize("n", [3])
def test_problems_never_stop_at_the_first(xlsx, catalogue, n):
    rows = [HEADER] + [["bad", f"企业{i}", "x", "-1"] for i in range(n)]
    result = read(xlsx, catalogue, rows)
    codes = sorted({p.code for p in result.errors})
    assert codes == ["not_a_number", "out_of_range", "uscc_format"]
    assert len(result.errors) == 3 * n


def test_percent_column_holding_fractions_is_a_warning(xlsx, catalogue):
    rows = [["高新区", "绿地率（%）"], ["甲高新区", 0.385], ["乙高新区", 0.41]]
    result = read(xlsx, catalogue, rows, period="2024")
    p = only(result, "percent_as_fraction")
    assert where(p) == ("percent_as_fraction", 2, "绿地率（%）", None, "warning")
    assert "38.5" in p.message
    assert result.observations.height == 2


def test_growth_and_share_columns_are_ignored_with_a_warning(xlsx, catalogue):
    rows = [
        ["企业名称", "营业收入（万元）", "同比增长（%）", "占全区比重%"],
        ["甲", 10, "12.5", "3"],
    ]
    result = read(xlsx, catalogue, rows)
    assert [where(p) for p in result.problems] == [
        ("column_ignored", 1, "同比增长（%）", "同比增长（%）", "warning"),
        ("column_ignored", 1, "占全区比重%", "占全区比重%", "warning"),
    ]
    assert result.observations["variable"].to_list() == ["revenue"]
