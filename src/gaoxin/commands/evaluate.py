"""`gaoxin evaluate`: run a pack's framework over the store and freeze the run (``--pack``), or
run a framework file over a CSV with no database at all (``--framework FILE --data CSV``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gaoxin.commands import edge

console = Console()


def _print_problems(problems, title: str) -> None:
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("文件", overflow="fold", max_width=24)
    table.add_column("行", justify="right", no_wrap=True)
    table.add_column("列 / 位置", overflow="fold", max_width=28)
    table.add_column("值", overflow="fold", max_width=16)
    table.add_column("说明", overflow="fold", ratio=3)
    for p in problems:
        table.add_row(p.file or "", str(p.row or ""), p.column or "", p.value or "", p.message)
    console.print(table)


def evaluate(
    framework: Annotated[
        str | None,
        typer.Option(
            "--framework",
            help="与 --pack 同用：评价体系代码（包内只有一个时可省略）；单独使用：评价体系 YAML 文件",
        ),
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="数据 CSV：每个单位一行，含单位列与各指标列")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="结果文件：.xlsx（排名、指标、插补、异常值处理、运行记录）或 .csv（每个单位一行）",
        ),
    ] = None,
    pack: Annotated[
        str | None,
        typer.Option("--pack", help="政策包（如 gansu、catalogue），从数据库取数并保存结果"),
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="与 --pack 同用：评价期间，如 2025、2025-07")
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option(
            "--scope",
            help="与 --pack 同用：辖区或园区代码；全国 为登记库全部（默认：政策包的适用范围）",
        ),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            help="与 --pack 同用：评价对象 zone（高新区）或 enterprise（企业）；"
            "默认按评价体系的 units.level",
        ),
    ] = None,
    where: Annotated[
        str | None,
        typer.Option(
            "--where",
            help='与 --pack 同用：参评单位筛选条件，如 "above_scale == 1"、"level == \'provincial\'"；'
            '默认按评价体系的 units.where，--where "" 表示不筛选',
        ),
    ] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="上次结果 CSV（用于计算名次变化）")
    ] = None,
    history: Annotated[
        list[Path] | None,
        typer.Option("--history", help="往期数据 CSV（可多次给出，最近的在前），用于按上期值插补"),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="另存处理报告目录（插补、异常值处理、各层数据）")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", help="与 --pack 同用：以此用户的名义评价（记为操作人；须在其数据范围内）"
        ),
    ] = None,
) -> None:
    """综合评价：按政策包的评价体系从数据库取数、计算并保存（--pack），或对 CSV 计算（不需要数据库）。"""
    if pack is not None:
        stray = [
            name
            for name, v in (
                ("--data", data),
                ("--previous", previous),
                ("--history", history),
                ("--report", report),
            )
            if v
        ]
        if stray:
            console.print(
                f"[red]{'、'.join(stray)} 只用于不使用数据库的方式[/]（--framework 文件 --data CSV）；"
                "与 --pack 同用时数据取自数据库，上期名次取自上期评价运行"
            )
            raise typer.Exit(2)
        _evaluate_pack(pack, framework, period, scope, level, where, out, by)
        return
    stray = [
        name
        for name, v in (
            ("--period", period),
            ("--scope", scope),
            ("--level", level),
            ("--where", where),
            ("--by", by),
        )
        if v is not None
    ]
    if stray:
        console.print(f"[red]{'、'.join(stray)} 需与 --pack 同用[/]（从数据库评价）")
        raise typer.Exit(2)
    if framework is None or data is None or out is None:
        console.print(
            "[red]请给出 --pack 与 --period（从数据库评价），"
            "或同时给出 --framework 文件、--data 与 --out（不用数据库）[/]"
        )
        raise typer.Exit(2)
    _evaluate_file(Path(framework), data, out, previous, history, report)


def _evaluate_pack(
    pack: str,
    framework: str | None,
    period: str | None,
    scope: str | None,
    level: str | None,
    where: str | None,
    out: Path | None,
    by: str | None = None,
) -> None:
    from gaoxin.commands import django_env

    if period is None:
        console.print("[red]请用 --period 给出评价期间[/]，如 --period 2025")
        raise typer.Exit(2)
    if level is not None and level not in ("zone", "enterprise"):
        console.print(f"[red]评价对象「{level}」不对[/]：应为 zone（高新区）或 enterprise（企业）")
        raise typer.Exit(2)
    if out is not None and out.suffix.lower() not in (".xlsx", ".csv"):
        console.print(f"[red]结果文件应为 .xlsx 或 .csv[/]：{out}")
        raise typer.Exit(2)
    django_env.setup()
    from gaoxin.commands.data import _scope
    from gaoxin.commands.edge import say_scope
    from gaoxin.engine.packs.loader import read_jurisdiction
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.evaluation.services import evaluate as evaluate_pack
    from gaoxin.policy.packs import pack_dir, pack_scope

    try:
        d = pack_dir(pack)
        region = read_jurisdiction(d) if d is not None else None
        in_scope = pack_scope(region, scope, f"政策包「{pack}」", resolve=_scope)
    except ProblemsError as e:
        _print_problems(e.problems, "未能确定评价范围，未保存评价结果")
        raise typer.Exit(1) from None
    say_scope(console, in_scope)
    actor = edge.user(by)
    try:
        per = edge.period(period, "evaluation.bad_period")
        with console.status("正在评价…") as status:
            done = evaluate_pack(
                pack,
                per,
                in_scope.entity,
                by=actor,
                framework=framework,
                level=level,
                where=where,
                progress=lambda step: status.update(f"正在评价：{step}…"),
            )
    except ProblemsError as e:
        _print_problems(e.problems, f"发现 {len(e.problems)} 个问题，未保存评价结果")
        raise typer.Exit(1) from None
    for w in done.warnings:
        console.print(
            f"[yellow]提示[/] {w.get('column') or ''} {w.get('value') or ''} {w['message']}"
        )
    run, res, unit_zh = done.run, done.results, done.unit_label
    console.print(f"[bold]{run.title or run.framework}[/]（{run.period}）")
    chosen = done.where
    console.print(f"参评单位：{unit_zh}" + (f"，条件 {escape(chosen)}" if chosen else "（全部）"))
    view = Table(show_lines=False)
    for h in ("名次", unit_zh, "总分", "等级", "名次变化"):
        view.add_column(h, overflow="fold")
    for r in res.head(30).iter_rows(named=True):
        change = r["rank_change"]
        view.add_row(
            "" if r["rank"] is None else str(r["rank"]),
            r["name"] or r["entity"],
            "" if r["score"] is None else f"{r['score']:.2f}",
            r["grade"] or "",
            "" if change is None else f"{change:+d}",
        )
    console.print(view)
    if res.height > 30:
        console.print(f"（共 {res.height} 个{unit_zh}，只显示前 30 名；完整结果见 --out 文件）")
    console.print(
        f"已保存评价运行 #{run.pk}：{run.units} 个{unit_zh}，数据哈希 {run.data_hash[:12]}，"
        f"评价体系哈希 {run.framework_hash[:12]}"
    )
    if out is not None:
        done.write(out)
        console.print(f"[green]已保存[/] {out}")


def _evaluate_file(
    framework: Path,
    data: Path,
    out: Path,
    previous: Path | None,
    history: list[Path] | None,
    report: Path | None,
) -> None:
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.evaluation.services import evaluate_files, write_evaluation_files

    try:
        ev = evaluate_files(framework, data, previous=previous, history=history or ())
    except ProblemsError as e:
        _print_problems(e.problems, f"发现 {len(e.problems)} 个问题，未生成结果")
        raise typer.Exit(1) from None
    if ev.warnings:
        _print_problems(ev.warnings, f"提示 {len(ev.warnings)} 条")
    write_evaluation_files(ev, out, report)
    treated = sum(1 for t in ev.treatment if t.status not in ("pass", "skipped"))
    console.print(
        f"已评价 {len(ev.units)} 个单位（剔除 {len(ev.screened_out)} 个），插补 {len(ev.imputed)} 个缺失值，"
        f"处理异常值指标 {treated} 个。结果：{out}"
    )
