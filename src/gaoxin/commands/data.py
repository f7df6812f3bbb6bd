"""`gaoxin import`, `gaoxin export`, `gaoxin template`: statistics in and out of the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gaoxin.commands import django_env, edge

console = Console(soft_wrap=True)


def _scope(code: str | None):
    """The entity ``code`` names (any kind), None for none; exit 2 when there is none."""
    return edge.entity(code, console)


def import_(
    file: Annotated[Path, typer.Argument(help="CSV 或 Excel 文件", exists=False)],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只检查并报告将写入的内容，不修改数据库")
    ] = False,
    period: Annotated[
        str | None, typer.Option(help="宽表未写明期间时使用，如 2025-07、2025年1-7月")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="工作表名称（默认读取全部工作表）")] = None,
    scope: Annotated[str | None, typer.Option(help="只在此主体（代码）范围内匹配企业")] = None,
    reason: Annotated[str, typer.Option(help="本次导入的说明，记入变更历史")] = "",
    report: Annotated[Path | None, typer.Option(help="把问题清单另存为 .xlsx 或 .csv")] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="以此用户的名义导入（记入变更历史；只能导入其数据范围内的主体）"),
    ] = None,
) -> None:
    """导入统计数据（全有或全无：有任何错误则不写入任何数据，并列出全部问题）。"""
    django_env.setup()
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.statistics.services import import_observations

    if not file.is_file():
        console.print(f"[red]找不到文件[/] {file}")
        raise typer.Exit(2)
    from gaoxin.services import scope_for

    actor = edge.user(by)
    where = _scope(scope)
    try:
        if where is None and actor is not None:
            where = scope_for(actor)  # a user's import matches within their own scope
        with console.status(f"正在读取并检查 {file.name} …"):
            result = import_observations(
                file,
                where,
                by=actor,
                dry_run=dry_run,
                period=period,
                sheet=sheet,
                reason=reason,
            )
    except ProblemsError as e:
        console.print(f"[red]未导入，数据库未作任何修改[/]：{e.problems[0].message}")
        raise typer.Exit(1) from None
    for line in result.column_map:
        console.print(f"  {line}")
    if result.problems:
        with_sheets = any(p.sheet for p in result.problems)
        table = Table(title=f"问题清单：{file.name}", show_lines=True, expand=True)
        table.add_column("级别", no_wrap=True)
        if with_sheets:
            table.add_column("工作表", overflow="fold", max_width=12)
        table.add_column("行", justify="right", no_wrap=True)
        table.add_column("列", overflow="fold", max_width=16)
        table.add_column("值", overflow="fold", max_width=20)
        table.add_column("说明", overflow="fold", ratio=3)
        for p in result.problems:
            level = "[red]错误[/]" if p.severity == "error" else "[yellow]提示[/]"
            cells = [
                level,
                *([p.sheet or ""] if with_sheets else []),
                str(p.row or ""),
                p.column or "",
                p.value or "",
                p.message,
            ]
            table.add_row(*cells)
        console.print(table)
    if report is not None:
        from gaoxin.statistics.reports import write_problems

        write_problems(result.problems, report)
        console.print(f"问题清单已保存：{report}")
    style = "red" if result.status == "rejected" else "green"
    console.print(f"[{style}]{result.summary()}[/]")
    if result.status == "rejected":
        raise typer.Exit(1)


def export(
    out: Annotated[Path, typer.Argument(help="输出文件：.csv、.xlsx 或 .parquet")],
    variables: Annotated[str | None, typer.Option(help="变量代码，逗号分隔（默认全部）")] = None,
    periods: Annotated[
        str | None, typer.Option(help="期间，逗号分隔，如 2024,2025 或 2025-01,2025-02")
    ] = None,
    scope: Annotated[str | None, typer.Option(help="只导出此主体（代码）范围")] = None,
    kind: Annotated[
        str | None, typer.Option(help="只导出此类主体：enterprise|zone|region|institution")
    ] = None,
    wide: Annotated[
        bool, typer.Option("--wide", help="宽表：每个主体和期间一行，每个变量一列")
    ] = False,
) -> None:
    """导出统计数据为 CSV（Excel 可直接打开）、XLSX 或 Parquet；CSV/XLSX 可原样再导入。"""
    django_env.setup()
    from gaoxin.engine.tabular import write_long
    from gaoxin.statistics.services import export_observations

    frame = export_observations(
        _scope(scope),
        by=None,
        variables=variables.split(",") if variables else None,
        periods=periods.split(",") if periods else None,
        kind=kind,
        wide=wide,
        # Parquet is for programs: codes, one column per hierarchy level.
        codes=out.suffix.lower() == ".parquet",
    )
    write_long(frame, out)
    console.print(f"[green]已导出[/] {frame.height} 行 → {out}")


def template(
    out: Annotated[Path, typer.Argument(help="输出的 .xlsx 模板")],
    form: Annotated[str | None, typer.Option(help="报表代码")] = None,
    variables: Annotated[str | None, typer.Option(help="或：变量代码，逗号分隔")] = None,
) -> None:
    """生成报表填报模板（XLSX，含单位与数据有效性校验）。"""
    django_env.setup()
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.statistics.services import reporting_template

    try:
        reporting_template(out, form=form, variables=variables.split(",") if variables else None)
    except ProblemsError as e:
        head, _, rest = e.problems[0].message.partition("：")
        console.print(f"[red]{head}[/]" + (f"：{rest}" if rest else ""))
        raise typer.Exit(2) from None
    console.print(f"[green]模板已生成[/] → {out}")
