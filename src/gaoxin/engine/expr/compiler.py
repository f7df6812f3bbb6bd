"""Compiling a checked formula to a ``polars.Expr`` over the wide frame (one column per name).

Null rules, the same everywhere: arithmetic with a null is null; ``/``, ``//``, ``%`` and ``**``
give null where the result is not a finite number (division by zero included, never inf or NaN);
a comparison with a null is null; ``and``/``or`` follow Kleene logic (``null or true`` is true,
``null and false`` is false); ``coalesce`` is the explicit way to default a missing value.
"""

from __future__ import annotations

from functools import reduce

import polars as pl

from gaoxin.engine.expr.builtins import finite
from gaoxin.engine.expr.checker import Checked
from gaoxin.engine.expr.functions import CallArgs, CompileContext
from gaoxin.engine.expr.namespace import ExprType
from gaoxin.engine.expr.syntax import Binary, BoolOp, Call, Compare, Literal, Name, Node, Unary


class Compiler:
    def __init__(self, checked: Checked) -> None:
        self.checked = checked

    def type(self, node: Node) -> ExprType:
        return self.checked.types[node]

    def truth(self, node: Node, ctx: CompileContext) -> pl.Expr:
        """A boolean view of a bool or number operand (a number is true when it is not 0)."""
        expr = self.compile(node, ctx)
        return expr != 0 if self.type(node) == ExprType.NUMBER else expr

    def compile(self, node: Node, ctx: CompileContext) -> pl.Expr:  # noqa: C901
        if isinstance(node, Literal):
            if isinstance(node.value, str):
                return pl.lit(node.value, dtype=pl.String)
            if isinstance(node.value, bool):
                return pl.lit(node.value, dtype=pl.Boolean)
            return pl.lit(node.value)
        if isinstance(node, Name):
            info = ctx.namespace[node.id]
            if info.kind == "parameter" and info.value is not None:
                return pl.lit(info.value)
            return pl.col(info.column or node.id)
        if isinstance(node, Unary):
            if node.op == "not":
                return ~self.truth(node.operand, ctx)
            operand = self.compile(node.operand, ctx)
            return -operand.cast(pl.Float64) if node.op == "-" else operand
        if isinstance(node, Binary):
            left, right = self.compile(node.left, ctx), self.compile(node.right, ctx)
            # Arithmetic is on floats: integer columns would wrap around silently (2**63 - 1 + 1
            # is negative in Int64), and a product beyond 1e308 is missing, not infinity, as
            # docs/expressions.md promises.
            if node.op == "+":
                return finite(left.cast(pl.Float64) + right.cast(pl.Float64))
            if node.op == "-":
                return finite(left.cast(pl.Float64) - right.cast(pl.Float64))
            if node.op == "*":
                return finite(left.cast(pl.Float64) * right.cast(pl.Float64))
            if node.op == "/":
                return finite(left.cast(pl.Float64) / right.cast(pl.Float64))
            if node.op == "//":
                return finite(left.cast(pl.Float64) // right.cast(pl.Float64))
            if node.op == "%":
                return finite(left.cast(pl.Float64) % right.cast(pl.Float64))
            if node.op == "**":
                return finite(left.cast(pl.Float64) ** right.cast(pl.Float64))
            raise AssertionError(node.op)  # pragma: no cover
        if isinstance(node, Compare):
            operands = [self.compile(o, ctx) for o in node.operands]
            parts = [_compare(op, operands[i], operands[i + 1]) for i, op in enumerate(node.ops)]
            return reduce(lambda a, b: a & b, parts)
        if isinstance(node, BoolOp):
            values = [self.truth(v, ctx) for v in node.values]
            if node.op == "and":
                return reduce(lambda a, b: a & b, values)
            return reduce(lambda a, b: a | b, values)
        if isinstance(node, Call):
            binding = self.checked.bindings[node]
            inner = ctx.at_level(self.checked.inner_levels.get(node, ctx.level))
            args = CallArgs(
                binding.spec, node, binding.nodes, binding.rest, inner, self.compile, self.type
            )
            return binding.spec.compile(args, ctx)
        raise TypeError(f"unexpected node {node!r}")  # pragma: no cover


def _compare(op: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    if op == ">=":
        return left >= right
    raise AssertionError(op)  # pragma: no cover
