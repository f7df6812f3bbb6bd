"""`gaoxin targets`: how far the jurisdiction, its zones and cities have come towards a pack's
targets (发展目标), from the facts in the store, with a projection to each deadline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gaoxin.commands import django_env
from gaoxin.engine.clock import local_text
from gaoxin.engine.problems import ProblemsError

console = Console(soft_wrap=True)


def _pack(name: str):
    """A shipped pack by id (``taizhou-2024``) or a pack directory."""
    from gaoxin.engine.packs import load_pack
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.policy.packs import pack_dir, shipped_packs

    path = pack_dir(name)
    if path is None:
        console.print(
            f"[red]找不到政策包「{name}」[/]：请给出政策包目录，或内置政策包编号之一："
            + "、".join(p.name for p in shipped_packs())
        )
        raise typer.Exit(2)
    try:
        return load_pack(path)
    except ProblemsError as e:
        console.print(f"[red]政策包「{name}」有错误[/]，请先运行 gaoxin packs check：")
        for p in e.problems[:10]:
            console.print(f"  {p.file}:{p.row or ''} {p.message}")
        raise typer.Exit(1) from None


def targets(
    pack: Annotated[str, typer.Option("--pack", help="政策包编号（如 taizhou-2024）或目录")],
    as_of: Annotated[
        int | None, typer.Option("--as-of", help="评估年份（默认：有数据的最近一年）")
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option(
            help="辖区代码；全国 为登记库全部（默认：政策包的适用范围；全国性政策包为有数据的高新区所在的最小行政区）"
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="另存为 .xlsx（A4 横向，可直接打印）")] = None,
) -> None:
    """发展目标进度：各目标的基期、现值、目标值、进度、按趋势推算到期限的预测值和状态。"""
    loaded = _pack(pack)
    spec = loaded.spec
    if not spec.targets:
        console.print(f"政策包「{spec.id}」没有发展目标。")
        raise typer.Exit(0)
    django_env.setup()
    from gaoxin.commands.data import _scope
    from gaoxin.commands.edge import say_scope
    from gaoxin.policy.packs import pack_scope
    from gaoxin.policy.services import target_progress

    try:
        in_scope = pack_scope(spec.region, scope, f"《{spec.title}》", resolve=_scope)
    except ProblemsError as e:
        console.print(f"[red]{escape(e.problems[0].message)}[/]")  # its region has no data
        raise typer.Exit(1) from None
    say_scope(console, in_scope)
    try:
        with console.status("正在汇总数据…"):
            progress = target_progress(loaded, in_scope.entity, by=None, as_of=as_of)
    except ProblemsError as e:
        console.print(f"[red]{escape(e.problems[0].message)}[/]")
        raise typer.Exit(1) from None

    console.print(f"[bold]{progress.title}[/]")
    console.print(f"依据《{spec.title}》；数据截至 {local_text(progress.built_at)}")
    view = Table(show_lines=False)
    for h in ("目标", "条款", "范围", "基期", "现值", "目标值", "期限", "进度", "预测", "状态"):
        view.add_column(h, overflow="fold", max_width=28 if h == "目标" else None)
    for r in progress.table.iter_rows(named=True):
        view.add_row(
            r["目标"],
            r["条款"],
            r["范围"],
            r["基期"],
            _show(r["现值"]) + (f"（{r['现值年份']}）" if r["现值年份"] else ""),
            r["目标值"],
            str(r["期限"]),
            "" if r["进度"] is None else f"{r['进度']:.0%}",
            _show(r["预测"]),
            r["状态"]
            if r["说明"] is None or r["状态"] != "无法计算"
            else f"{r['状态']}：{r['说明']}",
        )
    console.print(view)
    console.print("；".join(f"{s} {n} 项" for s, n in progress.counts))
    if out is not None:
        progress.write_xlsx(out)
        console.print(f"[green]已保存[/] {out}")


def _show(v: float | None) -> str:
    return "" if v is None else f"{v:,.2f}"
