"""`gaoxin targets`: how far the jurisdiction, its zones and cities have come towards a pack's
targets (发展目标), from the facts in the store, with a projection to each deadline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
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


def _jurisdiction(entities: pl.DataFrame, zones: list[str]) -> str | None:
    """The smallest region holding every reporting zone: its city when they share one, else
    their province, else None (the whole country)."""
    z = entities.filter(pl.col("entity").is_in(zones))
    for column in ("city", "province"):
        values = z[column].unique().to_list()
        if len(values) == 1 and values[0] is not None:
            return str(values[0])
    return None


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
    from gaoxin.engine.indicators import compute, default_indicators
    from gaoxin.engine.targets import (
        IndicatorInfo,
        assess,
        no_data_reasons,
        target_series,
        targets_table,
        unavailable_reason,
        write_targets_xlsx,
    )
    from gaoxin.policy.packs import pack_scope
    from gaoxin.statistics.facts import engine_facts

    try:
        in_scope = pack_scope(spec.region, scope, f"《{spec.title}》", resolve=_scope)
    except ProblemsError as e:
        console.print(f"[red]{escape(e.problems[0].message)}[/]")  # its region has no data
        raise typer.Exit(1) from None
    say_scope(console, in_scope)
    where = in_scope.entity
    with console.status("正在汇总数据…"):
        facts = engine_facts(where)
        entities = facts.entities.with_columns(
            pl.col("entity", "kind", "province", "city", "zone").cast(pl.String)
        )
        reporting = facts.observations.select(pl.col("entity").cast(pl.String)).unique()
        zones = (
            entities.join(reporting, on="entity", how="semi")["zone"]
            .drop_nulls()
            .unique()
            .sort()
            .to_list()
        )
        years = sorted(int(p) for p in facts.periods("year"))
        if not zones or not years:
            console.print(
                "[red]没有任何园区的年度统计数据[/]：请先导入数据（gaoxin import）或载入演示数据（gaoxin demo）"
            )
            raise typer.Exit(1)
        year = as_of if as_of is not None else years[-1]
        j = where.code if where is not None else _jurisdiction(entities, zones)
        j_kind = None
        if j is not None:
            kinds = entities.filter(pl.col("entity") == j)["kind"].to_list()
            j_kind = kinds[0] if kinds else None
        catalogue = {i.code: i for i in default_indicators()}
        info = {c: IndicatorInfo(i.level, i.additive) for c, i in catalogue.items()}
        unavailable = {
            t.id: why
            for t in spec.targets
            if (why := unavailable_reason(t, info.get(t.indicator), j_kind)) is not None
        }
        wanted = {t.indicator for t in spec.targets if t.id not in unavailable}
        result = compute(None, facts, [str(y) for y in years if y <= year], keep_frames=False)
        values = result.frame.filter(pl.col("indicator").is_in(wanted))
        series = target_series(
            values, entities, {c: info[c] for c in wanted}, jurisdiction=j, zones=zones
        )
        computable = [t for t in spec.targets if t.id not in unavailable]
        assessed = assess(computable, series, year)
        names = dict(zip(entities["entity"], entities["name"], strict=True))
        no_data = no_data_reasons(
            computable,
            result.formulas,
            result.namespace,
            facts.observations,
            entities,
            jurisdiction=j,
            as_of=year,
        )
        table = targets_table(spec.targets, assessed, unavailable, names, no_data)

    place = names.get(j, j) if j is not None else "全国"
    title = f"{place}发展目标进度（{year}年）"
    console.print(f"[bold]{title}[/]")
    console.print(f"依据《{spec.title}》；数据截至 {local_text(facts.built_at)}")
    view = Table(show_lines=False)
    for h in ("目标", "条款", "范围", "基期", "现值", "目标值", "期限", "进度", "预测", "状态"):
        view.add_column(h, overflow="fold", max_width=28 if h == "目标" else None)
    for r in table.iter_rows(named=True):
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
    counts = table.group_by("状态").len().sort("len", descending=True)
    console.print("；".join(f"{s} {n} 项" for s, n in counts.iter_rows()))
    if out is not None:
        note = f"依据《{spec.title}》　数据截至：{local_text(facts.built_at)}　输入哈希：{facts.input_hash[:12]}"
        write_targets_xlsx(table, out, title, note)
        console.print(f"[green]已保存[/] {out}")


def _show(v: float | None) -> str:
    return "" if v is None else f"{v:,.2f}"
