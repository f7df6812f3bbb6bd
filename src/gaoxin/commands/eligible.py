"""`gaoxin eligible`: 免申即享 — who qualifies under a pack's rules for a period from the data the
store already holds (no application needed), and who might, with the data still missing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gaoxin.commands import edge
from gaoxin.engine.packs.schema import ACTION_ZH
from gaoxin.engine.problems import ProblemsError

console = Console(soft_wrap=True)


def eligible(
    pack: Annotated[str, typer.Option("--pack", help="政策包（目录名或 id，如 gansu）")],
    period: Annotated[str, typer.Option("--period", help="数据期间，如 2025")],
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="只看这些规则（可多次给出）")
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option("--scope", help="辖区或园区代码；全国 为登记库全部（默认：政策包的适用范围）"),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="设定政策原文未定的参数，如 --param top_rank_award=50"),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="另存为 .xlsx（两张表）")] = None,
    limit: Annotated[int, typer.Option("--limit", help="终端每张表最多显示的行数")] = 40,
) -> None:
    """免申即享：按已有数据列出本期符合条件的主体，以及可能符合、还缺哪些数据的主体。不记入台账。"""
    from gaoxin.commands.django_env import setup

    setup()
    from gaoxin.awards.services import eligible as eligible_list
    from gaoxin.awards.services import wan_text
    from gaoxin.policy.packs import find_pack, pack_scope

    try:
        per = edge.period(period, "eligible.period")
        loaded = find_pack(pack)
        spec = loaded.spec
        given = edge.param_pairs(param)
        in_scope = pack_scope(spec.region, scope, f"《{spec.title}》")
        edge.say_scope(console, in_scope)
        found = eligible_list(loaded, per, in_scope.entity, by=None, rules=rule, params=given)
    except ProblemsError as e:
        console.print("[red]未能列出：[/red]")
        for p in e.problems:
            console.print(f"  • {escape(str(p))}")
        raise typer.Exit(1) from None

    names, titles = found.names, found.titles
    console.print(f"[bold]《{escape(spec.title)}》{per.label()} 免申即享清单[/bold]")
    q = Table(title=f"符合条件（{found.qualified.height} 项）")
    for h in ("规则", "主体", "结果", "说明"):
        q.add_column(h, overflow="fold")
    for row in found.qualified.head(limit).iter_rows(named=True):
        what = (
            f"{wan_text(row['amount_fen'])} 万元"
            if row["outcome"] == "money"
            else ACTION_ZH.get(row["action"] or "", row["action"] or "")
        )
        q.add_row(titles[row["rule"]], names.get(row["entity"], row["entity"]), what, row["text"])
    console.print(q)
    maybe = Table(title=f"可能符合、尚缺数据（{found.possible.height} 项）")
    for h in ("规则", "主体", "缺少的数据", "需满足"):
        maybe.add_column(h, overflow="fold")
    for row in found.possible.head(limit).iter_rows(named=True):
        maybe.add_row(
            titles[row["rule"]],
            names.get(row["entity"], row["entity"]),
            "、".join(row["missing_labels"]) or "（条件无法计算，如除数为零）",
            "；".join(row["needs"]),
        )
    console.print(maybe)
    shown = max(found.qualified.height, found.possible.height)
    if shown > limit:
        console.print(f"（每张表最多显示 {limit} 行；完整清单请用 --out 保存为 XLSX）")
    for rid, need in found.skipped.items():
        console.print(f"[yellow]未列出[/yellow] {rid}：需要设定参数 {'、'.join(need)}（--param）")
    for rid, runs in found.waiting.items():
        commands = "；".join(
            f"gaoxin evaluate --pack {spec.id} --framework {fw} --period {p}"
            + (f" --scope {scope}" if scope else "")
            for fw, p in runs
        )
        console.print(
            f"[yellow]未列出[/yellow] {rid}：需要尚未运行的评价结果，请先运行 {escape(commands)}"
        )
    if out is not None:
        from gaoxin.awards.workbook import write_eligible_xlsx

        write_eligible_xlsx(found, out)
        console.print(f"[green]已保存[/] {out}")
