"""Operations on the task ledger: import a document, report progress, summarise, export.

``import_document`` parses with the engine (``gaoxin.engine.documents``) and stores the document,
its measures, amounts and unit assignments in one transaction. The summaries are ORM aggregates
turned into Polars frames; no Python loop runs over measures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

import polars as pl
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from gaoxin.engine import documents as engine
from gaoxin.engine.documents.collectives import collective_rule
from gaoxin.policy.choices import AssignmentRole, DocumentStatus, ProgressStatus
from gaoxin.policy.deadlines import deadline_date
from gaoxin.policy.models import (
    Assignment,
    Evidence,
    Measure,
    MeasureAmount,
    PolicyDocument,
    ProgressReport,
    ResponsibleUnit,
    UnitLink,
    normalise_unit,
)
from gaoxin.policy.models.progress import refresh_status

# what a string naming a file ends with; any other string is taken as the document's text
_FILE_SUFFIXES = (".txt", ".html", ".htm", ".shtml", ".docx", ".doc", ".pdf")
_MONEY_PLACES = Decimal("0.000001")

STATUS_COLUMNS: list[str] = list(ProgressStatus.values)
NO_UNIT = "（未明确责任单位）"


class LedgerError(ValueError):
    """A ledger operation refused, with a message for the user (in Chinese)."""


def _is_file(source: str | Path) -> bool:
    if isinstance(source, Path):
        return True
    return "\n" not in source and len(source) < 1024 and source.lower().endswith(_FILE_SUFFIXES)


def _wan(value: float) -> Decimal:
    # repr of a float is its shortest round-tripping form: 0.35, not 0.34999999999999997
    return Decimal(repr(value)).quantize(_MONEY_PLACES)


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def import_document(source: str | Path, user=None, jurisdiction=None) -> PolicyDocument:
    """Parse a policy document (a file path, or its text) and store its task ledger.

    ``jurisdiction`` is the region the document applies to (an ``Entity``); None reads it from
    the issuer (福建省人民政府 → 福建省, :func:`issuer_region`). Its units are keyed by it, and
    its collective units expand within it (:func:`expand_collectives`).

    The same file (the same bytes; for text, the same text) imported again is not stored twice:
    the stored document is returned with ``already_imported`` set to True.
    Raises ``gaoxin.engine.problems.ProblemsError`` where the file cannot be read.
    """
    if _is_file(source):
        path = Path(source)
        doc = engine.parse_file(path)  # reports a missing or unreadable file first
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        name = path.name
    else:
        text = str(source)
        doc = engine.parse_text(text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        name = ""

    existing = PolicyDocument.objects.filter(source_sha256=digest).first()
    if existing is not None:
        # the registry may have grown since: the new cities or zones get their shares
        expand_collectives(existing, user)
        existing.already_imported = True
        return existing
    if jurisdiction is None:
        jurisdiction = issuer_region(doc.issuer or "")
    try:
        document = _store(doc, digest, name, user, jurisdiction)
    except IntegrityError:
        # the same file imported at the same moment by someone else: theirs stands
        existing = PolicyDocument.objects.filter(source_sha256=digest).first()
        if existing is None:
            raise
        existing.already_imported = True
        return existing
    document.already_imported = False
    return document


def issuer_region(issuer: str):
    """The region whose name the issuer begins with, the longest such (福建省人民政府 → 福建省,
    厦门市科学技术局 → 厦门市); None when no region of the registry begins it."""
    from django.db.models import F, Value
    from django.db.models.functions import Length

    from gaoxin.registry.choices import EntityKind
    from gaoxin.registry.models import Entity

    if not issuer:
        return None
    return (
        Entity.objects.filter(kind=EntityKind.REGION)
        .annotate(_issuer=Value(issuer))
        .filter(_issuer__startswith=F("name"))
        .order_by(Length("name").desc(), "path")
        .first()
    )


@transaction.atomic
def _store(doc: engine.Document, digest: str, name: str, user, jurisdiction) -> PolicyDocument:
    document = PolicyDocument.objects.create(
        jurisdiction=jurisdiction,
        title=(doc.title or "")[:300],
        issuer=(doc.issuer or "")[:200],
        doc_number=(doc.doc_number or "")[:100],
        issued=_date(doc.issued),
        published=_date(doc.published),
        status=DocumentStatus.DRAFT if doc.status == "draft" else DocumentStatus.FINAL,
        source_name=name[:300],
        source_sha256=digest,
        text=doc.text,
        imported_by=user,
    )
    measures = Measure.objects.bulk_create(
        Measure(
            document=document,
            order=i,
            path="/".join(m.path),
            path_parts=list(m.path),
            title=m.title[:500],
            text=m.text,
            span_start=m.span[0],
            span_end=m.span[1],
            units_span_start=m.units_span[0] if m.units_span else None,
            units_span_end=m.units_span[1] if m.units_span else None,
            deadline_text=(m.deadline or "")[:100],
            deadline=deadline_date(m.deadline),
            box=m.box,
        )
        for i, m in enumerate(doc.measures, start=1)
    )
    MeasureAmount.objects.bulk_create(
        MeasureAmount(
            measure=row,
            order=j,
            value_wan=_wan(a.value_wan),
            text=a.text[:100],
            unit=a.unit[:8],
            role=a.role,
            granted=a.granted,
            span_start=a.span[0],
            span_end=a.span[1],
        )
        for row, m in zip(measures, doc.measures, strict=True)
        for j, a in enumerate(m.amounts, start=1)
    )
    _assign_units(measures, doc.measures, jurisdiction)
    expand_collectives(document)
    return document


def _assign_units(
    rows: Sequence[Measure], parsed: Sequence[engine.Measure], jurisdiction=None
) -> None:
    wanted: list[tuple[Measure, str, str]] = []
    for row, m in zip(rows, parsed, strict=True):
        seen: set[str] = set()
        # a unit named both as lead and as participant leads
        for role, listed in (
            (str(AssignmentRole.LEAD), m.lead_units),
            (str(AssignmentRole.PARTICIPATING), m.participating_units),
        ):
            for name in listed:
                unit = normalise_unit(name)[:200]
                if unit and unit not in seen:
                    seen.add(unit)
                    wanted.append((row, unit, role))
    names = {unit for _, unit, _ in wanted}
    ResponsibleUnit.objects.bulk_create(
        [
            ResponsibleUnit(name=n, jurisdiction=jurisdiction, expands=_rule_id(n))
            for n in sorted(names)
        ],
        ignore_conflicts=True,
    )
    ids = dict(
        ResponsibleUnit.objects.filter(name__in=names, jurisdiction=jurisdiction).values_list(
            "name", "id"
        )
    )
    order: dict[int, int] = {}
    assignments = []
    for row, unit, role in wanted:
        order[row.pk] = order.get(row.pk, 0) + 1
        assignments.append(
            Assignment(measure=row, unit_id=ids[unit], role=role, order=order[row.pk])
        )
    Assignment.objects.bulk_create(assignments)


def _rule_id(name: str) -> str:
    rule = collective_rule(name)
    return rule.id if rule is not None else ""


def _rule_entities(rule, jurisdiction):
    """The entities ``rule`` expands into within ``jurisdiction`` (a region entity)."""
    from gaoxin.registry.choices import EntityKind
    from gaoxin.registry.models import Entity

    qs = Entity.objects.filter(path__startswith=jurisdiction.path).exclude(pk=jurisdiction.pk)
    if rule.kind == "zone":
        qs = qs.filter(kind=EntityKind.ZONE)
        if rule.level:
            qs = qs.filter(zone__level=rule.level)
    else:
        qs = qs.filter(kind=EntityKind.REGION)
        if rule.level:
            qs = qs.filter(region__level=rule.level)
        if rule.with_zone:  # a region holding a zone somewhere below it
            from django.db.models import Exists, OuterRef

            zones = Entity.objects.filter(kind=EntityKind.ZONE, path__startswith=OuterRef("path"))
            qs = qs.filter(Exists(zones))
    return qs.order_by("code")


def expand_collectives(document: PolicyDocument, user=None) -> int:
    """Give each collective unit of ``document`` (its ``expands`` rule,
    catalogue/collective_units.yaml) one share per entity the rule names within the
    document's jurisdiction (各设区市人民政府 → each city of the province), and link a unit that
    stays one (省直有关部门) to the jurisdiction itself. Idempotent: run again after the registry
    grows, it adds the missing shares only. Returns how many shares it added. A document
    without a jurisdiction expands nothing (its collective units are listed as unresolved)."""
    from gaoxin.engine.documents.collectives import rule_by_id

    jurisdiction = document.jurisdiction
    if jurisdiction is None:
        return 0
    units = ResponsibleUnit.objects.filter(
        assignments__measure__document=document, expands__gt=""
    ).distinct()
    added = 0
    for unit in units:  # a handful per document: one query each
        rule = rule_by_id(unit.expands)
        if rule is None:
            continue
        if rule.stays:
            if unit.entity_id is None:
                link_unit(unit, jurisdiction, user=user, note=f"集体单位规则：{rule.label}")
            continue
        parents = list(
            Assignment.objects.filter(
                measure__document=document, unit=unit, part_of__isnull=True
            ).values_list("pk", "measure_id", "role", "order")
        )
        entities = list(_rule_entities(rule, jurisdiction).values_list("pk", flat=True))
        shares = [
            Assignment(
                measure_id=measure_id,
                unit=unit,
                role=role,
                order=order,
                part_of_id=parent,
                entity_id=entity,
            )
            for parent, measure_id, role, order in parents
            for entity in entities
        ]
        before = Assignment.objects.filter(part_of__in=[p[0] for p in parents]).count()
        Assignment.objects.bulk_create(shares, ignore_conflicts=True)
        now = Assignment.objects.filter(part_of__in=[p[0] for p in parents]).count()
        if now > before:  # a new share is unreported: its collective may no longer be done
            refresh_status({measure_id for _, measure_id, _, _ in parents})
        added += now - before
    return added


def link_unit(unit: ResponsibleUnit, entity, *, user=None, note: str = "") -> UnitLink:
    """Link ``unit`` to ``entity`` (None: clear the link), keeping the decision in the unit's
    history (``UnitLink``, append-only). No checks: the caller (a service) checks who may."""
    with transaction.atomic():
        link = UnitLink.objects.create(
            unit=unit,
            entity=entity,
            previous_id=unit.entity_id,
            linked_by=user,
            note=note[:500],
        )
        unit.entity = entity
        unit.save(update_fields=["entity"])
    return link


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _store_evidence(report: ProgressReport, path: Path) -> Evidence:
    digest = _sha256_of(path)
    evidence = Evidence(
        report=report, original_name=path.name[:300], sha256=digest, size=path.stat().st_size
    )
    name = evidence.file.field.generate_filename(evidence, path.name)
    if default_storage.exists(name):  # the same bytes were filed before: point at them
        evidence.file.name = name
    else:
        evidence.file.save(path.name, ContentFile(path.read_bytes()), save=False)
    evidence.save()
    return evidence


def report_progress(
    target: Measure | Assignment,
    status: str,
    note: str = "",
    user=None,
    evidence_paths: Iterable[str | Path] = (),
    reported_on: dt.date | None = None,
) -> ProgressReport:
    """Append a progress report to a measure (as a whole) or to one unit's assignment.

    ``status`` is one of ``ProgressStatus`` (not_started, in_progress, done, late). Evidence files
    are copied under MEDIA_ROOT/evidence/ with their SHA-256. Nothing is written if a file is
    missing.
    """
    if status not in ProgressStatus.values:
        allowed = "、".join(f"{value}（{label}）" for value, label in ProgressStatus.choices)
        raise LedgerError(f"进展状态「{status}」无效，可选：{allowed}")
    paths = [Path(p) for p in evidence_paths]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise LedgerError(f"找不到佐证材料：{'、'.join(missing)}；请检查文件路径")
    if isinstance(target, Assignment):
        measure, assignment = target.measure, target
        if assignment.is_collective:
            # every write path refuses it, not only the pages (decision 043)
            raise LedgerError(
                f"「{assignment.unit.name}」是集体单位，不能作为整体报送进展：由其所含的各单位"
                "分别报送自己的份额（登录后在「任务台账」的本单位页面报送）。"
            )
    else:
        measure, assignment = target, None
    with transaction.atomic():
        report = ProgressReport.objects.create(
            measure=measure,
            assignment=assignment,
            status=status,
            note=note,
            reported_on=reported_on or timezone.localdate(),
            reported_by=user,
        )
        for p in paths:
            _store_evidence(report, p)
    return report


def measures(
    document: PolicyDocument | int | None = None,
    unit: str | None = None,
    status: str | None = None,
    today: dt.date | None = None,
) -> QuerySet[Measure]:
    """Measures with their current status (``Measure.objects.with_status``), filtered."""
    qs = Measure.objects.with_status(today).select_related("document")
    if document is not None:
        qs = qs.filter(document=document)
    if unit:
        qs = qs.filter(
            pk__in=Assignment.objects.filter(unit__name__contains=unit).values("measure")
        )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("document_id", "order")


_MONEY = pl.Decimal(24, 6)


def _status_tally(rows: list[tuple], keys: dict[str, pl.DataType]) -> pl.DataFrame:
    """Count ``rows`` (the ``keys`` columns, then role and status) by ``keys``: measures, lead,
    participating, and one column per status. The status of each measure or assignment is read
    once per row and counted here: counting it in SQL with one ``Count(filter=…)`` per status
    repeats ``with_status``'s subqueries in each (157 subqueries in one statement)."""
    frame = pl.DataFrame(rows, schema=keys | {"role": pl.String, "status": pl.String}, orient="row")
    return frame.group_by(list(keys), maintain_order=True).agg(
        pl.len().cast(pl.Int64).alias("measures"),
        (pl.col("role") == AssignmentRole.LEAD).sum().cast(pl.Int64).alias("lead"),
        (pl.col("role") == AssignmentRole.PARTICIPATING)
        .sum()
        .cast(pl.Int64)
        .alias("participating"),
        *[(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in STATUS_COLUMNS],
    )


def summary_by_document(today: dt.date | None = None) -> pl.DataFrame:
    """One row per document: measures by current status (滞后 includes past-deadline measures
    without a 'done' report) and the money its measures name, in 万元."""
    statuses = Measure.objects.with_status(today).order_by().values_list("document_id", "status")
    counts = _status_tally(
        [(document, None, status) for document, status in statuses], {"document_id": pl.Int64}
    ).drop("lead", "participating")
    money = list(
        MeasureAmount.objects.filter(granted=True)
        .order_by()
        .values("measure__document_id")
        .annotate(total=Sum("value_wan"))
        .values_list("measure__document_id", "total")
    )
    docs = list(
        PolicyDocument.objects.order_by("id").values_list("id", "title", "doc_number", "status")
    )
    frame = pl.DataFrame(
        docs,
        schema={
            "document_id": pl.Int64,
            "title": pl.String,
            "doc_number": pl.String,
            "doc_status": pl.String,
        },
        orient="row",
    )
    frame = frame.join(counts, on="document_id", how="left").join(
        pl.DataFrame(money, schema={"document_id": pl.Int64, "amount_wan": _MONEY}, orient="row"),
        on="document_id",
        how="left",
    )
    return _fill(frame).sort("document_id")


def summary_by_unit(
    document: PolicyDocument | int | None = None, today: dt.date | None = None
) -> pl.DataFrame:
    """One row per responsible unit: the measures it leads or takes part in, by the status of its
    assignment (滞后 includes past-deadline ones not done), and the money those measures name
    (in 万元; a measure's money counts under every unit on it, so the column does not add up
    across units). Measures naming no unit are summed in a last row, ``NO_UNIT``."""
    # a collective unit counts once per measure, its status taken from its shares
    assignments = Assignment.objects.with_status(today).filter(part_of__isnull=True)
    # money granted only: not thresholds (200万元以上) nor statistics quoted in the text
    amounts = MeasureAmount.objects.filter(granted=True)
    bare = Measure.objects.with_status(today).filter(assignments__isnull=True)
    if document is not None:
        assignments = assignments.filter(measure__document=document)
        amounts = amounts.filter(measure__document=document)
        bare = bare.filter(document=document)
    counts = _status_tally(
        list(assignments.order_by().values_list("unit_id", "unit__name", "role", "status")),
        {"unit_id": pl.Int64, "unit": pl.String},
    )
    money = list(
        amounts.filter(
            measure__assignments__isnull=False, measure__assignments__part_of__isnull=True
        )
        .order_by()
        .values("measure__assignments__unit_id")
        .annotate(total=Sum("value_wan"))
        .values_list("measure__assignments__unit_id", "total")
    )
    frame = counts.join(
        pl.DataFrame(money, schema={"unit_id": pl.Int64, "amount_wan": _MONEY}, orient="row"),
        on="unit_id",
        how="left",
    )
    frame = _fill(frame).sort(["measures", "unit"], descending=[True, False])
    no_unit = _status_tally(
        [(None, None, None, s) for s in bare.order_by().values_list("status", flat=True)],
        {"unit_id": pl.Int64, "unit": pl.String},
    )
    if no_unit.height:
        no_unit_money = amounts.filter(measure__assignments__isnull=True).aggregate(
            total=Sum("value_wan")
        )["total"]
        row = no_unit.with_columns(
            pl.lit(NO_UNIT).alias("unit"),
            pl.lit(no_unit_money or Decimal(0)).cast(_MONEY).alias("amount_wan"),
        ).select(frame.columns)
        frame = pl.concat([frame, row.cast(frame.schema)])
    return frame


def _fill(frame: pl.DataFrame) -> pl.DataFrame:
    ints = [c for c, t in frame.schema.items() if t == pl.Int64 and c not in {"unit_id"}]
    return frame.with_columns(
        pl.col(ints).fill_null(0),
        pl.col("amount_wan").fill_null(Decimal(0)).cast(_MONEY),
    )


def engine_document(document: PolicyDocument) -> engine.Document:
    """The stored ledger as the engine's ``Document``: measures, units and money as stored (with
    any corrections made since the import); targets read again from the stored text."""
    rows = list(
        document.measures.order_by("order").prefetch_related(
            "amounts",
            Prefetch(
                "assignments",
                Assignment.objects.filter(part_of__isnull=True).select_related("unit"),
            ),
        )
    )
    parsed = [
        engine.Measure(
            path=list(m.path_parts),
            title=m.title,
            text=m.text,
            span=(m.span_start, m.span_end),
            lead_units=[a.unit.name for a in m.assignments.all() if a.role == AssignmentRole.LEAD],
            participating_units=[
                a.unit.name for a in m.assignments.all() if a.role == AssignmentRole.PARTICIPATING
            ],
            units_span=(
                (m.units_span_start, m.units_span_end)
                if m.units_span_start is not None and m.units_span_end is not None
                else None
            ),
            amounts=[
                engine.Amount(
                    text=a.text,
                    value_wan=float(a.value_wan),
                    unit=a.unit,
                    role=a.role,
                    span=(a.span_start, a.span_end),
                    granted=a.granted,
                )
                for a in m.amounts.all()
            ],
            deadline=m.deadline_text or None,
            box=m.box,
        )
        for m in rows
    ]
    return engine.Document(
        title=document.title or None,
        issuer=document.issuer or None,
        doc_number=document.doc_number or None,
        issued=document.issued.isoformat() if document.issued else None,
        headings=[],
        measures=parsed,
        targets=engine.parse_text(document.text).targets if document.text else [],
        status="draft" if document.status == DocumentStatus.DRAFT else None,
        source=document.source_name or None,
        text=document.text,
    )


def export_ledger(document: PolicyDocument, path: str | Path, today: dt.date | None = None) -> Path:
    """Write the task ledger workbook with 当前状态, 最近报送 and 最新进展 columns added."""
    from gaoxin.engine.documents.ledger_xlsx import write_ledger

    doc = engine_document(document)
    progress = list(
        measures(document, today=today).values_list("status", "reported_on", "latest_note")
    )
    labels = dict(ProgressStatus.choices)
    return write_ledger(
        doc,
        path,
        extra_columns=[
            ("当前状态", 10, [str(labels[s]) for s, _, _ in progress]),
            ("最近报送", 12, [d.isoformat() if d else "" for _, d, _ in progress]),
            ("最新进展", 40, [n or "" for _, _, n in progress]),
        ],
    )
