"""Importing a statistics file into the store: all or nothing.

The engine reads the file (``gaoxin.engine.tabular``) and reports what it can see alone:
encoding, headers, numbers, units, periods, ranges, duplicates, credit codes. This module adds
what needs the database: unknown entities, a variable the entity's kind does not report, a
locked reporting period, and the validation rules over the new values together with the values
already stored. Any error and nothing is written; the report lists every problem found.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import IntegrityError, OperationalError, transaction

from gaoxin.engine.periods import Period
from gaoxin.engine.problems import Problem
from gaoxin.engine.tabular import read_observations
from gaoxin.engine.variables import Catalogue, default_catalogue
from gaoxin.registry.choices import EntityKind
from gaoxin.registry.lookup import describe, name_history
from gaoxin.registry.models import Entity
from gaoxin.statistics.approval import lock_problems
from gaoxin.statistics.choices import BatchKind
from gaoxin.statistics.models import Batch, ReportingForm, ValidationRule, Variable
from gaoxin.statistics.store import WriteCounts, write_observations
from gaoxin.statistics.validation import check_rules

STATUS_LABELS = {
    "committed": "已导入",
    "dry_run": "试导入（未写入）",
    "rejected": "已拒绝（未写入）",
}


@dataclass
class ImportReport:
    file: str
    status: str  # committed | dry_run | rejected
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    values: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    batch_id: int | None = None
    column_map: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def summary(self) -> str:
        head = f"{self.file}：{STATUS_LABELS[self.status]}"
        if self.status == "rejected":
            return f"{head}，发现 {len(self.errors)} 个错误、{len(self.warnings)} 个提示，数据库未作任何修改。"
        verb = "将" if self.status == "dry_run" else "已"
        c = self.counts
        return (
            f"{head}，读取 {self.rows_read} 行、{self.values} 个数值：{verb}新增 {c.created} 个，"
            f"{verb}修改 {c.changed} 个，{c.unchanged} 个与库中相同；{len(self.warnings)} 个提示。"
        )


def import_file(
    path: str | Path,
    *,
    user=None,
    scope: Entity | None = None,
    dry_run: bool = False,
    period: str | None = None,
    sheet: str | None = None,
    today: dt.date | None = None,
    reason: str = "",
    catalogue: Catalogue | None = None,
    progress: Callable[..., None] | None = None,
) -> ImportReport:
    """``progress(step, done, total)``, when given, hears the import's steps (read, match,
    rules, write: :data:`STEPS`), each naming the rows and sheets read; the write step is
    reported before its transaction opens, so another connection sees it (decision 020)."""
    path = Path(path)
    catalogue = catalogue or default_catalogue()
    today = today or dt.date.today()
    report_step = progress or _silent
    report_step(f"读取文件 {path.name}", 0, STEPS)
    parsed = read_observations(path, catalogue, sheet=sheet, period=period, today=today)
    obs = parsed.observations
    report = ImportReport(
        file=path.name,
        status="rejected",
        problems=list(parsed.problems),
        rows_read=obs.select("row").n_unique() if obs.height else 0,
        values=obs.height,
        column_map=parsed.describe_mappings(),
    )
    read = _rows_and_sheets(report.rows_read, obs)
    if obs.height:
        report_step(f"{read}：核对主体、变量和报送期", 1, STEPS)
        obs, problems = _resolve(obs, scope)
        report.problems += problems
        if obs.height:
            report.problems += _check_names(obs)
            report.problems += _same_entity_twice(obs, report.problems)
            report.problems += _check_locks(obs, today)
            report.problems += lock_problems(obs)  # returns approved by the province (024)
            report_step(f"{read}：校验审核规则", 2, STEPS)
            report.problems += _check_rules(obs)
    elif not report.errors:
        report.problems.append(
            Problem(
                "no_values",
                "文件中没有可导入的数值（表头下没有填写数据的行）；请填写数据后再导入",
                file=path.name,
                sheet=sheet,
            )
        )
    if report.errors:
        report_step(f"{read}：发现 {len(report.errors)} 个错误，未写入", STEPS, STEPS)
        return report

    report_step(f"{read}：写入 {obs.height} 个数值", 3, STEPS)
    rows = list(zip(obs["entity_id"], obs["variable_id"], obs["period"], obs["value"], strict=True))
    # An import with no gaoxin user (the CLI without --by) still names who ran it.
    operator = "" if user is not None else f"操作系统用户 {_os_user()}"
    note = "；".join(x for x in (reason, operator) if x)
    try:
        with transaction.atomic():
            batch = Batch.objects.create(
                kind=BatchKind.IMPORT,
                label=f"导入 {path.name}",
                file_name=path.name,
                file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                sheet=sheet or "",
                rows_read=report.rows_read,
                created_by=user,
                note=note,
            )
            report.counts = write_observations(
                rows, batch, user=user, reason=note or f"导入 {path.name}"
            )
            batch.values_written = report.counts.created
            batch.values_changed = report.counts.changed
            batch.save(update_fields=["values_written", "values_changed"])
            report.batch_id = batch.pk
            if dry_run:
                # Everything above ran for real so the counts are exact; now undo it all.
                transaction.set_rollback(True)
                report.batch_id = None
    except (IntegrityError, OperationalError) as error:
        # Another import wrote the same keys first (a unique-key race on PostgreSQL), or the
        # SQLite file stayed locked by another writer past the timeout: nothing was written.
        report.problems.append(
            Problem(
                "concurrent_write",
                "另一项导入或填报正在同时写入数据库（相同的数据或数据库被占用），"
                "本次导入已全部撤销、未写入任何数据；请稍等片刻后重新导入",
                file=path.name,
                extra={"error": f"{type(error).__name__}: {error}"},
            )
        )
        report.counts = WriteCounts()
        report.batch_id = None
        return report
    report.status = "dry_run" if dry_run else "committed"
    report_step(f"{read}：完成", STEPS, STEPS)
    return report


#: The steps an import reports to ``progress``: read, match, rules, write.
STEPS = 4


def _silent(step: str, done: int | None = None, total: int | None = None) -> None:
    return None


def _rows_and_sheets(rows: int, obs: pl.DataFrame) -> str:
    """「已读取 120 行（2 个工作表）」, the sheets only for a workbook."""
    named = obs.filter(pl.col("sheet").fill_null("") != "") if "sheet" in obs.columns else obs[:0]
    sheets = named["sheet"].n_unique() if named.height else 0
    return f"已读取 {rows} 行" + (f"（{sheets} 个工作表）" if sheets else "")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's anonymous uid)
        return "未知"


KEY_COLUMN_LABELS = {"uscc": "统一社会信用代码", "code": "主体代码", "name": "主体名称"}


def _problem(
    row: dict,
    code: str,
    message: str,
    *,
    column: str | None = None,
    value=None,
    severity: str = "error",
) -> Problem:
    return Problem(
        code=code,
        message=message,
        file=row.get("source_file"),
        sheet=row.get("sheet") or None,
        row=row.get("row"),
        column=column or row.get("column"),
        value=None if value is None else str(value),
        severity=severity,
    )


IDS_SCHEMA = {
    "entity_key": pl.String,
    "entity_key_type": pl.String,
    "entity_id": pl.Int64,
    "entity_kind": pl.String,
}


def _unknown(row: dict, scope: Entity | None) -> Problem:
    where = "" if scope is None else f"（在「{scope.name}」范围内）"
    return _problem(
        row,
        "unknown_entity",
        f"找不到主体「{row['entity_key']}」{where}：请先在主体名录中登记，或检查代码/名称是否与名录一致",
        value=row["entity_key"],
        column=KEY_COLUMN_LABELS.get(row["entity_key_type"]),
    )


def _period_spans(periods: list[str | None]) -> pl.DataFrame:
    """period, _start, _end (the period's first and last day; null for no period), one row per
    distinct period code of the file."""
    rows = []
    for code in periods:
        p = Period.parse(code) if code else None
        rows.append((code, p.start_date() if p else None, p.end_date() if p else None))
    return pl.DataFrame(
        rows, schema={"period": pl.String, "_start": pl.Date, "_end": pl.Date}, orient="row"
    )


def _resolve_names(
    obs: pl.DataFrame, entities, scope: Entity | None
) -> tuple[pl.DataFrame, list[Problem]]:
    """The entity each (name, period) of the file names (:data:`IDS_SCHEMA` plus period), and
    the problems of the names that name none or several.

    A name is read against every name the entities had (``lookup.name_history``: a zone's
    former names from its renames, decision 051). A name only one entity ever had is that
    entity, whatever the period (a file keyed by the name a zone has today, or kept its old
    one). A name several entities had is the one entity that had it during the row's period;
    none or several there: refused, naming each candidate and when it had the name."""
    pairs = obs.filter(pl.col("entity_key_type") == "name").select("entity_key", "period").unique()
    if pairs.is_empty():
        return pl.DataFrame(schema={**IDS_SCHEMA, "period": pl.String}), []
    history = name_history(entities, pairs["entity_key"].unique().to_list())
    candidates = (
        pairs.join(
            _period_spans(pairs["period"].unique().to_list()),
            on="period",
            how="left",
            nulls_equal=True,
        )
        .join(history.rename({"name": "entity_key"}), on="entity_key", how="inner")
        .with_columns(
            _ever=pl.col("entity").n_unique().over("entity_key"),
            _during=(
                pl.col("valid_from").is_null()
                | pl.col("_end").is_null()
                | (pl.col("valid_from") <= pl.col("_end"))
            )
            & (
                pl.col("valid_to").is_null()
                | pl.col("_start").is_null()
                | (pl.col("valid_to") > pl.col("_start"))
            ),
        )
    )
    chosen = (
        candidates.filter((pl.col("_ever") == 1) | pl.col("_during"))
        .group_by("entity_key", "period")
        .agg(pl.col("entity").unique(), pl.col("kind").first())
        .filter(pl.col("entity").list.len() == 1)
        .select(
            "entity_key",
            entity_key_type=pl.lit("name"),
            entity_id=pl.col("entity").list.first(),
            entity_kind="kind",
            period="period",
        )
    )
    unresolved = pairs.join(chosen, on=["entity_key", "period"], how="anti", nulls_equal=True)
    if unresolved.is_empty():
        return chosen, []
    rows = obs.filter(pl.col("entity_key_type") == "name").sort(
        "source_file", "sheet", "row", nulls_last=False
    )
    problems = [  # a name no entity ever had: once per name, as any unknown key
        _unknown(row, scope)
        for row in rows.join(history.rename({"name": "entity_key"}), on="entity_key", how="anti")
        .unique("entity_key", keep="first", maintain_order=True)
        .iter_rows(named=True)
    ]
    named = {e.pk: e for e in Entity.objects.filter(pk__in=candidates["entity"].unique().to_list())}
    for row in (
        rows.join(unresolved, on=["entity_key", "period"], how="semi", nulls_equal=True)
        .join(history.rename({"name": "entity_key"}), on="entity_key", how="semi")
        .unique(["entity_key", "period"], keep="first", maintain_order=True)
        .iter_rows(named=True)
    ):
        mine = candidates.filter(
            (pl.col("entity_key") == row["entity_key"]) & pl.col("period").eq_missing(row["period"])
        ).sort("valid_from", "entity", nulls_last=False)
        listed = "；".join(
            describe(named[r["entity"]]) + _held(r["valid_from"], r["valid_to"])
            for r in mine.iter_rows(named=True)
        )
        period = row["period"] or "未填"
        if mine.filter(pl.col("_during"))["entity"].n_unique() > 1:
            reason = f"在 {period} 期对应多个主体"
        else:
            reason = f"曾是多个主体的名称，在 {period} 期不属于其中任何一个"
        problems.append(
            _problem(
                row,
                "ambiguous_entity",
                f"名称「{row['entity_key']}」{reason}：{listed}。请改用统一社会信用代码或主体代码",
                value=row["entity_key"],
                column=KEY_COLUMN_LABELS["name"],
            )
        )
    return chosen, problems


def _held(since: dt.date | None, until: dt.date | None) -> str:
    """When a candidate had the name: 「（2015-03-01 前用此名）」 and the like; nothing if always."""
    if since is None and until is None:
        return ""
    if since is None:
        return f"（{until} 前用此名）"
    if until is None:
        return f"（{since} 起用此名）"
    return f"（{since} 至 {until} 前用此名）"


def _resolve(obs: pl.DataFrame, scope: Entity | None) -> tuple[pl.DataFrame, list[Problem]]:
    """Attach entity_id, entity kind and variable_id; report keys and kinds that do not fit."""
    problems: list[Problem] = []
    entities = Entity.objects.within(scope)
    # A credit code is stored in its compact form (GB 32100: upper case, no spaces or dashes);
    # people write it in lower case or with spaces, and the check digit still passes.
    is_uscc = pl.col("entity_key_type") == "uscc"
    obs = obs.with_columns(
        pl.when(is_uscc)
        .then(pl.col("entity_key").str.replace_all(r"[\s\-]", "").str.to_uppercase())
        .otherwise(pl.col("entity_key"))
        .alias("entity_key")
    )
    keys = obs.select("entity_key", "entity_key_type").unique()
    by_code: dict[tuple[str, str], tuple[int, str]] = {}
    codes = keys.filter(pl.col("entity_key_type") != "name")["entity_key"].to_list()
    found_codes: dict[str, list[tuple[int, str]]] = {}
    for eid, code, kind in entities.filter(code__in=codes).values_list("id", "code", "kind"):
        found_codes.setdefault(code, []).append((eid, kind))
    unknown, ambiguous = set(), set()
    for key, key_type in keys.filter(pl.col("entity_key_type") != "name").iter_rows():
        hits = found_codes.get(key, [])
        if key_type == "uscc":
            hits = [h for h in hits if h[1] == EntityKind.ENTERPRISE]
        if len(hits) == 1:
            by_code[(key, key_type)] = hits[0]
        elif hits:
            ambiguous.add((key, key_type))
        else:
            unknown.add((key, key_type))
    by_name, name_problems = _resolve_names(obs, entities, scope)
    variables = dict(Variable.objects.values_list("code", "id"))
    kinds_of = {v.code: set(v.kind_list) for v in Variable.objects.all()}
    problems += name_problems
    first_rows = obs.group_by("entity_key", "entity_key_type").agg(pl.all().first())
    for row in first_rows.iter_rows(named=True):
        k = (row["entity_key"], row["entity_key_type"])
        if k in unknown:
            problems.append(_unknown(row, scope))
        elif k in ambiguous:
            problems.append(
                _problem(
                    row,
                    "ambiguous_entity",
                    f"名称「{row['entity_key']}」对应多个主体：请改用统一社会信用代码或主体代码",
                    value=row["entity_key"],
                    column=KEY_COLUMN_LABELS.get(row["entity_key_type"]),
                )
            )
    ids = pl.concat(
        [
            pl.DataFrame(
                [(k[0], k[1], v[0], v[1]) for k, v in by_code.items()],
                schema=IDS_SCHEMA,
                orient="row",
            )
            .join(
                obs.select("entity_key", "entity_key_type", "period").unique(),
                how="inner",
                on=["entity_key", "entity_key_type"],
            )
            .select(*IDS_SCHEMA, "period"),
            by_name.select(*IDS_SCHEMA, "period"),
        ]
    )
    var_ids = pl.DataFrame(
        {"variable": list(variables), "variable_id": list(variables.values())},
        schema={"variable": pl.String, "variable_id": pl.Int64},
    )
    resolved = obs.join(
        ids, on=["entity_key", "entity_key_type", "period"], how="inner", nulls_equal=True
    ).join(var_ids, on="variable", how="left")
    missing_var = resolved.filter(pl.col("variable_id").is_null())
    for row in missing_var.iter_rows(named=True):
        problems.append(
            _problem(
                row,
                "variable_not_in_database",
                f"变量 {row['variable']} 不在数据库中：请先运行 gaoxin init 同步变量目录",
                value=row["variable"],
            )
        )
    resolved = resolved.filter(pl.col("variable_id").is_not_null())
    allowed = pl.DataFrame(
        [(code, kind) for code, ks in kinds_of.items() for kind in ks],
        schema={"variable": pl.String, "entity_kind": pl.String},
        orient="row",
    ).with_columns(pl.lit(True).alias("_ok"))
    checked = resolved.join(allowed, on=["variable", "entity_kind"], how="left")
    wrong_kind = checked.filter(pl.col("_ok").is_null())
    labels = {k: str(v) for k, v in EntityKind.choices}
    for row in wrong_kind.iter_rows(named=True):
        problems.append(
            _problem(
                row,
                "variable_not_for_kind",
                f"变量 {row['variable']} 不由{labels[row['entity_kind']]}报送（适用于：{'、'.join(labels[k] for k in sorted(kinds_of[row['variable']]))}）",
                value=row["raw_value"] if "raw_value" in row else row["value"],
            )
        )
    return checked.filter(pl.col("_ok").is_not_null()).drop("_ok"), problems


def _comparable_name(name: pl.Expr) -> pl.Expr:
    """A name as compared, not as shown: full-width/half-width, spaces and case do not count."""
    return name.str.normalize("NFKC").str.replace_all(r"\s", "").str.to_lowercase()


def _check_names(obs: pl.DataFrame) -> list[Problem]:
    """A credit code written beside another firm's name: one of the two is wrong, and which
    one cannot be guessed, so the row is refused."""
    keyed = obs.filter(
        (pl.col("entity_key_type") == "uscc") & pl.col("entity_name").is_not_null()
    ).unique(subset=["source_file", "sheet", "row"], maintain_order=True)
    if keyed.is_empty():
        return []
    names = pl.DataFrame(
        list(
            Entity.objects.filter(pk__in=keyed["entity_id"].unique().to_list()).values_list(
                "id", "name"
            )
        ),
        schema={"entity_id": pl.Int64, "registered": pl.String},
        orient="row",
    )
    wrong = keyed.join(names, on="entity_id").filter(
        _comparable_name(pl.col("entity_name")) != _comparable_name(pl.col("registered"))
    )
    return [
        _problem(
            row,
            "uscc_name_mismatch",
            f"统一社会信用代码 {row['entity_key']} 在主体名录中是「{row['registered']}」，"
            f"与此行的名称「{row['entity_name']}」不符：请核对代码或名称（企业更名请先在名录中更新）",
            column=KEY_COLUMN_LABELS["name"],
            value=row["entity_name"],
        )
        for row in wrong.iter_rows(named=True)
    ]


def _same_entity_twice(obs: pl.DataFrame, found: list[Problem]) -> list[Problem]:
    """One entity's value given twice under different keys (credit code and name, a zone's
    code and its name, two sheets): refused with every row named, never the last one kept.

    The engine already reports rows repeating the same key; only the others are added."""
    key = ["entity_id", "variable", "period"]
    repeated = obs.filter(pl.len().over(key) > 1)
    if repeated.is_empty():
        return []
    reported = {(p.file, p.sheet, p.row, p.column) for p in found if p.code == "duplicate_key"}
    problems: list[Problem] = []
    for group in repeated.sort("sheet", "row", nulls_last=False).partition_by(
        key, maintain_order=True
    ):
        rows = group.to_dicts()
        where = "、".join(
            (f"工作表「{r['sheet']}」" if r["sheet"] else "") + f"第{r['row']}行" for r in rows
        )
        written = "、".join(f"「{r['entity_key']}」" for r in rows)
        for r in rows:
            if (r["source_file"], r["sheet"] or None, r["row"], r["column"]) in reported:
                continue
            problems.append(
                _problem(
                    r,
                    "duplicate_entity",
                    f"{written}是同一主体，其指标 {r['variable']} 在期间 {r['period']} 填报了多次"
                    f"（{where}）；同一主体、指标、期间只能有一个值，请删除多余的行",
                    value=r["raw_value"],
                )
            )
    return problems


def _check_locks(obs: pl.DataFrame, today: dt.date) -> list[Problem]:
    """A value for a period whose reporting form has passed its deadline is refused."""
    problems: list[Problem] = []
    forms = ReportingForm.objects.prefetch_related(
        "form_variables__variable", "assignments__scope", "unlocks"
    )
    if not forms:
        return problems
    paths = dict(
        Entity.objects.filter(pk__in=obs["entity_id"].unique().to_list()).values_list("id", "path")
    )
    obs = obs.with_columns(
        pl.col("entity_id").replace_strict(paths, return_dtype=pl.String).alias("_path")
    )
    for form in forms:
        codes = [fv.variable.code for fv in form.form_variables.all()]
        prefixes = [a.scope.path for a in form.assignments.all()]
        if not codes or not prefixes:
            continue
        mine = obs.filter(
            pl.col("variable").is_in(codes)
            & (pl.col("entity_kind") == form.entity_kind)
            & pl.any_horizontal([pl.col("_path").str.starts_with(p) for p in prefixes])
        )
        for period_code in mine["period"].unique().to_list():
            period = Period.parse(period_code)
            if period.kind != form.period_type or not form.is_locked(period, today):
                continue
            first = mine.filter(pl.col("period") == period_code).row(0, named=True)
            problems.append(
                _problem(
                    first,
                    "period_locked",
                    f"报表「{form.name}」{period_code} 期已于 {form.deadline(period)} 截止锁定："
                    "如需更正，请由管理员解锁该期并说明原因",
                    value=period_code,
                    column="期间",
                )
            )
    return problems


def _check_rules(obs: pl.DataFrame) -> list[Problem]:
    rules = list(ValidationRule.objects.filter(active=True))
    if not rules:
        return []
    # A rule of high importance blocks the import; the others come back as warnings.
    return check_rules(rules, obs)
