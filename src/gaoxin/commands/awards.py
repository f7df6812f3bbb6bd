"""`gaoxin awards` and `gaoxin explain`: run a pack's rules on the store, record the award ledger,
and explain one entry — the article, each input and where it came from, the caps, the receipt."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gaoxin.commands.packs_common import (
    evaluation_history,
    find_pack,
    pack_scope,
    parameters,
    runnable_rules,
    say_scope,
)
from gaoxin.engine.clock import local_text
from gaoxin.engine.money import FEN_PER_WAN
from gaoxin.engine.problems import Problem, ProblemsError

if TYPE_CHECKING:
    import polars as pl

    from gaoxin.engine.packs import LoadedPack

console = Console(soft_wrap=True)
STEP_ZH = {
    "raw": "按公式计算",
    "tiered_fen": "按阶梯、舍入后",
    "floor_fen": "下限",
    "cap_fen": "上限",
    "capped_fen": "适用上下限后",
    "rule_cap_fen": "本条款年度总额",
    "after_rule_cap_fen": "按本条款年度总额核减后",
}
CAP_ZH = {"cap": "单个主体上限", "rule_cap": "本条款年度总额", "once": "一次性奖励已发放"}


def _wan(fen: int | None) -> str:
    return "" if fen is None else f"{Decimal(fen) / FEN_PER_WAN:,.2f}"


def _raw(v: Any) -> str:
    """A formula's Float64 result as the engine snaps it (10⁻⁸ 万元, gaoxin.engine.money):
    63.423300000000005 reads 63.4233."""
    if not isinstance(v, int | float):
        return str(v)
    return f"{v:,.8f}".rstrip("0").rstrip(".")


def _fail(problems: list[Problem], title: str) -> typer.Exit:
    console.print(f"[red]{escape(title)}[/red]")
    for p in problems:
        console.print(f"  • {escape(str(p))}")
    return typer.Exit(1)


def _pack_hash(d: Path) -> str:
    try:  # one definition for evaluation runs and awards (gaoxin.evaluation)
        from gaoxin.evaluation.frameworks import pack_hash
    except ImportError:  # pragma: no cover - the evaluation app not installed
        import hashlib

        return hashlib.sha256((d / "pack.yaml").read_bytes()).hexdigest()
    return pack_hash(d)


def _paid_before(pack_id: str, period: str) -> pl.DataFrame:
    import polars as pl

    from gaoxin.awards.models import AwardEntry

    rows = list(
        AwardEntry.objects.standing()
        .filter(pack=pack_id, outcome="money", amount_fen__gt=0)
        .exclude(period=period)
        .values_list("rule", "entity__code", "period")
    )
    return pl.DataFrame(
        rows, schema={"rule": pl.String, "entity": pl.String, "period": pl.String}, orient="row"
    )


def awards(
    pack: Annotated[str, typer.Option("--pack", help="政策包（目录名或 id，如 gansu）")],
    period: Annotated[str, typer.Option("--period", help="数据期间，如 2025")],
    inputs: Annotated[
        Path | None,
        typer.Option("--inputs", help="用户提供的输入（XLSX/CSV：每个主体一行，中文表头）"),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="另存台账 XLSX")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="另存台账 JSON")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="设定政策原文未定的参数，如 --param top_rank_award=50"),
    ] = None,
    decided_on: Annotated[
        str | None, typer.Option("--decided-on", help="核定日期 YYYY-MM-DD（默认今天）")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只计算和显示，不记入台账")] = False,
    scope: Annotated[
        str | None,
        typer.Option(
            "--scope", help="辖区或园区代码，如 620000；全国 为登记库全部（默认：政策包的适用范围）"
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="终端最多显示的台账行数")] = 40,
) -> None:
    """按政策包核定奖补与处理措施：读取数据与评价结果，记入台账（只增不改），显示预算合计。"""
    from gaoxin.commands.django_env import setup

    setup()
    import polars as pl

    import gaoxin
    from gaoxin.awards.ledger import Receipt, record
    from gaoxin.engine.packs.bindings import (
        evaluations_needed,
        read_supplied,
        rules_frame,
    )
    from gaoxin.engine.periods import Period, PeriodError
    from gaoxin.engine.rules import run_rules
    from gaoxin.statistics.facts import engine_facts

    try:
        try:
            per = Period.parse(period)
        except PeriodError as e:
            raise ProblemsError([Problem("awards.period", str(e), value=period)]) from None
        from django.utils import timezone

        day = date.fromisoformat(decided_on) if decided_on else timezone.localdate()
        loaded = find_pack(pack)
        spec = loaded.spec
        given = parameters(param)
        supplied = read_supplied(inputs, spec) if inputs is not None else None
        in_scope = pack_scope(spec.region, scope, f"《{spec.title}》")
        say_scope(console, in_scope)
        where = in_scope.entity
        facts = engine_facts(where)
        hist, _runs = evaluation_history(evaluations_needed(loaded, per), where)
        bound = rules_frame(
            loaded,
            facts,
            per,
            hist,
            supplied,
            supplied_name=inputs.name if inputs else "输入文件",
            scope=scope,
        )
        ok, skipped = runnable_rules(loaded, given)
        outcomes = run_rules(
            loaded,
            bound.frame,
            per,
            parameters=given,
            rules=ok,
            paid_before=_paid_before(spec.id, str(per)),
        )
    except ProblemsError as e:
        raise _fail(e.problems, "未能核定，台账未改动：") from None
    except ValueError as e:
        raise _fail([Problem("awards.input", str(e))], "未能核定，台账未改动：") from None

    names = dict(bound.frame.select("entity", "name").iter_rows())
    ledger = outcomes.traces.with_columns(
        name=pl.col("entity").replace_strict(names, default=None)
    ).sort("rule", "entity")
    totals = _totals(ledger, spec)
    ids: dict[tuple[str, str], int] = {}
    note = "[dim]--dry-run：未记入台账[/dim]"
    if not dry_run:
        from gaoxin.awards.models import AwardEntry

        receipt = Receipt(
            spec.id,
            _pack_hash(loaded.path) if loaded.path else "",
            f"gaoxin {gaoxin.__version__}",
            facts.input_hash,
            bound.runs,
        )
        try:
            rec = record(outcomes, bound, receipt, str(per), decided_on=day, parameters=given)
        except ProblemsError as e:
            raise _fail(e.problems, "未能记入台账：") from None
        standing = AwardEntry.objects.standing().filter(pack=spec.id, period=str(per))
        ids = {(r, c): i for r, c, i in standing.values_list("rule", "entity__code", "id")}
        note = (
            f"已记入台账：新增 {len(rec.added)} 条，冲销 {len(rec.reversals)} 条，"
            f"未变 {rec.unchanged} 条。用 [bold]gaoxin explain 编号[/bold] 查看任一条的依据。"
        )
    _print_ledger(ledger, spec, per, limit, ids)
    _print_totals(totals)
    _print_undetermined(outcomes.undetermined, loaded, bound)
    if skipped:
        console.print(
            "[yellow]未运行的规则[/yellow]（政策原文未定金额或名次线，请用 --param 设定）："
        )
        for rid, need in skipped.items():
            console.print(f"  • {rid}：需要 {'、'.join(need)}")
    console.print(note)
    if out is not None:
        _write_xlsx(out, ledger, totals, outcomes.undetermined, spec, per, names, ids)
        console.print(f"台账已另存：{out}")
    if json_out is not None:
        _write_json(json_out, ledger, totals, outcomes.undetermined, spec, per, ids, bound)
        console.print(f"JSON 已另存：{json_out}")


def _caps(capped_by: list[str] | None, rule_id: str, spec: Any) -> str:
    """The limits that bit, in the words of the pack: the rule's own cap label, budget labels."""
    names = dict(CAP_ZH) | {f"budget:{b.id}": b.label for b in spec.budgets}
    rule = next((r for r in spec.rules if r.id == rule_id), None)
    if rule is not None and rule.money is not None:
        names["cap"] = rule.money.cap_label
    return "、".join(names.get(c, c) for c in capped_by or [])


def _width(v: Any) -> int:
    """How many column-width units a cell's text takes (a CJK character takes two)."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in str(v if v is not None else ""))


def _value(v: Any) -> str:
    if v is None:
        return "缺失"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _outcome_text(row: dict[str, Any]) -> str:
    if row["outcome"] == "money":
        return f"{_wan(row['amount_fen'])} 万元"
    return row["action_zh"] or row["action"] or ""


def _print_ledger(
    ledger: pl.DataFrame, spec: Any, per: Any, limit: int, ids: dict[tuple[str, str], int]
) -> None:
    t = Table(title=f"《{spec.title}》{per} 年核定结果（{ledger.height} 条）", show_lines=False)
    columns: tuple[tuple[str, dict[str, Any]], ...] = (
        ("编号", {"justify": "right"}),
        ("规则", {}),
        ("条款", {}),
        ("主体", {"overflow": "fold"}),
        ("结果", {"justify": "right"}),
        ("兑现年度", {"justify": "right"}),
        ("触及上限", {}),
    )
    for c, kw in columns:
        t.add_column(c, **kw)
    for row in ledger.head(limit).to_dicts():
        t.add_row(
            str(ids.get((row["rule"], row["entity"]), "")),
            row["rule"],
            row["article"],
            f"{row['name'] or ''} {row['entity']}",
            _outcome_text(row),
            str(row["paid_in"] or ""),
            _caps(row["capped_by"], row["rule"], spec),
        )
    console.print(t)
    if ledger.height > limit:
        console.print(
            f"[dim]另有 {ledger.height - limit} 条未显示（--limit 或 --out 导出全部）[/dim]"
        )


def _totals(ledger: pl.DataFrame, spec: Any) -> dict[str, list[dict[str, Any]]]:
    """Money by rule, and by the pack's budget lines (the rules each line covers)."""
    import polars as pl

    money = ledger.filter(pl.col("outcome") == "money")
    by_rule = []
    for r in spec.rules:
        rows = ledger.filter(pl.col("rule") == r.id)
        if r.money is None and rows.is_empty():
            continue
        by_rule.append(
            {
                "rule": r.id,
                "title": r.title or r.id,
                "article": r.cite.article,
                "count": rows.height,
                "amount_fen": int(rows["amount_fen"].fill_null(0).sum()) if r.money else None,
            }
        )
    by_budget = []
    for b in spec.budgets:
        members = b.rules if b.rules is not None else [r.id for r in spec.rules if r.money]
        rows = money.filter(pl.col("rule").is_in(members))
        by_budget.append(
            {
                "budget": b.id,
                "label": b.label,
                "count": rows.height,
                "amount_fen": int(rows["amount_fen"].fill_null(0).sum()),
            }
        )
    on_a_line = {
        r for b in spec.budgets for r in (b.rules or [x.id for x in spec.rules if x.money])
    }
    off = money.filter(~pl.col("rule").is_in(sorted(on_a_line)))
    if by_budget and off.height:
        by_budget.append(
            {
                "budget": None,
                "label": "原文未列明资金渠道",
                "count": off.height,
                "amount_fen": int(off["amount_fen"].fill_null(0).sum()),
            }
        )
    total = int(money["amount_fen"].fill_null(0).sum())
    return {"by_rule": by_rule, "by_budget": by_budget, "total": [{"amount_fen": total}]}


def _print_totals(totals: dict[str, list[dict[str, Any]]]) -> None:
    t = Table(title="按规则合计")
    for c in ("规则", "条款", "条数", "金额（万元）"):
        t.add_column(c, justify="right" if c in ("条数", "金额（万元）") else "left")
    for r in totals["by_rule"]:
        amount = _wan(r["amount_fen"]) if r["amount_fen"] is not None else "（处理措施）"
        t.add_row(r["title"], r["article"], str(r["count"]), amount)
    t.add_row("[bold]合计[/bold]", "", "", f"[bold]{_wan(totals['total'][0]['amount_fen'])}[/bold]")
    console.print(t)
    if totals["by_budget"]:
        b = Table(title="按资金渠道（预算）合计")
        for c in ("资金渠道", "条数", "金额（万元）"):
            b.add_column(c)
        for r in totals["by_budget"]:
            b.add_row(r["label"], str(r["count"]), _wan(r["amount_fen"]))
        console.print(b)
    else:
        console.print("[dim]本政策包未规定资金渠道（budgets），不分渠道合计。[/dim]")


def _print_undetermined(und: pl.DataFrame, pack: LoadedPack, bound: Any) -> None:
    import polars as pl

    if und.is_empty():
        return
    labels = {i.id: i.label for i in pack.spec.inputs}
    by = (
        und.explode("missing")
        .group_by("rule", "missing")
        .agg(pl.len().alias("n"), pl.col("entity").head(3).alias("e"))
        .sort("rule", "missing")
    )
    t = Table(title=f"待补数据：{und.height} 条既未核定也未否定（缺少输入）")
    for c in ("规则", "缺少的输入", "来源", "主体数", "例如"):
        t.add_column(c, overflow="fold")
    for rule, miss, n, e in by.iter_rows():
        src = bound.sources.get(miss, ("", ""))[1] if miss else ""
        t.add_row(rule, f"{labels.get(miss, miss)}（{miss}）", src, str(n), "、".join(e))
    console.print(t)


def _write_json(
    path: Path,
    ledger: pl.DataFrame,
    totals: dict[str, Any],
    und: pl.DataFrame,
    spec: Any,
    per: Any,
    ids: dict[tuple[str, str], int],
    bound: Any,
) -> None:
    rows = []
    for r in ledger.to_dicts():
        rows.append(
            {
                "id": ids.get((r["rule"], r["entity"])),
                "rule": r["rule"],
                "article": r["article"],
                "entity": r["entity"],
                "name": r["name"],
                "period": r["period"],
                "outcome": r["outcome"],
                "amount_fen": r["amount_fen"],
                "amount_wan": None if r["amount_fen"] is None else str(r["amount"]),
                "action": r["action"],
                "paid_in": r["paid_in"],
                "capped_by": r["capped_by"],
                "text": r["text"],
                "inputs": json.loads(r["inputs"] or "{}"),
            }
        )
    doc = {
        "pack": spec.id,
        "title": spec.title,
        "period": str(per),
        "ledger": rows,
        "totals": totals,
        "undetermined": und.to_dicts() if und.height else [],
        "sources": {k: {"kind": v[0], "description": v[1]} for k, v in bound.sources.items()},
        "evaluation_runs": list(bound.runs),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def _write_xlsx(
    path: Path,
    ledger: pl.DataFrame,
    totals: dict[str, Any],
    und: pl.DataFrame,
    spec: Any,
    per: Any,
    names: dict[str, str],
    ids: dict[tuple[str, str], int],
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

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

    def wan(fen: int | None) -> float | None:
        return None if fen is None else float(Decimal(fen) / FEN_PER_WAN)

    titles = {r.id: r.title or r.id for r in spec.rules}
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
            _caps(r["capped_by"], r["rule"], spec),
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
    if und.height:
        ws3 = wb.create_sheet("待补数据")
        sheet(
            ws3,
            "缺少输入、既未核定也未否定的主体",
            ["规则", "主体代码", "主体名称", "缺少的输入"],
            [20, 24, 28, 50],
            [
                [r["rule"], r["entity"], names.get(r["entity"]), "、".join(r["missing"] or [])]
                for r in und.to_dicts()
            ],
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def explain(
    award_id: Annotated[int, typer.Argument(help="台账编号（gaoxin awards 显示的编号）")],
) -> None:
    """说明一条台账记录的依据：条款原文、每项输入的取值与来源、中间结果、触及的上限、回执。"""
    from gaoxin.commands.django_env import setup

    setup()
    from gaoxin.awards.models import AwardEntry

    e = AwardEntry.objects.select_related("entity", "reverses").filter(pk=award_id).first()
    if e is None:
        console.print(f"[red]台账中没有第 {award_id} 号记录[/red]")
        raise typer.Exit(1)
    labels: dict[str, str] = {}
    notes: dict[str, str] = {}
    cap_zh = dict(CAP_ZH)
    try:
        spec = find_pack(e.pack).spec
        labels = {i.id: i.label for i in spec.inputs} | {p.id: p.label for p in spec.parameters}
        notes = {i.id: i.note for i in spec.inputs if i.note}
        cap_zh |= {f"budget:{b.id}": b.label for b in spec.budgets}
        rule = next((r for r in spec.rules if r.id == e.rule), None)
        if rule is not None and rule.money is not None:
            cap_zh["cap"] = rule.money.cap_label
    except ProblemsError:
        pass
    kind = "冲销" if e.kind == "reversal" else "核定"
    console.print(
        f"[bold]第 {e.pk} 号（{kind}）[/bold]　{e.pack} / {e.rule}　审核状态：{e.get_approval_display()}"
    )
    if e.reverses_id:
        console.print(f"冲销第 {e.reverses_id} 号记录")
    reversal = AwardEntry.objects.filter(reverses=e).first()
    if reversal is not None:
        console.print(f"[yellow]本记录已被第 {reversal.pk} 号记录冲销[/yellow]")
    console.print(
        f"主体：{e.entity.name}（{e.entity.code}）　数据期间：{e.period}　核定日期：{e.decided_on}　记账时间：{local_text(e.recorded_at, seconds=False)}"
    )
    result = f"{_wan(e.amount_fen)} 万元" if e.outcome == "money" else e.get_outcome_display()
    if e.outcome == "action":
        from gaoxin.engine.packs import ACTION_ZH

        result = ACTION_ZH.get(e.action, e.action)
    console.print(
        f"结果：[bold]{result}[/bold]" + (f"　兑现年度：{e.paid_in}" if e.paid_in else "")
    )
    console.print(f"条款：{e.article}")
    console.print(f"原文：“{e.quote}”")
    trace = e.trace or {}
    inputs = trace.get("inputs") or {}
    if inputs:
        # a list, not a table: the origins are long and are read (and copied) whole
        console.print("[bold]输入[/bold]（取值 ← 来源）：")
        params = trace.get("parameters") or {}
        for k, v in inputs.items():
            origin = (trace.get("origins") or {}).get(k) or (trace.get("sources") or {}).get(k)
            if origin is None:
                origin = "运行时设定的参数" if k in params else "政策包参数"
            if k in notes:
                origin = f"{origin}（{notes[k]}）"
            console.print(f"  • {labels.get(k, k)}（{k}）：{_value(v)} ← {escape(origin)}")
    steps = [(k, v) for k, v in trace.items() if k in STEP_ZH or k.startswith("after_")]
    steps = [(k, v) for k, v in steps if v is not None]
    if steps:
        s = Table(title="计算步骤（万元）")
        s.add_column("步骤")
        s.add_column("金额", justify="right")
        for k, v in steps:
            name = (
                STEP_ZH.get(k)
                or "按"
                + cap_zh.get("budget:" + k.removeprefix("after_").removesuffix("_fen"), k)
                + "核减后"
            )
            s.add_row(name, _raw(v) if k == "raw" else _wan(int(v)))
        console.print(s)
    caps = "、".join(cap_zh.get(c, c) for c in e.capped_by or [])
    console.print(f"触及的上限：{caps or '无'}")
    console.print(f"说明：{e.text}")
    console.print(
        f"回执：引擎 {e.engine_version}；政策包哈希 {e.pack_hash[:16]}；输入数据哈希 {e.input_hash[:16]}；"
        f"评价运行 {', '.join(f'#{r}' for r in e.evaluation_runs) or '无'}"
    )
