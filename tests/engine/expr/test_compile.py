"""Evaluation on a small frame with hand-computed values, nulls and zero divisions included.

The frame (see conftest): a = [10, 0, null, -4], b = [4, 0, 5, null], s = ["x", "y", null, "x"],
flag = [true, false, null, true], employees = [10, 0, 3, null] (integers).
"""

from __future__ import annotations

import math

import polars as pl
import pytest

from gaoxin.engine.expr import Namespace, check, compile_expr

N = None  # a null, to keep the tables below aligned


def evaluate(frame: pl.DataFrame, formula: str, ns: Namespace) -> list[object]:
    return frame.with_columns(v=compile_expr(formula, ns))["v"].to_list()


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # arithmetic: a null operand gives null; division by zero gives null, never inf or NaN
        ("a + b", [14.0, 0.0, N, N]),
        ("a - b", [6.0, 0.0, N, N]),
        ("a * b", [40.0, 0.0, N, N]),
        ("a / b", [2.5, N, N, N]),
        ("a // b", [2.0, N, N, N]),
        ("a % b", [2.0, N, N, N]),
        ("a ** 2", [100.0, 0.0, N, 16.0]),
        ("b ** -1", [0.25, N, 0.2, N]),
        ("1 / a", [0.1, N, N, -0.25]),
        ("-a", [-10.0, 0.0, N, 4.0]),
        ("+a", [10.0, 0.0, N, -4.0]),
        ("2 + 3 * a", [32.0, 2.0, N, -10.0]),
        ("(2 + 3) * a", [50.0, 0.0, N, -20.0]),
        ("employees / 4", [2.5, 0.0, 0.75, N]),
        ("employees // 4", [2.0, 0.0, 0.0, N]),
        ("cap * 2", [600, 600, 600, 600]),
        # comparisons: null when either side is null; chains are "and"ed
        ("a > b", [True, False, N, N]),
        ("a == b", [False, True, N, N]),
        ("a != b", [True, False, N, N]),
        ("0 < a < 20", [True, False, N, False]),
        ("0 <= a <= b", [False, True, N, False]),
        ('s == "x"', [True, False, N, True]),
        ('s >= "y"', [False, True, N, False]),
        ("flag == True", [True, False, N, True]),
        # logic: Kleene, as Polars does it
        ("flag and a > 0", [True, False, N, False]),
        ("flag or a > 0", [True, False, N, True]),
        ("flag or b > 0", [True, False, True, True]),
        ("flag and b > 0", [True, False, N, N]),
        ("not flag", [False, True, N, False]),
        ("not a", [False, True, N, False]),
        ("a and b", [True, False, N, N]),
        ("a or flag", [True, False, N, True]),
        # functions
        ("if_(a > b, a, b)", [10.0, 0.0, N, N]),
        ('if_(flag, "是", "否")', ["是", "否", N, "是"]),
        ("if_(b > 4, 1, 0)", [0, 0, 1, N]),
        ("min(a, b)", [4.0, 0.0, N, N]),
        ("max(a, b, 7)", [10.0, 7.0, N, N]),
        ("min(a, 5, 3)", [3.0, 0.0, N, -4.0]),
        ("clip(a, 0, 5)", [5.0, 0.0, N, 0.0]),
        ("clip(a, b, 100)", [10.0, 0.0, N, N]),
        ("abs(a)", [10.0, 0.0, N, 4.0]),
        ("log(a, 10)", [1.0, N, N, N]),
        ("log(a * 10, 10)", [2.0, N, N, N]),
        ("sqrt(a)", [math.sqrt(10), 0.0, N, N]),
        ("coalesce(a, b, 0)", [10.0, 0.0, 5.0, -4.0]),
        ("coalesce(a / b, 0)", [2.5, 0.0, 0.0, 0.0]),
        ('coalesce(s, "未填")', ["x", "y", "未填", "x"]),
        ("round(a / 3, 2)", [3.33, 0.0, N, -1.33]),
        ("round(a / 4)", [3.0, 0.0, N, -1.0]),
    ],
)
def test_evaluation(
    frame: pl.DataFrame, ns: Namespace, formula: str, expected: list[object]
) -> None:
    assert evaluate(frame, formula, ns) == expected


def test_natural_log(frame: pl.DataFrame, ns: Namespace) -> None:
    assert evaluate(frame, "log(b)", ns) == [math.log(4), N, math.log(5), N]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("-7 // 2", -4.0),  # floor division rounds down, as in Python
        ("-7 % 2", 1.0),
        ("0 ** 0", 1.0),
        ("(-8) ** (1 / 3)", None),  # NaN becomes null
        ("10 ** 400", None),  # overflow to inf becomes null
        ("log(8, 2)", 3.0),
        ("log(8, 1)", None),
        ("log(0)", None),
        ("sqrt(-1)", None),
        ("round(2.5)", 3.0),  # 四舍五入: halves go away from zero
        ("round(-2.5)", -3.0),
        ("round(1.25, 1)", 1.3),
        ("1 < 2 < 3", True),
        ("3 > 2 > 2", False),
        ("True and False or True", True),
        ("not 0", True),
    ],
)
def test_constants(formula: str, expected: object) -> None:
    one_row = pl.DataFrame({"row": [1]})
    assert one_row.select(v=compile_expr(formula, {})).item() == expected


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Found by the fuzz tests: Polars folds a literal-first coalesce into a length-1 result.
        ("1 < -coalesce(1, a)", [False, False, False, False]),
        ("coalesce(2 + 1, a) == 3", [True, True, True, True]),
        ('"q" < coalesce("q", s)', [False, False, False, False]),
        ("True == coalesce(True, flag)", [True, True, True, True]),
        ("coalesce(1 / 0, a) > 0", [True, False, None, False]),
        ("coalesce(cap, a) == 300", [True, True, True, True]),
    ],
)
def test_constant_first_coalesce(
    frame: pl.DataFrame, ns: Namespace, formula: str, expected: list[object]
) -> None:
    assert evaluate(frame, formula, ns) == expected


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Every row takes one constant branch: Polars would give a length-1 result here.
        ("if_(a > 100, 1, 2) > 1", [True, True, N, True]),
        ("min(1, 1) < --if_(a < log(a, 1), a, a)", [N, N, N, N]),
        ("if_(a > -100 or a < 100, 1, 2) > 1", [False, False, N, False]),
        ("1 < if_(a > 100, a, 2)", [True, True, N, True]),
        ('if_(a > 100, "x", "y") == "y"', [True, True, N, True]),
        ("if_(a > 100, True, False) == False", [True, True, N, True]),
        ("1 < if_(a < a / 0, a, a)", [N, N, N, N]),
    ],
)
def test_every_row_in_one_branch(
    frame: pl.DataFrame, ns: Namespace, formula: str, expected: list[object]
) -> None:
    assert evaluate(frame, formula, ns) == expected


def test_lazy_frames_and_renamed_columns(ns: Namespace) -> None:
    renamed = Namespace.of({"revenue": {"type": "number", "column": "营业收入_万元"}})
    lazy = pl.LazyFrame({"营业收入_万元": [1.0, 2.0]})
    out = lazy.select(v=compile_expr("revenue * 10", renamed)).collect()
    assert out["v"].to_list() == [10.0, 20.0]


def test_a_formula_compiles_once_and_runs_on_many_frames(ns: Namespace) -> None:
    expr = check("rd_expenditure / revenue", ns).to_polars()
    one = pl.DataFrame({"rd_expenditure": [1.0], "revenue": [4.0]})
    two = pl.DataFrame({"rd_expenditure": [3.0, 1.0], "revenue": [0.0, 2.0]})
    assert one.select(expr).to_series().to_list() == [0.25]
    assert two.select(expr).to_series().to_list() == [None, 0.5]


def test_design_example_compiles(ns: Namespace) -> None:
    names = Namespace.of({"rank_prev": "number", "rank_gain": "number"})
    frame = pl.DataFrame({"rank_prev": [50, 150, 80], "rank_gain": [4, 5, None]})
    formula = "if_(rank_prev <= 100, min(100 * rank_gain, 300), min(50 * rank_gain, 150))"
    assert evaluate(frame, formula, names) == [300, 150, None]
