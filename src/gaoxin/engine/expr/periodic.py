"""Period functions: prev, delta, yoy/growth, cagr, ytd, single, consecutive, every_since.

They read an entity's own earlier rows in the fact frame: ``ctx.entity_column`` partitions, the
running period number ``seq`` (``ctx.options["seq_column"]``) orders, and ``per_year`` says how
many periods make a year (1 yearly, 4 quarterly, 12 monthly). An earlier value exists only when the
row exactly ``n`` periods back is there; otherwise the result is missing (never a guess from a
neighbouring period).

Cumulative rule (累计): a variable the catalogue marks ``cumulative`` is stored as 1-N月 year to
date. ``ytd(x)`` of such a variable is ``x`` itself; of a single-period variable it is the running
sum from the first period of the year, missing as soon as one period of the year is. ``single(x)``
is the reverse: of a cumulative variable, this period's 1-N value minus last period's 1-(N-1)
value (the first period of the year is the value itself); of a single-period variable, ``x``.
Both need a variable or indicator name (the flag belongs to the name, not to an expression).
On yearly data both are ``x``.
"""

from __future__ import annotations

import polars as pl

from gaoxin.engine.expr.builtins import finite
from gaoxin.engine.expr.errors import ExprError, ExprTypeError
from gaoxin.engine.expr.functions import (
    CallArgs,
    CompileContext,
    FunctionSpec,
    Param,
    TypedArgs,
)
from gaoxin.engine.expr.namespace import ExprType
from gaoxin.engine.expr.syntax import Name

NUMBER = ExprType.NUMBER
BOOL = ExprType.BOOL


def _entity(ctx: CompileContext) -> str:
    if ctx.entity_column is None:
        raise ExprError("期间函数需要主体列（entity_column），请通过 gaoxin.engine.indicators 计算")
    return ctx.entity_column


def seq_column(ctx: CompileContext) -> str:
    return str(ctx.options.get("seq_column", "seq"))


def per_year(ctx: CompileContext) -> int:
    return int(ctx.options.get("per_year", 1))


def lag(x: pl.Expr, n: int, ctx: CompileContext) -> pl.Expr:
    """``x`` of the same entity ``n`` periods earlier; missing when that row is absent.

    The fact frame is sorted by entity and period (``gaoxin.engine.facts`` guarantees it), so the
    row n back is a plain shift, checked to be the same entity exactly n periods earlier — a
    window over hundreds of thousands of entities would be many times slower.
    """
    e, seq = pl.col(_entity(ctx)), pl.col(seq_column(ctx))
    there = (e.shift(n) == e) & (seq.shift(n) == seq - n)
    return pl.when(there).then(x.shift(n))


def growth_pct(x: pl.Expr, base: pl.Expr) -> pl.Expr:
    """(x − base) / |base| × 100; missing when base is 0 or missing."""
    return finite((x.cast(pl.Float64) - base) / base.abs() * 100)


def _n(args: CallArgs, name: str = "n", default: int = 1) -> int:
    return int(args.literal(name, default))


def _prev(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    return lag(args["x"], _n(args), ctx)


def _delta(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    x = args["x"]
    return x - lag(x, _n(args), ctx)


def _yoy(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    x = args["x"]
    return growth_pct(x, lag(x, per_year(ctx), ctx))


def _cagr(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    years = int(args.literal("years"))
    x = args["x"].cast(pl.Float64)
    ratio = x / lag(x, years * per_year(ctx), ctx)
    return finite((ratio ** (1.0 / years) - 1) * 100)


def is_cumulative(args: CallArgs, ctx: CompileContext) -> bool:
    node = args.nodes["x"]
    assert isinstance(node, Name)
    info = ctx.namespace.get(node.id)
    column = (info.column if info else None) or node.id
    cumulative = ctx.options.get("cumulative", frozenset())
    return node.id in cumulative or column in cumulative


def _ytd(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    x = args["x"]
    if per_year(ctx) == 1 or is_cumulative(args, ctx):
        return x
    keys = [_entity(ctx), str(ctx.options.get("year_column", "year"))]
    total = x.cum_sum().over(keys)
    gaps = x.is_null().cum_sum().over(keys)
    return pl.when(gaps == 0).then(total)


def _single(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    x = args["x"]
    if per_year(ctx) == 1 or not is_cumulative(args, ctx):
        return x
    sub = pl.col(str(ctx.options.get("sub_column", "sub")))
    return x - pl.when(sub == 1).then(pl.lit(0.0)).otherwise(lag(x, 1, ctx))


def _consecutive(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    n = _n(args)
    held = args["cond"].fill_null(False).cast(pl.Int32)
    e, seq = _entity(ctx), seq_column(ctx)
    # Periods counted only when they are consecutive: the row n-1 back must be n-1 periods back.
    run = held.rolling_sum(n).over(e)
    there = pl.col(seq).shift(n - 1).over(e) == pl.col(seq) - (n - 1)
    return (run == n) & there.fill_null(n == 1)


def _every_since(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    """``cond`` held in every period from the first period of ``year`` to this one. False as soon
    as one period of that span does not hold it; missing while a period of the span is absent
    or its ``cond`` is missing and none has failed; missing before the span begins."""
    start = int(args.literal("year")) * per_year(ctx)
    e, seq = _entity(ctx), pl.col(seq_column(ctx))
    cond = args["cond"]
    in_span = seq >= start
    failed = (in_span & (cond == False)).cast(pl.Int32).cum_sum().over(e)  # noqa: E712
    held = (in_span & (cond == True)).cast(pl.Int32).cum_sum().over(e)  # noqa: E712
    return (
        pl.when(~in_span)
        .then(None)
        .when(failed > 0)
        .then(False)
        .when(held == seq - start + 1)
        .then(True)
    )


def _year_literal(spec_name: str):  # noqa: ANN202
    def rule(typed: TypedArgs) -> ExprType:
        from gaoxin.engine.expr.checker import _literal_value

        node = typed.nodes["year"]
        _, value = _literal_value(node)
        if not isinstance(value, int) or isinstance(value, bool) or not 1949 <= value <= 2100:
            raise ExprTypeError(
                f"函数 {spec_name} 的参数「year」应为 1949 到 2100 之间的年份（整数）",
                span=node.span,
            )
        return BOOL

    return rule


def _name_only(fn: str):  # noqa: ANN202
    def rule(typed: TypedArgs) -> ExprType:
        node = typed.nodes["x"]
        if not isinstance(node, Name):
            raise ExprTypeError(
                f"函数 {fn} 的参数「x」必须是一个变量或指标的代码（是否累计由它决定），不能是表达式；"
                f"如需对表达式累计，请先把它定义为指标",
                span=node.span,
            )
        return NUMBER

    return rule


def _positive_int(spec_name: str, param: str):  # noqa: ANN202
    def rule(typed: TypedArgs) -> ExprType:
        from gaoxin.engine.expr.checker import _literal_value

        node = typed.nodes.get(param)
        if node is not None:
            _, value = _literal_value(node)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 60:
                raise ExprTypeError(
                    f"函数 {spec_name} 的参数「{param}」应为 1 到 60 之间的整数", span=node.span
                )
        return NUMBER if spec_name != "consecutive" else BOOL

    return rule


_X = Param("x", NUMBER, label="数值")
_N = Param("n", NUMBER, required=False, literal=True, label="期数")

SPECS = (
    FunctionSpec(
        name="prev",
        params=(_X, _N),
        returns=_positive_int("prev", "n"),
        compile=_prev,
        label="上期值",
        describe=lambda a, r: f"{a['x']}的上{a.get('n', '1')}期值",
        doc="value n periods earlier (default 1)",
    ),
    FunctionSpec(
        name="delta",
        params=(_X, _N),
        returns=_positive_int("delta", "n"),
        compile=_delta,
        label="增量",
        describe=lambda a, r: f"{a['x']}较上{a.get('n', '1')}期的增量",
        expansion={"x": 2},
    ),
    FunctionSpec(
        name="yoy",
        params=(_X,),
        compile=_yoy,
        label="同比增长率",
        describe="{x}的同比增长率（%）",
        expansion={"x": 2},
    ),
    FunctionSpec(
        name="growth",
        params=(_X,),
        compile=_yoy,
        label="同比增长率",
        describe="{x}的同比增长率（%）",
        expansion={"x": 2},
    ),
    FunctionSpec(
        name="cagr",
        params=(_X, Param("years", NUMBER, literal=True, label="年数")),
        returns=_positive_int("cagr", "years"),
        compile=_cagr,
        label="年均复合增长率",
        describe=lambda a, r: f"{a['x']}近{a['years']}年的年均复合增长率（%）",
        expansion={"x": 2},
    ),
    FunctionSpec(
        name="ytd",
        params=(_X,),
        returns=_name_only("ytd"),
        compile=_ytd,
        label="累计值",
        describe="{x}的1-N期累计值",
        expansion={"x": 2},
    ),
    FunctionSpec(
        name="single",
        params=(_X,),
        returns=_name_only("single"),
        compile=_single,
        label="当期值",
        describe="{x}的当期值（非累计）",
        expansion={"x": 2},
    ),
    FunctionSpec(
        name="consecutive",
        params=(Param("cond", BOOL, label="条件"), Param("n", NUMBER, literal=True, label="期数")),
        returns=_positive_int("consecutive", "n"),
        compile=_consecutive,
        label="连续满足",
        describe=lambda a, r: f"连续{a['n']}期{a['cond']}",
    ),
    FunctionSpec(
        name="every_since",
        params=(
            Param("cond", BOOL, label="条件"),
            Param("year", NUMBER, literal=True, label="起始年份"),
        ),
        returns=_year_literal("every_since"),
        compile=_every_since,
        label="自某年起每期都满足",
        describe=lambda a, r: f"自{a['year']}年起每期{a['cond']}",
    ),
)

#: How the missing-input count of each function is formed (see gaoxin.engine.indicators).
MISSING = {
    "prev": "lag",
    "delta": "lag+",
    "yoy": "lag+",
    "growth": "lag+",
    "cagr": "lag+",
    "ytd": "ytd",
    "single": "lag+",
    "consecutive": "args",
    "every_since": "args",
}
