"""`gaoxin awards` and `gaoxin explain`: the faces of :func:`gaoxin.awards.services.decide` and
:func:`gaoxin.awards.services.explain` on the terminal — options parsed, results printed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gaoxin.commands import edge
from gaoxin.engine.clock import local_text
from gaoxin.engine.problems import Problem, ProblemsError, first_shown, more_text

if TYPE_CHECKING:
    from gaoxin.awards.services import AwardDecision

console = Console(soft_wrap=True)


def _fail(problems: list[Problem], title: str) -> typer.Exit:
    """Every problem, as the trial page lists them (the first SHOWN, then how many more)."""
    console.print(f"[red]{escape(title)}[/red]")
    shown, more = first_shown(problems)
    for p in shown:
        console.print(f"  • {escape(str(p))}")
        if p.extra.get("command"):  # what the message asks, as a command (EvaluationMissing)
            console.print(f"    命令：{escape(p.extra['command'])}")
    if more:
        console.print(f"  {escape(more_text(more))}")
    return typer.Exit(1)


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
    by: Annotated[
        str | None,
        typer.Option("--by", help="以此用户的名义核定（记入台账的操作人；须在其数据范围内）"),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="终端最多显示的台账行数")] = 40,
) -> None:
    """按政策包核定奖补与处理措施：读取数据与评价结果，记入台账（只增不改），显示预算合计。"""
    from gaoxin.commands.django_env import setup

    setup()
    from gaoxin.awards.services import NotRecorded, decide
    from gaoxin.policy.packs import find_pack, pack_scope

    actor = edge.user(by)
    try:
        per = edge.period(period, "awards.period")
        day = date.fromisoformat(decided_on) if decided_on else None
        loaded = find_pack(pack)
        given = edge.param_pairs(param)
        in_scope = pack_scope(loaded.spec.region, scope, f"《{loaded.spec.title}》")
        edge.say_scope(console, in_scope)
        decision = decide(
            loaded,
            per,
            in_scope.entity,
            by=actor,
            dry_run=dry_run,
            inputs=inputs,
            params=given,
            decided_on=day,
        )
    except NotRecorded as e:
        raise _fail(e.problems, "未能记入台账：") from None
    except ProblemsError as e:
        raise _fail(e.problems, "未能核定，台账未改动：") from None
    except ValueError as e:  # --decided-on
        raise _fail([Problem("awards.input", str(e))], "未能核定，台账未改动：") from None
    _print_ledger(decision, limit)
    _print_totals(decision.totals)
    _print_undetermined(decision)
    if decision.skipped:
        console.print(
            "[yellow]未运行的规则[/yellow]（政策原文未定金额或名次线，请用 --param 设定）："
        )
        for rid, need in decision.skipped.items():
            console.print(f"  • {rid}：需要 {'、'.join(need)}")
    rec = decision.recorded
    if rec is None:
        console.print("[dim]--dry-run：未记入台账[/dim]")
    else:
        console.print(
            f"已记入台账：新增 {len(rec.added)} 条，冲销 {len(rec.reversals)} 条，"
            f"未变 {rec.unchanged} 条。用 [bold]gaoxin explain 编号[/bold] 查看任一条的依据。"
        )
    if out is not None:
        from gaoxin.awards.workbook import write_ledger_xlsx

        written = write_ledger_xlsx(decision, out)
        console.print(f"台账已另存：{out}")
        for extra in written[1:]:
            console.print(f"待补数据（工作表，不随台账打印）已另存：{extra}")
    if json_out is not None:
        decision.write_json(json_out)
        console.print(f"JSON 已另存：{json_out}")


def _outcome_text(row: dict[str, Any]) -> str:
    from gaoxin.awards.services import wan_text

    if row["outcome"] == "money":
        return f"{wan_text(row['amount_fen'])} 万元"
    return row["action_zh"] or row["action"] or ""


def _print_ledger(decision: AwardDecision, limit: int) -> None:
    from gaoxin.awards.services import cap_labels

    ledger, spec, per, ids = decision.ledger, decision.spec, decision.period, decision.ids
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
            cap_labels(row["capped_by"], row["rule"], spec),
        )
    console.print(t)
    if ledger.height > limit:
        console.print(
            f"[dim]另有 {ledger.height - limit} 条未显示（--limit 或 --out 导出全部）[/dim]"
        )


def _print_totals(totals: dict[str, list[dict[str, Any]]]) -> None:
    from gaoxin.awards.services import wan_text

    t = Table(title="按规则合计")
    for c in ("规则", "条款", "条数", "金额（万元）"):
        t.add_column(c, justify="right" if c in ("条数", "金额（万元）") else "left")
    for r in totals["by_rule"]:
        amount = wan_text(r["amount_fen"]) if r["amount_fen"] is not None else "（处理措施）"
        t.add_row(r["title"], r["article"], str(r["count"]), amount)
    t.add_row(
        "[bold]合计[/bold]", "", "", f"[bold]{wan_text(totals['total'][0]['amount_fen'])}[/bold]"
    )
    console.print(t)
    if totals["by_budget"]:
        b = Table(title="按资金渠道（预算）合计")
        for c in ("资金渠道", "条数", "金额（万元）"):
            b.add_column(c)
        for r in totals["by_budget"]:
            b.add_row(r["label"], str(r["count"]), wan_text(r["amount_fen"]))
        console.print(b)
    else:
        console.print("[dim]本政策包未规定资金渠道（budgets），不分渠道合计。[/dim]")


def _print_undetermined(decision: AwardDecision) -> None:
    if decision.undetermined.is_empty():
        return
    t = Table(title=f"待补数据：{decision.undetermined.height} 条既未核定也未否定（缺少输入）")
    for c in ("规则", "缺少的输入", "来源", "主体数", "例如"):
        t.add_column(c, overflow="fold")
    for m in decision.missing_inputs():
        t.add_row(
            f"{m.title}（{m.article}）",
            m.label,
            m.origin,
            str(m.entities),
            "、".join(m.examples),
        )
    console.print(t)
    console.print(
        "[dim]每项数据从哪里来、怎样补齐：见 --out 另存的“…-待补数据.xlsx”（工作表「汇总」）[/dim]"
    )


def explain(
    award_id: Annotated[int, typer.Argument(help="台账编号（gaoxin awards 显示的编号）")],
) -> None:
    """说明一条台账记录的依据：条款原文、每项输入的取值与来源、中间结果、触及的上限、回执。"""
    from gaoxin.commands.django_env import setup

    setup()
    from gaoxin.awards.services import explain as explain_entry
    from gaoxin.services import NotFound

    try:
        x = explain_entry(award_id, by=None)
    except NotFound as e:
        console.print(f"[red]{escape(e.message)}[/red]")
        raise typer.Exit(1) from None
    e = x.entry
    console.print(
        f"[bold]第 {e.pk} 号（{x.kind}）[/bold]　{e.pack} / {e.rule}　审核状态：{e.get_approval_display()}"
    )
    if e.reverses_id:
        console.print(f"冲销第 {e.reverses_id} 号记录")
    if x.reversed_by is not None:
        console.print(f"[yellow]本记录已被第 {x.reversed_by.pk} 号记录冲销[/yellow]")
    console.print(
        f"主体：{e.entity.name}（{e.entity.code}）　数据期间：{e.period}　核定日期：{e.decided_on}　记账时间：{local_text(e.recorded_at, seconds=False)}"
    )
    console.print(
        f"结果：[bold]{x.result}[/bold]" + (f"　兑现年度：{e.paid_in}" if e.paid_in else "")
    )
    console.print(f"条款：{e.article}")
    console.print(f"原文：“{e.quote}”")
    if x.inputs:
        # a list, not a table: the origins are long and are read (and copied) whole
        console.print("[bold]输入[/bold]（取值 ← 来源）：")
        for i in x.inputs:
            console.print(f"  • {i.label}（{i.name}）：{i.value} ← {escape(i.origin)}")
    if x.steps:
        s = Table(title="计算步骤（万元）")
        s.add_column("步骤")
        s.add_column("金额", justify="right")
        for name, amount in x.steps:
            s.add_row(name, amount)
        console.print(s)
    console.print(f"触及的上限：{x.caps or '无'}")
    console.print(f"说明：{e.text}")
    console.print(f"回执：{x.receipt}")
