"""`gaoxin analytics build|status`: the analytics tables (gaoxin.statistics.analytics,
decision 036) built now, or where they stand."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from gaoxin.commands import django_env

console = Console(soft_wrap=True)
app = typer.Typer(
    help="分析表：事实表与指标值（页面、接口和监测表读取的数据）。", no_args_is_help=True
)


@app.command()
def build(
    full: Annotated[
        bool, typer.Option("--full", help="全部年份重建（默认只重建有变化的年份）")
    ] = False,
) -> None:
    """生成分析表：数据有更新时重建变化的年份，已是最新则不做。"""
    django_env.setup()
    from gaoxin.statistics import analytics

    with console.status("正在生成分析表…") as status:

        def progress(step: str, done: int | None = None, total: int | None = None) -> None:
            status.update(f"正在生成分析表：{step}")

        result = analytics.build(full=full, progress=progress)
    console.print(f"[green]{result.summary()}[/]" if not result.skipped else result.summary())
    console.print(result.state.text())


@app.command()
def status() -> None:
    """分析表现状：数据版本、生成时间、是否待重建。"""
    django_env.setup()
    from gaoxin.statistics import analytics

    state = analytics.state()
    console.print(state.text())
    console.print(f"库中数据版本：{state.data_version}")
    if state.preview_differs:
        console.print("另有预览分析表（含已提交、市级已审核的待审定数据）。")
    if state.stale:
        console.print("重建：gaoxin analytics build（或等待后台任务进程 gaoxin worker 自动重建）")
