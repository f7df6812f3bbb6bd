"""Rank functions: ``rank(x, within=…, order=…)`` and ``rank_change(x, …)``.

A rank is among the entities of the same level in the same period (all zones in the frame, or
those of the same province or city with ``within=``); 1 is the largest value (``order="asc"``: the
smallest). Ties share the best rank and the next rank is skipped (1, 2, 2, 4), as published
rankings do. A missing value has no rank and does not take a place.

``rank_change`` is the earlier rank minus this period's (positive: moved up, 进位), missing when
either rank is. The earlier rank is the previous period's (``lag="period"``, the default: 较上期,
last month for monthly data) or the same period last year's (``lag="year"``: 较上年同期, 12
months, 4 quarters or 1 year back).
"""

from __future__ import annotations

import polars as pl

from gaoxin.engine.expr.functions import CallArgs, CompileContext, FunctionSpec, Param
from gaoxin.engine.expr.namespace import ExprType
from gaoxin.engine.expr.periodic import lag, per_year

WITHIN = ("all", "province", "city", "zone")
ORDER = ("desc", "asc")
LAGS = ("period", "year")


def table_rank(x: pl.Expr, *, descending: bool = True) -> pl.Expr:
    """The published ranking rule over the rows in scope: 1 for the largest (``descending``),
    ties share the best rank and skip the next, a missing value has no rank. Monitoring tables
    rank with it directly; ``rank()`` adds the partition."""
    return x.cast(pl.Float64).rank("min", descending=descending).cast(pl.Float64)


def change_periods(lag_name: object, periods_per_year: int) -> int:
    """How many periods back ``rank_change`` compares: 1, or a year's worth with ``lag="year"``."""
    return periods_per_year if lag_name == "year" else 1


def rank_expr(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    """The rank of ``x`` in its partition; ``indicators.compute`` computes the rank inside a
    ``rank_change`` with it, as a column, and lags that column by ``change_periods`` itself."""
    return _rank(args, ctx)


def _rank(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    within = str(args.literal("within", "all"))
    descending = str(args.literal("order", "desc")) == "desc"
    keys = [str(ctx.options.get("kind_column", "kind"))]
    if ctx.period_column:
        keys.append(ctx.period_column)
    if within != "all":
        keys.append(ctx.hierarchy_columns.get(within, within))
    return table_rank(args["x"], descending=descending).over(keys)


def _rank_change(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    r = _rank(args, ctx)
    return lag(r, change_periods(args.literal("lag", "period"), per_year(ctx)), ctx) - r


_PARAMS = (
    Param("x", ExprType.NUMBER, label="数值"),
    Param(
        "within",
        ExprType.STRING,
        required=False,
        keyword_only=True,
        literal=True,
        choices=WITHIN,
        label="排名范围",
    ),
    Param(
        "order",
        ExprType.STRING,
        required=False,
        keyword_only=True,
        literal=True,
        choices=ORDER,
        label="顺序",
    ),
)
_CHANGE_PARAMS = (
    *_PARAMS,
    Param(
        "lag",
        ExprType.STRING,
        required=False,
        keyword_only=True,
        literal=True,
        choices=LAGS,
        label="比较期",
    ),
)
_WITHIN_ZH = {"all": "", "province": "省内", "city": "市内", "zone": "园区内"}


def _scope(a) -> str:  # type: ignore[no-untyped-def]
    return _WITHIN_ZH.get(a.get("within", "all").strip("“”\"'"), "")


def _since(a) -> str:  # type: ignore[no-untyped-def]
    return "较上年同期" if a.get("lag", "period").strip("“”\"'") == "year" else "较上期"


SPECS = (
    FunctionSpec(
        name="rank",
        params=_PARAMS,
        compile=_rank,
        label="排名",
        describe=lambda a, r: f"{a['x']}在同级主体中的{_scope(a)}排名",
    ),
    FunctionSpec(
        name="rank_change",
        params=_CHANGE_PARAMS,
        compile=_rank_change,
        label="位次变化",
        describe=lambda a, r: f"{a['x']}{_scope(a)}排名{_since(a)}的进位数",
        expansion={"x": 2},
    ),
)

MISSING = {"rank": "args", "rank_change": "lag+"}
