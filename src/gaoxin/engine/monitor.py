"""Monitoring tables (月监测 / 季分析): key indicators of a set of zones for one period.

For each zone and key indicator: the period's own value (当月/当季), the year-to-date value
(1-N月累计), 同比 growth of the year-to-date value, the zone's rank among the zones of the table and
its change since the previous period (positive: moved up). A totals row (合计) adds up additive
indicators and gives their 同比 growth from the totals. ``write_monitor_xlsx`` prints it the way
such tables are issued: title, two header rows, units row, totals row, frozen panes, number
formats, A4 landscape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from gaoxin.engine.facts import FactFrame
from gaoxin.engine.indicators import Indicator, compute, default_indicators
from gaoxin.engine.periods import Period

#: The measures shown per indicator, in order: (suffix, Chinese heading).
MEASURES: tuple[tuple[str, str], ...] = (
    ("current", "本期"),
    ("cumulative", "累计"),
    ("yoy", "累计同比"),
    ("rank", "排名"),
    ("rank_change", "位次变化"),
)
TOTAL = "合计"


@dataclass(frozen=True)
class MonitorTable:
    """``frame``: one row per zone (the totals row first, ``is_total``), columns ``zone``,
    ``zone_name`` and ``<indicator>__<measure>`` for each measure of :data:`MEASURES`."""

    frame: pl.DataFrame
    period: str
    indicators: tuple[Indicator, ...]
    input_hash: str
    built_at: str
    long: pl.DataFrame = field(repr=False, default_factory=pl.DataFrame)

    def headers(self) -> list[str]:
        """Chinese column headings (for CSV): 营业收入·累计（万元）."""
        out = ["园区代码", "园区"]
        for ind in self.indicators:
            for key, zh in MEASURES:
                out.append(f"{ind.zh}·{zh}（{_unit(ind, key)}）")
        return out

    def to_csv(self, path: str | Path) -> Path:
        path = Path(path)
        body = self.frame.drop("is_total")
        body.columns = self.headers()
        body.write_csv(path, include_bom=True)
        return path


def _unit(ind: Indicator, key: str) -> str:
    if key == "yoy":
        return "%"
    if key in ("rank", "rank_change"):
        return "位"
    return ind.unit


def _key_indicators() -> list[Indicator]:
    return [i for i in default_indicators() if i.key and i.level == "zone"]


def _period_codes(period: str) -> tuple[str, str, str]:
    """This period, the previous one and the same period last year."""
    p = Period.parse(period)
    return str(p), str(p.previous()), str(p.same_period_last_year())


def monitor_table(
    facts: FactFrame,
    period: str,
    indicators: Sequence[Indicator | str] | None = None,
    zones: Sequence[str] | None = None,
    catalogue: Sequence[Indicator] | None = None,
) -> MonitorTable:
    """The monitoring table of ``zones`` (default: every zone with a row) for ``period``.

    ``indicators`` are zone-level indicators or their codes (default: the catalogue's ``key``
    ones). A cumulative indicator's 本期 is its single-period value (``single``); a stock indicator
    (a count, a ratio) has no 累计, and its 同比 is that of its value.
    """
    cat = list(catalogue if catalogue is not None else default_indicators())
    by_code = {i.code: i for i in cat}
    chosen: list[Indicator] = []
    for item in indicators if indicators is not None else _key_indicators():
        ind = by_code[item] if isinstance(item, str) else item
        if ind.level != "zone":
            raise ValueError(
                f"monitoring tables compare zones; {ind.code} is a {ind.level} indicator"
            )
        chosen.append(ind)
    extra: list[Indicator] = []
    for ind in chosen:
        current = f"single({ind.code})" if ind.cumulative else ind.code
        extra.append(
            Indicator(
                code=f"{ind.code}__current",
                zh=ind.zh,
                en=ind.en,
                unit=ind.unit,
                level="zone",
                formula=current,
                source=ind.source,
            )
        )
    needed = _with_dependencies(chosen, cat)
    this, previous, last_year = _period_codes(period)
    result = compute([*needed, *extra], facts, [this, previous, last_year])
    codes = [i.code for i in chosen]
    long = result.frame.filter(
        (pl.col("kind") == "zone")
        & pl.col("indicator").is_in(codes + [f"{c}__current" for c in codes])
    )
    if zones is not None:
        long = long.filter(pl.col("entity").is_in(list(zones)))
    values = long.pivot(on="period", index=["entity", "indicator"], values="value")
    for p in (this, previous, last_year):
        if p not in values.columns:
            values = values.with_columns(pl.lit(None, pl.Float64).alias(p))
    main = values.filter(pl.col("indicator").is_in(codes))
    main = main.filter(pl.col(this).is_not_null() | pl.col(previous).is_not_null())
    ranked = main.with_columns(
        rank=pl.col(this).rank("min", descending=True).over("indicator"),
        rank_prev=pl.col(previous).rank("min", descending=True).over("indicator"),
        yoy=(pl.col(this) - pl.col(last_year)) / pl.col(last_year).abs() * 100,
    ).with_columns(rank_change=pl.col("rank_prev").cast(pl.Int64) - pl.col("rank").cast(pl.Int64))
    singles = values.filter(pl.col("indicator").str.ends_with("__current")).select(
        "entity",
        pl.col("indicator").str.strip_suffix("__current"),
        pl.col(this).alias("current"),
    )
    cum_codes = [i.code for i in chosen if i.cumulative]
    table = ranked.join(singles, on=["entity", "indicator"], how="left").with_columns(
        cumulative=pl.when(pl.col("indicator").is_in(cum_codes)).then(pl.col(this)),
        yoy=pl.when(pl.col("yoy").is_finite()).then(pl.col("yoy")),
    )
    entities = sorted(set(table["entity"].to_list()))
    names = facts.entities.filter(pl.col("entity").is_in(entities)).select(
        pl.col("entity").alias("zone"), pl.col("name").alias("zone_name")
    )
    wide = names.with_columns(is_total=pl.lit(False))
    for ind in chosen:
        part = table.filter(pl.col("indicator") == ind.code).select(
            pl.col("entity").alias("zone"),
            *[pl.col(k).cast(pl.Float64).alias(f"{ind.code}__{k}") for k, _ in MEASURES],
        )
        wide = wide.join(part, on="zone", how="left")
    total = _totals(table, chosen, this, last_year)
    wide = pl.concat([total, wide.sort("zone")], how="diagonal_relaxed")
    wide = wide.select("zone", "zone_name", *[c for c in wide.columns if "__" in c], "is_total")
    return MonitorTable(
        wide, this, tuple(chosen), facts.input_hash, facts.built_at.isoformat(), table
    )


def _with_dependencies(chosen: list[Indicator], cat: list[Indicator]) -> list[Indicator]:
    """The chosen indicators and every catalogue indicator their formulas read, transitively."""
    from gaoxin.engine.expr.syntax import Name, parse, walk

    by_code = {i.code: i for i in cat}
    out: dict[str, Indicator] = {}
    stack = list(chosen)
    while stack:
        ind = stack.pop()
        if ind.code in out:
            continue
        out[ind.code] = ind
        for node in walk(parse(ind.formula)):
            if isinstance(node, Name) and node.id in by_code and node.id not in out:
                stack.append(by_code[node.id])
    return list(out.values())


def _totals(
    table: pl.DataFrame, chosen: list[Indicator], this: str, last_year: str
) -> pl.DataFrame:
    row: dict[str, object] = {"zone": TOTAL, "zone_name": TOTAL, "is_total": True}
    for ind in chosen:
        part = table.filter(pl.col("indicator") == ind.code)
        for key, _ in MEASURES:
            row[f"{ind.code}__{key}"] = None
        if not ind.additive or part.height == 0:
            continue
        now = float(part[this].sum()) if part[this].null_count() < part.height else None
        before = (
            float(part[last_year].sum()) if part[last_year].null_count() < part.height else None
        )
        row[f"{ind.code}__current"] = part["current"].sum()
        row[f"{ind.code}__cumulative"] = now if ind.cumulative else None
        if now is not None and before:
            row[f"{ind.code}__yoy"] = (now - before) / abs(before) * 100
    schema = {"zone": pl.String, "zone_name": pl.String, "is_total": pl.Boolean}
    schema.update({k: pl.Float64 for k in row if "__" in k})
    return pl.DataFrame([row], schema=schema)


def write_monitor_xlsx(table: MonitorTable, path: str | Path, title: str) -> Path:
    """Write the table as it is printed: title row, indicator and measure headers, units row,
    totals row, frozen panes, number formats, A4 landscape fitted to the page width."""
    import xlsxwriter

    path = Path(path)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("月监测")
    font = {"font_name": "SimSun", "font_size": 10}
    f_title = wb.add_format(
        {**font, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
    )
    f_note = wb.add_format({**font, "font_size": 9, "align": "left"})
    f_head = wb.add_format(
        {
            **font,
            "bold": True,
            "align": "center",
            "valign": "vcenter",
            "border": 1,
            "text_wrap": True,
            "bg_color": "#DDEBF7",
        }
    )
    f_unit = wb.add_format({**font, "italic": True, "align": "center", "border": 1, "font_size": 9})
    f_text = wb.add_format({**font, "border": 1})
    formats = {
        "value": wb.add_format({**font, "border": 1, "num_format": "#,##0.00"}),
        "count": wb.add_format({**font, "border": 1, "num_format": "#,##0"}),
        "pct": wb.add_format({**font, "border": 1, "num_format": "0.0"}),
        "rank": wb.add_format({**font, "border": 1, "num_format": "0", "align": "center"}),
        "change": wb.add_format({**font, "border": 1, "num_format": "+0;-0;0", "align": "center"}),
    }
    totals = {}
    for k, spec in (
        ("value", "#,##0.00"),
        ("count", "#,##0"),
        ("pct", "0.0"),
        ("rank", "0"),
        ("change", "+0;-0;0"),
    ):
        totals[k] = wb.add_format(
            {**font, "border": 1, "bold": True, "bg_color": "#F2F2F2", "num_format": spec}
        )
    f_total_text = wb.add_format({**font, "border": 1, "bold": True, "bg_color": "#F2F2F2"})

    n_cols = 2 + len(MEASURES) * len(table.indicators)
    ws.merge_range(0, 0, 0, n_cols - 1, title, f_title)
    ws.set_row(0, 30)
    label = Period.parse(table.period).label()
    ws.merge_range(
        1,
        0,
        1,
        n_cols - 1,
        f"期间：{label}　数据截至：{table.built_at[:19]}　输入哈希：{table.input_hash[:12]}",
        f_note,
    )
    ws.merge_range(2, 0, 3, 0, "园区代码", f_head)
    ws.merge_range(2, 1, 3, 1, "园区", f_head)
    ws.write(4, 0, "", f_unit)
    ws.write(4, 1, "单位", f_unit)
    col = 2
    kinds: list[str] = []
    for ind in table.indicators:
        ws.merge_range(2, col, 2, col + len(MEASURES) - 1, ind.zh, f_head)
        for j, (key, zh) in enumerate(MEASURES):
            ws.write(3, col + j, zh, f_head)
            ws.write(4, col + j, _unit(ind, key), f_unit)
            if key == "yoy":
                kinds.append("pct")
            elif key == "rank":
                kinds.append("rank")
            elif key == "rank_change":
                kinds.append("change")
            elif ind.unit in ("家", "人", "件"):
                kinds.append("count")
            elif ind.unit == "%":
                kinds.append("pct")
            else:
                kinds.append("value")
        col += len(MEASURES)
    ws.set_row(3, 18)
    first_row = 5
    for r, row in enumerate(table.frame.iter_rows(named=True)):
        is_total = row["is_total"]
        text_fmt = f_total_text if is_total else f_text
        ws.write_string(first_row + r, 0, row["zone"] or "", text_fmt)
        ws.write_string(first_row + r, 1, row["zone_name"] or "", text_fmt)
        c = 2
        for ind in table.indicators:
            for key, _ in MEASURES:
                v = row.get(f"{ind.code}__{key}")
                fmt = (totals if is_total else formats)[kinds[c - 2]]
                if v is None:
                    ws.write_blank(first_row + r, c, None, fmt)
                else:
                    ws.write_number(first_row + r, c, float(v), fmt)
                c += 1
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 22)
    ws.set_column(2, n_cols - 1, 11)
    ws.freeze_panes(first_row + 1, 2)  # headers, units and the totals row stay in view
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2, 4)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    wb.close()
    return path
