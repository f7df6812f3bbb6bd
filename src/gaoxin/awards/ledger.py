"""Recording a rules run in the award ledger: only what changed, in one transaction.

Recording a run again for the same pack and period compares each (rule, entity) with the entry
standing in the ledger: the same decision (outcome, amount, action, year of payment, caps that
bit) → nothing is written; a different one → a reversal of the standing entry plus a new entry;
a decision that no longer appears → a reversal. Rows the run left *undetermined* (an input was
missing) are neither recorded nor reverse what stands: missing data decides nothing (decision
007).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction

from gaoxin.awards.models import AwardEntry, EntryKind
from gaoxin.engine.packs.bindings import Bound
from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.engine.rules import LEDGER_COLUMNS, Outcomes
from gaoxin.locks import serialise
from gaoxin.registry.models import Entity

#: Trace columns kept as the entry's own fields, not repeated in its ``trace`` JSON: the rules'
#: ledger columns plus the texts the entry stores.
_OWN = (*LEDGER_COLUMNS, "quote", "text", "action_zh")


@dataclass(frozen=True)
class Receipt:
    """What a run rests on, so it can be replayed: the pack as it was, the engine, the data."""

    pack: str
    pack_hash: str
    engine_version: str
    input_hash: str
    evaluation_runs: tuple[int, ...] = ()


@dataclass(frozen=True)
class Recorded:
    added: list[AwardEntry]
    reversals: list[AwardEntry]
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.reversals)


def _jsonable(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    return v


def _decision(
    outcome: str,
    amount_fen: int | None,
    action: str | None,
    paid_in: int | None,
    capped_by: list[str] | None,
) -> tuple[Any, ...]:
    return (outcome, amount_fen, action or "", paid_in, tuple(capped_by or ()))


def record(
    outcomes: Outcomes,
    bound: Bound,
    receipt: Receipt,
    period: str,
    *,
    decided_on: date,
    parameters: Mapping[str, Any] | None = None,
    scope: Entity | None = None,
    by: Any = None,
) -> Recorded:
    """Write the run's ledger rows that differ from the standing ledger of ``receipt.pack`` and
    ``period``; see the module docstring. The run covered ``scope`` (None: the whole store): only
    the standing entries of entities in it are compared, so that a run over one city never
    reverses another city's awards. New rows record ``by`` as who acted (None: the command
    line). Raises :class:`ProblemsError` (writing nothing) when an entity of the run is not in
    the registry."""
    traces = outcomes.traces
    codes = traces["entity"].unique().to_list()
    kinds = dict(bound.frame.select("entity", pl.col("kind").cast(pl.String)).iter_rows())
    wanted = {(kinds.get(c), c) for c in codes}
    ids = {
        (k, c): i
        for i, k, c in Entity.objects.filter(code__in=codes).values_list("id", "kind", "code")
    }
    unknown = sorted(c for k, c in wanted if (k, c) not in ids)
    if unknown:
        raise ProblemsError(
            Problem("awards.unknown_entity", "登记库中没有该主体，无法记账", value=c)
            for c in unknown
        )
    origins = {r["entity"]: r for r in bound.origin.to_dicts()}
    new: dict[tuple[str, str], dict[str, Any]] = {}
    for row in traces.to_dicts():
        new[(row["rule"], row["entity"])] = row

    with transaction.atomic():
        # row locks cannot stop two runs from both adding the same new entry
        serialise(f"awards:{receipt.pack}:{period}")
        standing = {
            (e.rule, e.entity.code): e
            for e in AwardEntry.objects.select_for_update(of=("self",))
            .standing()
            .within(scope)
            .filter(pack=receipt.pack, period=period)
            .select_related("entity")
        }
        undetermined = set()
        if outcomes.undetermined.height:
            undetermined = set(outcomes.undetermined.select("rule", "entity").iter_rows())
        reversals: list[AwardEntry] = []
        added: list[AwardEntry] = []
        unchanged = 0
        for key, old in standing.items():
            row = new.get(key)
            if row is None and key in undetermined:
                continue  # undecided this time: what stands keeps standing
            if row is not None and _decision(
                row["outcome"], row["amount_fen"], row["action"], row["paid_in"], row["capped_by"]
            ) == _decision(old.outcome, old.amount_fen, old.action, old.paid_in, old.capped_by):
                unchanged += 1
                new.pop(key)
                continue
            reversals.append(_reversal(old, receipt, decided_on, replaced=row is not None, by=by))
        for (rule, code), row in new.items():
            inputs = json.loads(row.get("inputs") or "{}")
            trace = {k: _jsonable(v) for k, v in row.items() if k not in _OWN}
            trace["inputs"] = inputs
            origin = origins.get(code, {})
            trace["origins"] = {n: origin.get(n) for n in inputs if n in origin}
            trace["sources"] = {n: bound.sources[n][1] for n in inputs if n in bound.sources}
            trace["parameters"] = {k: str(v) for k, v in (parameters or {}).items()}
            added.append(
                AwardEntry(
                    pack=receipt.pack,
                    pack_hash=receipt.pack_hash,
                    rule=rule,
                    article=row["article"],
                    quote=row["quote"],
                    entity_id=ids[(kinds.get(code), code)],
                    period=period,
                    decided_on=decided_on,
                    outcome=row["outcome"],
                    amount_fen=row["amount_fen"],
                    action=row["action"] or "",
                    paid_in=row["paid_in"],
                    capped_by=list(row["capped_by"] or []),
                    trace=trace,
                    text=row["text"],
                    engine_version=receipt.engine_version,
                    input_hash=receipt.input_hash,
                    evaluation_runs=list(receipt.evaluation_runs),
                    created_by=by,
                )
            )
        for e in reversals:
            e.save()
        for e in added:
            e.save()
    return Recorded(added, reversals, unchanged)


def _reversal(
    old: AwardEntry, receipt: Receipt, decided_on: date, *, replaced: bool, by: Any = None
) -> AwardEntry:
    why = "重新核定" if replaced else "本次核定不再符合条件"
    return AwardEntry(
        pack=old.pack,
        pack_hash=receipt.pack_hash,
        rule=old.rule,
        article=old.article,
        quote=old.quote,
        entity_id=old.entity_id,
        period=old.period,
        decided_on=decided_on,
        outcome=old.outcome,
        amount_fen=None if old.amount_fen is None else -old.amount_fen,
        action=old.action,
        paid_in=old.paid_in,
        capped_by=[],
        trace={"reverses": old.pk, "reason": why},
        text=f"冲销第{old.pk}号记录（{why}）：{old.text}",
        engine_version=receipt.engine_version,
        input_hash=receipt.input_hash,
        evaluation_runs=list(receipt.evaluation_runs),
        kind=EntryKind.REVERSAL,
        reverses=old,
        created_by=by,
    )
