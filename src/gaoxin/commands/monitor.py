"""`gaoxin monitor`: the monthly monitoring table (月监测) or quarterly analysis (季分析)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from gaoxin.commands import django_env

console = Console(soft_wrap=True)


def monitor(
    period: Annotated[str, typer.Option(help="期间，如 2025-07、2025年7月、2025Q3")],
    scope: Annotated[str | None, typer.Option(help="辖区或园区代码（默认：全部）")] = None,
    out: Annotated[Path | None, typer.Option(help="另存为 .xlsx（按印发格式）或 .csv")] = None,
    indicators: Annotated[
        str | None, typer.Option(help="指标代码，逗号分隔（默认：重点指标）")
    ] = None,
) -> None:
    """月监测/季分析表：各园区重点指标的本期值、累计值、同比增长、排名及位次变化。"""
    django_env.setup()
    from gaoxin.commands.data import _scope
    from gaoxin.engine.monitor import cell_text, monitor_table, write_monitor_xlsx
    from gaoxin.engine.periods import Period, PeriodError
    from gaoxin.statistics.facts import engine_facts

    try:
        code = str(Period.parse(period))
    except PeriodError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    where = _scope(scope)
    with console.status("正在汇总数据…"):
        facts = engine_facts(where)
        # Zones with any statistics this year (their own or their enterprises'): the registry
        # lists every national zone, most of which a provincial division has no data for.
        year = code[:4]
        reporting = (
            facts.observations.filter(pl.col("period").cast(pl.String).str.starts_with(year))
            .select(pl.col("entity").cast(pl.String))
            .unique()
        )
        zones = (
            facts.entities.with_columns(pl.col("entity", "zone").cast(pl.String))
            .join(reporting, on="entity", how="semi")["zone"]
            .drop_nulls()
            .unique()
            .sort()
            .to_list()
        )
        if not zones:
            console.print(
                f"[red]{year} 年没有任何园区的统计数据[/]：请先导入数据（gaoxin import）或载入演示数据（gaoxin demo）"
            )
            raise typer.Exit(1)
        try:
            table = monitor_table(
                facts, code, indicators=indicators.split(",") if indicators else None, zones=zones
            )
        except (KeyError, ValueError) as exc:
            console.print(f"[red]{exc.args[0] if exc.args else exc}[/]")
            raise typer.Exit(1) from exc
    kind = Period.parse(code).kind
    name = {"month": "月度监测表", "quarter": "季度分析表"}.get(kind, "监测表")
    title = f"{(where.name if where else '')}高新区主要指标{name}（{Period.parse(code).label()}）"
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
    if len(shown) < len(headers):
        console.print(
            f"（终端仅显示前 {len(shown) - 2} 列，共 {len(headers) - 2} 列；完整表格请用 --out 保存为 XLSX）"
        )
    if out is not None:
        if out.suffix.lower() == ".csv":
            table.to_csv(out)
        else:
            write_monitor_xlsx(table, out, title)
        console.print(f"[green]已保存[/] {out}（数据版本 {table.input_hash[:12]}）")
