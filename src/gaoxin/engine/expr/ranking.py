"""Rank functions: ``rank(x, within=…, order=…)`` and ``rank_change(x, …)``.

A rank is among the entities of the same level in the same period (all zones in the frame, or
those of the same province or city with ``within=``); 1 is the largest value (``order="asc"``: the
smallest). Ties share the best rank and the next rank is skipped (1, 2, 2, 4), as published
rankings do. A missing value has no rank and does not take a place.

``rank_change`` is last period's rank minus this period's (positive: moved up, 进位), missing when
either rank is.
"""

from __future__ import annotations

import polars as pl

from gaoxin.engine.expr.functions import CallArgs, CompileContext, FunctionSpec, Param
from gaoxin.engine.expr.namespace import ExprType
from gaoxin.engine.expr.periodic import lag

WITHIN = ("all", "province", "city", "zone")
ORDER = ("desc", "asc")


def rank_expr(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    within = str(args.literal("within", "all"))
    descending = str(args.literal("order", "desc")) == "desc"
    keys = [str(ctx.options.get("kind_column", "kind"))]
    if ctx.period_column:
        keys.append(ctx.period_column)
    if within != "all":
        keys.append(ctx.hierarchy_columns.get(within, within))
    x = args["x"].cast(pl.Float64)
    return x.rank("min", descending=descending).over(keys).cast(pl.Float64)


def _rank_change(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    r = rank_expr(args, ctx)
    return lag(r, 1, ctx) - r


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
_WITHIN_ZH = {"all": "", "province": "省内", "city": "市内", "zone": "园区内"}


def _scope(a) -> str:  # type: ignore[no-untyped-def]
    return _WITHIN_ZH.get(a.get("within", "all").strip("“”\"'"), "")


SPECS = (
    FunctionSpec(
        name="rank",
        params=_PARAMS,
        compile=rank_expr,
        label="排名",
        describe=lambda a, r: f"{a['x']}在同级主体中的{_scope(a)}排名",
    ),
    FunctionSpec(
        name="rank_change",
        params=_PARAMS,
        compile=_rank_change,
        label="位次变化",
        describe=lambda a, r: f"{a['x']}{_scope(a)}排名较上期的进位数",
        expansion={"x": 2},
    ),
)

MISSING = {"rank": "args", "rank_change": "lag+"}
