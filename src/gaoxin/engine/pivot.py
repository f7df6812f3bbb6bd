"""Pivot tables (数据透视表): indicator values laid out over indicator × entity × period.

Rows and columns are chosen among three dimensions — ``indicator``, ``entity`` (the members at
one level: province, city, zone or enterprise) and ``period`` — each on one axis, in order; a
dimension on neither axis must have a single value (one indicator, one period), except the
entity, whose table is then its total alone. Periods are never added up (a 1-N月累计 value of
July already holds June), and indicators of different units never are either: the only
aggregation is over entities, into the members of the chosen level and into the 合计 row or
column of everything shown.

How an indicator's value over several entities is formed is read from the catalogue
(:func:`rollup`, decision 038):

- ``sum``: an additive indicator (``additive: true``: 营业收入, counts) is the sum of its members'
  values;
- ``parts``: an indicator whose formula is arithmetic over sums and counts (``100 *
  sum(rd_expenditure) / sum(revenue)``, ``10000 * sum(invention_patents_held) /
  sum(employees)``), over additive indicators or over summable variables of its own rows
  (``100 * rd_expenditure / revenue``) is recomputed from its parts: each part is summed over the
  members, then the formula is applied to the sums. A ratio's total is the ratio of the totals,
  never the sum or the mean of the members' ratios;
- ``growth``: a 同比 over a summable base (``yoy(revenue_total)``, an additive indicator or a
  summable variable of its level) is the growth of the base's sum over the members with a value
  in both periods (同口径, as the monitoring table's 合计 同比): a member missing in either year is
  left out of both sums, so that a member not yet reported does not read as a fall;
- ``none``: anything else (a median, a share of the top industries, a rank, a growth of a ratio)
  has no meaningful total; its aggregate cells are blank and the table says so.

Missing values follow the hierarchy aggregates' rule (decision 007): a member whose value (or
part) is missing is left out of the sum and counted; an aggregate is missing when every member is;
``missing`` is the number of missing inputs under each cell, never filled with zero.

:func:`restrict` narrows a fact frame to zones of some levels and enterprises of some
industries before the indicators are computed; :func:`layout` turns the long cells into the
table; :func:`write_pivot_xlsx` prints it with the monitoring workbook's look
(:mod:`gaoxin.engine.tabular.printed`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
import polars as pl

from gaoxin.engine.expr.hierarchy import in_row_order
from gaoxin.engine.expr.syntax import Binary, Call, Name, Node, Unary, parse
from gaoxin.engine.expr.syntax import Literal as Lit
from gaoxin.engine.facts import FactFrame
from gaoxin.engine.indicators import Indicator
from gaoxin.engine.periods import Period, PeriodError
from gaoxin.engine.targets import Translate, chinese

DIMENSIONS: dict[str, str] = {"indicator": "指标", "entity": "对象", "period": "期间"}
#: Entity levels a pivot can show, from the top.
LEVELS: dict[str, str] = {"province": "省", "city": "市", "zone": "高新区", "enterprise": "企业"}
_DEPTH = {"province": 0, "city": 1, "zone": 2, "enterprise": 3, "institution": 3}
TOTAL = "合计"
TOTAL_KEY = "__total__"
ROLLUP_LABELS = {
    "sum": "各单位之和",
    "parts": "按公式由分项合计重算",
    "growth": "同口径（两期均有数据的单位）合计的增速",
    "none": "不可汇总",
}
#: Aggregates whose values add up over the members.
_SUMMABLE_CALLS = frozenset({"sum", "count"})
_OPS = frozenset({"+", "-", "*", "/"})
PART_PREFIX = "part__"


class PivotError(ValueError):
    """A pivot that cannot be built as asked; the message is Chinese and says what to change."""


# ---------------------------------------------------------------------------------------------
# How an indicator adds up
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rollup:
    """How ``indicator``'s value over several entities is formed: ``how`` is ``sum``, ``parts``
    or ``none``; for ``parts``, ``parts`` are the indicators to sum (code → formula) and
    ``expr`` the indicator's formula over the parts' columns."""

    indicator: str
    how: Literal["sum", "parts", "growth", "none"]
    parts: Mapping[str, str] = field(default_factory=dict)
    expr: pl.Expr | None = None

    @property
    def label(self) -> str:
        return ROLLUP_LABELS[self.how]


def rollup(
    ind: Indicator,
    catalogue: Mapping[str, Indicator],
    summable_variables: frozenset[str] = frozenset(),
) -> Rollup:
    """How ``ind`` adds up over entities (see the module's docstring). ``catalogue`` resolves
    indicators the formula names; ``summable_variables`` are the variables whose
    ``aggregation`` is ``sum`` (a row formula over them adds up by its parts)."""
    if ind.additive:
        return Rollup(ind.code, "sum")
    tree = parse(ind.formula)
    parts: dict[str, str] = {}

    def part(text: str) -> pl.Expr:
        code = next((c for c, t in parts.items() if t == text), None)
        if code is None:
            code = f"{PART_PREFIX}{ind.code}__{len(parts)}"
            parts[code] = text
        return pl.col(code)

    def walk(node: Node) -> pl.Expr | None:
        if isinstance(node, Lit):
            ok = isinstance(node.value, int | float) and not isinstance(node.value, bool)
            return pl.lit(float(node.value)) if ok else None  # type: ignore[arg-type]
        if isinstance(node, Unary) and node.op in ("-", "+"):
            inner = walk(node.operand)
            return None if inner is None else (-inner if node.op == "-" else inner)
        if isinstance(node, Binary) and node.op in _OPS:
            left, right = walk(node.left), walk(node.right)
            if left is None or right is None:
                return None
            if node.op == "/":  # division by zero is missing, not infinity (decision 007)
                return pl.when(right != 0).then(left / right)
            return {"+": left + right, "-": left - right, "*": left * right}[node.op]
        if isinstance(node, Call) and node.func in _SUMMABLE_CALLS:
            return part(_source(ind.formula, node))
        if isinstance(node, Name):
            other = catalogue.get(node.id)
            if other is not None and other.additive and other.level == ind.level:
                return part(node.id)
            if other is None and node.id in summable_variables:
                return part(node.id)
        return None

    if (
        isinstance(tree, Call)
        and tree.func == "yoy"
        and len(tree.args) == 1
        and isinstance(tree.args[0], Name)
    ):
        base = tree.args[0].id
        other = catalogue.get(base)
        if (other is not None and other.additive and other.level == ind.level) or (
            other is None and base in summable_variables
        ):
            return Rollup(ind.code, "growth", {f"{PART_PREFIX}{ind.code}__0": base})
        return Rollup(ind.code, "none")
    expr = walk(tree)
    if expr is None or not parts:
        return Rollup(ind.code, "none")
    return Rollup(ind.code, "parts", parts, expr)


def part_indicators(ind: Indicator, r: Rollup) -> list[Indicator]:
    """The parts of a ``parts`` rollup as indicators of ``ind``'s level, to compute beside it."""
    return [
        Indicator(
            code=code,
            zh=f"{ind.zh}（分项{n + 1}）",
            en=f"{ind.en} (part {n + 1})",
            unit="",
            level=ind.level,
            formula=text,
            source=ind.source,
        )
        for n, (code, text) in enumerate(r.parts.items())
    ]


def _source(formula: str, node: Node) -> str:
    lines = formula.split("\n")
    s = node.span
    if s.line == s.end_line:
        return lines[s.line - 1][s.col - 1 : s.end_col - 1]
    body = [lines[s.line - 1][s.col - 1 :], *lines[s.line : s.end_line - 1]]
    return "\n".join([*body, lines[s.end_line - 1][: s.end_col - 1]])


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------
def restrict(
    facts: FactFrame,
    *,
    zone_levels: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
) -> FactFrame:
    """``facts`` with only the zones of ``zone_levels`` (national, provincial) and their
    enterprises and institutions, and only the enterprises of ``industries`` (GB/T 4754 sections
    ``C`` or divisions ``C39``). Provinces, cities and what they report themselves stay; an
    indicator computed on the result reads only what is left."""
    if not zone_levels and not industries:
        return facts
    keep = pl.lit(True)
    if zone_levels:
        below = pl.col("kind").is_in(["zone", "enterprise", "institution"])
        keep = keep & (~below | pl.col("level").is_in(list(zone_levels)))
    if industries:
        sections = [c for c in industries if len(c) == 1]
        divisions = [c for c in industries if len(c) > 1]
        chosen = pl.col("industry_section").is_in(sections) | pl.col("industry").is_in(divisions)
        keep = keep & ((pl.col("kind") != "enterprise") | chosen.fill_null(False))
    entities = facts.entities.filter(keep)
    wanted = entities.select("entity")
    frames = {k: f.join(wanted, on="entity", how="semi") for k, f in facts.frames.items()}
    return replace(facts, frames=frames, entities=entities)


# ---------------------------------------------------------------------------------------------
# Aggregating
# ---------------------------------------------------------------------------------------------
def aggregate(
    cells: pl.DataFrame,
    entities: pl.DataFrame,
    indicators: Sequence[Indicator],
    rollups: Mapping[str, Rollup],
    *,
    level: str,
    within: tuple[str, str] | None = None,
    totals: bool = True,
    previous: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The pivot's cells, long: ``(indicator, member, period, value, missing)``, ``member`` an
    entity code of ``level`` or :data:`TOTAL_KEY` for the total of all members.

    ``cells`` are computed indicator values ``(entity, period, indicator, value, missing)``
    (:func:`gaoxin.engine.indicators.compute`'s frame, with the parts of every ``parts`` rollup);
    ``entities`` give each entity's ``province``, ``city`` and ``zone``. ``within`` = (level,
    code) keeps the entities under that one (the acting user's scope). An indicator computed
    below ``level`` is summed into the members (by its rollup); one computed at ``level`` is
    the member's own value. ``previous`` holds, for a ``growth`` rollup, its base's value a
    year before each period ``(entity, period, indicator, last)``, ``period`` being the period
    it is compared with.
    """
    if level not in LEVELS:
        raise PivotError(f"层级应为{'、'.join(LEVELS.values())}之一")
    for ind in indicators:
        if _DEPTH[ind.level] < _DEPTH[level]:
            raise PivotError(
                f"指标「{ind.zh}」按{LEVELS.get(ind.level, ind.level)}计算，"
                f"不能按{LEVELS[level]}展开：请选{LEVELS.get(ind.level, ind.level)}或以上层级"
            )
    column = "entity" if level == "enterprise" else level
    hierarchy = entities.select(
        "entity", pl.col(column).alias("member"), *[c for c in ("province", "city", "zone")]
    )
    codes = [i.code for i in indicators]
    part_codes = [p for c in codes for p in rollups[c].parts]
    base = cells.select("entity", "period", "indicator", "value", "missing").filter(
        pl.col("indicator").is_in(codes + part_codes)
    )
    base = base.join(hierarchy, on="entity", how="inner")
    if within is not None:
        base = base.filter(pl.col(within[0]) == within[1])
    base = base.filter(pl.col("member").is_not_null())
    own = [i.code for i in indicators if i.level == level]
    pieces = [
        base.filter(pl.col("indicator").is_in(own)).select(
            "indicator", "member", "period", "value", pl.col("missing").cast(pl.Int64)
        )
    ]
    below = [i.code for i in indicators if i.level != level]
    if below:
        pieces.append(_rolled(base, below, rollups, previous))
    if totals:
        pieces.append(
            _rolled(base.with_columns(member=pl.lit(TOTAL_KEY)), codes, rollups, previous)
        )
    return pl.concat(pieces, how="vertical_relaxed")


def _rolled(
    base: pl.DataFrame,
    codes: list[str],
    rollups: Mapping[str, Rollup],
    previous: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``codes`` summed over the rows of each (member, period) by their rollups."""
    keys = ["member", "period"]
    sums = (
        base.group_by([*keys, "indicator"], maintain_order=True)
        .agg(
            value=pl.when(pl.col("value").count() > 0).then(in_row_order(pl.col("value").sum())),
            missing=pl.col("missing").cast(pl.Int64).sum(),
        )
        .sort([*keys, "indicator"])
    )
    out = [
        sums.filter(
            pl.col("indicator").is_in([c for c in codes if rollups[c].how == "sum"])
        ).select("indicator", *keys, "value", "missing")
    ]
    by_parts = [c for c in codes if rollups[c].how == "parts"]
    if by_parts:
        part_codes = [p for c in by_parts for p in rollups[c].parts]
        wide = sums.filter(pl.col("indicator").is_in(part_codes)).pivot(
            on="indicator", index=keys, values="value"
        )
        for p in part_codes:
            if p not in wide.columns:
                wide = wide.with_columns(pl.lit(None, pl.Float64).alias(p))
        values = wide.select(
            *keys,
            *[_finite(rollups[c].expr).alias(c) for c in by_parts],  # type: ignore[arg-type]
        ).unpivot(index=keys, variable_name="indicator", value_name="value")
        missing = sums.filter(pl.col("indicator").is_in(by_parts)).select(
            *keys, "indicator", "missing"
        )
        out.append(
            values.join(missing, on=[*keys, "indicator"], how="left").select(
                "indicator", *keys, "value", "missing"
            )
        )
    growth = [c for c in codes if rollups[c].how == "growth"]
    if growth:
        out.append(_growth(base, sums, growth, rollups, previous))
    blank = [c for c in codes if rollups[c].how == "none"]
    if blank:
        out.append(
            sums.filter(pl.col("indicator").is_in(blank)).select(
                "indicator", *keys, pl.lit(None, pl.Float64).alias("value"), "missing"
            )
        )
    return pl.concat(out, how="vertical_relaxed")


def _growth(
    base: pl.DataFrame,
    sums: pl.DataFrame,
    codes: list[str],
    rollups: Mapping[str, Rollup],
    previous: pl.DataFrame | None,
) -> pl.DataFrame:
    """同比 of each (member, period) on a comparable basis: the base summed over the entities
    with a value this period and a year before, 100 × (this − before) / |before|."""
    keys = ["member", "period"]
    part_of = {next(iter(rollups[c].parts)): c for c in codes}
    missing = sums.filter(pl.col("indicator").is_in(codes)).select(*keys, "indicator", "missing")
    schema = {"entity": pl.String, "period": pl.String, "indicator": pl.String, "last": pl.Float64}
    last = previous if previous is not None else pl.DataFrame(schema=schema)
    text = pl.col("entity", "period", "indicator").cast(pl.String)
    both = (
        base.filter(pl.col("indicator").is_in(list(part_of)))
        .with_columns(text)
        .join(
            last.select(list(schema)).with_columns(text),
            on=["entity", "period", "indicator"],
            how="inner",
        )
        .filter(pl.col("value").is_not_null() & pl.col("last").is_not_null())
    )
    before, now = pl.col("last").sum(), pl.col("value").sum()
    grown = both.group_by([*keys, "indicator"]).agg(
        value=_finite(pl.when(before != 0).then(100 * (now - before) / before.abs()))
    )
    values = grown.with_columns(pl.col("indicator").replace_strict(part_of))
    return missing.join(values, on=[*keys, "indicator"], how="left").select(
        "indicator", *keys, "value", "missing"
    )


def _finite(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.is_finite()).then(expr)


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PivotTable:
    """A laid-out pivot: ``row_headers[i]`` and ``column_headers[j]`` are the labels of row
    ``i`` and column ``j`` (one per dimension of ``rows`` / ``columns``); ``values[i][j]`` is
    a number or None (missing or not applicable), ``missing[i][j]`` the missing inputs under it,
    ``kinds[i][j]`` its number kind (:data:`gaoxin.engine.monitor.NUMBER_FORMATS`)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    row_headers: list[tuple[str, ...]]
    column_headers: list[tuple[str, ...]]
    values: list[list[float | None]]
    missing: list[list[int]]
    kinds: list[list[str]]
    total_rows: frozenset[int]
    total_columns: frozenset[int]
    #: What is fixed because it is on no axis: dimension → its one label.
    fixed: Mapping[str, str]
    indicators: tuple[Indicator, ...]
    rollups: Mapping[str, Rollup]
    level: str
    periods: tuple[str, ...]
    #: Per indicator code its unit (the units row, column or note).
    units: Mapping[str, str]
    #: Per row / column its indicator code when the indicator is on that axis.
    row_indicators: list[str | None] = field(default_factory=list)
    column_indicators: list[str | None] = field(default_factory=list)

    @property
    def missing_total(self) -> int:
        """Missing inputs under the members' cells (the totals repeat them)."""
        return sum(
            n
            for i, row in enumerate(self.missing)
            if i not in self.total_rows
            for j, n in enumerate(row)
            if j not in self.total_columns
        )

    def row_titles(self) -> list[str]:
        """The headings of the row label columns: 指标, 期间, and the level's name (高新区) for
        the entities."""
        return [LEVELS[self.level] if d == "entity" else DIMENSIONS[d] for d in self.rows]

    def not_summable(self) -> list[Indicator]:
        return [i for i in self.indicators if self.rollups[i.code].how == "none"]

    def value(self, row: Sequence[str], column: Sequence[str]) -> float | None:
        """The cell at the row and column with these labels (tests, the browser check)."""
        return self.values[self.row_headers.index(tuple(row))][
            self.column_headers.index(tuple(column))
        ]


def check_axes(rows: Sequence[str], columns: Sequence[str], n_indicators: int, n_periods: int):
    """Refuse an impossible layout before anything is computed."""
    axes = [*rows, *columns]
    unknown = [d for d in axes if d not in DIMENSIONS]
    if unknown:
        raise PivotError(f"未知的维度「{'、'.join(unknown)}」：可选指标、对象、期间")
    repeated = sorted({d for d in axes if axes.count(d) > 1})
    if repeated:
        raise PivotError(f"「{'、'.join(DIMENSIONS[d] for d in repeated)}」只能放在行或列之一")
    if not axes:
        raise PivotError("请至少把一个维度放在行或列")
    if n_indicators == 0:
        raise PivotError("请至少选一个指标")
    if n_periods == 0:
        raise PivotError("请至少选一个期间")
    if n_indicators > 1 and "indicator" not in axes:
        raise PivotError("选了多个指标：请把「指标」放在行或列")
    if n_periods > 1 and "period" not in axes:
        raise PivotError("选了多个期间：请把「期间」放在行或列")


def layout(
    long: pl.DataFrame,
    entities: pl.DataFrame,
    indicators: Sequence[Indicator],
    rollups: Mapping[str, Rollup],
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    level: str,
    periods: Sequence[str],
) -> PivotTable:
    """Lay the long cells of :func:`aggregate` out as a table: indicators in the order given,
    the total first then members by code, periods in time order. Every member with any cell
    and every period asked for gets its row or column, so a gap shows as a blank."""
    from gaoxin.engine.monitor import unit_kind

    rows, columns = tuple(rows), tuple(columns)
    check_axes(rows, columns, len(indicators), len(periods))
    period_labels = {p: _period_label(p) for p in periods}
    if "entity" not in (*rows, *columns):
        long = long.filter(pl.col("member") == TOTAL_KEY)
    # a member with neither a value nor a missing input anywhere (a city without zones) has
    # nothing to show
    members = (
        long.group_by("member")
        .agg(shown=(pl.col("value").is_not_null() | (pl.col("missing") > 0)).any())
        .filter(pl.col("shown") | (pl.col("member") == TOTAL_KEY))
        .select("member")
    )
    names = members.join(
        entities.select(pl.col("entity").alias("member"), "name"), on="member", how="left"
    ).with_columns(
        name=pl.when(pl.col("member") == TOTAL_KEY).then(pl.lit(TOTAL)).otherwise("name"),
        order=pl.when(pl.col("member") == TOTAL_KEY).then(pl.lit("")).otherwise("member"),
    )
    member_order = names.sort("order")
    keys = {
        "indicator": [(i.code, i.zh) for i in indicators],
        "entity": list(zip(member_order["member"], member_order["name"], strict=True)),
        "period": [(p, period_labels[p]) for p in sorted(periods)],
    }
    by_code = {i.code: i for i in indicators}
    col_name = {"indicator": "indicator", "entity": "member", "period": "period"}

    def axis(dims: tuple[str, ...]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        combos: list[tuple[tuple[str, str], ...]] = [()]
        for d in dims:
            combos = [(*c, k) for c in combos for k in keys[d]]
        return [tuple(k for k, _ in c) for c in combos], [tuple(n for _, n in c) for c in combos]

    row_keys, row_headers = axis(rows)
    col_keys, col_headers = axis(columns)
    r_index = _index_frame(rows, row_keys, "__r", col_name)
    c_index = _index_frame(columns, col_keys, "__c", col_name)
    placed = long.with_columns(pl.lit(0, pl.Int64).alias("__one"))
    for index, dims in ((r_index, rows), (c_index, columns)):
        on = [col_name[d] for d in dims] or ["__one"]
        if not dims:
            index = index.with_columns(pl.lit(0, pl.Int64).alias("__one"))
        placed = placed.join(index, on=on, how="inner")
    n_rows, n_cols = len(row_keys), len(col_keys)
    values = np.full((n_rows, n_cols), np.nan)
    missing = np.zeros((n_rows, n_cols), dtype=np.int64)
    r = placed["__r"].to_numpy()
    c = placed["__c"].to_numpy()
    values[r, c] = placed["value"].fill_null(np.nan).to_numpy()
    missing[r, c] = placed["missing"].fill_null(0).to_numpy()
    # an indicator's number kind: from its row or column, else the one indicator
    row_ind = _axis_indicator(rows, row_keys)
    col_ind = _axis_indicator(columns, col_keys)
    only = indicators[0].code if len(indicators) == 1 else None
    kinds = [
        [unit_kind(by_code[ri or ci or only]) for ci in col_ind]  # type: ignore[index]
        for ri in row_ind
    ]
    fixed = {}
    if "indicator" not in (*rows, *columns):
        fixed["indicator"] = indicators[0].zh
    if "period" not in (*rows, *columns):
        fixed["period"] = period_labels[periods[0]]
    if "entity" not in (*rows, *columns):
        fixed["entity"] = TOTAL
    return PivotTable(
        rows=rows,
        columns=columns,
        row_headers=row_headers,
        column_headers=col_headers,
        values=[[None if np.isnan(v) else float(v) for v in row] for row in values],
        missing=missing.tolist(),
        kinds=kinds,
        total_rows=_total_positions(rows, row_keys),
        total_columns=_total_positions(columns, col_keys),
        fixed=fixed,
        indicators=tuple(indicators),
        rollups=dict(rollups),
        level=level,
        periods=tuple(sorted(periods)),
        units={i.code: i.unit for i in indicators},
        row_indicators=row_ind,
        column_indicators=col_ind,
    )


def _period_label(code: str) -> str:
    try:
        return Period.parse(code).label()
    except PeriodError:
        return code


def _index_frame(
    dims: tuple[str, ...], keys: list[tuple[str, ...]], name: str, col_name: Mapping[str, str]
) -> pl.DataFrame:
    if not dims:
        return pl.DataFrame({name: [0]})
    data: dict[str, Any] = {col_name[d]: [k[i] for k in keys] for i, d in enumerate(dims)}
    data[name] = list(range(len(keys)))
    return pl.DataFrame(data, schema={**{col_name[d]: pl.String for d in dims}, name: pl.Int64})


def _axis_indicator(dims: tuple[str, ...], keys: list[tuple[str, ...]]) -> list[str | None]:
    if "indicator" not in dims:
        return [None] * len(keys)
    at = dims.index("indicator")
    return [k[at] for k in keys]


def _total_positions(dims: tuple[str, ...], keys: list[tuple[str, ...]]) -> frozenset[int]:
    if "entity" not in dims:
        return frozenset()
    at = dims.index("entity")
    return frozenset(i for i, k in enumerate(keys) if k[at] == TOTAL_KEY)


# ---------------------------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------------------------
def write_pivot_xlsx(
    table: PivotTable, out: str | Path | BinaryIO, title: str, note: str
) -> str | Path | BinaryIO:
    """The table as a printed workbook in the monitoring tables' look: title, note line
    (``note``: the data's date, filters), the column headers one row per column dimension (equal
    neighbours merged) with the units row when indicators are the columns, a units column when
    they are the rows; totals bold on grey; frozen panes; A4 landscape fitted to the page width,
    the header rows and row labels repeated on every page; the missing-data note below."""
    import xlsxwriter

    from gaoxin.engine.monitor import NUMBER_FORMATS, _display_width
    from gaoxin.engine.tabular import printed
    from gaoxin.engine.tabular.safe import XLSX_OPTIONS

    options = dict(XLSX_OPTIONS)
    target: Any = out
    if not isinstance(out, str | Path):
        options["in_memory"] = True
    else:
        target = str(out)
    wb = xlsxwriter.Workbook(target, options)
    look = printed.formats(wb, note={"align": "left"})
    unit_fmt = look.cell(italic=True, align="center", font_size=9)
    total_text = look.cell(bold=True, bg_color="#F2F2F2")
    cell = {k: look.cell(num_format=v) for k, v in NUMBER_FORMATS.items()}
    total = {
        k: look.cell(bold=True, bg_color="#F2F2F2", num_format=v) for k, v in NUMBER_FORMATS.items()
    }
    ws = wb.add_worksheet("数据透视表")
    units_row = "indicator" in table.columns
    units_col = "indicator" in table.rows
    n_label = max(len(table.rows), 1) + (1 if units_col else 0)
    n_cols = n_label + len(table.column_headers)
    ws.merge_range(0, 0, 0, max(n_cols - 1, 1), title, look.title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, max(n_cols - 1, 1), note, look.note)
    head_top = 2
    n_head = max(len(table.columns), 1) + (1 if units_row else 0)
    first = head_top + n_head
    row_titles = table.row_titles() or [""]
    if units_col:
        row_titles.append("单位")
    titles_end = first - 1 - (1 if units_row else 0)  # the units row has its own label
    for j, text in enumerate(row_titles):
        if titles_end > head_top:
            ws.merge_range(head_top, j, titles_end, j, text, look.head)
        else:
            ws.write(head_top, j, text, look.head)
    for level in range(len(table.columns)):
        labels = [h[level] for h in table.column_headers]
        j = 0
        while j < len(labels):
            k = j
            # merge equal neighbours under the same parent labels
            while (
                k + 1 < len(labels)
                and labels[k + 1] == labels[j]
                and table.column_headers[k + 1][:level] == table.column_headers[j][:level]
            ):
                k += 1
            if k > j:
                ws.merge_range(head_top + level, n_label + j, head_top + level, n_label + k,
                               labels[j], look.head)  # fmt: skip
            else:
                ws.write(head_top + level, n_label + j, labels[j], look.head)
            j = k + 1
    if not table.columns:
        ws.write(head_top, n_label, table.fixed.get("indicator", "数值"), look.head)
    if units_row:
        for j in range(n_label):
            ws.write(first - 1, j, "单位" if j == n_label - 1 else "", unit_fmt)
        for j, code in enumerate(table.column_indicators):
            ws.write(first - 1, n_label + j, table.units.get(code or "", ""), unit_fmt)
    for i, row_labels in enumerate(table.row_headers):
        at = first + i
        is_total = i in table.total_rows
        text = total_text if is_total else look.text
        for j, label in enumerate(row_labels or ("",)):
            ws.write_string(at, j, label, text)
        if units_col:
            ws.write_string(at, n_label - 1, table.units.get(table.row_indicators[i] or "", ""),
                            unit_fmt)  # fmt: skip
        for j, v in enumerate(table.values[i]):
            fmts = total if is_total or j in table.total_columns else cell
            fmt = fmts[table.kinds[i][j]]
            if v is None:
                ws.write_blank(at, n_label + j, None, fmt)
            else:
                ws.write_number(at, n_label + j, v, fmt)
    end = first + len(table.row_headers)
    ws.merge_range(end, 0, end, max(n_cols - 1, 1), footnote(table), look.note)
    for j in range(len(row_titles)):
        widest = max(
            [_display_width(r[j]) for r in table.row_headers if j < len(r)] + [8], default=8
        )
        ws.set_column(j, j, min(widest + 2, 36))
    widest_head = max((_display_width(x) for h in table.column_headers for x in h), default=8)
    ws.set_column(n_label, max(n_cols - 1, n_label), min(max(12, widest_head + 2), 24))
    ws.freeze_panes(first, n_label)
    printed.page_setup(ws, (head_top, first - 1), centre=True, footer=f"{title}　")
    ws.repeat_columns(0, n_label - 1)
    wb.close()
    return out


def footnote(table: PivotTable, gettext: Translate = chinese) -> str:
    """The note under the table: how totals are formed and what a blank means. Chinese as
    printed; a page passes Django's ``gettext`` (the msgids are these texts, decision 035)."""
    parts = [
        gettext("注：按已报数据计算，缺报不按零计（本表缺报 %(n)s 项）")
        % {"n": table.missing_total}
    ]
    between = gettext("、")  # between indicator names (data)

    def names(how: str) -> str:
        return between.join(i.zh for i in table.indicators if table.rollups[i.code].how == how)

    if ratios := names("parts"):
        parts.append(
            gettext("%(names)s的汇总值按公式由分子、分母的合计重算，不是各单位比值之和")
            % {"names": ratios}
        )
    if growth := names("growth"):
        parts.append(
            gettext("%(names)s的汇总值为同口径增速：只计本期和上年同期都有数据的单位")
            % {"names": growth}
        )
    if blank := between.join(i.zh for i in table.not_summable()):
        parts.append(gettext("%(names)s不可汇总，汇总格为空白") % {"names": blank})
    parts.append(gettext("空白为无数据或不适用。"))
    return gettext("；").join(parts)


# ---------------------------------------------------------------------------------------------
# The whole pivot from a fact frame
# ---------------------------------------------------------------------------------------------
def pivot(
    facts: FactFrame,
    indicators: Sequence[Indicator | str],
    periods: Sequence[str],
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    level: str,
    within: tuple[str, str] | None = None,
    zone_levels: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
    catalogue: Sequence[Indicator] | None = None,
    totals: bool = True,
) -> PivotTable:
    """The pivot of ``indicators`` (codes or indicators of ``catalogue``, default the shipped
    one) over ``periods`` (all of one type: months, quarters or years) on ``facts``: the
    indicators and the parts of those that add up by their parts are computed on the facts
    narrowed by :func:`restrict`, summed into the members of ``level`` under ``within`` and into
    their total (:func:`aggregate`) and laid out (:func:`layout`). :class:`PivotError` for a
    layout, indicator, level or period that cannot be shown."""
    from gaoxin.engine.indicators import compute, default_indicators
    from gaoxin.engine.monitor import _with_dependencies, quarterly_facts

    cat = list(catalogue if catalogue is not None else default_indicators())
    by_code = {i.code: i for i in cat}
    chosen: list[Indicator] = []
    for item in indicators:
        if isinstance(item, str) and item not in by_code:
            raise PivotError(f"未知的指标「{item}」")
        ind = by_code[item] if isinstance(item, str) else item
        if ind not in chosen:
            chosen.append(ind)
    periods = list(dict.fromkeys(periods))
    check_axes(rows, columns, len(chosen), len(periods))
    try:
        parsed = [Period.parse(p) for p in periods]
    except PeriodError as err:
        raise PivotError(str(err)) from None
    kinds = {p.kind for p in parsed}
    if len(kinds) > 1:
        raise PivotError("所选期间应为同一种（全为月份、全为季度或全为年份）")
    periods = [str(p) for p in parsed]
    summable = frozenset(v.code for v in facts.catalogue if v.aggregation == "sum")
    rollups = {i.code: rollup(i, by_code, summable) for i in chosen}
    facts = restrict(facts, zone_levels=zone_levels, industries=industries)
    if kinds == {"quarter"}:
        facts = quarterly_facts(facts)
    parts = [p for i in chosen for p in part_indicators(i, rollups[i.code])]
    needed = _with_dependencies(chosen, cat)
    kind = parsed[0].kind
    if kind not in facts.frames:
        cells = pl.DataFrame(
            schema={
                "entity": pl.String,
                "period": pl.String,
                "indicator": pl.String,
                "value": pl.Float64,
                "missing": pl.Int32,
            }
        )
    else:
        cells = compute([*needed, *parts], facts, periods, keep_frames=False).frame
    previous = (
        _previous_year(facts, chosen, rollups, periods, cat) if kind in facts.frames else None
    )
    long = aggregate(
        cells,
        facts.entities,
        chosen,
        rollups,
        level=level,
        within=within,
        totals=totals,
        previous=previous,
    )
    return layout(
        long, facts.entities, chosen, rollups, rows=rows, columns=columns, level=level,
        periods=periods,
    )  # fmt: skip


def _previous_year(
    facts: FactFrame,
    chosen: Sequence[Indicator],
    rollups: Mapping[str, Rollup],
    periods: Sequence[str],
    catalogue: Sequence[Indicator],
) -> pl.DataFrame | None:
    """The base of each ``growth`` rollup a year before each period, per entity, keyed by the
    period it is compared with (``entity, period, indicator, last``); None without one."""
    from gaoxin.engine.indicators import compute
    from gaoxin.engine.monitor import _with_dependencies

    growth = [i for i in chosen if rollups[i.code].how == "growth"]
    if not growth:
        return None
    parts = [p for i in growth for p in part_indicators(i, rollups[i.code])]
    before = {str(Period.parse(p).same_period_last_year()): p for p in periods}
    have = set(facts.periods(Period.parse(periods[0]).kind))
    wanted = [p for p in before if p in have]
    if not wanted:
        return None
    needed = _with_dependencies(parts, list(catalogue))  # the parts and what they read
    frame = compute(needed, facts, wanted, keep_frames=False).frame
    return frame.filter(pl.col("indicator").is_in([p.code for p in parts])).select(
        pl.col("entity").cast(pl.String),
        pl.col("period").cast(pl.String).replace_strict(before),
        pl.col("indicator").cast(pl.String),
        pl.col("value").alias("last"),
    )
