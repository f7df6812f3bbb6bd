"""The evaluation input table: one row per unit, one column per framework indicator.

``evaluation_inputs(facts, framework, period, level=...)`` reads every column a framework names
(indicators, denominators, previous values, bonus/penalty/veto items, groups) from, in order:

1. the indicator catalogue (``indicators.compute`` for the catalogue codes the framework uses, with
   their dependencies),
2. the framework-only derived columns below (``DERIVED``: ratios the catalogue does not define at
   the level a framework needs, e.g. an enterprise's 单位能耗增加值 for 亩均效益评价),
3. the fact frame's own variables and attributes on the unit's row (``gdp``, ``green_coverage``,
   ``level`` ...), and certifications held at the end of the period (``hte``, ``above_scale`` ...
   as 0/1).

A column found nowhere is left null (so is any missing value): the framework's imputation
decides what to do with it. Everything is vectorised over the units of one period.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import polars as pl

from gaoxin.engine.facts import FactFrame
from gaoxin.engine.indicators import Indicator, compute, default_indicators
from gaoxin.engine.periods import Period

from .spec import Framework

Level = str  # "zone" | "enterprise"


def _ratio(num: str, den: str, scale: float = 1.0) -> Callable[[], pl.Expr]:
    def f() -> pl.Expr:
        d = pl.col(den)
        return pl.when(d != 0).then(scale * pl.col(num) / d).otherwise(None)

    return f


def _yoy(var: str) -> Callable[[], pl.Expr]:
    """100 · (x − x_prev) / |x_prev| against the unit's row of the previous period of the same
    type (none where the unit has no row then)."""

    def f() -> pl.Expr:
        # the fact frame is sorted by kind, entity and period: the previous period's row, if the
        # unit has one, is the row above (a plain shift, no window over 200,000 groups)
        same = (pl.col("entity").shift(1) == pl.col("entity")) & (
            pl.col("seq").shift(1) == pl.col("seq") - 1
        )
        prev = pl.when(same).then(pl.col(var).shift(1)).otherwise(None)
        return pl.when(prev != 0).then(100 * (pl.col(var) - prev) / prev.abs()).otherwise(None)

    return f


# Framework-only derived columns, not in the indicator catalogue (reported as such).
# 亩均效益 (黄岩区 附件2, domain-notes §4.2 [B]) at enterprise level, in 黄岩区's units where the
# fact catalogue's units allow (万元, 亩, 吨标准煤, 吨, 人).
DERIVED: dict[str, Callable[[], pl.Expr]] = {
    # 单位能耗增加值 = 工业增加值 / 综合能耗 (万元/吨标准煤)
    "enterprise_va_per_energy": _ratio("industrial_value_added", "energy_consumption"),
    # 单位排放增加值 = 工业增加值 / 主要污染物排放量 (万元/吨)
    "enterprise_va_per_emission": _ratio("industrial_value_added", "pollutant_emissions"),
    # 全员劳动生产率 = 工业增加值 / 年平均职工人数 (万元/人); year-end employees stand in for the
    # annual average (assumption: the fact frame has no average headcount)
    "enterprise_labour_productivity": _ratio("industrial_value_added", "employees"),
    # R&D经费占主营业务收入比重 as a ratio (黄岩区's benchmark 0.0302 is a ratio, not a %);
    # 营业收入 stands in for 主营业务收入
    "enterprise_rd_ratio": _ratio("rd_expenditure", "revenue"),
    # 单位用电税收 (规下, 万元/千瓦时 in the fact units)
    "enterprise_tax_per_kwh": _ratio("taxes_paid", "electricity_consumption"),
    # 创新积分制 (structure only, domain-notes §3): enterprise-level growth and shares
    "enterprise_revenue_growth": _yoy("revenue"),
    "enterprise_rd_personnel_share": _ratio("rd_personnel", "employees", 100.0),
    "enterprise_bachelor_share": _ratio("employees_bachelor_plus", "employees", 100.0),
    # 安全生产一票否决 (sichuan 二十六): the number of 重大安全生产事故 in the period. The fact
    # catalogue has no such variable yet, so this is null (= no accident) unless facts carry
    # ``major_safety_accidents``.
    "major_safety_accident": lambda: pl.col("major_safety_accidents"),
}


# Units of the derived columns, for reports (the catalogue and variables carry their own).
DERIVED_UNITS: dict[str, str] = {
    "enterprise_va_per_energy": "万元/吨标准煤",
    "enterprise_va_per_emission": "万元/吨",
    "enterprise_labour_productivity": "万元/人",
    "enterprise_rd_ratio": "比值",
    "enterprise_tax_per_kwh": "万元/千瓦时",
    "enterprise_revenue_growth": "%",
    "enterprise_rd_personnel_share": "%",
    "enterprise_bachelor_share": "%",
    "major_safety_accident": "起",
}


def column_units(fw: Framework, catalogue: Sequence[Indicator] | None = None) -> dict[str, str]:
    """The unit of every column the framework reads, where the catalogues know it."""
    from gaoxin.engine.certifications import KINDS
    from gaoxin.engine.variables import default_catalogue

    cat = {i.code: i.unit for i in (catalogue or default_indicators())}
    variables = {v.code: v.unit for v in default_catalogue()}
    out: dict[str, str] = {}
    for c in framework_columns(fw):
        unit = cat.get(c) or DERIVED_UNITS.get(c) or variables.get(c)
        if unit is None and c in KINDS:
            unit = "是=1"
        if unit:
            out[c] = unit
    return out


def framework_columns(fw: Framework) -> list[str]:
    """Every data column the framework reads, in first-use order (without the unit column)."""
    cols: list[str] = []
    for n in fw.indicators():
        cols.append(n.column or n.code)
        if n.denominator:
            cols.append(n.denominator)
        if n.previous:
            cols.append(n.previous)
    cols += [it.column for it in [*fw.bonus, *fw.penalty]]
    cols += [v.column for v in fw.veto]
    if fw.impute.group:
        cols.append(fw.impute.group)
    cols += fw.groups
    if fw.grading is not None and fw.grading.by:
        cols.append(fw.grading.by)
    return list(dict.fromkeys(c for c in cols if c != fw.unit))


def _with_dependencies(codes: set[str], catalogue: Sequence[Indicator]) -> list[Indicator]:
    by_code = {i.code: i for i in catalogue}
    want: set[str] = set()
    todo = [c for c in codes if c in by_code]
    while todo:
        c = todo.pop()
        if c in want:
            continue
        want.add(c)
        formula = by_code[c].formula
        todo += [d for d in by_code if d not in want and _mentions(formula, d)]
    return [i for i in catalogue if i.code in want]


def _mentions(formula: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", formula) is not None


def evaluation_inputs(
    facts: FactFrame,
    framework: Framework,
    period: str,
    *,
    level: Level = "zone",
    where: pl.Expr | None = None,
    catalogue: Sequence[Indicator] | None = None,
) -> pl.DataFrame:
    """One row per unit of ``level`` present in ``period``: the unit column, then every column the
    framework reads. ``where`` filters the units on the fact frame's row, where every certification
    kind is also a 0/1 column (e.g. ``pl.col("level") == "provincial"``,
    ``pl.col("above_scale") == 1``)."""
    wide = facts.wide(Period.parse(period).kind)
    wanted = framework_columns(framework)
    cat = list(catalogue if catalogue is not None else default_indicators())
    cat_codes = {i.code for i in cat}
    from_catalogue = [c for c in wanted if c in cat_codes]

    derived = {c: DERIVED[c] for c in wanted if c in DERIVED and c not in cat_codes}
    certs = {c for c in wanted if c in facts.cert_kinds}
    # derived columns that read a variable the facts lack stay null
    exprs = []
    read = {"entity", "kind", "period", "seq", *wanted}
    for c, f in derived.items():
        expr = f()
        if all(n in wide.columns for n in expr.meta.root_names()):
            exprs.append(expr.cast(pl.Float64).alias(c))
            read.update(expr.meta.root_names())
        else:
            exprs.append(pl.lit(None, dtype=pl.Float64).alias(c))
    # The rows are picked on the columns this step reads, not on the frame's ninety-odd: each
    # filter copies every column it is given (0.1 s of CPU at 200,000 enterprises). A ``where``
    # with a wildcard (``pl.all()``) could read any column: then every column is kept.
    wildcard = where is not None and where.meta.has_multiple_outputs()
    if where is not None:
        read.update(wide.columns if wildcard else where.meta.root_names())
    read.update(f"__cert__{c}" for c in facts.cert_kinds if c in read)
    rows = wide.select(c for c in wide.columns if c in read)
    # Only the level's rows of the period (and of the period before it, which a growth reads)
    # are worked on: derived columns over the whole frame (every kind and period) cost 5 s at
    # 200,000 enterprises.
    on_level = pl.col("kind") == level
    in_period = pl.col("period") == period
    if exprs:
        seq = rows.select(pl.col("seq").filter(on_level & in_period).first()).item()
        if seq is not None:
            on_level = on_level & pl.col("seq").is_between(seq - 1, seq)
        rows = rows.filter(on_level).with_columns(exprs).filter(in_period)
    else:
        rows = rows.filter(on_level & in_period)
    cert_cols = [
        pl.col(f"__cert__{c}").is_not_null().cast(pl.Float64).alias(c)
        for c in facts.cert_kinds
        if f"__cert__{c}" in rows.columns and c not in rows.columns
    ]
    base = rows.with_columns(cert_cols) if cert_cols else rows
    units = base.get_column("entity").cast(pl.String)
    keep = None
    if where is not None:
        keep = base.select(where).to_series()
        base, units = base.filter(keep), units.filter(keep)
    cols: dict[str, pl.Series] = {}
    for c in wanted:
        if c in from_catalogue:
            continue
        if c in derived or c in certs:
            cols[c] = base[c]
        elif c in base.columns:
            s = base[c]
            cols[c] = s.cast(pl.String) if s.dtype in (pl.Categorical, pl.Enum) else s
        else:
            cols[c] = pl.repeat(None, base.height, dtype=pl.Float64, eager=True).alias(c)
    if from_catalogue:
        res = compute(
            _with_dependencies(set(from_catalogue), cat), facts, [period], keep_frames=False
        )
        cells = res.frame.filter(pl.col("kind") == level)
        for c in from_catalogue:
            cols[c] = _aligned(cells.filter(pl.col("indicator") == c), units, keep).alias(c)
    return pl.DataFrame([units.alias(framework.unit), *(cols[c] for c in wanted)])


def _aligned(cells: pl.DataFrame, units: pl.Series, keep: pl.Series | None) -> pl.Series:
    """The ``value`` of ``cells`` (one indicator's cells of the level in the period) on the rows
    of ``units``, null where a unit has none. The cells come in the fact frame's order, which
    is the units' order before ``where`` picked some (``keep``): then the values are taken by
    position; otherwise (or in doubt) by a join on the unit."""
    values = cells.get_column("value")
    if keep is not None and cells.height == keep.len():
        values, entities = values.filter(keep), cells.get_column("entity").filter(keep)
    else:
        entities = cells.get_column("entity")
    if entities.len() == units.len() and entities.equals(units):
        return values
    on = units.to_frame("entity")
    return on.join(cells.select("entity", "value"), on="entity", how="left", maintain_order="left")[
        "value"
    ]
