"""Policy jobs as application services (decision 023): :func:`target_progress` measures how far
a jurisdiction has come towards a pack's targets (发展目标); the task ledger's jobs (import a
document, report progress, list, summarise, export) check the acting user and call
:mod:`gaoxin.policy.ledger`. ``gaoxin targets``, ``gaoxin doc ledger``, the pages and the API
render what they return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from gaoxin.engine.problems import Problem, ProblemsError

if TYPE_CHECKING:
    from gaoxin.engine.packs import LoadedPack
    from gaoxin.registry.models import Entity

__all__ = ["TargetProgress", "target_progress"]


@dataclass(frozen=True)
class TargetProgress:
    """Each target of a pack as of ``year`` for ``place`` (the jurisdiction measured): one row
    per target with 目标, 条款, 范围, 基期, 现值 (and 现值年份), 目标值, 期限, 进度, 预测, 状态 and 说明
    (:func:`gaoxin.engine.targets.targets_table`), and the data it rests on."""

    pack: LoadedPack
    table: pl.DataFrame
    year: int
    #: the region the targets were measured for (None: the whole country)
    jurisdiction: str | None
    place: str
    built_at: datetime
    input_hash: str

    @property
    def title(self) -> str:
        return f"{self.place}发展目标进度（{self.year}年）"

    @property
    def counts(self) -> list[tuple[str, int]]:
        """(status, number of targets), the commonest first."""
        c = self.table.group_by("状态").len().sort("len", descending=True)
        return [(s, n) for s, n in c.iter_rows()]

    def write_xlsx(self, path: Path) -> None:
        """The table as the printable workbook (A4 landscape), with its basis and data stamp."""
        from gaoxin.engine.clock import local_text
        from gaoxin.engine.targets import write_targets_xlsx

        note = (
            f"依据《{self.pack.spec.title}》　数据截至：{local_text(self.built_at)}"
            f"　输入哈希：{self.input_hash[:12]}"
        )
        write_targets_xlsx(self.table, path, self.title, note)


def _jurisdiction(entities: pl.DataFrame, zones: list[str]) -> str | None:
    """The smallest region holding every reporting zone: its city when they share one, else
    their province, else None (the whole country)."""
    z = entities.filter(pl.col("entity").is_in(zones))
    for column in ("city", "province"):
        values = z[column].unique().to_list()
        if len(values) == 1 and values[0] is not None:
            return str(values[0])
    return None


def target_progress(
    pack: LoadedPack, scope: Entity | None, *, by: Any, as_of: int | None = None
) -> TargetProgress:
    """Progress towards ``pack``'s targets over ``scope`` (None: the whole store, measured for
    the smallest region holding every reporting zone) as of the year ``as_of`` (default: the
    latest year with data): baseline, current value, target, progress, the projection to each
    deadline by the trend, and a status.

    Raises :class:`~gaoxin.services.OutOfScope` when ``scope`` is outside ``by``'s, and
    ProblemsError when no zone has yearly statistics."""
    from gaoxin.engine.indicators import compute, default_indicators
    from gaoxin.engine.targets import (
        IndicatorInfo,
        assess,
        no_data_reasons,
        target_series,
        targets_table,
        unavailable_reason,
    )
    from gaoxin.services import check_scope
    from gaoxin.statistics.facts import engine_facts

    check_scope(by, scope)
    spec = pack.spec
    facts = engine_facts(scope)
    entities = facts.entities.with_columns(
        pl.col("entity", "kind", "province", "city", "zone").cast(pl.String)
    )
    reporting = facts.observations.select(pl.col("entity").cast(pl.String)).unique()
    zones = (
        entities.join(reporting, on="entity", how="semi")["zone"]
        .drop_nulls()
        .unique()
        .sort()
        .to_list()
    )
    years = sorted(int(p) for p in facts.periods("year"))
    if not zones or not years:
        raise ProblemsError(
            [
                Problem(
                    "targets.no_data",
                    "没有任何园区的年度统计数据：请先导入数据（gaoxin import）或载入演示数据（gaoxin demo）",
                )
            ]
        )
    year = as_of if as_of is not None else years[-1]
    j = scope.code if scope is not None else _jurisdiction(entities, zones)
    j_kind = None
    if j is not None:
        kinds = entities.filter(pl.col("entity") == j)["kind"].to_list()
        j_kind = kinds[0] if kinds else None
    catalogue = {i.code: i for i in default_indicators()}
    info = {c: IndicatorInfo(i.level, i.additive) for c, i in catalogue.items()}
    unavailable = {
        t.id: why
        for t in spec.targets
        if (why := unavailable_reason(t, info.get(t.indicator), j_kind)) is not None
    }
    wanted = {t.indicator for t in spec.targets if t.id not in unavailable}
    result = compute(None, facts, [str(y) for y in years if y <= year], keep_frames=False)
    values = result.frame.filter(pl.col("indicator").is_in(wanted))
    series = target_series(
        values, entities, {c: info[c] for c in wanted}, jurisdiction=j, zones=zones
    )
    computable = [t for t in spec.targets if t.id not in unavailable]
    assessed = assess(computable, series, year)
    names = dict(zip(entities["entity"], entities["name"], strict=True))
    no_data = no_data_reasons(
        computable,
        result.formulas,
        result.namespace,
        facts.observations,
        entities,
        jurisdiction=j,
        as_of=year,
    )
    table = targets_table(spec.targets, assessed, unavailable, names, no_data)
    return TargetProgress(
        pack=pack,
        table=table,
        year=year,
        jurisdiction=j,
        place=names.get(j, j) if j is not None else "全国",
        built_at=facts.built_at,
        input_hash=facts.input_hash,
    )
