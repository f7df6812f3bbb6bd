"""Workbooks fit for print (gaoxin issue #12 item 4): every sheet set up for print carries the
office lines on each printed page (编制单位 and 单位 in the header, 制表人, 审核人 and the date in
the footer, the page number kept in its centre) and prints only its table (a print area)."""

from __future__ import annotations

from datetime import date

import xlsxwriter
from openpyxl import load_workbook

from gaoxin.engine.tabular import printed


def test_close_adds_office_lines_and_print_areas(tmp_path):
    path = tmp_path / "表.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    f = printed.formats(wb)
    ws = wb.add_worksheet("表")
    ws.merge_range(0, 0, 0, 3, "标题", f.title)
    ws.write_row(2, 0, ["园区", "户数", "收入", "备注"], f.head)
    for r in range(3, 13):
        ws.write_row(r, 0, ["甲", r, 1.5, ""], f.text)
    printed.page_setup(ws, 2)
    wb.add_worksheet("草稿").write(0, 0, "x")  # not set up for print: left alone
    printed.close(wb, organ="福建省科学技术厅", unit="万元", today=date(2026, 12, 3))

    book = load_workbook(path)
    sheet = book["表"]
    assert sheet.max_row == 13  # the table's rows only: the lines are in header and footer
    assert sheet.oddHeader.left.text == "编制单位：福建省科学技术厅"
    assert sheet.oddHeader.right.text == "单位：万元"
    assert sheet.oddFooter.left.text == "制表人：" + "　" * 6 + "审核人：" + "　" * 6
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"  # page_setup's, kept
    assert sheet.oddFooter.right.text == "日期：2026年12月3日"
    assert sheet.print_area == "'表'!$A$1:$D$13"
    assert not book["草稿"].print_area and book["草稿"].oddHeader.left.text is None


def test_office_lines_leave_room_for_a_blank_organ():
    organ, unit, _, when = printed.office_lines(today=date(2026, 1, 5))
    assert organ == "编制单位：" + "　" * 6 and unit == "单位：见表头"
    assert when == "日期：2026年1月5日"
