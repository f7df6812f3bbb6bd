"""The look of a workbook meant to be printed and filed (monitoring tables, target progress,
evaluation results, task ledgers): xlsxwriter formats in SimSun and the A4 page setup.

One place for it, so every printed table looks the same: a 16 pt bold centred title, a 9 pt
note line, bold centred wrapped headers with a light-blue fill, bordered cells; A4 landscape
fitted to the page width, the header rows repeated on every page, 第 &P 页，共 &N 页 in the
footer. A writer adds what is its own (number formats, fills) with :meth:`Formats.cell`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

FONT: dict[str, Any] = {"font_name": "SimSun", "font_size": 10}
HEADER_FILL = "#DDEBF7"
FOOTER = "第 &P 页，共 &N 页"


@dataclass
class Formats:
    """The shared formats of one workbook; ``cell(**props)`` adds a bordered cell format in the
    workbook's font with ``props`` on top (``num_format``, ``align``, ``bg_color``, ...)."""

    workbook: Any
    font: dict[str, Any]
    title: Any = field(init=False)
    note: Any = field(init=False)
    head: Any = field(init=False)
    text: Any = field(init=False)
    wrapped: Any = field(init=False)

    def add(self, **props: Any) -> Any:
        """A format in the workbook's font with ``props`` on top (no border)."""
        return self.workbook.add_format({**self.font, **props})

    def cell(self, **props: Any) -> Any:
        """A bordered cell format in the workbook's font with ``props`` on top."""
        return self.add(border=1, **props)


def formats(
    workbook: Any,
    *,
    font: dict[str, Any] | None = None,
    title: dict[str, Any] | None = None,
    note: dict[str, Any] | None = None,
) -> Formats:
    """The printed formats of ``workbook``. ``font`` is added to SimSun 10 pt for every format
    (e.g. ``{"valign": "vcenter"}``); ``title`` and ``note`` add to those two formats."""
    f = Formats(workbook, {**FONT, **(font or {})})
    f.title = f.add(bold=True, font_size=16, align="center", valign="vcenter", **(title or {}))
    f.note = f.add(font_size=9, **(note or {}))
    f.head = f.cell(
        bold=True, align="center", valign="vcenter", text_wrap=True, bg_color=HEADER_FILL
    )
    f.text = f.cell()
    f.wrapped = f.cell(text_wrap=True)
    return f


def page_setup(
    worksheet: Any,
    header_rows: int | tuple[int, int],
    *,
    landscape: bool = True,
    fit_width: bool = True,
    top: float = 0.6,
    bottom: float = 0.6,
    centre: bool = False,
    footer: str = "",
) -> None:
    """A4, landscape (or portrait), fitted to one page wide and as many long as needed
    (``fit_width``), ``header_rows`` (a row or a first, last pair, 0-based) repeated on every
    page, margins 0.4 in left and right, and the page numbers centred in the footer after
    ``footer`` (e.g. the table's title)."""
    rows = (header_rows, header_rows) if isinstance(header_rows, int) else header_rows
    worksheet.set_paper(9)  # A4
    if landscape:
        worksheet.set_landscape()
    else:
        worksheet.set_portrait()
    if fit_width:
        worksheet.fit_to_pages(1, 0)
    worksheet.repeat_rows(*rows)
    worksheet.set_margins(left=0.4, right=0.4, top=top, bottom=bottom)
    if centre:
        worksheet.center_horizontally()
    worksheet.set_footer(f"&C{footer}{FOOTER}")
    worksheet.gaoxin_printed = True  # read by close(): this sheet is meant for print


def office_lines(
    organ: str = "", unit: str = "", today: date | None = None
) -> tuple[str, str, str, str]:
    """The lines a Chinese office expects on a printed table: 编制单位, 单位, 制表人 and 审核人,
    and the date. A blank organ leaves room to write it in by hand."""
    when = today or date.today()
    blank = "　" * 6
    return (
        f"编制单位：{organ or blank}",
        f"单位：{unit or '见表头'}",
        f"制表人：{blank}审核人：{blank}",
        f"日期：{when.year}年{when.month}月{when.day}日",
    )


def close(workbook: Any, *, organ: str = "", unit: str = "", today: date | None = None) -> None:
    """Close ``workbook`` after giving every sheet set up by :func:`page_setup` the office lines
    (:func:`office_lines`) on every printed page: 编制单位 and 单位 in the page header, 制表人 and
    审核人 on the footer's left and the date on its right (the page number stays in the centre),
    and a print area that is the table itself (nothing right of it or below it prints). The
    lines are in the header and footer, not in cells, so that a table read back by a program has
    only its rows (decision 039). Other sheets are left as they are."""
    organ_text, unit_text, who, when = office_lines(organ, unit, today)
    for ws in workbook.worksheets():
        if not getattr(ws, "gaoxin_printed", False):
            continue
        ws.print_area(0, 0, ws.dim_rowmax or 0, ws.dim_colmax or 0)
        ws.set_header(f"&L{organ_text}&R{unit_text}")
        ws.set_footer(f"&L{who}{ws.footer}&R{when}")
    workbook.close()
