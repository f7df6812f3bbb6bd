"""The printed look: the formats and page setup every printed workbook shares, read back as
Excel (openpyxl) sees them."""

import openpyxl
import xlsxwriter

from gaoxin.engine.tabular import printed


def _write(path, **setup):
    wb = xlsxwriter.Workbook(str(path))
    look = printed.formats(wb, note={"align": "left"})
    ws = wb.add_worksheet("表")
    ws.merge_range(0, 0, 0, 2, "标题", look.title)
    ws.write(1, 0, "说明", look.note)
    for c, name in enumerate(("园区", "营业收入", "说明")):
        ws.write(2, c, name, look.head)
    ws.write(3, 0, "兰州高新区", look.text)
    ws.write(3, 1, 1234.5, look.cell(num_format="#,##0.00"))
    ws.write(3, 2, "很长的一段说明", look.wrapped)
    printed.page_setup(ws, setup.pop("rows", 2), **setup)
    wb.close()
    return openpyxl.load_workbook(path)["表"]


def test_formats_are_the_printed_look(tmp_path):
    ws = _write(tmp_path / "a.xlsx")
    title, note, head = ws["A1"], ws["A2"], ws["B3"]
    assert (title.font.name, title.font.sz, title.font.b) == ("SimSun", 16, True)
    assert (title.alignment.horizontal, title.alignment.vertical) == ("center", "center")
    assert (note.font.sz, note.alignment.horizontal, note.border.left.style) == (9, "left", None)
    assert (head.font.b, head.alignment.wrap_text, head.border.bottom.style) == (True, True, "thin")
    assert head.fill.fgColor.rgb == "FFDDEBF7"
    text, number, wrapped = ws["A4"], ws["B4"], ws["C4"]
    assert (text.font.name, text.font.sz, text.border.top.style) == ("SimSun", 10, "thin")
    assert not text.alignment.wrap_text and wrapped.alignment.wrap_text
    assert (number.value, number.number_format) == (1234.5, "#,##0.00")


def test_page_setup_is_a4_landscape_one_page_wide_with_page_numbers(tmp_path):
    ws = _write(tmp_path / "a.xlsx", rows=(1, 2), footer="监测表　")
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation) == (9, "landscape")
    # fitToWidth is left out of the file when 1, Excel's default
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$2:$3"  # rows 1..2 counted from 0
    assert (ws.page_margins.left, ws.page_margins.top, ws.page_margins.bottom) == (0.4, 0.6, 0.6)
    assert not ws.print_options.horizontalCentered
    assert ws.oddFooter.center.text == "监测表　第 &P 页，共 &N 页"


def test_page_setup_portrait_centred_and_not_fitted(tmp_path):
    ws = _write(tmp_path / "a.xlsx", landscape=False, fit_width=False, top=0.5, centre=True)
    assert ws.page_setup.orientation == "portrait"
    assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$3"  # one row given as an int
    assert (ws.page_margins.top, ws.print_options.horizontalCentered) == (0.5, True)
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
