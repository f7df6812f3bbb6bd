"""The scalar functions every formula may call: if_, min, max, clip, abs, log, sqrt, coalesce, round.

Each works row by row (per entity and period). Nulls propagate: any null argument gives a null
result, except in ``coalesce`` (which exists to replace nulls) and in the branch ``if_`` does not
take. A result that is not a finite number (log of 0, square root of a negative) is null.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import polars as pl

from gaoxin.engine.expr.errors import ExprTypeError
from gaoxin.engine.expr.functions import (
    FUNCTIONS,
    CallArgs,
    CompileContext,
    FunctionRegistry,
    FunctionSpec,
    Param,
    TypedArgs,
)
from gaoxin.engine.expr.namespace import ExprType

NUMBER = ExprType.NUMBER
BOOL = ExprType.BOOL

#: Most decimals ``round`` keeps.
MAX_ROUND_DIGITS = 10


def finite(expr: pl.Expr) -> pl.Expr:
    """``expr`` where it is a finite number, null where it is inf, -inf or NaN.

    Written so that ``expr`` appears once: Polars walks a reused sub-expression once per use, so
    helpers that repeat their argument make nested formulas grow exponentially.
    """
    # Not fill_nan: Polars expands it into when/then, which repeats its input.
    return expr.replace([math.inf, -math.inf, math.nan], None)


def strict_min(exprs: Sequence[pl.Expr]) -> pl.Expr:
    """Row-wise minimum that is null when any input is (Polars' own skips nulls).

    A null is turned into -inf, which wins the minimum and is then turned back into null.
    """
    return finite(pl.min_horizontal([e.cast(pl.Float64).fill_null(-math.inf) for e in exprs]))


def strict_max(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return finite(pl.max_horizontal([e.cast(pl.Float64).fill_null(math.inf) for e in exprs]))


_DTYPES = {ExprType.NUMBER: pl.Float64, ExprType.STRING: pl.String, ExprType.BOOL: pl.Boolean}


def full_length(expr: pl.Expr, type_: ExprType) -> pl.Expr:
    """``expr`` as a full-length column (one value per row of the frame), using it once.

    Polars (2.1) sometimes evaluates a constant part of an expression to a single value that it
    then refuses to broadcast: ``1 < coalesce(1, a)``, or ``if_(a > 100, 1, 2) > 1`` when no row
    exceeds 100. Combining such a part with a full-length column of zeros (or empty strings, or
    ``True``) spreads it. ``pl.len()`` is the frame's height, or the group's inside an aggregation.
    """
    rows = pl.int_range(pl.len())
    if type_ == ExprType.NUMBER:
        return (rows * 0).cast(pl.Float64) + expr
    if type_ == ExprType.STRING:
        return pl.concat_str([rows.cast(pl.String).str.slice(0, 0), expr])
    return (rows >= 0) & expr


def _is_constant(args: CallArgs, name: str, ctx: CompileContext) -> bool:
    from gaoxin.engine.expr.syntax import Name, walk

    for node in walk(args.nodes[name]):
        if isinstance(node, Name):
            info = ctx.namespace.get(node.id)
            if info is None or info.kind != "parameter" or info.value is None:
                return False
    return True


def _coalesce(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    values = args.positional()
    if _is_constant(args, "a", ctx):
        values[0] = full_length(values[0], args.type("a"))
    return pl.coalesce(values)


def same_type(typed: TypedArgs) -> ExprType:
    """Result rule for functions whose value arguments must all have one type (coalesce)."""
    args = typed.all()
    first_name, _, first_type = args[0]
    for name, node, t in args[1:]:
        if t != first_type:
            raise ExprTypeError(
                f"函数 {typed.spec.name} 的各个取值类型必须相同："
                f"「{first_name}」是{first_type.zh}，「{name}」是{t.zh}",
                span=node.span,
            )
    return first_type


def _if_type(typed: TypedArgs) -> ExprType:
    a, b = typed.types["a"], typed.types["b"]
    if a != b:
        raise ExprTypeError(
            f"函数 if_ 的两个取值类型必须相同：条件成立时是{a.zh}，不成立时是{b.zh}",
            span=typed.nodes["b"].span,
        )
    return a


def _if(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    cond = args["cond"]  # used twice: declared in the spec's ``expansion``
    a, b = args["a"], args["b"]
    # Polars (2.1) returns a length-1 result when every row takes a constant branch, which then
    # cannot be broadcast against another constant (``if_(x > 100, 1, 2) > 1``): spread them.
    if _is_constant(args, "a", ctx):
        a = full_length(a, args.type("a"))
    if _is_constant(args, "b", ctx):
        b = full_length(b, args.type("b"))
    # An unknown condition gives an unknown result, rather than Polars' silent fall-through to b.
    missing = full_length(pl.lit(None, dtype=_DTYPES[args.type("a")]), args.type("a"))
    return pl.when(cond.is_not_null()).then(pl.when(cond).then(a).otherwise(b)).otherwise(missing)


def _clip(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    x, lo, hi = args["x"], args["lo"], args["hi"]
    return strict_max([lo, strict_min([x, hi])])


def _log(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    # ln of 0 is -inf and of a negative NaN; finite() makes both null, as for a base <= 0 or 1.
    x = args["x"].cast(pl.Float64)
    if "base" not in args:
        return finite(x.log())
    if args.is_literal("base") and args.literal("base") == 10:
        # ln(x) / ln(10) misses exact powers of ten by one ulp; log10 does not.
        return finite(x.log10())
    return finite(x.log() / args["base"].cast(pl.Float64).log())


def _sqrt(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    return finite(args["x"].cast(pl.Float64).sqrt())


def _round(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    digits = int(args.literal("n", 0))
    return args["x"].cast(pl.Float64).round(digits, mode="half_away_from_zero")


def _join(parts: Sequence[str]) -> str:
    return "、".join(parts)


def _describe_log(named: Mapping[str, str], rest: Sequence[str]) -> str:
    if "base" in named:
        return f"以{named['base']}为底{named['x']}的对数"
    return f"{named['x']}的自然对数"


def _describe_round(named: Mapping[str, str], rest: Sequence[str]) -> str:
    n = named.get("n", "0")
    return f"{named['x']}四舍五入到整数" if n == "0" else f"{named['x']}四舍五入保留{n}位小数"


def _describe_coalesce(named: Mapping[str, str], rest: Sequence[str]) -> str:
    values = [named["a"], named["b"], *rest]
    return "依次取" + _join(values) + "中第一个不缺失的值"


SCALAR_FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        name="if_",
        params=(Param("cond", BOOL, label="条件"), Param("a", None), Param("b", None)),
        returns=_if_type,
        compile=_if,
        expansion={"cond": 2},
        label="条件取值",
        describe="如果{cond}，则为{a}，否则为{b}",
        doc="cond 成立取 a，不成立取 b；cond 缺失时结果缺失。",
    ),
    FunctionSpec(
        name="min",
        params=(Param("a"), Param("b")),
        variadic=Param("more"),
        min_args=2,
        compile=lambda args, ctx: strict_min(args.positional()),
        label="最小值",
        describe=lambda named, rest: _join([named["a"], named["b"], *rest]) + "中的较小值",
        doc="逐行取各参数中最小的一个；任一参数缺失则结果缺失。",
    ),
    FunctionSpec(
        name="max",
        params=(Param("a"), Param("b")),
        variadic=Param("more"),
        min_args=2,
        compile=lambda args, ctx: strict_max(args.positional()),
        label="最大值",
        describe=lambda named, rest: _join([named["a"], named["b"], *rest]) + "中的较大值",
        doc="逐行取各参数中最大的一个；任一参数缺失则结果缺失。",
    ),
    FunctionSpec(
        name="clip",
        params=(Param("x"), Param("lo"), Param("hi")),
        compile=_clip,
        label="限定范围",
        describe="{x}限定在{lo}到{hi}之间",
        doc="低于 lo 取 lo，高于 hi 取 hi。",
    ),
    FunctionSpec(
        name="abs",
        params=(Param("x"),),
        compile=lambda args, ctx: args["x"].abs(),
        label="绝对值",
        describe="{x}的绝对值",
    ),
    FunctionSpec(
        name="log",
        params=(Param("x"), Param("base", required=False)),
        compile=_log,
        label="对数",
        describe=_describe_log,
        doc="自然对数；给出 base 时以 base 为底。x ≤ 0 时结果缺失。",
    ),
    FunctionSpec(
        name="sqrt",
        params=(Param("x"),),
        compile=_sqrt,
        label="平方根",
        describe="{x}的平方根",
        doc="x < 0 时结果缺失。",
    ),
    FunctionSpec(
        name="coalesce",
        params=(Param("a", None), Param("b", None)),
        variadic=Param("more", None),
        min_args=2,
        returns=same_type,
        compile=_coalesce,
        label="缺失时取默认",
        describe=_describe_coalesce,
        doc="取第一个不缺失的参数。",
    ),
    FunctionSpec(
        name="round",
        params=(
            Param("x"),
            Param(
                "n",
                required=False,
                literal=True,
                choices=tuple(range(MAX_ROUND_DIGITS + 1)),
                label="小数位数",
            ),
        ),
        compile=_round,
        label="四舍五入",
        describe=_describe_round,
        doc="四舍五入（.5 远离零进位）保留 n 位小数，n 缺省为 0。",
    ),
)


def register_scalar_functions(registry: FunctionRegistry) -> None:
    for spec in SCALAR_FUNCTIONS:
        registry.register(spec, replace=True)


register_scalar_functions(FUNCTIONS)
