"""`gaoxin zones events`: the dated zone events a 批复 or 通报 proposes, recorded only for the
numbers a person confirms (gaoxin.registry.services)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gaoxin.commands import django_env, edge

console = Console(soft_wrap=True)
app = typer.Typer(
    help="高新区登记：由批复、通报记录高新区的获批、升级、更名、评价、表扬、警告、撤销。"
)

STATUS_ZH = {
    "approved": "获批",
    "upgraded": "升级",
    "renamed": "更名",
    "boundary_adjusted": "调整范围",
    "evaluated": "评价结果",
    "commended": "通报表扬",
    "warned": "警告",
    "rectification": "限期整改",
    "revoked": "撤销",
}
LEVEL_ZH = {"national": "国家级", "provincial": "省级"}


def _numbers(text: str | None) -> list[int]:
    if not text:
        return []
    try:
        return [int(x) for x in text.replace("，", ",").split(",") if x.strip()]
    except ValueError as exc:
        console.print(f"[red]--record 应为以逗号分隔的序号，如 1,3；收到「{escape(text)}」[/]")
        raise typer.Exit(edge.EXIT_USAGE) from exc


@app.command()
def events(
    path: Annotated[Path, typer.Argument(help="批复或通报的文件（txt、docx、pdf、html）")],
    record: Annotated[
        str | None, typer.Option("--record", help="记录这些序号的事件（逗号分隔，如 1,3）")
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--date", help="事件日期 YYYY-MM-DD（文件未注明成文日期时给出）"),
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="以该用户身份、在其数据范围内操作")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出拟记录事件")] = False,
) -> None:
    """列出批复、通报的决定拟为高新区记录的事件（不写入）；经核对后用 --record 记录所选序号。"""
    django_env.setup()
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.registry.services import propose_zone_events, record_zone_events

    if not path.is_file():
        console.print(f"[red]找不到文件「{escape(str(path))}」[/]")
        raise typer.Exit(edge.EXIT_USAGE)
    try:
        day = dt.date.fromisoformat(on) if on else None
    except ValueError as exc:
        console.print(f"[red]日期「{escape(on or '')}」应写作 YYYY-MM-DD，如 2024-03-12[/]")
        raise typer.Exit(edge.EXIT_USAGE) from exc
    actor = edge.user(by)
    chosen = _numbers(record)
    try:
        proposals = propose_zone_events(path, by=actor, on=day)
    except ProblemsError as e:
        for p in e.problems:
            console.print(f"[red]{escape(p.message)}[/]")
        raise typer.Exit(1) from None
    if as_json and not chosen:
        typer.echo(json.dumps(proposals.as_dict(), ensure_ascii=False, indent=2))
        return
    doc = proposals.document
    console.print(f"文件：{escape(doc.title or path.name)}（{escape(doc.doc_number or '无文号')}）")
    if not proposals.events:
        console.print("该文件没有关于具体高新区的决定，无事件可记录。")
        return
    if not chosen:
        table = Table("序号", "高新区", "事件", "此后级别", "日期", "依据条文", "说明")
        for e in proposals.events:
            table.add_row(
                str(e.number),
                escape(e.zone_name) + (f"（{e.zone_code}）" if e.zone_code else ""),
                STATUS_ZH[e.status] + (f"：{escape(e.value)}" if e.value else ""),
                LEVEL_ZH.get(e.level or "", ""),
                e.date.isoformat() if e.date else "",
                escape(e.text),
                f"[red]{escape(e.problem)}[/]" if e.problem else "可记录",
            )
        console.print(table)
        n = len(proposals.recordable)
        console.print(
            f"以上为拟记录事件，未写入登记册。核对后用 --record 序号（如 --record 1,2）记录；"
            f"可记录 {n} 条。"
        )
        return
    try:
        written = record_zone_events(proposals, chosen, by=actor)
    except ProblemsError as e:
        for p in e.problems:
            console.print(f"[red]{escape(p.message)}[/]")
        console.print("未记录任何事件。")
        raise typer.Exit(1) from None
    for event in written:
        console.print(
            f"已记录：{escape(event.zone.entity.name)} {STATUS_ZH[event.status]} "
            f"{event.date.isoformat()}（{escape(event.document)}）"
        )
