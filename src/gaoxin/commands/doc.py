"""`gaoxin doc`: policy documents -> measures, units, amounts, targets; the task ledger."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gaoxin.commands import edge
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
        for k, v in (
            ("文种", doc.kind),
            ("发文单位", doc.issuer),
            ("文号", doc.doc_number),
            ("日期", doc.issued),
        )
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
    for d in doc.decisions:  # what a 批复 or 通报 decides about named zones
        value = f"（{d.value}）" if d.value else ""
        where = f"　见 {''.join(d.path)}" if d.path else ""
        out.print(f"决定：{d.label}{value}　{'、'.join(d.zones)}{where}")
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


# ---------------------------------------------------------------------------------------------
# `gaoxin doc ledger`: the task ledger kept in the database (gaoxin.policy)

ledger_app = typer.Typer(
    help="任务台账（数据库）：导入政策文件、查看措施、报送进展、汇总与导出。",
    no_args_is_help=True,
)
app.add_typer(ledger_app, name="ledger")

EXIT_NOT_FOUND = 2
STATUS_STYLE = {
    "not_started": "dim",
    "in_progress": "cyan",
    "done": "green",
    "late": "bold red",
}


def _user(username: str | None):
    return edge.user(username, "--user")


def _refused(exc: Exception) -> typer.Exit:
    typer.echo(f"错误：{exc}", err=True)
    return typer.Exit(EXIT_NOT_FOUND)


def _status_label(status: str) -> str:
    from gaoxin.policy.choices import ProgressStatus

    label = str(dict(ProgressStatus.choices).get(status, status))
    return f"[{STATUS_STYLE.get(status, '')}]{label}[/]"


def _parse_status(value: str | None) -> str | None:
    """Accept the identifier (late) or the Chinese label (滞后)."""
    from gaoxin.policy.choices import ProgressStatus

    if value is None:
        return None
    for s in ProgressStatus:
        if value in (s.value, str(s.label)):
            return s.value
    allowed = "、".join(f"{s.value}（{s.label}）" for s in ProgressStatus)
    typer.echo(f"错误：进展状态「{value}」无效，可选：{allowed}。", err=True)
    raise typer.Exit(EXIT_NOT_FOUND)


@ledger_app.command("import")
def ledger_import(
    file: Annotated[
        Path, typer.Argument(help="政策文件：.txt、网页（.html）、.docx 或带文字层的 .pdf")
    ],
    user: Annotated[str | None, typer.Option("--user", help="导入人（用户名）")] = None,
    jurisdiction: Annotated[
        str | None,
        typer.Option(
            help="文件适用的行政区（代码或名称，如 350000）；不写则按发文机关读出",
        ),
    ] = None,
    links: Annotated[
        Path | None,
        typer.Option(help="已核对的单位关联文件（如政策包的 units.yaml）"),
    ] = None,
) -> None:
    """导入政策文件，生成任务台账（同一文件重复导入不会重复保存）。"""
    from gaoxin.commands import django_env

    django_env.setup()
    from gaoxin.policy.services import import_policy_document

    err = Console(stderr=True)
    try:
        region = None
        if jurisdiction:
            from gaoxin.registry.lookup import EntityLookupError, resolve

            try:
                region = resolve(jurisdiction)
            except EntityLookupError as e:
                err.print(f"[red]{e}[/]")
                raise typer.Exit(EXIT_NOT_FOUND) from e
        done = import_policy_document(file, by=_user(user), jurisdiction=region, links=links)
    except ProblemsError as exc:
        _fail(exc, err)
        return
    document = done.document
    out = Console()
    if done.already_imported:
        from django.utils import timezone

        out.print(
            f"[yellow]该文件已导入过[/]：#{document.pk}《{document}》"
            f"（{timezone.localtime(document.imported_at):%Y-%m-%d %H:%M}），未重复保存。"
        )
        return
    out.print(
        f"已导入：#{document.pk}《{document}》，共 {done.measures} 条措施（{done.with_units} 条有责任单位）。"
    )


@ledger_app.command("list")
def ledger_list(
    document: Annotated[
        int | None, typer.Option("--document", help="只看此政策文件（编号）")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="只看此责任单位（名称包含）")] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="只看此状态：not_started、in_progress、done、late（或中文）"),
    ] = None,
) -> None:
    """列出措施及其当前进展（逾期未完成的措施显示为“滞后”）。"""
    from gaoxin.commands import django_env

    django_env.setup()
    from gaoxin.policy.models import PolicyDocument
    from gaoxin.policy.services import ledger_measures
    from gaoxin.services import NotFound

    code = _parse_status(status)
    if document is None and not PolicyDocument.objects.exists():
        Console().print("尚未导入政策文件：先运行 gaoxin doc ledger import 文件。")
        return
    try:
        found = ledger_measures(by=None, document=document, unit=unit, status=code)
    except NotFound as exc:
        raise _refused(exc) from None
    rows, units = found.measures, found.units
    table = Table(header_style="bold", show_lines=False)
    for name, kw in (
        ("ID", {"justify": "right"}),
        ("文件", {"justify": "right"}),
        ("条目", {}),
        ("标题", {}),
        ("责任单位", {"max_width": 40}),
        ("完成时限", {}),
        ("状态", {}),
        ("最新进展", {"max_width": 30}),
    ):
        table.add_column(name, overflow="fold", **kw)
    for m in rows:
        table.add_row(
            str(m.pk),
            str(m.document_id),
            m.number,
            m.title,
            "、".join(units.get(m.pk, [])),
            m.deadline_text,
            _status_label(m.status),
            m.latest_note or "",
        )
    out = Console()
    out.print(table)
    out.print(f"共 {len(rows)} 条措施，其中滞后 {found.late} 条。")


@ledger_app.command("report")
def ledger_report(
    measure_id: Annotated[int, typer.Argument(help="措施 ID（见 gaoxin doc ledger list）")],
    status: Annotated[
        str,
        typer.Option("--status", help="进展状态：not_started、in_progress、done、late（或中文）"),
    ],
    note: Annotated[str, typer.Option("--note", help="进展说明")] = "",
    unit: Annotated[
        str | None, typer.Option("--unit", help="以此责任单位的名义报送（须是该措施的责任单位）")
    ] = None,
    evidence: Annotated[
        list[Path] | None, typer.Option("--evidence", help="佐证材料文件，可重复给出")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="报送人（用户名）")] = None,
) -> None:
    """报送一条措施的进展（只追加，不覆盖历史）。"""
    from gaoxin.commands import django_env

    django_env.setup()
    from gaoxin.policy.ledger import LedgerError
    from gaoxin.policy.services import report_measure_progress
    from gaoxin.services import NotFound

    code = _parse_status(status)
    try:
        report = report_measure_progress(
            measure_id, code or "", by=_user(user), note=note, unit=unit, evidence=evidence or ()
        )
    except (NotFound, LedgerError) as exc:
        raise _refused(exc) from None
    measure = report.measure
    n = report.evidence.count()
    Console().print(
        f"已记录：措施 {measure.number}《{measure.title}》→ {_status_label(report.status)}"
        f"（{report.reported_on}）" + (f"，佐证材料 {n} 份。" if n else "。")
    )


@ledger_app.command("summary")
def ledger_summary(
    by: Annotated[
        str, typer.Option("--by", help="按 unit（责任单位）或 document（文件）汇总")
    ] = "unit",
    document: Annotated[
        int | None, typer.Option("--document", help="按单位汇总时只看此文件（编号）")
    ] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="另存为 .xlsx")] = None,
) -> None:
    """汇总各责任单位或各文件的措施进展：未启动、推进中、已完成、滞后，以及涉及资金。"""
    from gaoxin.commands import django_env

    django_env.setup()
    from gaoxin.policy.services import ledger_summary

    if by not in ("unit", "document"):
        typer.echo("错误：--by 只能是 unit（责任单位）或 document（文件）。", err=True)
        raise typer.Exit(EXIT_NOT_FOUND)
    try:
        shown = ledger_summary(by=None, group=by, document=document)
    except ProblemsError as exc:
        raise _refused(exc) from None
    table = Table(header_style="bold")
    for c in shown.columns:
        numeric = shown.schema[c].is_numeric()
        table.add_column(c, justify="right" if numeric else "left", overflow="fold")
    for row in shown.iter_rows():
        table.add_row(*[_cell(v) for v in row])
    out = Console()
    out.print(table)
    if xlsx is not None:
        shown.write_excel(xlsx, worksheet="汇总", autofit=True)
        out.print(f"已写出汇总表：{xlsx}")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}"
    return str(value)


@ledger_app.command("export")
def ledger_export(
    document_id: Annotated[int, typer.Argument(help="政策文件编号")],
    out: Annotated[Path, typer.Argument(help="写出的任务分解表 .xlsx")],
) -> None:
    """导出任务分解表（台账），附当前状态、最近报送日期和最新进展。"""
    from gaoxin.commands import django_env

    django_env.setup()
    from gaoxin.policy.services import export_task_ledger
    from gaoxin.services import NotFound

    try:
        export_task_ledger(document_id, out, by=None)
    except NotFound as exc:
        raise _refused(exc) from None
    Console().print(f"已写出任务分解表：{out}")


@app.command()
def write(
    kind: Annotated[
        str,
        typer.Argument(
            help="公文种类：evaluation 综合评价结果通报、awards 奖补资金分配方案、awards-notice 分配公示、"
            "summons 约谈通知书、rectify 限期整改通知书、monitor 监测通报、ledger 进展情况通报"
        ),
    ],
    pack: Annotated[
        str, typer.Option(help="政策包（目录名或 id），其 documents: 一节给出发文机关")
    ],
    period: Annotated[str, typer.Option(help="期间：年度 2025，或监测通报的 2025-07、2025Q3")],
    out: Annotated[
        Path, typer.Option(help="写出的 .docx；通知书按园区各写一份（文件名后加园区名）")
    ],
    pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 生成 PDF")] = False,
    zone: Annotated[str | None, typer.Option(help="通知书只写这个园区（代码）")] = None,
    seq: Annotated[int | None, typer.Option(help="发文字号的顺序号；不给则留空待填")] = None,
    document: Annotated[
        int | None, typer.Option(help="进展情况通报（ledger）只汇总这个政策文件（编号）")
    ] = None,
) -> None:
    """按 GB/T 9704-2012 写出公文（.docx，可选 PDF），依据已审定的评价运行、奖补台账或监测表。"""
    from gaoxin.commands.django_env import setup

    setup()
    from gaoxin.documents.services import write_official_documents

    err = Console(stderr=True)
    try:
        files = write_official_documents(
            kind,
            out,
            pack=pack,
            period=period,
            by=None,
            zone=zone,
            seq=seq,
            pdf=pdf,
            document=document,
        )
    except ProblemsError as exc:
        _fail(exc, err)
        return
    for f in files:
        err.print(f"已写出：{f}")
