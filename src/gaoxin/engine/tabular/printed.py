"""The look of a workbook meant to be printed and filed (monitoring tables, target progress,
evaluation results, task ledgers): xlsxwriter formats in SimSun and the A4 page setup.

One place for it, so every printed table looks the same: a 16 pt bold centred title, a 9 pt
note line, bold centred wrapped headers with a light-blue fill, bordered cells; A4 landscape
fitted to the page width, the header rows repeated on every page, 第 &P 页，共 &N 页 in the
footer. A writer adds what is its own (number formats, fills) with :meth:`Formats.cell`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
