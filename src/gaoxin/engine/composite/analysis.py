"""Statistical analysis and uncertainty of an evaluation.

- correlations within and across dimensions, Cronbach's alpha, PCA per dimension;
- Monte Carlo uncertainty over weights, normalisation and aggregation: every replication is
  one slice of a batched array (replications x units x indicators), not a Python loop;
- Sobol first-order and total indices (SALib) of the mean absolute rank shift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from gaoxin.engine.composite import aggregate as agg
from gaoxin.engine.composite.normalise import score_matrix
from gaoxin.engine.composite.pipeline import Evaluation, node_weights
from gaoxin.engine.composite.results import rank_desc
from gaoxin.engine.composite.spec import Framework, Node, Scoring

# -- descriptive analysis ---------------------------------------------------------------------


def correlations(ev: Evaluation, layer: str = "Normalised") -> pl.DataFrame:
    """Pearson correlation of every indicator with every other indicator and with every
    aggregate, long format: a, b, r, and whether b is a's own parent (within its dimension)."""
    fw = ev.framework
    codes = [n.code for n, _, _ in fw.nodes()]
    M = np.column_stack(
        [
            ev.layers[layer][c].to_numpy()
            if c in ev.layers[layer].columns
            else ev.layers["Aggregated"][c].to_numpy()
            for c in codes
        ]
    )
    ok = ~np.isnan(M).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        R = np.corrcoef(M[ok], rowvar=False)
    parent = {c.code: n.code for n, _, _ in fw.nodes() for c in n.children}
    a_idx, b_idx = np.triu_indices(len(codes), k=1)
    return pl.DataFrame(
        {
            "a": [codes[i] for i in a_idx],
            "b": [codes[j] for j in b_idx],
            "r": R[a_idx, b_idx],
            "same_parent": [
                parent.get(codes[i]) == parent.get(codes[j])
                for i, j in zip(a_idx, b_idx, strict=True)
            ],
        }
    )


def cronbach_alpha(X: np.ndarray) -> float:
    """alpha = k/(k-1) * (1 - sum of item variances / variance of the sum), complete rows only."""
    X = np.asarray(X, dtype=float)
    X = X[~np.isnan(X).any(axis=1)]
    k = X.shape[1]
    item_var = X.var(axis=0, ddof=1).sum()
    total_var = X.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - item_var / total_var))


@dataclass(frozen=True)
class PCAResult:
    node: str
    eigenvalues: np.ndarray  # of the correlation matrix, descending
    explained: np.ndarray  # share of variance per component
    loadings: np.ndarray  # children x components (eigenvectors, sign: first loading >= 0)


def pca(X: np.ndarray, node: str = "") -> PCAResult:
    X = np.asarray(X, dtype=float)
    X = X[~np.isnan(X).any(axis=1)]
    R = np.corrcoef(X, rowvar=False)
    vals, vecs = np.linalg.eigh(R)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    vecs = vecs * np.where(vecs[0] < 0, -1.0, 1.0)
    return PCAResult(node, vals, vals / vals.sum(), vecs)


def dimension_stats(ev: Evaluation) -> pl.DataFrame:
    """Per aggregate: number of children, Cronbach's alpha, PCA first-component share."""
    rows = []
    for node in ev.framework.aggregates_bottom_up():
        C = _children_matrix(ev, node)
        k = C.shape[1]
        rows.append(
            {
                "node": node.code,
                "children": k,
                "cronbach_alpha": cronbach_alpha(C) if k > 1 else None,
                "pc1_share": float(pca(C).explained[0]) if k > 1 else None,
            }
        )
    return pl.DataFrame(rows)


def _children_matrix(ev: Evaluation, node: Node) -> np.ndarray:
    A = ev.layers["Aggregated"]
    return np.column_stack([A[c.code].to_numpy() for c in node.children])


# -- Monte Carlo uncertainty ------------------------------------------------------------------


@dataclass
class Uncertainty:
    units: list[str]
    nominal_rank: np.ndarray  # units
    scores: np.ndarray  # replications x units (index scores)
    ranks: np.ndarray  # replications x units
    choices: pl.DataFrame  # one row per replication

    def summary(self) -> pl.DataFrame:
        """Per unit: nominal rank, median and 5th/95th percentile of the rank over replications."""
        q = np.nanpercentile(self.ranks, [5, 50, 95], axis=0)
        return pl.DataFrame(
            {
                "unit": self.units,
                "rank": self.nominal_rank.astype(int),
                "rank_median": q[1],
                "rank_p05": q[0],
                "rank_p95": q[2],
                "mean_abs_rank_shift": np.nanmean(np.abs(self.ranks - self.nominal_rank), axis=0),
            }
        )


def _edges(fw: Framework) -> list[tuple[Node, Node]]:
    return [(n, c) for n in fw.aggregates_bottom_up() for c in n.children]


def batch_index(
    ev: Evaluation,
    norm_idx: np.ndarray,
    agg_idx: np.ndarray,
    weight_mult: np.ndarray,
    normalisations: list[Scoring],
    aggregations: list[str],
) -> np.ndarray:
    """Index scores for R replications at once: (R,) choices and an (R, edges) weight multiplier."""
    fw = ev.framework
    inds = fw.indicators()
    Xt = ev.layers["Treated"].select([n.code for n in inds]).to_numpy()
    dirs = [n.direction for n in inds]
    N = np.stack(
        [score_matrix(Xt, dirs, [s] * len(inds)) for s in normalisations]
    )  # K x units x inds
    NR = N[norm_idx]  # R x units x inds
    scores: dict[str, np.ndarray] = {n.code: NR[:, :, j] for j, n in enumerate(inds)}
    edge_pos = {(p.code, c.code): e for e, (p, c) in enumerate(_edges(fw))}
    for node in fw.aggregates_bottom_up():
        C = np.stack([scores[c.code] for c in node.children], axis=-1)  # R x units x k
        base = node_weights(
            node, ev.layers["Aggregated"].select([c.code for c in node.children]).to_numpy()
        )
        mult = weight_mult[:, [edge_pos[(node.code, c.code)] for c in node.children]]
        W = base[None, :] * mult  # R x k
        out = np.full(C.shape[:2], np.nan)
        for a, method in enumerate(aggregations):  # a handful of methods, each batched over R
            sel = agg_idx == a
            if sel.any():
                out[sel] = agg.aggregate(C[sel], W[sel], method)
        scores[node.code] = out
    return scores[fw.index.code]


def monte_carlo(
    ev: Evaluation,
    n: int = 1000,
    *,
    seed: int = 0,
    weight_noise: float = 0.25,
    normalisations: list[Scoring] | None = None,
    aggregations: list[str] | None = None,
    choices: pl.DataFrame | None = None,
) -> Uncertainty:
    """Rank intervals under uncertain weights, normalisation and aggregation.

    Each replication draws, independently: a multiplier U(1 - noise, 1 + noise) for every
    weight in the tree, one normalisation from ``normalisations`` and one aggregation from
    ``aggregations`` (uniformly). Or give ``choices`` explicitly: one row per replication
    with ``normalisation`` and ``aggregation`` (indices into the lists) and optional
    ``w:<parent>.<child>`` weight multipliers (missing ones are 1).
    """
    fw = ev.framework
    normalisations = normalisations or [fw.scoring]
    aggregations = aggregations or [fw.aggregation]
    edges = _edges(fw)
    names = [f"w:{p.code}.{c.code}" for p, c in edges]
    if choices is None:
        rng = np.random.default_rng(seed)
        norm_idx = rng.integers(0, len(normalisations), n)
        agg_idx = rng.integers(0, len(aggregations), n)
        mult = rng.uniform(1 - weight_noise, 1 + weight_noise, size=(n, len(edges)))
        choices = pl.DataFrame(
            {
                "normalisation": norm_idx,
                "aggregation": agg_idx,
                **{k: mult[:, e] for e, k in enumerate(names)},
            }
        )
    else:
        n = choices.height
        norm_idx = (
            choices["normalisation"].to_numpy().astype(int)
            if "normalisation" in choices.columns
            else np.zeros(n, int)
        )
        agg_idx = (
            choices["aggregation"].to_numpy().astype(int)
            if "aggregation" in choices.columns
            else np.zeros(n, int)
        )
        mult = np.column_stack(
            [
                choices[k].to_numpy().astype(float) if k in choices.columns else np.ones(n)
                for k in names
            ]
        )
    scores = batch_index(ev, norm_idx, agg_idx, mult, normalisations, aggregations)
    ranks = rank_desc(scores, axis=1)
    nominal = ev.layers["Ranks"][fw.index.code].to_numpy()
    return Uncertainty(list(ev.units), nominal, scores, ranks, choices)


# -- Sobol sensitivity ------------------------------------------------------------------------


def sobol(
    ev: Evaluation,
    n: int = 256,
    *,
    seed: int = 0,
    weight_noise: float = 0.25,
    normalisations: list[Scoring] | None = None,
    aggregations: list[str] | None = None,
) -> pl.DataFrame:
    """Sobol first-order (S1) and total (ST) indices of the mean absolute rank shift.

    Factors: the weight of every child of an aggregate above the indicators (multiplier
    U(1 - noise, 1 + noise)), plus the normalisation and the aggregation choice when more
    than one is offered (discrete, drawn uniformly). Saltelli sampling, n * (2D + 2) runs,
    evaluated as one batch.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    fw = ev.framework
    normalisations = normalisations or [fw.scoring]
    aggregations = aggregations or [fw.aggregation]
    edges = _edges(fw)
    factor_edges = [e for e, (_, c) in enumerate(edges) if not c.is_indicator] or list(
        range(len(edges))
    )
    names = [f"w:{edges[e][0].code}.{edges[e][1].code}" for e in factor_edges]
    bounds = [[1 - weight_noise, 1 + weight_noise]] * len(names)
    if len(normalisations) > 1:
        names.append("normalisation")
        bounds.append([0.0, 1.0])
    if len(aggregations) > 1:
        names.append("aggregation")
        bounds.append([0.0, 1.0])
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    P = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    R = P.shape[0]
    mult = np.ones((R, len(edges)))
    mult[:, factor_edges] = P[:, : len(factor_edges)]
    col = len(factor_edges)
    norm_idx = np.zeros(R, int)
    agg_idx = np.zeros(R, int)
    if len(normalisations) > 1:
        norm_idx = np.minimum(
            (P[:, col] * len(normalisations)).astype(int), len(normalisations) - 1
        )
        col += 1
    if len(aggregations) > 1:
        agg_idx = np.minimum((P[:, col] * len(aggregations)).astype(int), len(aggregations) - 1)
    scores = batch_index(ev, norm_idx, agg_idx, mult, normalisations, aggregations)
    ranks = rank_desc(scores, axis=1)
    nominal = ev.layers["Ranks"][fw.index.code].to_numpy()
    y = np.nanmean(np.abs(ranks - nominal[None, :]), axis=1)
    res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    return pl.DataFrame(
        {
            "factor": names,
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
