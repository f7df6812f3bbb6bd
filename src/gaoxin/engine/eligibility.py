"""免申即享 (eligibility without application): who qualifies under a pack's rules this period
from the data already held, and who might, with the inputs still missing.

``eligibility(pack, frame, period)`` runs the rules engine once over the whole frame (no loop
over entities) and splits its result:

* ``qualified`` — entities whose condition holds and whose award is known: the ledger rows that
  would be paid or acted on (rows already paid under a ``once`` rule, or superseded under a
  就高不重复 group, are left out — they bring the entity nothing now);
* ``possible`` — entities whose condition is unknown only because inputs are missing (or whose
  condition holds but whose amount cannot be computed): each with the missing inputs, their
  Chinese names, and what each would have to be for the entity to qualify, read from the
  rule's condition (``须 年度技术交易额 ≥ 200``). Entities whose condition is false on the data
  held are in neither.

A column the rules read that the frame does not have at all counts as missing for every entity
(so a partial data set still gives a list of who to ask for what). Missing is never zero
(decision 007): the conditions are evaluated in three-valued logic, so ``a and b`` with ``a``
false is false whatever ``b`` is, and such an entity is not asked for ``b``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from gaoxin.engine.expr import ExprType, Namespace, check
from gaoxin.engine.expr.describe import Describer
from gaoxin.engine.expr.syntax import BoolOp, Compare, Literal, Name, Node, Unary, walk
from gaoxin.engine.packs.loader import LoadedPack, pack_namespace
from gaoxin.engine.packs.schema import Pack
from gaoxin.engine.periods import Period
from gaoxin.engine.rules import parameter_values, run_rules

_DTYPES = {ExprType.NUMBER: pl.Float64, ExprType.BOOL: pl.Boolean, ExprType.STRING: pl.String}
_CMP = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "为", "!=": "不为"}
_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}

QUALIFIED_COLUMNS = ("rule", "entity", "outcome", "amount_fen", "amount", "action", "text")


@dataclass(frozen=True)
class Eligibility:
    """``qualified``: rule, entity, outcome, amount_fen, amount, action, text.
    ``possible``: rule, entity, reason (``condition`` / ``amount``), missing (input ids),
    missing_labels, needs (one Chinese phrase per missing input)."""

    qualified: pl.DataFrame
    possible: pl.DataFrame


def eligibility(
    pack: LoadedPack | Pack,
    frame: pl.DataFrame,
    period: Period | str,
    *,
    rules: Iterable[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    paid_before: pl.DataFrame | None = None,
    entity: str = "entity",
    kind: str = "kind",
) -> Eligibility:
    """Who qualifies under ``rules`` (default: every rule in force) of ``pack`` in ``period``
    from ``frame``, and who might; arguments as for :func:`gaoxin.engine.rules.run_rules`."""
    loaded = pack if isinstance(pack, LoadedPack) else LoadedPack(pack, "")
    spec = loaded.spec
    per = period if isinstance(period, Period) else Period.parse(period)
    values = {k: v for k, v in parameter_values(spec, per, parameters).items() if v is not None}
    ns = pack_namespace(spec, loaded.extra_names, values)
    wanted = set(rules) if rules is not None else None
    chosen = [r for r in spec.rules if wanted is None or r.id in wanted]
    conditions = {r.id: check(r.when, ns, functions=loaded.functions) for r in chosen}
    frame = _with_absent_inputs(frame, chosen, ns, loaded)

    out = run_rules(
        loaded,
        frame,
        per,
        rules=rules,
        parameters=parameters,
        paid_before=paid_before,
        entity=entity,
        kind=kind,
    )
    brings_nothing = (
        pl.col("capped_by").list.contains("once") | pl.col("superseded_by").is_not_null()
    )
    qualified = out.traces.filter(~brings_nothing).select(QUALIFIED_COLUMNS)

    und = out.undetermined
    if und.is_empty():
        und = pl.DataFrame(
            schema={
                "rule": pl.String,
                "entity": pl.String,
                "reason": pl.String,
                "missing": pl.List(pl.String),
            }
        )
    hints = _hints(conditions, ns)
    labels = {n: (ns[n].label or n) for n in ns}
    long = (
        und.with_row_index("_row")
        .explode("missing")
        .join(hints, left_on=["rule", "missing"], right_on=["rule", "input"], how="left")
        .with_columns(
            label=pl.col("missing").replace_strict(labels, default=pl.col("missing")),
        )
        .with_columns(
            need=pl.when(pl.col("reason") == "amount")
            .then(pl.concat_str([pl.lit("需提供"), pl.col("label"), pl.lit("以核定金额")]))
            .otherwise(
                pl.coalesce(
                    pl.col("need"),
                    pl.concat_str([pl.lit("需提供"), pl.col("label")]),
                )
            )
        )
    )
    possible = (
        long.group_by("_row", maintain_order=True)
        .agg(
            pl.col("rule", "entity", "reason").first(),
            missing=pl.col("missing").drop_nulls(),
            missing_labels=pl.col("label").drop_nulls(),
            needs=pl.col("need").filter(pl.col("missing").is_not_null()),
        )
        .drop("_row")
        .sort("rule", "entity")
    )
    return Eligibility(qualified.sort("rule", "entity"), possible)


def _with_absent_inputs(
    frame: pl.DataFrame, rules: list[Any], ns: Namespace, loaded: LoadedPack
) -> pl.DataFrame:
    """Columns the conditions and amounts read that ``frame`` lacks, added as all-missing."""
    params = {p.id for p in loaded.spec.parameters}
    need: dict[str, None] = {}
    for r in rules:
        sources = [r.when]
        if r.money is not None:
            sources += [s for s in (r.money.amount, r.money.floor, r.money.cap) if s]
        for src in sources:
            for n in check(src, ns, functions=loaded.functions).names:
                if n not in params:
                    need.setdefault(n, None)
    absent = [n for n in need if n not in frame.columns and n in ns]
    return frame.with_columns(
        [pl.lit(None, dtype=_DTYPES.get(ns[n].type, pl.Float64)).alias(n) for n in absent]
    )


def _conjuncts(node: Node) -> list[Node]:
    """The parts of a condition joined by ``and`` at its top: each must hold on its own."""
    if isinstance(node, BoolOp) and node.op == "and":
        return [c for v in node.values for c in _conjuncts(v)]
    return [node]


def _constant(node: Node, ns: Namespace) -> str | None:
    if isinstance(node, Literal) and not isinstance(node.value, bool):
        v = node.value
        return f"“{v}”" if isinstance(v, str) else _number(v)
    if isinstance(node, Name) and node.id in ns and ns[node.id].kind == "parameter":
        value = ns[node.id].value
        return None if value is None else _number(value)
    return None


def _number(v: float | int) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _need(part: Node, name: str, ns: Namespace, describer: Describer) -> str:
    """What ``name`` must be for ``part`` (one conjunct of a condition) to hold."""
    label = describer.label(name)
    if isinstance(part, Name) and part.id == name:
        return f"须{label}为“是”"
    if isinstance(part, Unary) and part.op == "not" and isinstance(part.operand, Name):
        return f"须{label}为“否”"
    if isinstance(part, Compare) and len(part.ops) == 1:
        left, right = part.operands
        op = part.ops[0]
        if isinstance(right, Name) and right.id == name:
            left, right, op = right, left, _FLIP[op]
        value = _constant(right, ns)
        if isinstance(left, Name) and left.id == name and value is not None:
            return f"须{label} {_CMP[op]} {value}"
    return f"须满足：{describer.text(part)}"


def _hints(conditions: Mapping[str, Any], ns: Namespace) -> pl.DataFrame:
    """(rule, input, need): for each input a condition reads, what it must be — the conjuncts
    of the condition that read it, with parameters shown by their value for the period. Static
    per rule, then joined to the entities that lack the input."""
    rows = []
    for rule_id, f in conditions.items():
        describer = Describer(f.source, ns, f.functions)
        for part in _conjuncts(f.tree):
            reads = {n.id: None for n in walk(part) if isinstance(n, Name)}
            for name in reads:
                if name in ns and ns[name].kind == "parameter":
                    continue
                need = _need(part, name, ns, describer)
                rows.append({"rule": rule_id, "input": name, "need": need})
    frame = pl.DataFrame(rows, schema={"rule": pl.String, "input": pl.String, "need": pl.String})
    return frame.group_by("rule", "input", maintain_order=True).agg(pl.col("need").str.join("；"))
