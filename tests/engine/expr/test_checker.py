"""Static checks: unknown names and functions, arity, keywords, types and entity levels."""

from __future__ import annotations

import polars as pl
import pytest

from gaoxin.engine.expr import (
    FUNCTIONS,
    ArityError,
    CallArgs,
    CompileContext,
    ExprError,
    ExprType,
    ExprTypeError,
    FunctionSpec,
    LevelError,
    NameInfo,
    Namespace,
    Param,
    UnknownFunctionError,
    UnknownKeywordError,
    UnknownNameError,
    check,
)


def _err(formula: str, ns: Namespace, **kwargs: object) -> ExprError:
    with pytest.raises(ExprError) as info:
        check(formula, ns, **kwargs)  # type: ignore[arg-type]
    return info.value


def test_unknown_name_suggests_close_matches(ns: Namespace) -> None:
    err = _err("100 * rd_expenditure / revenu", ns)
    assert isinstance(err, UnknownNameError)
    assert err.code == "expr.unknown_name"
    assert (err.line, err.col, err.end_col) == (1, 24, 30)
    assert err.text == "revenu"
    assert str(err).startswith(
        "第1行第24列：未知名称「revenu」，你是不是要写「revenue」？可用的名称有 "
    )
    assert "employees" in err.message


def test_unknown_name_without_close_match_lists_what_exists(ns: Namespace) -> None:
    err = _err("zzz + 1", ns)
    assert err.message.startswith("未知名称「zzz」，可用的名称有 a、b、cap、employees")


def test_unknown_name_in_an_empty_namespace() -> None:
    assert "当前没有可用的名称" in _err("x", Namespace()).message


def test_a_display_name_points_to_the_code(ns: Namespace) -> None:
    err = _err("营业收入 * 2", ns)
    assert isinstance(err, UnknownNameError)
    assert err.message == "「营业收入」是「revenue」的中文名称，公式里请写 revenue"


def test_function_used_as_a_name(ns: Namespace) -> None:
    assert "「abs」是函数，需要加括号调用" in _err("abs + 1", ns).message


def test_unknown_function(ns: Namespace) -> None:
    err = _err("a + sqr(b)", ns)
    assert isinstance(err, UnknownFunctionError)
    assert (err.col, err.end_col, err.text) == (5, 8, "sqr")
    assert err.message.startswith("未知函数「sqr」，你是不是要写「sqrt」？可用的函数有 abs、clip")


def test_calling_a_variable(ns: Namespace) -> None:
    err = _err("revenue(1)", ns)
    assert isinstance(err, UnknownFunctionError)
    assert "「revenue」是名称，不是函数" in err.message


@pytest.mark.parametrize(
    ("formula", "col", "message"),
    [
        ("clip(a, 1)", 1, "函数 clip 需要3个参数，得到2个"),
        ("clip(a, 1, 2, 3)", 15, "函数 clip 需要3个参数，得到4个"),
        ("abs()", 1, "函数 abs 需要1个参数，得到0个"),
        ("log(a, 2, 3)", 11, "函数 log 需要1到2个参数，得到3个"),
        ("min(a)", 1, "函数 min 至少需要2个参数，得到1个"),
        ("coalesce(a)", 1, "函数 coalesce 至少需要2个参数，得到1个"),
        ("round(a, 2, n=1)", 13, "函数 round 的参数「n」给了两次"),
        ("if_(flag, 1)", 1, "函数 if_ 需要3个参数，得到2个"),
    ],
)
def test_arity(ns: Namespace, formula: str, col: int, message: str) -> None:
    err = _err(formula, ns)
    assert isinstance(err, ArityError)
    assert err.col == col
    assert err.message == message


def test_unknown_keyword(ns: Namespace) -> None:
    err = _err("round(a, digits=2)", ns)
    assert isinstance(err, UnknownKeywordError)
    assert (err.col, err.text) == (10, "digits=2")
    assert err.message == "函数 round 没有参数「digits」，它的参数有 x、n"


def test_unknown_keyword_suggests(ns: Namespace) -> None:
    assert "你是不是要写「base」？" in _err("log(a, bse=2)", ns).message


def test_keywords_may_name_positional_parameters(ns: Namespace) -> None:
    assert check("clip(hi=10, lo=0, x=a)", ns).type == ExprType.NUMBER


@pytest.mark.parametrize(
    ("formula", "col", "message"),
    [
        ('"a" + 1', 1, '运算「+」需要数值，左边是文本「"a"」'),
        ("a * s", 5, "运算「*」需要数值，右边是文本「s」"),
        ("flag + 1", 1, "运算「+」需要数值，左边是逻辑值（是/否）「flag」"),
        ("-s", 2, "负号「-」需要数值，得到文本「s」"),
        ("not s", 5, "not 需要逻辑值或数值，得到文本「s」"),
        ("s and flag", 1, "and 需要逻辑值或数值，得到文本「s」"),
        ('a == "x"', 6, "比较「==」两边类型不同：左边是数值，右边是文本"),
        ("flag < True", 1, "逻辑值不能比较大小「<」，只能用 == 或 !="),
        ("if_(a, 1, 2)", 5, "函数 if_ 的参数「cond」（条件）需要逻辑值（是/否），得到数值「a」"),
        (
            'if_(flag, 1, "x")',
            14,
            "函数 if_ 的两个取值类型必须相同：条件成立时是数值，不成立时是文本",
        ),
        ("max(a, s)", 8, "函数 max 的参数「b」需要数值，得到文本「s」"),
        ("min(a, b, s)", 11, "函数 min 的参数「more」需要数值，得到文本「s」"),
        ('coalesce(a, "0")', 13, "函数 coalesce 的各个取值类型必须相同：「a」是数值，「b」是文本"),
        ("round(a, b)", 10, "函数 round 的参数「n」（小数位数）必须直接写一个数值，不能是表达式"),
        ("round(a, 11)", 10, "函数 round 的参数「n」（小数位数）只能是 0、1、2"),
        ("sqrt(flag)", 6, "函数 sqrt 的参数「x」需要数值，得到逻辑值（是/否）「flag」"),
    ],
)
def test_type_errors(ns: Namespace, formula: str, col: int, message: str) -> None:
    err = _err(formula, ns)
    assert isinstance(err, ExprTypeError)
    assert err.code == "expr.type"
    assert err.col == col, err
    assert err.message.startswith(message), err.message


@pytest.mark.parametrize(
    ("formula", "type_"),
    [
        ("a + b", ExprType.NUMBER),
        ("not a", ExprType.BOOL),  # a number's truth is "not zero"
        ("a and flag", ExprType.BOOL),
        ("0 < a < b", ExprType.BOOL),
        ('s == "x"', ExprType.STRING.BOOL),
        ('s < "y"', ExprType.BOOL),
        ('if_(flag, s, "none")', ExprType.STRING),
        ("if_(a > 0, flag, False)", ExprType.BOOL),
        ('coalesce(s, "none")', ExprType.STRING),
        ("round(a, 2) + log(b, 10) + sqrt(a) + abs(a)", ExprType.NUMBER),
        ("cap * 2", ExprType.NUMBER),
    ],
)
def test_result_types(ns: Namespace, formula: str, type_: ExprType) -> None:
    assert check(formula, ns).type == type_


def test_expected_result_type(ns: Namespace) -> None:
    err = _err("a + 1", ns, expect=ExprType.BOOL)
    assert isinstance(err, ExprTypeError)
    assert (err.col, err.end_col) == (1, 6)
    assert err.message == "公式的结果应当是逻辑值（是/否），实际是数值"
    check("a > 1", ns, expect=ExprType.BOOL)


def test_namespace_from_plain_data() -> None:
    ns = Namespace.of({"x": "number", "name": {"type": "string", "label": "名称"}})
    assert check('if_(x > 0, name, "-")', ns).type == ExprType.STRING


# -- levels: a fake aggregating function registered for the test ------------------------------


def _sum_children(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    # ctx is where the result lives (the zone); args.ctx is where the arguments are read.
    assert args.ctx.level == "enterprise"
    column = ctx.hierarchy_columns[ctx.level]
    x = args["x"]
    if "where" in args:
        x = pl.when(args["where"]).then(x)
    return x.sum().over(column)


FAKE_SUM = FunctionSpec(
    name="sum",
    params=(Param("x"), Param("where", ExprType.BOOL, required=False, keyword_only=True)),
    compile=_sum_children,
    aggregates=True,
    label="合计",
    describe="{x}的合计",
)

LEVELLED = Namespace.of(
    {
        "revenue": NameInfo(level="enterprise", label="营业收入"),
        "rd_expenditure": NameInfo(level="enterprise", label="R&D经费内部支出"),
        "visitors": NameInfo(level="institution"),
        "area": NameInfo(level="zone", label="面积"),
        "city_gdp": NameInfo(level="city"),
        "target": NameInfo(kind="parameter", value=10),
    },
    parents={"enterprise": "zone", "institution": "zone", "zone": "city"},
)


@pytest.fixture
def functions():  # type: ignore[no-untyped-def]
    return FUNCTIONS.with_(FAKE_SUM)


def test_the_default_registry_is_untouched(functions) -> None:  # type: ignore[no-untyped-def]
    assert "sum" in functions
    assert "sum" not in FUNCTIONS


def test_lower_level_variable_outside_an_aggregation_is_an_error(functions) -> None:  # type: ignore[no-untyped-def]
    err = _err("100 * rd_expenditure / area", LEVELLED, functions=functions, level="zone")
    assert isinstance(err, LevelError)
    assert err.code == "expr.level"
    assert (err.col, err.end_col, err.text) == (7, 21, "rd_expenditure")
    assert err.message == (
        "「rd_expenditure」是企业级数据，不能直接用在园区级公式中；请用汇总函数，如 sum(rd_expenditure)"
    )


def test_aggregated_lower_level_variables_are_fine(functions) -> None:  # type: ignore[no-untyped-def]
    f = check(
        "100 * sum(rd_expenditure) / sum(revenue, where=revenue > target) + area + city_gdp",
        LEVELLED,
        functions=functions,
        level="zone",
    )
    assert f.type == ExprType.NUMBER


def test_higher_level_values_may_be_used_below(functions) -> None:  # type: ignore[no-untyped-def]
    check("revenue / area + city_gdp", LEVELLED, functions=functions, level="enterprise")


def test_sibling_level_is_an_error(functions) -> None:  # type: ignore[no-untyped-def]
    err = _err("revenue + visitors", LEVELLED, functions=functions, level="enterprise")
    assert isinstance(err, LevelError)
    assert err.col == 11
    assert "与企业级公式不在同一层级" in err.message


def test_an_aggregation_reads_one_level(functions) -> None:  # type: ignore[no-untyped-def]
    err = _err("sum(revenue + visitors)", LEVELLED, functions=functions, level="zone")
    assert isinstance(err, LevelError)
    assert err.message.startswith("函数 sum 中混用了")


def test_nested_aggregation_goes_down_level_by_level(functions) -> None:  # type: ignore[no-untyped-def]
    f = check("sum(area * sum(revenue))", LEVELLED, functions=functions, level="city")
    outer = f.tree
    inner = outer.args[0].right  # type: ignore[attr-defined]
    assert f.checked.inner_levels[outer] == "zone"
    assert f.checked.inner_levels[inner] == "enterprise"
    # Without the inner sum the city sums enterprises, each reading its own zone's area.
    f = check("sum(area * revenue)", LEVELLED, functions=functions, level="city")
    assert f.checked.inner_levels[f.tree] == "enterprise"


def test_without_a_level_nothing_is_checked(functions) -> None:  # type: ignore[no-untyped-def]
    check("revenue + visitors", LEVELLED, functions=functions)


def test_the_fake_aggregation_compiles_with_the_inner_level(functions) -> None:  # type: ignore[no-untyped-def]
    frame = pl.DataFrame(
        {
            "zone_id": ["z1", "z1", "z2"],
            "revenue": [100.0, 300.0, 50.0],
            "rd_expenditure": [10.0, 20.0, None],
            "area": [2.0, 2.0, 5.0],
        }
    )
    formula = check(
        "sum(rd_expenditure) / sum(revenue, where=revenue > 100) + area",
        LEVELLED,
        functions=functions,
        level="zone",
    )
    ctx = formula.context(hierarchy_columns={"zone": "zone_id"})
    out = frame.select(v=formula.to_polars(ctx))["v"].to_list()
    # z1: 30 / 300 + 2; z2: a sum of nothing but nulls is 0 in Polars, and 0 / 0 is null.
    assert out == [2.1, 2.1, None]


def test_an_error_becomes_a_problem(ns: Namespace) -> None:
    err = _err("100 * revenu", ns)
    problem = err.to_problem(file="fujian-2021/pack.yaml", column="amount")
    assert problem.code == "expr.unknown_name"
    assert problem.file == "fujian-2021/pack.yaml"
    assert problem.column == "amount"
    assert problem.value == "revenu"
    assert problem.message.startswith("第1行第7列：未知名称「revenu」")
    assert problem.extra == {
        "formula": "100 * revenu",
        "line": 1,
        "col": 7,
        "end_line": 1,
        "end_col": 13,
    }


def test_level_cycles_in_the_namespace_do_not_hang() -> None:
    ns = Namespace.of({"x": NameInfo(level="a")}, parents={"a": "b", "b": "a"})
    assert ns.ancestors("a") == ["b"]
    with pytest.raises(LevelError):  # a bad hierarchy gives an answer, not an endless loop
        check("x", ns, level="b")
