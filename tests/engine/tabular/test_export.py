"""Exports: long frames for people and programs; reporting-form templates that read back."""

from decimal import Decimal

import openpyxl
import polars as pl
import pytest

from gaoxin.engine.tabular import form_template_xlsx, read_observations, write_long

from .conftest import FIXTURES, USCC_A, USCC_B


@pytest.fixture
def observations(catalogue) -> pl.DataFrame:
    return read_observations(FIXTURES / "long_enterprises.csv", catalogue).observations


def test_csv_has_a_bom_and_reads_back(tmp_path, observations, catalogue):
    path = write_long(observations, tmp_path / "导出.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "甲科技有限公司" in data.decode("utf-8-sig")
    again = read_observations(path, catalogue)
    # A long export is itself a long table: entity, period, variable, value, unit.
    assert again.errors == []
    assert sorted(again.observations["value"].to_list()) == sorted(observations["value"].to_list())


def test_xlsx_and_parquet(tmp_path, observations):
    xlsx = write_long(observations, tmp_path / "导出.xlsx")
    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    assert header == list(observations.columns)
    assert sheet.cell(2, header.index("value") + 1).value == "1234.5000000000"
    parquet = write_long(observations, tmp_path / "导出.parquet")
    assert pl.read_parquet(parquet).equals(observations)
    with pytest.raises(ValueError, match="unsupported suffix"):
        write_long(observations, tmp_path / "导出.json")


def test_form_template_structure(tmp_path, catalogue):
    variables = [catalogue["revenue"], catalogue["employees"], catalogue["green_coverage"]]
    path = form_template_xlsx(variables, tmp_path / "月报.xlsx", "2025年1-7月企业主要指标", "month")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["填报", "指标说明"]
    sheet = book["填报"]
    assert sheet["A1"].value == "2025年1-7月企业主要指标"
    assert [c.value for c in sheet[2]] == [
        "统一社会信用代码",
        "单位名称",
        "期间",
        "营业收入（万元）",
        "从业人员（人）",
        "绿地率（%）",
    ]
    assert sheet.freeze_panes == "C3"
    assert sheet.column_dimensions["A"].number_format == "@"
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert rules["D3:D2002"].type == "decimal"
    # Every variable's plausible range is in the catalogue, so every column has both bounds.
    assert rules["D3:D2002"].operator in (None, "between")
    assert (rules["D3:D2002"].formula1, rules["D3:D2002"].formula2) == ("0", "10000000000")
    assert rules["F3:F2002"].operator in (None, "between")  # Excel's default operator
    assert (rules["F3:F2002"].formula1, rules["F3:F2002"].formula2) == ("0", "100")
    assert rules["A3:A2002"].type == "textLength"
    about = book["指标说明"]
    assert [c.value for c in about[2]][:3] == ["营业收入（万元）", "revenue", "万元"]


def test_filled_template_reads_back(tmp_path, catalogue):
    variables = [catalogue["revenue"], catalogue["employees"]]
    path = form_template_xlsx(variables, tmp_path / "月报.xlsx", "2025年1-7月企业主要指标", "month")
    book = openpyxl.load_workbook(path)
    sheet = book["填报"]
    sheet.append([USCC_A, "甲科技有限公司", None, 1234.5, 120])
    sheet.append([USCC_B, "乙制造股份公司", None, "2,000", None])
    sheet.append(["012345678901234567", "丁公司", "2025年1-6月", 5, 6])
    book.save(path)

    result = read_observations(path, catalogue)
    # The leading zero survives (text column), and is then checked like any other code.
    [bad] = result.errors
    assert (bad.code, bad.row, bad.value) == ("uscc_check_digit", 5, "012345678901234567")
    assert result.warnings == []
    obs = result.observations
    assert obs.select("row", "entity_key", "variable", "period", "value", "cumulative").rows() == [
        (3, USCC_A, "revenue", "2025-07", Decimal("1234.5"), True),
        (3, USCC_A, "employees", "2025-07", Decimal("120"), False),
        (4, USCC_B, "revenue", "2025-07", Decimal("2000"), True),
    ]
