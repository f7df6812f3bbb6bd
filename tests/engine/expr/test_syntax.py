"""The parser accepts the language's constructs and rejects everything else, saying where."""

from __future__ import annotations

import pytest

from gaoxin.engine.expr import (
    MAX_FORMULA_CHARS,
    MAX_NODES,
    MAX_STRING_CHARS,
    ExprError,
    ExprSyntaxError,
    ForbiddenError,
    SizeLimitError,
    parse,
)
from gaoxin.engine.expr.syntax import Binary, BoolOp, Call, Compare, Literal, Name, Unary


@pytest.mark.parametrize(
    ("formula", "kind"),
    [
        ("revenue", Name),
        ("12", Literal),
        ("1.5", Literal),
        ('"hte"', Literal),
        ("True", Literal),
        ("-a", Unary),
        ("+a", Unary),
        ("not flag", Unary),
        ("a + b", Binary),
        ("a - b", Binary),
        ("a * b", Binary),
        ("a / b", Binary),
        ("a // b", Binary),
        ("a % b", Binary),
        ("a ** 2", Binary),
        ("a < b", Compare),
        ("0 < a <= 10", Compare),
        ("a == b != 3", Compare),
        ("flag and a > 0", BoolOp),
        ("flag or not flag", BoolOp),
        ("max(a, b)", Call),
        ("round(a, n=2)", Call),
    ],
)
def test_accepted_constructs(formula: str, kind: type) -> None:
    assert isinstance(parse(formula), kind)


def test_chained_comparison_keeps_every_operand() -> None:
    tree = parse("0 < a < b <= 10")
    assert isinstance(tree, Compare)
    assert tree.ops == ("<", "<", "<=")
    assert len(tree.operands) == 4


def test_leading_spaces_and_line_breaks_inside_parentheses_are_fine() -> None:
    assert isinstance(parse("   a + 1"), Binary)
    assert isinstance(parse("max(\n  a,\n  b\n)"), Call)


def _err(formula: str) -> ExprError:
    with pytest.raises(ExprError) as info:
        parse(formula)
    return info.value


@pytest.mark.parametrize(
    ("formula", "col", "end_col", "text", "message"),
    [
        ("revenue.real + 1", 8, 13, ".real", "不允许访问属性「.real」"),
        ("a + b.__class__", 6, 16, ".__class__", "不允许访问属性「.__class__」"),
        ("a[0]", 1, 5, "a[0]", "不允许使用下标「[...]」"),
        ("1 + (lambda: 1)()", 6, 15, "lambda: 1", "不允许使用 lambda 函数"),
        ("max([x for x in a])", 5, 19, "[x for x in a]", "不允许使用推导式"),
        ("sum(x for x in a)", 4, 18, "(x for x in a)", "不允许使用推导式"),
        ('f"{a}"', 1, 7, 'f"{a}"', "不允许使用 f 字符串"),
        ("max(*a)", 5, 7, "*a", "不允许使用星号「*」展开参数"),
        ("max(**a)", 5, 8, "**a", "不允许使用「**」展开参数"),
        ("(x := 1)", 2, 8, "x := 1", "不允许使用赋值表达式「:=」"),
        ("a if flag else b", 1, 17, "a if flag else b", "请用 if_(条件, a, b)"),
        ("__import__", 1, 11, "__import__", "不允许使用以双下划线开头的名称「__import__」"),
        ("__import__('os')", 1, 11, "__import__", "不允许使用以双下划线开头的名称"),
        ("round(a, __n=1)", 10, 15, "__n=1", "不允许使用以双下划线开头的名称「__n」"),
        ("import os", 1, 10, "import os", "不允许使用 import"),
        ("from os import path", 1, 20, "from os import path", "不允许使用 import"),
        ("x = 1", 1, 6, "x = 1", "不能赋值"),
        ("a\nb", 1, 2, "b", "公式只能是一个表达式"),
        ("a; b", 4, 5, "b", "公式只能是一个表达式"),
        ("a & b", 1, 6, "a & b", "请用 and"),
        ("a | b", 1, 6, "a | b", "请用 or"),
        ("~a", 1, 3, "~a", "请用 not"),
        ("a in b", 1, 7, "a in b", "不允许使用「in」"),
        ("a is b", 1, 7, "a is b", "不允许使用「is」"),
        ("None", 1, 5, "None", "不允许使用 None"),
        ("[1, 2]", 1, 7, "[1, 2]", "不允许使用列表"),
        ("(1, 2)", 1, 7, "(1, 2)", "不允许使用元组"),
        ("{1: 2}", 1, 7, "{1: 2}", "不允许使用字典"),
        ("max(a, b)(1)", 1, 10, "max(a, b)", "只能调用函数名"),
        ("1j", 1, 3, "1j", "不允许使用复数"),
        ('b"x"', 1, 5, 'b"x"', "不允许使用字节串"),
        ("...", 1, 4, "...", "不允许使用常量"),
        ("def f(): pass", 1, 14, "def f(): pass", "不能写语句"),
        ("while 1: pass", 1, 14, "while 1: pass", "不能写语句"),
        ("await a", 1, 8, "await a", "不允许使用 await"),
    ],
)
def test_forbidden_constructs_are_rejected_at_their_position(
    formula: str, col: int, end_col: int, text: str, message: str
) -> None:
    err = _err(formula)
    assert isinstance(err, ForbiddenError)
    assert err.code == "expr.forbidden"
    assert (err.col, err.end_col) == (col, end_col), err
    assert err.text == text
    assert message in err.message
    assert str(err).startswith(f"第{err.line}行第{col}列：")


def test_the_attribute_message_reads_as_specified() -> None:
    assert str(_err("revenue.x")) == "第1行第8列：不允许访问属性「.x」"


def test_positions_count_characters_not_bytes() -> None:
    # Python's ast counts UTF-8 bytes; a Chinese string before the error must not shift the column.
    err = _err('if_(s == "高新区", a.b, 1)')
    assert (err.line, err.col) == (1, 18)
    assert err.text == ".b"


def test_positions_on_later_lines() -> None:
    err = _err("max(\n  a,\n  b[1]\n)")
    assert (err.line, err.col, err.end_line, err.end_col) == (3, 3, 3, 7)
    assert str(err).startswith("第3行第3列：")


@pytest.mark.parametrize(
    ("formula", "line", "col", "message"),
    [
        ("max(a, b", 1, 4, "括号没有闭合"),
        ('"营业" + (a', 1, 8, "括号没有闭合"),
        ("a + ", 1, 5, "语法错误"),
        ("a b", 1, 3, "语法错误"),
        ("max(a b)", 1, 5, "缺少逗号或运算符"),
        ("a（b）", 1, 2, "中文标点"),
        ('"abc', 1, 1, "缺少引号"),
        ("max(a) )", 1, 8, "括号不匹配"),
        ("max(n=1, a)", 1, None, "位置参数必须写在关键字参数之前"),
        ("a\x00", 1, 1, "无法识别的字符"),
    ],
)
def test_syntax_errors_are_positioned_and_in_chinese(
    formula: str, line: int, col: int | None, message: str
) -> None:
    err = _err(formula)
    assert isinstance(err, ExprSyntaxError)
    assert err.line == line
    if col is not None:  # where Python's parser points is Python's choice; we keep it
        assert err.col == col, err
    assert message in err.message
    assert err.formula == formula


@pytest.mark.parametrize("formula", ["", "   ", "\n"])
def test_empty_formula(formula: str) -> None:
    err = _err(formula)
    assert isinstance(err, ExprSyntaxError)
    assert err.message == "公式为空"


def test_formula_length_limit() -> None:
    parse("a" * MAX_FORMULA_CHARS)
    err = _err("a" * (MAX_FORMULA_CHARS + 1))
    assert isinstance(err, SizeLimitError)
    assert f"最多{MAX_FORMULA_CHARS}个字符" in err.message


def test_node_count_limit() -> None:
    err = _err("+".join(["1"] * (MAX_NODES // 2 + 10)))
    assert isinstance(err, SizeLimitError)
    assert "公式太复杂" in err.message


def test_string_length_limit() -> None:
    parse('"' + "字" * MAX_STRING_CHARS + '"')
    err = _err('s == "' + "字" * (MAX_STRING_CHARS + 1) + '"')
    assert isinstance(err, SizeLimitError)
    assert (err.col, err.end_col) == (6, 6 + MAX_STRING_CHARS + 3)
    assert f"最多{MAX_STRING_CHARS}个字符" in err.message


def test_nesting_limits() -> None:
    assert isinstance(_err("-" * 500 + "1"), SizeLimitError)
    assert isinstance(_err("(" * 300 + "1" + ")" * 300), ExprError)


def test_huge_numbers_are_refused() -> None:
    assert isinstance(_err("1" * 30), SizeLimitError)
    assert isinstance(_err("1e999"), SizeLimitError)
    parse("1e20")
