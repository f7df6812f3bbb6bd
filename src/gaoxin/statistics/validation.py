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


def check_rules(rules: Sequence[ValidationRule], obs: pl.DataFrame) -> list[Problem]:
    """Problems for rules the imported values (with the stored ones) violate.

    ``obs`` is the resolved import frame: entity_id, entity_kind, variable, period, value, and
    the file position (source_file, sheet, row) of each value."""
    specs = rule_specs(rules)
    kinds = {r.code: r.entity_kind for r in rules}
    catalogue = default_catalogue()
    namespace = {v.code: {"type": "number", "label": v.zh} for v in catalogue}
    needed = sorted({n for s in specs for side in s.formulas(namespace) for n in side.names})
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
        pl.col("source_file").first(), pl.col("sheet").first(), pl.col("row").min()
    )
    problems: list[Problem] = []
    for spec in specs:
        rows = wide.filter(pl.col("entity_kind") == kinds[spec.code])
        if rows.is_empty():
            continue
        violations = engine.run_rules([spec], rows, namespace, keys=KEYS)
        if violations.is_empty():
            continue
        located = violations.join(positions, on=KEYS, how="left", maintain_order="left")
        found = engine.violations_to_problems(violations, [spec], namespace)
        problems += [
            replace(
                p,
                file=row["source_file"],
                sheet=row["sheet"] or None,
                row=row["row"],
                value=row["period"],
                column="期间",
            )
            for p, row in zip(found, located.iter_rows(named=True), strict=True)
        ]
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
