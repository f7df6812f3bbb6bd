"""`gaoxin monitor`: the monthly monitoring table (月监测) or quarterly analysis (季分析)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gaoxin.commands import django_env, edge

console = Console(soft_wrap=True)


def monitor(
    period: Annotated[str, typer.Option(help="期间，如 2025-07、2025年7月、2025Q3")],
    scope: Annotated[str | None, typer.Option(help="辖区或园区代码（默认：全部）")] = None,
    out: Annotated[Path | None, typer.Option(help="另存为 .xlsx（按印发格式）或 .csv")] = None,
    indicators: Annotated[
        str | None, typer.Option(help="指标代码，逗号分隔（默认：重点指标）")
    ] = None,
    preview: Annotated[
        bool,
        typer.Option(
            "--preview", help="预览：含已提交、市级已审核的待审定数据（默认只含省级已审定数据）"
        ),
    ] = False,
) -> None:
    """月监测/季分析表：各园区重点指标的本期值、累计值、同比增长、排名及位次变化。"""
    django_env.setup()
    from gaoxin.engine.monitor import cell_text
    from gaoxin.engine.periods import Period, PeriodError
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.statistics.services import monitor as monitoring

    try:
        per = Period.parse(period)
    except PeriodError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    where = edge.entity(scope, console)
    try:
        with console.status("正在汇总数据…"):
            done = monitoring(
                per,
                where,
                by=None,
                indicators=indicators.split(",") if indicators else None,
                preview=preview,
                fresh=True,
            )
    except ProblemsError as exc:
        console.print(f"[red]{escape(exc.problems[0].message)}[/]")
        raise typer.Exit(1) from exc
    table, title = done.table, done.title
    if done.missing:  # who the table leaves out and why, before the table
        for i, line in enumerate(done.missing.lines()):
            console.print(f"[bold]{escape(line)}[/]" if i == 0 else escape(line))
        console.print()
    frame = table.frame
    view = Table(title=title, show_lines=False)
    headers = table.headers()
    # As many columns as the terminal can show legibly; the file holds them all.
    fits = 2 + max(2, (console.width - 34) // 13)
    shown = headers[: min(len(headers), fits)]
    for h in shown:
        view.add_column(h, overflow="fold")
    kinds = table.kinds()
    for row in frame.head(40).iter_rows():
        view.add_row(*[cell_text(v, k) for v, k in zip(row[: len(shown)], kinds, strict=False)])
    console.print(view)
    if done.data is not None:
        console.print(f"（{done.data.text()}）")
    if len(shown) < len(headers):
        console.print(
            f"（终端仅显示前 {len(shown) - 2} 列，共 {len(headers) - 2} 列；完整表格请用 --out 保存为 XLSX）"
        )
    if out is not None:
        done.write(out)
        console.print(f"[green]已保存[/] {out}（数据版本 {table.input_hash[:12]}）")
