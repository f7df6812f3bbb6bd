"""Static checks of a parsed formula: names, functions, arity, keywords, types and entity levels.

Runs before anything is compiled, so that an analyst learns of every mistake the language can see
without data: an unknown name, a string where a number is needed, an enterprise variable used in a
zone formula outside an aggregation.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field

from gaoxin.engine.expr.errors import (
    ArityError,
    ExprError,
    ExprTypeError,
    LevelError,
    SizeLimitError,
    UnknownFunctionError,
    UnknownKeywordError,
    UnknownNameError,
)
from gaoxin.engine.expr.functions import FunctionRegistry, FunctionSpec, Param, TypedArgs
from gaoxin.engine.expr.namespace import ExprType, Namespace, level_zh
from gaoxin.engine.expr.syntax import (
    MAX_EXPANDED_NODES,
    Binary,
    BoolOp,
    Call,
    Compare,
    Literal,
    Name,
    Node,
    Unary,
    children,
    segment,
)

#: How many available names an unknown-name message lists.
MAX_LISTED_NAMES = 8

_ORDERING = ("<", "<=", ">", ">=")


@dataclass(frozen=True, slots=True)
class Binding:
    spec: FunctionSpec
    nodes: dict[str, Node]
    rest: tuple[Node, ...]


@dataclass
class Checked:
    """What the checker learnt: each node's type, each call's binding and inner level."""

    type: ExprType
    types: dict[Node, ExprType] = field(default_factory=dict)
    bindings: dict[Call, Binding] = field(default_factory=dict)
    levels: dict[Node, str | None] = field(default_factory=dict)
    inner_levels: dict[Call, str | None] = field(default_factory=dict)


def _literal_value(node: Node) -> tuple[bool, object]:
    if isinstance(node, Literal):
        return True, node.value
    if isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Literal):
        value = node.operand.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return True, -value
    return False, None


def _listing(names: list[str]) -> str:
    shown = sorted(names)[:MAX_LISTED_NAMES]
    more = "等" if len(names) > MAX_LISTED_NAMES else ""
    return "、".join(shown) + more


class Checker:
    def __init__(
        self, source: str, namespace: Namespace, functions: FunctionRegistry, level: str | None
    ) -> None:
        self.source = source
        self.ns = namespace
        self.functions = functions
        self.level = level
        self.out_types: dict[Node, ExprType] = {}
        self.bindings: dict[Call, Binding] = {}
        self.levels: dict[Node, str | None] = {}
        self.inner_levels: dict[Call, str | None] = {}
        self.sizes: dict[Node, int] = {}

    def run(self, tree: Node) -> Checked:
        try:
            t = self.visit(tree, self.level)
        except ExprError as err:
            if err.formula is None:
                err.formula = self.source
            if err.text is None and err.span is not None:
                err.text = segment(self.source, err.span)
            raise
        return Checked(t, self.out_types, self.bindings, self.levels, self.inner_levels)

    def error(self, cls: type[ExprError], message: str, node: Node) -> ExprError:
        return cls(
            message, span=node.span, text=segment(self.source, node.span), formula=self.source
        )

    def describe_value(self, node: Node, t: ExprType) -> str:
        return f"{t.zh}「{segment(self.source, node.span)}」"

    # -- nodes ---------------------------------------------------------------------------------

    def visit(self, node: Node, level: str | None) -> ExprType:
        t = self._visit(node, level)
        self.out_types[node] = t
        self.levels[node] = level
        size = self.expanded_size(node)
        self.sizes[node] = size
        if size > MAX_EXPANDED_NODES:
            raise self.error(
                SizeLimitError,
                f"公式展开后太复杂（约{size}个成分，最多{MAX_EXPANDED_NODES}个）；请减少条件的嵌套",
                node,
            )
        return t

    def expanded_size(self, node: Node) -> int:
        """Nodes of the compiled expression, counting a sub-expression once per use."""
        if isinstance(node, Compare):
            inner = node.operands[1:-1]
            return 1 + sum(self.sizes[o] for o in node.operands) + sum(self.sizes[o] for o in inner)
        if isinstance(node, Call) and node in self.bindings:
            binding = self.bindings[node]
            factors = binding.spec.expansion
            total = 1 + sum(self.sizes[n] * factors.get(p, 1) for p, n in binding.nodes.items())
            rest_name = binding.spec.variadic.name if binding.spec.variadic else ""
            return total + sum(self.sizes[n] * factors.get(rest_name, 1) for n in binding.rest)
        return 1 + sum(self.sizes[c] for c in children(node))

    def _visit(self, node: Node, level: str | None) -> ExprType:  # noqa: C901
        if isinstance(node, Literal):
            if isinstance(node.value, bool):
                return ExprType.BOOL
            if isinstance(node.value, str):
                return ExprType.STRING
            return ExprType.NUMBER
        if isinstance(node, Name):
            return self.name(node, level)
        if isinstance(node, Unary):
            t = self.visit(node.operand, level)
            if node.op == "not":
                if t == ExprType.STRING:
                    raise self.error(
                        ExprTypeError,
                        f"not 需要逻辑值或数值，得到{self.describe_value(node.operand, t)}",
                        node.operand,
                    )
                return ExprType.BOOL
            if t != ExprType.NUMBER:
                sign = "负号「-」" if node.op == "-" else "正号「+」"
                raise self.error(
                    ExprTypeError,
                    f"{sign}需要数值，得到{self.describe_value(node.operand, t)}",
                    node.operand,
                )
            return ExprType.NUMBER
        if isinstance(node, Binary):
            lt = self.visit(node.left, level)
            rt = self.visit(node.right, level)
            for side, sub, t in (("左边", node.left, lt), ("右边", node.right, rt)):
                if t != ExprType.NUMBER:
                    raise self.error(
                        ExprTypeError,
                        f"运算「{node.op}」需要数值，{side}是{self.describe_value(sub, t)}",
                        sub,
                    )
            return ExprType.NUMBER
        if isinstance(node, Compare):
            types = [self.visit(o, level) for o in node.operands]
            for i, op in enumerate(node.ops):
                left, right = types[i], types[i + 1]
                if left != right:
                    raise self.error(
                        ExprTypeError,
                        f"比较「{op}」两边类型不同：左边是{left.zh}，右边是{right.zh}",
                        node.operands[i + 1],
                    )
                if op in _ORDERING and left == ExprType.BOOL:
                    raise self.error(
                        ExprTypeError, f"逻辑值不能比较大小「{op}」，只能用 == 或 !=", node
                    )
            return ExprType.BOOL
        if isinstance(node, BoolOp):
            for v in node.values:
                t = self.visit(v, level)
                if t == ExprType.STRING:
                    raise self.error(
                        ExprTypeError,
                        f"{node.op} 需要逻辑值或数值，得到{self.describe_value(v, t)}",
                        v,
                    )
            return ExprType.BOOL
        if isinstance(node, Call):
            return self.call(node, level)
        raise TypeError(f"unexpected node {node!r}")  # pragma: no cover

    def name(self, node: Name, level: str | None) -> ExprType:
        info = self.ns.get(node.id)
        if info is None:
            raise self.unknown_name(node)
        if level is not None and info.level is not None and info.level != level:
            if self.ns.is_below(info.level, level):
                raise self.error(
                    LevelError,
                    f"「{node.id}」是{level_zh(info.level)}数据，不能直接用在{level_zh(level)}公式中；"
                    f"请用汇总函数，如 sum({node.id})",
                    node,
                )
            if not self.ns.is_below(level, info.level):
                raise self.error(
                    LevelError,
                    f"「{node.id}」是{level_zh(info.level)}数据，与{level_zh(level)}公式不在同一层级",
                    node,
                )
        return info.type

    def unknown_name(self, node: Name) -> ExprError:
        name = node.id
        if name in self.functions:
            return self.error(
                UnknownNameError,
                f"「{name}」是函数，需要加括号调用，如 {self.functions[name].signature()}",
                node,
            )
        by_label = [k for k, v in self.ns.items() if v.label == name]
        if by_label:
            return self.error(
                UnknownNameError,
                f"「{name}」是「{by_label[0]}」的中文名称，公式里请写 {by_label[0]}",
                node,
            )
        known = list(self.ns)
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        message = f"未知名称「{name}」"
        if close:
            message += "，你是不是要写" + "、".join(f"「{c}」" for c in close) + "？"
        if known:
            message += f"{'' if close else '，'}可用的名称有 {_listing(known)}"
        else:
            message += "，当前没有可用的名称"
        return self.error(UnknownNameError, message, node)

    # -- calls ---------------------------------------------------------------------------------

    def call(self, node: Call, level: str | None) -> ExprType:
        spec = self.functions.get(node.func)
        if spec is None:
            raise self.unknown_function(node)
        nodes, rest = self.bind(spec, node)
        self.bindings[node] = Binding(spec, nodes, rest)
        inner = self.inner_level(spec, node, level) if spec.aggregates else level
        types: dict[str, ExprType] = {}
        by_name = {p.name: p for p in spec.params}
        for name, arg in nodes.items():
            types[name] = self.argument(spec, by_name[name], arg, inner)
        rest_types = []
        for arg in rest:
            assert spec.variadic is not None
            rest_types.append(self.argument(spec, spec.variadic, arg, inner))
        self.inner_levels[node] = inner
        if isinstance(spec.returns, ExprType):
            return spec.returns
        typed = TypedArgs(spec, node, nodes, types, rest, tuple(rest_types))
        return spec.returns(typed)

    def unknown_function(self, node: Call) -> ExprError:
        name = node.func
        known = list(self.functions)
        span_node = Name(node.func_span, name)
        if name in self.ns:
            return self.error(
                UnknownFunctionError, f"「{name}」是名称，不是函数，不能加括号调用", span_node
            )
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        message = f"未知函数「{name}」"
        if close:
            message += "，你是不是要写" + "、".join(f"「{c}」" for c in close) + "？"
        message += f"{'' if close else '，'}可用的函数有 {'、'.join(sorted(known))}"
        return self.error(UnknownFunctionError, message, span_node)

    def bind(self, spec: FunctionSpec, node: Call) -> tuple[dict[str, Node], tuple[Node, ...]]:
        positional = spec.positional_params
        given = len(node.args)
        nodes: dict[str, Node] = {}
        rest: list[Node] = []
        if given > len(positional) and spec.variadic is None:
            raise self.error(
                ArityError,
                f"函数 {spec.name} {spec.arity_zh()}，得到{given}个",
                node.args[len(positional)],
            )
        for i, arg in enumerate(node.args):
            if i < len(positional):
                nodes[positional[i].name] = arg
            else:
                rest.append(arg)
        by_name = {p.name: p for p in spec.params}
        for kw in node.keywords:
            if kw.name not in by_name:
                names = "、".join(p.name for p in spec.params) or "（无）"
                close = difflib.get_close_matches(kw.name, list(by_name), n=1, cutoff=0.6)
                hint = f"，你是不是要写「{close[0]}」？" if close else "，"
                raise self.error(
                    UnknownKeywordError,
                    f"函数 {spec.name} 没有参数「{kw.name}」{hint}它的参数有 {names}",
                    Name(kw.span, kw.name),
                )
            if kw.name in nodes:
                raise self.error(
                    ArityError,
                    f"函数 {spec.name} 的参数「{kw.name}」给了两次",
                    Name(kw.span, kw.name),
                )
            nodes[kw.name] = kw.value
        missing = [p for p in spec.params if p.required and p.name not in nodes]
        least = spec.min_args if spec.variadic is not None and spec.min_args is not None else 0
        if missing or given < least:
            if missing and missing[0].keyword_only:
                message = f"函数 {spec.name} 缺少参数「{missing[0].name}=」"
            else:
                message = f"函数 {spec.name} {spec.arity_zh()}，得到{given}个"
            raise self.error(ArityError, message, node)
        return nodes, tuple(rest)

    def argument(self, spec: FunctionSpec, param: Param, arg: Node, level: str | None) -> ExprType:
        label = f"「{param.name}」" + (f"（{param.label}）" if param.label else "")
        if param.literal:
            ok, value = _literal_value(arg)
            if not ok:
                raise self.error(
                    ExprTypeError,
                    f"函数 {spec.name} 的参数{label}必须直接写一个{param.type_zh}，不能是表达式",
                    arg,
                )
            if param.choices is not None and value not in param.choices:
                choices = "、".join(
                    repr(c) if isinstance(c, str) else str(c) for c in param.choices
                )
                raise self.error(
                    ExprTypeError, f"函数 {spec.name} 的参数{label}只能是 {choices}", arg
                )
        t = self.visit(arg, level)
        if not param.accepts(t):
            raise self.error(
                ExprTypeError,
                f"函数 {spec.name} 的参数{label}需要{param.type_zh}，得到{self.describe_value(arg, t)}",
                arg,
            )
        return t

    # -- levels --------------------------------------------------------------------------------

    def inner_level(self, spec: FunctionSpec, node: Call, level: str | None) -> str | None:
        """The level an aggregating call's arguments are read at."""
        if spec.child_level is not None:
            return spec.child_level(level, self.ns)
        if level is None:
            return None
        below = []
        for name in self._direct_names(node):
            info = self.ns.get(name.id)
            if info is None or info.level is None:
                continue
            if self.ns.is_below(info.level, level) and info.level not in below:
                below.append(info.level)
        if not below:
            children = [lv for lv, parent in self.ns.parents.items() if parent == level]
            return children[0] if len(children) == 1 else None
        deepest = below[0]
        for lv in below[1:]:
            if self.ns.is_below(lv, deepest):
                deepest = lv
            elif not self.ns.is_below(deepest, lv):
                raise self.error(
                    LevelError,
                    f"函数 {spec.name} 中混用了{level_zh(deepest)}和{level_zh(lv)}数据，"
                    "一次汇总只能针对一个层级",
                    node,
                )
        return deepest

    def _direct_names(self, node: Call) -> Iterator[Name]:
        """Names in a call's arguments, not looking inside nested aggregating calls."""
        stack: list[Node] = [*node.args, *(kw.value for kw in node.keywords)]
        while stack:
            cur = stack.pop()
            if isinstance(cur, Name):
                yield cur
            elif isinstance(cur, Call):
                spec = self.functions.get(cur.func)
                if spec is not None and spec.aggregates:
                    continue
                stack.extend([*cur.args, *(kw.value for kw in cur.keywords)])
            elif isinstance(cur, Unary):
                stack.append(cur.operand)
            elif isinstance(cur, Binary):
                stack.extend([cur.left, cur.right])
            elif isinstance(cur, Compare):
                stack.extend(cur.operands)
            elif isinstance(cur, BoolOp):
                stack.extend(cur.values)


def check_tree(
    tree: Node,
    source: str,
    namespace: Namespace,
    functions: FunctionRegistry,
    level: str | None = None,
) -> Checked:
    return Checker(source, namespace, functions, level).run(tree)
