"""Aggregation of children scores into a parent score, batched over any leading axes.

``X`` has shape (..., units, children) and ``w`` (..., children); missing children are left
out and the weights renormalised over the children present (as COINr's a_amean does).

A method is a name (``arithmetic``, ``geometric``, ``harmonic``, ``topsis``, ``copeland``,
``borda``) or ``generalised:p``, the weighted power mean of order p (COINr ``a_genmean``).
Means that take logs or reciprocals are undefined where a child score is <= 0:
:func:`undefined` finds those units, and callers stop (an evaluation) or mark the
replication invalid (Monte Carlo) — they never drop the child and average the rest.
"""

from __future__ import annotations

import numpy as np

BASE_METHODS = ("arithmetic", "geometric", "harmonic", "topsis", "copeland", "borda")
METHOD_NAMES_ZH = {
    "arithmetic": "加权算术平均",
    "geometric": "加权几何平均",
    "harmonic": "加权调和平均",
    "topsis": "TOPSIS",
    "copeland": "Copeland 法",
    "borda": "Borda 计数法",
    "generalised": "加权幂平均",
}


def parse_method(method: str) -> tuple[str, float | None]:
    """``"generalised:0.5"`` -> ("generalised", 0.5); a base name -> (name, None).

    Raises ValueError (message in Chinese) for anything else; p = 0 is refused as COINr
    refuses it (it is the geometric mean in the limit)."""
    name, sep, arg = method.partition(":")
    if not sep and name in BASE_METHODS:
        return name, None
    if name == "generalised" and sep:
        try:
            p = float(arg)
        except ValueError:
            p = float("nan")
        if np.isfinite(p) and p != 0:
            return name, p
        raise ValueError(
            f"幂平均的阶数 p 应为非零数字（p = 0 即几何平均，请写 geometric），值：{arg!r}"
        )
    raise ValueError(
        "合成方法应为 arithmetic、geometric、harmonic、topsis、copeland、borda 或 generalised:p"
        f"（p 为非零数字，如 generalised:0.5），值：{method!r}"
    )


def method_name_zh(method: str) -> str:
    name, p = parse_method(method)
    return METHOD_NAMES_ZH[name] + (f"（p = {p:g}）" if p is not None else "")


def undefined(X: np.ndarray, method: str) -> np.ndarray:
    """Cells (..., units, children) where ``method`` is undefined: a present score <= 0 for
    the geometric and harmonic means and a power mean of negative order; a negative score
    for a power mean of fractional positive order. All False for the other methods."""
    name, p = parse_method(method)
    X = np.asarray(X, dtype=float)
    with np.errstate(invalid="ignore"):
        if name in ("geometric", "harmonic") or (name == "generalised" and p < 0):  # type: ignore[operator]
            return X <= 0
        if name == "generalised" and not float(p).is_integer():  # type: ignore[arg-type]
            return X < 0
    return np.zeros(X.shape, dtype=bool)


def _present_weights(X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    W = np.broadcast_to(w[..., None, :], X.shape)
    W = np.where(np.isnan(X), 0.0, W)
    return W, W.sum(axis=-1)


def arithmetic(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    W, tot = _present_weights(X, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, np.nansum(W * np.nan_to_num(X), axis=-1) / tot, np.nan)


def geometric(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean; NaN for a unit with a child score <= 0 (callers check
    :func:`undefined` first and stop)."""
    W, tot = _present_weights(X, w)
    bad = (np.nan_to_num(X, nan=1.0) <= 0).any(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        L = np.where(np.isnan(X) | (X <= 0), 0.0, np.log(np.where(X > 0, X, 1.0)))
        g = np.exp((W * L).sum(axis=-1) / tot)
    return np.where(bad | (tot == 0), np.nan, g)


def harmonic(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    W, tot = _present_weights(X, w)
    bad = (np.nan_to_num(X, nan=1.0) <= 0).any(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = tot / (W / np.where(np.isnan(X) | (X <= 0), 1.0, X)).sum(axis=-1)
    return np.where(bad | (tot == 0), np.nan, h)


def generalised(X: np.ndarray, w: np.ndarray, p: float) -> np.ndarray:
    """Weighted power mean (Σ w x^p / Σ w)^(1/p) over the children present (COINr a_genmean);
    p = 1 is the arithmetic mean, p = -1 the harmonic; NaN where :func:`undefined`."""
    W, tot = _present_weights(X, w)
    bad = undefined(np.nan_to_num(X, nan=1.0), f"generalised:{p}").any(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        Xp = np.where(np.isnan(X), 0.0, np.abs(np.nan_to_num(X, nan=1.0)) ** p)
        Xp = Xp * np.where(np.nan_to_num(X, nan=1.0) < 0, (-1.0) ** p, 1.0)  # integer p only
        m = ((W * Xp).sum(axis=-1) / tot) ** (1.0 / p)
    return np.where(bad | (tot == 0), np.nan, m)


def topsis(X: np.ndarray, w: np.ndarray, scale: float = 100.0) -> np.ndarray:
    """TOPSIS closeness to the ideal, times ``scale``; all children already oriented "more is better".

    r_ij = x_ij / sqrt(sum_i x_ij^2), v_ij = w_j r_ij, D+ and D- the Euclidean distances to the
    column maxima and minima of v, score = D- / (D+ + D-).
    """
    W, tot = _present_weights(X, w)
    Wn = W / np.where(tot > 0, tot, 1.0)[..., None]
    norm = np.sqrt(np.nansum(X**2, axis=-2, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        V = Wn * np.where(norm > 0, X / norm, 0.0)
    best = np.nanmax(V, axis=-2, keepdims=True)
    worst = np.nanmin(V, axis=-2, keepdims=True)
    dp = np.sqrt(np.nansum((V - best) ** 2, axis=-1))
    dm = np.sqrt(np.nansum((V - worst) ** 2, axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(dp + dm > 0, dm / (dp + dm), 1.0)
    return np.where(tot > 0, scale * c, np.nan)


def outranking(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """COINr's ``outrankMatrix``: (..., units, units), entry (i, k) = the weight share of the
    children on which i beats k plus half the share on which they tie (weights sum to 1 over
    all children; a comparison with a missing score counts for neither). As COINr computes
    only the upper triangle directly, the lower is 1 minus it, and the diagonal is 0."""
    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    wn = w / w.sum(axis=-1, keepdims=True)
    A = X[..., :, None, :]  # (..., i, 1, j)
    B = X[..., None, :, :]  # (..., 1, k, j)
    wj = wn[..., None, None, :]
    G = (wj * (A > B)).sum(axis=-1) + (wj * (A == B)).sum(axis=-1) / 2
    n = X.shape[-2]
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    Om = np.where(upper, G, 1.0 - np.swapaxes(G, -1, -2))
    return np.where(np.eye(n, dtype=bool), 0.0, Om)


def copeland(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """COINr ``a_copeland`` (v1.0 and later): the outranking matrix with entries > 0.5 set
    to 1, < 0.5 to -1 and 0.5 to 0, summed along each row (wins minus losses). Memory grows
    with units² (one matrix per replication): meant for tens to hundreds of units."""
    Om = outranking(X, w)
    S = np.select([Om > 0.5, Om < 0.5], [1.0, -1.0], 0.0)
    n = Om.shape[-1]
    S = np.where(np.eye(n, dtype=bool), 0.0, S)
    return S.sum(axis=-1)


def borda(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted Borda count: Σ_j w_j (number of units scoring lower on child j + half the
    number tied with it), weights summing to 1 over all children, missing scores left out.
    Without missing scores it is the row sum of COINr's outranking matrix (what COINr before
    v1.0 returned as "Copeland"). Through ranks, so memory is units × children."""
    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    wn = w / w.sum(axis=-1, keepdims=True)
    present = ~np.isnan(X)
    key = np.where(present, X, np.inf)
    order = np.argsort(key, axis=-2, kind="stable")
    s = np.take_along_axis(key, order, axis=-2)
    n = X.shape[-2]
    pos = np.broadcast_to(np.arange(n)[:, None], s.shape)
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:, :] = s[..., 1:, :] != s[..., :-1, :]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=-2)  # start of each tie group
    last_new = np.ones(s.shape, dtype=bool)
    last_new[..., :-1, :] = s[..., :-1, :] != s[..., 1:, :]
    rev = np.where(last_new, pos, n - 1)[..., ::-1, :]
    last = np.minimum.accumulate(rev, axis=-2)[..., ::-1, :]  # end of each tie group
    beats_sorted = first + (last - first) / 2  # units below + half the others tied
    beats = np.empty_like(beats_sorted)
    np.put_along_axis(beats, order, beats_sorted, axis=-2)
    out = (wn[..., None, :] * np.where(present, beats, 0.0)).sum(axis=-1)
    return np.where(present.any(axis=-1), out, np.nan)


METHODS = {
    "arithmetic": arithmetic,
    "geometric": geometric,
    "harmonic": harmonic,
    "topsis": topsis,
    "copeland": copeland,
    "borda": borda,
}


def aggregate(X: np.ndarray, w: np.ndarray, method: str) -> np.ndarray:
    name, p = parse_method(method)
    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    if name == "generalised":
        return generalised(X, w, p)  # type: ignore[arg-type]
    return METHODS[name](X, w)
