"""Exports are safe to open: text a spreadsheet would run is written as text (issue 15, item 4)."""

import zipfile
from decimal import Decimal

import openpyxl
import polars as pl
import xlsxwriter

from gaoxin.engine.tabular import read_observations, write_long
from gaoxin.engine.tabular.safe import XLSX_OPTIONS, csv_frame, csv_text, openpyxl_text

from .conftest import USCC_A

NAMES = ['=HYPERLINK("http://example.com","点击")', "+86-591", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_risky_text_gets_an_apostrophe_and_figures_do_not():
    frame = pl.DataFrame({"名称": [*NAMES, "甲公司", "-5", "+1.5e3", "-"], "n": [1] * 10})
    safe = csv_frame(frame)["名称"].to_list()
    assert safe[: len(NAMES)] == ["'" + n for n in NAMES]
    assert safe[len(NAMES) :] == ["甲公司", "-5", "+1.5e3", "-"]
    assert csv_text("=1+1") == "'=1+1" and csv_text("-5") == "-5" and csv_text(7) == 7


def test_a_csv_export_is_safe_and_still_imports_unchanged(tmp_path, catalogue):
    long = pl.DataFrame(
        {
            "统一社会信用代码": [USCC_A],
            "名称": ["=1+2"],
            "期间": ["2024"],
            "指标": ["营业收入"],
            "数值": [Decimal("5")],
            "单位": ["万元"],
        }
    )
    path = write_long(long, tmp_path / "导出.csv")
    text = path.read_text("utf-8-sig")
    assert "'=1+2" in text
    again = read_observations(path, catalogue)
    assert again.observations["entity_name"].to_list() == ["=1+2"]


def _formulas(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<f>" in z.read(n)]


def test_xlsx_writers_keep_text_as_text(tmp_path):
    plain = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(plain), XLSX_OPTIONS)
    sheet = book.add_worksheet()
    for r, name in enumerate(NAMES):
        sheet.write(r, 0, name)
    book.close()
    assert _formulas(plain) == []
    assert openpyxl.load_workbook(plain).active["A1"].value == NAMES[0]

    other = tmp_path / "openpyxl.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = NAMES[0]
    openpyxl_text(wb.active["A1"])
    wb.save(other)
    assert _formulas(other) == []

    exported = write_long(pl.DataFrame({"名称": NAMES}), tmp_path / "导出.xlsx")
    assert _formulas(exported) == []
