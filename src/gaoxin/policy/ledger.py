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
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gaoxin.engine import documents as engine
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
    normalise_unit,
)

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


def import_document(source: str | Path, user=None) -> PolicyDocument:
    """Parse a policy document (a file path, or its text) and store its task ledger.

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
        existing.already_imported = True
        return existing
    try:
        document = _store(doc, digest, name, user)
    except IntegrityError:
        # the same file imported at the same moment by someone else: theirs stands
        existing = PolicyDocument.objects.filter(source_sha256=digest).first()
        if existing is None:
            raise
        existing.already_imported = True
        return existing
    document.already_imported = False
    return document


@transaction.atomic
def _store(doc: engine.Document, digest: str, name: str, user) -> PolicyDocument:
    document = PolicyDocument.objects.create(
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
            span_start=a.span[0],
            span_end=a.span[1],
        )
        for row, m in zip(measures, doc.measures, strict=True)
        for j, a in enumerate(m.amounts, start=1)
    )
    _assign_units(measures, doc.measures)
    return document


def _assign_units(rows: Sequence[Measure], parsed: Sequence[engine.Measure]) -> None:
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
        [ResponsibleUnit(name=n) for n in sorted(names)], ignore_conflicts=True
    )
    ids = dict(ResponsibleUnit.objects.filter(name__in=names).values_list("name", "id"))
    order: dict[int, int] = {}
    assignments = []
    for row, unit, role in wanted:
        order[row.pk] = order.get(row.pk, 0) + 1
        assignments.append(
            Assignment(measure=row, unit_id=ids[unit], role=role, order=order[row.pk])
        )
    Assignment.objects.bulk_create(assignments)


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


def _status_counts() -> dict[str, Count]:
    return {s: Count("pk", filter=Q(status=s)) for s in STATUS_COLUMNS}


_STATUS_SCHEMA = {"measures": pl.Int64} | {s: pl.Int64 for s in STATUS_COLUMNS}
_MONEY = pl.Decimal(24, 6)


def summary_by_document(today: dt.date | None = None) -> pl.DataFrame:
    """One row per document: measures by current status (滞后 includes past-deadline measures
    without a 'done' report) and the money its measures name, in 万元."""
    counts = list(
        Measure.objects.with_status(today)
        .order_by()
        .values("document_id")
        .annotate(measures=Count("pk"), **_status_counts())
        .values_list("document_id", "measures", *STATUS_COLUMNS)
    )
    money = list(
        MeasureAmount.objects.order_by()
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
    frame = frame.join(
        pl.DataFrame(counts, schema={"document_id": pl.Int64} | _STATUS_SCHEMA, orient="row"),
        on="document_id",
        how="left",
    ).join(
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
    assignments = Assignment.objects.with_status(today)
    amounts = MeasureAmount.objects.all()
    bare = Measure.objects.with_status(today).filter(assignments__isnull=True)
    if document is not None:
        assignments = assignments.filter(measure__document=document)
        amounts = amounts.filter(measure__document=document)
        bare = bare.filter(document=document)
    counts = list(
        assignments.order_by()
        .values("unit_id")
        .annotate(
            measures=Count("pk"),
            lead=Count("pk", filter=Q(role=AssignmentRole.LEAD)),
            participating=Count("pk", filter=Q(role=AssignmentRole.PARTICIPATING)),
            **_status_counts(),
        )
        .values_list("unit_id", "unit__name", "measures", "lead", "participating", *STATUS_COLUMNS)
    )
    money = list(
        amounts.filter(measure__assignments__isnull=False)
        .order_by()
        .values("measure__assignments__unit_id")
        .annotate(total=Sum("value_wan"))
        .values_list("measure__assignments__unit_id", "total")
    )
    schema = {
        "unit_id": pl.Int64,
        "unit": pl.String,
        "measures": pl.Int64,
        "lead": pl.Int64,
        "participating": pl.Int64,
    } | {s: pl.Int64 for s in STATUS_COLUMNS}
    frame = pl.DataFrame(counts, schema=schema, orient="row").join(
        pl.DataFrame(money, schema={"unit_id": pl.Int64, "amount_wan": _MONEY}, orient="row"),
        on="unit_id",
        how="left",
    )
    frame = _fill(frame).sort(["measures", "unit"], descending=[True, False])
    no_unit = bare.order_by().aggregate(measures=Count("pk"), **_status_counts())
    if no_unit["measures"]:
        no_unit_money = amounts.filter(measure__assignments__isnull=True).aggregate(
            total=Sum("value_wan")
        )["total"]
        row = pl.DataFrame(
            [
                {
                    "unit_id": None,
                    "unit": NO_UNIT,
                    "lead": 0,
                    "participating": 0,
                    **no_unit,
                    "amount_wan": no_unit_money or Decimal(0),
                }
            ],
            schema=frame.schema,
        )
        frame = pl.concat([frame, row])
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
        document.measures.order_by("order").prefetch_related("amounts", "assignments__unit")
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
