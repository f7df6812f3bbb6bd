"""`gaoxin eligible`: 免申即享 — who qualifies under a pack's rules for a period from the data the
store already holds (no application needed), and who might, with the data still missing."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gaoxin.engine.packs.schema import ACTION_ZH
from gaoxin.engine.problems import Problem, ProblemsError

console = Console(soft_wrap=True)


def eligible(
    pack: Annotated[str, typer.Option("--pack", help="政策包（目录名或 id，如 gansu）")],
    period: Annotated[str, typer.Option("--period", help="数据期间，如 2025")],
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="只看这些规则（可多次给出）")
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option("--scope", help="辖区或园区代码；全国 为登记库全部（默认：政策包的适用范围）"),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="设定政策原文未定的参数，如 --param top_rank_award=50"),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="另存为 .xlsx（两张表）")] = None,
    limit: Annotated[int, typer.Option("--limit", help="终端每张表最多显示的行数")] = 40,
) -> None:
    """免申即享：按已有数据列出本期符合条件的主体，以及可能符合、还缺哪些数据的主体。不记入台账。"""
    from gaoxin.commands.django_env import setup
    from gaoxin.commands.edge import param_pairs, say_scope
    from gaoxin.evaluation.store import rules_history as evaluation_history
    from gaoxin.policy.packs import find_pack, pack_scope, parameters, runnable_rules

    setup()
    from gaoxin.engine.eligibility import eligibility
    from gaoxin.engine.packs.bindings import EvaluationMissing, evaluations_needed, rules_frame
    from gaoxin.engine.periods import Period, PeriodError
    from gaoxin.statistics.facts import engine_facts

    try:
        try:
            per = Period.parse(period)
        except PeriodError as e:
            raise ProblemsError([Problem("eligible.period", str(e), value=period)]) from None
        loaded = find_pack(pack)
        spec = loaded.spec
        unknown = sorted(set(rule or ()) - {r.id for r in spec.rules})
        if unknown:
            raise ProblemsError(
                Problem("eligible.rule", f"政策包中没有规则「{r}」", value=r) for r in unknown
            )
        given = parameters(param_pairs(param))
        ok, skipped = runnable_rules(loaded, given)
        chosen = [r for r in ok if not rule or r in rule]
        in_scope = pack_scope(spec.region, scope, f"《{spec.title}》")
        say_scope(console, in_scope)
        where = in_scope.entity
        facts = engine_facts(where)
        # Rules that read an evaluation not yet run are left out (and said so), not the list.
        waiting: dict[str, str] = {}
        while True:
            subset = replace(
                loaded,
                spec=spec.model_copy(update={"rules": [r for r in spec.rules if r.id in chosen]}),
            )
            try:
                hist, _ = evaluation_history(evaluations_needed(subset, per), where)
                bound = rules_frame(subset, facts, per, hist, None, scope=scope)
                break
            except EvaluationMissing as e:
                blocked = _rules_reading(subset, per, e.missing)
                for r in blocked:
                    waiting[r] = "；".join(
                        f"gaoxin evaluate --pack {spec.id} --framework {fw} --period {p}"
                        + (f" --scope {scope}" if scope else "")
                        for fw, p in e.missing
                    )
                chosen = [r for r in chosen if r not in blocked]
                if not blocked:
                    raise
        result = eligibility(loaded, bound.frame, per, rules=chosen, parameters=given)
    except ProblemsError as e:
        console.print("[red]未能列出：[/red]")
        for p in e.problems:
            console.print(f"  • {escape(str(p))}")
        raise typer.Exit(1) from None

    names = dict(bound.frame.select("entity", "name").iter_rows())
    titles = {r.id: r.title or r.id for r in spec.rules}
    console.print(f"[bold]《{escape(spec.title)}》{per.label()} 免申即享清单[/bold]")
    q = Table(title=f"符合条件（{result.qualified.height} 项）")
    for h in ("规则", "主体", "结果", "说明"):
        q.add_column(h, overflow="fold")
    for row in result.qualified.head(limit).iter_rows(named=True):
        what = (
            f"{Decimal(row['amount_fen']) / 1_000_000:,.2f} 万元"
            if row["outcome"] == "money"
            else ACTION_ZH.get(row["action"] or "", row["action"] or "")
        )
        q.add_row(titles[row["rule"]], names.get(row["entity"], row["entity"]), what, row["text"])
    console.print(q)
    maybe = Table(title=f"可能符合、尚缺数据（{result.possible.height} 项）")
    for h in ("规则", "主体", "缺少的数据", "需满足"):
        maybe.add_column(h, overflow="fold")
    for row in result.possible.head(limit).iter_rows(named=True):
        maybe.add_row(
            titles[row["rule"]],
            names.get(row["entity"], row["entity"]),
            "、".join(row["missing_labels"]) or "（条件无法计算，如除数为零）",
            "；".join(row["needs"]),
        )
    console.print(maybe)
    shown = max(result.qualified.height, result.possible.height)
    if shown > limit:
        console.print(f"（每张表最多显示 {limit} 行；完整清单请用 --out 保存为 XLSX）")
    for rid, need in skipped.items():
        if not rule or rid in rule:
            console.print(
                f"[yellow]未列出[/yellow] {rid}：需要设定参数 {'、'.join(need)}（--param）"
            )
    for rid, commands in waiting.items():
        console.print(
            f"[yellow]未列出[/yellow] {rid}：需要尚未运行的评价结果，请先运行 {escape(commands)}"
        )
    if out is not None:
        _write_xlsx(out, result, names, titles)
        console.print(f"[green]已保存[/] {out}")


def _rules_reading(loaded, per, missing) -> list[str]:  # type: ignore[no-untyped-def]
    """The rules that read an input bound to one of the ``missing`` (framework, period) runs."""
    from gaoxin.engine.packs.bindings import evaluations_needed

    spec, missing = loaded.spec, set(missing)
    return [
        r.id
        for r in spec.rules
        if missing
        & set(evaluations_needed(replace(loaded, spec=spec.model_copy(update={"rules": [r]})), per))
    ]


def _write_xlsx(path: Path, result, names, titles) -> None:  # type: ignore[no-untyped-def]
    import polars as pl

    qualified = result.qualified.select(
        pl.col("rule").replace_strict(titles).alias("规则"),
        pl.col("entity").alias("主体代码"),
        pl.col("entity").replace_strict(names, default=None).alias("主体"),
        (pl.col("amount_fen").cast(pl.Float64) / 1_000_000).alias("金额（万元）"),
        pl.col("action").replace_strict(ACTION_ZH, default=None).alias("措施"),
        pl.col("text").alias("说明"),
    )
    possible = result.possible.select(
        pl.col("rule").replace_strict(titles).alias("规则"),
        pl.col("entity").alias("主体代码"),
        pl.col("entity").replace_strict(names, default=None).alias("主体"),
        pl.col("missing_labels").list.join("、").alias("缺少的数据"),
        pl.col("needs").list.join("；").alias("需满足"),
    )
    import xlsxwriter

    with xlsxwriter.Workbook(str(path)) as wb:
        qualified.write_excel(wb, worksheet="符合条件", autofit=True)
        possible.write_excel(wb, worksheet="可能符合", autofit=True)
