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


def _sheet(
    ws: Any,
    title: str,
    notes: list[str],
    headers: list[str],
    widths: list[int],
    rows: list[list[Any]],
    *,
    money_cols: tuple[int, ...] = (),
    total: list[Any] | None = None,
    office: tuple[str, str, str, str] | None = None,
) -> None:
    """One boxed table under its title and notes, the header row repeated on every printed
    page; with ``office`` (the header and footer lines) a printed sheet with its print area,
    without it a working sheet: the notes wrapped, the table filterable."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from gaoxin.engine.tabular.safe import openpyxl_text

    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDE5F0")
    wrap = Alignment(wrap_text=True, vertical="top")
    working = office is None
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    for note in notes:
        ws.append([note])
        n = ws.max_row
        ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=len(headers))
        if working:  # the working file's 说明: wrapped over the table's width
            ws.cell(row=n, column=1).alignment = wrap
            ws.row_dimensions[n].height = 15 * max(-(-_width(note) // sum(widths)), 1) + 4
    head = ws.max_row + 1
    ws.append(headers)
    for c in range(1, len(headers) + 1):
        cell = ws.cell(row=head, column=c)
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
    ws.freeze_panes = f"A{head + 1}"
    ws.print_title_rows = f"{head}:{head}"
    if working:  # a list to filter, not a page to print
        ws.auto_filter.ref = f"A{head}:{get_column_letter(len(headers))}{ws.max_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if office is not None:
        ws.print_area = f"A1:{get_column_letter(len(headers))}{ws.max_row}"
        ws.oddHeader.left.text, ws.oddHeader.right.text = office[0], office[1]
        ws.oddFooter.left.text, ws.oddFooter.right.text = office[2], office[3]


def write_ledger_xlsx(decision: AwardDecision, path: Path, *, working: bool = True) -> list[Path]:
    """The decision as a printable workbook: 台账 (every row, with the total) and 合计 (by rule
    and by funding line), each with the office lines under it (编制单位 from the pack's
    ``documents:``, 制表人, 审核人, date) and a print area; when some rows lack an input and
    ``working``, the working file 待补数据 (:func:`write_working_xlsx`) goes beside it
    (:func:`working_path`), never printed with the ledger. Returns the files written."""
    from openpyxl import Workbook

    ledger, totals, und = decision.ledger, decision.totals, decision.undetermined
    spec, per, ids = decision.spec, decision.period, decision.ids

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
    subtitle = [f"数据期间：{per}　政策包：{spec.id}　金额单位：万元"]
    _sheet(
        ws,
        f"《{spec.title}》{per}年奖补与处理台账",
        subtitle,
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
        office=office,
    )
    ws2 = wb.create_sheet("合计")
    _sheet(
        ws2,
        "按规则与资金渠道合计",
        subtitle,
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
        office=office,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    if und.is_empty() or not working:
        return [path]
    return [path, write_working_xlsx(decision, working_path(path))]


def write_working_xlsx(decision: AwardDecision, path: Path) -> Path:
    """The working file 待补数据 of a decision with undetermined rows: 汇总 (a 说明, then per
    rule and missing input the entities waiting, where the data comes from and what to do)
    and 明细 (one row per rule and entity), filterable, in the pack's words."""
    from openpyxl import Workbook

    spec, per, und = decision.spec, decision.period, decision.undetermined
    summary, detail = _working_rows(decision)
    noun = f"{per} 年" if per.kind == "year" else str(per)
    where = decision.scope.name if decision.scope is not None else "全部数据"
    work = Workbook()
    _sheet(
        work.active,
        f"《{spec.title}》{noun}奖补测算：待补数据",
        [
            f"说明：测算范围「{where}」内，{und['entity'].n_unique():,} 个主体的 {und.height:,} "
            "条记录因缺少下列数据，既未核定也未否定（不是“不符合”）。按“怎样补齐”补上数据后"
            "重新测算，这些记录即有结果。",
            "本表按条款和缺少的数据汇总；工作表「明细」逐条列出主体（可按列筛选）。"
            "本文件是工作表，不随台账打印。",
        ],
        [
            "规则",
            "条款",
            "缺少的数据",
            "单位或取值",
            "数据从哪里来、由谁提供",
            "涉及主体数",
            "怎样补齐",
        ],
        [26, 11, 24, 11, 40, 10, 56],
        summary,
    )
    work.active.title = "汇总"
    _sheet(
        work.create_sheet("明细"),
        "缺少数据、既未核定也未否定的记录",
        [f"数据期间：{per}　每行为一个条款和一个主体；怎样补齐见工作表「汇总」。"],
        ["规则", "条款", "主体代码", "主体名称", "未能确定", "缺少的数据"],
        [30, 11, 22, 32, 14, 36],
        detail,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    work.save(path)
    return path


def _working_rows(decision: AwardDecision) -> tuple[list[list[Any]], list[list[Any]]]:
    """The rows of the working file 待补数据: 汇总, one per rule and missing input
    (:meth:`AwardDecision.missing_inputs`), and 明细, one per rule and entity, in the pack's
    order of rules, with the inputs' labels."""
    import polars as pl

    missing = decision.missing_inputs()
    summary = [
        [m.title, m.article, m.label, m.unit, m.origin, m.entities, m.remedy] for m in missing
    ]
    labels = {(m.rule, m.input): m.label for m in missing}
    titles = {m.rule: (m.title, m.article) for m in missing}
    order = {r.id: n for n, r in enumerate(decision.spec.rules)}
    input_order = {i.id: n for n, i in enumerate(decision.spec.inputs)}
    und = decision.undetermined.sort(
        pl.col("rule").replace_strict(order, default=len(order)), "rule", "entity"
    )
    detail = [
        [
            *titles.get(r["rule"], ("", "")),
            r["entity"],
            decision.names.get(r["entity"]),
            _UNDECIDED_ZH.get(r["reason"], ""),
            "、".join(
                labels[(r["rule"], m)]
                for m in sorted(r["missing"] or [None], key=lambda m: input_order.get(m, 0))
            ),
        ]
        for r in und.to_dicts()
    ]
    return summary, detail


#: What a missing input left undecided (the engine's ``reason``).
_UNDECIDED_ZH = {"condition": "是否符合条件", "amount": "奖补金额"}


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


#: The words of each kind of entity in a template's 主体类型 column.
KIND_ZH = {
    "region": "行政区",
    "zone": "高新区",
    "enterprise": "企业",
    "institution": "机构",
    "science_city": "科技城",
}
_TYPE_ZH = {"number": "数字", "bool": "是/否", "string": "文本"}


def input_header(inp: Any) -> str:
    """The column header of a supplied input, as :func:`read_supplied` reads it back."""
    return f"{inp.label}（{inp.unit}）" if inp.unit else inp.label


def write_inputs_template(
    template: Any,
    path: Path,
    *,
    title: str,
    values: Any = None,
    notes: tuple[str, ...] = (),
) -> Path:
    """The file a user fills with a pack's supplied inputs (decision 082): sheet 填写 has 主体代码,
    主体名称, 主体类型 and one column per input (its Chinese label and unit), one row per entity of
    ``template`` (:class:`gaoxin.awards.services.InputsTemplate`); each input's cells offer its
    values (是/否, the pack's ``values``) or take a number, and are grey where the input is not
    given for that kind of entity. Sheet 填写说明 lists each input's meaning, type, values and the
    kinds it is for, then ``notes``. ``values``: a frame (``entity`` and a column per input id)
    prefilled, as the demo's example does. The file reads back with ``--inputs`` unchanged."""
    import polars as pl
    import xlsxwriter

    entities = template.entities
    if values is not None:
        entities = entities.join(values, on="entity", how="left")
    n = entities.height
    with xlsxwriter.Workbook(str(path), XLSX_OPTIONS) as book:
        head = book.add_format(
            {"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True}
        )
        text = book.add_format({"num_format": "@"})
        grey = book.add_format({"bg_color": "#D9D9D9"})
        sheet = book.add_worksheet("填写")
        headers = ["主体代码", "主体名称", "主体类型", *(input_header(i) for i in template.inputs)]
        sheet.write_row(0, 0, headers, head)
        sheet.set_row(0, 36)
        sheet.freeze_panes(1, 2)
        sheet.set_column(0, 0, 22, text)
        sheet.set_column(1, 1, 36)
        sheet.set_column(2, 2, 10)
        sheet.set_column(3, max(len(headers) - 1, 3), 20)
        sheet.write_column(1, 0, entities["entity"].to_list(), text)
        sheet.write_column(1, 1, entities["name"].to_list())
        sheet.write_column(1, 2, entities["kind"].replace_strict(KIND_ZH, default=None).to_list())
        for c, inp in enumerate(template.inputs, start=3):
            applies = entities["kind"].is_in(template.kinds[inp.id])
            if inp.id in entities.columns:
                col = entities[inp.id]
                if inp.type == "bool":
                    col = col.replace_strict({True: "是", False: "否"}, return_dtype=pl.String)
                sheet.write_column(1, c, col.to_list())  # None leaves a cell blank
            for r in (applies.not_().arg_true() + 1).to_list():
                sheet.write_blank(r, c, None, grey)
            if n == 0:
                continue
            choices = ["是", "否"] if inp.type == "bool" else inp.values
            note = (inp.note or inp.label)[:255]
            rule: dict[str, Any] = (
                {"validate": "list", "source": choices}
                if choices
                else {
                    "validate": "decimal",
                    "criteria": "between",
                    "minimum": -1e15,
                    "maximum": 1e15,
                }
                if inp.type == "number"
                else {"validate": "any"}
            )
            sheet.data_validation(
                1,
                c,
                n,
                c,
                {
                    **rule,
                    "input_title": inp.label[:32],
                    "input_message": note,
                    **(
                        {"error_title": "数值无效", "error_message": _allowed(inp)[:255]}
                        if rule["validate"] != "any"
                        else {}
                    ),
                },
            )
        about = book.add_worksheet("填写说明")
        about.write_row(0, 0, [title], head)
        about.write_row(2, 0, ["列名", "输入变量", "类型", "可填的值", "适用主体", "说明"], head)
        for r, inp in enumerate(template.inputs, start=3):
            about.write_row(
                r,
                0,
                [
                    input_header(inp),
                    inp.id,
                    _TYPE_ZH[inp.type],
                    _allowed(inp),
                    "、".join(KIND_ZH.get(k, k) for k in template.kinds[inp.id]),
                    inp.note or "",
                ],
            )
        r = 4 + len(template.inputs)
        for line in (
            "每个主体一行；主体代码不要改动，主体名称和主体类型只供核对。",
            "不填的单元格为缺失：相关规则不会按“否”或 0 测算，而是列入测算结果的“待补数据”。",
            "灰色单元格：该输入不适用于这类主体，请留空。",
            *notes,
        ):
            about.write(r, 0, line)
            r += 1
        about.set_column(0, 0, 40)
        about.set_column(1, 4, 16)
        about.set_column(5, 5, 60)
    return path


def _allowed(inp: Any) -> str:
    """What a cell of ``inp`` may hold, in words."""
    if inp.type == "bool":
        return "是、否"
    if inp.values:
        return "、".join(inp.values)
    if inp.type == "number":
        return f"数字（{inp.unit}）" if inp.unit else "数字"
    return "文本"
