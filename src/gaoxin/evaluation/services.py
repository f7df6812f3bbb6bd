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

__all__ = ["EvaluationOutcome", "evaluate", "evaluate_files", "write_evaluation_files"]


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
