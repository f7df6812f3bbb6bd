"""Property tests: whatever text comes in, the result is a safe expression or an ExprError.

Two generators: (a) random strings, from any characters and from Python-ish tokens; (b) random
Python ASTs over the full expression grammar (attributes, subscripts, dunders, lambdas,
comprehensions, f-strings, starred arguments, walrus, ...) unparsed to source, sometimes wrapped
in statements such as imports and assignments. Either the formula is rejected with an ExprError,
or it compiles to a Polars expression that reads only namespace columns, calls only registered
functions and evaluates without error. No other exception may escape, and nothing but
``ast.parse`` may ever see the text.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gaoxin.engine.expr as expr_pkg
from gaoxin.engine.expr import FUNCTIONS, ExprError, Namespace, check

NS = Namespace.of(
    {
        "a": "number",
        "b": "number",
        "s": "string",
        "flag": "bool",
        "revenue": {"type": "number", "column": "revenue_col"},
    }
)
COLUMNS = {"a", "b", "s", "flag", "revenue_col"}
FRAME = pl.DataFrame(
    {
        "a": [1.5, 0.0, None, -3.0],
        "b": [0.0, 2.0, 7.0, None],
        "s": ["x", None, "高新区", ""],
        "flag": [True, None, False, True],
        "revenue_col": [10.0, None, 0.0, -1.0],
    }
)
FUZZ = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@contextmanager
def no_python_evaluation() -> Iterator[None]:
    """Make eval/exec fail, and compile fail unless it only builds an AST (what ast.parse does)."""
    real_compile = builtins.compile

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("user text must never be evaluated")

    def ast_only(source: Any, filename: Any, mode: str, flags: int = 0, *a: Any, **k: Any) -> Any:
        if not flags & ast.PyCF_ONLY_AST:
            raise AssertionError("compile() may only build an AST")
        return real_compile(source, filename, mode, flags, *a, **k)

    saved = builtins.eval, builtins.exec, builtins.compile
    builtins.eval, builtins.exec, builtins.compile = forbidden, forbidden, ast_only  # type: ignore[assignment]
    try:
        yield
    finally:
        builtins.eval, builtins.exec, builtins.compile = saved


def assert_safe(source: str) -> None:
    with no_python_evaluation():
        try:
            formula = check(source, NS)
            compiled = formula.to_polars()
        except ExprError as err:
            assert err.message
            assert err.formula is not None
            if err.span is not None:
                assert err.span.line >= 1 and err.span.col >= 1
            return
    assert set(formula.names) <= set(NS)
    assert set(formula.functions_used) <= set(FUNCTIONS)
    assert isinstance(compiled, pl.Expr)
    assert set(compiled.meta.root_names()) <= COLUMNS
    FRAME.with_columns(v=compiled)  # evaluates without error


# -- (a) random strings ---------------------------------------------------------------------

TOKENS = [
    "a", "b", "s", "flag", "revenue", "x", "__class__", "__import__", "os", "import", "lambda",
    "for", "in", "if", "else", "not", "and", "or", "is", "None", "True", "False", "yield",
    "await", "min", "max", "clip", "abs", "log", "sqrt", "coalesce", "round", "if_", "exec",
    "eval", "open", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=", "==", "!=", "<", "<=",
    ">", ">=", "+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "~", "@", ":=", "'", '"',
    'f"', "0", "1", "2.5", "1e999", "0x1F", "9" * 25, "\n", " ", "\t", "\\", "#", "高新", "（",
]  # fmt: skip


@FUZZ
@given(st.text(max_size=120))
def test_any_text_is_safe(source: str) -> None:
    assert_safe(source)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_token_soup_is_safe(source: str) -> None:
    assert_safe(source)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_glued_token_soup_is_safe(source: str) -> None:
    assert_safe(source)


# -- (b) random Python ASTs -----------------------------------------------------------------

NAMES = ["a", "b", "s", "flag", "revenue", "zz", "__class__", "__builtins__", "os", "_x", "高"]
FUNCS = [*FUNCTIONS, "eval", "exec", "open", "getattr", "__import__", "sum", "int"]
Load, Store = ast.Load(), ast.Store()

constants = st.one_of(
    st.integers(min_value=-(10**25), max_value=10**25),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.text(min_size=199, max_size=202, alphabet="ab"),
    st.booleans(),
    st.none(),
    st.binary(max_size=3),
    st.complex_numbers(max_magnitude=10, allow_nan=False, allow_infinity=False),
    st.just(...),
).map(lambda v: ast.Constant(value=v))
names = st.sampled_from(NAMES).map(lambda n: ast.Name(id=n, ctx=Load))
leaves = st.one_of(names, constants)

binops = st.sampled_from([ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
                          ast.BitAnd, ast.BitOr, ast.BitXor, ast.LShift, ast.RShift, ast.MatMult])  # fmt: skip
unops = st.sampled_from([ast.USub, ast.UAdd, ast.Not, ast.Invert])
cmpops = st.sampled_from([ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
                          ast.Is, ast.IsNot])  # fmt: skip


def _lambda(body: ast.expr) -> ast.Lambda:
    args = ast.arguments(
        posonlyargs=[], args=[ast.arg(arg="x")], kwonlyargs=[], kw_defaults=[], defaults=[]
    )
    return ast.Lambda(args=args, body=body)


def _comp(kind: str, elt: ast.expr, it: ast.expr) -> ast.expr:
    gen = [ast.comprehension(target=ast.Name(id="x", ctx=Store), iter=it, ifs=[], is_async=0)]
    if kind == "list":
        return ast.ListComp(elt=elt, generators=gen)
    if kind == "set":
        return ast.SetComp(elt=elt, generators=gen)
    if kind == "dict":
        return ast.DictComp(key=elt, value=it, generators=gen)
    return ast.GeneratorExp(elt=elt, generators=gen)


def _extend(children: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    keyword = st.builds(
        ast.keyword,
        arg=st.one_of(st.sampled_from(["x", "n", "base", "where", "lo", "__class__"]), st.none()),
        value=children,
    )
    call_args = st.lists(
        st.one_of(children, children.map(lambda c: ast.Starred(value=c, ctx=Load))), max_size=4
    )
    return st.one_of(
        st.builds(ast.BinOp, left=children, op=binops.map(lambda o: o()), right=children),
        st.builds(ast.UnaryOp, op=unops.map(lambda o: o()), operand=children),
        st.builds(
            ast.BoolOp,
            op=st.sampled_from([ast.And(), ast.Or()]),
            values=st.lists(children, min_size=2, max_size=3),
        ),
        st.integers(1, 3).flatmap(
            lambda n: st.builds(
                ast.Compare,
                left=children,
                ops=st.lists(cmpops.map(lambda o: o()), min_size=n, max_size=n),
                comparators=st.lists(children, min_size=n, max_size=n),
            )
        ),
        st.builds(
            ast.Call,
            func=st.one_of(
                st.sampled_from(FUNCS).map(lambda f: ast.Name(id=f, ctx=Load)), children
            ),
            args=call_args,
            keywords=st.lists(keyword, max_size=2),
        ),
        st.builds(
            ast.Attribute,
            value=children,
            attr=st.sampled_from(["x", "real", "__class__", "__globals__"]),
            ctx=st.just(Load),
        ),
        st.builds(ast.Subscript, value=children, slice=children, ctx=st.just(Load)),
        st.builds(ast.IfExp, test=children, body=children, orelse=children),
        children.map(_lambda),
        st.builds(_comp, st.sampled_from(["list", "set", "dict", "gen"]), children, children),
        st.builds(ast.List, elts=st.lists(children, max_size=3), ctx=st.just(Load)),
        st.builds(ast.Tuple, elts=st.lists(children, max_size=3), ctx=st.just(Load)),
        st.builds(ast.Set, elts=st.lists(children, min_size=1, max_size=3)),
        st.lists(st.tuples(children, children), max_size=2).map(
            lambda kv: ast.Dict(keys=[k for k, _ in kv], values=[v for _, v in kv])
        ),
        st.builds(ast.NamedExpr, target=st.just(ast.Name(id="y", ctx=Store)), value=children),
        children.map(
            lambda c: ast.JoinedStr(
                values=[ast.FormattedValue(value=c, conversion=-1, format_spec=None)]
            )
        ),
        children.map(lambda c: ast.Await(value=c)),
        children.map(lambda c: ast.Yield(value=c)),
    )


expressions = st.recursive(leaves, _extend, max_leaves=25)


def _unparse(node: ast.expr) -> str | None:
    try:
        return ast.unparse(ast.fix_missing_locations(ast.Expression(body=node)))
    except Exception:  # some random trees have no source form; those are not inputs
        return None


statements = st.sampled_from(
    ["{}", "{}", "{}", "import os; {}", "x = {}", "{}; {}", "from os import *\n{}", "del {}",
     "assert {}", "global x; {}", "  {}", "({}\n)", "{} # comment", "if {}: pass"]
)  # fmt: skip


sources = expressions.map(_unparse).filter(lambda s: s is not None)


@FUZZ
@given(sources, statements)
def test_random_python_asts_in_statements_are_safe(source: str, wrapper: str) -> None:
    assert_safe(wrapper.format(source, source))


@FUZZ
@given(sources)
def test_random_python_asts_compile_only_to_allowed_things(source: str) -> None:
    assert_safe(source)


# The language's own grammar, to be sure the generators reach the "compiled and evaluated" branch
# often, not only the rejections.
def _numeric_forms(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    condition = st.one_of(
        st.sampled_from(["flag", "True", 's == "x"', "not flag"]),
        st.tuples(children, st.sampled_from(["<", "<=", "==", "!=", ">", ">="]), children).map(
            " ".join
        ),
    )
    condition = st.one_of(
        condition,
        st.tuples(condition, st.sampled_from(["and", "or"]), condition).map(
            lambda t: f"({' '.join(t)})"
        ),
    )
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "//", "%", "**"]), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        children.map(lambda c: f"-{c}"),
        st.tuples(st.sampled_from(["abs", "sqrt", "log", "round"]), children).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
        st.tuples(
            st.sampled_from(["min", "max", "coalesce"]), st.lists(children, min_size=2, max_size=3)
        ).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(children, children, children).map(lambda t: f"clip({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(children, st.integers(0, 3)).map(lambda t: f"round({t[0]}, {t[1]})"),
        st.tuples(children, children).map(lambda t: f"log({t[0]}, {t[1]})"),
        st.tuples(condition, children, children).map(lambda t: f"if_({t[0]}, {t[1]}, {t[2]})"),
    )


numeric = st.recursive(
    st.sampled_from(["a", "b", "revenue", "1", "0", "2.5", "-3", "1e300"]),
    _numeric_forms,
    max_leaves=20,
)
boolean = st.tuples(numeric, st.sampled_from(["<", "<=", "==", "!=", ">", ">="]), numeric).map(
    " ".join
)


@FUZZ
@given(st.one_of(numeric, boolean))
def test_well_formed_formulas_compile_and_evaluate(source: str) -> None:
    try:
        check(source, NS)
    except ExprError as err:  # only the size limits may refuse a well-formed formula
        assert err.code == "expr.size_limit", err
    assert_safe(source)


# -- known attacks and the module's own source ------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('echo pwned')",
        "().__class__.__bases__[0].__subclasses__()",
        "eval('1')",
        "exec('import os')",
        "open('/etc/passwd')",
        "(lambda: 1)()",
        "[c for c in ().__class__.__base__.__subclasses__()]",
        "a.__globals__",
        "getattr(a, '__class__')",
        "f'{__import__(\"os\")}'",
        "import os",
        "max(*[a, b])",
        "1" * 3000,
    ],
)
def test_known_attacks_are_rejected(source: str) -> None:
    assert_safe(source)
    with pytest.raises(ExprError):
        check(source, NS)


def test_huge_powers_are_lazy_and_null() -> None:
    # Polars evaluates in floats: no giant integer is ever built; the overflow is a null.
    assert_safe("9 ** 9 ** 9 ** 9")
    assert (
        FRAME.select(v=check("9 ** 9 ** 9 ** 9", NS).to_polars())["v"].to_list()
        == [None] * FRAME.height
    )


NESTINGS = {
    "min": "min({}, a)",
    "max": "max(a, {})",
    "clip": "clip({}, a, 3)",
    "abs": "abs({})",
    "log": "log({})",
    "log2": "log({}, 2)",
    "sqrt": "sqrt({})",
    "coalesce": "coalesce({}, a)",
    "round": "round({}, 2)",
    "if_": "if_(flag, {}, a)",
    "if_ in a condition": "if_(if_({} > 0, flag, flag), a, a)",
    "division": "({}) / a",
    "power": "({}) ** a",
    "chain": "if_(0 < ({}) < 3, a, b)",
}


@pytest.mark.parametrize("template", NESTINGS.values(), ids=list(NESTINGS))
def test_nesting_to_the_limit_stays_small(template: str) -> None:
    # Polars walks a reused sub-expression once per use; no builtin may repeat its argument in a
    # way that makes nested formulas grow exponentially (fill_nan and when/then both did).
    source = "a"
    while True:
        try:
            check(template.format(source), NS)
        except ExprError as err:
            assert err.code == "expr.size_limit"
            break
        source = template.format(source)
    assert_safe(source)


def test_the_package_never_calls_eval_exec_or_compile() -> None:
    root = Path(expr_pkg.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec", "compile", "__import__"}, path
