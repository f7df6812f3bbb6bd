"""Reading what people send: CSV in the encodings Chinese offices save, any delimiter, workbooks."""

from decimal import Decimal

import pytest

from gaoxin.engine.tabular import read_observations
from gaoxin.engine.tabular.readers import column_letter, decode_text, detect_delimiter, read_grids

from .conftest import FIXTURES, USCC_A

LONG_CSV = (FIXTURES / "long_enterprises.csv").read_text("utf-8")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings_are_detected(csv_file, catalogue, encoding):
    path = csv_file(LONG_CSV, encoding=encoding)
    grids, problems = read_grids(path)
    assert problems == []
    assert grids[0].frame["c1"][1] == "甲科技有限公司"
    result = read_observations(path, catalogue)
    assert result.errors == []
    assert result.observations.height == 6


def test_short_gbk_text_is_not_mistaken(catalogue):
    data = "企业名称,营业收入（万元）\n甲,1\n".encode("gbk")
    text, encoding = decode_text(data)
    assert encoding == "gb18030"
    assert text.startswith("企业名称")


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiters_are_detected(csv_file, catalogue, delimiter):
    text = LONG_CSV.replace('"1,234.5"', "1234.5").replace(",", delimiter)
    title = "2025年高新区企业指标（长表）\n"
    assert detect_delimiter(title + text) == delimiter
    result = read_observations(csv_file(title + text), catalogue)
    assert result.errors == []
    assert result.observations.height == 6
    assert result.observations["row"].min() == 3  # the title is row 1, the header row 2


def test_csv_row_numbers_count_blank_lines(csv_file, catalogue):
    text = "\n\n企业名称,营业收入（万元）\n\n甲,abc\n"
    result = read_observations(csv_file(text), catalogue, period="2025")
    [problem] = result.errors
    assert (problem.code, problem.row, problem.column, problem.value) == (
        "not_a_number",
        5,
        "营业收入（万元）",
        "abc",
    )


def test_ragged_csv_wider_than_the_sample(csv_file, catalogue):
    rows = ["企业名称,营业收入（万元）"] + [f"企业{i},{i}" for i in range(20_000)]
    rows.append("企业X,5,多余,多余")
    result = read_observations(csv_file("\n".join(rows)), catalogue, period="2025")
    assert result.observations.height == 20_001


def test_long_workbook(xlsx, catalogue):
    rows = [
        ["2025年高新区企业数据（长表）"],
        ["code", "name", "period", "variable", "value", "unit"],
        [USCC_A, "甲", "2025Q3", "revenue", 1.5, "亿元"],
        [USCC_A, "甲", "2025Q3", "employees", 100, None],
    ]
    result = read_observations(xlsx(rows, merges=["A1:F1"]), catalogue)
    assert result.errors == []
    assert result.layouts == {"Sheet1": "long"}
    obs = result.observations
    assert obs.select("row", "column", "entity_key_type", "variable", "period", "value").rows() == [
        (3, "value", "code", "revenue", "2025Q3", Decimal("15000")),
        (4, "value", "code", "employees", "2025Q3", Decimal("100")),
    ]
    assert "列「revenue」→ revenue，亿元→万元 ×10000" in result.describe_mappings()


def test_all_sheets_or_one(tmp_path, catalogue):
    from .conftest import write_xlsx

    path = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "封面": [["高新区统计报表"], ["2025年"]],
            "一月": [["企业名称", "营业收入（万元）"], ["甲", 1]],
            "二月": [["企业名称", "营业收入（万元）"], ["甲", 2]],
        },
    )
    both = read_observations(path, catalogue, period="2025年1-2月")
    assert both.observations["sheet"].to_list() == ["一月", "二月"]
    # The same enterprise, variable and period on two sheets is a duplicate within the file.
    # Problems come sheet by sheet in workbook order.
    assert [(p.code, p.sheet, p.row, p.severity) for p in both.problems] == [
        ("sheet_skipped", "封面", None, "warning"),
        ("duplicate_key", "一月", 2, "error"),
        ("duplicate_key", "二月", 2, "error"),
    ]
    one = read_observations(path, catalogue, sheet="二月", period="2025年1-2月")
    assert one.problems == []
    assert one.observations["raw_value"].to_list() == ["2"]


def test_leading_empty_rows_keep_spreadsheet_numbers(xlsx, catalogue):
    rows = [[None], [None], [None, "企业名称", "营业收入（万元）"], [None, "甲", "x"]]
    result = read_observations(xlsx(rows), catalogue, period="2025")
    [problem] = result.errors
    assert (problem.row, problem.column) == (4, "营业收入（万元）")


def test_stream_and_bytes(catalogue):
    import io

    data = LONG_CSV.encode("gbk")
    a = read_observations(io.BytesIO(data), catalogue, name="上报.csv")
    b = read_observations(data, catalogue, name="上报.csv")
    assert a.observations.equals(b.observations)
    assert set(a.observations["source_file"]) == {"上报.csv"}


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_ods_workbook(tmp_path, catalogue):
    from .conftest import write_ods

    path = write_ods(
        tmp_path / "园区.ods",
        {"园区": [["2024年园区指标"], [None], ["园区名称", "规划面积（公顷）"], ["软件园", 150]]},
    )
    result = read_observations(path, catalogue)
    assert result.errors == []
    assert result.observations.select(
        "row", "entity_key", "variable", "period", "value"
    ).rows() == [(4, "软件园", "planned_area", "2024", Decimal("1.5"))]
