"""The award ledger as a workbook people print and file: A4 landscape, titled, boxed, money in
万元 with two decimals, the header row repeated on every page."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gaoxin.awards.services import cap_labels
from gaoxin.engine.money import FEN_PER_WAN
from gaoxin.engine.tabular import printed
from gaoxin.engine.tabular.safe import XLSX_OPTIONS

if TYPE_CHECKING:
    from gaoxin.awards.services import AwardDecision, EligibleList


def _width(v: Any) -> int:
    """How many column-width units a cell's text takes (a CJK character takes two)."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in str(v if v is not None else ""))


def working_path(path: Path) -> Path:
    """Where the working sheet 待补数据 goes: a second file beside the printed workbook."""
    return path.with_name(f"{path.stem}-待补数据{path.suffix}")


def write_ledger_xlsx(decision: AwardDecision, path: Path) -> list[Path]:
    """The decision as a printable workbook: 台账 (every row, with the total) and 合计 (by rule
    and by funding line), each with the office lines under it (编制单位 from the pack's
    ``documents:``, 制表人, 审核人, date) and a print area; when some rows lack an input, the
    working sheet 待补数据 goes to a second file (:func:`working_path`), never printed with the
    ledger. Returns the files written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from gaoxin.engine.tabular.safe import openpyxl_text

    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDE5F0")
    wrap = Alignment(wrap_text=True, vertical="top")

    def sheet(
        ws: Any,
        title: str,
        headers: list[str],
        widths: list[int],
        rows: list[list[Any]],
        money_cols: tuple[int, ...] = (),
        total: list[Any] | None = None,
        working: bool = False,
    ) -> None:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.append([f"数据期间：{per}　政策包：{spec.id}　金额单位：万元"])
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
        ws.append(headers)
        for c in range(1, len(headers) + 1):
            cell = ws.cell(row=3, column=c)
            cell.font = Font(bold=True)
            cell.fill = head_fill
            cell.border = box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r in [*rows, *([total] if total else [])]:
            ws.append(r)
            n = ws.max_row
            # LibreOffice and Excel do not grow a row for wrapped text written by openpyxl:
            # set the height from the longest cell (a CJK character is about 2 width units).
            lines = max(-(-_width(v) // max(w - 1, 1)) for v, w in zip(r, widths, strict=True))
            ws.row_dimensions[n].height = 15 * max(lines, 1) + 4
            for c in range(1, len(headers) + 1):
                cell = ws.cell(row=n, column=c)
                openpyxl_text(cell)
                cell.border = box
                cell.alignment = wrap
                if c in money_cols:
                    cell.number_format = "#,##0.00"
                if total is not None and r is total:
                    cell.font = Font(bold=True)
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A4"
        ws.print_title_rows = "3:3"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        if not working:
            ws.print_area = f"A1:{get_column_letter(len(headers))}{ws.max_row}"
            ws.oddHeader.left.text, ws.oddHeader.right.text = office[0], office[1]
            ws.oddFooter.left.text, ws.oddFooter.right.text = office[2], office[3]

    ledger, totals, und = decision.ledger, decision.totals, decision.undetermined
    spec, per, names, ids = decision.spec, decision.period, decision.names, decision.ids

    def wan(fen: int | None) -> float | None:
        return None if fen is None else float(Decimal(fen) / FEN_PER_WAN)

    titles = {r.id: r.title or r.id for r in spec.rules}
    office = printed.office_lines(
        spec.documents.signature if spec.documents else "", "万元（金额）、条（条数）"
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    rows = [
        [
            ids.get((r["rule"], r["entity"])),
            titles.get(r["rule"], r["rule"]),
            r["article"],
            r["entity"],
            r["name"],
            wan(r["amount_fen"]) if r["outcome"] == "money" else None,
            r["action_zh"] if r["outcome"] == "action" else None,
            r["paid_in"],
            cap_labels(r["capped_by"], r["rule"], spec),
            r["text"],
        ]
        for r in ledger.to_dicts()
    ]
    sheet(
        ws,
        f"《{spec.title}》{per}年奖补与处理台账",
        [
            "编号",
            "规则",
            "条款",
            "主体代码",
            "主体名称",
            "金额（万元）",
            "处理措施",
            "兑现年度",
            "触及上限",
            "核定说明",
        ],
        [7, 26, 10, 22, 26, 13, 11, 9, 12, 70],
        rows,
        money_cols=(6,),
        total=["合计", "", "", "", "", wan(totals["total"][0]["amount_fen"]), "", "", "", ""],
    )
    ws2 = wb.create_sheet("合计")
    sheet(
        ws2,
        "按规则与资金渠道合计",
        ["类别", "规则或资金渠道", "条款", "条数", "金额（万元）"],
        [12, 40, 12, 8, 16],
        [
            ["规则", r["title"], r["article"], r["count"], wan(r["amount_fen"])]
            for r in totals["by_rule"]
        ]
        + [
            ["资金渠道", r["label"], "", r["count"], wan(r["amount_fen"])]
            for r in totals["by_budget"]
        ],
        money_cols=(5,),
        total=["合计", "", "", "", wan(totals["total"][0]["amount_fen"])],
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    written = [path]
    if und.height:
        work = Workbook()
        ws3 = work.active
        ws3.title = "待补数据"
        sheet(
            ws3,
            "缺少输入、既未核定也未否定的主体",
            ["规则", "主体代码", "主体名称", "缺少的输入"],
            [20, 24, 28, 50],
            [
                [r["rule"], r["entity"], names.get(r["entity"]), "、".join(r["missing"] or [])]
                for r in und.to_dicts()
            ],
            working=True,
        )
        work.save(working_path(path))
        written.append(working_path(path))
    return written


def write_eligible_xlsx(found: EligibleList, path: Path) -> None:
    """The 免申即享 list as a workbook: 符合条件 and 可能符合 (with the data still missing)."""
    import polars as pl
    import xlsxwriter

    from gaoxin.engine.packs.schema import ACTION_ZH

    titles, names = found.titles, found.names
    qualified = found.qualified.select(
        pl.col("rule").replace_strict(titles).alias("规则"),
        pl.col("entity").alias("主体代码"),
        pl.col("entity").replace_strict(names, default=None).alias("主体"),
        (pl.col("amount_fen").cast(pl.Float64) / FEN_PER_WAN).alias("金额（万元）"),
        pl.col("action").replace_strict(ACTION_ZH, default=None).alias("措施"),
        pl.col("text").alias("说明"),
    )
    possible = found.possible.select(
        pl.col("rule").replace_strict(titles).alias("规则"),
        pl.col("entity").alias("主体代码"),
        pl.col("entity").replace_strict(names, default=None).alias("主体"),
        pl.col("missing_labels").list.join("、").alias("缺少的数据"),
        pl.col("needs").list.join("；").alias("需满足"),
    )
    with xlsxwriter.Workbook(str(path), XLSX_OPTIONS) as wb:
        qualified.write_excel(wb, worksheet="符合条件", autofit=True)
        possible.write_excel(wb, worksheet="可能符合", autofit=True)
