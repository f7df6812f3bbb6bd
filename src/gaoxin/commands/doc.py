"""`gaoxin doc`: policy documents -> measures, units, amounts, targets; the task ledger."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gaoxin.engine.problems import ProblemsError

app = typer.Typer(
    help="政策文件：解析为措施、责任单位、资金与目标；任务台账。", no_args_is_help=True
)

EXIT_UNREADABLE = 2


def _fail(exc: ProblemsError, console: Console) -> None:
    for p in exc.problems:
        typer.echo(f"错误：{p}", err=True)
    raise typer.Exit(EXIT_UNREADABLE)


def _amounts(values: list[float]) -> str:
    return "、".join(f"{v:g}" for v in values)


@app.command()
def parse(
    file: Annotated[
        Path, typer.Argument(help="政策文件：.txt、网页（.html）、.docx 或带文字层的 .pdf")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象（机器可读）")] = False,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="写出任务分解表（台账）.xlsx")] = None,
    drafts: Annotated[
        Path | None, typer.Option("--drafts", help="写出政策包条目草稿 .yaml（须人工审核）")
    ] = None,
) -> None:
    """解析政策文件：标题、文号、条目、牵头/参与单位、资金（万元）、发展目标。"""
    from gaoxin.engine.documents import parse_file
    from gaoxin.engine.documents.drafts import write_drafts
    from gaoxin.engine.documents.ledger_xlsx import write_ledger

    err = Console(stderr=True)
    try:
        doc = parse_file(file)
    except ProblemsError as exc:
        _fail(exc, err)
        return
    if xlsx:
        write_ledger(doc, xlsx)
        err.print(f"已写出任务分解表：{xlsx}")
    if drafts:
        write_drafts(doc, drafts)
        err.print(f"已写出政策包草稿（须人工审核）：{drafts}")
    if as_json:
        sys.stdout.write(json.dumps(doc.as_dict(), ensure_ascii=False, indent=1) + "\n")
        return

    out = Console()
    out.print(f"[bold]{doc.title or '（未识别标题）'}[/bold]")
    meta = "　".join(
        f"{k}：{v}"
        for k, v in (("发文单位", doc.issuer), ("文号", doc.doc_number), ("日期", doc.issued))
        if v
    )
    if meta:
        out.print(meta)
    if doc.status == "draft":
        out.print("[yellow]征求意见稿[/yellow]")
    table = Table(show_lines=False, header_style="bold")
    for name in ("条目", "标题", "牵头单位", "参与单位", "资金（万元）"):
        table.add_column(name, overflow="fold")
    for m in doc.measures:
        table.add_row(
            m.number,
            m.title,
            "、".join(m.lead_units),
            "、".join(m.participating_units),
            _amounts(m.amounts_wan),
        )
    out.print(table)
    with_units = sum(1 for m in doc.measures if m.lead_units or m.participating_units)
    out.print(
        f"共 {len(doc.measures)} 条措施（{with_units} 条有责任单位），{len(doc.headings)} 个标题，"
        f"{sum(len(m.amounts) for m in doc.measures)} 处资金，{len(doc.targets)} 个量化目标。"
    )
    for p in doc.problems:
        out.print(f"[yellow]提示[/yellow]：{p}")


@app.command()
def score(
    file: Annotated[Path, typer.Argument(help="政策文件")],
    expected: Annotated[Path, typer.Argument(help="人工核对的期望结果 *.expected.json")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """对照人工核对的期望结果，计算各字段的精确率与召回率。"""
    from gaoxin.engine.documents import parse_file
    from gaoxin.engine.documents.quality import differences
    from gaoxin.engine.documents.quality import score as score_document

    err = Console(stderr=True)
    try:
        doc = parse_file(file)
        wanted = json.loads(expected.read_text(encoding="utf-8"))
    except ProblemsError as exc:
        _fail(exc, err)
        return
    except (OSError, json.JSONDecodeError) as exc:
        typer.echo(f"错误：无法读取期望结果 {expected}（{exc}）。", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from exc
    scores = score_document(doc, wanted)
    if as_json:
        payload = {"file": str(file), "scores": {k: v.as_dict() for k, v in scores.items()}}
        payload["differences"] = differences(doc, wanted)
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=str(file))
    for name in ("字段", "期望", "识别", "正确", "精确率", "召回率"):
        table.add_column(name, justify="right")
    for name, s in scores.items():
        table.add_row(
            name,
            str(s.expected),
            str(s.found),
            str(s.correct),
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
        )
    Console().print(table)
