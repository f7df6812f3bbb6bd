"""Statistics jobs as application services (decision 023): the monitoring table (月监测/季分析),
importing a filled form, exporting observations, a blank reporting template. ``gaoxin monitor``,
``gaoxin import``, ``gaoxin export``, ``gaoxin template``, the pages and the API render what
they return; each checks the acting user's scope first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.services import check_scope

if TYPE_CHECKING:
    from gaoxin.engine.monitor import MonitorTable
    from gaoxin.engine.periods import Period
    from gaoxin.registry.models import Entity

__all__ = ["Monitoring", "monitor"]


@dataclass(frozen=True)
class Monitoring:
    """The monitoring table of ``period`` over ``scope``: one row per reporting zone, the key
    indicators' value, year-to-date, 同比 growth and rank (:class:`gaoxin.engine.monitor.
    MonitorTable`), under its title."""

    period: Period
    scope: Entity | None
    table: MonitorTable

    @property
    def title(self) -> str:
        name = {"month": "月度监测表", "quarter": "季度分析表"}.get(self.period.kind, "监测表")
        place = self.scope.name if self.scope is not None else ""
        return f"{place}高新区主要指标{name}（{self.period.label()}）"

    def write(self, path: Path) -> Path:
        """``.csv`` as it stands, anything else as the printed workbook (印发格式)."""
        from gaoxin.engine.monitor import write_monitor_xlsx

        if path.suffix.lower() == ".csv":
            return self.table.to_csv(path)
        return write_monitor_xlsx(self.table, path, self.title)


def monitor(
    period: Period,
    scope: Entity | None,
    *,
    by: Any,
    indicators: Sequence[str] | None = None,
) -> Monitoring:
    """The monitoring table (月监测 for a month, 季分析 for a quarter) of the zones in ``scope``
    (None: the whole store) with statistics in ``period``'s year, for ``indicators`` (default:
    the key indicators).

    Raises :class:`~gaoxin.services.OutOfScope` when ``scope`` is outside ``by``'s, and
    ProblemsError when no zone has data that year, for an unknown indicator code or a period
    without data."""
    from gaoxin.engine.monitor import monitor_table
    from gaoxin.statistics.facts import engine_facts

    check_scope(by, scope)
    code = str(period)
    facts = engine_facts(scope)
    # Zones with any statistics this year (their own or their enterprises'): the registry
    # lists every national zone, most of which a provincial division has no data for.
    year = code[:4]
    reporting = (
        facts.observations.filter(pl.col("period").cast(pl.String).str.starts_with(year))
        .select(pl.col("entity").cast(pl.String))
        .unique()
    )
    zones = (
        facts.entities.with_columns(pl.col("entity", "zone").cast(pl.String))
        .join(reporting, on="entity", how="semi")["zone"]
        .drop_nulls()
        .unique()
        .sort()
        .to_list()
    )
    if not zones:
        raise ProblemsError(
            [
                Problem(
                    "monitor.no_data",
                    f"{year} 年没有任何园区的统计数据：请先导入数据（gaoxin import）或载入演示数据（gaoxin demo）",
                    value=code,
                )
            ]
        )
    try:
        table = monitor_table(
            facts, code, indicators=list(indicators) if indicators else None, zones=zones
        )
    except (KeyError, ValueError) as exc:
        message = str(exc.args[0] if exc.args else exc)
        raise ProblemsError([Problem("monitor.request", message, value=code)]) from None
    return Monitoring(period, scope, table)
