"""The function registry: what a formula may call, how each call is checked, compiled and described.

A function is data — a :class:`FunctionSpec` naming its parameters (type, keyword-only, literal-only),
its result type and a compile hook — so period, hierarchy, certification and rank functions are added
by registering specs, without touching the parser or the checker::

    from gaoxin.engine.expr import FUNCTIONS, FunctionSpec, Param, ExprType

    FUNCTIONS.register(FunctionSpec(
        name="sum",
        params=(Param("x"), Param("where", ExprType.BOOL, required=False, keyword_only=True)),
        returns=ExprType.NUMBER,
        aggregates=True,                       # its arguments live one level down
        compile=lambda args, ctx: ...,         # -> polars.Expr, see CallArgs and CompileContext
        label="合计", describe="{x}的合计",
    ))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from gaoxin.engine.expr.namespace import ExprType, Namespace

if TYPE_CHECKING:
    import polars as pl

    from gaoxin.engine.expr.syntax import Call, Node

#: A parameter accepts one type, any of several, or (``None``) any type.
ParamType = ExprType | tuple[ExprType, ...] | None


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a function.

    ``literal`` asks for a constant written in the formula (a certification code, a number of
    decimals), which the compile hook reads with :meth:`CallArgs.literal`; ``choices`` restricts it.
    """

    name: str
    type: ParamType = ExprType.NUMBER
    required: bool = True
    keyword_only: bool = False
    literal: bool = False
    choices: tuple[Any, ...] | None = None
    label: str | None = None

    def accepts(self, t: ExprType) -> bool:
        if self.type is None:
            return True
        if isinstance(self.type, tuple):
            return t in self.type
        return t == self.type

    @property
    def type_zh(self) -> str:
        if self.type is None:
            return "任意值"
        if isinstance(self.type, tuple):
            return "或".join(t.zh for t in self.type)
        return self.type.zh


@dataclass(frozen=True, slots=True)
class CompileContext:
    """What a compile hook knows besides its arguments.

    ``level`` is the entity level the expression is evaluated at (inside an aggregating function,
    the level of the things aggregated); ``period_column`` and ``hierarchy_columns`` (level ->
    column holding that level's id) are what period and hierarchy functions group and shift by.
    """

    namespace: Namespace = field(default_factory=Namespace)
    level: str | None = None
    period_column: str | None = None
    entity_column: str | None = None
    hierarchy_columns: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)

    def at_level(self, level: str | None) -> CompileContext:
        return replace(self, level=level)


@dataclass(frozen=True, slots=True)
class TypedArgs:
    """Bound arguments with their static types, given to a result-type rule."""

    spec: FunctionSpec
    call: Call
    nodes: Mapping[str, Node]
    types: Mapping[str, ExprType]
    rest_nodes: tuple[Node, ...] = ()
    rest_types: tuple[ExprType, ...] = ()

    def all(self) -> list[tuple[str, Node, ExprType]]:
        """Positional-style view: named parameters in declared order, then the extra arguments."""
        out = [
            (p.name, self.nodes[p.name], self.types[p.name])
            for p in self.spec.params
            if p.name in self.nodes
        ]
        extra_name = self.spec.variadic.name if self.spec.variadic else "..."
        out.extend(
            (extra_name, n, t) for n, t in zip(self.rest_nodes, self.rest_types, strict=True)
        )
        return out


class CallArgs:
    """A call's arguments as seen by a compile hook.

    ``args["x"]`` compiles argument ``x`` at the call's inner level (one level down for an
    aggregating function); ``args.compile("x", ctx)`` compiles it under another context, e.g. a
    ``where=`` filter at a different level; ``args.literal("n")`` is the constant written for a
    literal parameter.
    """

    def __init__(
        self,
        spec: FunctionSpec,
        call: Call,
        nodes: Mapping[str, Node],
        rest: Sequence[Node],
        ctx: CompileContext,
        compiler: Callable[[Node, CompileContext], pl.Expr],
        types: Callable[[Node], ExprType],
    ) -> None:
        self.spec = spec
        self.call = call
        self.nodes = dict(nodes)
        self.rest_nodes = list(rest)
        self.ctx = ctx
        self._compile = compiler
        self._type = types

    def __contains__(self, name: str) -> bool:
        return name in self.nodes

    def __getitem__(self, name: str) -> pl.Expr:
        return self._compile(self.nodes[name], self.ctx)

    def get(self, name: str, default: pl.Expr | None = None) -> pl.Expr | None:
        return self[name] if name in self.nodes else default

    @property
    def rest(self) -> list[pl.Expr]:
        return [self._compile(n, self.ctx) for n in self.rest_nodes]

    def positional(self) -> list[pl.Expr]:
        """Named parameters that were given, in declared order, then the extra arguments."""
        named = [self[p.name] for p in self.spec.params if p.name in self.nodes]
        return named + self.rest

    def compile(self, name: str, ctx: CompileContext) -> pl.Expr:
        return self._compile(self.nodes[name], ctx)

    def is_literal(self, name: str) -> bool:
        """Whether argument ``name`` was given as a constant written in the formula."""
        from gaoxin.engine.expr.syntax import Literal, Unary

        node = self.nodes.get(name)
        if isinstance(node, Unary) and node.op == "-":
            node = node.operand
        return isinstance(node, Literal)

    def literal(self, name: str, default: Any = None) -> Any:
        from gaoxin.engine.expr.syntax import Literal, Unary

        node = self.nodes.get(name)
        if node is None:
            return default
        if isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Literal):
            return -node.operand.value  # type: ignore[operator]
        if isinstance(node, Literal):
            return node.value
        raise TypeError(f"argument {name!r} of {self.spec.name} is not a literal")

    def type(self, name: str) -> ExprType:
        return self._type(self.nodes[name])


ReturnRule = Callable[[TypedArgs], ExprType]
Describer = Callable[[Mapping[str, str], Sequence[str]], str]


@dataclass(frozen=True)
class FunctionSpec:
    """A function formulas may call.

    - ``params``: declared parameters; positional arguments fill the non-keyword-only ones in order.
    - ``variadic``: when set, further positional arguments of this kind are accepted (``min``, ``max``,
      ``coalesce``); ``min_args`` is then the least number of positional arguments.
    - ``returns``: the result type, or a rule computing it from the argument types (and raising
      :class:`ExprTypeError` where they do not fit together).
    - ``compile``: ``(CallArgs, CompileContext) -> polars.Expr``.
    - ``aggregates``: its arguments are read at a lower entity level and reduced to the formula's level
      (``sum``, ``count``...). ``child_level`` may say which level; by default it is the level of the
      lower-level names the arguments use.
    - ``label`` / ``describe``: the Chinese name, and a template such as ``"{x}的绝对值"`` (``{args}`` is
      every argument joined with 、) or a callable ``(named, positional) -> str``.
    - ``expansion``: how many times the hook puts a parameter's expression into its result, when more
      than once (``if_`` tests its condition twice). Polars walks each use separately, so the checker
      multiplies these out and refuses formulas that would grow past ``MAX_EXPANDED_NODES``.
    """

    name: str
    compile: Callable[[CallArgs, CompileContext], pl.Expr]
    params: tuple[Param, ...] = ()
    returns: ExprType | ReturnRule = ExprType.NUMBER
    variadic: Param | None = None
    min_args: int | None = None
    aggregates: bool = False
    child_level: Callable[[str | None, Namespace], str | None] | None = None
    label: str | None = None
    describe: str | Describer | None = None
    doc: str = ""
    expansion: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"function {self.name!r} declares a parameter twice")
        if not self.name.isidentifier() or self.name.startswith("__"):
            raise ValueError(f"function name {self.name!r} is not a plain identifier")

    @property
    def positional_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not p.keyword_only)

    def arity_zh(self) -> str:
        """How many positional arguments the function takes, in Chinese, for messages."""
        pos = self.positional_params
        required = sum(1 for p in pos if p.required)
        if self.variadic is not None:
            least = self.min_args if self.min_args is not None else required
            return f"至少需要{least}个参数"
        if required == len(pos):
            return f"需要{required}个参数"
        return f"需要{required}到{len(pos)}个参数"

    def signature(self) -> str:
        """Python-like signature for docs and messages: ``clip(x, lo, hi)``."""
        parts = []
        star = False
        for p in self.params:
            if p.keyword_only and not star and self.variadic is None:
                parts.append("*")
                star = True
            text = p.name if p.required else f"{p.name}=…"
            parts.append(text)
            if self.variadic is not None and p is self.positional_params[-1]:
                parts.append(f"{self.variadic.name}…")
        if self.variadic is not None and not self.positional_params:
            parts.insert(0, f"{self.variadic.name}…")
        return f"{self.name}({', '.join(parts)})"


class FunctionRegistry(Mapping[str, FunctionSpec]):
    """Name -> :class:`FunctionSpec`. ``FUNCTIONS`` is the default; copy it to extend locally."""

    def __init__(self, specs: Mapping[str, FunctionSpec] | None = None) -> None:
        self._specs: dict[str, FunctionSpec] = dict(specs or {})

    def __getitem__(self, name: str) -> FunctionSpec:
        return self._specs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def register(self, spec: FunctionSpec, *, replace: bool = False) -> FunctionSpec:
        if spec.name in self._specs and not replace:
            raise ValueError(f"function {spec.name!r} is already registered")
        self._specs[spec.name] = spec
        return spec

    def function(
        self, name: str, **fields: Any
    ) -> Callable[[Callable[[CallArgs, CompileContext], pl.Expr]], FunctionSpec]:
        """Decorator form of :meth:`register`: the decorated function is the compile hook."""

        def decorate(hook: Callable[[CallArgs, CompileContext], pl.Expr]) -> FunctionSpec:
            return self.register(FunctionSpec(name=name, compile=hook, **fields))

        return decorate

    def copy(self) -> FunctionRegistry:
        return FunctionRegistry(self._specs)

    def with_(self, *specs: FunctionSpec) -> FunctionRegistry:
        """A new registry with ``specs`` added (replacing same-named ones)."""
        out = self.copy()
        for spec in specs:
            out.register(spec, replace=True)
        return out


#: The default registry; builtin scalar functions are registered by ``gaoxin.engine.expr.builtins``.
FUNCTIONS = FunctionRegistry()
