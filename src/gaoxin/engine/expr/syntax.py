"""Parsing a formula: ``ast.parse`` against a whitelist, into the language's own small tree.

Only ``ast.parse`` ever sees the user's text; nothing here evaluates, compiles or executes it. Every
Python construct outside the whitelist is rejected with a positioned :class:`ForbiddenError`, and the
result is a tree of the few node kinds the language has (:class:`Literal`, :class:`Name`,
:class:`Unary`, :class:`Binary`, :class:`Compare`, :class:`BoolOp`, :class:`Call`).
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from gaoxin.engine.expr.errors import (
    ExprError,
    ExprSyntaxError,
    ForbiddenError,
    SizeLimitError,
    Span,
)

#: Longest formula accepted, in characters.
MAX_FORMULA_CHARS = 2_000
#: Most syntax nodes (names, literals, operators, calls, keyword arguments) in one formula.
MAX_NODES = 500
#: Longest string literal, in characters.
MAX_STRING_CHARS = 200
#: Deepest nesting of operations and calls.
MAX_DEPTH = 50
#: Most nodes of the compiled Polars expression, counting each repeated use of a sub-expression.
MAX_EXPANDED_NODES = 5_000
#: Largest integer literal (larger ones are almost surely typing mistakes; write them as 1e20).
MAX_INT = 2**63 - 1

ARITHMETIC_OPS = ("+", "-", "*", "/", "//", "%", "**")
COMPARISON_OPS = ("==", "!=", "<", "<=", ">", ">=")

_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_CMPOPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_FORBIDDEN_BINOPS: dict[type[ast.operator], str] = {
    ast.BitAnd: "不允许使用运算符「&」；表示“并且”请用 and",
    ast.BitOr: "不允许使用运算符「|」；表示“或者”请用 or",
    ast.BitXor: "不允许使用运算符「^」；乘方请用 **",
    ast.LShift: "不允许使用运算符「<<」",
    ast.RShift: "不允许使用运算符「>>」",
    ast.MatMult: "不允许使用运算符「@」",
}
_FORBIDDEN_CMPOPS: dict[type[ast.cmpop], str] = {
    ast.In: "不允许使用「in」；比较请用 ==、!=、<、<=、>、>=",
    ast.NotIn: "不允许使用「not in」；比较请用 ==、!=、<、<=、>、>=",
    ast.Is: "不允许使用「is」；判断相等请用 ==",
    ast.IsNot: "不允许使用「is not」；判断不等请用 !=",
}
_FORBIDDEN_EXPRS: dict[type[ast.AST], str] = {
    ast.Subscript: "不允许使用下标「[...]」",
    ast.Lambda: "不允许使用 lambda 函数",
    ast.ListComp: "不允许使用推导式",
    ast.SetComp: "不允许使用推导式",
    ast.DictComp: "不允许使用推导式",
    ast.GeneratorExp: "不允许使用推导式",
    ast.JoinedStr: '不允许使用 f 字符串；请直接写文本，如 "hte"',
    ast.FormattedValue: "不允许使用 f 字符串",
    ast.Starred: "不允许使用星号「*」展开参数",
    ast.NamedExpr: "不允许使用赋值表达式「:=」",
    ast.IfExp: "不允许使用「a if 条件 else b」；请用 if_(条件, a, b)",
    ast.List: "不允许使用列表「[...]」",
    ast.Tuple: "不允许使用元组；多个值请作为函数参数传入",
    ast.Set: "不允许使用集合「{...}」",
    ast.Dict: "不允许使用字典「{...}」",
    ast.Await: "不允许使用 await",
    ast.Yield: "不允许使用 yield",
    ast.YieldFrom: "不允许使用 yield",
    ast.Slice: "不允许使用切片",
}
_STATEMENTS: dict[type[ast.AST], str] = {
    ast.Import: "不允许使用 import；公式只能是一个表达式",
    ast.ImportFrom: "不允许使用 import；公式只能是一个表达式",
    ast.Assign: "公式只能是一个表达式，不能赋值；判断相等请用 ==",
    ast.AugAssign: "公式只能是一个表达式，不能赋值",
    ast.AnnAssign: "公式只能是一个表达式，不能赋值",
}
_SYNTAX_HINTS: tuple[tuple[str, str], ...] = (
    ("was never closed", "括号没有闭合"),
    ("unmatched", "括号不匹配，多了一个右括号"),
    ("does not match opening parenthesis", "括号不匹配"),
    ("unterminated string", "文本没有结束，缺少引号"),
    ("unterminated triple-quoted string", "文本没有结束，缺少引号"),
    ("Maybe you meant '==' or ':='", "不能在这里使用 =；判断相等请用 =="),
    ("expected ':'", "语法不完整"),
    ("invalid character", "含有无法识别的字符（中文标点？请改用英文括号、逗号和引号）"),
    ("invalid decimal literal", "数字写法不正确"),
    ("unexpected EOF", "公式不完整"),
    ("unexpected indent", "开头多了空格或缩进"),
    ("positional argument follows keyword argument", "位置参数必须写在关键字参数之前"),
    ("keyword argument repeated", "关键字参数重复"),
    ("too many nested parentheses", "括号嵌套太深"),
    ("null bytes", "含有无法识别的字符（空字符）"),
    ("perhaps you forgot a comma", "缺少逗号或运算符"),
)


@dataclass(frozen=True, eq=False, slots=True)
class Node:
    span: Span


@dataclass(frozen=True, eq=False, slots=True)
class Literal(Node):
    value: bool | int | float | str


@dataclass(frozen=True, eq=False, slots=True)
class Name(Node):
    id: str


@dataclass(frozen=True, eq=False, slots=True)
class Unary(Node):
    op: str  # "-", "+", "not"
    operand: Node


@dataclass(frozen=True, eq=False, slots=True)
class Binary(Node):
    op: str  # one of ARITHMETIC_OPS
    left: Node
    right: Node


@dataclass(frozen=True, eq=False, slots=True)
class Compare(Node):
    ops: tuple[str, ...]  # one fewer than operands; a < b < c is two
    operands: tuple[Node, ...]


@dataclass(frozen=True, eq=False, slots=True)
class BoolOp(Node):
    op: str  # "and" or "or"
    values: tuple[Node, ...]


@dataclass(frozen=True, eq=False, slots=True)
class Keyword:
    name: str
    value: Node
    span: Span


@dataclass(frozen=True, eq=False, slots=True)
class Call(Node):
    func: str
    func_span: Span
    args: tuple[Node, ...]
    keywords: tuple[Keyword, ...]


def children(node: Node) -> Iterator[Node]:
    """The direct sub-expressions of ``node``, in source order."""
    if isinstance(node, Unary):
        yield node.operand
    elif isinstance(node, Binary):
        yield node.left
        yield node.right
    elif isinstance(node, Compare):
        yield from node.operands
    elif isinstance(node, BoolOp):
        yield from node.values
    elif isinstance(node, Call):
        yield from node.args
        for kw in node.keywords:
            yield kw.value


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node`` (itself included), depth first, in source order."""
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        stack.extend(reversed(list(children(cur))))


def normalise(source: str) -> str:
    """Line endings as ``\\n`` so that positions count lines the way the user sees them."""
    return source.replace("\r\n", "\n").replace("\r", "\n")


def segment(source: str, span: Span) -> str:
    """The text of ``span`` in ``source`` (a normalised formula)."""
    lines = source.split("\n")
    if span.line == span.end_line:
        return lines[span.line - 1][span.col - 1 : span.end_col - 1]
    parts = [lines[span.line - 1][span.col - 1 :]]
    parts.extend(lines[span.line : span.end_line - 1])
    parts.append(lines[span.end_line - 1][: span.end_col - 1])
    return "\n".join(parts)


class _Positions:
    """Turns ``ast``'s UTF-8 byte offsets into 1-based character columns."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.split("\n")

    def _col(self, lineno: int, byte_offset: int) -> int:
        if not 1 <= lineno <= len(self.lines):
            return byte_offset + 1
        raw = self.lines[lineno - 1].encode("utf-8")[:byte_offset]
        return len(raw.decode("utf-8", errors="ignore")) + 1

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        col = self._col(line, getattr(node, "col_offset", 0))
        end_off = getattr(node, "end_col_offset", None)
        end_col = self._col(end_line, end_off) if end_off is not None else col + 1
        return Span(line, col, end_line, end_col)

    def text(self, span: Span) -> str:
        return segment(self.source, span)


def _translate_syntax_error(err: SyntaxError, source: str) -> ExprSyntaxError:
    msg = err.msg or ""
    hint = next((zh for en, zh in _SYNTAX_HINTS if en.lower() in msg.lower()), None)
    lines = source.split("\n")
    line = err.lineno or 1
    col = err.offset or 1
    end_line = err.end_lineno or line
    end_col = err.end_offset or col + 1
    if end_line < line or (end_line == line and end_col <= col):
        end_line, end_col = line, col + 1
    line = min(max(line, 1), len(lines))
    end_line = min(max(end_line, line), len(lines))
    span = Span(line, max(col, 1), end_line, max(end_col, 1))
    text = segment(source, span) or None
    detail = hint or f"无法解析（{msg}）"
    return ExprSyntaxError(f"语法错误：{detail}", span=span, text=text, formula=source)


def _count_nodes(tree: ast.AST) -> int:
    skip = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
    return sum(1 for n in ast.walk(tree) if not isinstance(n, skip))


def _depth(tree: ast.AST) -> int:
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1))
    return deepest


def parse(source: str) -> Node:
    """Parse ``source`` into the language's tree, or raise :class:`ExprError` saying where and why.

    Checks sizes, syntax and the whitelist only; names, functions and types are checked by
    :func:`gaoxin.engine.expr.check`.
    """
    if not isinstance(source, str):
        raise ExprSyntaxError("公式必须是文本", formula=str(source))
    source = normalise(source)
    if len(source) > MAX_FORMULA_CHARS:
        raise SizeLimitError(
            f"公式太长：{len(source)}个字符，最多{MAX_FORMULA_CHARS}个字符",
            span=Span(1, 1, 1, 2),
            formula=source,
        )
    if not source.strip():
        raise ExprSyntaxError("公式为空", span=Span.whole(source), formula=source)
    # Leading indentation is a syntax error to Python but harmless in a YAML block; forgive it.
    stripped = source.lstrip(" \t") if "\n" not in source.strip() else source
    offset = len(source) - len(stripped)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(stripped, mode="exec")
    except SyntaxError as err:
        if offset and err.lineno == 1 and err.offset:
            err.offset += offset
            if err.end_offset and (err.end_lineno or 1) == 1:
                err.end_offset += offset
        raise _translate_syntax_error(err, source) from None
    except (ValueError, TypeError) as err:  # e.g. a NUL character
        raise ExprSyntaxError(
            f"语法错误：含有无法识别的字符（{err}）", span=Span.whole(source), formula=source
        ) from None
    except (RecursionError, MemoryError):
        raise SizeLimitError(
            "公式嵌套太深，无法解析", span=Span.whole(source), formula=source
        ) from None
    if offset:
        tree = _shift(tree, offset)
    return _Converter(source).module(tree)


def _shift(tree: ast.Module, offset: int) -> ast.Module:
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) == 1 and hasattr(node, "col_offset"):
            node.col_offset += offset  # type: ignore[attr-defined]
        end = getattr(node, "end_col_offset", None)
        if getattr(node, "end_lineno", None) == 1 and end is not None:
            setattr(node, "end_col_offset", end + offset)  # noqa: B010
    return tree


_DUNDER = re.compile(r"^__")


class _Converter:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = _Positions(source)

    def fail(
        self, cls: type[ExprError], message: str, node: ast.AST, text: str | None = None
    ) -> None:
        span = self.pos.span(node)
        raise cls(message, span=span, text=text or self.pos.text(span), formula=self.source)

    def module(self, tree: ast.Module) -> Node:
        if not tree.body:
            raise ExprSyntaxError("公式为空", span=Span.whole(self.source), formula=self.source)
        first = tree.body[0]
        if not isinstance(first, ast.Expr):
            message = _STATEMENTS.get(type(first), "公式只能是一个表达式，不能写语句")
            self.fail(ForbiddenError, message, first)
        if len(tree.body) > 1:
            self.fail(ForbiddenError, "公式只能是一个表达式；请删除多余的行或分号", tree.body[1])
        assert isinstance(first, ast.Expr)
        count = _count_nodes(first.value)
        if count > MAX_NODES:
            self.fail(SizeLimitError, f"公式太复杂：{count}个成分，最多{MAX_NODES}个", first.value)
        depth = _depth(first.value)
        if depth > MAX_DEPTH:
            self.fail(SizeLimitError, f"公式嵌套太深：{depth}层，最多{MAX_DEPTH}层", first.value)
        return self.expr(first.value)

    def expr(self, node: ast.AST) -> Node:  # noqa: C901 - one branch per node kind reads best
        span = self.pos.span(node)
        if isinstance(node, ast.Constant):
            return self.constant(node, span)
        if isinstance(node, ast.Name):
            if _DUNDER.match(node.id):
                self.fail(ForbiddenError, f"不允许使用以双下划线开头的名称「{node.id}」", node)
            return Name(span, node.id)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Invert):
                self.fail(ForbiddenError, "不允许使用运算符「~」；表示“不是”请用 not", node)
            op = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not"}[type(node.op)]
            return Unary(span, op, self.expr(node.operand))
        if isinstance(node, ast.BinOp):
            if type(node.op) in _FORBIDDEN_BINOPS:
                self.fail(ForbiddenError, _FORBIDDEN_BINOPS[type(node.op)], node)
            return Binary(span, _BINOPS[type(node.op)], self.expr(node.left), self.expr(node.right))
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return BoolOp(span, op, tuple(self.expr(v) for v in node.values))
        if isinstance(node, ast.Compare):
            ops = []
            for op_node in node.ops:
                if type(op_node) in _FORBIDDEN_CMPOPS:
                    self.fail(ForbiddenError, _FORBIDDEN_CMPOPS[type(op_node)], node)
                ops.append(_CMPOPS[type(op_node)])
            operands = (self.expr(node.left), *(self.expr(c) for c in node.comparators))
            return Compare(span, tuple(ops), operands)
        if isinstance(node, ast.Call):
            return self.call(node, span)
        if isinstance(node, ast.Attribute):
            self.attribute(node)
        message = _FORBIDDEN_EXPRS.get(type(node), f"不允许使用这种写法（{type(node).__name__}）")
        self.fail(ForbiddenError, message, node)
        raise AssertionError("unreachable")  # pragma: no cover

    def attribute(self, node: ast.Attribute) -> None:
        """Reject ``x.attr``, pointing at ``.attr`` rather than the whole chain."""
        full = self.pos.span(node)
        value = self.pos.span(node.value)
        span = full
        if value.end_line == full.end_line:
            line = self.pos.lines[full.end_line - 1]
            dot = line.find(".", value.end_col - 1, full.end_col - 1)
            if dot >= 0:
                span = Span(full.end_line, dot + 1, full.end_line, full.end_col)
        raise ForbiddenError(
            f"不允许访问属性「.{node.attr}」", span=span, text=f".{node.attr}", formula=self.source
        )

    def constant(self, node: ast.Constant, span: Span) -> Literal:
        value = node.value
        if isinstance(value, bool):
            return Literal(span, value)
        if isinstance(value, int):
            if value > MAX_INT:
                self.fail(
                    SizeLimitError, f"整数太大，最多{MAX_INT}；更大的数请写成 1e20 的形式", node
                )
            return Literal(span, value)
        if isinstance(value, float):
            if not math.isfinite(value):
                self.fail(SizeLimitError, "数字超出范围", node)
            return Literal(span, value)
        if isinstance(value, str):
            if len(value) > MAX_STRING_CHARS:
                self.fail(
                    SizeLimitError,
                    f"文本太长：{len(value)}个字符，最多{MAX_STRING_CHARS}个字符",
                    node,
                )
            if any("\ud800" <= ch <= "\udfff" for ch in value):
                # "\ud800" written as an escape: a half of a character, which no file, page or
                # database can hold; it would fail far from here, when the result is saved.
                self.fail(
                    ForbiddenError,
                    "文字中含有无效字符（孤立的代理项，如 \\ud800）；请改用完整的字符",
                    node,
                )
            return Literal(span, value)
        if value is None:
            self.fail(
                ForbiddenError, "不允许使用 None；缺失值的默认值请用 coalesce(值, 默认值)", node
            )
        if isinstance(value, bytes):
            self.fail(ForbiddenError, '不允许使用字节串 b"..."；请直接写文本', node)
        if isinstance(value, complex):
            self.fail(ForbiddenError, "不允许使用复数", node)
        self.fail(ForbiddenError, f"不允许使用常量「{value!r}」", node)
        raise AssertionError("unreachable")  # pragma: no cover

    def call(self, node: ast.Call, span: Span) -> Call:
        if not isinstance(node.func, ast.Name):
            self.expr(node.func)  # a lambda or an attribute is reported as such, with its position
            self.fail(ForbiddenError, "只能调用函数名，如 max(a, b)", node.func)
        assert isinstance(node.func, ast.Name)
        if _DUNDER.match(node.func.id):
            self.fail(
                ForbiddenError, f"不允许使用以双下划线开头的名称「{node.func.id}」", node.func
            )
        args = []
        for arg in node.args:
            args.append(self.expr(arg))
        keywords = []
        for kw in node.keywords:
            if kw.arg is None:
                self.fail(ForbiddenError, "不允许使用「**」展开参数", kw)
            assert kw.arg is not None
            if _DUNDER.match(kw.arg):
                self.fail(ForbiddenError, f"不允许使用以双下划线开头的名称「{kw.arg}」", kw)
            keywords.append(Keyword(kw.arg, self.expr(kw.value), self.pos.span(kw)))
        return Call(span, node.func.id, self.pos.span(node.func), tuple(args), tuple(keywords))
