"""Evaluation runs from the store: run a pack's framework over the facts and freeze the result.

``run_framework(pack, framework, period, scope)`` reads the facts of ``scope`` from the store,
builds the unit table (``gaoxin.engine.composite.inputs.evaluation_inputs``), takes the previous
period's current run for rank changes and earlier periods for last-observed imputation, runs the
engine and writes the run and its results in one transaction. ``history(framework, periods)`` is
the frame the rules read (decision 009).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
from django.db import transaction
from django.utils.translation import gettext_noop

from gaoxin.engine.composite import Evaluation, Framework, evaluate
from gaoxin.engine.composite.inputs import evaluation_inputs
from gaoxin.engine.periods import Period, PeriodError
from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.evaluation.choices import RunStatus, UnitLevel
from gaoxin.evaluation.frameworks import PackFrameworks, find_pack
from gaoxin.evaluation.models import EvaluationResult, EvaluationRun
from gaoxin.registry.models import Entity

Progress = Callable[[str], None]

HISTORY_SCHEMA = {
    "framework": pl.String,
    "period": pl.String,
    "entity": pl.String,
    "score": pl.Float64,
    "rank": pl.Int64,
    "rank_change": pl.Int64,
    "grade": pl.String,
    "veto": pl.String,
}


def _noop(_: str) -> None:
    pass


def _problem(code: str, message: str, value: str | None = None) -> ProblemsError:
    return ProblemsError([Problem(f"evaluation.{code}", message, value=value)])


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as e:
        raise _problem("bad_period", str(e), text) from None


def units_of(
    fw: Framework, level: str | None, where: str | None, file: str | None = None
) -> tuple[UnitLevel, str | None, str | None]:
    """The units a run ranks: ``level`` and ``where`` as given (``--level``, ``--where``), else
    the framework's ``units``; its ``where`` applies only at its own level, and an empty ``where``
    ranks every unit of the level. Also the framework file when the condition comes from it."""
    units = fw.units
    chosen = UnitLevel(level or (units.level if units is not None else UnitLevel.ZONE))
    if where is None and units is not None and units.where and chosen == units.level:
        return UnitLevel(units.level), units.where, file
    return chosen, where or None, None


def _where(facts, kind: str, source: str | None, file: str | None = None) -> pl.Expr | None:
    """``source`` (e.g. ``above_scale == 1``, ``level == "provincial"``) as a filter on the unit
    rows; the names are the fact frame's columns and certification kinds (1 = held). ``file``:
    the framework file when the condition is its ``units.where``."""
    if not source:
        return None
    from gaoxin.engine.expr import ExprError, ExprType, compile_expr

    wide = facts.wide(kind)
    names: dict[str, str] = {}
    for c, dtype in wide.schema.items():
        if c.startswith("__"):
            continue
        names[c] = "number" if dtype.is_numeric() else "string"
    names.update({c: "number" for c in facts.cert_kinds})
    try:
        return compile_expr(source, names, expect=ExprType.BOOL)
    except ExprError as e:
        if file is None:
            raise _problem("bad_where", f"参评单位筛选条件有误：{e}", source) from None
        raise ProblemsError(
            [
                Problem(
                    "evaluation.bad_where",
                    f"评价体系的参评单位条件 units.where 与数据不符：{e}",
                    file=file,
                    row=_where_line(file),
                    column="units.where",
                    value=source,
                    extra=dict(e.to_problem().extra),
                )
            ]
        ) from None


def _where_line(file: str) -> int | None:
    """The line of ``units.where`` in the framework file ``file``."""
    from pathlib import Path

    from gaoxin.engine.packs.yaml_lines import read_yaml

    return read_yaml(Path(file).read_text(encoding="utf-8")).line("units", "where")


def _reporting_units(facts, period: Period, level: str) -> pl.DataFrame:
    """Units with any statistics in the period's year, their own or (for a zone) its
    enterprises' and institutions'. The registry lists every national zone; one a division
    has no data for is not evaluated (mean imputation would rank it mid-table on nothing)."""
    year = str(period.year)
    reporting = (
        facts.observations.filter(pl.col("period").cast(pl.String).str.starts_with(year))
        .select(pl.col("entity").cast(pl.String))
        .unique()
    )
    ents = facts.entities.with_columns(pl.col("entity", "zone").cast(pl.String)).join(
        reporting, on="entity", how="semi"
    )
    col = "zone" if level == UnitLevel.ZONE else "entity"
    if level != UnitLevel.ZONE:
        ents = ents.filter(pl.col("kind") == level)
    return ents.select(pl.col(col).alias("unit")).drop_nulls().unique()


def _finite(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _jsonable(x: Any) -> Any:
    """``x`` with every non-finite float as the text pydantic reads back ("Infinity", "NaN"):
    PostgreSQL's jsonb has no such numbers (a 亩均 score's cap is .inf)."""
    if isinstance(x, float) and not math.isfinite(x):
        return "NaN" if x != x else ("Infinity" if x > 0 else "-Infinity")
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    return x


def _previous_ranks(run: EvaluationRun | None, unit: str) -> pl.DataFrame | None:
    if run is None:
        return None
    rows = list(run.results.values_list("entity__code", "rank"))
    return pl.DataFrame(rows, schema={unit: pl.String, "rank": pl.Float64}, orient="row")


def run_framework(
    pack: str,
    framework: str | None,
    period: str,
    scope: Entity | None = None,
    *,
    level: str | None = None,
    where: str | None = None,
    user=None,
    progress: Progress = _noop,
) -> EvaluationRun:
    """Evaluate ``framework`` of ``pack`` for ``period`` over the units of ``level`` in ``scope``
    (optionally those meeting ``where``) and store the frozen run. ``level`` and ``where`` default
    to the framework's ``units`` (see :func:`units_of`). Raises ProblemsError, with nothing
    written, on an unknown pack or framework, a period with no data, or bad inputs.

    Reads published data only (decision 041): the analytics tables' published build, brought
    up to the data version first; the run records that version."""
    from gaoxin.statistics import analytics

    progress(gettext_noop("读取评价体系"))
    pf = find_pack(pack)
    fw, fw_path = pf.framework(framework)
    p = _period(period)
    code = str(p)
    level, where, where_file = units_of(fw, level, where, str(fw_path))

    progress(gettext_noop("读取统计数据"))
    facts, data_state = analytics.facts(scope, by=None, fresh=True)
    if code not in facts.periods(p.kind):
        raise _problem(
            "no_data",
            f"{p.label()}没有任何统计数据，无法评价；已有数据的期间："
            f"{'、'.join(facts.periods(p.kind)) or '（无）'}",
            code,
        )
    where_expr = _where(facts, p.kind, where, where_file)

    progress(gettext_noop("计算指标"))
    data = evaluation_inputs(facts, fw, code, level=level, where=where_expr)
    reporting = _reporting_units(facts, p, level).rename({"unit": fw.unit})
    without_data = data.height
    # in code order, so that the input hash does not depend on the order the store returns rows
    data = data.join(reporting, on=fw.unit, how="semi").sort(fw.unit)
    without_data -= data.height
    indicators = list(dict.fromkeys(n.column or n.code for n in fw.indicators()))
    present = data.select(pl.any_horizontal(pl.col(indicators).is_not_null()).sum()).item()
    if data.height == 0 or present == 0:
        raise _problem(
            "no_units",
            f"{p.label()}没有参评单位的指标数据（评价对象：{level.label}"
            f"{'，筛选：' + where if where else ''}），无法评价",
            code,
        )

    # ranks are compared only between runs that ranked the same selection of units
    previous = EvaluationRun.objects.current(
        fw.framework, str(p.previous()), scope, level=level, where=where
    )
    history: list[pl.DataFrame] = []
    history_periods: list[str] = []
    if fw.impute.method == "last":
        history_periods = [q for q in reversed(facts.periods(p.kind)) if q < code]
        history = [
            evaluation_inputs(facts, fw, q, level=level, where=where_expr) for q in history_periods
        ]

    progress(gettext_noop("综合评价"))
    ev = evaluate(fw, data, previous=_previous_ranks(previous, fw.unit), history=history or None)

    progress(gettext_noop("保存结果"))
    parameters = {
        "level": str(level),
        "where": where,
        "scope": scope.code if scope is not None else None,
        "previous_period": str(p.previous()),
        "previous_run": previous.pk if previous is not None else None,
        "history_periods": history_periods,
        "units_without_data": without_data,
        # what it read: the published analytics tables of this data version (decision 041)
        "data": "published",
        "data_version": data_state.version,
    }
    return _store(pf, fw, code, scope, level, parameters, data, ev, previous, user)


def _store(
    pf: PackFrameworks,
    fw: Framework,
    period: str,
    scope: Entity | None,
    level: UnitLevel,
    parameters: dict[str, Any],
    data: pl.DataFrame,
    ev: Evaluation,
    previous: EvaluationRun | None,
    user: Any,
) -> EvaluationRun:
    """The run and one result per ranked unit, in one transaction."""
    unit = fw.unit
    res = ev.result
    codes = res[unit].to_list()
    ids = dict(Entity.objects.filter(kind=level, code__in=codes).values_list("code", "id"))
    unknown = [c for c in codes if c not in ids]
    if unknown:  # the facts came from the registry, so this is a programming error
        raise RuntimeError(f"units not in the registry: {unknown[:5]}")
    record = {
        **ev.run,
        "pack": pf.id,
        "pack_hash": pf.hash,
        "period": period,
        "title": fw.title,
        "framework_spec": fw.model_dump(mode="json"),
        "run_parameters": {k: v for k, v in parameters.items() if k != "previous_run"},
        "imputed": ev.imputation_report().to_dicts(),
        "treatment": [
            {k: _finite(v) for k, v in r.items()} for r in ev.treatment_report().to_dicts()
        ],
        "warnings": [
            {"code": w.code, "message": w.message, "column": w.column, "value": w.value}
            for w in ev.warnings
        ],
    }
    node_cols = [n.code for n, _, _ in fw.nodes()]
    extra: list[str] = [c for c in ("bonus", "penalty") if c in res.columns]
    extra += [c for c in res.columns if c.startswith("rank_") and c != "rank_change"]
    inputs = {r[unit]: r for r in data.with_columns(pl.col(unit).cast(pl.String)).to_dicts()}
    with transaction.atomic():
        run = EvaluationRun.objects.create(
            pack=pf.id,
            pack_hash=pf.hash,
            framework=fw.framework,
            framework_version=fw.version,
            framework_hash=ev.run["framework_hash"],
            title=fw.title or "",
            period=period,
            scope=scope,
            level=level,
            parameters=parameters,
            engine_version=ev.run["engine"],
            data_hash=ev.run["data_hash"],
            units=res.height,
            status=RunStatus.COMPLETED,
            previous=previous,
            record=_jsonable(record),
            created_by=user,
        )
        rows = []
        for r in res.iter_rows(named=True):
            u = r[unit]
            rows.append(
                EvaluationResult(
                    run=run,
                    entity_id=ids[u],
                    score=_finite(r["score"]),
                    rank=r["rank"],
                    rank_change=r.get("rank_change"),
                    grade=r.get("grade") or "",
                    veto=r.get("veto") or "",
                    node_scores={c: _finite(r[c]) for c in [*node_cols, *extra]},
                    inputs={k: _finite(v) for k, v in inputs[u].items() if k != unit},
                    strengths=r["strengths"] or "",
                    weaknesses=r["weaknesses"] or "",
                )
            )
        EvaluationResult.objects.bulk_create(rows, batch_size=2000)
    return run


def result_frame(run: EvaluationRun) -> pl.DataFrame:
    """A run's results as a frame: entity code and name, the name of the entity above it (an
    enterprise's zone), score, rank, change, grade, veto, strengths, weaknesses, then one column
    per node score (and bonus, penalty, ranks within groups), in rank order."""
    rows = list(
        run.results.order_by("rank", "entity__code").values_list(
            "entity__code",
            "entity__name",
            "entity__parent__name",
            "score",
            "rank",
            "rank_change",
            "grade",
            "veto",
            "strengths",
            "weaknesses",
            "node_scores",
        )
    )
    base = pl.DataFrame(
        [r[:10] for r in rows],
        schema={
            "entity": pl.String,
            "name": pl.String,
            "parent": pl.String,
            "score": pl.Float64,
            "rank": pl.Int64,
            "rank_change": pl.Int64,
            "grade": pl.String,
            "veto": pl.String,
            "strengths": pl.String,
            "weaknesses": pl.String,
        },
        orient="row",
    )
    nodes = (
        pl.DataFrame([r[10] for r in rows], infer_schema_length=None) if rows else pl.DataFrame()
    )
    return pl.concat([base, nodes], how="horizontal") if nodes.width else base


def input_frame(run: EvaluationRun) -> pl.DataFrame:
    """The raw input values each unit was evaluated on, in rank order."""
    rows = list(
        run.results.order_by("rank", "entity__code").values_list(
            "entity__code", "entity__name", "inputs"
        )
    )
    base = pl.DataFrame(
        [r[:2] for r in rows], schema={"entity": pl.String, "name": pl.String}, orient="row"
    )
    values = (
        pl.DataFrame([r[2] for r in rows], infer_schema_length=None) if rows else pl.DataFrame()
    )
    return pl.concat([base, values], how="horizontal") if values.width else base


def history(framework: str, periods: Sequence[str], *, scope: Entity | None = None) -> pl.DataFrame:
    """Decision 009: one row per unit and evaluated period of ``framework``, from each period's
    current run over ``scope`` (None: runs over the whole store), as
    ``(framework, period, entity, score, rank, rank_change, grade, veto)``. A period without a
    completed run has no rows; grade and veto are null where there are none."""
    frames = []
    for period in dict.fromkeys(str(_period(p)) for p in periods):
        run = EvaluationRun.objects.current(framework, period, scope)
        if run is None:
            continue
        rows = run.results.values_list(
            "entity__code", "score", "rank", "rank_change", "grade", "veto"
        )
        frames.append(
            pl.DataFrame(
                [
                    (framework, period, e, s, r, c, g or None, v or None)
                    for e, s, r, c, g, v in rows
                ],
                schema=HISTORY_SCHEMA,
                orient="row",
            )
        )
    if not frames:
        return pl.DataFrame(schema=HISTORY_SCHEMA)
    return pl.concat(frames).sort("period", "rank", "entity", nulls_last=True)


#: How far back the rules read evaluation history (for failures in a row, the best earlier rank).
HISTORY_YEARS = 10


def rules_history(
    needed: Sequence[tuple[str, str]], scope: Entity | None = None
) -> tuple[pl.DataFrame | None, dict[tuple[str, str], int]]:
    """The evaluation history the rules of a pack read (``needed``: the (framework, period)
    pairs of :func:`gaoxin.engine.packs.bindings.evaluations_needed`), from the current completed
    runs over ``scope``, :data:`HISTORY_YEARS` back from the latest period, with the run each row
    came from; and those runs' ids by (framework, period). (None, {}) when the rules read none."""
    if not needed:
        return None, {}
    frames, runs = [], {}
    for fw in sorted({f for f, _ in needed}):
        last = max(Period.parse(p) for f, p in needed if f == fw)
        periods = [str(last.shift(-k)) for k in range(HISTORY_YEARS, -1, -1)]
        h = history(fw, periods, scope=scope)
        for p in h["period"].unique().to_list():
            run = EvaluationRun.objects.current(fw, p, scope)
            if run is not None:
                runs[(fw, p)] = run.pk
        frames.append(h)
    hist = pl.concat(frames, how="diagonal_relaxed")
    run_ids = pl.DataFrame(
        [(f, p, r) for (f, p), r in runs.items()],
        schema={"framework": pl.String, "period": pl.String, "run": pl.Int64},
        orient="row",
    )
    return hist.join(run_ids, on=["framework", "period"], how="left"), runs
