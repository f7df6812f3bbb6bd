"""Adding functions through the registry, without touching the parser or checker."""

from __future__ import annotations

import polars as pl
import pytest

from gaoxin.engine.expr import (
    FUNCTIONS,
    CallArgs,
    CompileContext,
    ExprType,
    ExprTypeError,
    FunctionRegistry,
    FunctionSpec,
    Namespace,
    Param,
    check,
    compile_expr,
    describe,
)


def _certified(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    code = args.literal("code")
    return pl.col(ctx.options.get("cert_prefix", "cert_") + code)


CERTIFIED = FunctionSpec(
    name="certified",
    params=(Param("code", ExprType.STRING, literal=True, choices=("hte", "tech_sme")),),
    returns=ExprType.BOOL,
    compile=_certified,
    label="持有认定",
    describe=lambda named, rest: f"持有{named['code']}认定",
)


def test_register_and_use_a_function() -> None:
    registry = FUNCTIONS.with_(CERTIFIED)
    ns = Namespace.of({"revenue": "number"})
    frame = pl.DataFrame({"cert_hte": [True, False], "revenue": [5.0, 7.0]})
    expr = compile_expr('if_(certified("hte"), revenue, 0)', ns, functions=registry)
    assert frame.select(v=expr)["v"].to_list() == [5.0, 0.0]
    assert describe('certified("hte")', ns, functions=registry).text == "持有“hte”认定"


def test_literal_choices_are_checked() -> None:
    registry = FUNCTIONS.with_(CERTIFIED)
    with pytest.raises(ExprTypeError) as info:
        check('certified("unicorn")', {}, functions=registry)
    assert info.value.message == "函数 certified 的参数「code」只能是 'hte'、'tech_sme'"
    assert info.value.col == 11


def test_decorator_registration_on_a_private_registry() -> None:
    registry = FunctionRegistry()

    @registry.function("double", params=(Param("x"),), label="两倍", describe="{x}的两倍")
    def _double(args: CallArgs, ctx: CompileContext) -> pl.Expr:
        return args["x"] * 2

    one_row = pl.DataFrame({"row": [1]})
    assert one_row.select(v=compile_expr("double(21)", {}, functions=registry)).item() == 42
    assert "abs" not in registry


def test_registering_twice_is_refused_unless_replacing() -> None:
    registry = FUNCTIONS.copy()
    with pytest.raises(ValueError, match="already registered"):
        registry.register(FUNCTIONS["abs"])
    registry.register(FUNCTIONS["abs"], replace=True)


def test_specs_refuse_bad_declarations() -> None:
    with pytest.raises(ValueError):
        FunctionSpec(name="__evil__", compile=lambda a, c: pl.lit(1))
    with pytest.raises(ValueError):
        FunctionSpec(name="f", params=(Param("x"), Param("x")), compile=lambda a, c: pl.lit(1))


def test_signatures() -> None:
    assert FUNCTIONS["clip"].signature() == "clip(x, lo, hi)"
    assert FUNCTIONS["log"].signature() == "log(x, base=…)"
    assert FUNCTIONS["min"].signature() == "min(a, b, more…)"
    spec = FunctionSpec(
        name="sum",
        params=(Param("x"), Param("where", ExprType.BOOL, required=False, keyword_only=True)),
        compile=lambda a, c: pl.lit(1),
    )
    assert spec.signature() == "sum(x, *, where=…)"


def test_every_builtin_has_a_label_and_description() -> None:
    for name in ("if_", "min", "max", "clip", "abs", "log", "sqrt", "coalesce", "round"):
        spec = FUNCTIONS[name]
        assert spec.label and spec.describe, name


def test_the_design_examples_need_only_registered_functions() -> None:
    """``100 * count(where=certified("hte")) / count()`` with stand-ins for the coming functions."""

    def _count(args: CallArgs, ctx: CompileContext) -> pl.Expr:
        group = ctx.hierarchy_columns[ctx.level]
        if "where" not in args:
            return pl.len().over(group)
        return pl.when(args["where"]).then(1).otherwise(0).sum().over(group)

    def _sum(args: CallArgs, ctx: CompileContext) -> pl.Expr:
        return args["x"].sum().over(ctx.hierarchy_columns[ctx.level])

    where = Param("where", ExprType.BOOL, required=False, keyword_only=True)
    registry = FUNCTIONS.with_(
        CERTIFIED,
        FunctionSpec(name="count", params=(where,), compile=_count, aggregates=True),
        FunctionSpec(name="sum", params=(Param("x"), where), compile=_sum, aggregates=True),
    )
    ns = Namespace.of(
        {
            "revenue": {"level": "enterprise"},
            "rd_expenditure": {"level": "enterprise"},
        },
        parents={"enterprise": "zone"},
    )
    frame = pl.DataFrame(
        {
            "zone_id": ["z1", "z1", "z1", "z2"],
            "cert_hte": [True, False, True, False],
            "revenue": [100.0, 100.0, 200.0, 50.0],
            "rd_expenditure": [5.0, 1.0, 4.0, 1.0],
        }
    )
    ctx = CompileContext(namespace=ns, level="zone", hierarchy_columns={"zone": "zone_id"})

    def at_zone(formula: str) -> list[float]:
        f = check(formula, ns, functions=registry, level="zone")
        return frame.select(v=f.to_polars(ctx))["v"].round(6).to_list()

    share = at_zone('100 * count(where=certified("hte")) / count()')
    assert share == [pytest.approx(200 / 3)] * 3 + [0.0]
    assert at_zone("100 * sum(rd_expenditure) / sum(revenue)") == [2.5, 2.5, 2.5, 2.0]
