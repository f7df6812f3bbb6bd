"""Policy jobs as application services (decision 023): :func:`target_progress` measures how far
a jurisdiction has come towards a pack's targets (发展目标); the task ledger's jobs (import a
document, report progress, list, summarise, export) check the acting user and call
:mod:`gaoxin.policy.ledger`. ``gaoxin targets``, ``gaoxin doc ledger``, the pages and the API
render what they return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from gaoxin.engine.problems import Problem, ProblemsError

if TYPE_CHECKING:
    from gaoxin.engine.packs import LoadedPack
    from gaoxin.registry.models import Entity

__all__ = [
    "DocumentImport",
    "MeasureList",
    "TargetProgress",
    "export_task_ledger",
    "import_policy_document",
    "ledger_measures",
    "ledger_summary",
    "report_measure_progress",
    "target_progress",
]


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


# ---------------------------------------------------------------------------------------------
# The task ledger (任务分解表/台账). A policy document and its measures belong to no entity of
# the registry (the units are departments named in the text), so these jobs have no subtree to
# check: who may run them is a matter of role (gaoxin.accounts); ``by`` is recorded as the
# importer or reporter.

#: Chinese headings of the ledger summary's columns, in order.
SUMMARY_HEADERS = {
    "document_id": "文件",
    "title": "标题",
    "doc_number": "文号",
    "unit": "责任单位",
    "measures": "措施数",
    "lead": "牵头",
    "participating": "参与",
    "not_started": "未启动",
    "in_progress": "推进中",
    "done": "已完成",
    "late": "滞后",
    "amount_wan": "资金（万元）",
}


@dataclass(frozen=True)
class DocumentImport:
    """A policy document in the ledger: newly imported, or found already there (same file)."""

    document: Any
    already_imported: bool
    measures: int
    #: measures with at least one responsible unit
    with_units: int


@dataclass(frozen=True)
class MeasureList:
    """Measures with their current status (``late`` when past the deadline and not done), the
    units responsible for each (a participating unit marked 参与), and the latest note."""

    measures: list[Any]
    units: dict[int, list[str]]

    @property
    def late(self) -> int:
        return sum(1 for m in self.measures if m.status == "late")


def _document(document_id: int) -> Any:
    from gaoxin.policy.models import PolicyDocument
    from gaoxin.services import NotFound

    document = PolicyDocument.objects.filter(pk=document_id).first()
    if document is None:
        raise NotFound(
            f"找不到编号为 {document_id} 的政策文件；用 gaoxin doc ledger summary --by document "
            "查看已导入的文件及其编号。",
            value=str(document_id),
        )
    return document


def import_policy_document(source: Path, *, by: Any) -> DocumentImport:
    """Parse the policy document ``source`` (.txt, .html, .docx, a .pdf with a text layer) into
    the task ledger as imported by ``by``; a file imported before is found, not stored twice.
    ProblemsError when it cannot be read."""
    from gaoxin.policy.ledger import import_document

    document = import_document(source, user=by)
    return DocumentImport(
        document=document,
        already_imported=bool(document.already_imported),
        measures=document.measures.count(),
        with_units=document.measures.filter(assignments__isnull=False).distinct().count(),
    )


def ledger_measures(
    *,
    by: Any,
    document: int | None = None,
    unit: str | None = None,
    status: str | None = None,
) -> MeasureList:
    """The measures of ``document`` (its number; None: every document), of units whose name
    contains ``unit``, in ``status``. :class:`~gaoxin.services.NotFound` for an unknown
    document."""
    from gaoxin.policy.choices import AssignmentRole
    from gaoxin.policy.ledger import measures
    from gaoxin.policy.models import Assignment

    if document is not None:
        _document(document)
    rows = list(measures(document=document, unit=unit, status=status))
    units: dict[int, list[str]] = {}
    for measure_id, name, role in (
        Assignment.objects.filter(measure__in=[m.pk for m in rows])
        .order_by("measure_id", "order")
        .values_list("measure_id", "unit__name", "role")
    ):
        units.setdefault(measure_id, []).append(
            name if role == AssignmentRole.LEAD else f"{name}（参与）"
        )
    return MeasureList(rows, units)


def report_measure_progress(
    measure_id: int,
    status: str,
    *,
    by: Any,
    note: str = "",
    unit: str | None = None,
    evidence: Sequence[Path] = (),
) -> Any:
    """Append a progress report (``status``: not_started, in_progress, done or late) to measure
    ``measure_id``, as a whole or, given ``unit``, for that responsible unit, by ``by``, with
    ``evidence`` files copied beside it. :class:`~gaoxin.services.NotFound` for an unknown
    measure; :class:`gaoxin.policy.ledger.LedgerError` for a unit not responsible for it, a bad
    status or a missing file (nothing written)."""
    from gaoxin.policy.ledger import LedgerError, report_progress
    from gaoxin.policy.models import Assignment, Measure
    from gaoxin.services import NotFound

    measure = Measure.objects.filter(pk=measure_id).first()
    if measure is None:
        raise NotFound(
            f"找不到 ID 为 {measure_id} 的措施；用 gaoxin doc ledger list 查看措施 ID。",
            value=str(measure_id),
        )
    target: Measure | Assignment = measure
    if unit:
        assignment = measure.assignments.filter(unit__name=unit).first()
        if assignment is None:
            raise LedgerError(f"「{unit}」不是措施 {measure.number} 的责任单位。")
        target = assignment
    return report_progress(target, status, note, user=by, evidence_paths=evidence)


def ledger_summary(*, by: Any, group: str = "unit", document: int | None = None) -> pl.DataFrame:
    """Progress summed per responsible unit (``group="unit"``, optionally of one ``document``)
    or per document (``group="document"``): measures, lead and participating, how many not
    started, in progress, done and late, and the money involved; Chinese column headings.
    ProblemsError for another ``group``, NotFound for an unknown document."""
    from gaoxin.policy.ledger import summary_by_document, summary_by_unit

    if group not in ("unit", "document"):
        raise ProblemsError(
            [Problem("ledger.group", "只能按 unit（责任单位）或 document（文件）汇总", value=group)]
        )
    if group == "unit":
        frame = summary_by_unit(_document(document) if document is not None else None)
    else:
        frame = summary_by_document()
    shown = frame.select([c for c in frame.columns if c in SUMMARY_HEADERS])
    return shown.rename({c: SUMMARY_HEADERS[c] for c in shown.columns})


def export_task_ledger(document_id: int, out: Path, *, by: Any) -> Path:
    """The task breakdown table (任务分解表) of document ``document_id`` as XLSX, with each
    measure's current status, latest report date and note. NotFound for an unknown document."""
    from gaoxin.policy.ledger import export_ledger

    return export_ledger(_document(document_id), out)
