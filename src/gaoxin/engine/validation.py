"""Validation rules across variables, in the manner of DHIS2: ``left operator right`` per row.

A rule such as ``rd_expenditure <= revenue`` (R&D expenditure cannot exceed revenue) is two formulas
of the expression language compared by an operator. :func:`run_rules` evaluates every rule over the
whole wide frame (one Polars evaluation per rule, no Python loop over rows) and returns the rows that
break a rule; :func:`violations_to_problems` turns them into Chinese :class:`Problem` reports.

Missing values follow DHIS2's three strategies, judged on the variables a rule reads:
``skip_if_any_missing`` (default) skips a row where any of them is missing; ``skip_if_all_missing``
skips only where all are, and counts the missing ones as 0; ``never_skip`` never skips and counts every
missing value as 0. Under the last two, a side that still comes out missing (0 / 0) counts as 0 too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gaoxin.engine.expr import (
    ExprError,
    ExprType,
    Formula,
    FunctionRegistry,
    Namespace,
    check,
)
from gaoxin.engine.expr.formula import NamespaceLike
from gaoxin.engine.expr.namespace import as_namespace
from gaoxin.engine.problems import Problem, ProblemsError

Operator = Literal["==", "!=", "<", "<=", ">", ">="]

#: Columns of the frame :func:`run_rules` returns, besides the key columns.
VIOLATION_COLUMNS = ("rule", "left", "right", "importance")

# The relation that holds when a rule is broken, as the message shows it.
_BROKEN = {"<=": ">", "<": ">=", ">=": "<", ">": "<=", "==": "!=", "!=": "=="}
_MISSING_COLUMN = "__gaoxin_missing"


class Importance(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def zh(self) -> str:
        return {"high": "高", "medium": "中", "low": "低"}[self.value]


class MissingStrategy(StrEnum):
    SKIP_IF_ANY_MISSING = "skip_if_any_missing"
    SKIP_IF_ALL_MISSING = "skip_if_all_missing"
    NEVER_SKIP = "never_skip"


class ValidationRule(BaseModel):
    """One rule: ``left operator right`` must hold on every row (entity and period)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(min_length=1, max_length=200)
    left: str = Field(min_length=1)
    operator: Operator
    right: str = Field(min_length=1)
    importance: Importance = Importance.MEDIUM
    missing: MissingStrategy = MissingStrategy.SKIP_IF_ANY_MISSING
    level: str | None = None
    description: str | None = None

    def formulas(
        self, namespace: NamespaceLike, functions: FunctionRegistry | None = None
    ) -> tuple[Formula, Formula]:
        """Check both sides (numbers); an :class:`ExprError` carries a note naming rule and side."""
        sides = []
        for side in ("left", "right"):
            try:
                sides.append(
                    check(
                        getattr(self, side),
                        namespace,
                        functions=functions,
                        level=self.level,
                        expect=ExprType.NUMBER,
                    )
                )
            except ExprError as err:
                err.add_note(f"validation rule {self.code!r}, {side} side")
                raise
        return sides[0], sides[1]


def load_rules(source: Iterable[Mapping[str, Any]] | str | Path) -> list[ValidationRule]:
    """Rules from a list of dicts, YAML text, or a YAML file (a list, or a mapping with ``rules:``).

    Every problem found is reported at once, as a :class:`ProblemsError`.
    """
    file = None
    if isinstance(source, Path):
        file = str(source)
        source = source.read_text(encoding="utf-8")
    if isinstance(source, str):
        try:
            data = yaml.safe_load(source)
        except yaml.YAMLError as err:
            raise ProblemsError(
                [Problem("validation.yaml", f"校验规则文件不是有效的 YAML：{err}", file=file)]
            ) from None
        if isinstance(data, Mapping):
            data = data.get("rules")
        if not isinstance(data, list):
            raise ProblemsError(
                [
                    Problem(
                        "validation.yaml", "校验规则应当是一个列表（或 rules: 下的列表）", file=file
                    )
                ]
            )
        items: list[Any] = data
    else:
        items = list(source)
    rules: list[ValidationRule] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items, start=1):
        try:
            rule = ValidationRule.model_validate(item)
        except ValidationError as err:
            code = item.get("code") if isinstance(item, Mapping) else None
            for e in err.errors():
                field = ".".join(str(p) for p in e["loc"]) or "（整条规则）"
                problems.append(
                    Problem(
                        "validation.rule_invalid",
                        f"第{i}条校验规则{f'「{code}」' if code else ''}的字段「{field}」有误：{e['msg']}",
                        file=file,
                        column=field,
                        value=None if e.get("input") is None else str(e.get("input"))[:200],
                    )
                )
            continue
        if rule.code in seen:
            problems.append(
                Problem(
                    "validation.duplicate_code",
                    f"第{i}条校验规则的代码「{rule.code}」与第{seen[rule.code]}条重复",
                    file=file,
                    column="code",
                    value=rule.code,
                )
            )
            continue
        seen[rule.code] = i
        rules.append(rule)
    if problems:
        raise ProblemsError(problems)
    return rules


def check_rules(
    rules: Sequence[ValidationRule],
    namespace: NamespaceLike,
    *,
    functions: FunctionRegistry | None = None,
) -> list[Problem]:
    """Every formula error in ``rules``, as problems (empty when all rules compile)."""
    problems = []
    for rule in rules:
        for side in ("left", "right"):
            try:
                check(
                    getattr(rule, side),
                    namespace,
                    functions=functions,
                    level=rule.level,
                    expect=ExprType.NUMBER,
                )
            except ExprError as err:
                problem = err.to_problem(column=side)
                problems.append(
                    Problem(
                        err.code,
                        f"校验规则「{rule.name}」（{rule.code}）的{'左边' if side == 'left' else '右边'}公式"
                        f"{problem.message}",
                        column=side,
                        value=problem.value,
                        extra={**problem.extra, "rule": rule.code},
                    )
                )
    return problems


def _columns(formula: Formula, ns: Namespace) -> list[str]:
    return [
        ns[n].column or n for n in formula.names if ns[n].kind != "parameter" or ns[n].value is None
    ]


def _rule_frame(
    rule: ValidationRule,
    left: Formula,
    right: Formula,
    frame: pl.LazyFrame,
    ns: Namespace,
    keys: Sequence[str],
) -> pl.LazyFrame:
    """The rows breaking ``rule``, as one lazy query over the whole frame."""
    numeric = {
        ns[n].column or n: ns[n].type
        for f in (left, right)
        for n in f.names
        if ns[n].kind != "parameter" or ns[n].value is None
    }
    columns = list(numeric)
    lf = frame
    if columns:
        missing = pl.sum_horizontal([pl.col(c).is_null().cast(pl.Int32) for c in columns])
    else:
        missing = pl.lit(0, dtype=pl.Int32)
    lf = lf.with_columns(missing.alias(_MISSING_COLUMN))
    if rule.missing is MissingStrategy.SKIP_IF_ANY_MISSING:
        lf = lf.filter(pl.col(_MISSING_COLUMN) == 0)
    else:
        if rule.missing is MissingStrategy.SKIP_IF_ALL_MISSING and columns:
            lf = lf.filter(pl.col(_MISSING_COLUMN) < len(columns))
        zero_filled = [pl.col(c).fill_null(0) for c, t in numeric.items() if t == ExprType.NUMBER]
        if zero_filled:
            lf = lf.with_columns(zero_filled)
    left_expr = left.to_polars().cast(pl.Float64)
    right_expr = right.to_polars().cast(pl.Float64)
    if rule.missing is not MissingStrategy.SKIP_IF_ANY_MISSING:
        left_expr, right_expr = left_expr.fill_null(0.0), right_expr.fill_null(0.0)
    holds = _compare(rule.operator, pl.col("left"), pl.col("right"))
    return (
        lf.select(
            pl.lit(rule.code, dtype=pl.String).alias("rule"),
            *[pl.col(k) for k in keys],
            left_expr.alias("left"),
            right_expr.alias("right"),
            pl.lit(rule.importance.value, dtype=pl.String).alias("importance"),
        )
        # A comparison that is null (a side could not be computed) is not a violation.
        .filter(holds.not_())
    )


def _compare(op: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    return {
        "==": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[op]


def run_rules(
    rules: Sequence[ValidationRule],
    frame: pl.DataFrame | pl.LazyFrame,
    namespace: NamespaceLike,
    *,
    keys: Sequence[str] = (),
    functions: FunctionRegistry | None = None,
) -> pl.DataFrame:
    """Rows of ``frame`` that break a rule: ``rule``, the ``keys`` columns, ``left``, ``right``,
    ``importance`` — one row per rule and breaking row, in rule order then frame order.

    A rule whose formula is wrong raises :class:`ExprError` (with a note naming the rule and side);
    run :func:`check_rules` first to collect every such error instead.
    """
    ns = as_namespace(namespace)
    lf = frame.lazy()
    available = set(lf.collect_schema().names())
    absent = [k for k in keys if k not in available]
    plans = []
    for rule in rules:
        left, right = rule.formulas(ns, functions)
        absent.extend(c for f in (left, right) for c in _columns(f, ns) if c not in available)
        plans.append(_rule_frame(rule, left, right, lf, ns, keys))
    if absent:
        unique = list(dict.fromkeys(absent))
        raise ProblemsError(
            Problem("validation.column_missing", f"数据中没有列「{c}」", column=c) for c in unique
        )
    if not plans:
        schema = lf.select([pl.col(k) for k in keys]).collect_schema()
        return pl.DataFrame(
            schema={
                "rule": pl.String,
                **schema,
                "left": pl.Float64,
                "right": pl.Float64,
                "importance": pl.String,
            }  # fmt: skip
        )
    return pl.concat(plans, how="vertical").collect()


def _number(value: float | None) -> str:
    if value is None:
        return "缺失"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def _side_text(formula: Formula) -> str:
    return formula.describe().text


def violations_to_problems(
    violations: pl.DataFrame,
    rules: Sequence[ValidationRule],
    namespace: NamespaceLike,
    *,
    keys: Sequence[str] = (),
    functions: FunctionRegistry | None = None,
) -> list[Problem]:
    """One :class:`Problem` per violation, e.g.
    ``校验规则「研发经费不超过营业收入」不满足：R&D经费内部支出 1200 > 营业收入 1000``.

    High-importance rules give errors, the others warnings. The row's keys are in ``extra["keys"]``
    and, in brackets, at the end of the message.
    """
    ns = as_namespace(namespace)
    by_code = {r.code: r for r in rules}
    texts: dict[str, tuple[str, str]] = {}
    problems = []
    for row in violations.iter_rows(named=True):
        rule = by_code[row["rule"]]
        if rule.code not in texts:
            left, right = rule.formulas(ns, functions)
            texts[rule.code] = (_side_text(left), _side_text(right))
        left_text, right_text = texts[rule.code]
        where = {k: row[k] for k in keys}
        suffix = "（" + "，".join(f"{k}={v}" for k, v in where.items()) + "）" if where else ""
        message = (
            f"校验规则「{rule.name}」不满足：{left_text} {_number(row['left'])} "
            f"{_BROKEN[rule.operator]} {right_text} {_number(row['right'])}{suffix}"
        )
        problems.append(
            Problem(
                code="validation.rule_violated",
                message=message,
                severity="error" if rule.importance is Importance.HIGH else "warning",
                extra={
                    "rule": rule.code,
                    "importance": rule.importance.value,
                    "keys": where,
                    "left": row["left"],
                    "right": row["right"],
                },
            )
        )
    return problems
