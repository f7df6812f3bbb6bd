"""The evaluation pipeline: denominate -> impute -> screen -> treat -> normalise -> aggregate.

Like COINr's coin, an :class:`Evaluation` keeps every layer (a units x indicators frame per
step) so any step can be inspected, and the reports of what each step did.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from gaoxin.engine.composite import aggregate as agg
from gaoxin.engine.composite import weights as wts
from gaoxin.engine.composite.normalise import score_matrix
from gaoxin.engine.composite.results import (
    grade,
    join_codes,
    join_positions,
    rank_change,
    rank_desc,
    rank_vetoed_last,
    strengths_weaknesses_idx,
)
from gaoxin.engine.composite.spec import Framework, Item, Node, Veto, check_columns
from gaoxin.engine.composite.treat import ImputedCells, Treatment, impute_matrix, treat_matrix
from gaoxin.engine.problems import Problem, ProblemsError

ENGINE_VERSION = "gaoxin.composite/1"
NULL_VALUES = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "-", "—"]


class Layers(Mapping[str, pl.DataFrame]):
    """An evaluation's layers by name, in pipeline order. A layer given by the function that
    builds it is built the first time it is read: every node's ranks (``Ranks``), which a run
    reports only in part (the indicators' ranks make the strengths and weaknesses; the index's
    rank is the result's own), and a sort of 200,000 units per node was the largest part of
    ``evaluate``'s time."""

    def __init__(self) -> None:
        self._layers: dict[str, pl.DataFrame | Callable[[], pl.DataFrame]] = {}

    def __setitem__(self, name: str, layer: pl.DataFrame | Callable[[], pl.DataFrame]) -> None:
        self._layers[name] = layer

    def __getitem__(self, name: str) -> pl.DataFrame:
        layer = self._layers[name]
        if not isinstance(layer, pl.DataFrame):
            layer = self._layers[name] = layer()
        return layer

    def __iter__(self) -> Iterator[str]:
        return iter(self._layers)

    def __len__(self) -> int:
        return len(self._layers)

    def __getstate__(self) -> dict[str, Any]:  # a pickle holds every layer built
        return {"_layers": {name: self[name] for name in self._layers}}


@dataclass
class Evaluation:
    framework: Framework
    units: list[str]  # units kept after screening, in input order
    # Raw, Denominated, Imputed, Screened, Treated, Normalised, Aggregated, Ranks
    layers: Mapping[str, pl.DataFrame]
    imputed: ImputedCells
    treatment: list[Treatment]
    screened_out: list[str]
    weights: dict[str, dict[str, float]]  # node -> child -> weight used (sums to 1)
    result: pl.DataFrame
    run: dict[str, Any] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def node_scores(self) -> pl.DataFrame:
        return self.layers["Aggregated"]

    def imputation_report(self) -> pl.DataFrame:
        cells = self.imputed
        units = self.layers["Imputed"][self.framework.unit].cast(pl.String)
        return pl.DataFrame(
            {
                "unit": units.gather(cells.rows),
                "indicator": pl.Series(list(cells.codes), dtype=pl.String).gather(cells.cols),
                "value": pl.Series(cells.values, dtype=pl.Float64),
                "method": pl.repeat(cells.method, len(cells), dtype=pl.String, eager=True),
            },
            schema={
                "unit": pl.String,
                "indicator": pl.String,
                "value": pl.Float64,
                "method": pl.String,
            },
        )

    def treatment_report(self) -> pl.DataFrame:
        u = self.units
        return pl.DataFrame(
            {
                "indicator": [t.indicator for t in self.treatment],
                "skew": [t.skew_before for t in self.treatment],
                "kurtosis": [t.kurt_before for t in self.treatment],
                "status": [t.status for t in self.treatment],
                "winsorised_high": [
                    ";".join(u[i] for i in t.winsorised_high) for t in self.treatment
                ],
                "winsorised_low": [
                    ";".join(u[i] for i in t.winsorised_low) for t in self.treatment
                ],
                "skew_after": [t.skew_after for t in self.treatment],
                "kurtosis_after": [t.kurt_after for t in self.treatment],
            }
        )

    def treated_points(self) -> pl.DataFrame:
        """COINr's ``Treated_Points``: one row per unit, one column per treated indicator, the
        mark of each point (``winhi``, ``winlo``, ``winhi+log_CT``, ``+log_CT``, or ``""``);
        see :meth:`Treatment.points`. Indicators that passed or were skipped are left out."""
        n = len(self.units)
        marks = {
            t.indicator: t.points(n)
            for t in self.treatment
            if t.status in ("winsorised", "log", "log_fails")
        }
        return pl.DataFrame({"unit": list(self.units), **marks})

    def profile(self, unit: str) -> dict[str, Any]:
        """One unit's scores and ranks at every node, its grade, strengths and weaknesses."""
        i = self.units.index(unit)
        row = self.result.row(i, named=True)
        ranks = self.layers["Ranks"].row(i, named=True)
        nodes = {
            n.code: {
                "name": n.name,
                "score": self.layers["Aggregated"][n.code][i],
                "rank": ranks[n.code],
            }
            for n, _, _ in self.framework.nodes()
        }
        return {
            "unit": unit,
            "score": row["score"],
            "rank": row["rank"],
            "grade": row.get("grade"),
            "strengths": row["strengths"].split(";") if row["strengths"] else [],
            "weaknesses": row["weaknesses"].split(";") if row["weaknesses"] else [],
            "nodes": nodes,
        }


def read_data(path: str, fw: Framework | None = None) -> pl.DataFrame:
    """Read a CSV of one row per unit, all columns as text (numbers are checked by :func:`evaluate`).

    UTF-8 (with or without BOM) or GB18030/GBK, which is what Excel writes on Chinese Windows.
    """
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    return pl.read_csv(io.BytesIO(text.encode()), infer_schema=False, null_values=NULL_VALUES)


#: How a run's input table is hashed now; a run records it beside the hash (decision 051).
DATA_HASH = "columns-sha256/2"
#: What a run that names no algorithm used: runs stored before decision 051.
DATA_HASH_BEFORE_051 = "csv-sha256/1"


def data_hash(df: pl.DataFrame, algorithm: str = DATA_HASH) -> str:
    """SHA-256 of the input table, by ``algorithm``: ``columns-sha256/2`` hashes each column's
    name, type, nulls and values as bytes (no text is formatted: 20× cheaper at 200,000
    units); ``csv-sha256/1`` hashes the table written as CSV by Polars, what runs stored before
    decision 051 hold, kept so that they can be checked against their inputs."""
    if algorithm == DATA_HASH:
        return _columns_hash(df)
    if algorithm == DATA_HASH_BEFORE_051:
        buf = io.BytesIO()
        df.write_csv(buf)
        return hashlib.sha256(buf.getvalue()).hexdigest()
    raise ValueError(f"unknown data hash algorithm {algorithm!r}")


def run_data_hash(run: dict[str, Any], df: pl.DataFrame) -> str:
    """``df``'s hash by the algorithm ``run`` (a run record) was hashed with, to compare with
    its ``data_hash``."""
    return data_hash(df, run.get("data_hash_algorithm", DATA_HASH_BEFORE_051))


def _columns_hash(df: pl.DataFrame) -> str:
    """Per column, in order: its name, a type tag, its null mask and its values, each part
    length-prefixed. Numbers and booleans are their little-endian bytes (nulls as 0); every
    other type is its text: the byte length of each value (-1 for null) and the UTF-8 bytes."""
    h = hashlib.sha256()

    def part(b: bytes | memoryview) -> None:
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)

    part(f"{df.height}x{df.width}".encode())
    for s in df.get_columns():
        part(s.name.encode())
        part(s.is_null().to_numpy().view(np.uint8).tobytes())
        if s.dtype.is_integer() or s.dtype.is_float() or s.dtype == pl.Boolean:
            v = s.fill_null(False if s.dtype == pl.Boolean else 0).to_numpy()
            if s.dtype.is_float():  # one NaN, whatever its payload
                v = np.where(np.isnan(v), np.nan, v)
            v = v.astype(v.dtype.newbyteorder("<"), copy=False)
            part(v.dtype.str.encode())
            part(np.ascontiguousarray(v).data.cast("B"))
        else:
            t = s.cast(pl.String)
            part(b"text")
            part(t.str.len_bytes().cast(pl.Int64).fill_null(-1).to_numpy().astype("<i8").tobytes())
            part((t.str.join("").item() or "").encode())
    return h.hexdigest()


def _numeric(
    df: pl.DataFrame, cols: list[str], file: str | None
) -> tuple[np.ndarray, list[Problem]]:
    """Columns as a float matrix; every cell that is present but not a number is a problem."""
    problems: list[Problem] = []
    arrays = []
    for c in cols:
        s = df[c]
        v = s.cast(pl.Float64, strict=False) if s.dtype == pl.String else s.cast(pl.Float64)
        if s.dtype == pl.String:
            bad = (s.is_not_null() & v.is_null()).arg_true()
            for r in bad.head(20).to_list():  # report a bounded number per column
                problems.append(
                    Problem(
                        "data.not_a_number",
                        "不是数字（缺失值请留空或写 NA）",
                        file=file,
                        row=r + 2,
                        column=c,
                        value=s[r],
                    )
                )
        arrays.append(v.to_numpy().astype(float))
    X = np.column_stack(arrays) if arrays else np.empty((df.height, 0))
    return X, problems


def _prepare(
    df: pl.DataFrame, inds: list[Node], file: str | None, strict: bool = True
) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """Raw indicator matrix and the same denominated (COINr Denominate) and turned into growth
    rates where asked. With strict=False, absent columns count as missing (older periods)."""
    if not strict:
        absent = {
            c
            for n in inds
            for c in (n.column or n.code, n.denominator, n.previous)
            if c and c not in df.columns
        }
        df = df.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in sorted(absent)])
    raw_cols = [n.column or n.code for n in inds]
    denom_cols = sorted({n.denominator for n in inds if n.denominator})
    prev_cols = sorted({n.previous for n in inds if n.previous})
    X, p1 = _numeric(df, raw_cols, file)
    D, p2 = _numeric(df, denom_cols, file)
    P, p3 = _numeric(df, prev_cols, file)
    dpos = {c: j for j, c in enumerate(denom_cols)}
    ppos = {c: j for j, c in enumerate(prev_cols)}
    Xd = X.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, n in enumerate(inds):  # a loop over indicators, each vectorised over units
            if n.previous:
                prev = P[:, ppos[n.previous]]
                Xd[:, j] = 100.0 * (Xd[:, j] - prev) / np.abs(prev)
            if n.denominator:
                Xd[:, j] = Xd[:, j] / D[:, dpos[n.denominator]]
    Xd[~np.isfinite(Xd)] = np.nan
    return X, Xd, p1 + p2 + p3


def _truthy_values(X: np.ndarray) -> np.ndarray:
    return np.nan_to_num(X, nan=0.0)


def evaluate(
    fw: Framework,
    data: pl.DataFrame,
    *,
    previous: pl.DataFrame | None = None,
    history: list[pl.DataFrame] | None = None,
    file: str | None = None,
) -> Evaluation:
    """Run the framework over one row per unit. Raises ProblemsError on bad input."""
    problems = check_columns(fw, data.columns, file)
    if problems:
        raise ProblemsError(problems)
    unit_col = fw.unit
    dup = data[unit_col].is_duplicated()
    if dup.any():
        problems += [
            Problem(
                "data.duplicate_unit",
                "单位重复，每个单位只能有一行",
                file=file,
                row=r + 2,
                column=unit_col,
                value=str(data[unit_col][r]),
            )
            for r in dup.arg_true().to_list()
        ]
    inds = fw.indicators()
    codes = [n.code for n in inds]
    X, Xd, p = _prepare(data, inds, file)
    problems += p
    all_items: list[Item | Veto] = [*fw.bonus, *fw.penalty, *fw.veto]
    item_cols = sorted({it.column for it in all_items})
    Items, p = _numeric(data, item_cols, file)
    problems += p
    if problems:
        raise ProblemsError(problems)
    unit_series = data[unit_col].cast(pl.String)

    def frame(M: np.ndarray, units: pl.Series, cols: list[str]) -> pl.DataFrame:
        # the unit column is one Series, reused by every layer (not rebuilt from Python strings);
        # the matrix copied column-major once, so that each column is one contiguous block
        M = np.array(M, order="F")
        return pl.DataFrame(
            [units.alias(unit_col), *(pl.Series(c, M[:, j]) for j, c in enumerate(cols))]
        )

    layers = Layers()
    layers["Raw"] = frame(X, unit_series, codes)

    layers["Denominated"] = frame(Xd, unit_series, codes)

    # Impute
    groups = data[fw.impute.group].cast(pl.String).to_numpy() if fw.impute.group else None
    hist = None
    if fw.impute.method == "last" and history:
        stack = []
        for h in history:  # earlier periods, denominated with their own denominators
            aligned = pl.DataFrame({unit_col: data[unit_col]}).join(
                h.with_columns(pl.col(unit_col).cast(pl.String)), on=unit_col, how="left"
            )
            _, Hd, _ = _prepare(aligned, inds, None, strict=False)
            stack.append(Hd)
        hist = np.stack(stack, axis=2)
    Xi, imputed = impute_matrix(Xd, codes, fw.impute.method, groups, hist)
    layers["Imputed"] = frame(Xi, unit_series, codes)

    # Screen: keep units with at least min_data of their indicators present
    share = (~np.isnan(Xi)).mean(axis=1)
    keep = share >= fw.screen.min_data - 1e-12
    kept = unit_series.filter(pl.Series(keep))
    screened_out = unit_series.filter(pl.Series(~keep)).to_list()
    units = kept.to_list()
    Xs = Xi[keep]
    layers["Screened"] = frame(Xs, kept, codes)

    # Treat
    if fw.treat.method == "coinr":
        Xt, treatment = treat_matrix(
            Xs,
            codes,
            fw.treat.winmax,
            fw.treat.skew,
            fw.treat.kurt,
            fw.treat.count,
            skip=[not n.treat for n in inds],
        )
    else:
        Xt, treatment = Xs.copy(), []
    layers["Treated"] = frame(Xt, kept, codes)

    # Normalise
    Xn = score_matrix(Xt, [n.direction for n in inds], [fw.scoring_of(n) for n in inds])
    layers["Normalised"] = frame(Xn, kept, codes)

    # Aggregate, bottom-up
    scores: dict[str, np.ndarray] = {c: Xn[:, j] for j, c in enumerate(codes)}
    used: dict[str, dict[str, float]] = {}
    undefined: list[Problem] = []
    for node in fw.aggregates_bottom_up():
        C = np.column_stack([scores[c.code] for c in node.children])
        w = node_weights(node, C)
        used[node.code] = {
            c.code: float(x) for c, x in zip(node.children, w / w.sum(), strict=True)
        }
        method = node.aggregation or fw.aggregation
        undefined += undefined_problems(node, method, C, units, file)
        scores[node.code] = agg.aggregate(C, w, method)
    if undefined:  # COINr stops here too: never drop the child and average the rest
        raise ProblemsError(undefined)
    order = [n.code for n, _, _ in fw.nodes()]
    A = np.column_stack([scores[c] for c in order])
    layers["Aggregated"] = frame(A, kept, order)
    # the indicators' ranks now (the strengths and weaknesses read them), every node's when
    # the Ranks layer is read
    ind_ranks = rank_desc(Xn, axis=0)

    def every_rank() -> pl.DataFrame:
        R = np.empty(A.shape)
        at = [order.index(c) for c in codes]
        R[:, at] = ind_ranks
        rest = [j for j in range(len(order)) if j not in at]
        R[:, rest] = rank_desc(A[:, rest], axis=0)
        return frame(R, kept, order)

    layers["Ranks"] = every_rank

    # Bonus, penalty, veto
    ipos = {c: j for j, c in enumerate(item_cols)}
    Ik = _truthy_values(Items[keep]) if Items.size else np.zeros((len(units), 0))

    def items(lst, cap):
        total = np.zeros(len(units))
        for it in lst:
            v = Ik[:, ipos[it.column]]
            v = np.where(v != 0, it.points, 0.0) if it.points is not None else v
            total += np.minimum(v, it.cap) if it.cap is not None else v
        return np.minimum(total, cap) if cap is not None else total

    index = scores[fw.index.code]
    bonus = items(fw.bonus, fw.bonus_cap)
    penalty = items(fw.penalty, fw.penalty_cap)
    final = index + bonus - penalty
    # a vetoed unit is ranked after every other unit and takes no grade quota: the units
    # below it move up into the places it would have held (docs/evaluation.md §6)
    fired = np.empty((len(units), len(fw.veto)), dtype=object)
    for k, v in enumerate(fw.veto):  # a loop over veto items, each vectorised over units
        fired[Ik[:, ipos[v.column]] != 0, k] = v.code
    vetoed = (fired != None).any(axis=1)  # noqa: E711 (an object array)
    rank = rank_vetoed_last(final, vetoed)
    out: dict[str, Any] = {unit_col: kept}
    for c in order:
        out[c] = scores[c]
    if fw.bonus or fw.penalty:
        out["bonus"] = bonus
        out["penalty"] = penalty
    out["score"] = final
    out["rank"] = pl.Series(rank).cast(pl.Int64, strict=False)
    if previous is not None:
        prev_rank = (
            pl.DataFrame({unit_col: units})
            .join(
                previous.select(unit_col, pl.col("rank").alias("_prev")), on=unit_col, how="left"
            )["_prev"]
            .cast(pl.Float64)
            .to_numpy()
        )
        out["rank_change"] = pl.Series(rank_change(rank, prev_rank)).cast(pl.Int64, strict=False)
    # ranks within groups (e.g. 国家级 / 省级), and the group sizes quotas are taken over
    grade_n = None
    if fw.groups or (fw.grading is not None and fw.grading.by):
        any_vetoed = bool(vetoed.any())
        gframe = (
            data.filter(pl.Series(keep))
            .select(
                [
                    pl.col(g).cast(pl.String)
                    for g in dict.fromkeys(
                        [*fw.groups, *([fw.grading.by] if fw.grading and fw.grading.by else [])]
                    )
                ]
            )
            .with_columns(
                _score=pl.Series(final, dtype=pl.Float64).fill_nan(None),
                _vetoed=pl.Series(vetoed, dtype=pl.Boolean),
            )
        )
        for g in fw.groups:
            out[f"rank_{g}"] = gframe.select(_group_rank(g, any_vetoed).cast(pl.Int64))[:, 0]
        if fw.grading is not None and fw.grading.by:
            by = fw.grading.by
            ranked = gframe.select(
                r=_group_rank(by, any_vetoed).cast(pl.Float64),
                n=pl.col("_score").is_not_null().sum().over(by).cast(pl.Float64),
            )
            grade_rank = ranked["r"].fill_null(np.nan).to_numpy()
            grade_n = ranked["n"].to_numpy()
    if fw.grading is not None or fw.veto:
        grades = np.array(
            grade(final, grade_rank if grade_n is not None else rank, fw.grading, grade_n)
            if fw.grading
            else [None] * len(units),
            dtype=object,
        )
        for k, v in enumerate(fw.veto):  # a loop over veto items, each vectorised over units
            grades[fired[:, k] != None] = v.grade  # noqa: E711 (an object array)
        out["grade"] = pl.Series(grades.tolist(), dtype=pl.String)
        if fw.veto:
            out["veto"] = join_codes(fired)
    strong, weak = strengths_weaknesses_idx(ind_ranks)
    out["strengths"] = join_positions(strong, codes)
    out["weaknesses"] = join_positions(weak, codes)
    result = pl.DataFrame(out)

    warnings: list[Problem] = []
    for j, c in enumerate(codes):
        if np.isnan(Xn[:, j]).all():
            warnings.append(
                Problem(
                    "evaluation.no_scores",
                    "该指标所有单位取值相同或均缺失，无法计分，合成时不计入",
                    file=file,
                    column=c,
                    severity="warning",
                )
            )
    for i in np.flatnonzero(np.isnan(final)).tolist():
        warnings.append(
            Problem(
                "evaluation.no_index",
                "该单位没有可用的指标数据，未计算总分和排名",
                file=file,
                column=unit_col,
                value=units[i],
                severity="warning",
            )
        )

    run = {
        "engine": ENGINE_VERSION,
        "framework": fw.framework,
        "framework_version": fw.version,
        "framework_hash": fw.content_hash(),
        "data_hash": data_hash(data),
        "data_hash_algorithm": DATA_HASH,
        "parameters": fw.model_dump(mode="json", exclude={"index"}),
        "units": unit_series.len(),
        "units_screened_out": screened_out,
        "imputed_cells": len(imputed),
        "treated": {
            t.indicator: t.status for t in treatment if t.status not in ("pass", "skipped")
        },
        "weights": used,
    }
    return Evaluation(
        fw, units, layers, imputed, treatment, screened_out, used, result, run, warnings
    )


def _group_rank(group: str, any_vetoed: bool = True) -> pl.Expr:
    """Rank within ``group`` (1 = highest ``_score``, ties share the best), vetoed units after
    every unit of their group that is not vetoed; null where there is no score. Without a
    vetoed unit, the ranks of the scores alone (the same, for one window instead of three)."""
    score, vetoed = pl.col("_score"), pl.col("_vetoed")
    if not any_vetoed:
        return score.rank("min", descending=True).over(group)
    kept = pl.when(~vetoed).then(score).rank("min", descending=True).over(group)
    after = (score.is_not_null() & ~vetoed).sum().over(group)
    last = pl.when(vetoed).then(score).rank("min", descending=True).over(group) + after
    return pl.coalesce(kept, last)


def undefined_problems(
    node: Node, method: str, C: np.ndarray, units: list[str], file: str | None = None
) -> list[Problem]:
    """A problem naming the node and every unit whose children scores the node's mean cannot
    take (a score <= 0 under a geometric or harmonic mean), with the scores; none if all can."""
    bad = agg.undefined(C, method)
    rows = np.flatnonzero(bad.any(axis=1))
    if rows.size == 0:
        return []
    codes = [c.code for c in node.children]
    listed = [
        f"{units[i]}（"
        + "，".join(f"{codes[j]} = {C[i, j]:.6g}" for j in np.flatnonzero(bad[i]))
        + "）"
        for i in rows[:10]
    ]
    more = f" 等 {rows.size} 个单位" if rows.size > 10 else f" 共 {rows.size} 个单位"
    return [
        Problem(
            "evaluation.aggregation_undefined",
            f"「{node.code}」{'（' + node.name + '）' if node.name and node.name != node.code else ''}按"
            f"{agg.method_name_zh(method)}合成，下级得分须大于 0（几何平均取对数、调和平均取倒数），"
            f"以下单位有不大于 0 的下级得分：{'、'.join(listed)}{more}。"
            f"请改用下限为正的计分（如 min-max [1, 100]）或改用算术平均；不会略去这些得分后照常合成。",
            file=file,
            column=node.code,
            value=";".join(units[i] for i in rows),
            extra={"node": node.code, "units": [units[i] for i in rows]},
        )
    ]


def node_weights(node: Node, C: np.ndarray) -> np.ndarray:
    """Weights of a node's children (not renormalised for missing values; aggregation does that)."""
    k = len(node.children)
    m = node.weights
    if m == "explicit":
        return np.array([c.weight for c in node.children], dtype=float)
    if m == "equal":
        return wts.equal_weights(k)
    if m == "ahp":
        return wts.ahp_weights(node.pairwise)  # type: ignore[arg-type]
    if m == "entropy":
        return wts.entropy_weights(C)
    if m == "critic":
        return wts.critic_weights(C)
    if m == "pca":
        return wts.pca_weights(C)
    if m == "pca_signed":
        return wts.pca_signed_weights(C)
    raise ValueError(m)


def run_json(ev: Evaluation) -> str:
    """The run record, canonical (sorted keys) so that identical runs give identical bytes."""
    return json.dumps(ev.run, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
