"""Hierarchy functions: aggregate an entity's children (enterprises of a zone, zones of a city).

``sum(x, where=…)``, ``count(where=…)``, ``mean``, ``median``, ``share(x, where=…)`` and
``top_share(x, by="industry", n=2)``. The children are those of the level the arguments read
(``sum(revenue)``: enterprises); where they read none (``count()``), ``of="institution"`` says which,
and by default it is the only child level (a zone's enterprises when it has several). The fact frame holds every level in one wide frame with a
column per level (``zone``, ``city``, ``province``), so an aggregate is a window over the children's
rows grouped by the parent's column and the period; the result is on every row of the group and
is read on the parent's row.

Two compiled forms: the hooks registered below are windows over the whole frame (what
:func:`gaoxin.engine.expr.compile_expr` gives any caller), and :func:`grouped` /
:func:`top_share_frame` are the same aggregates over the children's rows alone, for a
``group_by`` on the parent's keys joined back to the parent's rows (what
``gaoxin.engine.indicators`` uses: one pass over the children for all the aggregates of a batch,
instead of a window per aggregate over every row of every level). A parent with no child row
takes :data:`EMPTY` (``sum`` and ``count`` 0, the others missing), as the window form gives.

Missing values: a child whose value is missing is left out of a sum, mean or median and counted as
a missing input of the cell (gaoxin.engine.indicators reports the count); if every child the filter
selects is missing the result is missing. A filter that selects no child gives ``sum = 0``,
``count = 0`` and a missing mean, median or share. A ``where`` that is missing for a child (an
unknown condition) does not select it.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from gaoxin.engine.expr.builtins import finite
from gaoxin.engine.expr.errors import ExprError
from gaoxin.engine.expr.functions import CallArgs, CompileContext, FunctionSpec, Param
from gaoxin.engine.expr.namespace import ExprType

NUMBER = ExprType.NUMBER
BOOL = ExprType.BOOL

#: Columns ``top_share`` may group children by.
GROUP_BY_CHOICES = ("industry", "industry_section", "institution_kind")


def child_level(args: CallArgs, ctx: CompileContext) -> str:
    """The level aggregated: what the arguments read, else ``of=``, else the only child level
    (enterprises when a zone has several)."""
    if args.ctx.level is not None:
        return args.ctx.level
    if "of" in args:
        return str(args.literal("of"))
    kids = [lv for lv, parent in ctx.namespace.parents.items() if parent == ctx.level]
    if len(kids) == 1:
        return kids[0]
    if "enterprise" in kids:
        return "enterprise"
    raise ExprError(f"无法确定汇总的下级层级（{ctx.level}）")


def group_keys(ctx: CompileContext) -> list[str]:
    if ctx.level is None or ctx.level not in ctx.hierarchy_columns:
        raise ExprError("汇总函数需要公式的层级（如 zone），请在指标中写明 level")
    keys = [ctx.hierarchy_columns[ctx.level]]
    if ctx.period_column:
        keys.append(ctx.period_column)
    return keys


def selected(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    """True on the rows of the children the call aggregates (and its ``where`` selects)."""
    kind = pl.col(str(ctx.options.get("kind_column", "kind"))) == child_level(args, ctx)
    if "where" in args:
        return kind & args["where"].fill_null(False)
    return kind


def _sum(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    g = group_keys(ctx)
    m = selected(args, ctx)
    v = pl.when(m).then(args["x"].cast(pl.Float64))
    total = v.sum().over(g)
    present = v.count().over(g)
    chosen = m.sum().over(g)
    return pl.when((present > 0) | (chosen == 0)).then(total)


def _count(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    return selected(args, ctx).sum().over(group_keys(ctx)).cast(pl.Float64)


def _mean(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    return (
        pl.when(selected(args, ctx)).then(args["x"].cast(pl.Float64)).mean().over(group_keys(ctx))
    )


def _median(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    v = pl.when(selected(args, ctx)).then(args["x"].cast(pl.Float64))
    return v.median().over(group_keys(ctx))


def _share(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    g = group_keys(ctx)
    kind = pl.col(str(ctx.options.get("kind_column", "kind"))) == child_level(args, ctx)
    x = pl.when(kind).then(args["x"].cast(pl.Float64))
    part = x if "where" not in args else pl.when(args["where"].fill_null(False)).then(x)
    return finite(part.sum().over(g) / x.sum().over(g) * 100)


def _top_share(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    g = group_keys(ctx)
    by = str(args.literal("by", "industry"))
    n = int(args.literal("n", 2))
    m = selected(args, ctx) & pl.col(by).is_not_null()
    v = pl.when(m).then(args["x"].cast(pl.Float64))
    # The first selected row of each group of children carries the group's total; the n largest
    # totals are summed. (is_first_distinct is faster than a row number per group.)
    first = pl.struct([*g, by, m]).is_first_distinct() & m
    totals = pl.when(first).then(v.sum().over([*g, by]))
    top = totals.drop_nulls().top_k(n).sum().over(g)
    return finite(top / v.sum().over(g) * 100)


# -- the grouped form: over the children's rows only (already filtered to the child level) --------
#: What a parent with no child row at all gets (the window form's value for an empty group).
EMPTY: dict[str, float | None] = {"sum": 0.0, "count": 0.0}


def in_row_order(agg: pl.Expr) -> pl.Expr:
    """``agg`` computed group by group over each group's rows in frame order.

    Polars (2.1) computes a bare ``pl.col(x).sum()`` in a ``group_by`` from partial sums in
    parallel, combined in an order that changes from run to run, so the last bits of a float sum
    differ between runs and from the window form. Inside a conditional it takes the per-group path
    (the one windows use): the same bits, run after run. Every grouped float aggregate goes through
    here or through its own ``when``.
    """
    return pl.when(pl.len() > 0).then(agg)


def _where(args: CallArgs) -> pl.Expr | None:
    return args["where"].fill_null(False) if "where" in args else None


def grouped(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    """``sum``, ``count``, ``mean``, ``median`` or ``share`` as an aggregation inside
    ``group_by(group_keys(ctx)).agg(…)`` over the child level's rows (``top_share``: see
    :func:`top_share_frame`). Same values as the window hooks on the parent's row."""
    name = args.spec.name
    w = _where(args)
    if name == "count":
        return (pl.len() if w is None else w.sum()).cast(pl.Float64)
    x = args["x"].cast(pl.Float64)
    if name == "share":
        part = x if w is None else pl.when(w).then(x)
        ratio = part.sum() / x.sum() * 100
        # not finite(): replace() on an aggregated value gives a list inside group_by
        return pl.when(ratio.is_finite()).then(ratio)
    v = x if w is None else pl.when(w).then(x)
    if name == "mean":
        return in_row_order(v.mean())
    if name == "median":
        return in_row_order(v.median())
    if name == "sum":
        chosen = pl.len() if w is None else w.sum()
        return pl.when((v.count() > 0) | (chosen == 0)).then(v.sum())
    raise ValueError(f"{name} has no grouped form")  # pragma: no cover


def grouped_selected(args: CallArgs) -> pl.Expr:
    """Which of the child level's rows the call selects (its ``where``), for missing counts."""
    w = _where(args)
    return pl.lit(True) if w is None else w


def _top_share_rows(args: CallArgs) -> tuple[pl.Expr, pl.Expr]:
    """Which children ``top_share`` groups (its ``where``, and a group to be in) and their value."""
    by = str(args.literal("by", "industry"))
    w = _where(args)
    keep = pl.col(by).is_not_null() if w is None else w & pl.col(by).is_not_null()
    return keep, args["x"].cast(pl.Float64)


def top_share_total(args: CallArgs) -> pl.Expr:
    """``top_share``'s denominator as an aggregation inside ``group_by(group_keys(ctx)).agg(…)``
    over the child level's rows (with the other aggregates: no pass of its own)."""
    keep, x = _top_share_rows(args)
    return in_row_order(x.filter(keep).sum())


def top_share_frame(
    children: pl.DataFrame, args: CallArgs, ctx: CompileContext, alias: str
) -> pl.DataFrame:
    """``top_share``'s numerator per parent and period: ``children`` are the child level's rows;
    the result has the parent's keys and ``alias``, the sum of the ``n`` largest groups' totals.
    Two group-bys (by group of children, then by parent) instead of windows over every row;
    :func:`top_share_ratio` divides it by :func:`top_share_total`."""
    g = group_keys(ctx)
    by = str(args.literal("by", "industry"))
    n = int(args.literal("n", 2))
    keep, x = _top_share_rows(args)
    # Eager steps: a lazy filter-select-group_by chain is fused into a plan that sums in another
    # order (the last bits differ from the window form).
    rows = children.select(*g, by, x.alias("__x"), keep.alias("__keep")).filter("__keep")
    return (
        rows.group_by([*g, by])
        .agg(in_row_order(pl.col("__x").sum()))
        .group_by(g)
        .agg(in_row_order(pl.col("__x").top_k(n).sum()).alias(alias))
    )


def top_share_ratio(top: pl.Expr, total: pl.Expr) -> pl.Expr:
    """``top_share`` from its numerator and denominator: a percentage, missing where undefined."""
    return finite(top / total * 100)


_WHERE = Param("where", BOOL, required=False, keyword_only=True, label="筛选条件")
#: Which children, when the arguments name no variable of theirs: count(of="institution").
_OF = Param(
    "of",
    ExprType.STRING,
    required=False,
    keyword_only=True,
    literal=True,
    choices=("enterprise", "institution", "zone", "city"),
    label="下级类型",
)
_X = Param("x", NUMBER, label="数值")


def _where_text(a: Mapping[str, str]) -> str:
    return f"（{a['where']}的）" if "where" in a else ""


SPECS = (
    FunctionSpec(
        name="sum",
        params=(_X, _WHERE, _OF),
        compile=_sum,
        aggregates=True,
        label="合计",
        describe=lambda a, r: f"下级{_where_text(a)}{a['x']}的合计",
        expansion={"x": 2, "where": 2},
    ),
    FunctionSpec(
        name="count",
        params=(_WHERE, _OF),
        compile=_count,
        aggregates=True,
        label="个数",
        describe=lambda a, r: f"下级{_where_text(a)}主体个数",
    ),
    FunctionSpec(
        name="mean",
        params=(_X, _WHERE, _OF),
        compile=_mean,
        aggregates=True,
        label="平均值",
        describe=lambda a, r: f"下级{_where_text(a)}{a['x']}的平均值",
    ),
    FunctionSpec(
        name="median",
        params=(_X, _WHERE, _OF),
        compile=_median,
        aggregates=True,
        label="中位数",
        describe=lambda a, r: f"下级{_where_text(a)}{a['x']}的中位数",
    ),
    FunctionSpec(
        name="share",
        params=(_X, _WHERE, _OF),
        compile=_share,
        aggregates=True,
        label="占比",
        describe=lambda a, r: (
            f"满足「{a['where']}」的下级{a['x']}占全部下级合计的比例（%）"
            if "where" in a
            else f"{a['x']}占全部下级合计的比例（%）"
        ),
        expansion={"x": 2},
    ),
    FunctionSpec(
        name="top_share",
        params=(
            _X,
            Param(
                "by",
                ExprType.STRING,
                required=False,
                keyword_only=True,
                literal=True,
                choices=GROUP_BY_CHOICES,
                label="分组",
            ),
            Param(
                "n",
                NUMBER,
                required=False,
                keyword_only=True,
                literal=True,
                choices=tuple(range(1, 11)),
                label="前几位",
            ),
            _WHERE,
            _OF,
        ),
        compile=_top_share,
        aggregates=True,
        label="集中度",
        describe=lambda a, r: (
            f"按{a.get('by', '“industry”')}分组，前{a.get('n', '2')}大组{a['x']}合计占全部的比例（%）"
        ),
        expansion={"x": 2, "where": 2},
    ),
)

#: Missing-input rule (see gaoxin.engine.indicators): count children with a missing input.
MISSING = {s.name: "aggregate" for s in SPECS}
