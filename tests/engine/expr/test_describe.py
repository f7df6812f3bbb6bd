"""Describing a formula in Chinese, and listing the names it reads."""

from __future__ import annotations

import pytest

from gaoxin.engine.expr import ExprType, Namespace, UnknownNameError, describe, names_used


@pytest.mark.parametrize(
    ("formula", "text"),
    [
        ("rd_expenditure <= revenue", "R&D经费内部支出 ≤ 营业收入"),
        ("100 * rd_expenditure / revenue", "100 × R&D经费内部支出 ÷ 营业收入"),
        ("(a + b) * 2", "（甲 + 乙） × 2"),
        ("a - (b - 1)", "甲 − （乙 − 1）"),
        ("a ** 2", "甲的2次方"),
        ("a // 2", "甲 整除 2"),
        ("a % 2", "甲除以2的余数"),
        ("-a", "−甲"),
        ("0 < a <= 10", "0 < 甲 ≤ 10"),
        ('s == "x" and not flag', "类别 = “x”，并且并非标志"),
        ("flag or a != b", "标志，或者甲 ≠ 乙"),
        ("flag == True", "标志 = 是"),
        ("if_(a > b, a, b)", "如果甲 > 乙，则为甲，否则为乙"),
        ("min(a, b, 3)", "甲、乙、3中的较小值"),
        ("max(a, b)", "甲、乙中的较大值"),
        ("clip(a, 0, cap)", "甲限定在0到奖励上限之间"),
        ("abs(a)", "甲的绝对值"),
        ("log(a)", "甲的自然对数"),
        ("log(a, 10)", "以10为底甲的对数"),
        ("sqrt(a)", "甲的平方根"),
        ("coalesce(a, 0)", "依次取甲、0中第一个不缺失的值"),
        ("round(a, 2)", "甲四舍五入保留2位小数"),
        ("round(a)", "甲四舍五入到整数"),
        ("round(100 * a / b, 2)", "（100 × 甲 ÷ 乙）四舍五入保留2位小数"),
        ("abs(-a)", "（−甲）的绝对值"),
        ("2 * abs(a)", "2 × （甲的绝对值）"),
        (
            "if_(a > 0, min(100 * a, cap), 0)",
            "如果甲 > 0，则为（（100 × 甲）、奖励上限中的较小值），否则为0",
        ),
    ],
)
def test_describe_text(ns: Namespace, formula: str, text: str) -> None:
    assert describe(formula, ns).text == text


def test_description_structure(ns: Namespace) -> None:
    d = describe("rd_expenditure <= revenue", ns)
    assert d.type == ExprType.BOOL
    assert [(n.name, n.label) for n in d.names] == [
        ("rd_expenditure", "R&D经费内部支出"),
        ("revenue", "营业收入"),
    ]
    assert d.tree["kind"] == "compare"
    assert d.tree["ops"] == ["<="]
    assert d.tree["operands"][1] == {
        "kind": "name",
        "name": "revenue",
        "label": "营业收入",
        "type": "number",
        "level": None,
        "line": 1,
        "col": 19,
        "end_line": 1,
        "end_col": 26,
    }
    as_dict = d.as_dict()
    assert as_dict["text"] == "R&D经费内部支出 ≤ 营业收入"
    assert as_dict["names"][0]["name"] == "rd_expenditure"


def test_call_structure(ns: Namespace) -> None:
    tree = describe("round(a, n=2)", ns).tree
    assert tree["kind"] == "call"
    assert tree["function"] == "round"
    assert tree["label"] == "四舍五入"
    assert tree["keywords"]["n"]["value"] == 2
    assert describe("round(a, n=2)", ns).functions == ("round",)


def test_describe_without_namespace_shows_codes() -> None:
    d = describe("unknown_thing * 2 + mystery(x)")
    assert d.text == "unknown_thing × 2 + mystery(x)"
    assert d.type is None
    assert [n.name for n in d.names] == ["unknown_thing", "x"]


def test_describe_checks_when_given_a_namespace(ns: Namespace) -> None:
    with pytest.raises(UnknownNameError):
        describe("revenu", ns)


def test_names_used_in_order_of_first_appearance(ns: Namespace) -> None:
    assert names_used("b + a * b + if_(flag, a, cap)", ns) == ("b", "a", "flag", "cap")
    assert names_used("max(x, y, where=z > 0) + x") == ("x", "y", "z")
    assert names_used('if_(s == "a", 1, 2)') == ("s",)  # string literals are not names
    assert names_used("abs(1)") == ()


def test_names_used_with_a_namespace_checks(ns: Namespace) -> None:
    with pytest.raises(UnknownNameError):
        names_used("nope + 1", ns)
