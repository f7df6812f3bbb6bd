"""`gaoxin import`, `gaoxin export`, `gaoxin template`: statistics in and out of the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gaoxin.commands import django_env

console = Console(soft_wrap=True)


def _scope(code: str | None):
    from gaoxin.registry.models import Entity

    if not code:
        return None
    scope = Entity.objects.filter(code=code).first()
    if scope is None:
        console.print(
            f"[red]找不到范围「{code}」[/]：请给出行政区划代码、高新区代码或统一社会信用代码"
        )
        raise typer.Exit(2)
    return scope


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
) -> None:
    """导入统计数据（全有或全无：有任何错误则不写入任何数据，并列出全部问题）。"""
    django_env.setup()
    from gaoxin.statistics.imports import import_file

    if not file.is_file():
        console.print(f"[red]找不到文件[/] {file}")
        raise typer.Exit(2)
    with console.status(f"正在读取并检查 {file.name} …"):
        result = import_file(
            file, dry_run=dry_run, period=period, sheet=sheet, scope=_scope(scope), reason=reason
        )
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
    from gaoxin.statistics.facts import for_people, observations_frame, to_wide

    frame = observations_frame(
        scope=_scope(scope),
        variables=variables.split(",") if variables else None,
        periods=periods.split(",") if periods else None,
        kind=kind,
    )
    if out.suffix.lower() == ".parquet":
        # Parquet is for programs: codes, one column per hierarchy level.
        frame = to_wide(frame) if wide else frame
    else:
        frame = for_people(frame, wide=wide)
    write_long(frame, out)
    console.print(f"[green]已导出[/] {frame.height} 行 → {out}")


def template(
    out: Annotated[Path, typer.Argument(help="输出的 .xlsx 模板")],
    form: Annotated[str | None, typer.Option(help="报表代码")] = None,
    variables: Annotated[str | None, typer.Option(help="或：变量代码，逗号分隔")] = None,
) -> None:
    """生成报表填报模板（XLSX，含单位与数据有效性校验）。"""
    django_env.setup()
    from gaoxin.engine.tabular import form_template_xlsx
    from gaoxin.engine.variables import default_catalogue
    from gaoxin.statistics.models import ReportingForm

    catalogue = default_catalogue()
    if form:
        f = ReportingForm.objects.filter(code=form).first()
        if f is None:
            known = "、".join(ReportingForm.objects.values_list("code", flat=True)) or "（无）"
            console.print(
                f"[red]找不到报表「{form}」[/]：现有报表 {known}；升级后请先运行 gaoxin init 同步内置报表"
            )
            raise typer.Exit(2)
        codes = [fv.variable.code for fv in f.form_variables.select_related("variable")]
        title, period_type = f.name, f.period_type
    elif variables:
        codes, title, period_type = variables.split(","), "统计数据填报表", None
    else:
        console.print("[red]请用 --form 指定报表，或用 --variables 指定变量[/]")
        raise typer.Exit(2)
    unknown = [c for c in codes if c not in catalogue]
    if unknown:
        console.print(f"[red]未知变量[/]：{'、'.join(unknown)}")
        raise typer.Exit(2)
    form_template_xlsx([catalogue[c] for c in codes], out, title=title, period_type=period_type)
    console.print(f"[green]模板已生成[/] → {out}")
