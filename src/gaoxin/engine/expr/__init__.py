"""The safe expression language of policy packs and validation rules, compiled to Polars.

Formulas are Python-like text (``100 * rd_expenditure / revenue``, ``if_(rank <= 100, 300, 150)``)
parsed with ``ast`` against a whitelist, checked for names, functions and types, and compiled to a
``polars.Expr`` over the wide frame (one row per entity and period, one column per name). Nothing
is ever evaluated as Python. See docs/expressions.md for the language as analysts read it.
"""

from gaoxin.engine.expr import builtins as _builtins  # noqa: F401  (registers scalar functions)
from gaoxin.engine.expr import certification as _certification
from gaoxin.engine.expr import hierarchy as _hierarchy
from gaoxin.engine.expr import periodic as _periodic
from gaoxin.engine.expr import ranking as _ranking
from gaoxin.engine.expr.describe import Description, NameUse
from gaoxin.engine.expr.errors import (
    ArityError,
    ExprError,
    ExprSyntaxError,
    ExprTypeError,
    ForbiddenError,
    LevelError,
    SizeLimitError,
    Span,
    UnknownFunctionError,
    UnknownKeywordError,
    UnknownNameError,
)
from gaoxin.engine.expr.formula import Formula, check, compile_expr, describe, names_used
from gaoxin.engine.expr.functions import (
    FUNCTIONS,
    CallArgs,
    CompileContext,
    FunctionRegistry,
    FunctionSpec,
    Param,
    TypedArgs,
)
from gaoxin.engine.expr.namespace import ExprType, NameInfo, Namespace
from gaoxin.engine.expr.syntax import (
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    MAX_FORMULA_CHARS,
    MAX_INT,
    MAX_NODES,
    MAX_STRING_CHARS,
    parse,
)

#: The default registry plus the functions that read the fact frame's structure: periods
#: (prev, yoy, ytd…), hierarchy aggregates (sum, count, share, top_share…), certifications
#: (certified, became, lost) and ranks. They need a CompileContext with entity, period, level and
#: hierarchy columns (gaoxin.engine.indicators supplies it), so row-wise uses such as validation
#: rules keep the plain ``FUNCTIONS``.
ENGINE_FUNCTIONS = FUNCTIONS.with_(
    *_periodic.SPECS, *_hierarchy.SPECS, *_certification.SPECS, *_ranking.SPECS
)
#: How each engine function's missing-input count is formed (gaoxin.engine.indicators).
MISSING_RULES: dict[str, str] = {
    **_periodic.MISSING,
    **_hierarchy.MISSING,
    **_certification.MISSING,
    **_ranking.MISSING,
}

__all__ = [
    "ENGINE_FUNCTIONS",
    "FUNCTIONS",
    "MISSING_RULES",
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "MAX_FORMULA_CHARS",
    "MAX_INT",
    "MAX_NODES",
    "MAX_STRING_CHARS",
    "ArityError",
    "CallArgs",
    "CompileContext",
    "Description",
    "ExprError",
    "ExprSyntaxError",
    "ExprType",
    "ExprTypeError",
    "ForbiddenError",
    "Formula",
    "FunctionRegistry",
    "FunctionSpec",
    "LevelError",
    "NameInfo",
    "NameUse",
    "Namespace",
    "Param",
    "SizeLimitError",
    "Span",
    "TypedArgs",
    "UnknownFunctionError",
    "UnknownKeywordError",
    "UnknownNameError",
    "check",
    "compile_expr",
    "describe",
    "names_used",
    "parse",
]
