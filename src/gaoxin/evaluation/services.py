"""Evaluation as application services (decision 023): :func:`evaluate` runs a pack's framework
over the store for a period and scope and freezes the run; :func:`evaluate_files` runs a
framework file over a CSV with no database at all. ``gaoxin evaluate``, the pages and the API
render what they return."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gaoxin.engine.tabular.safe import csv_frame

if TYPE_CHECKING:
    import polars as pl

    from gaoxin.engine.composite import Evaluation
    from gaoxin.engine.periods import Period
    from gaoxin.evaluation.models import EvaluationRun
    from gaoxin.registry.models import Entity

__all__ = [
    "EvaluationOutcome",
    "RunComparison",
    "ScoreExplanation",
    "compare_runs",
    "evaluate",
    "evaluate_files",
    "explain_score",
    "visible_runs",
    "write_evaluation_files",
]


@dataclass(frozen=True)
class EvaluationOutcome:
    """A frozen evaluation run and its results, one row per unit in rank order (``entity``,
    ``name``, ``score``, ``rank``, ``rank_change``, ``grade``, ... as
    :func:`gaoxin.evaluation.store.result_frame` gives them), with the warnings of the run."""

    run: EvaluationRun
    results: pl.DataFrame

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return list(self.run.record.get("warnings", []))

    @property
    def unit_label(self) -> str:
        """What was ranked, as a reader says it: 企业 or 高新区."""
        return "企业" if self.run.level == "enterprise" else "高新区"

    @property
    def where(self) -> str | None:
        """The condition the units met (``above_scale == 1``), None for every unit."""
        return self.run.parameters.get("where")

    def write(self, path: Path) -> Path:
        """The results as ``.csv`` (one row per unit) or as the ``.xlsx`` workbook (ranking,
        indicators, imputation, outliers, the run record)."""
        from gaoxin.evaluation.report import write_run_xlsx

        if path.suffix.lower() == ".csv":
            path.parent.mkdir(parents=True, exist_ok=True)
            csv_frame(self.results).write_csv(path)
            return path
        return write_run_xlsx(self.run, path)


def evaluate(
    pack: str,
    period: Period,
    scope: Entity | None,
    *,
    by: Any,
    framework: str | None = None,
    level: str | None = None,
    where: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvaluationOutcome:
    """Evaluate ``framework`` of ``pack`` (a pack id or directory; the framework may be left out
    when the pack has one) for ``period`` over the units in ``scope`` (None: the whole store), of
    ``level`` (``zone`` or ``enterprise``) meeting ``where`` (both default to the framework's
    ``units``), and store the frozen run as ``by``'s. ``progress`` hears each step's name.

    Raises :class:`~gaoxin.services.OutOfScope` when ``scope`` is outside ``by``'s, and
    :class:`~gaoxin.engine.problems.ProblemsError` on an unknown pack or framework, a period
    with no data or bad inputs; in both cases nothing is written."""
    from gaoxin.evaluation.store import result_frame, run_framework
    from gaoxin.services import check_scope

    check_scope(by, scope)
    kwargs = {"progress": progress} if progress is not None else {}
    run = run_framework(
        pack, framework, str(period), scope, level=level, where=where, user=by, **kwargs
    )
    return EvaluationOutcome(run, result_frame(run))


def evaluate_files(
    framework: Path,
    data: Path,
    *,
    previous: Path | None = None,
    history: Sequence[Path] = (),
) -> Evaluation:
    """Evaluate the framework file ``framework`` over the CSV ``data`` (one row per unit), with
    ``previous`` results for rank changes and ``history`` CSVs (most recent first) for
    last-observed imputation. Needs no database. ProblemsError on a bad file."""
    import polars as pl

    from gaoxin.engine.composite import evaluate as run
    from gaoxin.engine.composite import load_framework, read_data
    from gaoxin.engine.problems import Problem, ProblemsError

    fw = load_framework(framework)
    if not data.is_file():
        raise ProblemsError([Problem("data.file", "找不到数据文件", file=str(data))])
    try:
        df = read_data(str(data), fw)
    except Exception as e:  # polars' own parse errors
        raise ProblemsError([Problem("data.csv", f"无法读取 CSV：{e}", file=str(data))]) from None
    prev = pl.read_csv(previous, infer_schema=False) if previous else None
    if prev is not None:
        prev = prev.with_columns(pl.col("rank").cast(pl.Float64, strict=False))
    hist = [read_data(str(h), fw) for h in history]
    return run(fw, df, previous=prev, history=hist, file=str(data))


def write_evaluation_files(ev: Evaluation, out: Path, report: Path | None = None) -> None:
    """Write ``ev``'s results to ``out`` (CSV) with its run record beside it
    (``out.run.json``), and, given a ``report`` directory, what imputation and outlier
    treatment did and every layer of the pipeline."""
    from gaoxin.engine.composite import run_json

    out.parent.mkdir(parents=True, exist_ok=True)
    csv_frame(ev.result).write_csv(out)
    Path(str(out) + ".run.json").write_text(run_json(ev), encoding="utf-8")
    if report is not None:
        report.mkdir(parents=True, exist_ok=True)
        csv_frame(ev.imputation_report()).write_csv(report / "imputed.csv")
        csv_frame(ev.treatment_report()).write_csv(report / "treated.csv")
        for name, layer in ev.layers.items():
            csv_frame(layer).write_csv(report / f"layer_{name}.csv")


# ---------------------------------------------------------------------------------------------
# Reading stored runs: the runs a user may read, two runs compared, one unit's score explained.


def visible_runs(by: Any):
    """The runs ``by`` may read: those of their scope, published ones only unless ``by`` is a
    province reviewer, who also sees what waits for review (decision 026). Everything for
    ``by=None`` (the operator at the terminal)."""
    from gaoxin.evaluation.models import EvaluationRun
    from gaoxin.reviews import may_review

    runs = EvaluationRun.objects.select_related("scope", "approved_by", "created_by")
    if by is None:
        return runs
    runs = runs.restrict(by)
    return runs if may_review(by) else runs.published()


def _run(run_id: int, by: Any) -> EvaluationRun:
    from gaoxin.services import NotFound

    run = visible_runs(by).filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"没有第 {run_id} 次评价运行", value=str(run_id))
    return run


@dataclass(frozen=True)
class RunComparison:
    """Two runs side by side, one row per unit in either (``entity``, ``name``, ``rank_before``,
    ``rank_after``, ``rank_gain`` (positive: moved up), ``score_before``, ``score_after``,
    ``score_change``), in the later run's rank order; units in one run only have nulls."""

    before: EvaluationRun
    after: EvaluationRun
    rows: pl.DataFrame

    @property
    def same_framework(self) -> bool:
        return self.before.framework == self.after.framework


def _ranks(run: EvaluationRun) -> pl.DataFrame:
    import polars as pl

    rows = list(run.results.values_list("entity_id", "entity__name", "rank", "score"))
    return pl.DataFrame(
        rows,
        schema={"entity": pl.Int64, "name": pl.String, "rank": pl.Int64, "score": pl.Float64},
        orient="row",
    )


def compare_runs(before_id: int, after_id: int, *, by: Any) -> RunComparison:
    """Run ``after_id`` against run ``before_id``: each unit's rank and score in both and the
    differences. :class:`~gaoxin.services.NotFound` when either is not a run ``by`` may read;
    ProblemsError when they are the same run."""
    import polars as pl

    from gaoxin.engine.problems import Problem, ProblemsError

    if before_id == after_id:
        raise ProblemsError([Problem("evaluation.compare_same", "请选择两次不同的评价运行")])
    before, after = _run(before_id, by), _run(after_id, by)
    b = _ranks(before).rename({"name": "name_b", "rank": "rank_before", "score": "score_before"})
    a = _ranks(after).rename({"rank": "rank_after", "score": "score_after"})
    rows = (
        a.join(b, on="entity", how="full", coalesce=True)
        .with_columns(
            name=pl.coalesce("name", "name_b"),
            rank_gain=pl.col("rank_before") - pl.col("rank_after"),
            score_change=pl.col("score_after") - pl.col("score_before"),
        )
        .drop("name_b")
        .sort(["rank_after", "rank_before", "name"], nulls_last=True)
        .select(
            "entity",
            "name",
            "rank_before",
            "rank_after",
            "rank_gain",
            "score_before",
            "score_after",
            "score_change",
        )
    )
    return RunComparison(before, after, rows)


@dataclass(frozen=True)
class ScoreLine:
    """One indicator of a unit's score: its dimension, name, the value it was evaluated on
    (``raw``, with ``unit``), its normalised score, its weight within its dimension and in the
    index (the product of the weights on its path), and its contribution to the index
    (normalised × effective weight)."""

    dimension: str
    name: str
    raw: float | None
    unit: str
    score: float | None
    weight: float | None
    effective: float | None
    contribution: float | None
    strength: bool
    weakness: bool


@dataclass(frozen=True)
class ScoreExplanation:
    """Why a unit has its score in a run, indicator by indicator (:func:`explain_score`)."""

    run: EvaluationRun
    result: Any  # EvaluationResult
    #: (dimension name, its score, its effective weight) in framework order
    dimensions: list[tuple[str, float | None, float | None]]
    lines: list[ScoreLine]
    strengths: list[str]
    weaknesses: list[str]
    #: (加分项 or 扣分项, points added or taken) where the framework's items applied
    adjustments: list[tuple[str, float]]
    #: the index aggregates by a weighted arithmetic mean throughout, so contributions add up
    additive: bool

    @property
    def contributions(self) -> float:
        return sum(x.contribution or 0.0 for x in self.lines)


def explain_score(run_id: int, entity_id: int, *, by: Any) -> ScoreExplanation:
    """A unit's score in run ``run_id`` explained indicator by indicator from what the run
    stored (the framework it used, the weights as applied, each unit's inputs and node scores).
    :class:`~gaoxin.services.NotFound` when the run is not one ``by`` may read or the unit is
    not in it (or outside ``by``'s scope)."""
    from gaoxin.engine.composite.inputs import column_units
    from gaoxin.evaluation.report import _framework, _names
    from gaoxin.services import NotFound, scope_for

    run = _run(run_id, by)
    result = (
        run.results.within(scope_for(by) if by is not None else None)
        .select_related("entity")
        .filter(entity_id=entity_id)
        .first()
    )
    if result is None:
        raise NotFound(f"该次评价没有编号为 {entity_id} 的参评单位", value=str(entity_id))
    fw = _framework(run)
    if fw is None:
        raise NotFound("该次评价所用的评价体系已无法读取，不能逐项说明")
    names = _names(fw)
    units = column_units(fw)
    weights: dict[str, dict[str, float]] = run.record.get("weights") or {}
    scores = result.node_scores or {}
    inputs = result.inputs or {}
    strong = [c for c in (result.strengths or "").split(";") if c]
    # a unit ranked alike on every indicator has the same ones as its best and its worst (the
    # engine's ties, COINr's get_str_weak): a reader is told only that they are its best
    weak = [c for c in (result.weaknesses or "").split(";") if c and c not in strong]
    effective: dict[str, float | None] = {fw.index.code: 1.0}
    dimension_of: dict[str, str] = {}
    dimensions: list[tuple[str, float | None, float | None]] = []
    lines: list[ScoreLine] = []
    additive = True
    for node, parent, depth in fw.nodes():
        if parent is None:
            continue
        w = (weights.get(parent.code) or {}).get(node.code)
        up = effective.get(parent.code)
        effective[node.code] = None if w is None or up is None else up * w
        if not node.is_indicator and (node.aggregation or fw.aggregation) != "arithmetic":
            additive = False
        if depth == 1:
            dimension_of[node.code] = node.name or node.code
            if not node.is_indicator:
                dimensions.append(
                    (node.name or node.code, scores.get(node.code), effective[node.code])
                )
        else:
            dimension_of[node.code] = dimension_of.get(parent.code, "")
        if node.is_indicator:
            column = node.column or node.code
            score = scores.get(node.code)
            eff = effective[node.code]
            lines.append(
                ScoreLine(
                    dimension=dimension_of[node.code] if depth > 1 else "",
                    name=node.name or names.get(column, node.code),
                    raw=inputs.get(column),
                    unit=units.get(column, ""),
                    score=score,
                    weight=w,
                    effective=eff,
                    contribution=None if score is None or eff is None else score * eff,
                    strength=node.code in strong,
                    weakness=node.code in weak,
                )
            )
    if (fw.index.aggregation or fw.aggregation) != "arithmetic":
        additive = False
    adjustments = [
        (label, sign * float(points))
        for label, sign, points in (
            ("加分项", 1, scores.get("bonus")),
            ("扣分项", -1, scores.get("penalty")),
        )
        if points
    ]
    return ScoreExplanation(
        run=run,
        result=result,
        dimensions=dimensions,
        lines=lines,
        strengths=[names.get(c, c) for c in strong],
        weaknesses=[names.get(c, c) for c in weak],
        adjustments=adjustments,
        additive=additive,
    )
