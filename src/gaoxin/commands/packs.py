"""`gaoxin packs`: check policy packs, run their test cases, list the packs shipped with gaoxin."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.policy.packs import shipped_packs

app = typer.Typer(
    help="政策包：检查格式与引文、运行测试用例、列出内置政策包。", no_args_is_help=True
)

STATUS_ZH = {"in_force": "现行有效", "draft": "征求意见稿", "expired": "已失效"}

Paths = Annotated[
    list[Path] | None,
    typer.Argument(
        help="政策包目录（含 pack.yaml）或用例文件；不写则为全部内置政策包", show_default=False
    ),
]


def _where(p: Problem) -> str:
    if p.file and p.row is not None:
        return f"{p.file}:{p.row}"
    return p.file or ""


def _print_problem(console: Console, p: Problem) -> None:
    tag = "[yellow]提醒[/yellow]" if p.severity == "warning" else "[red]错误[/red]"
    value = f"（{escape(p.value)}）" if p.value and len(p.value) <= 60 else ""
    console.print(f"{escape(_where(p))}: {tag} [dim]{p.code}[/dim] {escape(p.message)}{value}")


def _pack_dir(path: Path) -> Path:
    return path.parent if path.is_file() and path.name == "pack.yaml" else path


@app.command()
def check(paths: Paths = None) -> None:
    """检查政策包：格式、公式、引文是否见于原文，以及 cases/ 中的用例文件。有错误时退出码为 1。"""
    from gaoxin.policy.packs import check_packs

    console = Console(soft_wrap=True)
    dirs = [_pack_dir(p) for p in paths] if paths else shipped_packs()
    errors = warnings = 0
    for d, problems in check_packs(dirs):
        for p in problems:
            _print_problem(console, p)
        n = sum(p.severity == "error" for p in problems)
        errors += n
        warnings += len(problems) - n
        if not problems:
            console.print(f"[green]✓[/green] {escape(str(d))}")
    console.print(
        f"检查了 {len(dirs)} 个政策包：{errors} 个错误，{warnings} 个提醒。"
        + ("" if errors else "没有错误。")
    )
    if errors:
        raise typer.Exit(1)


@app.command("test")
def test_(
    paths: Paths = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="列出每个通过的用例")] = False,
) -> None:
    """运行政策包的测试用例（cases/*.yaml），逐项对比期望与实际结果。有失败时退出码为 1。"""
    from gaoxin.engine.packs.cases import discover, run_cases

    console = Console(soft_wrap=True)
    targets = list(paths) if paths else shipped_packs()
    passed = failed = 0
    broken = False
    for t in targets:
        pack_dir, files = discover(t)
        if not files:
            console.print(
                f"[yellow]提醒[/yellow] {escape(str(pack_dir))}：没有用例文件（cases/*.yaml）"
            )
            continue
        try:
            results = run_cases(pack_dir, files)
        except ProblemsError as e:
            for p in e.problems:
                _print_problem(console, p)
            broken = True
            continue
        for r in results:
            if r.passed:
                passed += 1
                if verbose:
                    console.print(f"[green]通过[/green] {escape(r.where)} {escape(r.case.name)}")
                continue
            failed += 1
            console.print(f"[red]失败[/red] {escape(r.where)} {escape(r.case.name)}")
            for line in r.diff().splitlines():
                console.print(f"  {escape(line)}")
    summary = f"用例 {passed + failed} 个：通过 {passed} 个，失败 {failed} 个。"
    if broken:
        summary += "有政策包或用例文件无法读取（见上）。"
    console.print(f"[red]{summary}[/red]" if failed or broken else f"[green]{summary}[/green]")
    if failed or broken:
        raise typer.Exit(1)


@app.command("list")
def list_() -> None:
    """列出内置政策包：标题、发文单位、状态、规则和目标数、用例数。"""
    from gaoxin.engine.packs import load_pack
    from gaoxin.engine.packs.cases import discover

    console = Console()
    table = Table(header_style="bold")
    for name in ("编号", "标题", "发文单位", "状态", "规则", "目标", "用例文件"):
        table.add_column(name, overflow="fold")
    for d in shipped_packs():
        cases = str(len(discover(d)[1]))
        try:
            spec = load_pack(d).spec
        except ProblemsError as e:
            table.add_row(d.name, "", "", f"[red]有 {len(e.errors)} 个错误[/red]", "", "", cases)
            continue
        table.add_row(
            spec.id,
            spec.title,
            spec.issuer,
            STATUS_ZH.get(spec.status, spec.status),
            str(len(spec.rules)),
            str(len(spec.targets)),
            cases,
        )
    console.print(table)
