"""Errors in formulas: typed, positioned, and worded in Chinese for the analyst who wrote them.

Every error a formula can raise is an :class:`ExprError` (or a subclass) carrying a machine-readable
``code``, the 1-based line and column where the offending text starts and ends, that text, and a
Chinese message that says what was expected. Nothing else escapes from :mod:`gaoxin.engine.expr`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gaoxin.engine.problems import Problem


@dataclass(frozen=True, slots=True)
class Span:
    """Where a piece of a formula is: 1-based line and column; ``end_col`` is just past the end."""

    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def whole(cls, source: str) -> Span:
        lines = source.split("\n") or [""]
        return cls(1, 1, len(lines), len(lines[-1]) + 1)


class ExprError(Exception):
    """A formula that cannot be accepted. ``message`` is the Chinese explanation without position."""

    code = "expr.error"

    def __init__(
        self,
        message: str,
        *,
        span: Span | None = None,
        text: str | None = None,
        formula: str | None = None,
    ) -> None:
        self.message = message
        self.span = span
        self.text = text
        self.formula = formula
        super().__init__(self.__str__())

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def col(self) -> int | None:
        return self.span.col if self.span else None

    @property
    def end_line(self) -> int | None:
        return self.span.end_line if self.span else None

    @property
    def end_col(self) -> int | None:
        return self.span.end_col if self.span else None

    def __str__(self) -> str:
        if self.span is None:
            return self.message
        return f"第{self.span.line}行第{self.span.col}列：{self.message}"

    def to_problem(self, **where: str | int | None) -> Problem:
        """The same error as a user-facing :class:`Problem` (pass file/sheet/row/column as known)."""
        extra = {
            "formula": self.formula,
            "line": self.line,
            "col": self.col,
            "end_line": self.end_line,
            "end_col": self.end_col,
        }
        return Problem(
            code=self.code,
            message=str(self),
            value=self.text,
            extra={k: v for k, v in extra.items() if v is not None},
            **where,  # type: ignore[arg-type]
        )


class ExprSyntaxError(ExprError):
    """The text is not a single well-formed expression."""

    code = "expr.syntax"


class ForbiddenError(ExprError):
    """A Python construct outside the language: attributes, subscripts, lambdas, imports, ..."""

    code = "expr.forbidden"


class SizeLimitError(ExprError):
    """The formula, a string in it, a number or its nesting is too large."""

    code = "expr.size_limit"


class UnknownNameError(ExprError):
    """A name that the namespace does not define."""

    code = "expr.unknown_name"


class UnknownFunctionError(ExprError):
    """A call to a function that is not registered."""

    code = "expr.unknown_function"


class ArityError(ExprError):
    """Too few or too many arguments, or an argument given twice."""

    code = "expr.arity"


class UnknownKeywordError(ExprError):
    """A keyword argument the function does not take."""

    code = "expr.unknown_keyword"


class ExprTypeError(ExprError):
    """A value of the wrong type: a string where a number is needed, a number as a condition, ..."""

    code = "expr.type"


class LevelError(ExprError):
    """A lower-level variable used directly in a higher-level formula, outside an aggregation."""

    code = "expr.level"
