"""`gaoxin evaluate`: run an evaluation framework over a CSV, no database needed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

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
    framework: Annotated[Path, typer.Option("--framework", help="评价体系 YAML 文件")],
    data: Annotated[
        Path, typer.Option("--data", help="数据 CSV：每个单位一行，含单位列与各指标列")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="结果 CSV：每个单位一行，含各节点得分、总分、排名、等级")
    ],
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
) -> None:
    """按评价体系计算综合得分、排名与等级（不需要数据库）。"""
    import polars as pl

    from gaoxin.engine.composite import evaluate as run
    from gaoxin.engine.composite import load_framework, read_data, run_json
    from gaoxin.engine.problems import Problem, ProblemsError

    try:
        fw = load_framework(framework)
        if not data.is_file():
            raise ProblemsError([Problem("data.file", "找不到数据文件", file=str(data))])
        try:
            df = read_data(str(data), fw)
        except Exception as e:  # polars' own parse errors
            raise ProblemsError(
                [Problem("data.csv", f"无法读取 CSV：{e}", file=str(data))]
            ) from None
        prev = pl.read_csv(previous, infer_schema=False) if previous else None
        if prev is not None:
            prev = prev.with_columns(pl.col("rank").cast(pl.Float64, strict=False))
        hist = [read_data(str(h), fw) for h in history or []]
        ev = run(fw, df, previous=prev, history=hist, file=str(data))
    except ProblemsError as e:
        _print_problems(e.problems, f"发现 {len(e.problems)} 个问题，未生成结果")
        raise typer.Exit(1) from None
    if ev.warnings:
        _print_problems(ev.warnings, f"提示 {len(ev.warnings)} 条")
    out.parent.mkdir(parents=True, exist_ok=True)
    ev.result.write_csv(out)
    Path(str(out) + ".run.json").write_text(run_json(ev), encoding="utf-8")
    if report is not None:
        report.mkdir(parents=True, exist_ok=True)
        ev.imputation_report().write_csv(report / "imputed.csv")
        ev.treatment_report().write_csv(report / "treated.csv")
        for name, layer in ev.layers.items():
            layer.write_csv(report / f"layer_{name}.csv")
    treated = sum(1 for t in ev.treatment if t.status not in ("pass", "skipped"))
    console.print(
        f"已评价 {len(ev.units)} 个单位（剔除 {len(ev.screened_out)} 个），插补 {len(ev.imputed)} 个缺失值，"
        f"处理异常值指标 {treated} 个。结果：{out}"
    )
