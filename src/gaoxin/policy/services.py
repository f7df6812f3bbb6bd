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
    "LateTasks",
    "MeasureList",
    "TargetProgress",
    "TaskDetail",
    "UnitTasks",
    "evidence_file",
    "export_task_ledger",
    "import_policy_document",
    "late_tasks",
    "ledger_measures",
    "ledger_summary",
    "ledger_units",
    "report_measure_progress",
    "report_task_progress",
    "target_progress",
    "task_detail",
    "unit_tasks",
    "unlinked_units",
    "visible_tasks",
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
    pack: LoadedPack,
    scope: Entity | None,
    *,
    by: Any,
    as_of: int | None = None,
    preview: bool = False,
) -> TargetProgress:
    """Progress towards ``pack``'s targets over ``scope`` (None: the whole store, measured for
    the smallest region holding every reporting zone) as of the year ``as_of`` (default: the
    latest year with data): baseline, current value, target, progress, the projection to each
    deadline by the trend, and a status. Published data, or with ``preview`` also data under
    review (the dashboard's preview; the face decides who may see it).

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
    from gaoxin.statistics import analytics

    check_scope(by, scope)
    spec = pack.spec
    # published data from the analytics tables (decision 036), as the monitor and dashboards
    facts, _ = analytics.facts(scope, by=by, preview=preview)
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


# ----------------------------------------------------------------------------------------------
# The task ledger in the browser: a unit's measures, reporting progress with evidence
# (decision 031)
# ----------------------------------------------------------------------------------------------
#: The largest evidence file accepted, in bytes (20 MB: a scanned 会议纪要 or a few photographs).
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
#: Evidence types accepted: suffix -> (what it is, the signatures its first bytes may start with).
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("PDF", (b"%PDF-",)),
    ".ofd": ("OFD", (b"PK\x03\x04",)),
    ".jpg": ("JPEG图片", (b"\xff\xd8\xff",)),
    ".jpeg": ("JPEG图片", (b"\xff\xd8\xff",)),
    ".png": ("PNG图片", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("Word文档", (b"PK\x03\x04",)),
    ".xlsx": ("Excel工作簿", (b"PK\x03\x04",)),
    ".doc": ("Word 97-2003文档", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    ".xls": ("Excel 97-2003工作簿", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
}
#: At most this many files with one report.
EVIDENCE_MAX_FILES = 10


@dataclass(frozen=True)
class UnitTasks:
    """One responsible unit's measures: ``assignments`` annotated with their status
    (``AssignmentQuerySet.with_status``), the measure and its document selected; ``mine`` when
    the acting user reports for this unit."""

    unit: Any
    assignments: list[Any]
    mine: bool

    @property
    def late(self) -> int:
        return sum(1 for a in self.assignments if a.is_late)


@dataclass(frozen=True)
class TaskDetail:
    """One unit's share of one measure: the assignment (with status), the other units of the
    measure, the reports the user may read (the unit's own and the measure's as a whole; every
    unit's where the user's unit leads the measure) and whether the user may report."""

    assignment: Any
    others: list[Any]
    reports: list[Any]
    can_report: bool
    sees_all: bool


def _scope_root(by: Any) -> Any:
    """The user's scope entity (None: everything), refusing a user without a scope."""
    from gaoxin.services import scope_for

    return scope_for(by)


def _reports_for(by: Any, unit: Any) -> bool:
    """``by`` reports for ``unit``: the unit is linked (by a person, in the admin) to the entity
    that is the user's scope, and the user's role may file progress; a superuser and the
    operator at the terminal report for every unit."""
    if by is None or getattr(by, "is_superuser", False):
        return True
    root = _scope_root(by)
    return (
        unit.entity_id is not None
        and root is not None
        and unit.entity_id == root.pk
        and by.has_perm("policy.add_progressreport")
    )


def _visible_units(by: Any) -> Any:
    """Units whose linked entity lies in ``by``'s scope (every unit for a superuser)."""
    from gaoxin.policy.models import ResponsibleUnit

    units = ResponsibleUnit.objects.all()
    root = _scope_root(by)
    if root is None:
        return units
    return units.filter(entity__path__startswith=root.path)


def _led_measures(by: Any) -> Any:
    """Measures one of ``by``'s own units leads (its lead sees every unit's reports)."""
    from gaoxin.policy.choices import AssignmentRole
    from gaoxin.policy.models import Assignment

    root = _scope_root(by)
    if root is None:
        return Assignment.objects.filter(role=AssignmentRole.LEAD).values("measure")
    return Assignment.objects.filter(role=AssignmentRole.LEAD, unit__entity=root).values("measure")


def ledger_units(*, by: Any, today: Any = None) -> list[Any]:
    """The responsible units ``by`` may see (linked to an entity in their scope), each
    annotated with ``measures`` (lead and participating), ``late`` (滞后, deadline passed
    included) and ``mine`` (the user reports for it); own units first."""
    from django.db.models import Count, Q

    from gaoxin.policy.choices import ProgressStatus
    from gaoxin.policy.models import Assignment

    units = list(
        _visible_units(by)
        .filter(assignments__isnull=False)
        .distinct()
        .select_related("entity")
        .order_by("name")
    )
    counts = {
        row["unit_id"]: row
        for row in Assignment.objects.with_status(today)
        .filter(unit__in=[u.pk for u in units])
        .order_by()
        .values("unit_id")
        .annotate(measures=Count("pk"), late=Count("pk", filter=Q(status=ProgressStatus.LATE)))
    }
    for u in units:
        u.measures = counts.get(u.pk, {}).get("measures", 0)
        u.late = counts.get(u.pk, {}).get("late", 0)
        u.mine = _reports_for(by, u) if by is not None and not by.is_superuser else False
    return sorted(units, key=lambda u: (not u.mine, -u.late, u.name))


def unlinked_units() -> list[Any]:
    """Units with measures that no person has linked to a registry entity yet: nobody can
    report for them until one is (the admin's 责任单位 page sets the link)."""
    from gaoxin.policy.models import ResponsibleUnit

    return list(
        ResponsibleUnit.objects.filter(entity__isnull=True, assignments__isnull=False)
        .distinct()
        .order_by("name")
    )


def unit_tasks(unit_id: int, *, by: Any, today: Any = None) -> UnitTasks:
    """The measures unit ``unit_id`` leads or takes part in, with deadline and status, latest
    deadline last. :class:`~gaoxin.services.NotFound` for a unit that does not exist or lies
    outside ``by``'s scope (one answer for both)."""
    from django.db.models import F

    from gaoxin.policy.models import Assignment
    from gaoxin.services import NotFound

    unit = _visible_units(by).filter(pk=unit_id).select_related("entity").first()
    if unit is None:
        raise NotFound(f"找不到编号为 {unit_id} 的责任单位", value=str(unit_id))
    rows = list(
        Assignment.objects.with_status(today)
        .filter(unit=unit)
        .select_related("measure__document")
        .order_by(
            F("measure__deadline").asc(nulls_last=True), "measure__document_id", "measure__order"
        )
    )
    return UnitTasks(unit=unit, assignments=rows, mine=_reports_for(by, unit))


def _assignment(assignment_id: int, by: Any, today: Any = None) -> Any:
    """The assignment if ``by`` may see it: its unit's entity in their scope, or one of their
    units leads its measure; else NotFound."""
    from django.db.models import Q

    from gaoxin.policy.models import Assignment
    from gaoxin.services import NotFound

    visible = Q(unit__in=_visible_units(by)) | Q(measure__in=_led_measures(by))
    found = (
        Assignment.objects.with_status(today)
        .filter(visible, pk=assignment_id)
        .select_related("unit__entity", "measure__document")
        .first()
    )
    if found is None:
        raise NotFound(f"找不到编号为 {assignment_id} 的任务", value=str(assignment_id))
    return found


def visible_tasks(*, by: Any, today: Any = None) -> Any:
    """Every unit's share of a measure ``by`` may see (as :func:`task_detail` would show it):
    shares of units linked to an entity in their scope, and of measures one of their units
    leads; annotated with status, the unit and the measure's document selected."""
    from django.db.models import Q

    from gaoxin.policy.models import Assignment

    visible = Q(unit__in=_visible_units(by)) | Q(measure__in=_led_measures(by))
    return (
        Assignment.objects.with_status(today)
        .filter(visible)
        .select_related("unit", "measure__document")
        .order_by("measure__document_id", "measure__order", "order")
    )


def task_detail(assignment_id: int, *, by: Any, today: Any = None) -> TaskDetail:
    """One unit's share of a measure, as ``by`` may see it. NotFound outside their scope."""
    from django.db.models import Q

    from gaoxin.policy.models import Assignment, ProgressReport

    a = _assignment(assignment_id, by, today)
    root = _scope_root(by)
    leads = root is None or a.measure_id in set(_led_measures(by).values_list("measure", flat=True))
    others = list(
        Assignment.objects.with_status(today)
        .filter(measure=a.measure_id)
        .exclude(pk=a.pk)
        .select_related("unit")
        .order_by("order")
    )
    reports = ProgressReport.objects.filter(measure=a.measure_id)
    if not leads:
        reports = reports.filter(Q(assignment=a) | Q(assignment__isnull=True))
    reports = list(
        reports.select_related("assignment__unit", "reported_by")
        .prefetch_related("evidence")
        .order_by("-reported_on", "-id")
    )
    return TaskDetail(
        assignment=a,
        others=others,
        reports=reports,
        can_report=_reports_for(by, a.unit),
        sees_all=leads,
    )


def _check_evidence(files: Sequence[Any]) -> list[tuple[Any, bytes]]:
    """Read each uploaded file (``name``, ``size``, ``read()``) and check its size and type;
    LedgerError naming every file refused and why. Returns (file, its bytes)."""
    from gaoxin.policy.ledger import LedgerError

    if len(files) > EVIDENCE_MAX_FILES:
        raise LedgerError(
            f"一次最多上传 {EVIDENCE_MAX_FILES} 个佐证材料，本次选择了 {len(files)} 个"
        )
    accepted = "、".join(sorted({s.lstrip(".").upper() for s in EVIDENCE_TYPES}))
    problems: list[str] = []
    read: list[tuple[Any, bytes]] = []
    for f in files:
        name = Path(f.name).name
        suffix = Path(name).suffix.lower()
        if suffix not in EVIDENCE_TYPES:
            problems.append(f"「{name}」：不接受此类文件，只接受 {accepted}")
            continue
        if f.size == 0:
            problems.append(f"「{name}」：文件是空的")
            continue
        if f.size > EVIDENCE_MAX_BYTES:
            problems.append(
                f"「{name}」：文件大小 {f.size / 1048576:.1f} MB，"
                f"超过上限 {EVIDENCE_MAX_BYTES // 1048576} MB"
            )
            continue
        data = f.read()
        label, signatures = EVIDENCE_TYPES[suffix]
        if not data.startswith(signatures):
            problems.append(f"「{name}」：内容不是{label}（文件扩展名与内容不符）")
            continue
        read.append((f, data))
    if problems:
        raise LedgerError("佐证材料未通过检查，本次未保存任何内容：" + "；".join(problems))
    return read


def report_task_progress(
    assignment_id: int,
    status: str,
    *,
    by: Any,
    note: str = "",
    files: Sequence[Any] = (),
    today: Any = None,
) -> Any:
    """Append a progress report for one unit's share of a measure, by a user who reports for
    that unit, with evidence ``files`` (uploaded files: ``name``, ``size``, ``read()``) stored
    under MEDIA_ROOT/evidence/. NotFound where ``by`` may not see the task or does not report
    for its unit; LedgerError (nothing written) for a bad status, an empty report or a file of
    the wrong size or type. Append-only: an earlier report is never changed."""
    import tempfile

    from django.db import transaction

    from gaoxin.policy.choices import ProgressStatus
    from gaoxin.policy.ledger import LedgerError, _store_evidence
    from gaoxin.policy.models import ProgressReport
    from gaoxin.services import NotFound

    a = _assignment(assignment_id, by, today)
    if not _reports_for(by, a.unit):
        # seen (a supervisor, or the lead unit) but not theirs to report: same as missing
        raise NotFound(f"找不到编号为 {assignment_id} 的任务", value=str(assignment_id))
    if status not in ProgressStatus.values:
        allowed = "、".join(str(label) for label in ProgressStatus.labels)
        raise LedgerError(f"请选择进展状态（{allowed}）")
    note = note.strip()
    if not note and not files:
        raise LedgerError("请填写进展说明或上传佐证材料")
    checked = _check_evidence(files)
    with transaction.atomic(), tempfile.TemporaryDirectory() as tmp:
        report = ProgressReport.objects.create(
            measure_id=a.measure_id, assignment=a, status=status, note=note, reported_by=by
        )
        for i, (f, data) in enumerate(checked):
            path = Path(tmp) / str(i) / Path(f.name).name
            path.parent.mkdir()
            path.write_bytes(data)
            _store_evidence(report, path)
    return report


def evidence_file(evidence_id: int, *, by: Any) -> Any:
    """An evidence file ``by`` may read (its report's task is visible to them); NotFound
    otherwise."""
    from django.db.models import Q

    from gaoxin.policy.models import Evidence
    from gaoxin.services import NotFound

    found = (
        Evidence.objects.filter(pk=evidence_id)
        .select_related("report__assignment__unit", "report__measure")
        .first()
    )
    if found is not None:
        report = found.report
        root = _scope_root(by)
        if root is not None:
            led = report.measure_id in set(_led_measures(by).values_list("measure", flat=True))
            own = (
                report.assignment_id is not None
                and _visible_units(by).filter(Q(pk=report.assignment.unit_id)).exists()
            )
            whole = (
                report.assignment_id is None
                and report.measure.assignments.filter(unit__in=_visible_units(by)).exists()
            )
            if not (led or own or whole):
                found = None
    if found is None:
        raise NotFound(f"找不到编号为 {evidence_id} 的佐证材料", value=str(evidence_id))
    return found


@dataclass(frozen=True)
class LateTasks:
    """The 滞后 shares of measures in a supervisor's scope (reported late, or past the deadline
    and not done): ``tasks`` ordered by deadline; ``by_unit`` and ``by_document`` count them
    (``late``) against all shares (``total``), most late first."""

    tasks: list[Any]
    by_unit: list[dict[str, Any]]
    by_document: list[dict[str, Any]]


def late_tasks(*, by: Any, today: Any = None) -> LateTasks:
    """What a supervisor (province, city) follows up: the 滞后 shares of the units linked to
    entities in ``by``'s scope, by unit and by document."""
    from django.db.models import Count, F, Q

    from gaoxin.policy.choices import ProgressStatus
    from gaoxin.policy.models import Assignment

    shares = Assignment.objects.with_status(today).filter(unit__in=_visible_units(by))
    late = Q(status=ProgressStatus.LATE)
    tasks = list(
        shares.filter(late)
        .select_related("unit", "measure__document")
        .order_by(F("measure__deadline").asc(nulls_last=True), "unit__name", "measure__order")
    )
    by_unit = list(
        shares.order_by()
        .values("unit_id", "unit__name")
        .annotate(total=Count("pk"), late=Count("pk", filter=late))
        .filter(late__gt=0)
        .order_by("-late", "unit__name")
    )
    by_document = list(
        shares.order_by()
        .values("measure__document_id", "measure__document__title")
        .annotate(total=Count("pk"), late=Count("pk", filter=late))
        .filter(late__gt=0)
        .order_by("-late", "measure__document_id")
    )
    return LateTasks(tasks=tasks, by_unit=by_unit, by_document=by_document)
