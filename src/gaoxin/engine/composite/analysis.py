"""Statistical analysis and uncertainty of an evaluation.

- correlations within and across dimensions, Cronbach's alpha, PCA per dimension;
- Monte Carlo uncertainty over weights (data-driven ones re-estimated per replication),
  outlier treatment, normalisation and aggregation: every replication is one slice of a
  batched array (replications x units x indicators), not a Python loop;
- Sobol first-order and total indices (SALib) of the mean absolute rank shift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from gaoxin.engine.composite import aggregate as agg
from gaoxin.engine.composite.normalise import score_matrix
from gaoxin.engine.composite.pipeline import Evaluation, node_weights
from gaoxin.engine.composite.results import rank_desc
from gaoxin.engine.composite.spec import Framework, Node, Scoring, Treat
from gaoxin.engine.composite.treat import treat_matrix
from gaoxin.engine.problems import Problem, ProblemsError

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


def effective_weights(ev: Evaluation) -> pl.DataFrame:
    """Each node's weight within its parent (as used, summing to 1) and its effective weight in
    the index: the product of the weights on its path up to the index (COINr's effective
    weights, ``get_eff_weights``). The indicators' effective weights sum to 1 (the aggregates'
    of one level too)."""
    fw = ev.framework
    eff: dict[str, float] = {fw.index.code: 1.0}
    rows = [{"node": fw.index.code, "parent": None, "level": 0, "weight": 1.0, "effective": 1.0}]
    for node, parent, depth in fw.nodes():
        if parent is None:
            continue
        w = ev.weights[parent.code][node.code]
        eff[node.code] = eff[parent.code] * w
        rows.append(
            {
                "node": node.code,
                "parent": parent.code,
                "level": depth,
                "weight": w,
                "effective": eff[node.code],
            }
        )
    return pl.DataFrame(rows, schema_overrides={"parent": pl.String})


def describe(ev: Evaluation, layer: str = "Raw") -> pl.DataFrame:
    """Descriptive statistics of every column of one layer (COINr ``get_stats``): min, max,
    mean, median, sd (sample), skew and kurtosis (type 2, as the outlier rule uses), the number
    and share of units with a value (availability), of zeros and of distinct values. ``layer``
    is one of ``ev.layers`` (Raw … Normalised: indicators; Aggregated: every node)."""
    from gaoxin.engine.composite.treat import kurt, skew

    frame = ev.layers[layer]
    cols = [c for c in frame.columns if c != ev.framework.unit]
    X = frame.select(cols).to_numpy().astype(float)
    n = X.shape[0]
    have = ~np.isnan(X)
    avail = have.sum(axis=0)
    some = avail > 0
    stat = np.full((5, len(cols)), np.nan)
    if some.any():
        Y = X[:, some]
        stat[:, some] = [
            np.nanmin(Y, axis=0),
            np.nanmax(Y, axis=0),
            np.nanmean(Y, axis=0),
            np.nanmedian(Y, axis=0),
            np.nanstd(Y, axis=0, ddof=1) if n > 1 else np.full(Y.shape[1], np.nan),
        ]
    with np.errstate(invalid="ignore", divide="ignore"):
        sk, ku = np.atleast_1d(skew(X)), np.atleast_1d(kurt(X))
    unique = frame.select(pl.col(cols).fill_nan(None).drop_nulls().n_unique()).row(0)
    zeros = (X == 0).sum(axis=0)
    return pl.DataFrame(
        {
            "column": cols,
            "min": stat[0],
            "max": stat[1],
            "mean": stat[2],
            "median": stat[3],
            "sd": stat[4],
            "skew": sk,
            "kurtosis": ku,
            "available": avail,
            "share_available": avail / n if n else np.full(len(cols), np.nan),
            "zeros": zeros,
            "share_zeros": zeros / np.maximum(avail, 1),
            "unique": list(unique),
            "share_unique": np.array(unique) / np.maximum(avail, 1),
        }
    )


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
    # replications where a mean was undefined (geometric/harmonic over a score <= 0): their
    # scores and ranks are NaN and the summary leaves them out
    invalid: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def valid(self) -> int:
        return int(len(self.ranks) - self.invalid.sum())

    def summary(self) -> pl.DataFrame:
        """Per unit: nominal rank, median and 5th/95th percentile of the rank over the valid
        replications, their mean absolute rank shift and how many replications were valid."""
        R = self.ranks[~self.invalid] if self.invalid.size else self.ranks
        if R.shape[0] == 0:
            q = np.full((3, len(self.units)), np.nan)
            shift = np.full(len(self.units), np.nan)
        else:
            q = np.nanpercentile(R, [5, 50, 95], axis=0)
            shift = np.nanmean(np.abs(R - self.nominal_rank), axis=0)
        return pl.DataFrame(
            {
                "unit": self.units,
                "rank": self.nominal_rank.astype(int),
                "rank_median": q[1],
                "rank_p05": q[0],
                "rank_p95": q[2],
                "mean_abs_rank_shift": shift,
                "valid_replications": [self.valid] * len(self.units),
            }
        )


def _edges(fw: Framework) -> list[tuple[Node, Node]]:
    return [(n, c) for n in fw.aggregates_bottom_up() for c in n.children]


TreatChoice = Treat | Literal["coinr", "none"] | None
NormChoice = Scoring | None


def _treat_option(t: TreatChoice) -> Treat | None:
    return Treat(method=t) if isinstance(t, str) else t


def score_options(
    ev: Evaluation, treatments: list[TreatChoice], normalisations: list[NormChoice]
) -> np.ndarray:
    """Normalised indicator scores for every (treatment, normalisation) pair, treatment-major:
    an (options, units, indicators) array, option ``t * len(normalisations) + k``.

    A treatment of None is the evaluation's own Treated layer; otherwise the screened data are
    treated again (``Treat(method="none")`` leaves them as they are). A normalisation of None
    scores every indicator by its own rule in the framework. A handful of options, each
    vectorised over units.
    """
    fw = ev.framework
    inds = fw.indicators()
    codes = [n.code for n in inds]
    dirs = [n.direction for n in inds]
    Xs = ev.layers["Screened"].select(codes).to_numpy()
    out = []
    for choice in treatments:
        t = _treat_option(choice)
        if t is None:
            Xt = ev.layers["Treated"].select(codes).to_numpy()
        elif t.method == "coinr":
            Xt, _ = treat_matrix(
                Xs, codes, t.winmax, t.skew, t.kurt, t.count, skip=[not n.treat for n in inds]
            )
        else:
            Xt = Xs
        for s in normalisations:
            scorings = [fw.scoring_of(n) for n in inds] if s is None else [s] * len(inds)
            out.append(score_matrix(Xt, dirs, scorings))
    return np.stack(out)


def batch_index(
    ev: Evaluation,
    option_idx: np.ndarray,
    agg_idx: np.ndarray,
    weight_mult: np.ndarray,
    options: np.ndarray,
    aggregations: list[AggChoice],
    chunk: int = 500,
    weight_set_idx: np.ndarray | None = None,
    weight_sets: list[WeightSet | None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Index scores for R replications: (R,) indices into ``options`` (from
    :func:`score_options`) and ``aggregations``, and an (R, edges) weight multiplier;
    optionally (R,) indices into ``weight_sets`` (a set replaces the weights of the nodes it
    names before the multipliers apply; None is the framework's own weights).
    Returns the (R, units) scores and an (R,) mask of invalid replications: those where a
    mean is undefined at some node for some unit (a geometric or harmonic mean over a score
    <= 0). An invalid replication's scores are all NaN: it is not ranked, as COINr would
    stop on it, rather than averaging the other children.

    Replications run ``chunk`` at a time, which bounds the memory. A node whose children are
    all indicators sees the same children scores in every replication with the same option,
    so its data-driven weights are estimated once per option and its children are a
    broadcast view, not a copy per replication; nodes above are batched over (replications,
    units, children). Every replication's arithmetic is the same whatever the chunk, so a
    replay of a choices table gives the same numbers bit for bit. Data-driven weights
    (entropy, CRITIC, PCA) are re-estimated from each replication's children scores (for a
    node over indicators: once per option, which is the same), then multiplied by its
    multipliers; explicit, equal and AHP weights are only multiplied.
    """
    R = len(option_idx)
    out = np.full((R, options.shape[1]), np.nan)
    invalid = np.zeros(R, dtype=bool)
    sets = weight_sets or [None]
    set_idx = np.zeros(R, int) if weight_set_idx is None else weight_set_idx
    for start in range(0, R, chunk):  # a loop over chunks of replications, not over units
        sl = slice(start, start + chunk)
        out[sl], invalid[sl] = _index_chunk(
            ev,
            options,
            option_idx[sl],
            agg_idx[sl],
            weight_mult[sl],
            aggregations,
            set_idx[sl],
            sets,
        )
    out[invalid] = np.nan
    return out, invalid


def _index_chunk(
    ev: Evaluation,
    options: np.ndarray,
    option_idx: np.ndarray,
    agg_idx: np.ndarray,
    weight_mult: np.ndarray,
    aggregations: list[AggChoice],
    set_idx: np.ndarray,
    sets: list[WeightSet | None],
) -> tuple[np.ndarray, np.ndarray]:
    fw = ev.framework
    pos = {n.code: j for j, n in enumerate(fw.indicators())}
    edge_pos = {(p.code, c.code): e for e, (p, c) in enumerate(_edges(fw))}
    scores: dict[str, np.ndarray] = {}  # aggregates: r x units

    def children_scores(node: Node) -> np.ndarray:  # r x units x k
        return np.stack(
            [
                options[option_idx, :, pos[c.code]] if c.is_indicator else scores[c.code]
                for c in node.children
            ],
            axis=-1,
        )

    r, units = len(option_idx), options.shape[1]
    invalid = np.zeros(r, dtype=bool)

    def weights_of(node: Node, X: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """(len(rows), k): the node's own weights, or a weight set's where it names the node."""
        W = np.array(np.broadcast_to(node_weights(node, X), (len(rows), len(node.children))))
        for k, ws in enumerate(sets):  # a handful of weight sets
            if ws is not None and node.code in ws:
                W[set_idx[rows] == k] = [ws[node.code][c.code] for c in node.children]
        return W

    for node in fw.aggregates_bottom_up():
        mult = weight_mult[:, [edge_pos[(node.code, c.code)] for c in node.children]]
        out = np.full((r, units), np.nan)
        if all(c.is_indicator for c in node.children):
            cols = [pos[c.code] for c in node.children]
            for o in np.unique(option_idx).tolist():  # a handful of options
                rows = np.flatnonzero(option_idx == o)
                X = options[o][:, cols]  # units x k, the same for all these replications
                W = weights_of(node, X, rows) * mult[rows]
                for a, choice in enumerate(aggregations):  # a handful of methods
                    method = node_method(choice, node, fw)
                    sel = agg_idx[rows] == a
                    if sel.any():
                        Xb = np.broadcast_to(X, (int(sel.sum()), *X.shape))  # a view
                        out[rows[sel]] = agg.aggregate(Xb, W[sel], method)
                        invalid[rows[sel]] |= bool(agg.undefined(X, method).any())
        else:
            C = children_scores(node)
            W = weights_of(node, C, np.arange(r)) * mult  # data-driven: per replication
            for a, choice in enumerate(aggregations):  # a handful of methods, each batched
                method = node_method(choice, node, fw)
                sel = agg_idx == a
                if sel.any():
                    out[sel] = agg.aggregate(C[sel], W[sel], method)
                    invalid[sel] |= agg.undefined(C[sel], method).any(axis=(-2, -1))
        scores[node.code] = out
    return scores[fw.index.code], invalid


#: One aggregation choice of an uncertainty or sensitivity analysis: ``None`` — every node as the
#: framework says (its own ``aggregation``, else the framework's); a method (``"geometric"``) —
#: every node by it; a mapping {node code: method} — those nodes by theirs, the rest as the
#: framework says.
AggChoice = str | dict[str, str] | None


def node_method(choice: AggChoice, node: Node, fw: Framework) -> str:
    """The aggregation method ``node`` uses under ``choice`` (see :data:`AggChoice`)."""
    if isinstance(choice, str):
        return choice
    if isinstance(choice, dict) and node.code in choice:
        return choice[node.code]
    return node.aggregation or fw.aggregation


def _check_aggregations(fw: Framework, aggregations: list[AggChoice]) -> None:
    """A mapping may name only aggregates of the framework, with a known method."""
    codes = {n.code for n in fw.aggregates_bottom_up()}
    problems = []
    for i, choice in enumerate(aggregations):
        methods = list(choice.values()) if isinstance(choice, dict) else [choice]
        if isinstance(choice, dict):
            unknown = sorted(set(choice) - codes)
            if unknown:
                problems.append(
                    Problem(
                        "uncertainty.unknown_node",
                        f"合成方法选项 {i} 指定的节点 {'、'.join(unknown)} 不是评价体系的合成节点",
                        value=",".join(unknown),
                    )
                )
        for m in methods:
            if m is not None:
                try:
                    agg.parse_method(m)
                except ValueError as e:
                    problems.append(
                        Problem("uncertainty.unknown_method", f"合成方法选项 {i}：{e}", value=m)
                    )
    if problems:
        raise ProblemsError(problems)


def _choice_label(choice: AggChoice, fw: Framework) -> list[str]:
    if isinstance(choice, str):
        return [choice]
    methods = {node_method(choice, n, fw) for n in fw.aggregates_bottom_up()}
    return sorted(methods)


WeightSet = dict[str, dict[str, float]]  # node -> child -> weight
WeightNoise = float | dict[int, float]


def _levels(fw: Framework) -> dict[str, int]:
    return {n.code: d for n, _, d in fw.nodes()}


def noise_per_edge(fw: Framework, weight_noise: WeightNoise) -> np.ndarray:
    """The noise factor of every edge (parent, child) of the tree: one number for all, or a
    mapping from the child's level (1 = the index's children, 2 = theirs …) to the noise of
    the weights at that level, 0 for the levels not named (COINr's ``get_noisy_weights`` with
    ``Level`` and ``NoiseFactor``; COINr counts levels from the indicators up: in a tree of
    depth D its level L is our D + 1 - L)."""
    edges = _edges(fw)
    if not isinstance(weight_noise, dict):
        return np.full(len(edges), float(weight_noise))
    depth = _levels(fw)
    deepest = max(depth.values())
    bad = [k for k in weight_noise if not (isinstance(k, int) and 1 <= k <= deepest)]
    if bad:
        raise ProblemsError(
            [
                Problem(
                    "uncertainty.weight_level",
                    f"权重扰动的层级应为 1 到 {deepest} 之间的整数（1 为根节点的下级）",
                    value=str(bad[0]),
                )
            ]
        )
    return np.array([float(weight_noise.get(depth[c.code], 0.0)) for _, c in edges])


def _check_weight_sets(fw: Framework, sets: list[WeightSet | None]) -> None:
    nodes = {n.code: n for n in fw.aggregates_bottom_up()}
    problems = []
    for k, ws in enumerate(sets):
        for code, w in (ws or {}).items():
            node = nodes.get(code)
            missing = [] if node is None else [c.code for c in node.children if c.code not in w]
            if node is None or missing:
                problems.append(
                    Problem(
                        "uncertainty.weight_set",
                        f"第 {k + 1} 组权重中的「{code}」"
                        + (
                            "不是评价体系中的合成节点"
                            if node is None
                            else f"缺少下级 {'、'.join(missing)} 的权重（须给出全部下级）"
                        ),
                        column=code,
                    )
                )
    if problems:
        raise ProblemsError(problems)


def noisy_weight_sets(
    ev: Evaluation, n: int, weight_noise: WeightNoise = 0.25, *, seed: int = 0
) -> list[WeightSet | None]:
    """``n`` weight sets, each the evaluation's weights with every weight of the noisy levels
    multiplied by U(1 - noise, 1 + noise) (COINr ``get_noisy_weights``); the first entry is
    None, the nominal weights. Given to ``weight_sets=``, a Sobol analysis has one factor
    choosing among them, as COINr's ``get_sensitivity`` does, instead of one per weight."""
    fw = ev.framework
    edges = _edges(fw)
    noise = noise_per_edge(fw, weight_noise)
    rng = np.random.default_rng(seed)
    mult = rng.uniform(1 - noise, 1 + noise, size=(n - 1, len(edges)))
    noisy = {p.code for (p, _), z in zip(edges, noise, strict=True) if z > 0}
    out: list[WeightSet | None] = [None]
    for m in mult:
        ws: WeightSet = {code: {} for code in noisy}
        for e, (p, c) in enumerate(edges):
            if p.code in noisy:
                ws[p.code][c.code] = ev.weights[p.code][c.code] * float(m[e])
        out.append(ws)
    return out


def _column(choices: pl.DataFrame, name: str, n: int) -> np.ndarray:
    if name in choices.columns:
        return choices[name].to_numpy().astype(int)
    return np.zeros(n, int)


def _check_indices(idx: np.ndarray, options: list[Any], name: str) -> None:
    bad = (idx < 0) | (idx >= len(options))
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise ProblemsError(
            [
                Problem(
                    "uncertainty.choice",
                    f"第 {r + 1} 次重复的「{name}」取值应在 0 到 {len(options) - 1} 之间"
                    f"（共 {len(options)} 个备选）",
                    row=r + 1,
                    column=name,
                    value=str(int(idx[r])),
                )
            ]
        )


def monte_carlo(
    ev: Evaluation,
    n: int = 1000,
    *,
    seed: int = 0,
    weight_noise: WeightNoise = 0.25,
    normalisations: list[NormChoice] | None = None,
    aggregations: list[AggChoice] | None = None,
    treatments: list[TreatChoice] | None = None,
    weight_sets: list[WeightSet | None] | None = None,
    choices: pl.DataFrame | None = None,
    chunk: int = 500,
) -> Uncertainty:
    """Rank intervals under uncertain weights, outlier treatment, normalisation and aggregation.

    Each replication draws, independently: a multiplier U(1 - noise, 1 + noise) for every
    weight in the tree, one treatment from ``treatments`` (e.g. ``["coinr", "none"]``), one
    normalisation from ``normalisations`` and one aggregation from ``aggregations``
    (uniformly). Defaults are the framework's own choices. Data-driven weights are
    re-estimated in every replication. Or give ``choices`` explicitly: one row per
    replication with ``treatment``, ``normalisation`` and ``aggregation`` (indices into the
    lists; absent = 0) and optional ``w:<parent>.<child>`` weight multipliers (absent = 1).

    ``weight_noise`` is one noise factor for every weight or ``{level: noise}`` for the
    weights of chosen levels only (1 = the index's children; :func:`noise_per_edge`).
    ``weight_sets`` (e.g. from :func:`noisy_weight_sets`, or alternative weightings) adds a
    choice among weight sets (column ``weights`` of ``choices``), multiplied by the noise.
    """
    fw = ev.framework
    normalisations = normalisations or [None]
    aggregations = aggregations or [None]
    _check_aggregations(fw, aggregations)
    treatments = treatments or [None]
    weight_sets = weight_sets or [None]
    _check_weight_sets(fw, weight_sets)
    edges = _edges(fw)
    names = [f"w:{p.code}.{c.code}" for p, c in edges]
    if choices is None:
        noise = noise_per_edge(fw, weight_noise)
        rng = np.random.default_rng(seed)
        norm_idx = rng.integers(0, len(normalisations), n)
        agg_idx = rng.integers(0, len(aggregations), n)
        mult = rng.uniform(1 - noise, 1 + noise, size=(n, len(edges)))
        # drawn last so that adding treatments leaves the other draws of a seed unchanged
        treat_idx = rng.integers(0, len(treatments), n) if len(treatments) > 1 else np.zeros(n, int)
        set_idx = rng.integers(0, len(weight_sets), n) if len(weight_sets) > 1 else np.zeros(n, int)
        choices = pl.DataFrame(
            {
                "treatment": treat_idx,
                "normalisation": norm_idx,
                "aggregation": agg_idx,
                "weights": set_idx,
                **{k: mult[:, e] for e, k in enumerate(names)},
            }
        )
    else:
        n = choices.height
        treat_idx = _column(choices, "treatment", n)
        norm_idx = _column(choices, "normalisation", n)
        agg_idx = _column(choices, "aggregation", n)
        set_idx = _column(choices, "weights", n)
        mult = np.column_stack(
            [
                choices[k].to_numpy().astype(float) if k in choices.columns else np.ones(n)
                for k in names
            ]
        )
    _check_indices(treat_idx, treatments, "treatment")
    _check_indices(norm_idx, normalisations, "normalisation")
    _check_indices(agg_idx, aggregations, "aggregation")
    _check_indices(set_idx, weight_sets, "weights")
    options = score_options(ev, treatments, normalisations)
    option_idx = treat_idx * len(normalisations) + norm_idx
    scores, invalid = batch_index(
        ev, option_idx, agg_idx, mult, options, aggregations, chunk, set_idx, weight_sets
    )
    ranks = rank_desc(scores, axis=1)
    nominal = ev.layers["Ranks"][fw.index.code].to_numpy()
    return Uncertainty(list(ev.units), nominal, scores, ranks, choices, invalid)


# -- Sobol sensitivity ------------------------------------------------------------------------


def _invalid_runs(
    invalid: np.ndarray,
    idx: dict[str, np.ndarray],
    aggregations: list[AggChoice],
    normalisations: list[NormChoice],
    fw: Framework,
) -> Problem:
    used = sorted(
        {
            m
            for a in idx["aggregation"][invalid].tolist()
            for m in _choice_label(aggregations[a], fw)
        }
    )
    return Problem(
        "uncertainty.invalid_runs",
        f"敏感性分析的 {int(invalid.sum())} / {len(invalid)} 次运行中，合成方法"
        f"（{'、'.join(agg.method_name_zh(m) for m in used)}）遇到不大于 0 的下级得分，无法计算；"
        "Sobol 设计不能略去其中的运行。请只与下限为正的计分（如 min-max [1, 100]）搭配几何或调和平均，"
        "或去掉这一合成方法。",
        value=str(int(invalid.sum())),
    )


def sobol(
    ev: Evaluation,
    n: int = 256,
    *,
    seed: int = 0,
    weight_noise: WeightNoise = 0.25,
    normalisations: list[NormChoice] | None = None,
    aggregations: list[AggChoice] | None = None,
    treatments: list[TreatChoice] | None = None,
    weight_sets: list[WeightSet | None] | None = None,
    chunk: int = 500,
) -> pl.DataFrame:
    """Sobol first-order (S1) and total (ST) indices of the mean absolute rank shift.

    Factors: the weight of every child of an aggregate above the indicators (multiplier
    U(1 - noise, 1 + noise)) — or, with ``weight_noise={level: noise}``, of the levels named,
    and none with ``weight_noise=0`` — plus the treatment, normalisation, aggregation and
    weight-set choices when more than one is offered (discrete, drawn uniformly). With
    ``weight_sets=noisy_weight_sets(ev, k, …)`` and ``weight_noise=0`` the weights are one
    factor choosing among k noisy sets, COINr's ``get_sensitivity`` design. Saltelli sampling
    without second-order terms: n * (D + 2) runs for D factors, evaluated as one batch.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    fw = ev.framework
    normalisations = normalisations or [None]
    aggregations = aggregations or [None]
    _check_aggregations(fw, aggregations)
    treatments = treatments or [None]
    weight_sets = weight_sets or [None]
    _check_weight_sets(fw, weight_sets)
    edges = _edges(fw)
    noise = noise_per_edge(fw, weight_noise)
    if isinstance(weight_noise, dict):
        factor_edges = [e for e in range(len(edges)) if noise[e] > 0]
    elif weight_noise > 0:
        factor_edges = [e for e, (_, c) in enumerate(edges) if not c.is_indicator] or list(
            range(len(edges))
        )
    else:
        factor_edges = []
    names = [f"w:{edges[e][0].code}.{edges[e][1].code}" for e in factor_edges]
    bounds = [[1 - noise[e], 1 + noise[e]] for e in factor_edges]
    discrete = [
        (k, opts)
        for k, opts in (
            ("treatment", treatments),
            ("normalisation", normalisations),
            ("aggregation", aggregations),
            ("weights", weight_sets),
        )
        if len(opts) > 1
    ]
    names += [k for k, _ in discrete]
    bounds += [[0.0, 1.0]] * len(discrete)
    if not names:
        raise ProblemsError(
            [Problem("uncertainty.no_factors", "没有不确定因素：请给出权重扰动或备选方案")]
        )
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    P = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    R = P.shape[0]
    mult = np.ones((R, len(edges)))
    mult[:, factor_edges] = P[:, : len(factor_edges)]
    idx = {k: np.zeros(R, int) for k in ("treatment", "normalisation", "aggregation", "weights")}
    for col, (k, opts) in enumerate(discrete, start=len(factor_edges)):
        idx[k] = np.minimum((P[:, col] * len(opts)).astype(int), len(opts) - 1)
    options = score_options(ev, treatments, normalisations)
    option_idx = idx["treatment"] * len(normalisations) + idx["normalisation"]
    scores, invalid = batch_index(
        ev,
        option_idx,
        idx["aggregation"],
        mult,
        options,
        aggregations,
        chunk,
        idx["weights"],
        weight_sets,
    )
    if invalid.any():  # a Sobol design cannot skip runs: say which choice caused them
        raise ProblemsError([_invalid_runs(invalid, idx, aggregations, normalisations, fw)])
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


# -- optimised weights ------------------------------------------------------------------------


@dataclass
class OptimisedWeights:
    weights: WeightSet  # the parents of the level -> child -> weight (the level's sum to 1)
    table: pl.DataFrame  # node, desired, obtained (normalised correlations), weight
    objective: float
    converged: bool


def optimise_weights(
    ev: Evaluation,
    level: int,
    *,
    target: str | list[float] = "equal",
    kind: Literal["balance", "infomax"] = "balance",
    tol: float = 1e-6,
    maxiter: int = 500,
) -> OptimisedWeights:
    """COINr's ``get_opt_weights``: weights of the nodes at ``level`` (1 = the index's
    children) chosen by Nelder-Mead so that their Pearson correlations with the index,
    normalised to sum to 1, match ``target`` normalised likewise (``"balance"``; "equal" =
    equal influence), or so that the correlations' sum is largest (``"infomax"``). The
    objective is COINr's: log(mean((target - r / Σr)²)) for balance, -Σr for infomax; the
    weights at the level are normalised to sum to 1 over the whole level, as COINr does.
    COINr stops at ``reltol = 0.1``; ``tol`` here is Nelder-Mead's ``fatol``/``xatol``.
    The index is re-aggregated with the framework's default aggregation."""
    from scipy.optimize import minimize  # only here: importing SciPy costs about a second

    fw = ev.framework
    nodes = [n for n, _, d in fw.nodes() if d == level]
    if not nodes:
        raise ProblemsError(
            [
                Problem(
                    "uncertainty.weight_level", f"评价体系没有第 {level} 层的节点", value=str(level)
                )
            ]
        )
    parent = {c.code: p.code for p in fw.aggregates_bottom_up() for c in p.children}
    if kind == "balance":
        t = np.ones(len(nodes)) if target == "equal" else np.asarray(target, dtype=float)
        if t.shape != (len(nodes),):
            raise ProblemsError(
                [
                    Problem(
                        "uncertainty.target",
                        f"目标应有 {len(nodes)} 个数（第 {level} 层的节点数），实为 {t.size} 个",
                    )
                ]
            )
        t = t / t.sum()
    A = ev.layers["Aggregated"]
    S = np.column_stack([A[n.code].to_numpy() for n in nodes])
    options = score_options(ev, [None], [None])
    one = np.zeros(1, int)
    mult = np.ones((1, len(_edges(fw))))

    def weight_set(w: np.ndarray) -> WeightSet:
        w = np.abs(w) / np.abs(w).sum()
        ws: WeightSet = {}
        for n, x in zip(nodes, w, strict=True):
            ws.setdefault(parent[n.code], {})[n.code] = float(x)
        return ws

    def correlations(w: np.ndarray) -> np.ndarray:
        index, _ = batch_index(ev, one, one, mult, options, [None], 1, one, [weight_set(w)])
        ok = ~np.isnan(S).any(axis=1) & ~np.isnan(index[0])
        return np.array([np.corrcoef(S[ok, j], index[0, ok])[0, 1] for j in range(len(nodes))])

    def objective(w: np.ndarray) -> float:
        r = correlations(w)
        if kind == "infomax":
            return float(-r.sum())
        return float(np.log(np.mean((t - r / r.sum()) ** 2) + 1e-300))

    start = (
        t if kind == "balance" else np.array([ev.weights[parent[n.code]][n.code] for n in nodes])
    )
    res = minimize(
        objective,
        start,
        method="Nelder-Mead",
        options={"fatol": tol, "xatol": tol, "maxiter": maxiter},
    )
    best = weight_set(res.x)
    r = correlations(res.x)
    w = np.array([best[parent[n.code]][n.code] for n in nodes])
    return OptimisedWeights(
        best,
        pl.DataFrame(
            {
                "node": [n.code for n in nodes],
                "desired": t if kind == "balance" else np.full(len(nodes), np.nan),
                "obtained": r / r.sum() if kind == "balance" else r,
                "weight": w,
            }
        ),
        float(res.fun),
        bool(res.success),
    )
