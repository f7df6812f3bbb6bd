"""Data entry in the browser: one reporting form for one reporting unit and period, as a table.

A zone fills an enterprise or institution form for its roster (the entities of the form's kind
that belong to it in that period) and a zone form for itself. :func:`roster` lays the table
out, prefilled with the stored values; :func:`check_values` runs the cells through the same
engine as an import (the file reader's per-value checks, then the validation rules across
variables with the stored values) and says which cells each problem is about;
:func:`save_values` writes them all or nothing through :func:`~gaoxin.statistics.store.
write_observations` (a manual batch, one history row per change) and moves the submission
(:mod:`gaoxin.statistics.approval`). Pages, the API and commands are thin faces over these.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gaoxin.engine.periods import Period, PeriodError, ReportedPeriod
from gaoxin.engine.problems import Problem
from gaoxin.engine.tabular import form_template_xlsx, read_observations
from gaoxin.engine.validation import ValidationRule as RuleSpec
from gaoxin.engine.variables import Catalogue, default_catalogue
from gaoxin.registry.choices import EntityKind
from gaoxin.registry.models import Entity, Membership
from gaoxin.services import NotFound, OutOfScope
from gaoxin.statistics import approval
from gaoxin.statistics.approval import Refused
from gaoxin.statistics.choices import BatchKind
from gaoxin.statistics.imports import ImportReport, import_file
from gaoxin.statistics.models import (
    Batch,
    Observation,
    ObservationChange,
    ReportingForm,
    Submission,
    SubmissionEvent,
    ValidationRule,
)
from gaoxin.statistics.store import WriteCounts, write_observations
from gaoxin.statistics.validation import check_rules

#: Forms a unit fills for itself; the others a zone fills for its roster.
SELF_REPORTED = frozenset({EntityKind.ZONE, EntityKind.REGION})
KEY_HEADER = "单位代码"
PERIOD_HEADER = "期间"
MONEY_UNIT = "万元"


# --- the table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A variable of the form, as a column: its header says the unit."""

    code: str
    variable_id: int
    name: str
    unit: str
    required: bool

    @property
    def header(self) -> str:
        """``营业收入（万元）``: the header of the template and of every problem."""
        return f"{self.name}（{self.unit}）"


@dataclass(frozen=True)
class Row:
    entity_id: int
    name: str
    code: str


@dataclass
class Roster:
    """A (form, reporting unit, period) laid out: rows, columns and the stored values."""

    form: ReportingForm
    unit: Entity
    period: Period
    columns: list[Column]
    rows: list[Row]
    values: dict[tuple[int, str], Decimal]
    submission: Submission

    @property
    def reported_period(self) -> ReportedPeriod:
        """How the form names its period: 1-N月 where it carries year-to-date figures."""
        catalogue = default_catalogue()
        ytd = self.period.kind == "month" and any(
            catalogue[c.code].cumulative for c in self.columns
        )
        return ReportedPeriod(self.period, cumulative=ytd)

    def row_of(self, entity_id: int) -> Row | None:
        return next((r for r in self.rows if r.entity_id == entity_id), None)

    def column_of(self, code: str) -> Column | None:
        return next((c for c in self.columns if c.code == code), None)


def reporting_unit(user, form: ReportingForm, entity_id: int) -> Entity:
    """The unit that reports ``form``: the entity itself for a zone (or region) form, a zone for
    an enterprise or institution form. Another scope, or a unit that does not report this form,
    is :class:`~gaoxin.services.NotFound` (a page answers 404)."""
    unit = Entity.objects.restrict(user).filter(pk=entity_id).first()
    if unit is None:
        raise NotFound("没有此填报单位，或不在您的数据范围内")
    wanted = form.entity_kind if form.entity_kind in SELF_REPORTED else EntityKind.ZONE
    if unit.kind != wanted:
        raise NotFound(f"「{unit.name}」不填报「{form.name}」")
    assigned = [a.scope.path for a in form.assignments.select_related("scope")]
    # A form assigned nowhere is open to every unit of its kind (as its periods lock nowhere).
    if assigned and not any(unit.path.startswith(p) for p in assigned):
        raise NotFound(f"「{form.name}」未分配给「{unit.name}」")
    return unit


def parse_period(form: ReportingForm, text: str) -> Period:
    try:
        period = Period.parse(text)
    except PeriodError as err:
        raise NotFound(f"期间「{text}」无法识别") from err
    if period.kind != form.period_type:
        raise NotFound(f"「{form.name}」不按此期间（{period.label()}）填报")
    return period


def members(unit: Entity, kind: str, period: Period):
    """Entities of ``kind`` in ``unit``'s subtree that belong to it during ``period``: a
    membership overlapping the period, or, for an entity with no membership history, being
    placed there now."""
    start, end = period.start_date(), period.end_date()
    overlapping = Membership.objects.filter(parent=unit).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=end),
        Q(valid_to__isnull=True) | Q(valid_to__gte=start),
    )
    return (
        Entity.objects.within(unit)
        .filter(kind=kind)
        .filter(
            Q(pk__in=overlapping.values("child_id"))
            | ~Q(pk__in=Membership.objects.values("child_id"))
        )
    )


def roster(form: ReportingForm, entity_id: int, period_text: str, *, user) -> Roster:
    """The table of (form, unit, period) as ``user`` may see it, with the stored values."""
    unit = reporting_unit(user, form, entity_id)
    period = parse_period(form, period_text)
    if form.entity_kind in SELF_REPORTED:
        entities = [unit]
    else:
        entities = list(members(unit, form.entity_kind, period).order_by("name", "pk"))
    columns = [
        Column(fv.variable.code, fv.variable_id, fv.variable.name_zh, fv.variable.unit, fv.required)
        for fv in form.form_variables.select_related("variable").order_by("order", "pk")
    ]
    rows = [Row(e.pk, e.name, e.code) for e in entities]
    codes = {c.variable_id: c.code for c in columns}
    values = {
        (eid, codes[vid]): value
        for eid, vid, value in Observation.objects.filter(
            entity_id__in=[r.entity_id for r in rows],
            variable_id__in=list(codes),
            period=str(period),
        ).values_list("entity_id", "variable_id", "value")
    }
    submission = approval.submission_for(form, unit, str(period))
    return Roster(form, unit, period, columns, rows, values, submission)


# --- numbers as people read and type them ----------------------------------------------------


def entry_text(value: Decimal | None, unit: str) -> str:
    """A stored value as an input shows it: money with (at least) 2 decimals, others as they
    are, never fewer digits than stored (a prefilled value saved again must not change)."""
    if value is None:
        return ""
    plain = format(value.normalize(), "f")
    if unit == MONEY_UNIT:
        return format(value.quantize(Decimal("0.01")), "f") if _places(value) <= 2 else plain
    return plain


def display_text(value: Decimal | None, unit: str) -> str:
    """A value as a table shows it: thousands separators; money in 万元 with 2 decimals."""
    if value is None:
        return ""
    if unit == MONEY_UNIT:
        return f"{value:,.2f}"
    return f"{value.normalize():,f}"


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


# --- checking what was typed -----------------------------------------------------------------


@dataclass(frozen=True)
class CellProblem:
    """A problem on the page: what is wrong and the cells, (entity_id, variable code), it is
    about (several for a rule across variables, none for the whole table)."""

    message: str
    cells: tuple[tuple[int, str], ...] = ()
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass
class CheckResult:
    problems: list[CellProblem] = field(default_factory=list)
    observations: pl.DataFrame | None = None  # entity_id, variable, variable_id, period, value

    @property
    def errors(self) -> list[CellProblem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[CellProblem]:
        return [p for p in self.problems if not p.is_error]

    def by_cell(self) -> dict[tuple[int, str], list[CellProblem]]:
        out: dict[tuple[int, str], list[CellProblem]] = {}
        for p in self.problems:
            for cell in p.cells:
                out.setdefault(cell, []).append(p)
        return out


Values = Mapping[tuple[int, str], object]


def check_values(r: Roster, values: Values, *, submit: bool = False) -> CheckResult:
    """Every problem with ``values`` ((entity_id, variable code) → what was typed) on ``r``.

    The cells go through the import's reader as a small table (numbers, units, ranges, period
    types: the same messages as a file) and then through the validation rules together with the
    stored values. An existing value left blank is a problem (a value is corrected, not erased);
    on submit every required cell must hold a value."""
    rows = {row.entity_id: row for row in r.rows}
    columns = {c.code: c for c in r.columns}
    for entity_id, code in values:
        if entity_id not in rows:
            raise OutOfScope(
                f"所填单位不在「{r.unit.name}」{r.period.label()}的填报名单内，未做任何修改"
            )
        if code not in columns:
            raise Refused(f"变量「{code}」不在报表「{r.form.name}」中")
    given = {k: ("" if v is None else str(v)).strip() for k, v in values.items()}
    result = CheckResult()
    order = [row.entity_id for row in r.rows if any(given.get((row.entity_id, c)) for c in columns)]
    obs = _read_cells(r, order, given, result)
    typed = (
        {(e, v) for e, v in obs.select("entity_id", "variable").iter_rows()}
        if obs.height
        else set()
    )
    for entity_id, code in given:
        if (entity_id, code) in typed or (entity_id, code) not in r.values:
            continue
        if not any((entity_id, code) in p.cells for p in result.problems):
            result.problems.append(
                CellProblem(
                    f"「{columns[code].name}」已有数值 {display_text(r.values[(entity_id, code)], columns[code].unit)}"
                    f"{columns[code].unit}，不能清空；如有误请填写正确的数值",
                    ((entity_id, code),),
                )
            )
    if obs.height:
        result.problems += _rule_problems(r, obs)
    if submit:
        for row in r.rows:
            for c in r.columns:
                key = (row.entity_id, c.code)
                if c.required and key not in typed and key not in r.values:
                    result.problems.append(
                        CellProblem(f"「{c.name}」未填写：提交前请填写（未发生填 0）", (key,))
                    )
    result.observations = obs
    return result


def _read_cells(
    r: Roster, order: Sequence[int], given: Mapping[tuple[int, str], str], result: CheckResult
) -> pl.DataFrame:
    """The typed cells through the import's reader; problems mapped back to their cells."""
    schema = {
        "entity_id": pl.Int64,
        "entity_kind": pl.String,
        "variable": pl.String,
        "period": pl.String,
        "value": pl.Decimal(38, 10),
        "source_file": pl.String,
        "sheet": pl.String,
        "row": pl.Int64,
    }
    if not order:
        return pl.DataFrame(schema=schema)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([KEY_HEADER, PERIOD_HEADER, *(c.header for c in r.columns)])
    period_text = r.reported_period.label()
    for entity_id in order:
        writer.writerow(
            [f"e{entity_id}", period_text, *(given.get((entity_id, c.code), "") for c in r.columns)]
        )
    parsed = read_observations(
        buffer.getvalue().encode("utf-8"), default_catalogue(), name="网页填报.csv"
    )
    # Spreadsheet rows: the header is row 1, the first entity row 2.
    entity_at = {i + 2: entity_id for i, entity_id in enumerate(order)}
    by_header = {c.header: c.code for c in r.columns}
    for p in parsed.problems:
        entity_id = entity_at.get(p.row) if p.row is not None else None
        code = by_header.get(p.column or "")
        if entity_id is not None and code is not None:
            cells: tuple[tuple[int, str], ...] = ((entity_id, code),)
        elif entity_id is not None:
            cells = tuple((entity_id, c.code) for c in r.columns if given.get((entity_id, c.code)))
        else:
            cells = ()
        result.problems.append(CellProblem(p.message, cells, p.severity))
    obs = parsed.observations
    if obs.is_empty():
        return pl.DataFrame(schema=schema)
    ids = pl.DataFrame(
        {"row": list(entity_at), "entity_id": list(entity_at.values())},
        schema={"row": pl.Int64, "entity_id": pl.Int64},
    )
    return obs.join(ids, on="row", how="inner").select(
        "entity_id",
        pl.lit(str(r.form.entity_kind), dtype=pl.String).alias("entity_kind"),
        "variable",
        "period",
        "value",
        "source_file",
        "sheet",
        "row",
    )


def rule_variables(rule_code: str) -> list[str]:
    """The variables a validation rule reads, in the order its formulas name them."""
    rule = ValidationRule.objects.filter(code=rule_code).first()
    if rule is None:
        return []
    spec = RuleSpec(
        code=rule.code,
        name=rule.name,
        left=rule.left,
        operator=rule.operator,
        right=rule.right,
        importance=rule.importance,
        missing=rule.missing,
    )
    names: list[str] = []
    for side in spec.formulas(_namespace(default_catalogue())):
        names += [n for n in side.names if n not in names]
    return names


def _namespace(catalogue: Catalogue) -> dict:
    return {v.code: {"type": "number", "label": v.zh} for v in catalogue}


def _rule_problems(r: Roster, obs: pl.DataFrame) -> list[CellProblem]:
    rules = list(ValidationRule.objects.filter(active=True, entity_kind=r.form.entity_kind))
    if not rules:
        return []
    entity_at = dict(obs.select("row", "entity_id").unique().iter_rows())
    found = []
    for p in check_rules(rules, obs):
        entity_id = entity_at.get(p.row)
        cells = tuple(
            (entity_id, code)
            for code in rule_variables(p.extra.get("rule", ""))
            if entity_id is not None and r.column_of(code) is not None
        )
        found.append(CellProblem(p.message, cells, p.severity))
    return found


# --- saving ----------------------------------------------------------------------------------


@dataclass
class SaveResult:
    check: CheckResult
    saved: bool = False
    counts: WriteCounts = field(default_factory=WriteCounts)
    batch_id: int | None = None
    event: SubmissionEvent | None = None

    @property
    def problems(self) -> list[CellProblem]:
        return self.check.problems


def may_edit(r: Roster, user, *, today: dt.date | None = None) -> None:
    """Refuse (with the reason) an edit of ``r``'s values by ``user`` now: the submission's
    state and the user's role must allow saving, the submission must not be locked by the
    province, and the form's period must not have passed its deadline (unless unlocked)."""
    submission = r.submission
    if submission.pk and submission.locked:
        raise Refused(
            "本期报送已由省级审定并锁定，数值不能修改；如需更正，请联系省级管理员解锁并说明原因"
        )
    approval.check(user, submission, "save")
    if period_locked(r.form, r.unit, r.period, today or dt.date.today()):
        raise Refused(
            f"报表「{r.form.name}」{r.period.label()}已于 {r.form.deadline(r.period)} 截止锁定："
            "如需更正，请由管理员解锁该期并说明原因"
        )


def period_locked(form: ReportingForm, unit: Entity, period: Period, today: dt.date) -> bool:
    """The form's deadline lock, where the form is assigned to the unit (as imports apply it)."""
    assigned = [a.scope.path for a in form.assignments.select_related("scope")]
    if not any(unit.path.startswith(p) for p in assigned):
        return False
    return form.is_locked(period, today)


def save_values(
    form: ReportingForm,
    entity: Entity | int,
    period: str | Period,
    values: Values,
    *,
    by,
    submit: bool = False,
    today: dt.date | None = None,
) -> SaveResult:
    """Check ``values`` and write them all or nothing as ``by``; then save the draft or submit.

    Out of ``by``'s scope: :class:`OutOfScope`. Not allowed now (state, role, lock):
    :class:`Refused`. Any error among the values: nothing is written, the problems come back.
    """
    r = roster(form, entity if isinstance(entity, int) else entity.pk, str(period), user=by)
    may_edit(r, by, today=today)
    if submit:
        approval.check(by, r.submission, "submit")
    checked = check_values(r, values, submit=submit)
    result = SaveResult(checked)
    if checked.errors:
        return result
    obs = checked.observations
    columns = {c.code: c.variable_id for c in r.columns}
    rows = [
        (entity_id, columns[code], period_code, value)
        for entity_id, code, period_code, value in obs.select(
            "entity_id", "variable", "period", "value"
        ).iter_rows()
    ]
    with transaction.atomic():
        label = f"网页填报 {r.unit.name} {r.form.name} {r.period.label()}"
        batch = Batch.objects.create(
            kind=BatchKind.MANUAL,
            label=label[:200],
            rows_read=obs["entity_id"].n_unique() if obs.height else 0,
            created_by=by,
        )
        result.counts = write_observations(rows, batch, user=by, reason="网页填报")
        batch.values_written, batch.values_changed = result.counts.created, result.counts.changed
        batch.save(update_fields=["values_written", "values_changed"])
        result.batch_id = batch.pk
        result.event = _record(r.submission, "submit" if submit else "save", by)
    result.saved = True
    return result


def _record(submission: Submission, action: str, by) -> SubmissionEvent | None:
    """Move the submission for a save or submit; a draft saved again stays a draft, with no
    event (the values' own history records the edit)."""
    if action == "save" and submission.pk and submission.state == "draft":
        submission.updated_by = by
        submission.save(update_fields=["updated_by", "updated_at"])
        return None
    return approval.move(submission, action, by=by)


# --- history ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    by: str
    old: str
    new: str
    source: str
    reason: str


def value_history(r: Roster, entity_id: int, code: str, *, user) -> list[HistoryLine]:
    """Every change of one value of ``r``, newest first: who, when, old → new, which batch."""
    column = r.column_of(code)
    if r.row_of(entity_id) is None or column is None:
        raise NotFound("本表中没有此数值")
    changes = (
        ObservationChange.objects.restrict(user)
        .filter(entity_id=entity_id, variable_id=column.variable_id, period=str(r.period))
        .select_related("batch", "changed_by")
        .order_by("-changed_at", "-id")
    )
    kinds = dict(BatchKind.choices)
    return [
        HistoryLine(
            at=c.changed_at,
            by=_person(c.changed_by) if c.changed_by else _("系统"),
            old=display_text(c.old_value, column.unit) or _("（无）"),
            new=display_text(c.new_value, column.unit) or _("（无）"),
            source=f"{kinds.get(c.batch.kind, c.batch.kind)}：{c.batch.label}",
            reason=c.reason,
        )
        for c in changes
    ]


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def events(submission: Submission) -> list[SubmissionEvent]:
    if not submission.pk:
        return []
    return list(submission.events.select_related("by"))


# --- Excel in the browser --------------------------------------------------------------------


def template_xlsx(r: Roster, path: Path) -> Path:
    """The form's Excel template, prefilled with the roster and the stored values."""
    catalogue = default_catalogue()
    key = "uscc" if r.form.entity_kind == EntityKind.ENTERPRISE else "code"
    period_text = r.reported_period.label()
    prefill = [
        [
            row.code,
            row.name,
            period_text,
            *(_excel(r.values.get((row.entity_id, c.code))) for c in r.columns),
        ]
        for row in r.rows
    ]
    return form_template_xlsx(
        [catalogue[c.code] for c in r.columns],
        path,
        title=f"{r.unit.name} {r.form.name}（{period_text}）",
        period_type=r.form.period_type,
        key=key,
        prefill=prefill,
    )


def _excel(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class UploadResult:
    report: ImportReport
    problems: list[dict] = field(default_factory=list)  # what the page lists, per problem

    @property
    def committed(self) -> bool:
        return self.report.status == "committed"


def upload(
    form: ReportingForm,
    entity_id: int,
    period_text: str,
    data: bytes,
    file_name: str,
    *,
    by,
    today: dt.date | None = None,
) -> UploadResult:
    """Import a filled template into (form, unit, period) as ``gaoxin import`` does, all or
    nothing, with the same problem list; only values of this form and period, of entities in
    the unit's subtree, are accepted. A committed upload saves the draft like the page does."""
    r = roster(form, entity_id, period_text, user=by)
    may_edit(r, by, today=today)
    name = Path(file_name).name or "上传文件.xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        outside = _outside_form(r, path)
        if outside:
            report = ImportReport(file=name, status="rejected", problems=outside)
        else:
            with transaction.atomic():
                report = import_file(
                    path, user=by, scope=r.unit, today=today, reason=f"网页上传 {name}"
                )
                if report.status == "committed":
                    _record(r.submission, "save", by)
    return UploadResult(report, [problem_row(p, r) for p in report.problems])


def _outside_form(r: Roster, path: Path) -> list[Problem]:
    """Values for another period or a variable not on the form: this page takes neither."""
    parsed = read_observations(path, default_catalogue(), period=r.reported_period.label())
    obs = parsed.observations
    codes = {c.code for c in r.columns}
    problems = []
    for row in obs.filter(pl.col("period") != str(r.period)).unique("row").iter_rows(named=True):
        problems.append(
            Problem(
                "other_period",
                f"此行的期间是 {row['period']}，本页只接收 {r.reported_period.label()} 的数据；"
                "其他期间请到对应期间的填报页上传",
                file=path.name,
                sheet=row["sheet"],
                row=row["row"],
                column=PERIOD_HEADER,
                value=row["period"],
            )
        )
    for row in obs.filter(~pl.col("variable").is_in(codes)).unique("column").iter_rows(named=True):
        problems.append(
            Problem(
                "not_on_form",
                f"列「{row['column']}」不在报表「{r.form.name}」中；请删除此列，或用对应报表上传",
                file=path.name,
                sheet=row["sheet"],
                row=row["row"],
                column=row["column"],
            )
        )
    return problems


def problem_columns(p: Problem) -> list[str]:
    """The columns of the cells a problem is about: its column, or for a rule across variables
    the columns of its variables (「名称（单位）」), not the 期间 column."""
    if p.code == "validation.rule_violated":
        catalogue = default_catalogue()
        return [
            f"{catalogue[c].zh}（{catalogue[c].unit}）"
            for c in rule_variables(p.extra.get("rule", ""))
            if c in catalogue
        ]
    return [p.column] if p.column else []


def problem_row(p: Problem, r: Roster) -> dict:
    """A problem as the upload page lists it: level, sheet, row, the cells
    (:func:`problem_columns`), value and message."""
    return {
        "error": p.severity == "error",
        "sheet": p.sheet or "",
        "row": p.row,
        "columns": problem_columns(p),
        "value": "" if p.code == "validation.rule_violated" else (p.value or ""),
        "message": p.message,
    }
