"""The public entry points: check a formula, compile it, describe it, list the names it reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import polars as pl

from gaoxin.engine.expr.builtins import full_length
from gaoxin.engine.expr.checker import Checked, check_tree
from gaoxin.engine.expr.compiler import Compiler
from gaoxin.engine.expr.describe import Describer, Description, NameUse
from gaoxin.engine.expr.errors import ExprTypeError, Span
from gaoxin.engine.expr.functions import FUNCTIONS, CompileContext, FunctionRegistry
from gaoxin.engine.expr.namespace import ExprType, NameInfo, Namespace, as_namespace
from gaoxin.engine.expr.syntax import Call, Name, Node, normalise, parse, segment, walk

NamespaceLike = Namespace | Mapping[str, NameInfo | ExprType | str | Mapping[str, Any]]


@dataclass(frozen=True, eq=False)
class Formula:
    """A formula that passed every static check; compile it with :meth:`to_polars`."""

    source: str
    tree: Node
    type: ExprType
    namespace: Namespace
    functions: FunctionRegistry
    checked: Checked = field(repr=False)
    level: str | None = None

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Names read, in order of first appearance (function names and keywords excluded).
        Kept once found: the tree never changes, and the indicator engine asks for every
        formula's names many times a computation."""
        return _names(self.tree)

    @property
    def functions_used(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for node in walk(self.tree):
            if isinstance(node, Call):
                seen.setdefault(node.func, None)
        return tuple(seen)

    def context(self, **fields: Any) -> CompileContext:
        """A compile context for this formula's namespace and level (override any field)."""
        fields.setdefault("namespace", self.namespace)
        fields.setdefault("level", self.level)
        return CompileContext(**fields)

    def to_polars(self, context: CompileContext | None = None) -> pl.Expr:
        """The formula as one Polars expression, one value per row of the frame it runs on."""
        ctx = context if context is not None else self.context()
        expr = Compiler(self.checked).compile(self.tree, ctx)
        # Polars (2.1) sometimes computes a constant part as a single value it then refuses to
        # broadcast to the frame's height (a literal-first coalesce, an if_ whose rows all take a
        # constant branch). Combining the result with a full-length column spreads it.
        return full_length(expr, self.type)

    def describe(self) -> Description:
        d = Describer(self.source, self.namespace, self.functions)
        uses = []
        for name in self.names:
            info = self.namespace.get(name)
            uses.append(
                NameUse(
                    name,
                    info.label if info else None,
                    info.kind if info else None,
                    info.type.value if info else None,
                    info.level if info else None,
                )
            )
        return Description(
            formula=self.source,
            text=d.text(self.tree),
            type=self.type,
            names=tuple(uses),
            functions=self.functions_used,
            tree=d.tree(self.tree),
        )


def _names(tree: Node) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for node in walk(tree):
        if isinstance(node, Name):
            seen.setdefault(node.id, None)
    return tuple(seen)


def check(
    source: str,
    namespace: NamespaceLike | None = None,
    *,
    functions: FunctionRegistry | None = None,
    level: str | None = None,
    expect: ExprType | None = None,
) -> Formula:
    """Parse and statically check ``source``; raise :class:`ExprError` at the first mistake.

    ``level`` is the entity level the formula is evaluated at (checks that lower-level names are
    aggregated); ``expect`` is the type the caller needs (a condition needs ``ExprType.BOOL``).
    """
    ns = as_namespace(namespace)
    registry = functions if functions is not None else FUNCTIONS
    source = normalise(source) if isinstance(source, str) else source
    tree = parse(source)
    checked = check_tree(tree, source, ns, registry, level)
    if expect is not None and checked.type != expect:
        span = tree.span if tree.span else Span.whole(source)
        raise ExprTypeError(
            f"公式的结果应当是{expect.zh}，实际是{checked.type.zh}",
            span=span,
            text=segment(source, span),
            formula=source,
        )
    return Formula(source, tree, checked.type, ns, registry, checked, level)


def compile_expr(
    source: str,
    namespace: NamespaceLike | None = None,
    *,
    functions: FunctionRegistry | None = None,
    level: str | None = None,
    expect: ExprType | None = None,
    context: CompileContext | None = None,
) -> pl.Expr:
    """Check ``source`` and compile it to a ``polars.Expr`` over a frame whose columns are the names."""
    formula = check(source, namespace, functions=functions, level=level, expect=expect)
    return formula.to_polars(context)


def describe(
    source: str,
    namespace: NamespaceLike | None = None,
    *,
    functions: FunctionRegistry | None = None,
    level: str | None = None,
) -> Description:
    """Describe ``source`` in Chinese. With a namespace the formula is fully checked first;
    without one only its syntax is, and names are shown as written."""
    registry = functions if functions is not None else FUNCTIONS
    if namespace is not None:
        return check(source, namespace, functions=registry, level=level).describe()
    source = normalise(source)
    tree = parse(source)
    d = Describer(source, Namespace(), registry)
    names = tuple(NameUse(n, None, None, None, None) for n in _names(tree))
    calls: dict[str, None] = {}
    for node in walk(tree):
        if isinstance(node, Call):
            calls.setdefault(node.func, None)
    return Description(source, d.text(tree), None, names, tuple(calls), d.tree(tree))


def names_used(
    source: str,
    namespace: NamespaceLike | None = None,
    *,
    functions: FunctionRegistry | None = None,
) -> tuple[str, ...]:
    """The names ``source`` reads, in order of first appearance (for lineage).

    Without a namespace only the syntax is checked; with one, the whole formula is.
    """
    if namespace is not None:
        return check(source, namespace, functions=functions).names
    return _names(parse(source))
