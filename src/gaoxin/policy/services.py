"""Policy jobs as application services (decision 023): :func:`target_progress` measures how far
a jurisdiction has come towards a pack's targets (发展目标); the task ledger's jobs (import a
document, report progress, list, summarise, export) check the acting user and call
:mod:`gaoxin.policy.ledger`. ``gaoxin targets``, ``gaoxin doc ledger``, the pages and the API
render what they return."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    "link_candidates",
    "link_responsible_unit",
    "linked_units",
    "reminders",
    "send_reminder",
    "unit_link_page",
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
        return self.heading()

    def heading(self, gettext: Callable[[str], str] | None = None) -> str:
        """The title in the reader's language: Chinese as printed, or through a page's
        ``gettext`` (decision 035); the place is data, 全国 is not."""
        gettext = gettext or (lambda text: text)
        place = self.place if self.jurisdiction is not None else gettext("全国")
        return gettext("%(place)s发展目标进度（%(year)s年）") % {"place": place, "year": self.year}

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
    gettext: Callable[[str], str] | None = None,
) -> TargetProgress:
    """Progress towards ``pack``'s targets over ``scope`` (None: the whole store, measured for
    the smallest region holding every reporting zone) as of the year ``as_of`` (default: the
    latest year with data): baseline, current value, target, progress, the projection to each
    deadline by the trend, and a status. Published data, or with ``preview`` also data under
    review (the dashboard's preview; the face decides who may see it). The table's texts are
    Chinese, as printed, unless a page passes its ``gettext`` (decision 035).

    Raises :class:`~gaoxin.services.OutOfScope` when ``scope`` is outside ``by``'s, and
    ProblemsError when no zone has yearly statistics."""
    from gaoxin.engine.indicators import compute, default_indicators
    from gaoxin.engine.targets import (
        IndicatorInfo,
        assess,
        chinese,
        no_data_reasons,
        target_series,
        targets_table,
        unavailable_reason,
    )
    from gaoxin.services import check_scope
    from gaoxin.statistics import analytics

    check_scope(by, scope)
    spec = pack.spec
    gettext = gettext or chinese
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
    info = {c: IndicatorInfo(i.level, i.additive, i.zh) for c, i in catalogue.items()}
    unavailable = {
        t.id: why
        for t in spec.targets
        if (why := unavailable_reason(t, info.get(t.indicator), j_kind, gettext)) is not None
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
        gettext=gettext,
    )
    table = targets_table(spec.targets, assessed, unavailable, names, no_data, gettext)
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


def import_policy_document(
    source: Path, *, by: Any, jurisdiction: Any = None, links: Path | None = None
) -> DocumentImport:
    """Parse the policy document ``source`` (.txt, .html, .docx, a .pdf with a text layer) into
    the task ledger as imported by ``by``, for the region ``jurisdiction`` (an Entity; None: read
    from the issuer); a file imported before is found, not stored twice. ``links`` is a reviewed
    alias file (a pack's units.yaml, :func:`load_unit_links`) applied after the import.
    ProblemsError when it cannot be read."""
    from django.db import transaction

    from gaoxin.policy.ledger import import_document

    with transaction.atomic():  # a links file refused takes the import back with it
        document = import_document(source, user=by, jurisdiction=jurisdiction)
        if links is not None:
            load_unit_links(document, links, by=by)
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
        Assignment.objects.filter(measure__in=[m.pk for m in rows], part_of__isnull=True)
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
        assignment = measure.assignments.filter(unit__name=unit, part_of__isnull=True).first()
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


#: Rows on one page of the unit page and the late list: a page an official reads through.
PAGE_SIZE = 50


def _page_of(rows: Any, number: Any, count: int) -> Any:
    """Page ``number`` of the queryset ``rows`` (:class:`django.core.paginator.Page`), whose
    length ``count`` the caller already counted with the list's other figures (no second
    COUNT). As everywhere in gaoxin (``Paginator.get_page``): a page number that is not a
    number shows the first page, one past the end the last."""
    from django.core.paginator import Paginator

    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = count  # a cached_property: set, it is not asked of the database
    return paginator.get_page(number)


@dataclass(frozen=True)
class UnitTasks:
    """One responsible unit's measures: ``assignments`` annotated with their status
    (``AssignmentQuerySet.with_status``), the measure and its document selected — every row,
    or the rows of ``page`` when a page was asked for; ``counts`` of the whole list (every
    status, not only the filtered one) by status code, ``total`` of them; ``mine`` when the
    acting user reports for one of the unit's shares."""

    unit: Any
    assignments: list[Any]
    mine: bool
    counts: dict[str, int]
    total: int
    #: the status shown (``None``: every status)
    status: str | None = None
    page: Any = None

    @property
    def late(self) -> int:
        return self.counts.get("late", 0)


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
    #: the 督办 reminders sent about this share, newest first
    reminders: list[Any]
    #: the user supervises this share and may send a 督办 reminder
    can_remind: bool


def _scope_root(by: Any) -> Any:
    """The user's scope entity (None: everything), refusing a user without a scope."""
    from gaoxin.services import scope_for

    return scope_for(by)


def _in_scope(root: Any) -> Any:
    """Q over assignments: the entity reporting the share lies in ``root``'s subtree (a share
    of a collective unit reports as its own entity; any other assignment as its unit's link)."""
    from django.db.models import Q

    return Q(entity__path__startswith=root.path) | Q(
        entity__isnull=True, unit__entity__path__startswith=root.path
    )


def _reporting_as(root: Any) -> Any:
    """Q over assignments reported by the entity ``root`` itself."""
    from django.db.models import Q

    return Q(entity=root) | Q(entity__isnull=True, unit__entity=root)


def _reports_for(by: Any, assignment: Any) -> bool:
    """``by`` reports for ``assignment``: the entity reporting it (a collective unit's share:
    its own; otherwise the unit's reviewed link) **is** the user's scope, and the user's role
    may file progress; a superuser and the operator at the terminal report for every share.
    Nobody reports on a collective unit as a whole (各设区市人民政府): each city on its share."""
    if assignment.is_collective:
        return False
    if by is None or getattr(by, "is_superuser", False):
        return True
    root = _scope_root(by)
    entity = assignment.reporting_entity_id
    return (
        entity is not None
        and root is not None
        and entity == root.pk
        and by.has_perm("policy.add_progressreport")
    )


def _visible_assignments(by: Any) -> Any:
    """Assignments whose reporting entity lies in ``by``'s scope (all for a superuser)."""
    from gaoxin.policy.models import Assignment

    root = _scope_root(by)
    if root is None:
        return Assignment.objects.all()
    return Assignment.objects.filter(_in_scope(root))


def _visible_units(by: Any) -> Any:
    """Units with a share reported by an entity in ``by``'s scope (every unit for a
    superuser)."""
    from gaoxin.policy.models import ResponsibleUnit

    units = ResponsibleUnit.objects.all()
    if _scope_root(by) is None:
        return units
    return units.filter(pk__in=_visible_assignments(by).values("unit"))


def _led_measures(by: Any) -> Any:
    """Measures one of ``by``'s own units leads (its lead sees every unit's reports). A share
    of a collective lead (厦门市's of 各设区市人民政府) leads its own part only: it does not see
    the other cities' shares."""
    from gaoxin.policy.choices import AssignmentRole
    from gaoxin.policy.models import Assignment

    root = _scope_root(by)
    if root is None:
        return Assignment.objects.filter(role=AssignmentRole.LEAD).values("measure")
    return Assignment.objects.filter(
        _reporting_as(root), role=AssignmentRole.LEAD, part_of__isnull=True
    ).values("measure")


def ledger_units(*, by: Any, today: Any = None) -> list[Any]:
    """The responsible units ``by`` may see (a share reported by an entity in their scope),
    each annotated with ``measures`` (lead and participating), ``late`` (滞后, deadline passed
    included) and ``mine`` (the user reports for one of its shares); own units first."""
    from django.db.models import Count, Q

    from gaoxin.policy.choices import ProgressStatus

    root = _scope_root(by)
    shares = _visible_assignments(by).exclude(_collective_parent())
    units = list(
        _visible_units(by)
        .filter(pk__in=shares.values("unit"))
        .select_related("entity")  # the index names each unit's entity
        .order_by("name")
    )
    counts = {
        row["unit_id"]: row
        for row in shares.with_status(today)
        .order_by()
        .values("unit_id")
        .annotate(measures=Count("pk"), late=Count("pk", filter=Q(status=ProgressStatus.LATE)))
    }
    own: set[int] = set()
    if root is not None and by.has_perm("policy.add_progressreport"):
        own = set(shares.filter(_reporting_as(root)).values_list("unit_id", flat=True))
    for u in units:
        u.measures = counts.get(u.pk, {}).get("measures", 0)
        u.late = counts.get(u.pk, {}).get("late", 0)
        u.mine = u.pk in own
    return sorted(units, key=lambda u: (not u.mine, -u.late, u.name))


def _collective_parent() -> Any:
    """Q over assignments: a collective unit's assignment as a whole, which its shares report."""
    from django.db.models import Exists, OuterRef

    from gaoxin.policy.models import Assignment

    return Exists(Assignment.objects.filter(part_of=OuterRef("pk")))


def unlinked_units(*, by: Any = None) -> list[Any]:
    """Units with measures that nobody can report for yet, in the part of the alias table
    ``by`` reviews (:func:`_linkable_units`; everything when ``by`` is None): no person has
    linked them to a registry entity, and they are not a collective unit that expands (a
    collective unit of a document without a jurisdiction is listed: it cannot expand)."""
    from django.db.models import Count, Exists, OuterRef, Q

    from gaoxin.policy.models import Assignment, ResponsibleUnit

    units = ResponsibleUnit.objects.all() if by is None else _linkable_units(by)
    shared = Exists(Assignment.objects.filter(unit=OuterRef("pk"), part_of__isnull=False))
    return list(
        units.filter(entity__isnull=True, assignments__isnull=False)
        .annotate(shared=shared)
        .filter(Q(shared=False))
        .annotate(
            measures=Count("assignments", filter=Q(assignments__part_of__isnull=True)),
            documents=Count("assignments__measure__document", distinct=True),
        )
        .select_related("jurisdiction")
        .order_by("jurisdiction__code", "name")
    )


def unit_tasks(
    unit_id: int,
    *,
    by: Any,
    today: Any = None,
    status: str | None = None,
    page: Any = None,
) -> UnitTasks:
    """The shares of unit ``unit_id`` that ``by`` may see (a city sees its own share of
    各设区市人民政府, the province every city's), with deadline and status, latest deadline
    last; each with ``can_report`` and the 督办 reminders sent about it (``reminders``).
    ``status`` (a :class:`ProgressStatus` code) keeps the shares of that status; ``page`` (a
    page number, as the URL gives it) reads :data:`PAGE_SIZE` rows of the list instead of all
    of them; the counts are always the whole list's, in one query.
    :class:`~gaoxin.services.NotFound` for a unit that does not exist or lies outside
    ``by``'s scope (one answer for both)."""
    from django.db.models import Count, F, Prefetch, Q

    from gaoxin.policy.choices import ProgressStatus
    from gaoxin.policy.models import Assignment, Reminder
    from gaoxin.services import NotFound

    unit = _visible_units(by).filter(pk=unit_id).select_related("entity").first()
    if unit is None:
        raise NotFound(f"找不到编号为 {unit_id} 的责任单位", value=str(unit_id))
    shares = _visible_assignments(by).exclude(_collective_parent()).with_status(today)
    shares = shares.filter(unit=unit)
    # ``_reports_for`` in SQL, for the whole list: the rows are all of one unit, so whether a
    # row is a collective unit's assignment as a whole depends on ``part_of`` alone.
    reportable = Q(part_of__isnull=False) if Assignment(unit=unit).is_collective else Q()
    root = _scope_root(by)
    reports = root is None or by.has_perm("policy.add_progressreport")
    if root is not None:
        reportable &= _reporting_as(root)
    figures = shares.order_by().aggregate(
        mine=Count("pk", filter=reportable),
        **{s.value: Count("pk", filter=Q(status=s.value)) for s in ProgressStatus},
    )
    mine = reports and figures.pop("mine") > 0
    figures.pop("mine", None)
    if status not in figures:
        status = None
    rows = (
        (shares if status is None else shares.filter(status=status))
        .select_related("measure__document", "unit", "entity")
        .prefetch_related(
            Prefetch("reminders", Reminder.objects.select_related("sent_by").order_by("-sent_at"))
        )
        .order_by(
            F("measure__deadline").asc(nulls_last=True),
            "measure__document_id",
            "measure__order",
            "entity__code",
            "pk",
        )
    )
    total = sum(figures.values())
    shown = None
    if page is not None:
        shown = _page_of(rows, page, total if status is None else figures[status])
    listed = list(rows if shown is None else shown.object_list)
    for a in listed:
        a.can_report = _reports_for(by, a)
    return UnitTasks(
        unit=unit,
        assignments=listed,
        mine=mine,
        counts=figures,
        total=total,
        status=status,
        page=shown,
    )


def _assignment(assignment_id: int, by: Any, today: Any = None) -> Any:
    """The assignment if ``by`` may see it: its reporting entity in their scope, or one of
    their units leads its measure; else NotFound."""
    from django.db.models import Q

    from gaoxin.policy.models import Assignment
    from gaoxin.services import NotFound

    root = _scope_root(by)
    visible = Q() if root is None else _in_scope(root) | Q(measure__in=_led_measures(by))
    found = (
        Assignment.objects.with_status(today)
        .filter(visible, pk=assignment_id)
        .select_related("unit__entity", "entity", "measure__document")
        .first()
    )
    if found is None:
        raise NotFound(f"找不到编号为 {assignment_id} 的任务", value=str(assignment_id))
    return found


def visible_tasks(*, by: Any, today: Any = None) -> Any:
    """Every unit's share of a measure ``by`` may see (as :func:`task_detail` would show it):
    shares reported by entities in their scope, and of measures one of their units leads;
    annotated with status, the unit and the measure's document selected."""
    from django.db.models import Q

    from gaoxin.policy.models import Assignment

    root = _scope_root(by)
    visible = Q() if root is None else _in_scope(root) | Q(measure__in=_led_measures(by))
    return (
        Assignment.objects.with_status(today)
        .filter(visible)
        .select_related("unit", "entity", "measure__document")
        .order_by("measure__document_id", "measure__order", "order", "entity__code")
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
        .exclude(_collective_parent())
        .select_related("unit", "entity")
        .order_by("order", "entity__code")
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
        can_report=_reports_for(by, a),
        sees_all=leads,
        reminders=list(a.reminders.select_related("sent_by").order_by("-sent_at", "-id")),
        can_remind=_reminds(by, a),
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
    reported_on: Any = None,
) -> Any:
    """Append a progress report for one unit's share of a measure, by a user who reports for
    that unit, with evidence ``files`` (uploaded files: ``name``, ``size``, ``read()``) stored
    under MEDIA_ROOT/evidence/, dated ``reported_on`` (default: today; the page never sets it,
    the demo's dated history does, decision 065). NotFound where ``by`` may not see the task or does not report
    for its unit; LedgerError (nothing written) for a bad status, an empty report or a file of
    the wrong size or type. Append-only: an earlier report is never changed."""
    import tempfile

    from django.db import transaction
    from django.utils import timezone

    from gaoxin.policy.choices import ProgressStatus
    from gaoxin.policy.ledger import LedgerError, _store_evidence
    from gaoxin.policy.models import ProgressReport
    from gaoxin.services import NotFound

    a = _assignment(assignment_id, by, today)
    if not _reports_for(by, a):
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
            measure_id=a.measure_id,
            assignment=a,
            status=status,
            note=note,
            reported_by=by,
            reported_on=reported_on or timezone.localdate(),
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
            visible = _visible_assignments(by)
            own = (
                report.assignment_id is not None
                and visible.filter(Q(pk=report.assignment_id)).exists()
            )
            whole = (
                report.assignment_id is None and visible.filter(measure=report.measure_id).exists()
            )
            if not (led or own or whole):
                found = None
    if found is None:
        raise NotFound(f"找不到编号为 {evidence_id} 的佐证材料", value=str(evidence_id))
    return found


@dataclass(frozen=True)
class LateTasks:
    """The 滞后 shares of measures in a supervisor's scope (reported late, or past the deadline
    and not done): ``tasks`` ordered by deadline (every one, or those of ``page`` when a page
    was asked for); ``by_unit`` and ``by_document`` count them (``late``) against all shares
    (``total``), most late first; ``count`` is how many are 滞后 in all."""

    tasks: list[Any]
    by_unit: list[dict[str, Any]]
    by_document: list[dict[str, Any]]
    count: int
    page: Any = None


def late_tasks(*, by: Any, today: Any = None, page: Any = None) -> LateTasks:
    """What a supervisor (province, city) follows up: the 滞后 shares of the units linked to
    entities in ``by``'s scope, by unit and by document. ``page`` (a page number, as the URL
    gives it) reads :data:`PAGE_SIZE` of the shares instead of all of them."""
    from django.db.models import Count, F, Q

    from gaoxin.policy.choices import ProgressStatus

    shares = _visible_assignments(by).exclude(_collective_parent()).with_status(today)
    late = Q(status=ProgressStatus.LATE)
    by_unit = list(
        shares.order_by()
        .values("unit_id", "unit__name", "entity__name")
        .annotate(total=Count("pk"), late=Count("pk", filter=late))
        .filter(late__gt=0)
        .order_by("-late", "unit__name", "entity__name")
    )
    by_document = list(
        shares.order_by()
        .values("measure__document_id", "measure__document__title")
        .annotate(total=Count("pk"), late=Count("pk", filter=late))
        .filter(late__gt=0)
        .order_by("-late", "measure__document_id")
    )
    count = sum(u["late"] for u in by_unit)  # each 滞后 share is in one unit's row
    rows = (
        shares.filter(late)
        .select_related("unit", "entity", "measure__document")
        .annotate(reminded=Count("reminders"))
        .order_by(
            F("measure__deadline").asc(nulls_last=True),
            "unit__name",
            "entity__code",
            "measure__order",
            "pk",
        )
    )
    shown = None if page is None else _page_of(rows, page, count)
    tasks = list(rows if shown is None else shown.object_list)
    supervises = _supervises(by)  # every task here is in by's scope: no query per task
    for t in tasks:
        t.can_remind = supervises and not t.is_collective
    return LateTasks(tasks=tasks, by_unit=by_unit, by_document=by_document, count=count, page=shown)


# ----------------------------------------------------------------------------------------------
# 督办: a supervisor's reminder to a unit about its share of a measure
# ----------------------------------------------------------------------------------------------
#: The longest 督办 text accepted.
REMINDER_MAX_CHARS = 2000


def _reminds(by: Any, assignment: Any) -> bool:
    """``by`` supervises ``assignment``: the entity reporting it lies in their scope (a
    province over its departments, cities and zones; a city over itself and its zones) and
    their role may send 督办 (``policy.add_reminder``: 省级, 市级); a superuser supervises every
    share. Being the lead unit is not enough, and nobody chases a collective unit as a whole."""
    if assignment.is_collective or not _supervises(by):
        return False
    if getattr(by, "is_superuser", False):
        return True
    return _visible_assignments(by).filter(pk=assignment.pk).exists()


def _supervises(by: Any) -> bool:
    """``by`` may send 督办 at all: a superuser, or a scoped user whose role has
    ``policy.add_reminder``."""
    if getattr(by, "is_superuser", False):
        return True
    return by is not None and _scope_root(by) is not None and by.has_perm("policy.add_reminder")


def send_reminder(assignment_id: int, text: str, *, by: Any, today: Any = None) -> Any:
    """Record a 督办 reminder from ``by`` to the unit of share ``assignment_id``: who, when,
    to which unit, about which measure, what it says (``Reminder``, append-only). The unit
    sees it on its page; the 进展情况通报 lists it. NotFound where ``by`` does not supervise
    the share (outside their scope, or their own); LedgerError for an empty or too long text
    (nothing written)."""
    from gaoxin.policy.ledger import LedgerError
    from gaoxin.policy.models import Reminder
    from gaoxin.services import NotFound

    a = _assignment(assignment_id, by, today)
    if not _reminds(by, a):
        raise NotFound(f"找不到编号为 {assignment_id} 的任务", value=str(assignment_id))
    text = text.strip()
    if not text:
        raise LedgerError("请填写督办内容")
    if len(text) > REMINDER_MAX_CHARS:
        raise LedgerError(f"督办内容最多 {REMINDER_MAX_CHARS} 字，现有 {len(text)} 字")
    return Reminder.objects.create(assignment=a, text=text, sent_by=by)


def reminders(*, by: Any, document: int | None = None) -> list[Any]:
    """The 督办 reminders about shares ``by`` may see (of ``document``, or all), newest first."""
    from gaoxin.policy.models import Reminder

    qs = Reminder.objects.filter(assignment__in=_visible_assignments(by))
    if document is not None:
        qs = qs.filter(assignment__measure__document=document)
    return list(
        qs.select_related(
            "assignment__unit", "assignment__entity", "assignment__measure", "sent_by"
        ).order_by("-sent_at", "-id")
    )


# ----------------------------------------------------------------------------------------------
# The alias table: a person links the units the parser read to registry entities (decision 043)
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitLinkPage:
    """One unit of the alias table: its name and jurisdiction, its current link, the history
    of links (newest first), the entities it may link to (``candidates``, suggestions first)
    and the measures that name it."""

    unit: Any
    history: list[Any]
    candidates: list[Any]
    suggested: list[Any]
    measures: int


def _check_links(by: Any) -> None:
    from django.core.exceptions import PermissionDenied

    if by is not None and not by.is_superuser and not by.has_perm("policy.add_unitlink"):
        raise PermissionDenied("只有省级管理员可以关联责任单位")


def _linkable_units(by: Any) -> Any:
    """Units of documents whose jurisdiction lies in ``by``'s scope (a superuser: all, those of
    documents without a jurisdiction included). PermissionDenied for a role that does not
    review the alias table."""
    from gaoxin.policy.models import ResponsibleUnit

    _check_links(by)
    root = _scope_root(by)
    units = ResponsibleUnit.objects.all()
    if root is None:
        return units
    return units.filter(jurisdiction__path__startswith=root.path)


def linked_units(*, by: Any) -> list[Any]:
    """Units of the alias table ``by`` reviews that are linked, by jurisdiction and name."""
    return list(
        _linkable_units(by)
        .filter(entity__isnull=False, assignments__isnull=False)
        .distinct()
        .select_related("jurisdiction", "entity")
        .order_by("jurisdiction__code", "name")
    )


def link_candidates(unit: Any) -> Any:
    """The entities ``unit`` may link to: the regions and zones of its jurisdiction (itself
    included); without a jurisdiction, every province, city and zone."""
    from django.db.models import Q

    from gaoxin.registry.choices import EntityKind
    from gaoxin.registry.models import Entity

    kinds = Q(kind=EntityKind.ZONE) | Q(kind=EntityKind.REGION)
    if unit.jurisdiction_id is None:
        kinds = Q(kind=EntityKind.ZONE) | Q(
            kind=EntityKind.REGION, region__level__in=("province", "city")
        )
        return Entity.objects.filter(kinds).order_by("kind", "code")
    return Entity.objects.filter(kinds, path__startswith=unit.jurisdiction.path).order_by(
        "kind", "code"
    )


def _suggested(unit: Any, candidates: Any) -> list[Any]:
    """Candidates whose name the unit's name contains (福州市人民政府 → 福州市; 厦门火炬高新区
    管委会 → 厦门火炬高技术产业开发区, by the registry's short forms), longest first; the
    jurisdiction itself for a name of its departments (省科技厅 in a province's document, 市科技局
    in a city's). Shown first; a person still chooses."""
    from django.db.models import F, Q, Value
    from django.db.models.functions import Length

    from gaoxin.registry.lookup import name_variants

    q = Q(pk__in=[])
    variants = name_variants(unit.name)
    annotated = candidates.annotate(**{f"_v{i}": Value(v) for i, v in enumerate(variants)})
    for i in range(len(variants)):
        q |= Q(**{f"_v{i}__contains": F("name")})
    found = list(annotated.filter(q).order_by(Length("name").desc())[:5])
    j = unit.jurisdiction
    if j is not None and j not in found:
        level = getattr(getattr(j, "region", None), "level", None)
        prefix = {"province": "省", "city": "市"}.get(level or "")
        if prefix and unit.name.startswith(prefix):
            found.append(j)
    return found


def unit_link_page(unit_id: int, *, by: Any) -> UnitLinkPage:
    """One unit of the alias table as ``by`` reviews it. PermissionDenied for a role that does
    not review links; NotFound for a unit outside ``by``'s scope or missing."""
    from gaoxin.services import NotFound

    unit = _linkable_units(by).filter(pk=unit_id).select_related("jurisdiction", "entity").first()
    if unit is None:
        raise NotFound(f"找不到编号为 {unit_id} 的责任单位", value=str(unit_id))
    candidates = link_candidates(unit)
    return UnitLinkPage(
        unit=unit,
        history=list(unit.links.select_related("entity", "previous", "linked_by")),
        candidates=list(candidates),
        suggested=_suggested(unit, candidates),
        measures=unit.assignments.filter(part_of__isnull=True).count(),
    )


def link_responsible_unit(unit_id: int, entity_id: int, *, by: Any, note: str = "") -> Any:
    """Link unit ``unit_id`` to entity ``entity_id`` (one of :func:`link_candidates`), by
    ``by``, keeping the decision in its history; the users of that entity then report for
    it. PermissionDenied / NotFound as :func:`unit_link_page`; LedgerError (nothing written)
    for an entity the unit may not link to, or the link it already has."""
    from gaoxin.policy.ledger import LedgerError, link_unit
    from gaoxin.services import NotFound

    unit = _linkable_units(by).filter(pk=unit_id).select_related("jurisdiction").first()
    if unit is None:
        raise NotFound(f"找不到编号为 {unit_id} 的责任单位", value=str(unit_id))
    entity = link_candidates(unit).filter(pk=entity_id).first()
    if entity is None:
        where = unit.jurisdiction.name if unit.jurisdiction_id else "名录"
        raise LedgerError(f"只能关联到{where}范围内的行政区或高新区")
    if entity.pk == unit.entity_id:
        raise LedgerError(f"「{unit.name}」已关联到「{entity.name}」")
    return link_unit(unit, entity, user=by, note=note.strip())


def load_unit_links(document: Any, path: Path, *, by: Any) -> int:
    """Link the units of ``document`` as the reviewed alias file ``path`` says (a pack's
    units.yaml: ``links`` maps the parsed name to an entity code inside the document's
    jurisdiction), each link kept in the unit's history with the file named; a unit already
    linked there is left alone. Returns how many links it made. ProblemsError, nothing
    written, for a code the registry lacks or outside the jurisdiction, or a jurisdiction that
    is not the document's."""
    import yaml
    from django.db import transaction
    from django.db.models import Q

    from gaoxin.policy.ledger import link_unit
    from gaoxin.policy.models import ResponsibleUnit

    data = yaml.safe_load(Path(path).read_text("utf-8")) or {}
    j = document.jurisdiction
    problems: list[Problem] = []
    if str(data.get("jurisdiction") or "") != (j.code if j is not None else ""):
        problems.append(
            Problem(
                "links.jurisdiction",
                f"{Path(path).name} 适用于 {data.get('jurisdiction')}，"
                f"而文件的适用范围是 {j.code if j is not None else '（未确定）'}",
            )
        )
    wanted = {str(k): str(v) for k, v in (data.get("links") or {}).items()}
    units = {
        u.name: u
        for u in ResponsibleUnit.objects.filter(
            jurisdiction=j, name__in=wanted, assignments__measure__document=document
        ).distinct()
    }
    entities: dict[str, Any] = {}
    for name, code in wanted.items():
        unit = units.get(name)
        if unit is None:
            continue  # the parser no longer reads this name from the document: nothing to link
        found = link_candidates(unit).filter(Q(code=code)).first()
        if found is None:
            problems.append(
                Problem(
                    "links.entity",
                    f"「{name}」：主体 {code} 不在名录中或不在适用范围内",
                    value=code,
                )
            )
        entities[name] = found
    if problems:
        raise ProblemsError(problems)
    made = 0
    with transaction.atomic():
        for name, entity in entities.items():
            unit = units[name]
            if unit.entity_id is None:
                link_unit(unit, entity, user=by, note=f"按 {Path(path).name} 关联（已人工核对）")
                made += 1
    return made
