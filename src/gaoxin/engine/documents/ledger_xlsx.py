"""The task ledger (任务分解表) as an XLSX workbook, laid out as zone divisions keep them.

A title row, then 序号 / 重点任务 / 具体措施 / 牵头单位 / 参与单位 / 完成时限 / 资金（万元）;
wrapped text, frozen header, landscape A4 with the header row repeated on every page.
A second sheet lists the quantitative targets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from gaoxin.engine.documents.model import Document, Measure
from gaoxin.engine.tabular import printed

COLUMNS = [
    ("序号", 6),
    ("重点任务", 24),
    ("具体措施", 72),
    ("牵头单位", 26),
    ("参与单位", 30),
    ("完成时限", 12),
    ("资金（万元）", 14),
]
TARGET_COLUMNS = [
    ("序号", 6),
    ("条目", 12),
    ("年份", 8),
    ("指标", 40),
    ("比较", 8),
    ("目标值", 10),
    ("单位", 8),
    ("原文", 60),
]
_COMPARATORS = {
    ">=": "不低于",
    ">": "超过",
    "=": "达到",
    "double": "倍增",
    "full_coverage": "全覆盖",
}


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.0f}"


def measure_text(doc: Document, m: Measure) -> str:
    """The measure's text for the 具体措施 column: without its title sentence and unit list."""
    text = m.text
    if m.units_span:
        units_clause = doc.text[m.units_span[0] : m.units_span[1]]
        text = text.replace(units_clause.strip(), "").rstrip()
    if m.title and text.startswith(m.title):
        text = text[len(m.title) :].lstrip("。：:.． \n")
    return text or m.text


ExtraColumn = tuple[str, int, Sequence[str]]


LINE_POINTS = 13.5  # one line of 10-point 宋体, with leading


def row_height(texts: Sequence[str], widths: Sequence[float]) -> float:
    """Points a row needs so that every wrapped cell shows all its text when printed.

    xlsxwriter cannot measure text, and LibreOffice keeps the default height of rows written
    without one, so a ledger printed from it showed one line of each measure. A CJK character
    is about two width units of a column, other characters one."""
    lines = 1
    for text, width in zip(texts, widths, strict=True):
        units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
        lines = max(lines, -(-units // max(int(width) - 1, 1)))
    return lines * LINE_POINTS + 4


def write_ledger(
    doc: Document, path: str | Path, extra_columns: Sequence[ExtraColumn] = ()
) -> Path:
    """Write ``doc`` as a task ledger workbook at ``path``.

    ``extra_columns`` are appended after 资金（万元）: (header, width, one value per measure in
    order), e.g. the current status and latest note that the stored ledger tracks.
    """
    path = Path(path)
    for name, _, values in extra_columns:
        if len(values) != len(doc.measures):
            raise ValueError(
                f"extra column {name!r}: {len(values)} values, {len(doc.measures)} measures"
            )
    columns = COLUMNS + [(name, width) for name, width, _ in extra_columns]
    from gaoxin.engine.tabular.safe import XLSX_OPTIONS

    wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    title_fmt = wb.add_format(
        {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter", "font_name": "宋体"}
    )
    sub_fmt = wb.add_format(
        {"font_size": 10, "align": "center", "valign": "vcenter", "font_name": "宋体"}
    )
    head_fmt = wb.add_format(
        {
            "bold": True,
            "align": "center",
            "valign": "vcenter",
            "border": 1,
            "bg_color": "#D9E1F2",
            "text_wrap": True,
            "font_name": "黑体",
        }
    )
    cell_fmt = wb.add_format(
        {"text_wrap": True, "valign": "top", "border": 1, "font_name": "宋体", "font_size": 10}
    )
    centre_fmt = wb.add_format(
        {
            "text_wrap": True,
            "valign": "top",
            "align": "center",
            "border": 1,
            "font_name": "宋体",
            "font_size": 10,
        }
    )
    money_fmt = wb.add_format(
        {
            "valign": "top",
            "align": "right",
            "border": 1,
            "num_format": "#,##0.00",  # 万元 with two decimals (not 50. for a whole amount)
            "font_size": 10,
        }
    )

    ws = wb.add_worksheet("任务分解表")
    for col, (_, width) in enumerate(columns):
        ws.set_column(col, col, width)
    last_col = len(columns) - 1
    title = doc.title or "政策文件"
    ws.merge_range(0, 0, 0, last_col, f"《{title}》任务分解表", title_fmt)
    ws.set_row(0, 32)
    about = "　".join(x for x in (doc.issuer, doc.doc_number, doc.issued) if x)
    ws.merge_range(1, 0, 1, last_col, about, sub_fmt)
    header_row = 2
    for col, (name, _) in enumerate(columns):
        ws.write(header_row, col, name, head_fmt)
    for i, m in enumerate(doc.measures, start=1):
        row = header_row + i
        ws.write_number(row, 0, i, centre_fmt)
        ws.write_string(row, 1, f"{m.number} {m.title}".strip(), cell_fmt)
        ws.write_string(row, 2, measure_text(doc, m), cell_fmt)
        ws.write_string(row, 3, "、".join(m.lead_units), cell_fmt)
        ws.write_string(row, 4, "、".join(m.participating_units), cell_fmt)
        ws.write_string(row, 5, m.deadline or "", centre_fmt)
        amounts = m.amounts_wan
        if len(amounts) == 1:
            ws.write_number(row, 6, amounts[0], money_fmt)
        else:
            ws.write_string(row, 6, "；".join(_number(a) for a in amounts), cell_fmt)
        for col, (_, _, values) in enumerate(extra_columns, start=len(COLUMNS)):
            ws.write_string(row, col, values[i - 1], cell_fmt)
        texts = [
            f"{m.number} {m.title}",
            measure_text(doc, m),
            "、".join(m.lead_units),
            "、".join(m.participating_units),
            m.deadline or "",
            *(values[i - 1] for _, _, values in extra_columns),
        ]
        widths = [columns[c][1] for c in (1, 2, 3, 4, 5, *range(len(COLUMNS), len(columns)))]
        ws.set_row(row, row_height(texts, widths))
    ws.freeze_panes(header_row + 1, 0)
    ws.autofilter(header_row, 0, header_row + max(len(doc.measures), 1), last_col)
    printed.page_setup(ws, header_row)

    ts = wb.add_worksheet("发展目标")
    for col, (name, width) in enumerate(TARGET_COLUMNS):
        ts.set_column(col, col, width)
        ts.write(0, col, name, head_fmt)
    for i, t in enumerate(doc.targets, start=1):
        ts.write_number(i, 0, i, centre_fmt)
        ts.write_string(i, 1, "".join(t.path), cell_fmt)
        ts.write(i, 2, t.year if t.year else "", centre_fmt)
        ts.write_string(i, 3, t.indicator or "", cell_fmt)
        ts.write_string(i, 4, _COMPARATORS.get(t.comparator or "", t.comparator or ""), centre_fmt)
        ts.write(i, 5, t.value if t.value is not None else "", cell_fmt)
        ts.write_string(i, 6, t.unit or "", centre_fmt)
        ts.write_string(i, 7, re.sub(r"\s+", " ", t.text), cell_fmt)
    ts.freeze_panes(1, 0)
    printed.page_setup(ts, 0)
    printed.close(wb)
    return path
