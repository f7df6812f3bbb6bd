"""Validation rules on import: the new values together with the values already stored.

The database half of the rules: gather, for every (entity, period) an import touches, the stored
values of the variables the rules read, overlay the imported values, and hand the wide frame to
the engine (``gaoxin.engine.validation``), which evaluates each rule once over the whole frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import polars as pl

from gaoxin.engine import validation as engine
from gaoxin.engine.expr import ExprError
from gaoxin.engine.problems import Problem
from gaoxin.engine.variables import default_catalogue
from gaoxin.statistics.models import Observation, ValidationRule

KEYS = ["entity_id", "entity_kind", "period"]


def rule_specs(rules: Sequence[ValidationRule]) -> list[engine.ValidationRule]:
    return [
        engine.ValidationRule(
            code=r.code,
            name=r.name,
            left=r.left,
            operator=r.operator,
            right=r.right,
            importance=r.importance,
            missing=r.missing,
        )
        for r in rules
    ]


def rule_namespace() -> dict[str, dict[str, str]]:
    """The names a validation rule may read: every catalogue variable, as a number."""
    return {v.code: {"type": "number", "label": v.zh} for v in default_catalogue()}


def rule_problem(rule: ValidationRule) -> str | None:
    """Why a rule cannot be checked (a formula that does not parse, a name not in the
    catalogue), in Chinese; None when it can. The admin and the shipped-rule sync ask this
    before saving, so one bad rule never reaches an import."""
    try:
        spec = rule_specs([rule])[0]
        spec.formulas(rule_namespace())
    except (ExprError, ValueError) as error:
        return str(getattr(error, "message", None) or error)
    return None


def check_rules(rules: Sequence[ValidationRule], obs: pl.DataFrame) -> list[Problem]:
    """Problems for rules the imported values (with the stored ones) violate.

    ``obs`` is the resolved import frame: entity_id, entity_kind, variable, period, value, and
    the file position (source_file, sheet, row) of each value. A rule is judged only where the
    import gives one of the values it reads: a violation among stored values alone (an entity
    and period the import touches through other variables) is reported as a warning about the
    data already stored, and does not block this import. A rule that cannot be checked (saved
    before rules were checked on saving) is reported as a warning naming the rule, not a
    traceback."""
    namespace = rule_namespace()
    problems: list[Problem] = []
    specs: list[engine.ValidationRule] = []
    kinds: dict[str, str] = {}
    reads: dict[str, set[str]] = {}
    for rule, spec in zip(rules, rule_specs(rules), strict=True):
        try:
            sides = spec.formulas(namespace)
        except (ExprError, ValueError) as error:
            problems.append(
                Problem(
                    "validation.rule_unusable",
                    f"校验规则「{rule.name}」无法检查，已跳过：{getattr(error, 'message', error)}；"
                    "请管理员修正该规则",
                    severity="warning",
                )
            )
            continue
        specs.append(spec)
        kinds[spec.code] = rule.entity_kind
        reads[spec.code] = {n for side in sides for n in side.names}
    needed = sorted({n for names in reads.values() for n in names})
    touched = obs.select(KEYS).unique()
    stored = _stored(touched, needed)
    new = obs.filter(pl.col("variable").is_in(needed)).select(
        *KEYS, "variable", pl.col("value").cast(pl.Float64)
    )
    combined = pl.concat([stored, new]).unique(
        subset=[*KEYS, "variable"], keep="last", maintain_order=True
    )
    wide = combined.pivot(on="variable", index=KEYS, values="value", aggregate_function="first")
    wide = wide.with_columns(
        pl.lit(None, dtype=pl.Float64).alias(c) for c in needed if c not in wide.columns
    )
    positions = obs.group_by(KEYS).agg(
        pl.col("source_file").first(),
        pl.col("sheet").first(),
        pl.col("row").min(),
        pl.col("variable").alias("__given"),
    )
    for spec in specs:
        rows = wide.filter(pl.col("entity_kind") == kinds[spec.code])
        if rows.is_empty():
            continue
        violations = engine.run_rules([spec], rows, namespace, keys=KEYS)
        if violations.is_empty():
            continue
        located = violations.join(positions, on=KEYS, how="left", maintain_order="left")
        found = engine.violations_to_problems(violations, [spec], namespace)
        for p, row in zip(found, located.iter_rows(named=True), strict=True):
            mine = bool(reads[spec.code] & set(row["__given"] or ()))
            problems.append(
                replace(
                    p,
                    file=row["source_file"],
                    sheet=row["sheet"] or None,
                    row=row["row"],
                    value=row["period"],
                    column="期间",
                )
                if mine
                else replace(
                    p,
                    code="validation.stored_violation",
                    message=f"库中已有数据（非本次导入的数值）{p.message}；不影响本次导入，"
                    "请另行核实更正",
                    severity="warning",
                    file=row["source_file"],
                    sheet=row["sheet"] or None,
                    row=row["row"],
                    value=row["period"],
                    column="期间",
                )
            )
    return problems


def _stored(touched: pl.DataFrame, variables: list[str]) -> pl.DataFrame:
    schema = {
        "entity_id": pl.Int64,
        "entity_kind": pl.String,
        "period": pl.String,
        "variable": pl.String,
        "value": pl.Float64,
    }
    if touched.is_empty() or not variables:
        return pl.DataFrame(schema=schema)
    rows = Observation.objects.filter(
        entity_id__in=touched["entity_id"].unique().to_list(),
        period__in=touched["period"].unique().to_list(),
        variable__code__in=variables,
    ).values_list("entity_id", "entity__kind", "period", "variable__code", "value")
    stored = pl.DataFrame(
        [(e, k, p, v, float(x)) for e, k, p, v, x in rows], schema=schema, orient="row"
    )
    return stored.join(touched, on=KEYS, how="semi")
