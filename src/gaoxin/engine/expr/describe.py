"""Describing a formula in plain Chinese, names replaced by their display names.

Like DHIS2's expression description: ``rd_expenditure <= revenue`` reads
``R&D经费内部支出 ≤ 营业收入``. Also gives the formula as a nested structure for a UI to draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gaoxin.engine.expr.functions import FunctionRegistry
from gaoxin.engine.expr.namespace import ExprType, Namespace
from gaoxin.engine.expr.syntax import (
    Binary,
    BoolOp,
    Call,
    Compare,
    Literal,
    Name,
    Node,
    Unary,
    segment,
)

_OP_TEXT = {"+": "+", "-": "−", "*": "×", "/": "÷", "//": "整除"}
_CMP_TEXT = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "//": 6,
               "%": 6, "neg": 7, "**": 8, "atom": 9, "phrase": 0}  # fmt: skip


@dataclass(frozen=True, slots=True)
class NameUse:
    name: str
    label: str | None
    kind: str | None
    type: str | None
    level: str | None


@dataclass(frozen=True, slots=True)
class Description:
    """``text``: the Chinese sentence; ``tree``: the formula as nested dicts; ``names``: what it reads."""

    formula: str
    text: str
    type: ExprType | None
    names: tuple[NameUse, ...]
    functions: tuple[str, ...]
    tree: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "formula": self.formula,
            "text": self.text,
            "type": self.type.value if self.type else None,
            "names": [_name_dict(n) for n in self.names],
            "functions": list(self.functions),
            "tree": self.tree,
        }


def _name_dict(n: NameUse) -> dict[str, Any]:
    return {"name": n.name, "label": n.label, "kind": n.kind, "type": n.type, "level": n.level}


class Describer:
    def __init__(self, source: str, namespace: Namespace, functions: FunctionRegistry) -> None:
        self.source = source
        self.ns = namespace
        self.functions = functions

    def label(self, name: str) -> str:
        info = self.ns.get(name)
        return info.label if info is not None and info.label else name

    def text(self, node: Node) -> str:
        return self.render(node)[0]

    def wrap(self, node: Node, outer: int, strictly: bool = False) -> str:
        text, prec = self.render(node)
        if prec < outer or (strictly and prec == outer):
            return f"（{text}）"
        return text

    def render(self, node: Node) -> tuple[str, int]:  # noqa: C901
        if isinstance(node, Literal):
            if isinstance(node.value, bool):
                return ("是" if node.value else "否"), _PRECEDENCE["atom"]
            if isinstance(node.value, str):
                return f"“{node.value}”", _PRECEDENCE["atom"]
            return segment(self.source, node.span), _PRECEDENCE["atom"]
        if isinstance(node, Name):
            return self.label(node.id), _PRECEDENCE["atom"]
        if isinstance(node, Unary):
            if node.op == "not":
                return f"并非{self.wrap(node.operand, _PRECEDENCE['cmp'])}", _PRECEDENCE["not"]
            sign = "−" if node.op == "-" else "+"
            return f"{sign}{self.wrap(node.operand, _PRECEDENCE['neg'])}", _PRECEDENCE["neg"]
        if isinstance(node, Binary):
            prec = _PRECEDENCE[node.op]
            if node.op == "**":
                left = self.wrap(node.left, prec, strictly=True)
                right = self.wrap(node.right, prec)
                return f"{left}的{right}次方", prec
            left = self.wrap(node.left, prec)
            right = self.wrap(node.right, prec, strictly=True)
            if node.op == "%":
                return f"{left}除以{right}的余数", _PRECEDENCE["phrase"]
            return f"{left} {_OP_TEXT[node.op]} {right}", prec
        if isinstance(node, Compare):
            prec = _PRECEDENCE["cmp"]
            parts = [self.wrap(node.operands[0], prec, strictly=True)]
            for op, operand in zip(node.ops, node.operands[1:], strict=True):
                parts.append(_CMP_TEXT[op])
                parts.append(self.wrap(operand, prec, strictly=True))
            return " ".join(parts), prec
        if isinstance(node, BoolOp):
            prec = _PRECEDENCE[node.op]
            joiner = "，并且" if node.op == "and" else "，或者"
            return joiner.join(self.wrap(v, prec, strictly=True) for v in node.values), prec
        if isinstance(node, Call):
            spec = self.functions.get(node.func)
            # f(x) written as code is an atom; a Chinese phrase needs brackets inside an operation.
            kind = "phrase" if spec is not None and spec.describe is not None else "atom"
            return self.call(node), _PRECEDENCE[kind]
        raise TypeError(f"unexpected node {node!r}")  # pragma: no cover

    def argument(self, node: Node) -> str:
        """An argument inside a function's phrase: calculations and phrases are bracketed so that
        "（100 × 甲）四舍五入" cannot be misread; conditions read well bare ("如果甲 > 0，…")."""
        text, prec = self.render(node)
        is_condition = _PRECEDENCE["or"] <= prec <= _PRECEDENCE["cmp"]
        if prec < _PRECEDENCE["atom"] and not is_condition:
            return f"（{text}）"
        return text

    def call(self, node: Call) -> str:
        spec = self.functions.get(node.func)
        args = [self.argument(a) for a in node.args]
        kwargs = {kw.name: self.argument(kw.value) for kw in node.keywords}
        if spec is None or spec.describe is None:
            parts = args + [f"{k}={v}" for k, v in kwargs.items()]
            return f"{node.func}({', '.join(parts)})"
        positional = spec.positional_params
        named = dict(kwargs)
        rest: list[str] = []
        for i, text in enumerate(args):
            if i < len(positional):
                named[positional[i].name] = text
            else:
                rest.append(text)
        if callable(spec.describe):
            return spec.describe(named, rest)
        values = {p.name: named.get(p.name, "") for p in spec.params}
        values["args"] = "、".join(args)
        return spec.describe.format(**values)

    def tree(self, node: Node) -> dict[str, Any]:
        where = {
            "line": node.span.line,
            "col": node.span.col,
            "end_line": node.span.end_line,
            "end_col": node.span.end_col,
        }
        if isinstance(node, Literal):
            return {"kind": "literal", "value": node.value, **where}
        if isinstance(node, Name):
            info = self.ns.get(node.id)
            return {
                "kind": "name",
                "name": node.id,
                "label": info.label if info else None,
                "type": info.type.value if info else None,
                "level": info.level if info else None,
                **where,
            }
        if isinstance(node, Unary):
            return {"kind": "unary", "op": node.op, "operand": self.tree(node.operand), **where}
        if isinstance(node, Binary):
            return {
                "kind": "binary",
                "op": node.op,
                "left": self.tree(node.left),
                "right": self.tree(node.right),
                **where,
            }
        if isinstance(node, Compare):
            return {
                "kind": "compare",
                "ops": list(node.ops),
                "operands": [self.tree(o) for o in node.operands],
                **where,
            }
        if isinstance(node, BoolOp):
            return {
                "kind": "logical",
                "op": node.op,
                "values": [self.tree(v) for v in node.values],
                **where,
            }
        if isinstance(node, Call):
            spec = self.functions.get(node.func)
            return {
                "kind": "call",
                "function": node.func,
                "label": spec.label if spec else None,
                "args": [self.tree(a) for a in node.args],
                "keywords": {kw.name: self.tree(kw.value) for kw in node.keywords},
                "text": self.call(node),
                **where,
            }
        raise TypeError(f"unexpected node {node!r}")  # pragma: no cover
