"""Monitoring tables (月监测 / 季分析): key indicators of a set of zones for one period.

For each zone and key indicator: the period's own value (当月/当季), the year-to-date value
(1-N月累计), 同比 growth of the year-to-date value, the zone's rank among the zones of the table and
its change (positive: moved up) since the previous period and since the same period last year. A
totals row (合计) adds up additive indicators and gives their 同比 growth from the totals of the
zones with a value in both years (同口径: a zone missing in either year is left out of both).
``write_monitor_xlsx`` prints it the way such tables are issued: the indicators grouped a few to a
sheet (one A4 landscape page wide), each sheet with the title, two header rows, units row, totals
row, the zone columns and header rows repeated on every printed page, fitted to the page width.

A quarterly table (季分析, ``2025Q3``) is computed on quarterly facts derived from the monthly ones
where a variable has no quarterly data of its own (:func:`quarterly_facts`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from gaoxin.engine.clock import local_text
from gaoxin.engine.expr.ranking import table_rank
from gaoxin.engine.facts import FactFrame
from gaoxin.engine.indicators import Indicator, compute, default_indicators
from gaoxin.engine.periods import Period
from gaoxin.engine.tabular import printed

#: The measures shown per indicator, in order: (suffix, Chinese heading).
MEASURES: tuple[tuple[str, str], ...] = (
    ("current", "本期"),
    ("cumulative", "累计"),
    ("yoy", "累计同比"),
    ("rank", "排名"),
    ("rank_change", "位次较上期"),
    ("rank_change_yoy", "位次较上年同期"),
)
TOTAL = "合计"
#: Per indicator, after the measures: how many inputs of this period's value are missing (an
#: enterprise that did not report); the value is computed from the others, never with a zero.
MISSING = "missing"
MISSING_HEADING = "缺报数"
#: At most this many indicators on one printed sheet: 2 + 2 × 6 = 14 columns print one A4
#: landscape page wide at about 80% scale, 8-point text (rendered through LibreOffice; three a
#: sheet printed at 52%, 5-point text). See docs/indicators.md.
PER_SHEET = 2
#: Column widths (characters): zone code, zone name (at least; widened to the longest name, up
#: to 30), then per measure of MEASURES.
WIDTHS = (9, 17, (12, 13, 8, 5, 7, 7))


@dataclass(frozen=True)
class MonitorTable:
    """``frame``: one row per zone (the totals row first, ``is_total``), columns ``zone``,
    ``zone_name`` and, per indicator, ``<indicator>__<measure>`` for each measure of
    :data:`MEASURES` and ``<indicator>__missing`` (missing inputs of this period's value)."""

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
            out.append(f"{ind.zh}·{MISSING_HEADING}（个）")
        return out

    def kinds(self) -> list[str]:
        """Per column of :meth:`headers`: ``text`` or a number kind of :data:`NUMBER_FORMATS`."""
        out = ["text", "text"]
        for ind in self.indicators:
            out.extend(_kind(ind, key) for key, _ in MEASURES)
            out.append("count")
        return out

    def to_csv(self, path: str | Path) -> Path:
        path = Path(path)
        body = self.frame.drop("is_total")
        body.columns = self.headers()
        from gaoxin.engine.tabular.safe import csv_frame

        csv_frame(body).write_csv(path, include_bom=True)
        return path


def _unit(ind: Indicator, key: str) -> str:
    if key == "yoy":
        return "%"
    if key.startswith("rank"):
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
    if Period.parse(period).kind == "quarter":
        facts = quarterly_facts(facts)
        if str(Period.parse(period)) not in facts.periods("quarter"):
            asked = Period.parse(period)
            raise ValueError(
                f"{asked.label()}没有季度数据，月度数据也不到季末"
                f"（需要{asked.months()[-1].label()}的数据）"
            )
    cat = list(catalogue if catalogue is not None else default_indicators())
    by_code = {i.code: i for i in cat}
    chosen: list[Indicator] = []
    for item in indicators if indicators is not None else _key_indicators():
        if isinstance(item, str) and item not in by_code:
            known = "、".join(i.code for i in cat if i.level == "zone")
            raise ValueError(f"未知的指标代码「{item}」；园区级指标有：{known}")
        ind = by_code[item] if isinstance(item, str) else item
        if ind.level != "zone":
            raise ValueError(
                f"监测表逐园区比较；指标 {ind.code}（{ind.zh}）是 {ind.level} 级指标，请选园区级指标"
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
    # Each period's ranks among the table's zones that have a value in it (the rule of rank()),
    # before dropping the zones with neither this period's nor last period's value.
    ranked = (
        values.filter(pl.col("indicator").is_in(codes))
        .with_columns(
            rank=table_rank(pl.col(this)).over("indicator"),
            rank_prev=table_rank(pl.col(previous)).over("indicator"),
            rank_last_year=table_rank(pl.col(last_year)).over("indicator"),
            yoy=(pl.col(this) - pl.col(last_year)) / pl.col(last_year).abs() * 100,
        )
        .with_columns(
            rank_change=pl.col("rank_prev") - pl.col("rank"),
            rank_change_yoy=pl.col("rank_last_year") - pl.col("rank"),
        )
        .filter(pl.col(this).is_not_null() | pl.col(previous).is_not_null())
    )
    singles = values.filter(pl.col("indicator").str.ends_with("__current")).select(
        "entity",
        pl.col("indicator").str.strip_suffix("__current"),
        pl.col(this).alias("current"),
    )
    gaps = long.filter(pl.col("indicator").is_in(codes) & (pl.col("period") == this)).select(
        "entity", "indicator", pl.col("missing").cast(pl.Int64).alias(MISSING)
    )
    cum_codes = [i.code for i in chosen if i.cumulative]
    table = (
        ranked.join(singles, on=["entity", "indicator"], how="left").join(
            gaps, on=["entity", "indicator"], how="left"
        )
    ).with_columns(
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
            pl.col(MISSING).alias(f"{ind.code}__{MISSING}"),
        )
        wide = wide.join(part, on="zone", how="left")
    total = _totals(table, chosen, this, last_year)
    wide = pl.concat([total, wide.sort("zone")], how="diagonal_relaxed")
    wide = wide.select("zone", "zone_name", *[c for c in wide.columns if "__" in c], "is_total")
    return MonitorTable(
        wide, this, tuple(chosen), facts.input_hash, facts.built_at.isoformat(), table
    )


def quarterly_facts(facts: FactFrame) -> FactFrame:
    """``facts`` with a quarterly frame derived from the monthly one (季分析 from 月报).

    The variable catalogue declares how each monthly variable reads at a quarter's end: a
    ``cumulative`` one (1-N月累计: revenue, taxes …) at the quarter's last month *is* the quarter's
    1-N季累计, so the quarter's own value (``single``) is the sum of its three months; any other
    monthly variable is a stock (``employees``: month-end headcount), read at the quarter's end.
    Both are the quarter-end month's row. Certifications are those held at the quarter's end and
    on the day before it starts (from the quarter's first month in the entity's rows). An entity
    is in a quarter when it is in the quarter's last month.

    Variables reported by quarter (zone ``gdp``) keep their own values; a derived value only
    fills where an entity has none. A quarter whose last month is not in the monthly frame is
    absent.
    """
    month = facts.frames.get("month")
    if month is None:
        return facts
    keys = ["entity", "year", "quarter"]
    before = [c for c in month.columns if c.startswith("__certprev__")]
    q = month.with_columns(quarter=((pl.col("sub") - 1) // 3 + 1).cast(pl.Int32))
    starts = q.filter(pl.struct(keys).is_first_distinct()).select(*keys, *before)
    derived = (
        q.filter(pl.col("sub") % 3 == 0)
        .drop(before)
        .join(starts, on=keys, how="left")
        .with_columns(
            sub=pl.col("quarter"),
            seq=(pl.col("year") * 4 + pl.col("quarter") - 1).cast(pl.Int32),
            period=pl.concat_str(pl.col("year").cast(pl.String), pl.lit("Q"), pl.col("quarter")),
        )
        .drop("quarter")
    )
    own = facts.frames.get("quarter")
    if own is not None:
        codes = {v.code for v in facts.catalogue}
        reported = [c for c in own.columns if c in codes]
        mine = own.select("entity", "period", *[pl.col(c).alias(f"{c}__own") for c in reported])
        derived = derived.join(mine, on=["entity", "period"], how="left").with_columns(
            [
                (
                    pl.coalesce(f"{c}__own", c) if c in derived.columns else pl.col(f"{c}__own")
                ).alias(c)
                for c in reported
            ]
        )
        derived = derived.drop([f"{c}__own" for c in reported])
    derived = derived.select(month.columns + [c for c in derived.columns if c not in month.columns])
    return replace(facts, frames={**facts.frames, "quarter": derived.sort("kind", "entity", "seq")})


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
        row[f"{ind.code}__{MISSING}"] = int(part[MISSING].sum()) if part.height else None
        if not ind.additive or part.height == 0:
            continue
        now = float(part[this].sum()) if part[this].null_count() < part.height else None
        # missing is never zero (decision 007): no zone's 本期 value, no total
        current = part["current"]
        row[f"{ind.code}__current"] = (
            current.sum() if current.null_count() < current.len() else None
        )
        row[f"{ind.code}__cumulative"] = now if ind.cumulative else None
        # 同比 of the total on a comparable basis (同口径): the zones with a value in both years
        # only, so that a zone missing this year (not reported, or still in review) does not
        # count as a fall, nor a zone new this year as growth.
        both = part.filter(pl.col(this).is_not_null() & pl.col(last_year).is_not_null())
        before = float(both[last_year].sum()) if both.height else None
        if before:
            row[f"{ind.code}__yoy"] = (float(both[this].sum()) - before) / abs(before) * 100
    schema = {"zone": pl.String, "zone_name": pl.String, "is_total": pl.Boolean}
    schema.update({k: pl.Int64 if k.endswith(MISSING) else pl.Float64 for k in row if "__" in k})
    return pl.DataFrame([row], schema=schema)


def sheet_groups(
    indicators: Sequence[Indicator], per_sheet: int = PER_SHEET
) -> list[list[Indicator]]:
    """The indicators of each printed sheet: consecutive catalogue indicators with the same unit
    (the catalogue lists them by theme: money, counts, ratios), at most ``per_sheet`` a sheet."""
    groups: list[list[Indicator]] = []
    for ind in indicators:
        if groups and len(groups[-1]) < per_sheet and groups[-1][-1].unit == ind.unit:
            groups[-1].append(ind)
        else:
            groups.append([ind])
    return groups


def _kind(ind: Indicator, key: str) -> str:
    if key == "yoy":
        return "pct"
    if key == "rank":
        return "rank"
    if key.startswith("rank_change"):
        return "change"
    if ind.unit in ("家", "人", "件", "个", "项", "起"):
        return "count"
    if ind.unit == "%":
        return "pct"
    return "value"


def unit_kind(ind: Indicator) -> str:
    """The number kind of an indicator's own values (``value``, ``count`` or ``pct``) by its
    unit: how a table other than the monitoring table formats them (the pivot table)."""
    return _kind(ind, "current")


NUMBER_FORMATS = {
    "value": "#,##0.00",
    "count": "#,##0",
    "pct": "0.0",
    "rank": "0",
    "change": "+0;-0;0",
}


def cell_text(value: object, kind: str) -> str:
    """A cell as printed (terminal): 1,234.50 · 12 · 8.3 · +2 · blank for missing."""
    if value is None:
        return ""
    if kind == "text" or not isinstance(value, int | float):
        return str(value)
    return {
        "value": f"{value:,.2f}",
        "count": f"{value:,.0f}",
        "pct": f"{value:.1f}",
        "rank": f"{value:.0f}",
        "change": f"{value:+.0f}" if value else "0",
    }[kind]


HEADER_ROWS = (2, 4)  # indicator, measure and units rows, repeated on every printed page
FIRST_DATA_ROW = 5  # the totals row; zones follow


def write_monitor_xlsx(
    table: MonitorTable, path: str | Path, title: str, *, notes: Sequence[str] = ()
) -> Path:
    """Write the table as it is printed: one sheet per group of indicators (:func:`sheet_groups`),
    each with the title, the period line, indicator and measure headers, units row, totals row and
    the zones, then the note and ``notes`` (one merged row each: the zones left out and why);
    frozen panes; number formats; A4 landscape fitted to one page wide, the header rows and the
    zone columns printed on every page, page numbers in the footer."""
    import xlsxwriter

    path = Path(path)
    from gaoxin.engine.tabular.safe import XLSX_OPTIONS

    wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    look = printed.formats(wb, note={"align": "left"})
    f_title, f_note, f_head, f_text = look.title, look.note, look.head, look.text
    f_unit = look.cell(italic=True, align="center", font_size=9)
    f_note_wrapped = look.add(font_size=9, align="left", valign="top", text_wrap=True)
    f_total_text = look.cell(bold=True, bg_color="#F2F2F2")
    cell = {k: look.cell(num_format=v) for k, v in NUMBER_FORMATS.items()}
    for k in ("rank", "change"):
        cell[k].set_align("center")
    total = {
        k: look.cell(bold=True, bg_color="#F2F2F2", num_format=v) for k, v in NUMBER_FORMATS.items()
    }
    label = Period.parse(table.period).label()
    note = (
        f"期间：{label}　数据截至：{local_text(table.built_at)}　输入哈希：{table.input_hash[:12]}"
    )
    groups = sheet_groups(table.indicators)
    rows = list(table.frame.iter_rows(named=True))
    # full official names (兰州高新技术产业开发区) fit on one line: a CJK character is two units
    longest = max((_display_width(str(r["zone_name"] or "")) for r in rows), default=0)
    name_width = min(max(WIDTHS[1], longest + 1), 30)
    for n, group in enumerate(groups, start=1):
        names = "、".join(ind.zh for ind in group)
        ws = wb.add_worksheet(_sheet_name(n, names))
        n_cols = 2 + len(MEASURES) * len(group)
        ws.merge_range(0, 0, 0, n_cols - 1, title, f_title)
        ws.set_row(0, 30)
        ws.merge_range(1, 0, 1, n_cols - 1, f"{note}　表{n}/{len(groups)}：{names}", f_note)
        ws.merge_range(2, 0, 3, 0, "园区代码", f_head)
        ws.merge_range(2, 1, 3, 1, "园区", f_head)
        ws.write(4, 0, "", f_unit)
        ws.write(4, 1, "单位", f_unit)
        col = 2
        for ind in group:
            ws.merge_range(2, col, 2, col + len(MEASURES) - 1, ind.zh, f_head)
            for j, (key, zh) in enumerate(MEASURES):
                ws.write(3, col + j, zh, f_head)
                ws.write(4, col + j, _unit(ind, key), f_unit)
            col += len(MEASURES)
        ws.set_row(3, 30)  # two-line measure headings (位次较上年同期)
        for r, row in enumerate(rows):
            at = FIRST_DATA_ROW + r
            text = f_total_text if row["is_total"] else f_text
            ws.write_string(at, 0, row["zone"] or "", text)
            ws.write_string(at, 1, row["zone_name"] or "", text)
            c = 2
            formats = total if row["is_total"] else cell
            for ind in group:
                for key, _ in MEASURES:
                    v = row.get(f"{ind.code}__{key}")
                    fmt = formats[_kind(ind, key)]
                    if v is None:
                        ws.write_blank(at, c, None, fmt)
                    else:
                        ws.write_number(at, c, float(v), fmt)
                    c += 1
        ws.merge_range(
            FIRST_DATA_ROW + len(rows),
            0,
            FIRST_DATA_ROW + len(rows),
            n_cols - 1,
            f"注：按已报数据计算，缺报不按零计（本表缺报 {_missing(rows, group)} 项，各园区缺报数见 CSV "
            f"文件「{MISSING_HEADING}」列）；空白为无数据或不适用。",
            f_note,
        )
        # the zones left out and why, one wrapped row each; merged cells do not grow by
        # themselves, so each row is as tall as its text needs over the sheet's width
        width = WIDTHS[0] + name_width + len(group) * sum(WIDTHS[2])
        for below, line in enumerate(notes, start=1):
            line_row = FIRST_DATA_ROW + len(rows) + below
            ws.merge_range(line_row, 0, line_row, n_cols - 1, line, f_note_wrapped)
            ws.set_row(line_row, 13 * -(-_display_width(line) // width))
        ws.set_column(0, 0, WIDTHS[0])
        ws.set_column(1, 1, name_width)
        for slot in range(len(group)):
            for j, width in enumerate(WIDTHS[2]):
                at_col = 2 + slot * len(MEASURES) + j
                ws.set_column(at_col, at_col, width)
        ws.freeze_panes(FIRST_DATA_ROW + 1, 2)  # headers, units and the totals row stay in view
        printed.page_setup(ws, HEADER_ROWS, centre=True, footer=f"{title}　表{n}　")
        ws.repeat_columns(0, 1)
    printed.close(wb)
    return path


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _missing(rows: list[dict[str, object]], group: list[Indicator]) -> int:
    """Missing inputs of the sheet's zone values (the totals row repeats them)."""
    return sum(
        int(row.get(f"{ind.code}__{MISSING}") or 0)  # type: ignore[call-overload]
        for row in rows
        if not row["is_total"]
        for ind in group
    )


def _sheet_name(n: int, names: str) -> str:
    """``1 营业收入、工业总产值…``: Excel allows 31 characters and no []:*?/\\."""
    clean = "".join("·" if ch in "[]:*?/\\" else ch for ch in names)
    name = f"{n} {clean}"
    return name if len(name) <= 31 else name[:30] + "…"
